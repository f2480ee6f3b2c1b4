"""The campaign report of a batch made of real scans of the fake internet.

Five sites scanned by real ``scanner scan`` subprocesses into the campaign layout
(``sites/<slug>/attempt-1/``), as the batch runner does: the demo shop with its consent banner and a
vendors.csv (FAIL: undeclared trackers, consent and behaviour findings), the hostile site (FAIL; its
title is script and markup), a behaviour page (PASS with a fingerprinting finding), a jar site stopped
with SIGTERM after its first page as a site timeout stops it (PARTIAL), and an unreachable site whose
URL carries markup (gave up, exit 3 and its one-line error). Two more done jobs point at a scan.json
that was deleted and one that was cut short; one job is still pending. Every number the report shows
is checked against the scan.json files themselves, the page is opened in Chromium (nothing runs, the
links lead to the sites' reports), JUnit and SARIF validate against their published schemas, and every
CSV cell is formula-safe.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import REPO
from report_browser import browser, open_report
from report_schemas import junit_errors, sarif_errors
from test_csv_safety import assert_safe

from scanner.batch.campaign import write_campaign_report
from scanner.batch.model import JobRecord
from scanner.csvsafe import restore_cell
from scanner.errors import BadInput
from scanner.fakenet import FakeInternet, behaviour_world, demo_world, hostile_world
from scanner.fakenet import hostile as h
from scanner.fakenet.shapes import JAR_HOST, jar_world

pytestmark = pytest.mark.browser

DEMO = "https://www.example.com/"
HOSTILE = f"https://{h.HOST}/"
BEHAVIOUR = "https://www.behave-shop.com/fp/canvas"
JAR = f"https://{JAR_HOST}/"
UNREACHABLE = "https://unreachable.invalid/\"><img src=x onerror=alert('site')>"
GONE = "https://gone.example.com/"
CUT = "https://cut.example.com/"
PENDING = '=HYPERLINK("https://evil.example/","pending")'
GOOD_CONSENT = ("consent_gated", "gpc_honoured")
VERDICTS = {0: "PASS", 1: "FAIL", 4: "PARTIAL"}
STARTED, FINISHED = "2026-03-01T09:00:00+00:00", "2026-03-01T09:20:00+00:00"


def scan_command(net: FakeInternet, url: str, out: Path, *extra: str) -> list[str]:
    argv = [sys.executable, "-m", "scanner", "scan", url, "--out", str(out), "--quiet", "--no-screenshots"]
    argv += ["--settle", "0.3", "--timeout", "10", "--ignore-https-errors", *extra]
    return argv + [f"--browser-arg={a}" for a in net.chromium_args()]


def run_scan(net: FakeInternet, url: str, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, CI="true")
    return subprocess.run(
        scan_command(net, url, out, *extra), capture_output=True, text=True, timeout=240, cwd=REPO, env=env
    )


def stopped_scan(net: FakeInternet, url: str, out: Path) -> int:
    """A scan stopped with SIGTERM once its first page is saved, as the runner stops one at its site
    timeout: it saves a partial scan and exits 130."""
    argv = scan_command(net, url, out, "--concurrency", "1", "--settle", "1", "--consent", "off")
    proc = subprocess.Popen(argv, cwd=REPO, start_new_session=True, stderr=subprocess.PIPE)
    try:
        pages, deadline = out / "pages.jsonl", time.monotonic() + 120
        while not pages.exists() or not pages.read_text().strip():
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.monotonic() < deadline, "the scan saved no page"
            time.sleep(0.05)
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


def summary_of(campaign: Path, rel: str, exit_code: int) -> dict:
    """The job summary as the runner builds it from a finished scan folder (the contract in
    scanner/batch/model.py), read from the scan.json with the json module only."""
    path = campaign / rel / "scan.json"
    raw = path.read_bytes()
    data = json.loads(raw)
    counts = Counter(f["status"] for f in findings_of(data))
    return {
        "exit": exit_code,
        "verdict": VERDICTS.get(exit_code, "PARTIAL"),
        "partial": bool(data["meta"].get("interrupted")) or exit_code not in VERDICTS,
        "pages": len(data["pages"]),
        "counts": dict(counts),
        "vendors": sorted({v["name"] for v in data["vendors"]}),
        "scan_json": f"{rel}/scan.json",
        "sha256": hashlib.sha256(raw).hexdigest(),
        "worst": [
            {"vendor": f["vendor"], "status": f["status"], "severity": "high"}
            for f in data["findings"]
            if f["status"] == "undeclared"
        ][:5],
    }


def findings_of(data: dict) -> list[dict]:
    return [
        *data["findings"],
        *(data.get("consent") or {}).get("findings", []),
        *(data.get("behaviour") or {}).get("findings", []),
    ]


def done(campaign: Path, site: str, slug: str, code: int, error: str | None = None) -> JobRecord:
    rel = f"sites/{slug}/attempt-1"
    summary = summary_of(campaign, rel, code)
    return JobRecord(site, "done", 1, code, error, rel, STARTED, FINISHED, {}, summary)


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The campaign folder and its job records, after real scans."""
    campaign = tmp_path_factory.mktemp("campaign") / "weekly-audit"
    world = {**demo_world(), **hostile_world(), **behaviour_world(), **jar_world(pages=12)}
    codes = {}
    with FakeInternet(world) as net:
        vendors = str(REPO / "vendors.csv")
        plan = [
            ("demo", DEMO, ("--vendors", vendors, "--max-pages", "4", "--consent-sample", "2")),
            ("hostile", HOSTILE, ("--max-pages", "3", "--consent", "off")),
            ("behaviour", BEHAVIOUR, ("--max-depth", "0", "--consent", "off")),
            ("unreachable", UNREACHABLE, ("--consent", "off")),
        ]
        for slug, url, extra in plan:
            proc = run_scan(net, url, campaign / "sites" / slug / "attempt-1", *extra)
            assert "Traceback" not in proc.stderr, proc.stderr
            codes[slug] = (
                proc.returncode,
                proc.stderr.strip().splitlines()[-1] if proc.stderr.strip() else "",
            )
        jar_code = stopped_scan(net, JAR, campaign / "sites" / "jar" / "attempt-1")
    assert codes["demo"][0] == 1 and codes["hostile"][0] == 1 and codes["behaviour"][0] == 0, codes
    assert codes["unreachable"][0] == 3 and jar_code == 130, (codes, jar_code)
    for slug in ("gone", "cut"):  # two more finished sites whose scan.json is then lost or damaged
        shutil.copytree(campaign / "sites" / "hostile", campaign / "sites" / slug)
    jobs = [
        done(campaign, DEMO, "demo", 1),
        done(campaign, HOSTILE, "hostile", 1),
        done(campaign, BEHAVIOUR, "behaviour", 0),
        done(campaign, JAR, "jar", 130, "site timeout: still running after 20 s, stopped"),
        JobRecord(
            UNREACHABLE,
            "gave_up",
            3,
            3,
            codes["unreachable"][1],
            "sites/unreachable/attempt-1",
            STARTED,
            FINISHED,
        ),
        done(campaign, GONE, "gone", 1),
        done(campaign, CUT, "cut", 1),
        JobRecord(PENDING),
    ]
    (campaign / "sites" / "gone" / "attempt-1" / "scan.json").unlink()
    cut = campaign / "sites" / "cut" / "attempt-1" / "scan.json"
    cut.write_bytes(cut.read_bytes()[:300])
    written = write_campaign_report(campaign, jobs)
    return campaign, jobs, written


