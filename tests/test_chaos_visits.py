"""Chaos: pages that try to hang or flood the audit. Each bad page becomes a record with its error,
every good page next to it is still visited, and the scan ends (pytest-timeout bounds each case)."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli, scan  # noqa: I001

from scanner.crawl import sitemap
from scanner.errors import EXIT_BAD_INPUT
from scanner.fakenet import FakeInternet
from scanner.fakenet.chaos import CASES, GOOD, HOST, chaos_world

TIMEOUT_S = 3.0


@pytest.fixture(scope="module")
def chaos_net():
    with FakeInternet(chaos_world()) as net:
        yield net


def crawl(net, tmp_path, path: str, **kw):
    kw.setdefault("use_sitemap", False)
    result, crawl = scan(net, [net.url(HOST, path)], tmp_path / "o", max_pages=6, timeout_s=TIMEOUT_S, **kw)
    return {p.url.removeprefix(f"https://{HOST}"): p for p in result.pages}, result


def assert_good_pages_kept(pages) -> None:
    for path in GOOD:
        assert pages[path].status == 200 and pages[path].error_kind is None, pages[path]


@pytest.mark.timeout(90)
@pytest.mark.parametrize("case", ["/loop-after-load", "/loop-in-iframe"])
def test_a_page_that_never_stops_running_is_recorded_and_left(chaos_net, tmp_path, case):
    pages, _ = crawl(chaos_net, tmp_path, "/start" + case)
    assert pages[case].status == 200
    assert pages[case].error_kind == "unresponsive", pages[case]
    assert "stopped responding" in pages[case].error
    assert_good_pages_kept(pages)


@pytest.mark.timeout(90)
def test_a_server_dripping_bytes_is_a_timeout(chaos_net, tmp_path):
    pages, _ = crawl(chaos_net, tmp_path, "/start/drip")
    assert pages["/drip"].error_kind == "timeout"
    assert_good_pages_kept(pages)


@pytest.mark.timeout(120)
def test_popups_beyond_the_cap_are_closed_and_counted(chaos_net, tmp_path):
    """The page opens 300 windows at once (Playwright's launch turns Chromium's pop-up blocker off):
    the first MAX_POPUPS are the page's evidence, the others are closed unseen and counted."""
    from scanner.crawl.crawler import MAX_POPUPS

    pages, result = crawl(chaos_net, tmp_path, "/start/popups-and-frames")
    flood = pages["/popups-and-frames"]
    assert flood.status == 200 and flood.error_kind in (None, "unresponsive"), flood
    closed = [e for e in flood.collector_errors if "closed unseen" in str(e)]
    assert len(closed) == 1 and f"at most {MAX_POPUPS} a page" in str(closed[0]), flood.collector_errors
    from_popups = {r.url for r in result.requests if r.page_url == flood.url and "popup=" in r.url}
    assert 1 < len(from_popups) <= MAX_POPUPS, sorted(from_popups)
    assert_good_pages_kept(pages)


@pytest.mark.timeout(90)
def test_a_renderer_out_of_memory_is_a_crash(chaos_net, tmp_path):
    """The renderer dies (V8 heap limit lowered so it happens in a second): the page says so."""
    pages, _ = crawl(
        chaos_net, tmp_path, "/start/out-of-memory", browser_args=["--js-flags=--max-old-space-size=32"]
    )
    assert pages["/out-of-memory"].error_kind == "crashed", pages["/out-of-memory"]
    assert "crashed" in pages["/out-of-memory"].error
    assert_good_pages_kept(pages)


@pytest.mark.timeout(90)
def test_svg_links_are_followed(chaos_net, tmp_path):
    pages, _ = crawl(chaos_net, tmp_path, "/start/svg-link")
    assert "/svg-only" in pages and pages["/svg-only"].status == 200
    assert pages["/svg-link"].error_kind is None and not pages["/svg-link"].collector_errors


@pytest.mark.timeout(90)
def test_a_flood_of_cookie_writes(chaos_net, tmp_path):
    # One tab: a good page open beside the flood shares its renderer (same site), and on a loaded machine
    # it could stall past the 3 s --timeout there; what is tested is that the flood is cut and recorded,
    # and that the crawl goes on to the good pages after it.
    pages, result = crawl(chaos_net, tmp_path, "/start/hook-flood", concurrency=1)
    flood = pages["/hook-flood"]  # recorded; on a busy machine its load may pass --timeout
    assert flood.error_kind in (None, "timeout", "unresponsive"), flood
    assert any("dropped" in str(e) for e in flood.collector_errors), flood.collector_errors
    assert_good_pages_kept(pages)


@pytest.mark.timeout(90)
def test_a_slow_robots_txt_does_not_hold_the_crawl(chaos_net, tmp_path, monkeypatch):
    """robots.txt answers after 60 s: sitemap discovery gives up on its own budget in the background,
    the start page and the others are crawled meanwhile."""
    monkeypatch.setattr(sitemap, "FETCH_TIMEOUT_S", 2.0)
    pages, _ = crawl(chaos_net, tmp_path, "/start/svg-link", use_sitemap=True)
    assert {"/start/svg-link", "/svg-link", "/svg-only", *GOOD} <= set(pages)


def test_every_case_is_covered():
    assert set(CASES) == {
        "/loop-after-load",
        "/loop-in-iframe",
        "/drip",
        "/popups-and-frames",
        "/svg-link",
        "/hook-flood",
        "/out-of-memory",
    }


@pytest.mark.parametrize("value", ["0", "-1"])
def test_timeout_must_be_positive(tmp_path, value):
    proc = run_cli("scan", "https://www.example.com/", "--out", str(tmp_path / "o"), "--timeout", value)
    assert proc.returncode == EXIT_BAD_INPUT and "Traceback" not in proc.stderr
    assert "--timeout" in proc.stderr and not (tmp_path / "o").exists()


def test_library_refuses_a_zero_timeout():
    from scanner import BrowserOptions, ScanOptions
    from scanner import scan as library_scan
    from scanner.errors import BadInput

    with pytest.raises(BadInput, match="timeout"):
        library_scan(
            ScanOptions(start_urls=("https://www.example.com/",), browser=BrowserOptions(timeout_s=0))
        )


def test_unresponsive_and_capped_visits_match_the_schema(chaos_net, tmp_path):
    """scan.json of a crawl with a stalled page, through the real pipeline, validates."""
    from scanner.schema import validation_errors

    _, result = crawl(chaos_net, tmp_path, "/start/loop-after-load")
    assert validation_errors(json.loads(json.dumps(result.to_dict()))) == []
