"""The Docker image: what the Dockerfile says (Debian with Chromium from apt, the package built from the
build context, a non-root user, ``ENTRYPOINT ["scanner"]``), that .dockerignore leaves the build what it
needs, that the README and CI run it; and, where a Docker daemon answers, the real build and smoke test
(tools/docker_smoke.sh: ``--version``, ``demo``)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest
import yaml
from conftest import REPO

DOCKERFILE = REPO / "Dockerfile"


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) per logical line: comments dropped, backslash continuations joined."""
    out: list[tuple[str, str]] = []
    pending = ""
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):  # a comment inside a continued instruction
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        text = pending + line
        pending = ""
        keyword, _, rest = text.partition(" ")
        out.append((keyword.upper(), rest.strip()))
    assert not pending, "the Dockerfile ends inside a continued line"
    return out


def stages() -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for keyword, rest in instructions():
        if keyword == "FROM":
            out.append([])
        out[-1].append((keyword, rest))
    return out


def final_stage() -> list[tuple[str, str]]:
    return stages()[-1]


def test_debian_with_chromium_from_apt():
    for stage in stages():
        image = stage[0][1].split()[0]
        assert re.fullmatch(r"(python:3\.\d+-slim-bookworm|debian:bookworm(-slim)?)", image), image
    runs = " ".join(rest for keyword, rest in final_stage() if keyword == "RUN")
    assert re.search(r"apt-get install[^&;]*\bchromium\b", runs)
    assert "playwright install" not in runs  # Debian's Chromium, which the scanner finds by itself


def test_the_package_is_built_from_the_build_context():
    build, final = stages()[0], final_stage()
    copies = [rest for keyword, rest in instructions() if keyword in ("COPY", "ADD")]
    assert not any("shared" in c or ".." in c for c in copies), copies  # the package, not a copy of ../shared
    assert ("COPY", ". .") in build
    build_runs = [rest for keyword, rest in build if keyword == "RUN"]
    assert any(re.search(r"pip (wheel|install)\b.*\s\.$", r) for r in build_runs), build_runs
    final_runs = " ".join(rest for keyword, rest in final if keyword == "RUN")
    assert re.search(r"pip install /wheels/\*\.whl", final_runs)


def test_a_non_root_user_runs_scanner_in_work():
    final = final_stage()
    users = [rest for keyword, rest in final if keyword == "USER"]
    assert users and users[-1] not in ("root", "0") and not users[-1].startswith("0:")
    runs = " ".join(rest for keyword, rest in final if keyword == "RUN")
    assert re.search(rf"useradd [^&;]*--uid [1-9]\d* [^&;]*\b{re.escape(users[-1])}\b", runs), runs
    (entrypoint,) = [rest for keyword, rest in final if keyword == "ENTRYPOINT"]
    assert json.loads(entrypoint) == ["scanner"]  # exec form: `docker run IMAGE scan URL`
    assert [rest for keyword, rest in final if keyword == "WORKDIR"][-1] == "/work"
    # the USER comes after every RUN: nothing runs as root once the user is set
    keywords = [keyword for keyword, _ in final]
    assert keywords.index("USER") > max(i for i, k in enumerate(keywords) if k == "RUN")


def dockerignore_patterns() -> list[str]:
    lines = (REPO / ".dockerignore").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.strip().startswith("#")]


def _pattern_regex(pattern: str) -> re.Pattern:
    """A .dockerignore pattern (Go filepath.Match plus ``**``, relative to the context root) as a regex
    matching the path or any folder above it."""
    assert not re.search(r"[\[\]\\]", pattern), f"the test does not read {pattern!r}"
    body = ""
    for part in re.split(r"(\*\*/?|\*|\?)", pattern.strip("/")):
        body += {"**/": "(?:.*/)?", "**": ".*", "*": "[^/]*", "?": "[^/]"}.get(part, re.escape(part))
    return re.compile(rf"^{body}(?:/.*)?$")


def ignored(relative: str, patterns: list[str]) -> bool:
    """Docker's rule: the last pattern that matches decides; ``!`` patterns bring files back."""
    verdict = False
    for pattern in patterns:
        keep = pattern.startswith("!")
        if _pattern_regex(pattern.lstrip("!")).match(relative):
            verdict = not keep
    return verdict