def scan_data(campaign: Path, job: JobRecord) -> dict:
    return json.loads((campaign / job.summary["scan_json"]).read_text(encoding="utf-8"))


def expected_counts(data: dict) -> dict[str, int]:
    """The counts a site's row must show, computed from its scan.json."""
    statuses = Counter(f["status"] for f in data["findings"])
    consent = (data.get("consent") or {}).get("findings", [])
    behaviour = (data.get("behaviour") or {}).get("findings", [])
    return {
        "pages": len(data["pages"]),
        "undeclared": statuses["undeclared"],
        "mismatch": statuses["mismatch"],
        "not_observed": statuses["not_observed"],
        "declared": statuses["declared"],
        "consent": sum(f["status"] not in GOOD_CONSENT for f in consent),
        "behaviour": sum(f["status"] != "embed" for f in behaviour),
    }


def csv_rows(campaign: Path) -> list[dict[str, str]]:
    text = (campaign / "campaign.csv").read_text(encoding="utf-8")
    return list(csv.DictReader(io.StringIO(text, newline="")))


def readable(jobs: list[JobRecord]) -> list[JobRecord]:
    return [j for j in jobs if j.status == "done" and j.site not in (GONE, CUT)]


def test_the_four_files_are_written(batch):
    campaign, _, written = batch
    names = ["campaign.html", "campaign.csv", "campaign-junit.xml", "campaign.sarif"]
    assert written == [campaign / n for n in names]
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)
    assert not list(campaign.glob("*.tmp"))


