"""Which browser a scan drives, the switches it gets, and that it makes no requests of its own."""

from __future__ import annotations

import asyncio
import json
import os
from urllib.parse import urlsplit

import pytest
from conftest import run_cli, scan  # noqa: I001
from hypothesis import given
from hypothesis import strategies as st

from scanner.browser import (
    BrowserOptions,
    locate_browser,
    merge_feature_switches,
    open_context,
    playwright_default_args,
)
from scanner.crawl.visit import VisitTiming
from scanner.errors import CannotScan
from scanner.fakenet import FakeInternet, demo_world

DEBIAN_CHROMIUM = "/usr/lib/chromium/chromium"


def playwright_download(root, monkeypatch) -> str:
    """Where Playwright looks for its own Chromium under PLAYWRIGHT_BROWSERS_PATH=root, which stays set
    for the test (asked of Playwright itself, so a new Playwright release with a new revision folder
    needs no change here)."""
    from playwright.async_api import async_playwright

    async def ask() -> str:
        async with async_playwright() as pw:
            return pw.chromium.executable_path

    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(root))
    return asyncio.run(ask())


def test_playwright_chromium_is_found_inside_the_event_loop(demo_net, tmp_path, monkeypatch):
    """A machine with only Playwright's download (`playwright install chromium`) and no system
    Chromium: the scan finds and drives it. The download is a real Chromium placed where Playwright
    keeps its browsers; nothing in the lookup is patched."""
    monkeypatch.setenv("SCANNER_SYSTEM_CHROMIUMS", "")
    expected = playwright_download(tmp_path / "ms-playwright", monkeypatch)
    with pytest.raises(CannotScan, match="playwright install chromium"):  # nothing there yet
        asyncio.run(locate_browser())
    os.makedirs(os.path.dirname(expected))
    os.symlink(os.path.realpath(DEBIAN_CHROMIUM), expected)

    found = asyncio.run(locate_browser())
    assert (found.executable_path, found.source) == (expected, "playwright")

    out = tmp_path / "out"
    args = ["scan", demo_net.url("www.example.com", "/"), "--out", str(out), "--quiet", "--max-pages", "1"]
    args += [
        "--settle",
        "0.2",
        "--ignore-https-errors",
        "--no-sitemap",
        "--no-screenshots",
        "--format",
        "json",
    ]
    args += [f"--browser-arg={a}" for a in demo_net.chromium_args()]
    proc = run_cli(*args)
    assert proc.returncode in (0, 1), proc.stderr
    meta = json.loads((out / "scan.json").read_text())["meta"]
    assert meta["browser"] == expected and meta["browser_source"] == "playwright"
    assert meta["browser_version"]


def test_playwright_chromium_is_preferred_to_a_system_one(tmp_path, monkeypatch):
    monkeypatch.setenv("SCANNER_SYSTEM_CHROMIUMS", DEBIAN_CHROMIUM)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "none"))
    assert asyncio.run(locate_browser()).source == "system"
    expected = playwright_download(tmp_path / "pw", monkeypatch)
    os.makedirs(os.path.dirname(expected))
    os.symlink(os.path.realpath(DEBIAN_CHROMIUM), expected)
    found = asyncio.run(locate_browser())
    assert (found.executable_path, found.source) == (expected, "playwright")
    assert asyncio.run(locate_browser(DEBIAN_CHROMIUM)).source == "explicit"


def test_feature_switches_are_merged_with_playwrights(tmp_path):
    """Chromium reads only the last --disable-features: the browser gets one list holding Playwright's
    defaults, the scanner's and the user's, and a feature the user enables is not disabled."""
    from playwright.async_api import async_playwright

    async def run() -> tuple[list[str], tuple[str, ...]]:
        async with async_playwright() as pw:
            defaults = await playwright_default_args(pw, DEBIAN_CHROMIUM)
        options = BrowserOptions(
            executable=DEBIAN_CHROMIUM,
            extra_args=(
                "--enable-automation",  # lets CDP hand out the command line
                "--disable-features=UserChosenFeature",
                "--enable-features=PaintHolding",
            ),
        )
        async with open_context(options) as session:
            cdp = await session.context.browser.new_browser_cdp_session() if session.context.browser else None
            if cdp is None:
                page = await session.context.new_page()
                cdp = await session.context.new_cdp_session(page)
            line = await cdp.send("Browser.getBrowserCommandLine")
        return line["arguments"], defaults

    arguments, defaults = asyncio.run(run())
    disable = [a for a in arguments if a.startswith("--disable-features=")]
    enable = [a for a in arguments if a.startswith("--enable-features=")]
    assert len(disable) == 1 and len(enable) == 1, arguments
    disabled = set(disable[0].split("=", 1)[1].split(","))
    enabled = set(enable[0].split("=", 1)[1].split(","))
    playwright_disabled = {
        f for a in defaults if a.startswith("--disable-features=") for f in a.split("=", 1)[1].split(",")
    }
    assert "NetworkTimeServiceQuerying" in playwright_disabled  # the probe read Playwright's real list
    assert playwright_disabled - {"PaintHolding"} <= disabled
    assert {"Translate", "OptimizationHints", "UserChosenFeature"} <= disabled
    assert "PaintHolding" in enabled and "PaintHolding" not in disabled


features = st.lists(st.text("ABCDEFGH", min_size=1, max_size=3), max_size=5)


@given(features, features, features, features)
def test_merge_keeps_every_feature_once(default_off, default_on, user_off, user_on):
    defaults = ["--headless"]
    if default_off:
        defaults.append("--disable-features=" + ",".join(default_off))
    if default_on:
        defaults.append("--enable-features=" + ",".join(default_on))
    args = ["--mute-audio"]
    if user_off:
        args.append("--disable-features=" + ",".join(user_off))
    if user_on:
        args.append("--enable-features=" + ",".join(user_on))
    merged, replaced = merge_feature_switches(defaults, args)
    assert replaced == [a for a in defaults if "features=" in a]
    assert "--mute-audio" in merged and "--headless" not in merged
    lists = {a.split("=", 1)[0]: a.split("=", 1)[1].split(",") for a in merged if "features=" in a}
    off, on = set(lists.get("--disable-features", [])), set(lists.get("--enable-features", []))
    assert not off & on
    assert set(user_on) <= on and set(user_off) - set(user_on) <= off
    assert (set(default_off) | set(default_on) | set(user_off) | set(user_on)) == off | on
    for values in lists.values():
        assert len(values) == len(set(values))


def test_the_browser_makes_no_requests_of_its_own(tmp_path):
    """Every host name resolves to the fake internet, which logs whatever reaches it: after a crawl
    the log holds only hosts that the pages asked for (no component updates, time sync, account
    checks, safe browsing, autofill or translation traffic)."""
    with FakeInternet(demo_world()) as net:
        net.chromium_args = lambda: [f"--host-resolver-rules=MAP * 127.0.0.1:{net.port}"]
        result, _ = scan(
            net,
            [net.url("www.example.com", "/")],
            tmp_path / "o",
            max_pages=4,
            timing=VisitTiming(settle_s=2.0),
        )
        contacted = net.log.hosts()
    asked = {urlsplit(r.url).hostname for r in result.requests}
    asked |= {urlsplit(p.url).hostname for p in result.pages}
    assert len(asked) > 10  # the demo's trackers were loaded, so names really were resolved here
    assert contacted - asked == set()
