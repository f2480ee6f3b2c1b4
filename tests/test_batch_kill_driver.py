"""The driver itself killed (SIGKILL) mid-campaign: its LocalCluster and the running scan go with it,
the job table keeps what was finished, and `scanner batch --resume` scans only the unfinished sites
(a new attempt folder for the one that was running) and leaves the finished ones alone."""

from __future__ import annotations

import signal

import pytest
from batch_helpers import (
    jobs,
    run_batch,
    scan_options,
    scan_pids,
    session_alive,
    start_batch,
    start_one_worker_batch,
    statuses,
    wait_for,
    write_sites,
)

from scanner.batch.sites import site_slug
from scanner.fakenet import FakeInternet
from scanner.fakenet.batch_world import ALPHA, BRAVO, CHARLIE, batch_world

pytestmark = pytest.mark.browser


def test_a_killed_driver_is_resumed(tmp_path):
    a, b, c = (f"https://{h}/" for h in (ALPHA, BRAVO, CHARLIE))
    sites = write_sites(tmp_path, [a, b, c])
    camp = tmp_path / "camp"
    with FakeInternet(batch_world()) as net:
        options = scan_options(net)
        driver = start_batch(
            str(sites), "--out", str(camp), "--workers", "1", *options, log=tmp_path / "1.log"
        )
        try:
            wait_for(lambda: statuses(camp).get(a) == "done", 120, "alpha done")
            scan = wait_for(lambda: scan_pids(BRAVO, camp), 60, "bravo's scan")[0]
            driver.send_signal(signal.SIGKILL)
            driver.wait(timeout=30)
        finally:
            driver.kill()
        # nobody is left working for the dead driver: its cluster ends, the scan and its browser too
        wait_for(lambda: not session_alive(scan), 60, "the orphaned scan to end")
        before = jobs(camp)
        assert before[a].status == "done" and before[b].status == "running" and before[c].status == "pending"

        refused = run_batch(str(sites), "--out", str(camp), *options)
        assert refused.returncode == 2 and "already holds a campaign: use --resume" in refused.stderr
        resumed = run_batch("--resume", "--out", str(camp), "--workers", "1")  # its saved scan options
    assert resumed.returncode == 1, resumed.stdout + resumed.stderr
    assert "resuming: 1 unfinished site(s) to scan again" in resumed.stdout
    after = jobs(camp)
    assert after[a] == before[a]  # not scanned again
    assert (after[b].status, after[b].attempts, after[b].out_dir) == (
        "done",
        2,
        f"sites/{site_slug(b)}/attempt-2",
    )
    assert (after[c].status, after[c].attempts) == ("done", 1)
    assert "start   https://www.alpha-news.com/" not in resumed.stderr
    assert (camp / "sites" / site_slug(b) / "attempt-1").is_dir()  # the killed attempt's folder is kept


def test_sigterm_stops_the_campaign_resumably(tmp_path):
    a, b = f"https://{ALPHA}/", f"https://{BRAVO}/"
    with FakeInternet(batch_world()) as net:
        driver, camp = start_one_worker_batch(net, tmp_path, [a, b])
        try:
            scan = wait_for(lambda: scan_pids(ALPHA, camp), 90, "alpha's scan")[0]
            driver.send_signal(signal.SIGTERM)
            assert driver.wait(timeout=60) == 130
        finally:
            driver.kill()
    assert "scanner batch --resume --out" in (tmp_path / "batch.log").read_text()
    assert statuses(camp) == {a: "pending", b: "pending"}  # the scan that ran is redone on --resume
    assert jobs(camp)[a].attempts == 1 and jobs(camp)[a].error == "stopped with the campaign"
    assert session_alive(scan) == []  # stopped on the worker, process group and all