def test_csv_counts_agree_with_each_scan_json(batch):
    campaign, jobs, _ = batch
    rows = {restore_cell(r["site"]): r for r in csv_rows(campaign)}
    assert list(rows) == [j.site for j in jobs]
    demo_consent = 0
    for job in readable(jobs):
        data, row = scan_data(campaign, job), rows[job.site]
        for key, n in expected_counts(data).items():
            assert row[key] == str(n), (job.site, key)
        assert row["verdict"] == job.summary["verdict"] and row["counts_from"] == "scan.json"
        assert row["partial"] == ("yes" if data["meta"]["interrupted"] else "no")
        assert row["vendors"] == str(len({v["name"] for v in data["vendors"]}))
        # a scan stopped by SIGTERM saves scan.json but writes no report.html
        report = "" if job.site == JAR else f"{job.out_dir}/report.html"
        assert row["report"] == report and row["scan_json"] == f"{job.out_dir}/scan.json"
        demo_consent += row["consent"] != "0"
    assert demo_consent, "the demo shop's consent findings are counted"
    assert rows[HOSTILE]["title"] == h.TITLE
    assert rows[JAR]["verdict"] == "PARTIAL" and rows[JAR]["partial"] == "yes"
    assert rows[BEHAVIOUR]["verdict"] == "PASS" and int(rows[BEHAVIOUR]["behaviour"]) >= 1
    assert rows[BEHAVIOUR]["worst"].startswith("high Fingerprinting: ")


def test_sites_that_could_not_be_scanned_or_read(batch):
    campaign, jobs, _ = batch
    rows = {restore_cell(r["site"]): r for r in csv_rows(campaign)}
    gone, cut = rows[GONE], rows[CUT]
    assert gone["scan_json_problem"] == "scan.json missing" and gone["counts_from"] == "summary"
    assert "not a readable scan.json" in cut["scan_json_problem"] and cut["counts_from"] == "summary"
    summary = next(j for j in jobs if j.site == GONE).summary
    assert gone["undeclared"] == str(summary["counts"]["undeclared"]) and gone["pages"] == str(
        summary["pages"]
    )
    unreachable = rows[UNREACHABLE]
    assert unreachable["verdict"] == "COULD NOT SCAN" and unreachable["last_exit"] == "3"
    assert "does not resolve" in unreachable["error"] or "DNS" in unreachable["error"], unreachable["error"]
    assert unreachable["undeclared"] == "" and unreachable["pages"] == ""
    assert rows[PENDING]["verdict"] == "NOT SCANNED" and rows[PENDING]["status"] == "pending"


def test_csv_cells_are_formula_safe(batch):
    campaign, _, _ = batch
    text = (campaign / "campaign.csv").read_text(encoding="utf-8")
    cells = [c for row in csv.reader(io.StringIO(text, newline=""), strict=True) for c in row]
    for cell in cells:
        assert_safe(cell)
    assert f"'{PENDING}" in cells  # the formula a SITES line held is text


