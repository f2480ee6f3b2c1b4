"""The library API: ``scanner.scan(ScanOptions, sink=, progress=)`` on real pages in a real browser."""

from __future__ import annotations

import asyncio
import json
import time
from dataclasses import replace
from types import SimpleNamespace

import pytest
from conftest import FAST, REPO, run_cli

import scanner
from scanner.assemble import merge_cookies
from scanner.browser import BrowserOptions
from scanner.collect.base import Collector
from scanner.collect.cookies import CookieCollector
from scanner.errors import CannotScan
from scanner.fakenet import FakeInternet
from scanner.fakenet.shapes import CHAIN_HOST, JAR_HOST, chain_fanout_world, jar_world
from scanner.options import ScanOptions, default_concurrency
from scanner.scope import Scope, Target
from scanner.sink import MemorySink


@pytest.fixture(scope="module")
def shapes_net():
    with FakeInternet({**chain_fanout_world(), **jar_world()}) as net:
        yield net


def options(net, url, **kw) -> ScanOptions:
    kw.setdefault("timing", FAST)
    kw.setdefault("screenshots", False)
    kw.setdefault("use_sitemap", False)
    browser = BrowserOptions(ignore_https_errors=True, extra_args=tuple(net.chromium_args()), timeout_s=8)
    return ScanOptions(start_urls=(url,), browser=browser, **kw)


class RecordingSink(MemorySink):
    """A sink that notes when each visit arrived, and can hold one back from the result."""

    def __init__(self, hide: str | None = None) -> None:
        super().__init__()
        self.arrivals: list[tuple[str, float]] = []
        self.hide = hide

    def add(self, visit):
        self.arrivals.append((visit["page"]["url"], time.monotonic()))
        super().add(visit)

    def visits(self):
        return (v for v in super().visits() if v["page"]["url"] != self.hide)


