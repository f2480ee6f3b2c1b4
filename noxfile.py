"""Developer sessions: `nox -s tests`, `nox -s lint`, `nox -s demo`, `nox -s lowest`."""

import nox

nox.options.sessions = ["lint", "tests"]
nox.options.reuse_existing_virtualenvs = True

# `nox -s lowest`: the suite's parts that exercise every runtime dependency, on the lowest versions that
# pyproject.toml allows. A real demo scan end to end (playwright, jsonschema, jinja2, the vendored
# autoconsent), the browser's launch switches and its silence during a scan (playwright against the system
# Chromium), every report writer (CSV, HAR, JUnit, SARIF, Markdown, HTML), load_scan (pandas), URL and
# domain handling (w3lib, idna, tldextract), policy import (beautifulsoup4, lxml, markdown-it-py), payload
# search (ahocorasick-rs), the fake internet's certificates (trustme), shell completion (shtab) and the
# history's Parquet export (pyarrow, the parquet extra).
LOWEST_TESTS = (
    "tests/test_demo_e2e.py",
    "tests/test_browser_launch.py",
    "tests/test_report_formats.py",
    "tests/test_csv_safety.py",
    "tests/test_api.py",
    "tests/test_declared.py",
    "tests/test_attribute.py",
    "tests/test_url_meaning.py",
    "tests/test_policy_import.py",
    "tests/test_policy_parsing.py",
    "tests/test_payloads.py",
    "tests/test_fakenet.py",
    "tests/test_completion.py",
    "tests/test_history_e2e.py",
)


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


# A new virtualenv every time: uv keeps what is installed when it satisfies a requirement, so a reused one
# would keep versions above a floor.
@nox.session(python="3.11", venv_backend="uv", reuse_venv=False)
def lowest(session: nox.Session) -> None:
    """The dependency floors: every direct dependency (the runtime ones, the pandas and parquet extras and
    the test tools) at the lowest version pyproject.toml allows (uv's lowest-direct resolution; what they
    need in turn is the newest, as a fresh install gets it), then LOWEST_TESTS. A failure here means a
    floor in pyproject.toml is too low: raise it, with a comment on what broke."""
    session.install("--resolution", "lowest-direct", "-e", ".[pandas,parquet,test]")
    session.run("uv", "pip", "list", silent=False)
    session.run("python", "-m", "scanner.setup_browser", "--check")
    session.run("pytest", "-q", "-p", "no:cacheprovider", *(session.posargs or LOWEST_TESTS))