def test_vendor_prevalence_agrees_with_the_scan_json_files(batch):
    campaign, jobs, _ = batch
    sites: dict[str, set[str]] = {}
    undeclared: dict[str, set[str]] = {}
    for job in readable(jobs):
        data = scan_data(campaign, job)
        for v in data["vendors"]:
            sites.setdefault(v["name"], set()).add(job.site)
        for f in data["findings"]:
            if f["status"] == "undeclared":
                undeclared.setdefault(f["vendor"], set()).add(job.site)
    with browser() as b, open_report(b, campaign / "campaign.html") as seen:
        shown = seen.page.eval_on_selector_all(
            "#vendors-table tbody tr",
            "rows => rows.map(r => [r.cells[0].querySelector('b').textContent, r.cells[2].textContent,"
            " r.cells[4].textContent])",
        )
    assert {name: (int(n), int(u)) for name, n, u in shown} == {
        name: (len(s), len(undeclared.get(name, ()))) for name, s in sites.items()
    }
    counts = [int(n) for _, n, _ in shown]
    assert counts == sorted(counts, reverse=True)  # most widespread first


def test_html_counts_and_links_in_the_browser(batch):
    campaign, jobs, _ = batch
    with browser() as b, open_report(b, campaign / "campaign.html") as seen:
        page = seen.page
        rows = page.eval_on_selector_all(
            "#sites-table tbody tr",
            "rows => rows.map(r => ({site: r.cells[0].querySelector('.site-name').textContent,"
            " verdict: r.cells[4].querySelector('.badge').textContent,"
            " nums: [5, 6, 7, 8, 9].map(i => r.cells[i].textContent),"
            " report: (r.cells[1].querySelector('a') || {}).href || null}))",
        )
        by_site = {r["site"]: r for r in rows}
        assert list(by_site) == [j.site for j in jobs]
        for job in readable(jobs):
            want = expected_counts(scan_data(campaign, job))
            keys = ("pages", "undeclared", "mismatch", "consent", "behaviour")
            assert by_site[job.site]["nums"] == [str(want[k]) for k in keys], job.site
            assert by_site[job.site]["verdict"] == job.summary["verdict"]
            target = Path(unquote(by_site[job.site]["report"].removeprefix("file://")))
            name = "scan.json" if job.site == JAR else "report.html"  # the stopped scan wrote no report
            assert target == (campaign / job.out_dir / name).resolve() and target.is_file()
        assert by_site[PENDING]["report"] is None and by_site[UNREACHABLE]["verdict"] == "COULD NOT SCAN"
        # The link opens the site's own report.
        page.click('#sites-table a[href="sites/hostile/attempt-1/report.html"]')
        page.wait_for_load_state("load")
        assert page.url.endswith("/sites/hostile/attempt-1/report.html")
        assert page.title().startswith("Tracker audit — https://www.hostile-example.com/")


def test_nothing_from_the_sites_runs(batch):
    campaign, _, _ = batch
    html = (campaign / "campaign.html").read_text(encoding="utf-8")
    assert h.TITLE_BREAK not in html and "<img src=x" not in html and UNREACHABLE not in html
    with browser() as b, open_report(b, campaign / "campaign.html") as seen:
        page = seen.page
        assert page.evaluate("document.body.dataset.ready") == "1"  # our own script ran
        assert seen.dialogs == [] and seen.errors == [] and seen.network == [] and seen.csp_violations == []
        assert page.evaluate("document.querySelectorAll('script').length") == 1
        assert page.evaluate("document.querySelectorAll('img, iframe, svg, object, embed').length") == 0
        text = page.text_content("#sites-table")
        assert h.TITLE_BREAK in text and "<img src=x onerror=alert(1)>" in text  # shown as text
        assert UNREACHABLE in page.text_content("#not-scanned")
        assert PENDING in page.text_content("#not-scanned")