def test_scan_is_a_library_call_built_from_the_sink(shapes_net, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # nothing may be written without out_dir
    start = shapes_net.url(JAR_HOST, "/")
    hidden = shapes_net.url(JAR_HOST, "/p/3")
    sink = RecordingSink(hide=hidden)
    starts = []

    def progress(event):
        if event["event"] == "start":
            starts.append(time.monotonic())

    result = scanner.scan(
        options(shapes_net, start, max_pages=5, concurrency=2), sink=sink, progress=progress
    )
    assert isinstance(result, scanner.ScanResult)
    visited = [url for url, _ in sink.arrivals]
    assert len(visited) == 5 and hidden in visited
    # Each visit reached the sink when it finished, not at the end: the first before the last started.
    assert sink.arrivals[0][1] < starts[-1]
    # The result is what the sink gives back (the crawl keeps no copy): the held-back page is missing.
    assert sorted(p.url for p in result.pages) == sorted(u for u in visited if u != hidden)
    assert result.meta.catalog_version and result.meta.finished_at  # analysed, not only assembled
    assert list(tmp_path.iterdir()) == []


def test_scan_from_a_running_event_loop(shapes_net):
    async def notebook_cell():
        return scanner.scan(options(shapes_net, shapes_net.url(JAR_HOST, "/"), max_pages=1))

    result = asyncio.run(notebook_cell())
    assert [p.url for p in result.pages] == [shapes_net.url(JAR_HOST, "/")]


def test_failed_start_page_raises_with_the_saved_result(shapes_net, tmp_path):
    out = tmp_path / "out"
    with pytest.raises(CannotScan) as caught:
        scanner.scan(options(shapes_net, shapes_net.url(JAR_HOST, "/missing"), out_dir=out))
    result = caught.value.result
    assert result is not None and result.meta.interrupted
    saved = json.loads((out / "scan.json").read_text())
    assert saved["meta"]["interrupted"] is True and saved["pages"][0]["status"] == 404


def test_more_start_urls_than_max_pages(shapes_net):
    urls = [shapes_net.url(JAR_HOST, f"/p/{i}") for i in range(1, 5)]
    result = scanner.scan(replace(options(shapes_net, urls[0], max_pages=2), start_urls=tuple(urls)))
    assert [p.url for p in result.pages] == urls[:2]


def test_tabs_stay_busy_when_links_appear_late(shapes_net):
    """A chain of pages, then a fan-out: after the chain every tab works at once."""
    inflight, peak = 0, 0
    fanout_started = []

    def progress(event):
        nonlocal inflight, peak
        if event["event"] == "start":
            inflight += 1
            if "/leaf/" in event["url"]:
                fanout_started.append(inflight)
                peak = max(peak, inflight)
        elif event["event"] == "done":
            inflight -= 1

    result = scanner.scan(
        options(shapes_net, shapes_net.url(CHAIN_HOST, "/"), concurrency=4, max_pages=20, max_depth=6),
        progress=progress,
    )
    assert len(result.pages) == 16  # start, 3 chain pages, 12 leaves
    assert peak == 4, fanout_started


def test_cookies_are_evidence_of_the_visit_that_set_them(shapes_net, tmp_path):
    out = tmp_path / "jar"
    result = scanner.scan(
        options(
            shapes_net,
            shapes_net.url(JAR_HOST, "/"),
            out_dir=out,
            formats=("json",),
            max_pages=7,
            concurrency=1,
        )
    )
    assert len(result.pages) == 7
    cookies = {c.name: c for c in result.cookies}
    assert cookies["first"].pages == (shapes_net.url(JAR_HOST, "/"),)
    assert cookies["late"].pages == (shapes_net.url(JAR_HOST, "/p/2"),)
    assert 29.99 < cookies["first"].lifetime_days <= 30.0
    # The jar is read after every visit, but a cookie is recorded only where it was new or changed.
    lines = [json.loads(line) for line in (out / "pages.jsonl").read_text().splitlines()]
    jar_rows = [
        (v["page"]["url"], o["name"])
        for v in lines
        for o in v.get("cookie_observations", [])
        if o["source"] == "jar"
    ]
    assert sorted(name for _, name in jar_rows) == ["first", "late"]


class FakeJarPage:
    def __init__(self, jar):
        self.context = SimpleNamespace(cookies=self._cookies)
        self.jar = jar

    async def _cookies(self):
        return list(self.jar)


def test_a_cookie_set_in_another_open_tab_waits_for_that_visit():
    """Unit: two visits in flight share one jar; the jar read of the first to finish does not claim the
    cookie whose Set-Cookie the other visit saw."""
    from scanner.collect.base import Visit

    jar = [
        {"name": "t", "domain": ".tracker.test", "path": "/", "expires": time.time() + 86400, "value": "1"}
    ]
    collector = CookieCollector()
    scope = Scope(["https://site.test/"])
    a = Visit(target=Target("https://site.test/a", 1), page=FakeJarPage(jar), scope=scope, index=1)
    b = Visit(target=Target("https://site.test/b", 1), page=FakeJarPage(jar), scope=scope, index=2)

    async def run():
        await collector.start(a)
        await collector.start(b)
        collector._set_cookie_lines(b, "t=1; Domain=tracker.test; Max-Age=86400", "https://x.tracker.test/p")
        await collector.finish(a)
        await collector.finish(b)

    asyncio.run(run())
    rows = collector.records(a)["cookie_observations"] + collector.records(b)["cookie_observations"]
    cookie = merge_cookies(rows, scope)[0]
    assert cookie.pages == ("https://site.test/b",) and cookie.in_jar
    assert collector.records(a)["cookie_observations"] == []


class Broken(Collector):
    """A collector that fails at every stage it can."""

    name = "broken"

    def __init__(self, fail_install=False):
        self.fail_install = fail_install

    async def install(self, context):
        if self.fail_install:
            raise RuntimeError("cannot install")

    async def start(self, visit):
        raise RuntimeError("start failed")

    async def on_response(self, visit, response):
        raise ValueError("bad response")

    async def finish(self, visit):
        raise OSError("finish failed")


def test_a_failing_collector_is_recorded_and_never_aborts(shapes_net, tmp_path, monkeypatch):
    import scanner.crawl.crawler as crawler

    real = crawler.default_collectors

    def with_broken(**kw):
        return [*real(**kw), Broken(), Broken(fail_install=True)]

    monkeypatch.setattr(crawler, "default_collectors", with_broken)
    result = scanner.scan(options(shapes_net, shapes_net.url(JAR_HOST, "/"), max_pages=2))
    assert len(result.pages) == 2 and {c.name for c in result.cookies} >= {"first"}
    stages = {(e["collector"], e["stage"].split(" ")[0]) for e in result.pages[0].collector_errors}
    assert {("broken", "start"), ("broken", "on_response"), ("broken", "finish")} <= stages
    assert any("collector broken could not start" in e for e in result.meta.errors)


def test_debug_logs_to_stderr(shapes_net, tmp_path):
    argv = [
        "scan",
        shapes_net.url(JAR_HOST, "/"),
        "--out",
        str(tmp_path / "d"),
        "--max-pages",
        "1",
        "--quiet",
    ]
    argv += ["--debug", "--ignore-https-errors", "--no-sitemap", "--no-screenshots", "--settle", "0.2"]
    argv += ["--fail-on", "none", "--format", "json"]
    proc = run_cli(*argv, *[f"--browser-arg={a}" for a in shapes_net.chromium_args()])
    assert proc.returncode == 0, proc.stderr
    assert "scanner DEBUG scanner.crawl: visit 1: https://jar.example.net/" in proc.stderr


def test_default_concurrency_from_cores_and_memory():
    gib = 2**30
    assert default_concurrency(cores=2, available_memory=24 * gib) == 4
    assert default_concurrency(cores=16, available_memory=64 * gib) == 8
    assert default_concurrency(cores=8, available_memory=2 * gib) == 3  # (2 GiB - 1.5 GiB) / 150 MiB
    assert default_concurrency(cores=4, available_memory=1 * gib) == 1


def test_py_typed_is_shipped():
    assert (REPO / "scanner" / "py.typed").is_file()
    assert "py.typed" in (REPO / "pyproject.toml").read_text()
