"""The scanner's own robots.txt / sitemap fetches are out of band: the audited page cannot see or
answer them, they are never evidence, and a huge or hanging sitemap cannot stall the scan."""

from __future__ import annotations

from urllib.parse import urlsplit

from conftest import scan  # noqa: I001

from scanner.crawl import sitemap
from scanner.fakenet import FakeInternet, Response, Site

SITE = "www.sitemap-oob.test"
WATCHER = "collector.watcher-demo.net"

# The audited page wraps fetch and XMLHttpRequest and reports every call it sees to its own server.
SPY = f"""<title>Home</title><p>home</p>
<script>
  const tell = (u) => {{ new Image().src = "https://{WATCHER}/saw?u=" + encodeURIComponent(String(u)); }};
  const realFetch = window.fetch;
  window.fetch = function (u, init) {{ tell(u && u.url || u); return realFetch.apply(this, arguments); }};
  const realOpen = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (m, u) {{ tell(u); return realOpen.apply(this, arguments); }};
</script>"""


def urlset(*paths: str) -> str:
    locs = "".join(f"<url><loc>https://{SITE}{p}</loc></url>" for p in paths)
    return f'<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{locs}</urlset>'


def big_sitemap() -> str:
    """Over MAX_BYTES: one page listed at the start, one after the cut."""
    head = f'<?xml version="1.0"?><urlset><url><loc>https://{SITE}/from-big</loc></url>'
    filler = "<!-- " + "x" * (sitemap.MAX_BYTES + 1000) + " -->"
    return head + filler + f"<url><loc>https://{SITE}/after-the-cut</loc></url></urlset>"


def world() -> dict:
    page = Response.html
    index = (
        '<?xml version="1.0"?><sitemapindex>'
        + "".join(
            f"<sitemap><loc>https://{SITE}/{n}.xml</loc></sitemap>" for n in ("sm-a", "sm-big", "sm-slow")
        )
        + "</sitemapindex>"
    )
    slow = Response.text(urlset("/from-slow"), "application/xml")
    slow = Response(slow.status, slow.headers, slow.body, delay_s=4.0)
    robots = Response(
        200,
        [("Content-Type", "text/plain"), ("Set-Cookie", "robots_cookie=1; Max-Age=3600; Path=/")],
        f"User-agent: *\nSitemap: https://{SITE}/sm-index.xml\n".encode(),
    )
    routes = {
        "/": page(SPY, cookies=("sid=visitor; Max-Age=3600; Path=/",)),
        "/robots.txt": robots,
        "/sm-index.xml": Response.text(index, "application/xml"),
        "/sm-a.xml": Response.text(urlset("/from-sitemap"), "application/xml"),
        "/sm-big.xml": Response.text(big_sitemap(), "application/xml"),
        "/sm-slow.xml": slow,
        "/from-sitemap": page("<title>A</title>"),
        "/from-big": page("<title>B</title>"),
        "/after-the-cut": page("<title>C</title>"),
        "/from-slow": page("<title>D</title>"),
    }
    return {SITE: Site(routes), WATCHER: Site({"/saw": Response.pixel()})}


def test_sitemap_fetches_are_out_of_band_and_bounded(tmp_path, monkeypatch):
    monkeypatch.setattr(sitemap, "FETCH_TIMEOUT_S", 1.5)  # the slow sitemap answers after 4 s
    with FakeInternet(world()) as net:
        result, _ = scan(net, [net.url(SITE, "/")], tmp_path / "o", max_pages=10, use_sitemap=True)
        served = list(net.log)

    paths = {urlsplit(p.url).path for p in result.pages}
    assert {"/", "/from-sitemap", "/from-big"} <= paths  # seeds from the index, and the start of a big file
    assert "/after-the-cut" not in paths  # read up to MAX_BYTES only
    assert "/from-slow" not in paths  # given up after FETCH_TIMEOUT_S; the scan went on

    # Not evidence: no request, cookie or beacon of the scan comes from the scanner's own fetches.
    own = ("/robots.txt", "/sm-index.xml", "/sm-a.xml", "/sm-big.xml", "/sm-slow.xml", sitemap.BLANK_PATH)
    assert not [r.url for r in result.requests if urlsplit(r.url).path in own]
    assert "robots_cookie" not in {c.name for c in result.cookies}
    # The page's fetch/XHR wrappers never saw them (it reports every call it sees).
    saw = [r for r in served if r.host == WATCHER]
    assert not [r.path for r in saw if any(p.replace("/", "%2F") in r.path for p in own)]
    # No cookie went with them, and the blank document never reached the site.
    fetched = [r for r in served if r.host == SITE and r.path in own]
    assert {r.path for r in fetched} >= {"/robots.txt", "/sm-index.xml", "/sm-a.xml"}
    assert all("cookie" not in r.headers for r in fetched)
    assert sitemap.BLANK_PATH not in {r.path for r in served}