def test_sorting_and_filtering_in_the_browser(batch):
    campaign, jobs, _ = batch
    with browser() as b, open_report(b, campaign / "campaign.html") as seen:
        page = seen.page
        page.click("#sites-table th:nth-child(7)")  # Undeclared, ascending
        page.click("#sites-table th:nth-child(7)")  # descending
        values = page.eval_on_selector_all(
            "#sites-table tbody tr", "rows => rows.map(r => r.cells[6].getAttribute('data-v'))"
        )
        numbers = [int(v) for v in values]
        assert numbers == sorted(numbers, reverse=True) and numbers[0] >= 1
        page.select_option('.filters[data-for="sites-table"] select', "fail")
        page.wait_for_function(
            "document.querySelectorAll('#sites-table tbody tr:not([hidden])').length === 4"
        )
        visible = page.eval_on_selector_all(
            "#sites-table tbody tr:not([hidden])", "rows => rows.map(r => r.dataset.verdict)"
        )
        assert visible == ["fail"] * 4  # demo, hostile, and the two whose scan.json is gone or cut
        assert sum(j.summary is not None and j.summary["verdict"] == "FAIL" for j in jobs) == 4
    assert seen.errors == []


def test_partial_and_unreadable_are_said(batch):
    campaign, _, _ = batch
    html = (campaign / "campaign.html").read_text(encoding="utf-8")
    assert 'id="partial"' in html and "1 site scanned only partially" in html
    assert "The numbers are true totals of what was seen; a partial scan says it is partial" in html
    assert "scan.json missing" in html and "counts from the job's summary" in html
    assert "The scan.json of 2 scanned sites could not be read" in html


def test_junit_validates_and_says_each_sites_outcome(batch):
    campaign, _, _ = batch
    text = (campaign / "campaign-junit.xml").read_text(encoding="utf-8")
    assert junit_errors(text) == []
    root = ET.fromstring(text)
    cases = {c.get("name"): c for c in root.iter("testcase")}
    assert len(cases) == 8 and root.get("tests") == "8"
    assert (
        root.get("failures") == "5" and root.get("errors") == "1"
    )  # demo, hostile, jar, gone, cut; unreachable
    for site in (DEMO, HOSTILE, GONE, CUT):
        assert cases[site].find("failure").get("type") == "findings"
    assert cases[JAR].find("failure").get("type") == "partial_scan"
    assert "partial scan" in cases[JAR].find("failure").get("message")
    error = cases[UNREACHABLE].find("error")
    assert error.get("type") == "could_not_scan" and "unreachable.invalid" in error.get("message")
    assert cases[PENDING].find("skipped") is not None
    assert list(cases[BEHAVIOUR]) == [cases[BEHAVIOUR].find("system-out")]  # passes
    assert "scan.json missing" in cases[GONE].find("failure").text


def test_sarif_validates_with_a_stable_fingerprint_per_site_finding(batch):
    campaign, jobs, _ = batch
    doc = json.loads((campaign / "campaign.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(doc) == []
    (run,) = doc["runs"]
    results = run["results"]
    per_site = Counter(r["properties"]["site"] for r in results)
    for job in readable(jobs):
        data = scan_data(campaign, job)
        problems = [
            f
            for f in findings_of(data)
            if f["status"] != "declared" and f["status"] not in GOOD_CONSENT and f["status"] != "embed"
        ]
        assert per_site[job.site] == len(problems), job.site
    prints = [r["partialFingerprints"]["siteVendorStatus/v1"] for r in results]
    assert len(set(prints)) == len(prints)
    rules = run["tool"]["driver"]["rules"]
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in results)
    invocations = {i["properties"]["site"]: i for i in run["invocations"]}
    assert [s for s, i in invocations.items() if i["executionSuccessful"]] == [DEMO, HOSTILE, BEHAVIOUR]
    notes = " ".join(n["message"]["text"] for n in invocations[JAR]["toolExecutionNotifications"])
    assert "partial scan" in notes
    # Written again, the same campaign gives the same results and fingerprints.
    write_campaign_report(campaign, jobs)
    again = json.loads((campaign / "campaign.sarif").read_text(encoding="utf-8"))
    assert again["runs"][0]["results"] == results


def test_a_missing_campaign_folder_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="does not exist"):
        write_campaign_report(tmp_path / "nowhere", [])
