"""A synthetic scan of the demo world (www.example.com with real tracker hostnames), attributed and
compared with the seed's vendors.csv: exactly the expected findings, vendors and evidence."""

from __future__ import annotations

from pathlib import Path

import pytest

from scanner.attribute import attribute
from scanner.catalog import load_catalog
from scanner.compare import compare
from scanner.declared import load_declared_csv, parse_declared_csv
from scanner.domains import host_of, registrable_domain
from scanner.model import Cookie, Page, Request, ScanMeta, ScanResult, StorageItem

SITE = "https://www.example.com"
PAGES = (f"{SITE}/", f"{SITE}/pricing")
VENDORS_CSV = Path(__file__).resolve().parent.parent / "vendors.csv"
YEAR = 365.0


def req(url: str, page: str, rtype: str = "script", beacon: str | None = None) -> Request:
    host = host_of(url)
    query = url.split("?", 1)[1] if "?" in url else ""
    names = tuple(p.split("=")[0] for p in query.replace(";", "&").split("&") if p)
    return Request(
        url=url,
        method="GET" if beacon != "send_beacon" else "POST",
        resource_type=rtype,
        host=host,
        registrable_domain=registrable_domain(host),
        third_party=registrable_domain(host) != "example.com",
        page_url=page,
        query_params=names,
        is_beacon=beacon is not None,
        beacon_reason=beacon,
    )


def cookie(
    name: str, domain: str, days: float | None, set_by: str = "js", setter: str | None = None
) -> Cookie:
    return Cookie(
        name=name,
        domain=domain,
        path="/",
        expires=None if days is None else 1_800_000_000.0,
        secure=True,
        http_only=set_by == "http",
        same_site="None" if set_by == "http" else "Lax",
        first_party=registrable_domain(domain.lstrip(".")) == "example.com",
        set_by=set_by,  # type: ignore[arg-type]
        page_url=PAGES[0],
        registrable_domain=registrable_domain(domain.lstrip(".")),
        declared_lifetime_days=days,
        lifetime_days=None if days is None else min(days, 400.0),
        setter_url=setter,
    )


def demo_requests(page: str) -> list[Request]:
    return [
        req(f"{SITE}/static/app.js", page),
        req("https://www.googletagmanager.com/gtag/js?id=G-DEMO1234", page),
        req(
            "https://region1.google-analytics.com/g/collect?v=2&tid=G-DEMO1234&cid=123456789.1700000000",
            page,
            "ping",
            "send_beacon",
        ),
        req("https://www.googleadservices.com/pagead/conversion.js", page),
        req(
            "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123456/?random=1&cv=11",
            page,
            "image",
            "pixel_1x1",
        ),
        req("https://connect.facebook.net/en_US/fbevents.js", page),
        req("https://www.facebook.com/tr/?id=1234567890&ev=PageView", page, "image", "pixel_1x1"),
        req("https://static.criteo.net/js/ld/publishertag.js", page),
        req("https://gum.criteo.com/sync?c=72&r=1&a=1", page, "image"),
        req("https://dis.criteo.com/dis/usersync.aspx?r=7&p=3", page, "image", "pixel_1x1"),
        req("https://bat.bing.com/bat.js", page),
        req("https://bat.bing.com/action/0?ti=5555555&evt=pageLoad", page, "image"),
        req("https://snap.licdn.com/li.lms-analytics/insight.min.js", page),
        req("https://px.ads.linkedin.com/collect?v=2&fmt=gif&pid=98765", page, "image", "pixel_1x1"),
        req("https://secure.quantserve.com/quant.js", page),
        req("https://pixel.quantserve.com/pixel;r=1;a=p-DEMO", page, "image", "pixel_1x1"),
        req("https://static.hotjar.com/c/hotjar-3210.js?sv=6", page),
        req("https://in.hotjar.com/api/v2/client/sites/3210/visit-data?sv=6", page, "xhr"),
        req("https://cdn.pixelmetrics-demo.io/pm.js", page),
        req(
            "https://t.pixelmetrics-demo.io/collect?uid=9f86d081884c7d65&sid=ab12cd34&ev=pageview",
            page,
            "image",
            "pixel_1x1",
        ),
        req(
            "https://t.pixelmetrics-demo.io/collect?uid=9f86d081884c7d65&ev=engagement",
            page,
            "ping",
            "send_beacon",
        ),
        req("https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js", page),
        req("https://fonts.googleapis.com/css2?family=Inter&display=swap", page, "stylesheet"),
        req("https://fonts.gstatic.com/s/inter/v13/UcCO3Fw.woff2", page, "font"),
        req("https://www.youtube.com/embed/dQw4w9WgXcQ", page, "document"),
    ]


