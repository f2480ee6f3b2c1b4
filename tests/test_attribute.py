"""Attribution rules in isolation: unknown-tracker heuristics, identifiers, setter scripts, reruns."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.attribute import attribute, identifier_params, looks_like_identifier
from scanner.catalog import load_catalog
from scanner.domains import host_of, registrable_domain
from scanner.model import Cookie, Request, ScanMeta, ScanResult

PAGE = "https://shop-example.com/"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def req(url: str, rtype: str = "script", beacon: str | None = None) -> Request:
    host = host_of(url)
    query = url.partition("?")[2]
    return Request(
        url=url,
        method="GET",
        resource_type=rtype,
        host=host,
        registrable_domain=registrable_domain(host),
        third_party=registrable_domain(host) != "shop-example.com",
        page_url=PAGE,
        query_params=tuple(p.split("=")[0] for p in query.split("&") if p),
        is_beacon=beacon is not None,
        beacon_reason=beacon,
    )


def jar(name: str, domain: str, setter: str | None = None) -> Cookie:
    dom = registrable_domain(domain.lstrip("."))
    return Cookie(
        name=name,
        domain=domain,
        path="/",
        expires=1.9e9,
        secure=True,
        http_only=False,
        same_site=None,
        first_party=dom == "shop-example.com",
        set_by="js" if setter else "http",
        page_url=PAGE,
        registrable_domain=dom,
        lifetime_days=365.0,
        setter_url=setter,
    )


def scan(requests=(), cookies=()) -> ScanResult:
    meta = ScanMeta(tool_version="t", start_urls=(PAGE,), started_at="2026-01-01T00:00:00Z")
    return ScanResult(meta=meta, requests=tuple(requests), cookies=tuple(cookies))


def vendors(result: ScanResult) -> dict[str, dict]:
    return {v["name"]: v for v in result.vendors}


def test_unknown_host_with_only_static_assets_is_a_harmless_third_party(catalog):
    result = attribute(
        scan(
            [
                req("https://assets.static-host.net/app.3f2a9c8b7d6e5f40.js?v=9f86d081884c7d650a1b"),
                req("https://img.static-host.net/hero.jpg?w=800&s=5d41402abc4b2a76b9719d911017c592", "image"),
            ]
        ),
        catalog,
    )
    assert [r.vendor for r in result.requests] == [None, None]
    row = vendors(result)["static-host.net"]
    assert row["tracker"] is False and row["unknown"] is True and row["requests"] == 2
    assert result.summary == {"undeclared": 0, "mismatch": 0, "not_observed": 0, "declared": 0}


@pytest.mark.parametrize(
    ("request_", "cookie", "why"),
    [
        (req("https://t.tracky-metrics.net/p.gif", "image", "pixel_1x1"), None, "beacon (pixel_1x1)"),
        (req("https://t.tracky-metrics.net/e", "ping", "send_beacon"), None, "beacon (send_beacon)"),
        (req("https://t.tracky-metrics.net/hit?uid=abc", "image"), None, "identifier in URL"),
        (req("https://t.tracky-metrics.net/x?q=a1b2c3d4e5f6a7b8c9d0", "fetch"), None, "identifier in URL"),
        (req("https://t.tracky-metrics.net/lib.js"), jar("tid", ".tracky-metrics.net"), "third-party cookie"),
    ],
)
def test_unknown_tracker_behaviours(catalog, request_, cookie, why):
    result = attribute(scan([request_], [cookie] if cookie else []), catalog)
    assert result.requests[0].vendor == "tracky-metrics.net"
    assert result.requests[0].vendor_reason == f"unknown tracker: {why}"
    row = vendors(result)["tracky-metrics.net"]
    assert row["tracker"] is True and row["unknown"] is True
    if cookie:
        assert result.cookies[0].vendor == "tracky-metrics.net"


def test_first_party_requests_are_never_trackers(catalog):
    result = attribute(
        scan([req("https://shop-example.com/collect?uid=123", "ping", "send_beacon")]), catalog
    )
    assert result.requests[0].vendor is None and result.vendors == ()


def test_cookie_written_by_a_vendor_script_is_that_vendors(catalog):
    cookie = jar("_hjBrandNewCookie2027", ".shop-example.com")
    unnamed = jar("xyz_state", ".shop-example.com", setter="https://static.hotjar.com/c/hotjar-1.js?sv=6")
    own = jar("prefs", ".shop-example.com", setter="https://shop-example.com/app.js")
    result = attribute(scan(cookies=[cookie, unnamed, own]), catalog)
    assert result.cookies[0].vendor == "Hotjar"  # by the _hj* pattern
    assert result.cookies[1].vendor == "Hotjar"
    assert result.cookies[1].vendor_reason.startswith("set by a script of Hotjar")
    assert result.cookies[2].vendor is None


def test_attribution_is_idempotent_and_clears_stale_vendors(catalog):
    stale = Request(
        url="https://shop-example.com/a.js",
        method="GET",
        resource_type="script",
        host="shop-example.com",
        registrable_domain="shop-example.com",
        third_party=False,
        page_url=PAGE,
        vendor="Old",
        vendor_reason="old",
    )
    once = attribute(scan([stale, req("https://www.google-analytics.com/g/collect?v=2")]), catalog)
    twice = attribute(once, catalog)
    assert once == twice
    assert once.requests[0].vendor is None
    assert once.requests[1].is_beacon and once.requests[1].beacon_reason == "known_endpoint"


def test_vendor_rows_count_what_was_seen(catalog):
    result = attribute(
        scan(
            [
                req("https://www.facebook.com/tr/?id=1", "image"),
                req("https://connect.facebook.net/en_US/fbevents.js"),
            ],
            [jar("_fbp", ".shop-example.com"), jar("fr", ".facebook.com")],
        ),
        catalog,
    )
    fb = vendors(result)["Facebook"]
    assert (fb["requests"], fb["beacons"], fb["cookies"], fb["pages"]) == (2, 1, 2, 1)
    assert fb["parent"] == "Meta Platforms" and fb["tracker"] is True
    assert fb["categories"] == ["social", "advertising"]
    assert fb["hosts"] == ["connect.facebook.net", "www.facebook.com"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("9f86d081884c7d65", True),
        ("123e4567-e89b-12d3-a456-426614174000", True),
        ("1234567890.1700000000", True),
        ("AHWqTUmE0k2Zt4cXQ9pL7sVbN1", True),
        ("en_US", False),
        ("pageview", False),
        ("12", False),
        ("Inter", False),
        ("abcdefghijklmnopqrstuvwxyz", False),  # no digits: a word, not an id
    ],
)
def test_looks_like_identifier(value, expected):
    assert looks_like_identifier(value) is expected


def test_identifier_params_by_name_and_value():
    assert identifier_params("https://t.example/c?uid=1&ev=x") == ("uid",)
    assert identifier_params("https://t.example/c?x=9f86d081884c7d65&ev=x") == ("x",)
    assert identifier_params("https://t.example/pixel;r=1;vid=abc") == ("vid",)
    assert identifier_params("https://fonts.example/css?family=Inter") == ()


@given(st.text(max_size=200))
def test_identifier_params_never_raise(url):
    assert isinstance(identifier_params(url), tuple)