def test_dockerignore_matcher_reads_dockers_rules():
    patterns = ["tests", "**/__pycache__", "*.egg-info", "docs/*.png", "!docs/keep.png"]
    assert ignored("tests/test_x.py", patterns) and ignored("tests", patterns)
    assert ignored("scanner/__pycache__/x.pyc", patterns) and ignored("__pycache__/y", patterns)
    assert ignored("scanner.egg-info/PKG-INFO", patterns) and not ignored("scanner/x.egg-info", patterns)
    assert ignored("docs/report.png", patterns) and not ignored("docs/keep.png", patterns)
    assert not ignored("scanner/tests_helper.py", patterns) and not ignored("contests/x", patterns)


def test_dockerignore_leaves_the_build_what_it_needs():
    """The wheel is built from the context: pyproject.toml, the files it names (readme, licences, data
    files) and every file of the packages must reach it; the tests, caches and reports need not."""
    patterns = dockerignore_patterns()
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    meta = project["project"]
    needed = ["pyproject.toml"]
    readme = meta.get("readme")
    needed.append(readme if isinstance(readme, str) else (readme or {}).get("file", "README.md"))
    licence = meta.get("license")
    if isinstance(licence, dict) and "file" in licence:
        needed.append(licence["file"])
    for pattern in meta.get("license-files", []):
        needed += [str(p.relative_to(REPO)) for p in REPO.glob(pattern)]
    setuptools = project.get("tool", {}).get("setuptools", {})
    for files in setuptools.get("data-files", {}).values():
        needed += [str(p.relative_to(REPO)) for f in files for p in REPO.glob(f)]
    if (REPO / "MANIFEST.in").exists():
        needed.append("MANIFEST.in")
    packages = [
        p for p in REPO.iterdir() if p.is_dir() and (p / "__init__.py").exists() and p.name == "scanner"
    ]
    needed += [
        str(f.relative_to(REPO))
        for package in packages
        for f in package.rglob("*")
        if f.is_file() and "__pycache__" not in f.parts
    ]
    assert len(needed) > 100
    dropped = [name for name in needed if ignored(name, patterns)]
    assert dropped == []
    assert all(ignored(name, patterns) for name in ("tests/conftest.py", ".git/HEAD", "reports/x/scan.json"))


def test_the_readme_and_ci_run_the_image():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert 'docker run --rm -v "$PWD/reports:/work/reports"' in readme
    assert re.search(r"docker run [^\n]* scan https://\S+ --out reports/", readme)
    workflow = yaml.safe_load((REPO / ".github" / "workflows" / "docker.yml").read_text(encoding="utf-8"))
    commands = [step.get("run", "") for job in workflow["jobs"].values() for step in job["steps"]]
    assert any(shlex.split(c)[:1] == ["tools/docker_smoke.sh"] for c in commands if c)
    assert (REPO / "tools" / "docker_smoke.sh").stat().st_mode & 0o111  # executable, as the workflow runs it


def docker_unavailable() -> str | None:
    """Why the real image cannot be built here (None when a daemon answers)."""
    docker = shutil.which("docker")
    if docker is None:
        return "no docker client"
    try:
        proc = subprocess.run([docker, "info"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"`docker info` failed: {exc}"
    if proc.returncode != 0:
        return "`docker info` failed: " + (proc.stderr.strip().splitlines() or ["no daemon"])[-1]
    # A daemon without access to an image registry (only package registries answer here) cannot build
    base = re.search(r"^FROM\s+(\S+)", (REPO / "Dockerfile").read_text(encoding="utf-8"), re.M).group(1)
    try:
        pull = subprocess.run([docker, "pull", "-q", base], capture_output=True, text=True, timeout=300)
    except subprocess.TimeoutExpired:
        return f"cannot pull the base image {base}: timed out"
    if pull.returncode != 0:
        return f"cannot pull the base image {base}: " + (pull.stderr.strip().splitlines() or ["?"])[-1]
    return None


NO_DOCKER = docker_unavailable()


@pytest.mark.skipif(
    NO_DOCKER is not None,
    reason=f"tool not available: Docker cannot build the image on this machine ({NO_DOCKER}); "
    "the image is built and smoke-tested by .github/workflows/docker.yml",
)
def test_the_image_builds_and_runs_the_demo():
    proc = subprocess.run(
        ["bash", str(REPO / "tools" / "docker_smoke.sh"), "tracker-audit:pytest"],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "docker_smoke: ok" in proc.stdout
