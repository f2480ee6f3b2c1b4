"""The fake internet: the server itself (plain sockets), the worlds' data, and Chromium against it."""

from __future__ import annotations

import http.client
import os
import re
import socket
import ssl
import time
from collections.abc import Iterator
from urllib.parse import urlsplit

import pytest

from scanner.fakenet import FakeInternet, Response, Site, bench_world, demo_world, hostile, hostile_world
from scanner.fakenet import docs as fakenet_docs
from scanner.fakenet.demo import PAGES, SLOW_PAGE_DELAY_S
from scanner.fakenet.site import PIXEL_GIF, RequestInfo
from scanner.visitor import AUTOMATION_SWITCH

CHROMIUM = "/usr/lib/chromium/chromium"


# -- plain clients -------------------------------------------------------------------------------


def _http(net: FakeInternet, host: str) -> http.client.HTTPConnection:
    conn = http.client.HTTPConnection("127.0.0.1", net.port, timeout=10)
    conn._fake_host = host  # type: ignore[attr-defined]
    return conn


class _SNIConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 with SNI and certificate check for a fake host name."""

    def __init__(self, port: int, host: str, context: ssl.SSLContext) -> None:
        super().__init__("127.0.0.1", port, timeout=10, context=context)
        self._sni = host

    def connect(self) -> None:
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self._sni)


def _fetch(net: FakeInternet, url: str, method: str = "GET", body: bytes | None = None):
    parts = urlsplit(url)
    if parts.scheme == "https":
        conn: http.client.HTTPConnection = _SNIConnection(
            net.port, parts.hostname, net.certs.client_context()
        )
    else:
        conn = http.client.HTTPConnection("127.0.0.1", net.port, timeout=10)
    target = parts.path + (f"?{parts.query}" if parts.query else "")
    try:
        conn.request(method, target or "/", body=body, headers={"Host": parts.hostname})
        response = conn.getresponse()
        return response.status, response.getheaders(), response.read()
    finally:
        conn.close()


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name.lower()), None)


def _set_cookies(headers: list[tuple[str, str]]) -> dict[str, str]:
    return {v.split("=", 1)[0]: v for k, v in headers if k.lower() == "set-cookie"}


@pytest.fixture(scope="module")
def net() -> Iterator[FakeInternet]:
    with FakeInternet({**demo_world(), **hostile_world(), **bench_world(pages=30)}) as running:
        yield running


# -- the server ----------------------------------------------------------------------------------


def test_http_and_https_on_one_port_with_keep_alive_head_and_post(net: FakeInternet) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", net.port, timeout=10)
    conn.request("GET", "/about", headers={"Host": "www.example.com"})
    first = conn.getresponse()
    assert first.status == 200 and b"<title>About us</title>" in first.read()
    conn.request("POST", "/ping-track", body=b"x" * 5000, headers={"Host": "www.example.com"})
    second = conn.getresponse()
    assert second.status == 204 and second.read() == b""
    conn.request("HEAD", "/about", headers={"Host": "www.example.com"})
    head = conn.getresponse()
    assert head.status == 200 and int(head.getheader("Content-Length")) > 100 and head.read() == b""
    conn.request("GET", "/contact", headers={"Host": "www.example.com"})  # still the same connection
    assert conn.getresponse().read().count(b"<title>Contact</title>") == 1
    conn.close()

    status, headers, body = _fetch(net, net.url("www.example.com", "/contact"))  # verified against the CA
    assert status == 200 and b"<title>Contact</title>" in body
    schemes = {(e.scheme, e.path) for e in net.log.find(host="www.example.com")}
    assert ("http", "/contact") in schemes and ("https", "/contact") in schemes


def test_certificate_is_minted_for_the_sni_name(net: FakeInternet) -> None:
    context = net.certs.client_context()
    raw = socket.create_connection(("127.0.0.1", net.port))
    with context.wrap_socket(raw, server_hostname="connect.facebook.net") as tls:
        names = [v for k, v in tls.getpeercert()["subjectAltName"] if k == "DNS"]
    assert names == ["connect.facebook.net"]


def test_chunked_post_is_read_and_logged(net: FakeInternet) -> None:
    with socket.create_connection(("127.0.0.1", net.port), timeout=10) as sock:
        sock.sendall(
            b"POST /collect?ev=x HTTP/1.1\r\nHost: t.pixelmetrics-demo.io\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
            b"5\r\nhello\r\n0\r\n\r\nGET /pm.js HTTP/1.1\r\nHost: cdn.pixelmetrics-demo.io\r\n\r\n"
        )
        data = b""
        while data.count(b"HTTP/1.1 ") < 2 or b"})();" not in data:
            chunk = sock.recv(65536)
            assert chunk, data
            data += chunk
    assert data.startswith(b"HTTP/1.1 204")


def test_survives_garbage_tls_and_hang_ups(net: FakeInternet) -> None:
    errors_before = len(net.errors)
    for payload in (b"\x16\x03\x01\x00\x05hello", b"GET / HT", b"\x16", b""):
        with socket.create_connection(("127.0.0.1", net.port), timeout=10) as sock:
            sock.sendall(payload)
    untrusting = ssl.create_default_context()  # does not know the throw-away CA
    raw = socket.create_connection(("127.0.0.1", net.port), timeout=10)
    with raw, pytest.raises(ssl.SSLCertVerificationError):
        untrusting.wrap_socket(raw, server_hostname="www.example.com")
    status, _, _ = _fetch(net, net.url("www.example.com", "/"))
    assert status == 200
    deadline = time.monotonic() + 5
    while len(net.errors) == errors_before and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(net.errors) > errors_before  # noted, not raised


def test_unknown_host_and_broken_handler() -> None:
    def explode(_request: RequestInfo) -> Response:
        raise RuntimeError("boom")

    with FakeInternet({"a.test": Site({"/x": explode})}) as small:
        assert _fetch(small, "http://a.test/x")[0] == 500
        assert any("boom" in e for e in small.errors)
        assert _fetch(small, "http://other.test/")[0] == 421
        assert _fetch(small, "http://a.test/nothing")[0] == 404


def test_close_is_quick_with_a_slow_answer_and_idle_keep_alive() -> None:
    world = {"a.test": Site({"/slow": Response(200, [], b"late", delay_s=30), "/": Response.text("hi")})}
    small = FakeInternet(world).start()
    port = small.port
    idle = http.client.HTTPConnection("127.0.0.1", small.port, timeout=10)
    idle.request("GET", "/", headers={"Host": "a.test"})
    assert idle.getresponse().read() == b"hi"
    pending = socket.create_connection(("127.0.0.1", small.port))
    pending.sendall(b"GET /slow HTTP/1.1\r\nHost: a.test\r\n\r\n")
    time.sleep(0.2)
    started = time.monotonic()
    small.close()
    assert time.monotonic() - started < 20  # the slow answer is 30 s: close did not wait for it
    pending.close()
    idle.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1).sendall(b"GET / HTTP/1.1\r\n\r\n")


def test_site_routing_prefix_and_fallback() -> None:
    site = Site(
        {"/a": Response.text("exact"), "/a*": Response.text("short"), "/a/b*": Response.text("long")},
        fallback=lambda r: Response.text("fallback " + r.arg("q")),
    )

    def body(target: str) -> bytes:
        return site(RequestInfo("https", "h", "GET", target, {})).body

    assert body("/a") == b"exact"
    assert body("/a/x") == b"short"
    assert body("/a/b/c?d=1") == b"long"
    assert body("/z?q=7") == b"fallback 7"
    assert Site()(RequestInfo("https", "h", "GET", "/", {})).status == 404


def test_addressing(net: FakeInternet) -> None:
    assert net.url("www.example.com", "/p?q=1") == "https://www.example.com/p?q=1"
    assert net.url("www.example.com", "about", scheme="http") == "http://www.example.com/about"
    [arg] = net.chromium_args()
    rules = arg.removeprefix("--host-resolver-rules=").split(", ")
    assert rules[-1] == "MAP * ~NOTFOUND"
    assert rules[:-1] == [f"MAP {h} 127.0.0.1:{net.port}" for h in net.hosts]
    assert {"www.example.com", "www.hostile-example.com", "bench.example.org", "bat.bing.com"} <= set(
        net.hosts
    )


# -- the demo world's data -----------------------------------------------------------------------


def test_readme_tables_match_the_data() -> None:
    text = fakenet_docs.README.read_text(encoding="utf-8")
    assert fakenet_docs.generated_block(text) == fakenet_docs.demo_tables()


def test_every_documented_http_cookie_is_sent_as_documented(net: FakeInternet) -> None:
    expected = [c for c in fakenet_docs.expected_cookies() if c.set_by == "http"]
    assert {c.name for c in expected} >= {
        "sessionid",
        "csrftoken",
        "IDE",
        "fr",
        "uid",
        "MUID",
        "bcookie",
        "pm_uid",
    }
    for cookie in expected:
        _, headers, _ = _fetch(net, cookie.set_at)
        header = _set_cookies(headers).get(cookie.name)
        assert header, f"{cookie.set_at} does not set {cookie.name}"
        attributes = {p.split("=")[0].strip().lower(): p for p in header.split(";")[1:]}
        if cookie.domain.startswith("."):
            assert attributes["domain"].strip() == f"Domain={cookie.domain}"
        else:
            assert "domain" not in attributes  # host-only
        if cookie.max_age is None:
            assert "max-age" not in attributes and "expires" not in attributes
        else:
            assert attributes["max-age"].strip() == f"Max-Age={cookie.max_age}"
        assert ("secure" in attributes) == cookie.secure
        assert ("httponly" in attributes) == cookie.http_only
        assert attributes.get("samesite", "").strip() == (
            f"SameSite={cookie.same_site}" if cookie.same_site else ""
        )


def test_every_documented_js_cookie_storage_key_and_hit_is_in_the_served_scripts(net: FakeInternet) -> None:
    served = {}
    for page in PAGES:
        _, _, body = _fetch(net, page.url)
        served[page.url] = body.decode()
        for src in re.findall(r'<script async src="([^"]+)"', served[page.url]):
            served[page.url] += _fetch(net, src.replace("&amp;", "&"))[2].decode()
    for cookie in (c for c in fakenet_docs.expected_cookies() if c.set_by == "js"):
        for page in cookie.pages:
            assert f'setCookie("{cookie.name}", ' in served[page] and f", {cookie.max_age});" in served[page]
    for item in fakenet_docs.expected_storage():
        assert any(f'Storage.setItem("{item.key}"' in served[p] for p in item.pages) or item.origin.endswith(
            "youtube.com"
        )
    for hit in fakenet_docs.expected_hits():
        for page in hit.pages:
            assert f'{hit.kind}("{hit.url}' in served[page], (hit, page)


def test_demo_site_structure(net: FakeInternet) -> None:
    def get(path: str) -> tuple[int, list[tuple[str, str]], bytes]:
        return _fetch(net, net.url("www.example.com", path))

    robots = get("/robots.txt")[2].decode()
    assert "Sitemap: https://www.example.com/sitemap.xml" in robots
    sitemap = get("/sitemap.xml")[2].decode()
    assert "<loc>https://www.example.com/sitemap-only</loc>" in sitemap
    assert not any("/sitemap-only" in p.render() for p in PAGES)
    assert get("/missing")[0] == 404
    assert get("/broken")[0] == 500
    status, headers, _ = get("/loop-a")
    assert status == 302 and _header(headers, "Location") == "/loop-b"
    assert _header(get("/loop-b")[1], "Location") == "/loop-a"
    status, headers, _ = get("/redirect-me")
    assert status == 301 and _header(headers, "Location") == "/about"
    assert _header(get("/brochure.pdf")[1], "Content-Type") == "application/pdf"
    assert get("/brochure.pdf")[2].startswith(b"%PDF-")
    assert _header(get("/data.json")[1], "Content-Type") == "application/json"
    assert 'href="/calendar?month=2027-01"' in get("/calendar?month=2026-12")[2].decode()
    search = get("/search?q=shoes+red")[2].decode()
    assert "/search?q=shoes+red+red" in search and "/search?q=shoes+red&amp;page=2" in search
    slow = demo_world()["www.example.com"](RequestInfo("https", "www.example.com", "GET", "/slow", {}))
    assert slow.status == 200 and slow.delay_s == SLOW_PAGE_DELAY_S >= 8
    status, headers, _ = _fetch(net, "https://example.com/products?x=1")
    assert status == 301 and _header(headers, "Location") == "https://www.example.com/products?x=1"
    home = get("/")[2].decode()
    for href in (
        'href="/products"',
        'href="https://blog.example.com/"',
        'href="mailto:',
        'href="tel:',
        'href="javascript:',
        'href="/about#team"',
        "utm_source=",
        'href="/brochure.pdf"',
    ):
        assert href in home
    # The depth chain only goes one level per page.
    assert "reviews" not in get("/products")[2].decode()
    assert 'href="1/reviews"' in get("/products/1")[2].decode()


def test_pixels_are_43_byte_gifs(net: FakeInternet) -> None:
    status, headers, body = _fetch(net, "https://www.facebook.com/tr/?id=1&ev=PageView")
    assert status == 200 and body == PIXEL_GIF and len(body) == 43
    assert _header(headers, "Content-Type") == "image/gif"
    status, headers, _ = _fetch(net, "https://gum.criteo.com/sync?c=72&r=1")
    assert status == 302 and _header(headers, "Location").startswith(
        "https://dis.criteo.com/dis/usersync.aspx"
    )
    assert _fetch(net, "https://t.pixelmetrics-demo.io/collect?uid=1", "POST", b"{}")[0] == 204


def test_hostile_world_carries_payloads(net: FakeInternet) -> None:
    status, headers, body = _fetch(net, "https://www.hostile-example.com/any/path")
    page = body.decode()
    assert status == 200
    assert "<script>alert(1)</script>" not in page.split("<script>\n", 1)[0].split("</title>", 1)[0]
    assert "&lt;/title&gt;&lt;script&gt;" in page  # escaped in HTML so the browser's title holds it
    names = _set_cookies(headers)
    assert hostile.SCRIPT_TAG in names and any(len(v) > 4000 for v in names.values())
    assert 'href="/feed.xml"' in page
    assert _header(_fetch(net, "https://www.hostile-example.com/feed.xml")[1], "Content-Type").startswith(
        "application/rss+xml"
    )


def test_bench_world_is_deterministic_and_linked() -> None:
    world = bench_world(pages=25, third_party_per_page=12, hosts=4)
    assert set(world) == {"bench.example.org"} | {f"t.bench-tracker-{k}.net" for k in range(4)}

    def page(path: str) -> str:
        return world["bench.example.org"](
            RequestInfo("https", "bench.example.org", "GET", path, {})
        ).body.decode()

    home = page("/")
    assert [f'href="/page/{i}"' in home for i in range(1, 12)] == [True] * 10 + [False]
    assert 'href="/page/21"' in page("/page/2") and 'href="/page/25"' not in page("/page/2")
    assert page("/page/3") == page("/page/3")
    assert home.count("bench-tracker-") == 12
    assert (
        world["bench.example.org"](RequestInfo("https", "bench.example.org", "GET", "/page/25", {})).status
        == 404
    )


# -- Chromium against it -------------------------------------------------------------------------

needs_chromium = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium")


@pytest.fixture(scope="module")
def playwright():
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        yield p


def _launch(playwright, net: FakeInternet, ignore_cert_errors: bool = True, extra: tuple[str, ...] = ()):
    args = ["--disable-gpu", "--disable-quic", *net.chromium_args(), *extra]
    if ignore_cert_errors:
        args.append("--ignore-certificate-errors")
    return playwright.chromium.launch(executable_path=CHROMIUM, args=args)


@pytest.fixture(scope="module")
def browser(playwright, net: FakeInternet):
    """A bare Chromium that does not look automated (the demo's Hotjar refuses robots, as Hotjar does:
    tests/test_real_visitor.py), so that every demo tag fires."""
    probe = _launch(playwright, net)
    major = probe.version.split(".")[0]
    probe.close()
    ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    ua += f"Chrome/{major}.0.0.0 Safari/537.36"
    browser = _launch(playwright, net, extra=(f"--user-agent={ua}", AUTOMATION_SWITCH))
    yield browser
    browser.close()


def _wait_for(predicate, timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def _tracked(net: FakeInternet, url: str, method: str) -> bool:
    parts = urlsplit(url)
    return bool(net.log.find(host=parts.hostname, method=method, path_prefix=parts.path))


@pytest.mark.browser
@needs_chromium
def test_chromium_loads_the_demo_home_page_and_its_trackers(browser, net: FakeInternet) -> None:
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    response = page.goto(net.url("www.example.com", "/"))
    assert response.status == 200 and page.title() == "Example Shop"
    home = net.url("www.example.com", "/")
    expected = [h for h in fakenet_docs.expected_hits() if home in h.pages]
    assert {h.kind for h in expected} == {"image", "beacon", "xhr"}
    assert _wait_for(lambda: all(_tracked(net, h.url, h.method) for h in expected)), expected
    for tag in next(p for p in PAGES if p.url == home).tags:
        if tag.kind != "inline":
            assert _tracked(net, tag.url, "GET"), tag.url
    beacon = net.log.find(host="t.pixelmetrics-demo.io", method="POST")[-1]
    assert int(beacon.headers["content-length"]) > 0
    jar = {(c["name"], c["domain"]): c for c in context.cookies()}
    first_party_js = [c for c in fakenet_docs.expected_cookies() if c.set_by == "js" and home in c.pages]
    assert _wait_for(
        lambda: all(
            (c.name, c.domain) in {(k["name"], k["domain"]) for k in context.cookies()}
            for c in first_party_js
        )
    )
    jar = {(c["name"], c["domain"]): c for c in context.cookies()}
    session = jar[("session", ".example.com")]
    assert session["expires"] - time.time() > 390 * 86_400  # two years, capped at 400 days by Chromium
    assert jar[("sessionid", "www.example.com")]["expires"] == -1
    context.close()


@pytest.mark.browser
@needs_chromium
def test_chromium_product_page_iframe_redirect_chain_and_storage(browser, net: FakeInternet) -> None:
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    page.goto(net.url("www.example.com", "/products/1"))
    assert _wait_for(lambda: _tracked(net, "https://dis.criteo.com/dis/usersync.aspx", "GET"))
    assert _tracked(net, "https://www.youtube.com/embed/dQw4w9WgXcQ", "GET")
    origins = {
        o["origin"]: {i["name"] for i in o["localStorage"]} for o in context.storage_state()["origins"]
    }
    assert {"cart", "_hjLocalStorageTest"} <= origins["https://www.example.com"]
    assert page.evaluate("sessionStorage.getItem('checkout_step')") == "1"
    context.close()


@pytest.mark.browser
@needs_chromium
def test_chromium_plain_http_and_unknown_hosts(browser, net: FakeInternet) -> None:
    page = browser.new_page(ignore_https_errors=True)
    response = page.goto(net.url("www.example.com", "/contact", scheme="http"))
    assert response.status == 200 and response.url == "http://www.example.com/contact"
    assert net.log.find(host="www.example.com", path_prefix="/contact")[-1].scheme == "http"
    with pytest.raises(Exception, match="ERR_NAME_NOT_RESOLVED"):
        page.goto("https://www.not-in-this-world.test/")
    assert "www.not-in-this-world.test" not in net.log.hosts()
    page.close()


@pytest.mark.browser
@needs_chromium
def test_server_survives_a_browser_that_rejects_its_certificate(
    playwright, browser, net: FakeInternet
) -> None:
    strict = _launch(playwright, net, ignore_cert_errors=False)
    try:
        with pytest.raises(Exception, match="ERR_CERT_AUTHORITY_INVALID"):
            strict.new_page().goto(net.url("www.example.com", "/about"))
    finally:
        strict.close()
    page = browser.new_page(ignore_https_errors=True)
    assert page.goto(net.url("www.example.com", "/about")).status == 200
    page.close()
    assert _fetch(net, net.url("www.example.com", "/about"))[0] == 200


@pytest.mark.browser
@needs_chromium
def test_chromium_hostile_page_runs_no_payload(browser, net: FakeInternet) -> None:
    page = browser.new_page(ignore_https_errors=True)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(net.url(hostile.HOST, "/"))
    assert page.title() == hostile.TITLE
    assert _wait_for(lambda: bool(net.log.find(host=hostile.TRACKER_HOST)))
    assert dialogs == []
    page.close()


def test_many_parallel_https_clients(net: FakeInternet) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def client(i: int) -> list[int]:
        conn = _SNIConnection(net.port, f"t.bench-tracker-{i % 10}.net", net.certs.client_context())
        statuses = []
        for j in range(5):
            conn.request("GET", f"/p.gif?page={i}&r={j}", headers={"Host": f"t.bench-tracker-{i % 10}.net"})
            response = conn.getresponse()
            assert response.read() == PIXEL_GIF
            statuses.append(response.status)
        conn.close()
        return statuses

    with ThreadPoolExecutor(max_workers=40) as pool:
        results = list(pool.map(client, range(80)))
    assert results == [[200] * 5] * 80


def test_link_depths_of_the_demo_site(net: FakeInternet) -> None:
    """Breadth-first over <a href> from / (no traps, no slow page): the documented depths hold."""
    from urllib.parse import urldefrag, urljoin

    from bs4 import BeautifulSoup

    home = net.url("www.example.com", "/")
    depth = {home: 0}
    queue = [home]
    while queue:
        url = queue.pop(0)
        status, headers, body = _fetch(net, url)
        if status != 200 or not (_header(headers, "Content-Type") or "").startswith("text/html"):
            continue
        for anchor in BeautifulSoup(body, "html.parser").find_all("a", href=True):
            link = urldefrag(urljoin(url, anchor["href"]))[0]
            parts = urlsplit(link)
            if parts.hostname != "www.example.com" or parts.query or parts.path in ("/slow", "/loop-a"):
                continue
            if link not in depth and depth[url] < 6:
                depth[link] = depth[url] + 1
                queue.append(link)
    by_path = {urlsplit(u).path: d for u, d in depth.items()}
    assert by_path["/products"] == 1 and by_path["/products/1"] == 2
    assert by_path["/products/1/reviews"] == 3 and by_path["/products/1/reviews/archive"] == 4
    assert by_path["/about"] == 1 and by_path["/contact"] == 1 and by_path["/redirect-me"] == 2
    assert "/sitemap-only" not in by_path
