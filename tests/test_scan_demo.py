"""A real crawl of the demo site in Chromium: exact cookies, beacons, storage and third-party hosts."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser

WWW = "https://www.example.com"


def by_name(result):
    return {c.name: c for c in result.cookies}


def test_first_party_cookies_http_and_js(demo_scan):
    result, _ = demo_scan
    cookies = by_name(result)
    sessionid = cookies["sessionid"]
    assert (sessionid.domain, sessionid.set_by, sessionid.first_party) == ("www.example.com", "http", True)
    assert sessionid.expires is None and sessionid.session and sessionid.host_only
    assert sessionid.http_only and sessionid.secure and sessionid.same_site == "Lax"
    csrf = cookies["csrftoken"]
    assert csrf.set_by == "http" and csrf.same_site == "Strict" and 364 <= csrf.lifetime_days <= 366
    session = cookies["session"]
    # Written by the site's inline script; asks for two years, Chromium caps the jar at 400 days.
    assert (session.domain, session.set_by, session.first_party) == (".example.com", "js", True)
    assert 729 <= session.declared_lifetime_days <= 731
    assert 399 <= session.lifetime_days <= 401
    assert session.setter_url == WWW + "/"


def test_vendor_scripts_write_first_party_cookies(demo_scan):
    result, _ = demo_scan
    cookies = by_name(result)
    expected_setters = {
        "_ga": "https://www.googletagmanager.com/gtag/js?id=G-DEMO1234",
        "_ga_DEMO1234": "https://www.googletagmanager.com/gtag/js?id=G-DEMO1234",
        "_fbp": "https://connect.facebook.net/en_US/fbevents.js",
        "cto_bundle": "https://static.criteo.net/js/ld/publishertag.js",
        "_gcl_au": "https://www.googleadservices.com/pagead/conversion.js",
        "_uetsid": "https://bat.bing.com/bat.js",
        "_uetvid": "https://bat.bing.com/bat.js",
        "__qca": "https://secure.quantserve.com/quant.js",
        "_hjSessionUser_3210": "https://static.hotjar.com/c/hotjar-3210.js?sv=6",
        "_hjSession_3210": "https://static.hotjar.com/c/hotjar-3210.js?sv=6",
    }
    for name, script in expected_setters.items():
        c = cookies[name]
        assert (c.domain, c.set_by, c.first_party, c.setter_url) == (".example.com", "js", True, script), name
    assert cookies["_hjSession_3210"].lifetime_days < 0.05  # 30 minutes
    assert 729 <= cookies["_ga"].declared_lifetime_days <= 731


def test_third_party_cookies_land_in_the_jar(demo_scan):
    """Debian's Chromium blocks these unless the profile allows them: the audit must see them stored."""
    result, _ = demo_scan
    cookies = by_name(result)
    third = {
        "fr": ".facebook.com",
        "IDE": ".doubleclick.net",
        "uid": ".criteo.com",
        "MUID": ".bing.com",
        "mc": ".quantserve.com",
        "bcookie": ".linkedin.com",
        "li_sugr": ".linkedin.com",
        "pm_uid": ".pixelmetrics-demo.io",
        "VISITOR_INFO1_LIVE": ".youtube.com",
        "YSC": ".youtube.com",
    }
    for name, domain in third.items():
        c = cookies[name]
        assert (c.domain, c.set_by, c.first_party, c.in_jar) == (domain, "http", False, True), name
    assert cookies["YSC"].session
    assert cookies["fr"].same_site == "None" and cookies["fr"].secure and cookies["fr"].http_only
    # Criteo's cookie comes from a redirect hop (gum.criteo.com -> dis.criteo.com).
    assert cookies["uid"].setter_url.startswith("https://gum.criteo.com/sync")


def test_exact_cookie_inventory(demo_scan):
    result, _ = demo_scan
    assert set(by_name(result)) == {
        "sessionid", "csrftoken", "session", "theme",
        "_ga", "_ga_DEMO1234", "_fbp", "cto_bundle", "_gcl_au", "_uetsid", "_uetvid", "__qca",
        "_hjSessionUser_3210", "_hjSession_3210",
        "fr", "IDE", "uid", "MUID", "mc", "bcookie", "li_sugr", "pm_uid", "VISITOR_INFO1_LIVE", "YSC",
        "OptanonConsent",  # the consent banner's state, written on load as OneTrust does
    }  # fmt: skip
    assert len(result.cookies) == len({c.key for c in result.cookies})
    assert all(c.value is None and len(c.value_hash) == 16 for c in result.cookies)


def test_beacons(demo_scan):
    result, _ = demo_scan
    beacons = {(r.host, r.beacon_reason) for r in result.requests if r.is_beacon}
    assert {
        ("region1.google-analytics.com", "send_beacon"),
        ("www.facebook.com", "pixel_1x1"),
        ("googleads.g.doubleclick.net", "pixel_1x1"),
        ("dis.criteo.com", "pixel_1x1"),
        ("pixel.quantserve.com", "pixel_1x1"),
        ("px.ads.linkedin.com", "pixel_1x1"),
        ("t.pixelmetrics-demo.io", "pixel_1x1"),
        ("t.pixelmetrics-demo.io", "send_beacon"),
    } <= beacons
    assert {h for h, _ in beacons} == {
        "region1.google-analytics.com", "www.facebook.com", "googleads.g.doubleclick.net", "dis.criteo.com",
        "pixel.quantserve.com", "px.ads.linkedin.com", "t.pixelmetrics-demo.io", "bat.bing.com",
    }  # fmt: skip
    ga = next(r for r in result.requests if r.host == "region1.google-analytics.com")
    assert ga.resource_type == "ping" and ga.method == "POST"
    assert {"v", "tid", "cid", "en"} <= set(ga.query_params)
    assert ga.initiator == "https://www.googletagmanager.com/gtag/js?id=G-DEMO1234"
    fb = next(r for r in result.requests if r.host == "www.facebook.com")
    assert fb.image_size == (1, 1) and fb.initiator == "https://connect.facebook.net/en_US/fbevents.js"
    # Matrix parameters in a pixel path count as parameters too.
    qc = next(r for r in result.requests if r.host == "pixel.quantserve.com")
    assert {"r", "a", "fpan"} <= set(qc.query_params)
    # Scripts and fonts are not beacons.
    assert not any(
        r.is_beacon for r in result.requests if r.resource_type in ("script", "font", "stylesheet")
    )


