"""A full disk is one clear line (exit 3, "no space left on device" and the file), never a half-written
line in pages.jsonl, never a stray temp file."""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import uuid

import pytest
from conftest import run_cli

from scanner import safe_write
from scanner.errors import EXIT_CANNOT_SCAN, CannotScan
from scanner.model import ScanMeta
from scanner.scope import Scope
from scanner.sink import JsonlSink


def visit(n: int) -> dict:
    return {"page": {"url": f"https://www.example.com/{n}", "depth": 1, "title": "x" * 5000}, "links": []}


def full_after(monkeypatch, calls: int, partial: bool = True):
    """os.write in the writer succeeds ``calls`` times, then writes a part of the data (a short write)
    and fails with ENOSPC, as a filling disk does."""
    real = os.write
    state = {"left": calls}

    def write(fd, data):
        if state["left"] > 0:
            state["left"] -= 1
            return real(fd, data)
        if partial and state["left"] == 0:
            state["left"] -= 1
            return real(fd, bytes(data[: len(data) // 2]))
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safe_write.os, "write", write)


def opened_sink(folder) -> JsonlSink:
    sink = JsonlSink(folder)
    meta = ScanMeta(tool_version="t", start_urls=("https://www.example.com/",), started_at="now")
    sink.open(meta, Scope([]))
    return sink


def test_a_line_that_does_not_fit_is_cut_back_off(tmp_path, monkeypatch):
    sink = opened_sink(tmp_path)
    sink.add(visit(1))
    full_after(monkeypatch, calls=0)
    with pytest.raises(CannotScan, match="no space left on device: cannot write .*pages.jsonl"):
        sink.add(visit(2))
    lines = (tmp_path / "pages.jsonl").read_text().splitlines()
    assert [json.loads(line)["page"]["url"] for line in lines] == ["https://www.example.com/1"]
    monkeypatch.undo()  # space again: the next line follows the last complete one
    sink.add(visit(3))
    sink.close()
    assert [v["page"]["url"] for v in JsonlSink(tmp_path).visits()] == [
        "https://www.example.com/1",
        "https://www.example.com/3",
    ]


def test_meta_that_does_not_fit_leaves_the_old_one_and_no_temp_file(tmp_path, monkeypatch):
    sink = opened_sink(tmp_path)
    before = (tmp_path / "scan-meta.json").read_text()

    def no_space(fd):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(safe_write.os, "fsync", no_space)
    with pytest.raises(CannotScan, match="no space left on device: cannot write .*scan-meta.json"):
        sink.update_meta(ScanMeta(tool_version="t", start_urls=(), started_at="later"))
    assert (tmp_path / "scan-meta.json").read_text() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pages.jsonl", "scan-meta.json"]


def test_other_write_errors_name_the_file(tmp_path):
    err = safe_write.write_failure(OSError(errno.EROFS, "Read-only file system"), tmp_path / "x")
    assert str(err) == f"cannot write {tmp_path / 'x'}: Read-only file system"


@pytest.fixture
def small_disk(tmp_path):
    """A 64 kB tmpfs (root only; skipped where mounting is not allowed)."""
    mount = tmp_path / f"disk-{uuid.uuid4().hex[:6]}"
    mount.mkdir()
    if os.geteuid() != 0 or not shutil.which("mount"):
        pytest.skip("needs root to mount a small tmpfs")
    argv = ["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mount)]
    proc = subprocess.run(argv, capture_output=True)
    if proc.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {proc.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@pytest.mark.browser
def test_scan_onto_a_full_disk(demo_net, small_disk):
    out = small_disk / "out"
    argv = ["scan", demo_net.url("www.example.com", "/"), "--out", str(out), "--quiet", "--no-sitemap"]
    argv += ["--settle", "0.2", "--timeout", "10", "--ignore-https-errors", "--max-pages", "8"]
    argv += ["--no-screenshots", "--format", "html,json,csv", "--concurrency", "1"]
    argv += [f"--browser-arg={a}" for a in demo_net.chromium_args()]
    proc = run_cli(*argv)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert proc.returncode == EXIT_CANNOT_SCAN, proc.stderr
    assert len(lines) == 1 and "Traceback" not in proc.stderr
    assert lines[0].startswith("scanner: error: no space left on device: cannot write ")
    assert str(out) in lines[0]
    raw = (out / "pages.jsonl").read_bytes()
    assert raw == b"" or raw.endswith(b"\n")
    for line in raw.splitlines():
        json.loads(line)  # complete lines only
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]