def demo_cookies() -> list[Cookie]:
    gtag = "https://www.googletagmanager.com/gtag/js?id=G-DEMO1234"
    return [
        cookie("_ga", ".example.com", 2 * YEAR, setter=gtag),
        cookie("_ga_DEMO1234", ".example.com", 2 * YEAR, setter=gtag),
        cookie("_gcl_au", ".example.com", 90),
        cookie("IDE", ".doubleclick.net", 390, "http"),
        cookie("_fbp", ".example.com", 90),
        cookie("fr", ".facebook.com", 90, "http"),
        cookie("cto_bundle", ".example.com", 396),
        cookie("uid", ".criteo.com", 396, "http"),
        cookie("_uetsid", ".example.com", 1),
        cookie("_uetvid", ".example.com", 390),
        cookie("MUID", ".bing.com", 390, "http"),
        cookie("bcookie", ".linkedin.com", YEAR, "http"),
        cookie("li_sugr", ".linkedin.com", 90, "http"),
        cookie("__qca", ".example.com", 390),
        cookie("mc", ".quantserve.com", 390, "http"),
        cookie("_hjSessionUser_3210", ".example.com", YEAR),
        cookie("_hjSession_3210", ".example.com", 30 / 1440),
        cookie("pm_uid", ".pixelmetrics-demo.io", YEAR, "http"),
        cookie("VISITOR_INFO1_LIVE", ".youtube.com", 180, "http"),
        cookie("YSC", ".youtube.com", None, "http"),
        cookie("sessionid", "www.example.com", None, "http"),
        cookie("csrftoken", "www.example.com", YEAR, "http"),
        cookie("session", ".example.com", 2 * YEAR, setter=f"{SITE}/static/app.js"),
        cookie("theme", ".example.com", YEAR, setter=f"{SITE}/static/app.js"),
    ]


def demo_storage() -> list[StorageItem]:
    def item(origin: str, kind: str, key: str) -> StorageItem:
        dom = registrable_domain(host_of(origin))
        return StorageItem(
            origin=origin,
            kind=kind,  # type: ignore[arg-type]
            key=key,
            page_url=PAGES[0],
            registrable_domain=dom,
            third_party=dom != "example.com",
        )

    return [
        item(SITE, "local", "_hjLocalStorageTest"),
        item(SITE, "session", "hjViewportId"),
        item("https://www.youtube.com", "local", "yt-player-bandwidth"),
        item("https://www.youtube.com", "local", "yt-remote-device-id"),
        item(SITE, "local", "cart"),
    ]


def demo_world() -> ScanResult:
    meta = ScanMeta(tool_version="test", start_urls=(f"{SITE}/",), started_at="2026-11-25T13:00:00Z")
    return ScanResult(
        meta=meta,
        pages=tuple(Page(url=p, depth=i, status=200) for i, p in enumerate(PAGES)),
        requests=tuple(r for p in PAGES for r in demo_requests(p)),
        cookies=tuple(demo_cookies()),
        storage=tuple(demo_storage()),
    )


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


@pytest.fixture(scope="module")
def attributed(catalog):
    return attribute(demo_world(), catalog)


@pytest.fixture(scope="module")
def compared(attributed, catalog):
    return compare(attributed, load_declared_csv(VENDORS_CSV), catalog)


def statuses(result: ScanResult) -> dict[str, str]:
    return {f.vendor: f.status for f in result.findings}


