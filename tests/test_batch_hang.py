"""A site that never answers: only the batch's site timeout ends its scan. The scan gets SIGTERM (it
saves a partial scan), its whole process group is killed, the site is retried once with lighter
settings, times out again and is given up (exit 3). A scan stopped before its first page (here: still
reading its policy) saves a scan.json all the same, which says so."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys

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
from scanner.batch.sites import site_slug
from scanner.fakenet import FakeInternet
from scanner.fakenet.batch_world import ALPHA, HANG_HOST, batch_world
from scanner.options import resume_options

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
        # they say the scan is partial, and scan.json is left as the scan wrote it
        page = (folder / "report.html").read_text()
        assert "Partial scan: interrupted after 0 pages — results are incomplete." in page
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
        argv += ["--policy", net.url(HANG_HOST, "/privacy"), "--quiet", *scan_options(net, timeout=3)]
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
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted; 0 finished pages saved" in err, err
    result = read_scan(folder)
    assert result.meta.interrupted and len(result.pages) == 0
    assert "interrupted before the first page; no page was visited" in result.meta.errors
    assert result.meta.coverage is not None and result.meta.coverage.stopped_by == ("interrupted",)
    assert resume_options(folder).start_urls == (net.url(ALPHA, "/"),)
