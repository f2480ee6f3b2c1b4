"""The verdict of `scanner scan` and `scanner report` on the fake internet: one real scan of the demo
shop's start page (with a waiver and --warn-on), then `scanner report` of that saved scan for every case
(no more browsers): FAIL / PASS / NOT GATED / PARTIAL lines, GitHub annotations under GITHUB_ACTIONS=true,
an active waiver turning exit 1 into 0 and shown in every format, an expired one failing again, --warn-on,
and a bad waivers file refused with one line."""

from __future__ import annotations

import csv
import io
import json
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, run_cli
from lxml import html as lxml_html
from report_schemas import junit_errors, sarif_errors

from scanner.schema import validation_errors

START = "https://www.example.com/"
VENDORS = REPO / "vendors.csv"
FACEBOOK_LINE = 5  # Facebook's row in the repository's vendors.csv
UNKNOWN = "pixelmetrics-demo.io"  # the demo's unknown tracker (scanner/fakenet/README.md), undeclared
HOTJAR_WAIVER = """\
[[waiver]]
vendor = "Hotjar"
status = "undeclared"
reason = "Heatmaps for the checkout study"
owner = "web-team@example.com"
expires = 2999-12-31
"""
BOTH_WAIVERS = (
    HOTJAR_WAIVER
    + """
[[waiver]]
vendor = " PIXELMETRICS-demo.io "
reason = "Pixel vendor under contract review"
owner = "Dana"
expires = "2999-12-31"

[[waiver]]
vendor = "Nobody"
status = "undeclared"
reason = "a tracker removed long ago"
owner = "Dana"
expires = 2999-12-31
"""
)
HEADLINES = ("FAIL: ", "PASS: ", "PARTIAL: ", "NOT GATED: ")


def cli(*args: object, github: bool = False, timeout: float = 120) -> subprocess.CompletedProcess:
    """``python -m scanner ARGS`` in CI mode, inside GitHub Actions or not (whatever runs the suite)."""
    proc = run_cli(*map(str, args), timeout=timeout, env={"GITHUB_ACTIONS": "true" if github else None})
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc


def headline(proc: subprocess.CompletedProcess) -> str:
    (line,) = [line for line in proc.stdout.splitlines() if line.startswith(HEADLINES)]
    return line


def block(proc: subprocess.CompletedProcess) -> list[str]:
    """The verdict block: from the headline to the end of the output."""
    lines = proc.stdout.splitlines()
    return lines[lines.index(headline(proc)) :]


def commands(proc: subprocess.CompletedProcess) -> list[str]:
    return [line for line in proc.stdout.splitlines() if line.lstrip().startswith("::")]


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("verdict")


@pytest.fixture(scope="module")
def scanned(demo_net, folder):
    """The start page of the demo shop (Hotjar and an unknown pixel vendor undeclared, Facebook a
    mismatch), scanned with a waiver for Hotjar and --warn-on mismatch."""
    waivers = folder / "hotjar.toml"
    waivers.write_text(HOTJAR_WAIVER, encoding="utf-8")
    out = folder / "scan"
    args = ["scan", START, "--vendors", VENDORS, "--out", out, "--max-depth", "0", "--format", "json"]
    args += ["--settle", "0.3", "--no-screenshots", "--quiet", "--timeout", "10", "--ignore-https-errors"]
    args += ["--consent", "off", "--waivers", waivers, "--warn-on", "mismatch"]
    args += [f"--browser-arg={a}" for a in demo_net.chromium_args()]
    return cli(*args, timeout=180), out, waivers


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_scan_ends_with_the_verdict(scanned):
    proc, out, waivers = scanned
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = block(proc)
    assert lines[0] == "FAIL: 1 finding fails the gate (--fail-on undeclared)"
    assert lines[1].startswith(f"  - {UNKNOWN} [undeclared, unknown vendor]: Unknown tracker {UNKNOWN}")
    assert f"first evidence: cookie pm_uid (.{UNKNOWN}) on {START}" in lines[1]
    assert lines[2] == "WARN: 2 findings reported as warnings (--warn-on mismatch)"
    warned = sorted(line.split(" [")[0] for line in lines[3:5])
    assert warned == ["  - Facebook", "  - example.com (first party)"]
    assert lines[5:] == [
        "WAIVED: 1 finding accepted by a waiver (not failing)",
        "  - Hotjar [undeclared]: waived (Heatmaps for the checkout study, web-team@example.com, until "
        f"2999-12-31) [{waivers}:1]",
    ]
    assert commands(proc) == []  # not in GitHub Actions
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert validation_errors(data) == [] and data["schema_version"] == "1.4"
    waived = {f["vendor"]: f["waiver"] for f in data["findings"] if f.get("waiver")}
    assert waived == {
        "Hotjar": {
            "vendor": "Hotjar",
            "status": "undeclared",
            "reason": "Heatmaps for the checkout study",
            "owner": "web-team@example.com",
            "expires": "2999-12-31",
            "source": f"{waivers}:1",
            "expired": False,
        }
    }


