"""Running `scanner batch` as a user does (a subprocess, CI=true) against a fake internet started in the
test, and reading its campaign folder."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from conftest import REPO

from scanner.batch.jobs import JOBS_FILE, JobTable
from scanner.batch.model import JobRecord
from scanner.fakenet import FakeInternet


def scan_options(net: FakeInternet, *, max_pages: int = 2, timeout: float = 5.0) -> list[str]:
    """Options every site's scan gets: the fake internet's resolver rules, small and quick scans."""
    return [
        *(f"--browser-arg={arg}" for arg in net.chromium_args()),
        "--ignore-https-errors",
        "--consent",
        "off",
        "--no-screenshots",
        "--max-pages",
        str(max_pages),
        "--timeout",
        str(timeout),
        "--settle",
        "0.3",
    ]


def write_sites(folder: Path, lines: list[str], name: str = "sites.txt") -> Path:
    path = folder / name
    path.write_text("# a campaign of the batch tests\n" + "\n".join(lines) + "\n")
    return path


def batch_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "scanner", "batch", *args]


def batch_env() -> dict[str, str]:
    return dict(os.environ, CI="true", PYTHONPATH=str(REPO))


def run_batch(*args: str, timeout: float = 240) -> subprocess.CompletedProcess:
    return subprocess.run(
        batch_command(*args), capture_output=True, text=True, cwd=REPO, env=batch_env(), timeout=timeout
    )


def start_batch(*args: str, log: Path) -> subprocess.Popen:
    with open(log, "wb") as out:
        return subprocess.Popen(
            batch_command(*args), stdout=out, stderr=subprocess.STDOUT, cwd=REPO, env=batch_env()
        )


def start_one_worker_batch(
    net: FakeInternet, folder: Path, sites: list[str], *, max_pages: int = 3
) -> tuple[subprocess.Popen, Path]:
    """``scanner batch`` of ``sites`` on one worker, started in the background (its output in
    ``folder/batch.log``); returns the driver process and the campaign folder."""
    camp = folder / "camp"
    driver = start_batch(
        str(write_sites(folder, sites)),
        "--out",
        str(camp),
        "--workers",
        "1",
        *scan_options(net, max_pages=max_pages),
        log=folder / "batch.log",
    )
    return driver, camp


def jobs(campaign: Path) -> dict[str, JobRecord]:
    """The job table as the campaign report reads it (by site)."""
    table = JobTable(campaign)
    try:
        return {r.site: r for r in table.list()}
    finally:
        table.close()


def statuses(campaign: Path) -> dict[str, str]:
    """Site -> status, read without writing (the driver may be running)."""
    if not (campaign / JOBS_FILE).exists():
        return {}
    try:
        with sqlite3.connect(f"file:{campaign / JOBS_FILE}?mode=ro", uri=True, timeout=5) as db:
            return dict(db.execute("SELECT site, status FROM jobs").fetchall())
    except sqlite3.Error:
        return {}


def scan_pids(host: str, campaign: Path) -> list[int]:
    """`scanner scan` processes scanning ``host`` into ``campaign`` now (not another test's)."""
    from scanner.fakenet.batch_world import scan_processes

    return scan_processes(host, under=str(campaign))


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"timed out waiting for {what}")


def session_alive(sid: int) -> list[int]:
    """Live processes (not zombies) still in the session (process group) a scan led."""
    alive = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                zombie = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
                if os.getsid(int(entry.name)) == sid and not zombie:
                    alive.append(int(entry.name))
            except (OSError, IndexError):
                continue
    return alive


def scan_pid_of(attempt_folder: Path) -> int:
    """The pid of the scan an attempt ran (the runner writes it at the end of scan.log)."""
    for line in (attempt_folder / "scan.log").read_text().splitlines():
        if line.startswith("# scan pid "):
            return int(line.split()[3])
    raise AssertionError(f"no pid in {attempt_folder / 'scan.log'}")