def test_seed_vendors_csv_gives_exactly_the_expected_findings(compared):
    assert statuses(compared) == {
        "Google Analytics": "declared",
        "Google Ads": "declared",
        "DoubleClick": "declared",
        "Criteo": "declared",
        "Microsoft Advertising": "declared",
        "Quantcast": "declared",
        "LinkedIn": "declared",
        "Facebook": "mismatch",
        "example.com (first party)": "mismatch",
        "Hotjar": "undeclared",
        "YouTube": "undeclared",
        "pixelmetrics-demo.io": "undeclared",
        "Capterra": "not_observed",
        "GetApp": "not_observed",
        "Acquisio": "not_observed",
        "Magnite": "not_observed",
        "Magnetic": "not_observed",
        "ShareASale": "not_observed",
        "Bizible": "not_observed",
    }
    assert compared.summary == {"undeclared": 3, "mismatch": 2, "not_observed": 7, "declared": 7}
    assert len(compared.findings) == len(statuses(compared))  # one finding per vendor


def test_two_declared_rows_for_one_vendor_share_a_finding(compared):
    dc = next(f for f in compared.findings if f.vendor == "DoubleClick")
    assert dc.declared_name == "Google Interest Based Ads; Doubleclick"
    assert [c["name"] for c in dc.evidence.cookies] == ["IDE"]


def test_facebook_purpose_mismatch_names_the_advertising_evidence(compared):
    fb = next(f for f in compared.findings if f.vendor == "Facebook")
    assert fb.reasons == ("purpose",)
    assert fb.declared_name == "Facebook"
    assert "declared for social" in fb.detail and "observed advertising" in fb.detail
    assert "www.facebook.com/tr/" in fb.detail and "cookie _fbp" in fb.detail
    assert {b["url"].split("?")[0] for b in fb.evidence.beacons} == {"https://www.facebook.com/tr/"}
    assert {c["name"] for c in fb.evidence.cookies} == {"_fbp", "fr"}
    assert fb.evidence.pages == PAGES


def test_first_party_session_cookie_that_lives_two_years_is_a_lifetime_mismatch(compared):
    site = next(f for f in compared.findings if f.vendor == "example.com (first party)")
    assert site.reasons == ("lifetime", "cookie-name")
    assert [c["name"] for c in site.evidence.cookies] == ["session"]
    assert "session lives 2 years" in site.detail


def test_unknown_tracker_is_named_by_its_domain_with_its_behaviour(compared):
    pm = next(f for f in compared.findings if f.vendor == "pixelmetrics-demo.io")
    assert pm.unknown is True and pm.reasons == ("unknown",)
    assert "beacon" in pm.detail and "third-party cookie" in pm.detail and "identifier in URL" in pm.detail
    assert [c["name"] for c in pm.evidence.cookies] == ["pm_uid"]
    assert len(pm.evidence.beacons) == 4  # pixel + sendBeacon on each of two pages


def test_harmless_cdn_and_fonts_are_listed_but_not_trackers_nor_findings(attributed, compared):
    rows = {v["name"]: v for v in attributed.vendors}
    for name in ("Cloudflare CDN", "Google Fonts"):
        assert rows[name]["tracker"] is False and rows[name]["third_party_host"] is True
        assert name not in statuses(compared)
    assert rows["pixelmetrics-demo.io"]["unknown"] is True and rows["pixelmetrics-demo.io"]["tracker"] is True
    assert rows["YouTube"]["storage"] == 2 and rows["YouTube"]["cookies"] == 2


def test_every_third_party_item_gets_a_vendor_and_first_party_ones_do_not(attributed):
    for r in attributed.requests:
        assert (r.vendor is not None) == r.third_party, r.url
        assert (r.vendor_reason is not None) == r.third_party
    by_name = {c.name: c for c in attributed.cookies}
    assert by_name["_ga"].vendor == "Google Analytics" and by_name["_ga"].vendor_reason == "cookie name _ga"
    assert by_name["_ga_DEMO1234"].vendor_reason == "cookie name _ga_*"
    assert by_name["IDE"].vendor == "DoubleClick" and "doubleclick.net" in by_name["IDE"].vendor_reason
    assert by_name["cto_bundle"].vendor == "Criteo"
    assert by_name["_hjSession_3210"].vendor_reason == "cookie name _hjSession_*"
    for first in ("sessionid", "csrftoken", "session", "theme"):
        assert by_name[first].vendor is None
    keys = {s.key: s.vendor for s in attributed.storage}
    assert keys == {
        "_hjLocalStorageTest": "Hotjar",
        "hjViewportId": "Hotjar",
        "yt-player-bandwidth": "YouTube",
        "yt-remote-device-id": "YouTube",
        "cart": None,
    }


