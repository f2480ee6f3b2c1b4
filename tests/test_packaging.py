"""The distribution as a user gets it: the sdist and the wheel built from a copy of the checkout, what they
hold, and the wheel installed in a fresh virtual environment (its dependencies from the package index, no
pandas) where `scanner --version`, `scanner demo` and `scanner.load_scan` run with no checkout in sight."""

from __future__ import annotations

import email.parser
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import REPO, SHARED

import scanner

# Building, installing and one small demo scan: minutes on a loaded two-core machine.
pytestmark = [pytest.mark.browser, pytest.mark.timeout(900)]

DIST = "tracker_audit"
# Package files a wheel must hold (every file of scanner/ is checked too; these name what matters).
MUST_SHIP = (
    "scanner/py.typed",
    "scanner/fakenet/vendors.csv",  # `scanner demo`'s declaration
    "scanner/report/templates/report.html.j2",
    "scanner/report/templates/report.css",
    "scanner/report/templates/report.js",
    "scanner/schema/scan.schema.json",
    "scanner/catalog/data/third_party_web.json",
    "scanner/consent/vendor/autoconsent/autoconsent.playwright.js",
    "scanner/consent/vendor/autoconsent/rules.json",
    "scanner/consent/vendor/autoconsent/LICENSE",
)
NOT_SOURCE = shutil.ignore_patterns(
    *(".git", ".nox", ".venv", "build", "dist", "*.egg-info", "__pycache__", "*.py[cod]", "reports"),
    *(".cache", ".hypothesis", ".pytest_cache", ".ruff_cache"),
)


def env() -> dict[str, str]:
    """The environment of a user's shell: no PYTHONPATH pointing into the checkout, no active venv."""
    drop = {"PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV", "PYTHONSTARTUP"}
    return {k: v for k, v in os.environ.items() if k not in drop}


def run(*cmd: str | Path, cwd: Path | None = None, ok: bool = True, extra_env: dict | None = None):
    args = [str(c) for c in cmd]
    environ = {**env(), **(extra_env or {})}
    proc = subprocess.run(args, cwd=cwd, env=environ, capture_output=True, text=True, timeout=600)
    output = f"{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    assert proc.returncode == 0 or not ok, f"{args}: exit {proc.returncode}\n{output}"
    return proc


def uv() -> str | None:
    """uv (the test extra installs it): resolves and installs in seconds where pip takes minutes."""
    try:
        from uv import find_uv_bin

        return find_uv_bin()
    except (ImportError, FileNotFoundError):
        return shutil.which("uv")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class Dists:
    sdist: Path
    wheel: Path  # built from the sdist, as pip builds one
    tree_wheel: Path  # built straight from the source tree


def wheel_files(wheel: Path) -> dict[str, str]:
    with zipfile.ZipFile(wheel) as z:
        return {n: sha256(z.read(n)) for n in z.namelist() if not n.endswith("/")}


def sdist_files(sdist: Path) -> dict[str, str]:
    with tarfile.open(sdist) as t:
        members = [m for m in t.getmembers() if m.isfile()]
        root = f"{DIST}-{scanner.__version__}/"
        assert all(m.name.startswith(root) for m in members)
        return {m.name.removeprefix(root): sha256(t.extractfile(m).read()) for m in members}


def metadata(text: str):
    return email.parser.Parser().parsestr(text)


