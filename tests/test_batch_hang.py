"""A site that never answers: only the batch's site timeout ends its scan. The scan gets SIGTERM (it
saves a partial scan), its whole process group is killed, the site is retried once with lighter
settings, times out again and is given up (exit 3); its scan.json and reports say the batch's site
timeout stopped it. A scan stopped before its first page (here: still reading its policy, a fetch the
stop does not wait for) saves a scan.json all the same, which says so. A scan killed hard (SIGKILL, its
worker lost) gets scan.json rebuilt from its saved pages, and its reports."""

from __future__ import annotations

import hashlib
import html
import os
import shutil
import signal
import subprocess
import sys
from dataclasses import replace

import pytest
from batch_helpers import (
    batch_env,
    jobs,
    run_batch,
    scan_options,
    scan_pid_of,
    session_alive,
    wait_for,
    write_sites,
)
from conftest import REPO

from scanner.api import read_scan
from scanner.batch.campaign import write_campaign_report
from scanner.batch.driver import BatchConfig, Driver
from scanner.batch.jobs import JobTable
from scanner.batch.model import SiteJob
from scanner.batch.runner import attempt_dir, finish_attempt, stop_note
from scanner.batch.sites import site_slug
from scanner.fakenet import FakeInternet
from scanner.fakenet.batch_world import ALPHA, HANG_HOST, batch_world
from scanner.options import resume_options
from scanner.report.coverage_text import coverage_line

pytestmark = pytest.mark.browser


def test_a_hanging_site_is_stopped_by_the_site_timeout(tmp_path):
    site = f"https://{HANG_HOST}/"
    with FakeInternet(batch_world()) as net:
        # the scan itself would wait --timeout 60 s for the page: the 8 s site timeout comes first
        run = run_batch(
            str(write_sites(tmp_path, [site])),
            "--out",
            str(tmp_path / "camp"),
            "--workers",
            "1",
            "--site-timeout",
            "8",
            *scan_options(net, timeout=60),
        )
    assert run.returncode == 3, run.stdout + run.stderr
    row = jobs(tmp_path / "camp")[site]
    assert (row.status, row.attempts) == ("gave_up", 2)  # the lighter retry hung too
    assert row.error == "site timeout: still running after 8 s, stopped"
    assert "1 could not be scanned" in run.stdout
    for attempt in (1, 2):
        folder = tmp_path / "camp" / "sites" / site_slug(site) / f"attempt-{attempt}"
        # SIGTERM: the scan saved what it had (no page: the start page never answered; on a loaded
        # machine the 8 s can end before the crawl began, which saves the same), marked partial, and
        # ended (130) before the grace ran out
        log = (folder / "scan.log").read_text()
        assert "ended with 130" in log
        saved = read_scan(folder)
        assert saved.meta.interrupted and len(saved.pages) == 0, log
        assert session_alive(scan_pid_of(folder)) == []  # its browser is gone with it
        # the runner rendered its reports from that scan.json (as the batch writes them for any site):
        # they say the scan is partial
        page = html.unescape((folder / "report.html").read_text())
        # and why: the batch stopped it (a scan cannot know; the runner noted it in scan.json)
        assert saved.meta.errors[-1] == "stopped by the batch's site timeout of 8 s", log
        partial = "Partial scan: interrupted after 0 pages, stopped by the batch's site timeout of 8 s —"
        assert f"{partial} results are incomplete." in page
        assert (folder / "findings.csv").is_file()  # the batch's formats: the scan's default ones
        assert "# report pid" in log
    assert row.summary["sha256"] == hashlib.sha256((folder / "scan.json").read_bytes()).hexdigest()
    # the campaign page links the last attempt's report, as partial (not its scan.json)
    campaign = (tmp_path / "camp" / "campaign.html").read_text()
    link = f'<a href="sites/{site_slug(site)}/attempt-2/report.html">partial report</a>'
    assert campaign.count(link) == 2  # in the sites table and in the list of sites not scanned
    assert f'sites/{site_slug(site)}/attempt-2/scan.json"' not in campaign


