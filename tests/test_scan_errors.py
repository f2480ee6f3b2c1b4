"""Bad input and unscannable sites: one clear line, a distinct exit code, no traceback, evidence kept."""

from __future__ import annotations

import json
import socket

import pytest
from conftest import REPO, run_cli, scan  # noqa: I001

from scanner.browser import find_browser
from scanner.errors import EXIT_BAD_INPUT, EXIT_CANNOT_SCAN, EXIT_PARTIAL, BadInput, CannotScan

pytestmark = pytest.mark.browser


def scan_cli(net, url, out, *extra):
    args = [
        "scan",
        url,
        "--out",
        str(out),
        "--quiet",
        "--no-screenshots",
        "--settle",
        "0.2",
        "--timeout",
        "5",
    ]
    args += [f"--browser-arg={a}" for a in net.chromium_args()]
    return run_cli(*args, *extra)


def assert_one_line(proc, code, *needles):
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and lines[0].startswith("scanner: error: ")
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    "url, needle",
    [
        ("ftp://www.example.com/", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("https://", "no valid host"),
        ("https://exa mple.com/", "no valid host"),
        ("https://www.example.com:99999/", "invalid URL"),
    ],
)
def test_invalid_urls_exit_2(url, needle, tmp_path):
    proc = run_cli("scan", url, "--out", str(tmp_path / "o"), "--quiet")
    assert_one_line(proc, EXIT_BAD_INPUT, needle)


def test_bad_option_values_exit_2(tmp_path):
    proc = run_cli("scan", "https://www.example.com/", "--max-pages", "0")
    assert proc.returncode == EXIT_BAD_INPUT and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "path, extra, code, needle",
    [
        ("/missing", ["--ignore-https-errors"], EXIT_CANNOT_SCAN, "returned HTTP 404"),
        ("/broken", ["--ignore-https-errors"], EXIT_CANNOT_SCAN, "returned HTTP 500"),
        ("/loop-a", ["--ignore-https-errors"], EXIT_CANNOT_SCAN, "redirect loop"),
        ("/data.json", ["--ignore-https-errors"], EXIT_BAD_INPUT, "not an HTML page"),
        ("/brochure.pdf", ["--ignore-https-errors"], EXIT_BAD_INPUT, "not"),
        ("/", [], EXIT_CANNOT_SCAN, "--ignore-https-errors"),  # the fake internet's CA is not trusted
    ],
)
def test_unscannable_start_pages(demo_net, tmp_path, path, extra, code, needle):
    out = tmp_path / "out"
    proc = scan_cli(demo_net, demo_net.url("www.example.com", path), out, *extra)
    assert_one_line(proc, code, needle)
    # The evidence captured before giving up is kept.
    saved = json.loads((out / "scan.json").read_text())
    assert saved["pages"][0]["url"].endswith(path) and saved["pages"][0]["error"]


def test_dns_failure(demo_net, tmp_path):
    proc = scan_cli(demo_net, "https://no-such-host.example.net/", tmp_path / "o", "--ignore-https-errors")
    assert_one_line(proc, EXIT_CANNOT_SCAN, "DNS lookup failed")


def test_connection_refused(tmp_path):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = run_cli(
        "scan", f"http://127.0.0.1:{port}/", "--out", str(tmp_path / "o"), "--quiet", "--timeout", "5"
    )
    assert_one_line(proc, EXIT_CANNOT_SCAN, "connection refused")


def test_missing_browser_exit_codes(monkeypatch, tmp_path):
    with pytest.raises(BadInput, match="no such executable"):
        find_browser(str(tmp_path / "no-chromium"))
    # No Playwright download and no system Chromium: one line with the install hint, exit 3.
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-downloads"))
    monkeypatch.setenv("SCANNER_SYSTEM_CHROMIUMS", str(tmp_path / "nothing-here"))
    with pytest.raises(CannotScan, match="playwright install chromium") as err:
        find_browser(None)
    assert err.value.exit_code == EXIT_CANNOT_SCAN
    proc = run_cli("scan", "https://www.example.com/", "--out", str(tmp_path / "out"), "--quiet")
    assert_one_line(proc, EXIT_CANNOT_SCAN, "playwright install chromium")
    assert not (tmp_path / "out").exists()
    proc = run_cli("scan", "https://www.example.com/", "--browser", str(tmp_path / "nope"), "--quiet")
    assert_one_line(proc, EXIT_BAD_INPUT, "--browser")


def test_limits_depth_and_pages(demo_net, tmp_path):
    start = demo_net.url("www.example.com", "/")
    result, _ = scan(demo_net, [start], tmp_path / "a", max_depth=1, max_pages=50, use_sitemap=False)
    depths = {p.url: p.depth for p in result.pages}
    assert max(depths.values()) == 1
    assert "https://www.example.com/products" in depths
    assert "https://www.example.com/products/1" not in depths  # depth 2
    assert "https://www.example.com/sitemap-only" not in depths  # only the sitemap links it
    result, _ = scan(demo_net, [start], tmp_path / "b", max_depth=3, max_pages=4, use_sitemap=False)
    assert len(result.pages) == 4
    assert result.pages[0].url == start


def test_first_party_option_extends_scope(demo_net, tmp_path):
    start = demo_net.url("www.example.com", "/")
    result, _ = scan(
        demo_net,
        [start],
        tmp_path / "fp",
        max_depth=1,
        max_pages=30,
        use_sitemap=False,
        first_party=("example-cdn.net",),
    )
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
