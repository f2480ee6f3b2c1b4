"""A scan killed with SIGKILL is partial everywhere, and `scanner scan --resume` finishes it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import REPO, run_cli

from scanner.fakenet import FakeInternet
from scanner.fakenet.shapes import JAR_HOST, jar_world

PAGES = 6  # killed after 3 saved pages (the cookies' pages among them): 4 left for the resume


@pytest.fixture(scope="module")
def jar_net():
    with FakeInternet(jar_world(pages=PAGES)) as net:
        yield net


def browser_args(net) -> list[str]:
    return ["--ignore-https-errors", *[f"--browser-arg={a}" for a in net.chromium_args()]]


def saved_lines(folder):
    path = folder / "pages.jsonl"
    return path.read_text().splitlines() if path.exists() else []


def kill_after(net, folder, pages: int) -> None:
    argv = [sys.executable, "-m", "scanner", "scan", net.url(JAR_HOST, "/"), "--out", str(folder)]
    argv += ["--concurrency", "1", "--settle", "1", "--max-pages", str(PAGES + 1), "--quiet", "--no-sitemap"]
    argv += browser_args(net)
    proc = subprocess.Popen(argv, cwd=REPO, start_new_session=True, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 120
    while len(saved_lines(folder)) < pages:
        assert proc.poll() is None, proc.stderr.read().decode()
        assert time.monotonic() < deadline, "the scan saved no pages"
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the scanner, its driver and the browser: nothing gets to clean up
    proc.wait()
    proc.stderr.close()


def test_killed_scan_is_partial_then_resumed(jar_net, tmp_path):
    folder = tmp_path / "killed"
    kill_after(jar_net, folder, pages=3)
    with (folder / "pages.jsonl").open("a") as fh:  # as if the kill cut a line in half
        fh.write('{"page": {"url": "https://jar.example.net/p/9", "dep')
    before = len(saved_lines(folder)) - 1
    assert not (folder / "scan.json").exists()

    # Rebuilt by `scanner report`: interrupted everywhere, and the gate never passes it.
    proc = run_cli("report", str(folder), "--format", "json,sarif,md,junit", "--fail-on", "none")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    data = json.loads((folder / "scan.json").read_text())
    assert data["meta"]["interrupted"] is True
    errors = " ".join(data["meta"]["errors"])
    assert "killed before it finished" in errors and f"pages.jsonl line {before + 1}" in errors
    sarif = json.loads((folder / "results.sarif").read_text())
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert "partial" in (folder / "summary.md").read_text().lower()

    # Resumed: the finished pages are not visited again; the crawl completes.
    jar_net.log.clear()
    proc = run_cli(
        "scan", "--resume", str(folder), "--fail-on", "none", "--format", "json", *browser_args(jar_net)
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    data = json.loads((folder / "scan.json").read_text())
    urls = [p["url"] for p in data["pages"]]
    expected = {jar_net.url(JAR_HOST, "/"), *(jar_net.url(JAR_HOST, f"/p/{i}") for i in range(1, PAGES + 1))}
    assert len(urls) == len(set(urls)) and set(urls) == expected
    assert data["meta"]["interrupted"] is False and len(data["meta"]["resumed_at"]) == 1
    first_run = {json.loads(line)["page"]["url"] for line in saved_lines(folder)[:before]}
    fetched_again = {jar_net.url(JAR_HOST, r.path) for r in jar_net.log if r.host == JAR_HOST}
    assert len(first_run) == before and not first_run & fetched_again
    assert {c["name"] for c in data["cookies"]} == {"first", "late"}


def test_resume_refuses_a_finished_scan(jar_net, tmp_path):
    out = tmp_path / "done"
    argv = [
        "scan",
        jar_net.url(JAR_HOST, "/"),
        "--out",
        str(out),
        "--max-pages",
        "1",
        "--quiet",
        "--no-sitemap",
    ]
    proc = run_cli(*argv, "--fail-on", "none", "--format", "json", *browser_args(jar_net))
    assert proc.returncode == 0, proc.stderr
    proc = run_cli("scan", "--resume", str(out), *browser_args(jar_net))
    assert proc.returncode == 2 and "nothing to resume" in proc.stderr and "Traceback" not in proc.stderr
