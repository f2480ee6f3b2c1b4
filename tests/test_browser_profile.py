"""The temporary browser profile holds the site's cookies in clear: it is private, gone after every
exit (even a browser crash), and one left by a killed scan is removed when the next one starts."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from scanner.browser import (
    PROFILE_OWNER,
    PROFILE_PREFIX,
    BrowserOptions,
    create_profile,
    open_context,
    remove_stale_profiles,
)


@pytest.fixture
def temp_dir(monkeypatch):
    """The process's temp dir, short (Chromium's socket path) and of this test alone."""
    path = Path(tempfile.mkdtemp(prefix="prof-", dir="/tmp"))
    monkeypatch.setattr(tempfile, "tempdir", str(path))
    yield path
    shutil.rmtree(path, ignore_errors=True)


def _reaped() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def fake_profile(temp_dir, name, owner):
    folder = temp_dir / (PROFILE_PREFIX + name)
    (folder / "Default").mkdir(parents=True)
    (folder / "Default" / "Cookies").write_bytes(b"secret")
    if owner is not None:
        (folder / PROFILE_OWNER).write_text(json.dumps(owner))
    return folder


def test_profile_is_private_and_names_its_owner(temp_dir):
    profile = create_profile()
    assert stat.S_IMODE(profile.stat().st_mode) == 0o700
    owner = json.loads((profile / PROFILE_OWNER).read_text())
    assert owner["pid"] == os.getpid() and owner["host"] == socket.gethostname()


def test_only_profiles_of_dead_owners_are_removed(temp_dir):
    host = socket.gethostname()
    dead = fake_profile(temp_dir, "dead", {"pid": _reaped(), "host": host})
    alive = fake_profile(temp_dir, "alive", {"pid": os.getppid(), "host": host})
    mine = fake_profile(temp_dir, "mine", {"pid": os.getpid(), "host": host})
    elsewhere = fake_profile(temp_dir, "other-host", {"pid": _reaped(), "host": host + "-not"})
    unowned = fake_profile(temp_dir, "being-created", None)
    garbled = fake_profile(temp_dir, "garbled", None)
    (garbled / PROFILE_OWNER).write_text("{not json")
    reused = fake_profile(temp_dir, "reused", {"pid": os.getppid(), "host": host, "started": "1"})
    assert sorted(remove_stale_profiles()) == sorted([dead, reused])
    for kept in (alive, mine, elsewhere, unowned, garbled):
        assert kept.is_dir()


@pytest.mark.browser
def test_profile_removed_after_a_browser_crash(temp_dir):
    async def crash() -> Path:
        async with open_context(BrowserOptions()) as session:
            (profile,) = temp_dir.glob(PROFILE_PREFIX + "*")
            assert (profile / "Default").is_dir()
            for pid in browser_pids(profile):
                os.kill(pid, signal.SIGKILL)
            with pytest.raises(Exception):  # noqa: B017 - whatever Playwright says about a dead browser
                page = await session.context.new_page()
                await page.goto("about:blank")
        return profile

    profile = asyncio.run(crash())
    assert not profile.exists()


def browser_pids(profile: Path) -> list[int]:
    pids = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                cmdline = (proc / "cmdline").read_bytes()
            except OSError:
                continue
            if f"--user-data-dir={profile}".encode() in cmdline:
                pids.append(int(proc.name))
    assert pids, "no browser process found for the profile"
    return pids


@pytest.mark.browser
def test_profile_of_a_killed_scan_is_removed_at_the_next_start(temp_dir, tmp_path):
    from scanner.fakenet import FakeInternet, Response, Site

    world = {"www.example.com": Site({"/": Response.html("<title>a</title>" + "<p>x</p>")})}
    with FakeInternet(world) as net:
        argv = [sys.executable, "-m", "scanner", "scan", net.url("www.example.com", "/"), "--out"]
        argv += [str(tmp_path / "out"), "--quiet", "--no-sitemap", "--settle", "30", "--ignore-https-errors"]
        argv += [f"--browser-arg={a}" for a in net.chromium_args()]
        env = dict(os.environ, TMPDIR=str(temp_dir))
        repo = Path(__file__).resolve().parents[1]
        proc = subprocess.Popen(argv, cwd=repo, env=env, start_new_session=True)
        try:
            deadline = asyncio.run(_wait_for_profile(temp_dir, proc))
        finally:
            os.killpg(proc.pid, signal.SIGKILL)  # nothing gets to clean up
            proc.wait()
    assert deadline
    (left,) = temp_dir.glob(PROFILE_PREFIX + "*")
    assert json.loads((left / PROFILE_OWNER).read_text())["pid"] == proc.pid

    async def next_scan() -> list[str]:
        async with open_context(BrowserOptions()):
            return sorted(p.name for p in temp_dir.glob(PROFILE_PREFIX + "*"))

    names = asyncio.run(next_scan())
    assert left.name not in names and len(names) == 1  # only the new scan's own profile
    assert list(temp_dir.glob(PROFILE_PREFIX + "*")) == []


async def _wait_for_profile(temp_dir: Path, proc) -> bool:
    for _ in range(1200):
        assert proc.poll() is None, "the scan ended before its browser started"
        profiles = list(temp_dir.glob(PROFILE_PREFIX + "*"))
        if profiles and (profiles[0] / "Default" / "Cookies").exists():
            return True
        await asyncio.sleep(0.05)
    return False
