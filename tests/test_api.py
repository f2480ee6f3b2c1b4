"""`scanner.load_scan` for notebooks and `scanner report` re-rendering a saved scan."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from report_factory import demo_scan as demo_result

import scanner
from scanner.api import Scan, load_scan, read_scan
from scanner.errors import BadInput
from scanner.report import write_reports

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def saved(tmp_path_factory):
    out = tmp_path_factory.mktemp("saved")
    write_reports(demo_result(), out, ["json"])
    return out


def test_load_scan_gives_dataframes(saved):
    scan = scanner.load_scan(saved)
    assert isinstance(scan, Scan)
    assert scan.result == demo_result()
    assert scan.meta.browser_version == "156.0.7000.0"
    assert scan.summary == {"undeclared": 3, "mismatch": 1, "not_observed": 1, "declared": 1}
    assert (
        len(scan.cookies) == 9
        and len(scan.requests) == 13
        and len(scan.pages) == 3
        and len(scan.findings) == 6
    )
    third = scan.cookies[scan.cookies.third_party]
    assert sorted(third["name"]) == ["fr", "uid"]
    assert scan.cookies.set_index("name").loc["sessionid", "session"]
    home = scan.pages.set_index("url").loc["https://www.example.com/"]
    assert (home["requests"], home["third_party_requests"], home["beacons"]) == (5, 4, 2)
    by_status = scan.findings.groupby("status")["vendor"].apply(sorted).to_dict()
    assert by_status["undeclared"] == ["Criteo", "Hotjar", "unknown-metrics.io"]
    assert scan.requests.groupby("vendor").size()["Google Analytics"] == 3
    assert set(scan.vendors["name"]) >= {"Criteo", "Hotjar"}
    assert "undeclared=3" in repr(scan)


def test_load_scan_accepts_the_file_too(saved):
    assert load_scan(saved / "scan.json").result == load_scan(saved).result


def test_import_scanner_stays_light():
    code = (
        "import sys, scanner; assert 'pandas' not in sys.modules; "
        "assert callable(scanner.load_scan); print('ok')"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.stdout.strip() == "ok", proc.stderr
    with pytest.raises(AttributeError):
        scanner.no_such_thing  # noqa: B018


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "not a readable scan.json"),
        ("[1, 2]", "not a scan result"),
        ('{"meta": {"tool_version": "x"}}', "malformed"),
        ('{"schema_version": "9.0", "meta": {}}', "schema_version 9.0"),
    ],
)
def test_bad_scan_json_is_bad_input(tmp_path, content, message):
    path = tmp_path / "scan.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(BadInput, match=message):
        read_scan(path)


def test_missing_scan_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="no scan result"):
        load_scan(tmp_path)


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True, cwd=REPO, timeout=60
    )


def test_cli_report_rerenders_all_formats_and_gates(tmp_path, saved):
    out = tmp_path / "out"
    proc = _cli("report", str(saved / "scan.json"), "--out", str(out), "--format", "all")
    assert proc.returncode == 1, proc.stderr  # undeclared trackers, default --fail-on undeclared
    assert "FAIL: 3 findings fail the gate (--fail-on undeclared)" in proc.stdout.splitlines()
    names = sorted(p.name for p in out.iterdir())
    assert names == sorted(
        ["report.html", "scan.json", "findings.csv", "cookies.csv", "requests.csv", "scan.har", "junit.xml"]
        + ["results.sarif", "summary.md", "behaviour.csv", "codequality.json"]
    )
    assert json.loads((out / "scan.json").read_text()) == json.loads((saved / "scan.json").read_text())


def test_cli_report_in_place_leaves_scan_json_alone(tmp_path):
    write_reports(demo_result(), tmp_path, ["json"])
    before = (tmp_path / "scan.json").stat().st_mtime_ns
    proc = _cli("report", str(tmp_path), "--fail-on", "none", "--format", "html,json,md")
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "scan.json").stat().st_mtime_ns == before
    assert (tmp_path / "report.html").is_file() and (tmp_path / "summary.md").is_file()


def test_cli_report_screenshots_relative_to_new_folder(tmp_path):
    scan_dir = tmp_path / "scan"
    (scan_dir / "screenshots").mkdir(parents=True)
    (scan_dir / "screenshots" / "0001.png").write_bytes(b"\x89PNG")
    write_reports(demo_result(), scan_dir, ["json"])
    assert _cli("report", str(scan_dir), "--out", str(tmp_path / "r"), "--format", "html").returncode == 1
    assert 'src="../scan/screenshots/0001.png"' in (tmp_path / "r" / "report.html").read_text(
        encoding="utf-8"
    )


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (["--fail-on", "mismatch"], 1),
        (["--fail-on", "none"], 0),
        (["--fail-on", "bogus"], 2),
        (["--format", "docx"], 2),
        (["--baseline", "SELF"], 0),
        (["--baseline", "/nonexistent/scan.json"], 2),
    ],
)
def test_cli_report_exit_codes(tmp_path, saved, extra, code):
    extra = [str(saved) if x == "SELF" else x for x in extra]
    proc = _cli("report", str(saved), "--out", str(tmp_path), "--format", "md", *extra)
    assert proc.returncode == code, proc.stdout + proc.stderr
    if code == 2:
        assert proc.stderr.startswith("scanner: error:") and proc.stderr.count("\n") == 1