def test_a_scan_stopped_before_its_first_page_saves_a_scan_that_says_so(tmp_path):
    """`scanner scan` gets SIGTERM while it still fetches its policy (a URL that never answers), before
    the crawl began: exit 130, and the folder holds a scan.json with no page that says it is partial and
    why (not "nothing saved"), which --resume can continue."""
    folder = tmp_path / "out"
    with FakeInternet(batch_world()) as net:
        argv = [sys.executable, "-m", "scanner", "scan", net.url(ALPHA, "/"), "--out", str(folder)]
        # the fetch would wait its --timeout of 120 s: the stop does not wait for it
        argv += ["--policy", net.url(HANG_HOST, "/privacy"), "--quiet", *scan_options(net, timeout=120)]
        proc = subprocess.Popen(
            argv,
            cwd=REPO,
            env=batch_env(),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            wait_for(lambda: net.log.find(host=HANG_HOST) or proc.poll() is not None, 120, "the policy fetch")
            assert proc.poll() is None, proc.communicate()
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=60)
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
        assert net.log.find(host=ALPHA) == []  # the crawl never started
        # the abandoned fetch's browser does not outlive the scan
        wait_for(lambda: session_alive(proc.pid) == [], 30, "the policy fetch's browser to end")
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted; 0 finished pages saved" in err, err
    result = read_scan(folder)
    assert result.meta.interrupted and len(result.pages) == 0
    assert "interrupted before the first page; no page was visited" in result.meta.errors
    assert result.meta.coverage is not None and result.meta.coverage.stopped_by == ("interrupted",)
    # its start URL was discovered (true totals), though the crawl had not begun
    assert (result.meta.coverage.discovered, result.meta.coverage.not_visited) == (1, 1)
    assert coverage_line(result).startswith("visited 0 of 1 discovered page — stopped by an interruption")
    assert resume_options(folder).start_urls == (net.url(ALPHA, "/"),)


def test_a_scan_killed_hard_gets_its_scan_json_and_reports_rebuilt(tmp_path):
    """SIGKILL (the grace period ran out, or the scan's worker died) leaves pages.jsonl and no scan.json:
    the runner (or, for a lost worker, the driver) rebuilds scan.json from the saved pages, marked
    partial, with why the batch stopped it, renders the reports, and campaign.html links them."""
    site = f"https://{HANG_HOST}/"
    camp = tmp_path / "camp"
    table = JobTable.open_campaign(camp, resume=False)
    table.add_sites([SiteJob(url=site)])
    folder = camp / attempt_dir(site, 1)
    with FakeInternet(batch_world()) as net:
        argv = [sys.executable, "-m", "scanner", "--no-config", "scan", site, "--out", str(folder)]
        argv += ["--quiet", *scan_options(net, timeout=60)]
        proc = subprocess.Popen(argv, cwd=REPO, env=batch_env(), start_new_session=True)
        try:  # killed while its first visit waits for the page: its sink is open
            wait_for(lambda: net.log.find(host=HANG_HOST) or proc.poll() is not None, 120, "the first visit")
        finally:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    assert (folder / "pages.jsonl").is_file() and not (folder / "scan.json").exists()
    timed_out = tmp_path / "timed-out"
    shutil.copytree(folder, timed_out)
    # the runner, after its site timeout's SIGKILL
    note = stop_note(timed_out=True, stopped=False, site_timeout=8)
    assert finish_attempt(timed_out, ["--format", "html,json"], note=note) == 4
    result = read_scan(timed_out)
    assert result.meta.interrupted and len(result.pages) == 0
    assert note in result.meta.errors and result.meta.coverage.recovered
    assert result.meta.coverage.discovered == 1  # the start URL it was visiting
    page = html.unescape((timed_out / "report.html").read_text())
    assert "Partial scan: interrupted after 0 pages, stopped by the batch's site timeout of 8 s" in page
    # the driver, when the task was lost with its worker (no retry left): the same, and the campaign
    record = table.mark_running(site, 1, attempt_dir(site, 1))
    table.upsert(replace(record, options={"lighter": True}))
    driver = Driver(BatchConfig(campaign=camp), table, None, None)
    lost = {"site": site, "exit": None, "signal": None, "error": "the task was lost (its worker died)"}
    driver.finish(site, lost)
    row = table.get(site)
    assert row.status == "gave_up" and row.summary["partial"] and row.summary["pages"] == 0
    assert read_scan(folder).meta.interrupted and (folder / "report.html").is_file()
    write_campaign_report(camp, table.list())
    table.close()
    campaign = (camp / "campaign.html").read_text()
    assert f'<a href="{attempt_dir(site, 1)}/report.html">partial report</a>' in campaign
