"""Crawls that meet trouble after the start page: limits, scope, a dying browser, an unfinished scan and
pop-ups. The evidence already captured is kept. (Start-page failures: tests/test_scan_errors.py.)"""

from __future__ import annotations

import json

import pytest
from conftest import REPO, run_cli, scan  # noqa: I001

from scanner.errors import EXIT_CANNOT_SCAN, EXIT_PARTIAL

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def depth_one(demo_net, tmp_path_factory):
    """The demo shop crawled to depth 1 without the sitemap, static.example-cdn.net counted first party
    (the depth limit is the same with or without --first-party: one crawl for both tests)."""
    start = demo_net.url("www.example.com", "/")
    out = tmp_path_factory.mktemp("depth-one")
    result, _ = scan(
        demo_net, [start], out, max_depth=1, max_pages=50, use_sitemap=False, first_party=("example-cdn.net",)
    )
    return result


def test_limits_depth_and_pages(demo_net, depth_one, tmp_path):
    start = demo_net.url("www.example.com", "/")
    depths = {p.url: p.depth for p in depth_one.pages}
    assert len(depths) < 50  # the depth ended the crawl, not the page cap
    assert max(depths.values()) == 1
    assert "https://www.example.com/products" in depths
    assert "https://www.example.com/products/1" not in depths  # depth 2
    assert "https://www.example.com/sitemap-only" not in depths  # only the sitemap links it
    result, _ = scan(demo_net, [start], tmp_path / "b", max_depth=3, max_pages=4, use_sitemap=False)
    assert len(result.pages) == 4
    assert result.pages[0].url == start


def test_first_party_option_extends_scope(depth_one):
    result = depth_one
    urls = {p.url for p in result.pages}
    assert "https://static.example-cdn.net/about-us" in urls
    cdn_requests = [r for r in result.requests if r.registrable_domain == "example-cdn.net"]
    assert cdn_requests and not any(r.third_party for r in cdn_requests)


def test_block_third_party_cookies_keeps_header_evidence(demo_net, tmp_path):
    start = demo_net.url("www.example.com", "/")
    result, _ = scan(
        demo_net,
        [start],
        tmp_path / "strict",
        max_depth=0,
        max_pages=1,
        use_sitemap=False,
        block_third_party_cookies=True,
    )
    cookies = {c.name: c for c in result.cookies}
    # The browser refused the tracker's cookie, but its Set-Cookie header is still evidence.
    assert cookies["fr"].in_jar is False and cookies["fr"].set_by == "http"
    assert cookies["sessionid"].in_jar is True
    assert cookies["_ga"].in_jar is True  # first-party cookies written by script are unaffected


def test_browser_dying_mid_crawl_keeps_finished_pages(demo_net, tmp_path, monkeypatch, capsys):
    """A browser that dies after every page: restarted (here once), then the scan stops with one line,
    exit 3, and the finished page is in scan.json."""
    from scanner.cli import main
    from scanner.crawl import crawler
    from scanner.crawl.crawler import Crawl

    monkeypatch.setattr(crawler, "MAX_RESTARTS", 1)

    real_visit = Crawl._visit

    async def dying_visit(self, context, target, discover_sitemap=False):
        if self.saved:
            await context.close()  # the browser goes away under the crawler
        return await real_visit(self, context, target, discover_sitemap)

    monkeypatch.setattr(Crawl, "_visit", dying_visit)
    out = tmp_path / "out"
    argv = ["scan", demo_net.url("www.example.com", "/"), "--out", str(out), "--quiet", "--no-screenshots"]
    argv += ["--settle", "0.2", "--ignore-https-errors", "--no-sitemap", "--timeout", "5"]
    argv += ["--concurrency", "1", "--consent", "off"]  # one visit at a time: the count is exact
    argv += [f"--browser-arg={a}" for a in demo_net.chromium_args()]
    code = main(argv)
    err = capsys.readouterr().err
    assert code == EXIT_CANNOT_SCAN
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "the browser stopped answering 2 times" in err and "the scan stopped after 1 page(s)" in err
    saved = json.loads((out / "scan.json").read_text())
    assert [p["url"] for p in saved["pages"]] == ["https://www.example.com/"]
    assert saved["meta"]["interrupted"] is True and saved["cookies"]
    assert sum("was restarted" in e for e in saved["meta"]["errors"]) == 1


def test_unfinished_scan_is_assembled_by_report(demo_net, tmp_path):
    """A crawl killed before scan.json: `scanner report DIR` assembles it from the saved pages,
    marks it partial (exit 4, never a pass) and says so."""
    out = tmp_path / "cut"
    result, _ = scan(demo_net, [demo_net.url("www.example.com", "/")], out, max_pages=3, use_sitemap=False)
    assert not (out / "scan.json").exists() and (out / "pages.jsonl").exists()
    with (out / "pages.jsonl").open("a") as fh:  # a line cut off mid-write by the crash
        fh.write('{"page": {"url": "https://www.example.com/half')
    vendors = REPO / "vendors.csv"
    proc = run_cli("report", str(out), "--vendors", str(vendors), "--format", "json,md", "--fail-on", "none")
    assert proc.returncode == EXIT_PARTIAL, proc.stderr
    assert "partial scan" in proc.stderr and "Traceback" not in proc.stderr
    saved = json.loads((out / "scan.json").read_text())
    assert saved["meta"]["interrupted"] is True
    assert any("pages.jsonl line 4 is not readable" in e for e in saved["meta"]["errors"])
    assert [p["url"] for p in saved["pages"]] == [p.url for p in result.pages]
    assert {c["name"] for c in saved["cookies"]} == {c.name for c in result.cookies}
    statuses = {f["vendor"]: f["status"] for f in saved["findings"]}
    assert statuses["Capterra"] == "not_observed" and statuses["Hotjar"] == "undeclared"
    assert (out / "summary.md").exists()


def test_popups_are_evidence_of_the_page_that_opened_them(tmp_path):
    """A pop-under opened by script: its tracker traffic and cookies count for the opener's visit."""
    from scanner.fakenet import FakeInternet, Response, Site

    world = {
        "www.example.com": Site(
            {
                "/": Response.html(
                    "<title>Shop</title><script>window.open('https://ads.popunder-demo.net/land', '_blank')"
                    "</script><p>hello</p>"
                )
            }
        ),
        "ads.popunder-demo.net": Site(
            {
                "/land": Response.html(
                    '<title>Ad</title><img src="https://ads.popunder-demo.net/px.gif">',
                    cookies=("pu_id=abc123; Domain=popunder-demo.net; Max-Age=86400; Secure; SameSite=None",),
                ),
                "/px.gif": Response.pixel(),
            }
        ),
    }
    with FakeInternet(world) as net:
        result, _ = scan(
            net, [net.url("www.example.com", "/")], tmp_path / "p", max_pages=1, use_sitemap=False
        )
    hosts = {(r.host, r.page_url) for r in result.requests}
    assert ("ads.popunder-demo.net", "https://www.example.com/") in hosts
    pixel = next(r for r in result.requests if r.url.endswith("/px.gif"))
    assert pixel.is_beacon and pixel.frame_url == "https://ads.popunder-demo.net/land"
    cookie = next(c for c in result.cookies if c.name == "pu_id")
    assert cookie.domain == ".popunder-demo.net" and not cookie.first_party and cookie.set_by == "http"