def test_report_fail_pass_and_not_gated(scanned, tmp_path):
    _, out, _ = scanned
    proc = cli("report", out, "--out", tmp_path / "a", "--format", "md")
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = block(proc)
    assert lines[0] == "FAIL: 1 finding fails the gate (--fail-on undeclared)"
    assert lines[1].startswith(f"  - {UNKNOWN} [undeclared, unknown vendor]: ")
    assert "WAIVED: 1 finding accepted by a waiver (not failing)" in lines  # the scan's waiver, kept
    # compared again without --waivers: the saved waiver is gone, and a warning says so
    proc = cli(
        "report", out, "--out", tmp_path / "b", "--format", "md", "--fail-on", "none", "--vendors", VENDORS
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert block(proc) == ["NOT GATED: findings are reported, none can fail the build (--fail-on none)"]
    assert proc.stderr.splitlines() == [
        "scanner: warning: the findings are made again without the saved scan's waivers: give --waivers FILE "
        "to apply them"
    ]
    assert "ℹ️ **Not gated**" in (tmp_path / "b" / "summary.md").read_text(encoding="utf-8")
    proc = cli("report", out, "--out", tmp_path / "c", "--format", "md", "--baseline", out)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert headline(proc) == (
        "PASS: no finding fails the gate (--fail-on undeclared; only findings new since the baseline)"
    )


def test_report_of_a_partial_scan(scanned, tmp_path):
    _, out, _ = scanned
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    data["meta"].update(interrupted=True, finished_at=None, errors=["the browser crashed"])
    write(tmp_path / "scan.json", json.dumps(data))
    proc = cli(
        "report", tmp_path, "--out", tmp_path / "r", "--format", "md", "--fail-on", "none", github=True
    )
    assert proc.returncode == 4, proc.stdout + proc.stderr
    assert headline(proc) == (
        "PARTIAL: no finding fails the gate, but the scan is incomplete (interrupted after 1 page) "
        "(--fail-on none)"
    )
    assert commands(proc) == [
        "::warning title=partial scan::partial scan: interrupted after 1 page; pages that were not visited "
        "may hold more trackers"
    ]


def test_annotations_in_github_actions(scanned, tmp_path):
    _, out, _ = scanned
    proc = cli("report", out, "--out", tmp_path, "--format", "md", "--warn-on", "mismatch", github=True)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    notes = commands(proc)
    assert len(notes) == 3 and all("\r" not in n for n in notes)
    error = notes[0]
    assert error.startswith(f"::error title=tracker audit%3A {UNKNOWN} (undeclared)::{UNKNOWN} [undeclared")
    assert error.endswith("(fails the gate: --fail-on undeclared)")
    facebook = next(n for n in notes if "Facebook" in n)
    assert facebook.startswith(
        f"::warning file=vendors.csv,line={FACEBOOK_LINE},"
        "title=tracker audit warning%3A Facebook (mismatch)::"
    )
    assert "reasons: purpose" in facebook


def _rows(path: Path) -> dict[str, dict]:
    return {r["vendor"]: r for r in csv.DictReader(io.StringIO(path.read_text(encoding="utf-8")))}


def test_an_active_waiver_passes_and_shows_in_every_format(scanned, folder, tmp_path):
    _, out, _ = scanned
    waivers = write(folder / "both.toml", BOTH_WAIVERS)
    before = (out / "scan.json").read_bytes()
    assert cli("report", out, "--out", tmp_path / "plain", "--format", "md").returncode == 1
    r = tmp_path / "waived"
    proc = cli("report", out, "--out", r, "--format", "all", "--waivers", waivers)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = block(proc)
    assert lines[0] == "PASS: no finding fails the gate (--fail-on undeclared)"
    assert lines[1] == "WAIVED: 2 findings accepted by a waiver (not failing)"
    assert lines[-1] == (
        f'warning: unused waiver for "Nobody" [undeclared] ({waivers}:14): it matched no finding; remove it'
    )
    assert (out / "scan.json").read_bytes() == before  # the saved scan is left as it was
    # scan.json
    data = json.loads((r / "scan.json").read_text(encoding="utf-8"))
    assert validation_errors(data) == []
    sources = {f["vendor"]: f["waiver"]["source"] for f in data["findings"] if f.get("waiver")}
    assert sources == {"Hotjar": f"{waivers}:1", UNKNOWN: f"{waivers}:8"}
    # findings.csv
    rows = _rows(r / "findings.csv")
    assert rows["Hotjar"]["waiver"] == (
        f"waived (Heatmaps for the checkout study, web-team@example.com, until 2999-12-31); {waivers}:1"
    )
    assert rows[UNKNOWN]["waiver"].startswith(
        "waived (Pixel vendor under contract review, Dana, until 2999-12-31)"
    )
    assert rows["Facebook"]["waiver"] == ""
    # summary.md
    md = (r / "summary.md").read_text(encoding="utf-8")
    assert "✅ **Pass**" in md and "#### Waived findings" in md
    assert [line.split(" | ")[0] for line in md.splitlines() if line.endswith("| waived |")] == [
        "| Hotjar",
        "| " + UNKNOWN.replace(".", "\\.") + " *(unknown)*",
    ]
    # report.html
    doc = lxml_html.fromstring((r / "report.html").read_text(encoding="utf-8"))
    row = doc.xpath("//section[@id='findings']//tr[contains(@class,'row')][.//b[text()='Hotjar']]")
    assert row and "waived" in row[0].get("class")
    assert row[0].xpath(".//span[@class='tag waived']/text()") == ["waived"]
    assert "waived (Heatmaps for the checkout study, web-team@example.com, until 2999-12-31)" in (
        row[0].xpath("string(.//div[contains(@class,'waiver')])")
    )
    assert "Waived (2)" in doc.xpath("string(//section[@id='verdict'])")
    # junit.xml: skipped with the reason
    junit = (r / "junit.xml").read_text(encoding="utf-8")
    assert junit_errors(junit) == []
    from lxml import etree

    case = etree.fromstring(junit.encode()).xpath("//testcase[@name='undeclared tracker: Hotjar']")[0]
    assert case.xpath("failure") == []
    assert case.xpath("skipped/@message") == [
        "Hotjar: undeclared waived (Heatmaps for the checkout study, web-team@example.com, until "
        f"2999-12-31) [{waivers}:1]"
    ]
    # results.sarif: an accepted external suppression
    sarif = json.loads((r / "results.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(sarif) == []
    hotjar = next(x for x in sarif["runs"][0]["results"] if x["properties"]["vendor"] == "Hotjar")
    assert hotjar["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Heatmaps for the checkout study (owner web-team@example.com, until "
            f"2999-12-31; {waivers}:1)",
        }
    ]
    facebook = next(x for x in sarif["runs"][0]["results"] if x["properties"]["vendor"] == "Facebook")
    assert "suppressions" not in facebook
    # codequality.json: still an issue (same fingerprint), of severity info, saying it is waived
    issues = json.loads((r / "codequality.json").read_text(encoding="utf-8"))
    (hotjar,) = [
        i for i in issues if i["check_name"] == "tracker-audit/undeclared" and "Hotjar" in i["description"]
    ]
    assert hotjar["severity"] == "info"
    assert hotjar["description"].startswith(
        "[waived (Heatmaps for the checkout study, web-team@example.com, until 2999-12-31)] "
        "Undeclared tracker"
    )


def test_an_expired_waiver_fails_again(scanned, folder, tmp_path):
    _, out, _ = scanned
    waivers = write(folder / "expired.toml", HOTJAR_WAIVER.replace("2999-12-31", "2000-01-01"))
    proc = cli(
        "report",
        out,
        "--out",
        tmp_path,
        "--format",
        "junit,sarif,md,codequality",
        "--waivers",
        waivers,
        github=True,
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    lines = block(proc)
    assert lines[0] == "FAIL: 2 findings fail the gate (--fail-on undeclared)"
    hotjar = next(line for line in lines if line.startswith("  - Hotjar"))
    assert hotjar.endswith(f"; waiver expired on 2000-01-01 [{waivers}:1]")
    assert (
        "warning: the waiver for Hotjar [undeclared] expired on 2000-01-01 (owner web-team@example.com, "
        f"{waivers}:1)" in proc.stdout
    )
    notes = commands(proc)
    assert [n.split("::")[1] for n in notes if n.startswith("::warning")] == [
        "warning file=expired.toml,line=1,title=waiver expired%3A Hotjar (undeclared)"
    ]
    assert sum(n.startswith("::error ") for n in notes) == 2
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert 'message="Hotjar: undeclared (undeclared); waiver expired on 2000-01-01' in junit
    sarif = json.loads((tmp_path / "results.sarif").read_text(encoding="utf-8"))
    result = next(x for x in sarif["runs"][0]["results"] if x["properties"]["vendor"] == "Hotjar")
    assert "suppressions" not in result and result["properties"]["waiver"]["expired"] is True
    md = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert any(
        line.startswith("| Hotjar |") and line.endswith("| fails (waiver expired) |")
        for line in md.splitlines()
    )
    issues = json.loads((tmp_path / "codequality.json").read_text(encoding="utf-8"))
    (hotjar,) = [i for i in issues if "Hotjar" in i["description"]]
    assert hotjar["severity"] == "blocker"
    assert hotjar["description"].startswith("[waiver expired on 2000-01-01 (")


def test_warn_on(scanned, tmp_path):
    _, out, _ = scanned
    proc = cli(
        "report",
        out,
        "--out",
        tmp_path / "w",
        "--format",
        "md,html",
        "--fail-on",
        "none",
        "--warn-on",
        "mismatch",
        "--warn-on",
        "not-observed",
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = block(proc)
    assert lines[0].startswith("NOT GATED: ")
    warn = next(line for line in lines if line.startswith("WARN: "))
    assert warn.endswith("reported as warnings (--warn-on mismatch,not-observed)")
    assert any(line.startswith("  - Facebook [mismatch]: ") for line in lines)
    md = (tmp_path / "w" / "summary.md").read_text(encoding="utf-8")
    assert any(line.startswith("| Facebook |") and line.endswith("| warns |") for line in md.splitlines())
    (warnings,) = [
        line for line in md.splitlines() if line.startswith("⚠️ **Warnings** (reported, not failing): ")
    ]
    assert "Facebook (Mismatch)" in warnings and "Capterra (Not observed)" in warnings
    html = (tmp_path / "w" / "report.html").read_text(encoding="utf-8")
    assert '<p class="verdict-warnings">Warnings (' in html
    # a status in both lists fails
    proc = cli(
        "report",
        out,
        "--out",
        tmp_path / "x",
        "--format",
        "md",
        "--fail-on",
        "mismatch",
        "--warn-on",
        "mismatch",
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert headline(proc) == "FAIL: 2 findings fail the gate (--fail-on mismatch)"
    assert not any(line.startswith("WARN: ") for line in proc.stdout.splitlines())


def test_a_bad_waivers_file_is_one_line(scanned, folder, tmp_path):
    _, out, _ = scanned
    bad = write(folder / "bad.toml", HOTJAR_WAIVER.replace("expires = 2999-12-31", 'expires = "soon"'))
    proc = cli("report", out, "--out", tmp_path, "--waivers", bad)
    assert proc.returncode == 2 and proc.stdout == ""
    assert proc.stderr.splitlines() == [
        f"scanner: error: {bad}:6: 'expires' must be a date (YYYY-MM-DD), not 'soon'"
    ]
    # the scan refuses it before a browser starts and before anything is written
    proc = cli(
        "scan",
        START,
        "--out",
        tmp_path / "never",
        "--waivers",
        bad,
        "--browser-arg=--host-resolver-rules=MAP * ~NOTFOUND",
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert proc.stderr.splitlines() == [
        f"scanner: error: {bad}:6: 'expires' must be a date (YYYY-MM-DD), not 'soon'"
    ]
    assert not (tmp_path / "never").exists()
