"""The campaign report of a batch made of real scans of the fake internet.

The sites are scanned as ``scanner batch`` scans them: by the batch runner (``run_site``: a ``scanner
scan`` subprocess in its own process group with a wall-clock limit, into ``sites/<slug>/attempt-1/``),
its outcome recorded in the campaign's real job table as the driver records a last attempt. The demo
shop with its consent banner and a vendors.csv (FAIL: undeclared trackers, consent and behaviour
findings); the hostile site (FAIL; its title is script and markup); a behaviour page (PASS with a
fingerprinting finding); the jar site, stopped at its site timeout (gave up, with the partial scan it
saved); the same stopped scan assembled again by ``scanner report`` (done, exit 4: PARTIAL); an
unreachable site whose URL carries markup (gave up, exit 3). Two more done jobs point at a scan.json
that was deleted and one that was cut short; one site is still pending. Every number the report shows is
checked against the scan.json files themselves, the page is opened in Chromium (nothing runs, the links
lead to the sites' reports), JUnit and SARIF validate against their published schemas, and every CSV
cell is formula-safe.
"""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import unquote

import pytest
from conftest import REPO
from report_browser import browser, open_report
from report_schemas import junit_errors, sarif_errors
from test_csv_safety import assert_safe

from scanner.batch.campaign import write_campaign_report
from scanner.batch.driver import decide
from scanner.batch.jobs import JobTable
from scanner.batch.model import JobRecord, SiteJob
from scanner.batch.runner import attempt_dir, run_site, summarise
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
JAR_PARTIAL = f"https://{JAR_HOST}/p/1"
UNREACHABLE = "https://unreachable.invalid/\"><img src=x onerror=alert('site')>"
GONE = "https://gone.example.com/"
CUT = "https://cut.example.com/"
PENDING = '=HYPERLINK("https://evil.example/","pending")'
SITES = [DEMO, HOSTILE, BEHAVIOUR, JAR, JAR_PARTIAL, UNREACHABLE, GONE, CUT, PENDING]
GOOD_CONSENT = ("consent_gated", "gpc_honoured")


def findings_of(data: dict) -> list[dict]:
    return [
        *data["findings"],
        *(data.get("consent") or {}).get("findings", []),
        *(data.get("behaviour") or {}).get("findings", []),
    ]


def record(table: JobTable, outcome: dict) -> None:
    """The driver's bookkeeping of a last attempt: done when it ended with a verdict, else gave up
    (no retry left), with the runner's error and summary."""
    site = outcome["site"]
    table.mark_running(site, outcome["attempt"], outcome["out_dir"])
    decision = decide(table.get(site), outcome, 0.0)
    code, summary = outcome["exit"], outcome["summary"]
    if decision.status == "done":
        table.mark_done(site, code, summary or {"exit": code})
    else:
        table.mark_gave_up(site, code, outcome["error"] or f"exit {code}", summary)


