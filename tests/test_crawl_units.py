"""Unit and property tests of the crawl's pure parts: URLs, frontier, Set-Cookie, image sniffing."""

from __future__ import annotations

import struct

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.assemble import merge_cookies
from scanner.collect.beacons import classify_image, image_size
from scanner.collect.requests import query_param_names
from scanner.collect.setcookie import parse_set_cookie
from scanner.crawl.frontier import Frontier
from scanner.crawl.sitemap import parse_sitemap, sitemaps_from_robots
from scanner.crawl.urls import looks_like_non_html, url_key, validate_start_url, visit_url
from scanner.errors import BadInput
from scanner.scope import Scope

NOW = 1_800_000_000.0


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("HTTPS://WWW.Example.COM", "https://www.example.com/"),
        ("https://www.example.com:443/a/../b/./c", "https://www.example.com/b/c"),
        ("http://www.example.com:80/x?b=2&a=1#frag", "http://www.example.com/x?a=1&b=2"),
        ("https://www.example.com/p?utm_source=x&gclid=1&id=7", "https://www.example.com/p?id=7"),
        ("https://www.example.com:8443/", "https://www.example.com:8443/"),
        ("https://www.example.com/dir/", "https://www.example.com/dir/"),
        ("mailto:a@b.c", None),
        ("javascript:void(0)", None),
        ("ftp://example.com/", None),
        ("https://www.example.com/page?run", "https://www.example.com/page?run"),
        ("https://www.example.com/a%2fb/%25", "https://www.example.com/a%2Fb/%25"),
        ("https://Bücher.de/", "https://xn--bcher-kva.de/"),
    ],
)
def test_url_key(raw, expected):
    assert url_key(raw) == expected


def test_url_key_and_visit_url_of_a_relative_link():
    assert url_key("../x?b=1", "https://www.example.com/a/b/c") == "https://www.example.com/a/x?b=1"
    assert visit_url("../x?run#f", "https://www.example.com/a/b/c") == "https://www.example.com/a/x?run"
    assert visit_url("?b=2&a=1", "https://www.example.com/p?x") == "https://www.example.com/p?b=2&a=1"


@given(st.text(max_size=200))
def test_url_key_never_raises_and_is_idempotent(text):
    out = url_key(text, "https://www.example.com/base/")
    if out is not None:
        assert url_key(out) == out
        assert out.startswith(("http://", "https://"))


@given(st.text(max_size=100))
def test_validate_start_url_raises_only_bad_input(text):
    try:
        url = validate_start_url(text)
    except BadInput as err:
        assert "\n" not in str(err)
    else:
        assert url.startswith(("http://", "https://"))
        assert url.endswith(text.strip("".join(chr(i) for i in range(0x21))))  # as given
        assert visit_url(url) is not None and url_key(url) is not None


def test_non_html_targets():
    assert looks_like_non_html("https://a.com/brochure.PDF")
    assert looks_like_non_html("https://a.com/data.json?x=1")
    assert not looks_like_non_html("https://a.com/products/1")
    assert not looks_like_non_html("https://a.com/page.html")
    assert not looks_like_non_html("https://a.com/index.php")


def test_frontier_scope_dedup_and_traps():
    f = Frontier(Scope(["https://www.example.com/"], ["example-cdn.net"]), max_depth=2, max_pages=100)
    assert f.add("https://www.example.com/", 0, source="seed")
    assert not f.add("https://www.example.com/#top", 1)  # duplicate after normalisation
    assert f.add("https://blog.example.com/", 1)  # same registrable domain
    assert f.add("https://static.example-cdn.net/x", 1)  # --first-party
    assert not f.add("https://www.wikipedia.org/", 1)
    assert not f.add("https://www.example.com/deep", 3)  # beyond max depth
    assert not f.add("https://www.example.com/file.pdf", 1)
    added = [f.add(f"https://www.example.com/calendar?month={m}", 1) for m in range(1, 30)]
    assert sum(added) == 5 and f.skipped["crawl trap"] == 24
    assert not f.add("https://www.example.com/a/b/a/b/a/b/a/b", 1)  # repeating path segments
    urls = []
    while (t := f.pop()) is not None:
        urls.append(t.url)
    assert urls[:3] == [
        "https://www.example.com/",
        "https://blog.example.com/",
        "https://static.example-cdn.net/x",
    ]


def test_frontier_page_limit():
    f = Frontier(Scope(["https://www.example.com/"]), max_pages=3)
    for i in range(10):
        f.add(f"https://www.example.com/p{i}", 1)
    assert [f.pop() is not None for _ in range(5)] == [True, True, True, False, False]


