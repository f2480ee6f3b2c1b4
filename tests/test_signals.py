"""SIGTERM stops a CLI scan like Ctrl-C: the finished pages are saved, scan.json says interrupted,
exit 130, no traceback, no browser profile left behind."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from conftest import REPO

from scanner.fakenet import FakeInternet
from scanner.fakenet.shapes import JAR_HOST, jar_world

pytestmark = pytest.mark.browser

PAGES = 12


@pytest.fixture
def short_tmpdir():
    """A TMPDIR of its own (Chromium cannot start when the temp path is too long for its socket)."""
    path = Path(tempfile.mkdtemp(prefix="sig-", dir="/tmp"))
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def jar_net():
    with FakeInternet(jar_world(pages=PAGES)) as net:
        yield net


def start_scan(net, folder, tmpdir):
    argv = [sys.executable, "-m", "scanner", "scan", net.url(JAR_HOST, "/"), "--out", str(folder)]
    argv += ["--concurrency", "1", "--settle", "1", "--max-pages", str(PAGES + 1), "--quiet", "--no-sitemap"]
    argv += ["--fail-on", "none", "--ignore-https-errors"]
    argv += [f"--browser-arg={a}" for a in net.chromium_args()]
    env = dict(os.environ, TMPDIR=str(tmpdir))
    return subprocess.Popen(
        argv, cwd=REPO, env=env, start_new_session=True, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def wait_for_pages(proc, folder, pages: int) -> None:
    path = folder / "pages.jsonl"
    deadline = time.monotonic() + 120
    while not path.exists() or len(path.read_text().splitlines()) < pages:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the scan saved no page"
        time.sleep(0.05)


def profiles(tmpdir):
    return sorted(p.name for p in tmpdir.glob("scanner-profile-*"))


@pytest.mark.parametrize("whole_group", [False, True], ids=["scanner", "process-group"])
def test_sigterm_saves_what_was_captured(jar_net, tmp_path, short_tmpdir, whole_group):
    folder, tmpdir = tmp_path / "out", short_tmpdir
    proc = start_scan(jar_net, folder, tmpdir)
    try:
        wait_for_pages(proc, folder, 1)
        if whole_group:  # as a CI runner or `timeout` does: the driver and the browser get it too
            os.killpg(proc.pid, signal.SIGTERM)
        else:
            proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    err = err.decode()
    assert proc.returncode == 130, err
    assert "Traceback" not in err and "interrupted" in err
    data = json.loads((folder / "scan.json").read_text())
    assert data["meta"]["interrupted"] is True
    saved = [json.loads(line)["page"]["url"] for line in (folder / "pages.jsonl").read_text().splitlines()]
    assert saved and [p["url"] for p in data["pages"]] == saved
    assert len(saved) < PAGES + 1  # it did stop early
    assert profiles(tmpdir) == []  # the browser profile (the site's cookies) is gone