def copy_attempt(campaign: Path, source: str, site: str) -> str:
    rel = attempt_dir(site, 1)
    shutil.copytree(campaign / attempt_dir(source, 1), campaign / rel)
    return rel


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The campaign folder and its job records, after real scans."""
    campaign = tmp_path_factory.mktemp("campaign") / "weekly-audit"
    table = JobTable.open_campaign(campaign, resume=False)
    table.add_sites(SiteJob(url) for url in SITES)
    world = {**demo_world(), **hostile_world(), **behaviour_world(), **jar_world(pages=40)}
    outcomes = {}
    with FakeInternet(world) as net:
        common = ["--no-screenshots", "--settle", "0.3", "--timeout", "10", "--ignore-https-errors"]
        common += [f"--browser-arg={a}" for a in net.chromium_args()]
        plan = [
            (
                DEMO,
                ["--vendors", str(REPO / "vendors.csv"), "--max-pages", "4", "--consent-sample", "2"],
                240,
            ),
            (HOSTILE, ["--max-pages", "3", "--consent", "off"], 240),
            (BEHAVIOUR, ["--max-depth", "0", "--consent", "off"], 240),
            (UNREACHABLE, ["--consent", "off"], 240),
            # 40 pages at one a time and 1 s settle each cannot end in 15 s: the site timeout stops it
            (JAR, ["--consent", "off", "--concurrency", "1", "--settle", "1", "--no-sitemap"], 15),
        ]

        def attempt(site: str, extra: list[str], limit: float) -> dict:
            args = [*common, *extra]
            return run_site(site, campaign_dir=str(campaign), attempt=1, scan_args=args, site_timeout=limit)

        with ThreadPoolExecutor(max_workers=len(plan)) as pool:  # the sites at once, as a campaign runs them
            done = list(pool.map(lambda step: attempt(*step), plan))
        for (site, *_), outcome in zip(plan, done, strict=True):
            outcomes[site] = outcome
            record(table, outcome)  # the job table is the driver's: written from this thread only
    assert [outcomes[s]["exit"] for s in (DEMO, HOSTILE, BEHAVIOUR, UNREACHABLE)] == [1, 1, 0, 3], outcomes
    assert outcomes[JAR]["timed_out"] and outcomes[JAR]["summary"]["partial"], outcomes[JAR]
    # The stopped scan, assembled again: a finished scan that is partial (exit 4).
    rel = copy_attempt(campaign, JAR, JAR_PARTIAL)
    env = dict(os.environ, CI="true")
    argv = [sys.executable, "-m", "scanner", "report", str(campaign / rel), "--fail-on", "none"]
    proc = subprocess.run([*argv, "--format", "html,json"], capture_output=True, text=True, cwd=REPO, env=env)
    assert proc.returncode == 4, proc.stderr
    record(
        table,
        {
            **outcomes[JAR],
            "site": JAR_PARTIAL,
            "out_dir": rel,
            "exit": 4,
            "timed_out": False,
            "summary": summarise(campaign, rel, 4),
            "error": None,
        },
    )
    # Two finished sites whose scan.json is then lost or damaged.
    for site in (GONE, CUT):
        rel = copy_attempt(campaign, HOSTILE, site)
        record(
            table, {**outcomes[HOSTILE], "site": site, "out_dir": rel, "summary": summarise(campaign, rel, 1)}
        )
    (campaign / attempt_dir(GONE, 1) / "scan.json").unlink()
    cut = campaign / attempt_dir(CUT, 1) / "scan.json"
    cut.write_bytes(cut.read_bytes()[:300])
    jobs = table.list()
    table.close()
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
    """The jobs whose scan.json is there to read: finished ones, and those given up on that saved part of
    a scan (the jar site stopped at its timeout, the unreachable start page)."""
    return [j for j in jobs if j.summary and "scan_json" in j.summary and j.site not in (GONE, CUT)]


def verdict(job: JobRecord) -> str:
    return job.summary["verdict"] if job.status == "done" else "COULD NOT SCAN"


# the stopped scan and the unreachable one saved only scan.json: the runner rendered their reports from it
PARTIAL_REPORT = (JAR, UNREACHABLE)


def test_the_four_files_are_written(batch):
    campaign, _, written = batch
    names = ["campaign.html", "campaign.csv", "campaign-junit.xml", "campaign.sarif"]
    assert written == [campaign / n for n in names]
    assert all(p.is_file() and p.stat().st_size > 0 for p in written)
    assert not list(campaign.glob("*.tmp"))


def test_csv_counts_agree_with_each_scan_json(batch):
    campaign, jobs, _ = batch
    rows = {restore_cell(r["site"]): r for r in csv_rows(campaign)}
    assert list(rows) == SITES == [j.site for j in jobs]
    assert {j.site for j in readable(jobs)} == {DEMO, HOSTILE, BEHAVIOUR, JAR, JAR_PARTIAL, UNREACHABLE}
    for job in readable(jobs):
        data, row = scan_data(campaign, job), rows[job.site]
        for key, n in expected_counts(data).items():
            assert row[key] == str(n), (job.site, key)
        assert row["verdict"] == verdict(job) and row["counts_from"] == "scan.json"
        assert row["partial"] == ("yes" if data["meta"]["interrupted"] else "no")
        assert row["vendors"] == str(len({v["name"] for v in data["vendors"]}))
        report = f"{job.out_dir}/report.html"
        assert row["report"] == report and row["scan_json"] == f"{job.out_dir}/scan.json"
    assert rows[DEMO]["consent"] != "0" and rows[DEMO]["undeclared"] != "0"  # the consent audit ran
    assert rows[HOSTILE]["title"] == h.TITLE
    assert rows[JAR_PARTIAL]["verdict"] == "PARTIAL" and rows[JAR_PARTIAL]["partial"] == "yes"
    assert rows[JAR]["verdict"] == "COULD NOT SCAN" and rows[JAR]["partial"] == "yes"
    assert rows[JAR]["error"].startswith("site timeout")
    assert rows[BEHAVIOUR]["verdict"] == "PASS" and int(rows[BEHAVIOUR]["behaviour"]) >= 1
    assert rows[BEHAVIOUR]["worst"].startswith("high Fingerprinting: ")


def test_sites_that_could_not_be_scanned_or_read(batch):
    campaign, jobs, _ = batch
    rows = {restore_cell(r["site"]): r for r in csv_rows(campaign)}
    gone, cut = rows[GONE], rows[CUT]
    assert gone["scan_json_problem"] == "scan.json missing" and gone["counts_from"] == "summary"
    assert "not a readable scan.json" in cut["scan_json_problem"] and cut["counts_from"] == "summary"
    assert str(campaign) not in cut["scan_json_problem"]  # the path is the campaign's relative one
    summary = next(j for j in jobs if j.site == GONE).summary
    assert (gone["undeclared"], gone["pages"]) == (
        str(summary["counts"]["undeclared"]),
        str(summary["pages"]),
    )
    unreachable = rows[UNREACHABLE]
    assert unreachable["verdict"] == "COULD NOT SCAN" and unreachable["last_exit"] == "3"
    assert "does not resolve" in unreachable["error"], unreachable["error"]
    assert rows[PENDING]["verdict"] == "NOT SCANNED" and rows[PENDING]["status"] == "pending"
    assert rows[PENDING]["pages"] == rows[PENDING]["undeclared"] == ""


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
            " report: (r.cells[1].querySelector('a') || {}).href || null,"
            " link: (r.cells[1].querySelector('a') || {}).textContent || null}))",
        )
        by_site = {r["site"]: r for r in rows}
        assert list(by_site) == [j.site for j in jobs]
        shapes = page.eval_on_selector_all(
            "main table",
            "ts => ts.map(t => [t.id, t.tHead.rows[0].cells.length,"
            " Array.from(t.tBodies[0].rows).map(r => r.cells.length)])",
        )
        assert len(shapes) == 5  # sites, vendors, worst findings, could not be scanned, unreadable
        for table, head, body in shapes:
            assert body and set(body) == {head}, table  # every row has a cell under every heading
        for job in readable(jobs):
            want = expected_counts(scan_data(campaign, job))
            keys = ("pages", "undeclared", "mismatch", "consent", "behaviour")
            assert by_site[job.site]["nums"] == [str(want[k]) for k in keys], job.site
            assert by_site[job.site]["verdict"] == verdict(job)
            target = Path(unquote(by_site[job.site]["report"].removeprefix("file://")))
            assert target == (campaign / job.out_dir / "report.html").resolve() and target.is_file()
            partial = job.site in PARTIAL_REPORT or job.site == JAR_PARTIAL
            assert by_site[job.site]["link"] == ("partial report" if partial else "report"), job.site
        assert by_site[PENDING]["report"] is None and by_site[GONE]["report"].endswith("/report.html")
        # The link opens the site's own report.
        link = f"{attempt_dir(HOSTILE, 1)}/report.html"
        page.click(f'#sites-table a[href="{link}"]')
        page.wait_for_load_state("load")
        assert page.url.endswith(link)
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
    assert list(cases) == SITES and root.get("tests") == "9"
    assert (root.get("failures"), root.get("errors")) == ("5", "2")
    for site in (DEMO, HOSTILE, GONE, CUT):
        assert cases[site].find("failure").get("type") == "findings"
    assert cases[JAR_PARTIAL].find("failure").get("type") == "partial_scan"
    assert "partial scan" in cases[JAR_PARTIAL].find("failure").get("message")
    error = cases[UNREACHABLE].find("error")
    assert error.get("type") == "could_not_scan" and "does not resolve" in error.get("message")
    error = cases[JAR].find("error")
    assert error.get("message").startswith("site timeout") and "partial scan" in error.text
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
    notes = " ".join(n["message"]["text"] for n in invocations[JAR_PARTIAL]["toolExecutionNotifications"])
    assert "partial scan" in notes
    notes = " ".join(n["message"]["text"] for n in invocations[JAR]["toolExecutionNotifications"])
    assert "could not be scanned: site timeout" in notes
    # Written again, the same campaign gives the same results and fingerprints.
    write_campaign_report(campaign, jobs)
    again = json.loads((campaign / "campaign.sarif").read_text(encoding="utf-8"))
    assert again["runs"][0]["results"] == results


def test_a_missing_campaign_folder_is_bad_input(tmp_path):
    with pytest.raises(BadInput, match="does not exist"):
        write_campaign_report(tmp_path / "nowhere", [])
