"""Developer sessions: `nox -s tests`, `nox -s lint`, `nox -s demo`."""

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True


@nox.session
def tests(session: nox.Session) -> None:
    session.install("-e", ".[test]")
    session.run("python", "-m", "scanner.setup_browser", "--check")
    session.run("pytest", "-q", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    session.install("ruff")
    session.run("ruff", "check", "scanner", "tests", "bench", "tools", "noxfile.py")
    session.run("ruff", "format", "--check", "scanner", "tests", "bench", "tools", "noxfile.py")


@nox.session
def demo(session: nox.Session) -> None:
    session.install("-e", ".")
    session.run("python", "-m", "scanner.setup_browser")
    session.run("scanner", "demo", *session.posargs)
