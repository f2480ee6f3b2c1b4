"""`scanner scan --format pdf` when report.pdf cannot be printed: its own one-line error, exit 3, the
scan's other outputs kept and the scan not marked partial (it is not a write failure). The same scan
shows that `scanner report` of it prints the console summary `scanner scan` printed.

The scan runs in real Chromium through a wrapper executable (``--browser``) that starts the browser for
the crawl but refuses to start it for printing (recognised by the printing browser's switch that turns
JavaScript off): the browser for printing points at a program that fails, as a missing or broken one
would."""

from __future__ import annotations

import json
import sqlite3
import stat

import pytest
from conftest import run_cli

from scanner.browser import find_browser
from scanner.errors import EXIT_CANNOT_SCAN

pytestmark = pytest.mark.browser


def failing_printer(tmp_path) -> str:
    real = find_browser().executable_path
    wrapper = tmp_path / "chromium-no-print"
    wrapper.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do\n'
        '  case "$a" in --blink-settings=scriptEnabled=false) echo "no printing here" >&2; exit 1;; esac\n'
        "done\n"
        f'exec "{real}" "$@"\n',
        encoding="utf-8",
    )
    wrapper.chmod(wrapper.stat().st_mode | stat.S_IXUSR)
    return str(wrapper)


@pytest.fixture(scope="module")
def scanned(demo_net, tmp_path_factory):
    tmp_path = tmp_path_factory.mktemp("pdf-failure")
    out = tmp_path / "out"
    args = ["scan", demo_net.url("www.example.com", "/"), "--out", str(out), "--quiet", "--no-screenshots"]
    args += ["--max-pages", "1", "--settle", "0.2", "--timeout", "5", "--ignore-https-errors"]
    args += [f"--browser-arg={a}" for a in demo_net.chromium_args()]
    args += ["--browser", failing_printer(tmp_path), "--format", "json,html,csv,md,pdf", "--fail-on", "none"]
    args += ["--history", str(tmp_path / "history.db")]
    return run_cli(*args), out


def test_a_pdf_that_cannot_be_printed_has_its_own_error(scanned):
    proc, out = scanned
    assert proc.returncode == EXIT_CANNOT_SCAN, (proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and "Traceback" not in proc.stderr, proc.stderr
    line = lines[0]
    assert line.startswith("scanner: error: report.pdf was not printed: ")
    assert "cannot write" not in line and "make room" not in line  # not the write-failure path
    assert "the other outputs are written: scan.json, report.html, " in line
    assert f"scanner report {out} --format pdf --browser PATH" in line
    # everything else is there, and the scan is complete (not marked partial by the PDF)
    for name in ("scan.json", "report.html", "findings.csv", "summary.md"):
        assert (out / name).is_file(), name
    assert not (out / "report.pdf").exists()
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
    scan = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert scan["meta"]["interrupted"] is False and scan["meta"]["errors"] == []
    # the console still shows the scan's summary and verdict
    assert proc.stdout.startswith("scanned 1 pages: ") and f"  wrote {out / 'report.html'}" in proc.stdout
    # and the complete scan is recorded in --history like any other
    with sqlite3.connect(out.parent / "history.db") as db:
        assert db.execute("SELECT count(*), max(interrupted) FROM scans").fetchone() == (1, 0)


def test_scan_and_report_print_the_same_summary(scanned):
    """One console summary (scanner.report.console) for both commands: `scanner report` of the saved scan
    prints the lines `scanner scan` printed (coverage, behaviour audit, ...), then the files it wrote."""
    proc, out = scanned
    again = run_cli(
        "report", str(out), "--format", "md", "--out", str(out.parent / "again"), "--fail-on", "none"
    )
    assert again.returncode == 0, again.stderr

    def summary(stdout: str) -> list[str]:
        lines = stdout.splitlines()
        return lines[: next(i for i, line in enumerate(lines) if line.startswith("  wrote "))]

    scan_lines = summary(proc.stdout)
    assert scan_lines[0].startswith("scanned 1 pages: ") and scan_lines[1].startswith("coverage: ")
    assert any(line.startswith("behaviour: ") for line in scan_lines)
    assert summary(again.stdout) == scan_lines
    assert f"  wrote {out.parent / 'again' / 'summary.md'}" in again.stdout.splitlines()