def test_third_party_hosts_and_redirect_chain(demo_scan):
    result, _ = demo_scan
    hosts = {r.host for r in result.requests if r.third_party}
    assert hosts == {
        "www.googletagmanager.com", "region1.google-analytics.com", "www.googleadservices.com",
        "googleads.g.doubleclick.net", "connect.facebook.net", "www.facebook.com", "static.criteo.net",
        "gum.criteo.com", "dis.criteo.com", "bat.bing.com", "snap.licdn.com", "px.ads.linkedin.com",
        "secure.quantserve.com", "pixel.quantserve.com", "static.hotjar.com", "in.hotjar.com",
        "cdn.pixelmetrics-demo.io", "t.pixelmetrics-demo.io", "cdnjs.cloudflare.com", "fonts.googleapis.com",
        "fonts.gstatic.com", "www.youtube.com",
        "cdn.cookielaw.org",  # the consent banner (a OneTrust imitation)
    }  # fmt: skip
    assert not any(r.third_party for r in result.requests if r.registrable_domain == "example.com")
    dis = next(r for r in result.requests if r.host == "dis.criteo.com")
    assert dis.redirect_chain and dis.redirect_chain[0].startswith("https://gum.criteo.com/sync")
    # Requests inside the cross-origin YouTube iframe carry the frame and the page they belong to.
    yt = next(r for r in result.requests if r.host == "www.youtube.com")
    assert yt.page_url == "https://www.example.com/products/1"


def test_storage_per_origin_including_iframes(demo_scan):
    result, _ = demo_scan
    items = {(s.origin, s.kind, s.key): s for s in result.storage}
    assert ("https://www.example.com", "local", "cart") in items
    assert ("https://www.example.com", "session", "checkout_step") in items
    yt = items[("https://www.youtube.com", "local", "yt-remote-device-id")]
    assert yt.third_party and yt.page_url == "https://www.example.com/products/1"
    assert ("https://www.youtube.com", "local", "yt-player-bandwidth") in items


def test_pages_depths_sitemap_and_skips(demo_scan):
    result, out = demo_scan
    pages = {p.url: p for p in result.pages}
    assert pages["https://www.example.com/"].depth == 0
    # The sitemap lists /products/1, so it is a depth-1 seed and its descendants are one level higher.
    assert pages["https://www.example.com/products/1"].source == "sitemap"
    assert pages["https://www.example.com/products/1/reviews/archive"].depth == 3
    assert pages["https://www.example.com/sitemap-only"].source == "sitemap"
    assert "https://blog.example.com/" in pages  # same registrable domain
    # Out of scope, non-HTML and second-party domain without --first-party: never visited.
    for url in pages:
        assert "wikipedia" not in url and "example-cdn.net" not in url
        assert not url.endswith((".pdf", ".json"))
    # Tracking parameters and fragments do not create duplicates.
    assert not any("utm_" in u or "#" in u for u in pages)
    # Crawl traps are bounded: at most 5 query variants per path.
    assert sum(1 for u in pages if u.startswith("https://www.example.com/calendar")) <= 5
    assert sum(1 for u in pages if u.startswith("https://www.example.com/search")) <= 5
    home = pages["https://www.example.com/"]
    assert home.title and home.status == 200 and home.load_ms is not None and home.started_at
    assert (out / home.screenshot).stat().st_size > 1000


def test_broken_pages_are_recorded_and_the_crawl_goes_on(demo_scan):
    result, _ = demo_scan
    pages = {p.url: p for p in result.pages}
    assert pages["https://www.example.com/missing"].status == 404
    assert pages["https://www.example.com/missing"].error == "HTTP 404"
    assert pages["https://www.example.com/broken"].status == 500
    assert "redirect loop" in pages["https://www.example.com/loop-a"].error
    assert "did not finish loading" in pages["https://www.example.com/slow"].error
    assert pages["https://www.example.com/redirect-me"].final_url == "https://www.example.com/about"
    # ...and pages after them were still visited.
    assert pages["https://www.example.com/contact"].status == 200


def test_persisted_pages_rebuild_the_same_scan(demo_scan):
    from scanner.assemble import recover

    result, out = demo_scan
    rebuilt = recover(out)
    assert [p.url for p in rebuilt.pages] == [p.url for p in result.pages]
    assert {c.key for c in rebuilt.cookies} == {c.key for c in result.cookies}
    assert len(rebuilt.requests) == len(result.requests)


def test_scan_json_matches_its_schema(demo_scan):
    from scanner.schema import validation_errors

    result, _ = demo_scan
    data = result.to_dict()
    assert validation_errors(data) == []
    # The schema is strict enough to catch drift: an unknown field or a wrong type fails.
    data["cookies"][0]["surprise"] = 1
    data["pages"][0]["depth"] = "zero"
    errors = validation_errors(data)
    assert any("surprise" in e for e in errors) and any(e.startswith("pages/0/depth") for e in errors)
