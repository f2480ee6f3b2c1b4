"""A site that never answers: only the batch's site timeout ends its scan. The scan gets SIGTERM (it
saves a partial scan), its whole process group is killed, the site is retried once with lighter
settings, times out again and is given up (exit 3)."""

from __future__ import annotations

import pytest
from batch_helpers import jobs, run_batch, scan_options, scan_pid_of, session_alive, write_sites

from scanner.api import read_scan
from scanner.batch.sites import site_slug
from scanner.fakenet import FakeInternet
from scanner.fakenet.batch_world import HANG_HOST, batch_world

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
        # SIGTERM: the scan saved what it had, marked partial, and ended (130) before the grace ran out;
        # on a loaded machine the 8 s can end while the scan is still starting: then it says nothing was saved
        log = (folder / "scan.log").read_text()
        assert "ended with 130" in log
        if "interrupted before the first page; nothing saved" not in log:
            assert read_scan(folder).meta.interrupted, log
        assert session_alive(scan_pid_of(folder)) == []  # its browser is gone with it