def package_files(root: Path) -> set[str]:
    """Every file of the import package in a source tree, as a wheel names it."""
    return {
        p.relative_to(root).as_posix()
        for p in (root / "scanner").rglob("*")
        if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    }


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A copy of the checkout (the build writes build/ and *.egg-info next to its sources)."""
    src = tmp_path_factory.mktemp("source") / "tracker-audit"
    shutil.copytree(REPO, src, ignore=NOT_SOURCE)
    assert (src / "tests" / "conftest.py").is_file()  # so that "no tests in the sdist" says something
    return src


@pytest.fixture(scope="module")
def dists(source, tmp_path_factory) -> Dists:
    """`python -m build` (the sdist, then a wheel from it) and `python -m build --wheel` (a wheel from the
    tree), side by side."""
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "build", *(["--installer", "uv"] if uv() else [])]
    builds = {
        "sdist": [*build, "--outdir", out / "sdist", source],
        "tree": [*build, "--wheel", "--outdir", out / "tree", source],
    }
    procs = {
        name: subprocess.Popen(cmd, env=env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        for name, cmd in builds.items()
    }
    for name, proc in procs.items():
        output, _ = proc.communicate(timeout=600)
        assert proc.returncode == 0, f"{name} build failed:\n{output[-4000:]}"
    (sdist,) = (out / "sdist").glob("*.tar.gz")
    (wheel,) = (out / "sdist").glob("*.whl")
    (tree_wheel,) = (out / "tree").glob("*.whl")
    return Dists(sdist=sdist, wheel=wheel, tree_wheel=tree_wheel)


def test_the_distribution_is_tracker_audit_at_the_package_version(dists):
    version = scanner.__version__
    assert dists.sdist.name == f"{DIST}-{version}.tar.gz"
    assert dists.wheel.name == f"{DIST}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(dists.wheel) as z:
        meta = metadata(z.read(f"{DIST}-{version}.dist-info/METADATA").decode())
        entry_points = z.read(f"{DIST}-{version}.dist-info/entry_points.txt").decode()
    assert (meta["Name"], meta["Version"]) == ("tracker-audit", version)
    assert "scanner = scanner.cli:main" in entry_points
    assert meta["License-Expression"] == "MIT AND MPL-2.0"
    assert "LICENSE" in meta.get_all("License-File")
    assert meta["Requires-Python"] == ">=3.11"
    assert "Typing :: Typed" in meta.get_all("Classifier")
    assert all("OWNER/REPO" in url for url in meta.get_all("Project-URL"))
    assert {"pandas", "batch", "parquet", "test"} <= set(meta.get_all("Provides-Extra"))
    # pandas only with its extra (and the test extra): a plain install has no pandas.
    pandas = [r for r in meta.get_all("Requires-Dist") if r.startswith("pandas")]
    assert pandas and all('extra == "pandas"' in r or 'extra == "test"' in r for r in pandas)
    with tarfile.open(dists.sdist) as t:
        pkg_info = metadata(t.extractfile(f"{DIST}-{version}/PKG-INFO").read().decode())
    assert (pkg_info["Name"], pkg_info["Version"]) == ("tracker-audit", version)


def test_the_wheel_holds_the_whole_package_its_data_and_the_licences(dists, source):
    files = wheel_files(dists.wheel)
    assert package_files(source) == {n for n in files if n.startswith("scanner/")}
    assert set(MUST_SHIP) <= set(files)
    assert not [n for n in files if not n.startswith(("scanner/", f"{DIST}-"))]  # no tests/, tools/, ...
    licences = f"{DIST}-{scanner.__version__}.dist-info/licenses/"
    assert files[licences + "LICENSE"] == sha256((REPO / "LICENSE").read_bytes())
    assert licences + "NOTICE" in files
    assert "MIT License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    # The demo's declaration is the repository's seed vendors.csv.
    assert files["scanner/fakenet/vendors.csv"] == sha256((REPO / "vendors.csv").read_bytes())


def test_the_sdist_holds_the_sources_and_no_tests(dists, source):
    files = sdist_files(dists.sdist)
    assert package_files(source) <= set(files)
    assert {"LICENSE", "NOTICE", "README.md", "pyproject.toml", "PKG-INFO"} <= set(files)
    assert not [n for n in files if n.startswith(("tests/", "reports/", "bench/", "tools/", ".ci/"))]


def test_no_shared_test_data_is_shipped(dists):
    shared = {sha256(p.read_bytes()): p for p in SHARED.rglob("*") if p.is_file() and p.stat().st_size > 64}
    if os.environ.get("CI") == "true":
        assert shared, f"no shared test data at {SHARED}"
    for name, digest in {**wheel_files(dists.wheel), **sdist_files(dists.sdist)}.items():
        assert digest not in shared, f"{name} is a copy of {shared[digest]}"


def test_the_sdist_builds_the_same_wheel_as_the_tree(dists):
    from_sdist, from_tree = wheel_files(dists.wheel), wheel_files(dists.tree_wheel)
    assert sorted(from_sdist) == sorted(from_tree)
    assert from_sdist == from_tree  # and the same bytes in every file


def test_no_module_of_the_package_imports_pandas():
    """Importing any module (commands, reports, batch, history, the API) leaves pandas unloaded: only
    load_scan asks for it, when it is called."""
    code = (
        "import importlib, pkgutil, sys, scanner\n"
        "for m in pkgutil.walk_packages(scanner.__path__, 'scanner.'):\n"
        "    if not m.name.endswith('__main__'):\n"
        "        importlib.import_module(m.name)\n"
        "ours = [k for k in sys.modules if k.startswith('scanner.')]\n"
        "print(len(ours), sorted(k for k in sys.modules if k.partition('.')[0] == 'pandas'))"
    )
    proc = run(sys.executable, "-c", code, cwd=REPO, extra_env={"PYTHONPATH": str(REPO)})
    count, pandas = proc.stdout.split(" ", 1)
    assert int(count) > 100 and pandas.strip() == "[]"  # every module was imported, none took pandas


@pytest.fixture(scope="module")
def venv(dists, tmp_path_factory) -> Path:
    """A fresh virtual environment with the wheel installed, its dependencies resolved from the index
    (nothing from this test run's environment), and a browser as a user sets it up."""
    root = tmp_path_factory.mktemp("venv") / "venv"
    if uv():
        run(sys.executable, "-m", "venv", "--without-pip", root)
        run(uv(), "pip", "install", "--python", root / "bin" / "python", dists.wheel)
    else:
        run(sys.executable, "-m", "venv", root)
        run(root / "bin" / "python", "-m", "pip", "install", dists.wheel)
    setup = run(root / "bin" / "python", "-m", "scanner.setup_browser")
    assert setup.stdout.startswith("browser: "), setup.stdout
    return root


def test_scanner_version_from_the_venv(venv):
    proc = run(venv / "bin" / "scanner", "--version", cwd=venv)
    assert proc.stdout == f"scanner (tracker-audit) {scanner.__version__}\n"
    where = run(venv / "bin" / "python", "-c", "import scanner; print(scanner.__file__)", cwd=venv)
    assert Path(where.stdout.strip()).is_relative_to(venv)  # the installed package, not the checkout


@pytest.fixture(scope="module")
def demo(venv, tmp_path_factory) -> tuple[subprocess.CompletedProcess, Path]:
    """`scanner demo` from the venv, in an empty folder: no checkout, no vendors.csv beside it."""
    work = tmp_path_factory.mktemp("demo-from-wheel")
    options = ("--out", "out", "--quiet", "--max-pages", "1", "--consent-sample", "1")  # the home page
    return run(venv / "bin" / "scanner", "demo", *options, cwd=work, ok=False), work / "out"


def test_scanner_demo_runs_from_the_installed_wheel(demo, venv):
    proc, out = demo
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr
    assert f"demo report: {Path('out') / 'report.html'}" in proc.stdout
    for name in ("report.html", "scan.json", "findings.csv", "cookies.csv", "requests.csv", "results.sarif"):
        assert (out / name).is_file() and (out / name).stat().st_size > 0, name
    scan = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert scan["meta"]["tool_version"] == scanner.__version__
    declared = Path(scan["meta"]["declared_source"])
    assert declared.is_relative_to(venv) and declared.parts[-3:] == ("scanner", "fakenet", "vendors.csv")
    statuses = {f["status"] for f in scan["findings"]}
    assert {"declared", "undeclared"} <= statuses  # the shipped declaration was read and compared


def test_pandas_is_an_extra_that_load_scan_names(demo, venv):
    """The demo above wrote every report (CSV included) in a venv without pandas; load_scan, the one
    API returning DataFrames, says how to get it."""
    python = venv / "bin" / "python"
    probe = run(python, "-c", "import importlib.util as u; print(u.find_spec('pandas'))", cwd=venv)
    assert probe.stdout.strip() == "None"
    proc = run(python, "-c", "import scanner; scanner.load_scan('out')", cwd=demo[1].parent, ok=False)
    assert proc.returncode == 1
    assert proc.stderr.strip().splitlines()[-1] == (
        'ImportError: scanner.load_scan needs pandas: pip install "tracker-audit[pandas]"'
    )
