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


def test_sigterm_before_the_scan_starts_saves_a_0_page_partial_scan(tmp_path, monkeypatch, capsys):
    """SIGTERM after `scanner scan` installed its handler but before its scan started (its options still
    being read) stops the scan as one before its first page: exit 130, a 0-page partial scan.json that
    says why (not 'scanner: interrupted' and nothing saved)."""
    from scanner import cli
    from scanner.api import read_scan
    from scanner.commands import scan as scan_command

    read_options = scan_command.scan_options

    def options_after_a_sigterm(args):
        os.kill(os.getpid(), signal.SIGTERM)  # its handler runs here, in the main thread
        return read_options(args)

    monkeypatch.setattr(scan_command, "scan_options", options_after_a_sigterm)
    folder = tmp_path / "out"
    code = cli.main(["--no-config", "scan", "https://www.example.com/", "--out", str(folder), "--quiet"])
    err = capsys.readouterr().err
    assert code == 130 and "interrupted; 0 finished pages saved" in err, err
    result = read_scan(folder)
    assert result.meta.interrupted and result.pages == ()
    assert "interrupted before the first page; no page was visited" in result.meta.errors
    assert result.meta.coverage.discovered == 1 and result.meta.coverage.stopped_by == ("interrupted",)