def test_known_pixel_endpoints_become_beacons(attributed):
    bing = [r for r in attributed.requests if r.url.startswith("https://bat.bing.com/action/")]
    assert bing and all(r.is_beacon and r.beacon_reason == "known_endpoint" for r in bing)
    ga = [r for r in attributed.requests if "g/collect" in r.url]
    assert all(r.beacon_reason == "send_beacon" for r in ga)  # the crawler's reason is kept
    gtag = next(r for r in attributed.requests if "gtag/js" in r.url)
    assert gtag.vendor == "Google Analytics" and not gtag.is_beacon


def test_without_vendors_csv_every_tracker_is_undeclared(attributed, catalog):
    result = compare(attributed, None, catalog)
    undeclared = {f.vendor for f in result.findings if f.status == "undeclared"}
    assert undeclared == {
        "Google Analytics",
        "Google Ads",
        "DoubleClick",
        "Facebook",
        "Criteo",
        "Microsoft Advertising",
        "LinkedIn",
        "Quantcast",
        "Hotjar",
        "YouTube",
        "pixelmetrics-demo.io",
    }
    assert result.summary["declared"] == 0 and result.summary["not_observed"] == 0


def test_site_row_declares_first_party_cookies_and_checks_their_lifetime(attributed, catalog):
    rows = parse_declared_csv(
        "name,purpose,privacy_policy,cookies,lifetime\n"
        "Example site,Login and preferences,https://www.example.com/privacy,session;sessionid,session\n"
        "PixelMetrics,Audience measurement,https://pixelmetrics-demo.io/privacy,,\n"
    )
    rows[1] = rows[1].__class__(**{**rows[1].__dict__, "domains": ("pixelmetrics-demo.io",)})
    result = compare(attributed, rows, catalog)
    site = next(f for f in result.findings if f.vendor == "example.com (first party)")
    assert site.status == "mismatch" and site.reasons == ("lifetime",)
    assert site.declared_name == "Example site"
    assert "cookie session is declared a session cookie but lives 2 years" in site.detail
    assert {c["name"] for c in site.evidence.cookies} == {"session", "sessionid"}
    pm = next(f for f in result.findings if f.vendor == "pixelmetrics-demo.io")
    assert pm.status == "declared" and pm.declared_name == "PixelMetrics"


def test_declared_lifetime_far_below_the_observed_one_is_a_mismatch(attributed, catalog):
    rows = parse_declared_csv(
        "name,purpose,lifetime\nCriteo,Retargeting ads,30 days\nQuantcast,Ads,13 months\n"
    )
    found = {f.vendor: f for f in compare(attributed, rows, catalog).findings}
    assert found["Criteo"].status == "mismatch" and found["Criteo"].reasons == ("lifetime",)
    assert "cookie cto_bundle lives 396 days, declared 30 days" in found["Criteo"].detail
    assert found["Quantcast"].status == "declared"  # 390 days is within 13 months


def test_parent_company_row_covers_all_its_vendors(attributed, catalog):
    rows = parse_declared_csv("name,purpose\nGoogle,Analytics and advertising\n")
    found = {f.vendor: f for f in compare(attributed, rows, catalog).findings}
    for name in ("Google Analytics", "Google Ads", "DoubleClick"):
        assert found[name].status == "declared" and found[name].declared_name == "Google"
    assert found["YouTube"].status == "mismatch"  # declared for analytics/advertising, observed video
    assert found["Facebook"].status == "undeclared"


def test_unresolvable_name_is_reported(attributed, catalog):
    rows = parse_declared_csv("name,purpose\nAcme Widgets Ltd,Something\n")
    f = next(f for f in compare(attributed, rows, catalog).findings if f.vendor == "Acme Widgets Ltd")
    assert f.status == "not_observed" and f.reasons == ("unresolved",)
    assert "not in the vendor catalog" in f.detail


def test_findings_round_trip_through_json(compared):
    again = ScanResult.from_dict(compared.to_dict())
    assert again.findings == compared.findings and again.summary == compared.summary
    assert again.vendors == compared.vendors
