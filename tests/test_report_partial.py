"""A partial scan (``meta.interrupted``) says so in every format, and the gate never passes it:
report.html banner, SARIF ``executionSuccessful: false`` with a notification, a JUnit error case,
a first-line warning in summary.md, ``scan_interrupted`` in findings.csv, ``meta`` in scan.json,
and exit code 4 from ``scanner report`` (1 when findings fail the gate anyway)."""

from __future__ import annotations

import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pandas as pd
import pytest
from report_factory import demo_scan, partial
from report_schemas import junit_errors, sarif_errors

from scanner.errors import EXIT_FINDINGS, EXIT_OK, EXIT_PARTIAL
from scanner.report import FORMATS, write_reports
from scanner.report.html import render_html
from scanner.report.junit import build_junit
from scanner.report.markdown import build_summary_md
from scanner.report.sarif import build_sarif
from scanner.schema import validation_errors

REPO = Path(__file__).resolve().parents[1]
WARNING = "interrupted after 3 pages — results are incomplete"
ERROR = "the scan stopped after 3 page(s): browser crashed"


@pytest.fixture(scope="module")
def complete():
    return demo_scan()


@pytest.fixture(scope="module")
def cut(complete):
    return partial(complete, ERROR)


def test_html_banner(cut, complete):
    html = render_html(cut)
    banner = html[html.index('<div id="partial"') :]
    banner = banner[: banner.index("</div>")]
    assert 'role="alert"' in banner and f"Partial scan: {WARNING}." in banner and ERROR in banner
    assert html.index('id="partial"') < html.index('id="verdict"')  # above everything else
    assert 'id="partial"' not in render_html(complete)


def test_html_verdict_of_a_partial_scan_is_not_pass(cut):
    html = render_html(cut, fail_on=["none"])
    assert '<section id="verdict" class="verdict partial">' in html
    assert '<strong class="verdict-word">PARTIAL</strong>' in html and "PASS" not in html
    assert "the scan is incomplete" in html
    # findings that fail the gate still say FAIL
    assert '<strong class="verdict-word">FAIL</strong>' in render_html(cut)


def test_sarif_execution_not_successful(cut, complete):
    sarif = build_sarif(cut)
    assert sarif_errors(sarif) == []
    (invocation,) = sarif["runs"][0]["invocations"]
    assert invocation["executionSuccessful"] is False
    notes = invocation["toolExecutionNotifications"]
    assert notes[0]["level"] == "error" and WARNING in notes[0]["message"]["text"]
    assert [n["message"]["text"] for n in notes[1:]] == [ERROR]
    assert sarif["runs"][0]["properties"]["interrupted"] is True
    (ok,) = build_sarif(complete)["runs"][0]["invocations"]
    assert ok["executionSuccessful"] is True and "toolExecutionNotifications" not in ok


def test_junit_has_an_error_case(cut, complete):
    text = build_junit(cut)
    assert junit_errors(text) == []
    root = ET.fromstring(text)
    assert root.get("errors") == "1"
    suite = root.find("testsuite[@name='scan']")
    assert suite is not None and suite.get("errors") == "1"
    error = suite.find("testcase/error")
    assert error is not None and WARNING in error.get("message") and ERROR in error.text
    assert ET.fromstring(build_junit(complete)).find("testsuite[@name='scan']") is None


def test_summary_md_starts_with_the_warning(cut, complete):
    md = build_summary_md(cut, fail_on=["none"])
    first = md.splitlines()[0]
    assert first.startswith("> ⚠️ **Partial scan") and "interrupted after 3 pages" in first
    assert "incomplete" in first
    assert "⚠️ **Incomplete** — a partial scan cannot pass the gate" in md and "✅" not in md
    assert build_summary_md(complete).startswith("### Tracker audit")


def test_csv_and_json_carry_it(tmp_path, cut, complete):
    write_reports(cut, tmp_path / "cut", FORMATS)
    findings = pd.read_csv(tmp_path / "cut" / "findings.csv")
    assert findings["scan_interrupted"].all()
    data = json.loads((tmp_path / "cut" / "scan.json").read_text(encoding="utf-8"))
    assert validation_errors(data) == []
    assert data["meta"]["interrupted"] is True and data["meta"]["errors"] == [ERROR]
    write_reports(complete, tmp_path / "ok", ["csv"])
    assert not pd.read_csv(tmp_path / "ok" / "findings.csv")["scan_interrupted"].any()


def _report(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scanner", "report", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("interrupted", "fail_on", "code"),
    [
        (True, "none", EXIT_PARTIAL),
        (True, "not_observed,mismatch", EXIT_FINDINGS),  # findings fail the gate: 1 wins
        (True, "undeclared", EXIT_FINDINGS),
        (False, "none", EXIT_OK),
    ],
)
def test_scanner_report_gates_a_partial_scan_json(tmp_path, cut, complete, interrupted, fail_on, code):
    write_reports(cut if interrupted else complete, tmp_path, ["json"])
    proc = _report(str(tmp_path), "--format", "md,sarif,junit", "--fail-on", fail_on)
    assert proc.returncode == code, proc.stdout + proc.stderr
    words = ("PARTIAL: ", "FAIL: ", "PASS: ", "NOT GATED: ")
    (headline,) = [line for line in proc.stdout.splitlines() if line.startswith(words)]
    assert headline.startswith(
        {EXIT_PARTIAL: "PARTIAL: ", EXIT_FINDINGS: "FAIL: ", EXIT_OK: "NOT GATED: "}[code]
    )
    assert ("partial scan" in proc.stderr) is interrupted
    sarif = json.loads((tmp_path / "results.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is (not interrupted)
    assert ("Partial scan" in (tmp_path / "summary.md").read_text(encoding="utf-8")) is interrupted


def test_scanner_report_partial_with_a_clean_declaration(tmp_path, cut):
    """No finding at all fails, the scan is still not good enough to pass."""
    write_reports(cut, tmp_path, ["json"])
    proc = _report(
        str(tmp_path / "scan.json"), "--out", str(tmp_path / "r"), "--format", "html", "--fail-on", "none"
    )
    assert proc.returncode == EXIT_PARTIAL, proc.stdout + proc.stderr
    html = (tmp_path / "r" / "report.html").read_text(encoding="utf-8")
    assert f"Partial scan: {WARNING}." in html