def test_set_cookie_attributes():
    c = parse_set_cookie(
        "fr=abc; Domain=.facebook.com; Path=/; Max-Age=7776000; Secure; HttpOnly; SameSite=None",
        "https://www.facebook.com/tr/",
        NOW,
    )
    assert (c.name, c.value, c.domain, c.host_only, c.path) == ("fr", "abc", ".facebook.com", False, "/")
    assert (c.secure, c.http_only, c.same_site, c.lifetime_days) == (True, True, "None", 90.0)
    host_only = parse_set_cookie("sid=1", "https://www.example.com/a/b", NOW)
    assert (host_only.domain, host_only.host_only, host_only.path, host_only.expires) == (
        "www.example.com",
        True,
        "/a",
        None,
    )
    # Max-Age wins over Expires; Expires alone is honoured; lifetimes are kept as sent (beyond 400 days).
    both = parse_set_cookie("a=1; Expires=Wed, 01 Jan 2070 00:00:00 GMT; Max-Age=60", "https://x.com/", NOW)
    assert both.expires == NOW + 60
    long = parse_set_cookie("a=1; Expires=Wed, 01 Jan 2070 00:00:00 GMT", "https://x.com/", NOW)
    assert long.lifetime_days > 400
    assert parse_set_cookie("a=1; Max-Age=0", "https://x.com/", NOW).lifetime_days == 0
    assert parse_set_cookie("", "https://x.com/", NOW) is None


@given(st.text(max_size=300), st.sampled_from(["https://www.example.com/a/b", "http://x", "not a url", ""]))
def test_set_cookie_parser_never_raises(line, url):
    c = parse_set_cookie(line, url, NOW)
    if c is not None:
        assert c.path.startswith("/")
        assert c.expires is None or isinstance(c.expires, float)


def gif(w, h):
    return b"GIF89a" + struct.pack("<HH", w, h) + b"\x80\x00\x00" + b"\x00" * 30


def png(w, h):
    return b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + struct.pack(">II", w, h) + b"\x08\x06\x00\x00\x00"


def test_image_size_and_classification():
    assert image_size(gif(1, 1)) == (1, 1)
    assert image_size(png(2, 2)) == (2, 2)
    assert image_size(png(640, 480)) == (640, 480)
    assert image_size(b"\xff\xd8\xff\xc0\x00\x11\x08\x00\x01\x00\x01") == (1, 1)
    assert image_size(b"not an image") is None
    assert classify_image((1, 1), 43) == "pixel_1x1"
    assert classify_image((2, 2), 70) == "tiny_image"
    assert classify_image(None, 0) == "tiny_image"  # e.g. a 204 "image"
    assert classify_image((640, 480), 20000) is None


@given(st.binary(max_size=64))
def test_image_size_never_raises(data):
    size = image_size(data)
    assert size is None or (isinstance(size[0], int) and isinstance(size[1], int))


def test_query_param_names_include_matrix_params():
    names = query_param_names("https://pixel.quantserve.com/pixel;r=1;a=p-X;fpan=0?x=1&uid=2&x=3")
    assert names == ("x", "uid", "r", "a", "fpan")


def test_sitemap_parsing():
    robots = "User-agent: *\nSitemap: /sm.xml\nsitemap:https://www.example.com/other.xml\n"
    assert sitemaps_from_robots(robots, "https://www.example.com/") == [
        "https://www.example.com/sm.xml",
        "https://www.example.com/other.xml",
    ]
    pages, nested = parse_sitemap(
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        "<url><loc> https://www.example.com/a </loc></url></urlset>"
    )
    assert pages == ["https://www.example.com/a"] and nested == []
    assert parse_sitemap(
        "<sitemapindex><sitemap><loc>https://e.com/s.xml</loc></sitemap></sitemapindex>"
    ) == (
        [],
        ["https://e.com/s.xml"],
    )


def obs(name, domain, source, ts, page="https://www.example.com/", lifetime=None, expires=None):
    return {
        "name": name,
        "domain": domain,
        "host_only": not domain.startswith("."),
        "path": "/",
        "expires": expires,
        "declared_lifetime_days": lifetime,
        "secure": True,
        "http_only": False,
        "same_site": "Lax",
        "source": source,
        "setter_url": "https://s.example/x.js" if source != "jar" else None,
        "value_hash": "0" * 16,
        "value": None,
        "page_url": page,
        "ts": ts,
    }


def test_merge_cookies_sources_and_pages():
    scope = Scope(["https://www.example.com/"])
    observations = [
        obs("_ga", ".example.com", "jar", 5, page="https://www.example.com/b", expires=5 + 400 * 86400),
        obs("_ga", ".example.com", "document.cookie", 1, lifetime=730.0),
        obs("_ga", ".example.com", "jar", 2, expires=2 + 400 * 86400),
        obs("fr", ".facebook.com", "set-cookie", 3, lifetime=90.0),  # blocked: never in the jar
        obs("gone", ".example.com", "document.cookie", 4, lifetime=0.0),  # a deletion
    ]
    cookies = {c.name: c for c in merge_cookies(observations, scope)}
    assert set(cookies) == {"_ga", "fr"}
    ga = cookies["_ga"]
    assert (ga.set_by, ga.in_jar, ga.first_party, ga.declared_lifetime_days) == ("js", True, True, 730.0)
    assert ga.page_url == "https://www.example.com/" and ga.pages == (
        "https://www.example.com/",
        "https://www.example.com/b",
    )
    assert round(ga.lifetime_days) == 400
    fr = cookies["fr"]
    assert (fr.set_by, fr.in_jar, fr.first_party) == ("http", False, False)
