"""A Dask worker killed (SIGKILL) while it runs a site's scan: the scan dies with it (it was asked to,
PR_SET_PDEATHSIG, and saves a partial scan on the way), the nanny starts a new worker, the driver gets
KilledWorker (Dask retries nothing itself) and scans the site again with lighter settings."""

from __future__ import annotations

import os
import signal
from pathlib import Path

import pytest
from batch_helpers import (
    jobs,
    scan_pids,
    session_alive,
    start_one_worker_batch,
    wait_for,
)

from scanner.fakenet import FakeInternet
from scanner.fakenet.batch_world import ALPHA, BRAVO, batch_world

pytestmark = pytest.mark.browser


def parent_of(pid: int) -> int:
    return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])


def test_a_killed_worker_is_survived(tmp_path):
    a, b = f"https://{ALPHA}/", f"https://{BRAVO}/"
    with FakeInternet(batch_world()) as net:
        driver, camp = start_one_worker_batch(net, tmp_path, [a, b])
        try:
            scan = wait_for(lambda: scan_pids(ALPHA, camp), 90, "alpha's scan")[0]
            worker = parent_of(scan)
            os.kill(worker, signal.SIGKILL)
            assert driver.wait(timeout=180) == 1, (tmp_path / "batch.log").read_text()
        finally:
            driver.kill()
    rows = jobs(camp)
    assert (rows[a].status, rows[a].attempts, rows[a].options.get("lighter")) == ("done", 2, True)
    assert rows[a].summary["verdict"] == "FAIL" and rows[a].summary["pages"] == 1  # half of 3 pages
    assert (rows[b].status, rows[b].attempts) == ("done", 1)
    log = (tmp_path / "batch.log").read_text()
    assert "the task was lost (its worker died)" in log
    # the orphaned scan got SIGTERM when its worker died, and took its browser with it
    wait_for(lambda: not session_alive(scan), 30, "the killed worker's scan and its browser to end")
