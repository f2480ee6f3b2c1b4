"""Issue 10, points 4 and 5: no invented vendors, and the real vendors named.

Every case is a synthetic crawl (records as the collectors and the cookie merge write them) run
through the real ``attribute()`` + ``compare()`` with the shipped catalog. The cookies and hosts of
each vendor are the ones its own documentation (and the Open Cookie Database) lists.
"""

from __future__ import annotations

import json

import pytest
from report_factory import SITE, T0, analysed, cookie, meta, page, request

from scanner.catalog import load_catalog
from scanner.collect.beacons import TINY_IMAGE_BYTES, classify_image
from scanner.errors import BadInput
from scanner.model import ScanResult

HOME = SITE + "/"
NOTHING = {"undeclared": 0, "mismatch": 0, "not_observed": 0, "declared": 0}


def crawl(requests=(), cookies=()) -> ScanResult:
    """One page of www.example.com with these requests and cookies, as the crawler records them."""
    doc = request(HOME, HOME, "document", T0, content_type="text/html")
    return ScanResult(
        meta=meta(),
        pages=(page("/", 0, "Home", 0),),
        requests=(doc, *requests),
        cookies=tuple(cookies),
    )


def csv(*names: str) -> str:
    return "name,purpose,privacy_policy\n" + "".join(
        f"{n},Analytics,https://example.org/privacy\n" for n in names
    )


def findings(result: ScanResult) -> dict[str, tuple[str, bool]]:
    return {f.vendor: (f.status, f.unknown) for f in result.findings}


def vendor_of(result: ScanResult) -> dict[str, str | None]:
    names = {c.name: c.vendor for c in result.cookies}
    names.update({r.url: r.vendor for r in result.requests})
    return names


# ---- 4a: refused writes are evidence of their setter, never vendors of their own ----------------


@pytest.mark.parametrize("suffix", [".co.uk", ".com", ".de"])
def test_a_refused_write_to_a_public_suffix_invents_no_vendor(suffix):
    rum = "https://cdn.rum-probe.io/rum.js"
    probes = [
        cookie("_rp_tld", suffix, HOME, None, in_jar=False, set_by="js", setter_url=rum),
        cookie("tld_probe", suffix, HOME, None, in_jar=False, set_by="js", setter_url=HOME),
        cookie("x", suffix, HOME, None, in_jar=False, set_by="js"),
    ]
    result = analysed(crawl([request(rum, HOME, "script", T0 + 1)], probes), None)
    assert [c.vendor for c in result.cookies] == [None, None, None]
    assert suffix.lstrip(".") not in {v["name"] for v in result.vendors}
    assert result.findings == () and result.summary == NOTHING


def test_a_refused_write_belongs_to_its_setter_script():
    hotjar = "https://static.hotjar.com/c/hotjar-3512.js?sv=6"
    probe = cookie("_hjTLDTest", ".co.uk", HOME, None, in_jar=False, set_by="js", setter_url=hotjar)
    unnamed = cookie("probe", ".co.uk", HOME, None, in_jar=False, set_by="js", setter_url=hotjar)
    result = analysed(crawl([request(hotjar, HOME, "script", T0 + 1)], [probe, unnamed]), None)
    assert vendor_of(result)["_hjTLDTest"] == vendor_of(result)["probe"] == "Hotjar"
    assert findings(result) == {"Hotjar": ("undeclared", False)}


def test_a_refused_probe_is_named_by_its_name_then_by_its_setters_endpoint():
    gtag = "https://www.googletagmanager.com/gtag/js?id=G-ABC123"
    probes = [
        cookie("_ga", ".co.uk", HOME, 730.0, in_jar=False, set_by="js", setter_url=gtag),
        cookie("_gtag_probe", ".co.uk", HOME, None, in_jar=False, set_by="js", setter_url=gtag),
    ]
    result = analysed(crawl([request(gtag, HOME, "script", T0 + 1)], probes), None)
    assert [c.vendor for c in result.cookies] == ["Google Analytics", "Google Analytics"]
    assert (
        result.cookies[1].vendor_reason
        == "set by a script of Google Analytics (endpoint googletagmanager.com/gtag/js?id=G-*)"
    )
    assert findings(result) == {"Google Analytics": ("undeclared", False)}


def test_a_refused_third_party_set_cookie_still_marks_its_unknown_sender():
    # blocked third-party cookies: the sender tried to set one, which is its behaviour, not the domain's
    sync = "https://sync.tracky-metrics.net/s?p=1"
    refused = cookie("tid", ".co.uk", HOME, 365.0, in_jar=False, set_by="http", setter_url=sync)
    result = analysed(crawl([request(sync, HOME, "image", T0 + 1)], [refused]), None)
    assert vendor_of(result)["tid"] == "tracky-metrics.net"
    assert findings(result) == {"tracky-metrics.net": ("undeclared", True)}


# ---- 4b: generic cookie names need the vendor's host or script ---------------------------------


def test_a_generic_first_party_cookie_name_names_no_vendor():
    result = analysed(crawl(cookies=[cookie("test_cookie", ".example.com", HOME, 1 / 96)]), None)
    assert vendor_of(result)["test_cookie"] is None
    assert result.findings == () and result.summary == NOTHING


def test_a_generic_name_with_its_vendors_host_or_script_names_the_vendor():
    gpt = "https://securepubads.g.doubleclick.net/tag/js/gpt.js"
    result = analysed(
        crawl(
            [request(gpt, HOME, "script", T0 + 1)],
            [
                cookie("test_cookie", ".doubleclick.net", HOME, 1 / 96, same_site="None"),
                cookie("ar_debug", ".example.com", HOME, 30.0, setter_url=gpt),
            ],
        ),
        None,
    )
    assert result.cookies[0].vendor == result.cookies[1].vendor == "DoubleClick"
    assert result.cookies[1].vendor_reason.startswith("set by a script of DoubleClick")
    assert findings(result) == {"DoubleClick": ("undeclared", False)}


def test_generic_names_are_marked_in_the_curated_layer():
    catalog = load_catalog()
    generic = {r.pattern for v in catalog.vendors for r in v.cookies if r.generic}
    assert {"test_cookie", "ar_debug", "wt_*"} <= generic
    assert catalog.match_cookie("test_cookie", ".example.com", True) is None
    assert catalog.match_cookie("wt_session", ".example.com", True) is None
    assert catalog.match_cookie("test_cookie", ".doubleclick.net", False).vendor.name == "DoubleClick"


# ---- 4c: a small icon is a picture, not a beacon -------------------------------------------------


def test_a_16x16_icon_under_100_bytes_is_no_beacon():
    assert classify_image((16, 16), 70) is None
    assert classify_image((16, 16), TINY_IMAGE_BYTES - 1) is None
    assert classify_image((1, 1), 43) == "pixel_1x1"
    assert classify_image((2, 2), 70) == "tiny_image"
    assert classify_image((0, 0), 30) == "tiny_image"  # zero-size
    assert classify_image(None, 0) == "tiny_image"  # nothing to measure: an empty "image" is a beacon


# ---- 5: the real vendors, attributed once ---------------------------------------------------------


PIWIK_PRO = [
    request(
        "https://acme.containers.piwik.pro/0a1b2c3d-4e5f-6789-abcd-ef0123456789.js", HOME, "script", T0 + 1
    ),
    request("https://acme.containers.piwik.pro/ppms.js", HOME, "script", T0 + 1.1),
    request(
        "https://acme.piwik.pro/ppms.php?idsite=0a1b2c3d&rec=1&_id=9f86d081884c7d65&action_name=Home",
        HOME,
        "ping",
        T0 + 1.5,
        is_beacon=True,
        beacon_reason="send_beacon",
    ),
]
PIWIK_PRO_COOKIES = [
    cookie("_pk_id.0a1b2c3d.1fff", ".example.com", HOME, 395.0),
    cookie("_pk_ses.0a1b2c3d.1fff", ".example.com", HOME, 1 / 48),
    cookie("ppms_privacy_0a1b2c3d", ".example.com", HOME, 365.0),
    cookie("stg_last_interaction", ".example.com", HOME, 365.0),
    cookie("stg_returning_visitor", ".example.com", HOME, 365.0),
]


def test_piwik_pro_is_named_and_its_pk_cookies_are_not_matomos():
    result = analysed(crawl(PIWIK_PRO, PIWIK_PRO_COOKIES), None)
    assert {c.name: c.vendor for c in result.cookies} == dict.fromkeys(
        (c.name for c in PIWIK_PRO_COOKIES), "Piwik PRO"
    )
    assert {r.vendor for r in result.requests[1:]} == {"Piwik PRO"}
    assert findings(result) == {"Piwik PRO": ("undeclared", False)}
    declared = analysed(crawl(PIWIK_PRO, PIWIK_PRO_COOKIES), csv("Piwik PRO"))
    assert findings(declared) == {"Piwik PRO": ("declared", False)}


def test_pk_cookies_set_by_a_self_hosted_piwik_pro_script():
    ppms = SITE + "/analytics/ppms.js"
    pk = cookie("_pk_id.5.1fff", ".example.com", HOME, 395.0, setter_url=ppms)
    result = analysed(crawl([request(ppms, HOME, "script", T0 + 1)], [pk]), None)
    assert vendor_of(result)["_pk_id.5.1fff"] == "Piwik PRO"
    assert findings(result) == {"Piwik PRO": ("undeclared", False)}


def test_pk_cookies_alone_are_matomo_or_piwik_pro():
    pk = [
        cookie("_pk_id.1.1fff", ".example.com", HOME, 395.0),
        cookie("_pk_ses.1.1fff", ".example.com", HOME, 0.02),
    ]
    result = analysed(crawl(cookies=pk), None)
    assert {c.vendor for c in result.cookies} == {"Matomo or Piwik PRO"}
    assert findings(result) == {"Matomo or Piwik PRO": ("undeclared", False)}
    row = next(v for v in result.vendors if v["name"] == "Matomo or Piwik PRO")
    assert row["unknown"] is False and row["category"] == "analytics"
    for declared_as in ("Matomo", "Piwik PRO"):  # either declaration covers the ambiguous evidence
        got = analysed(crawl(cookies=pk), csv(declared_as))
        assert findings(got) == {"Matomo or Piwik PRO": ("declared", False)}
        assert got.findings[0].declared_name == declared_as


@pytest.mark.parametrize(
    ("script", "collect"),
    [
        (SITE + "/matomo/matomo.js", SITE + "/matomo/matomo.php"),  # on the site's own host
        ("https://stats.shop-stats.de/piwik.js", "https://stats.shop-stats.de/piwik.php"),  # its own server
    ],
)
def test_self_hosted_matomo_is_attributed_once(script, collect):
    hit = f"{collect}?idsite=1&rec=1&_id=9f86d081884c7d65&url=https%3A%2F%2Fwww.example.com%2F"
    reqs = [
        request(script, HOME, "script", T0 + 1),
        request(hit, HOME, "ping", T0 + 1.5, method="POST", is_beacon=True, beacon_reason="send_beacon"),
    ]
    cookies = [
        cookie("_pk_id.1.1fff", ".example.com", HOME, 395.0, setter_url=script),
        cookie("_pk_ses.1.1fff", ".example.com", HOME, 0.02),  # no setter known: the page's Matomo decides
        cookie("mtm_consent", ".example.com", HOME, 10_000.0),
    ]
    result = analysed(crawl(reqs, cookies), None)
    assert findings(result) == {"Matomo": ("undeclared", False)}
    assert {c.vendor for c in result.cookies} == {"Matomo"}
    assert [r.vendor for r in result.requests[1:]] == ["Matomo", "Matomo"]
    assert result.requests[1].vendor_reason == "path /" + script.rsplit("/", 1)[1] + (
        " (self-hosted Matomo tracker" + (")" if script.endswith("matomo.js") else " (its name before 2018))")
    )
    assert [v["name"] for v in result.vendors if v["tracker"]] == ["Matomo"]
    assert findings(analysed(crawl(reqs, cookies), csv("Matomo"))) == {"Matomo": ("declared", False)}


def test_siteimprove_is_one_analytics_vendor():
    reqs = [
        request("https://siteimproveanalytics.com/js/siteanalyze_6005467.js", HOME, "script", T0 + 1),
        request(
            "https://6005467.global.siteimproveanalytics.io/image.aspx?accountid=6005467&prev=&url=x",
            HOME,
            "image",
            T0 + 1.5,
            is_beacon=True,
            beacon_reason="pixel_1x1",
            image_size=(1, 1),
        ),
    ]
    cookies = [
        cookie("nmstat", ".example.com", HOME, 1000.0),
        cookie("siteimproveses", ".example.com", HOME, None),
    ]
    result = analysed(crawl(reqs, cookies), None)
    assert findings(result) == {"Siteimprove": ("undeclared", False)}
    assert {c.vendor for c in result.cookies} == {r.vendor for r in result.requests[1:]} == {"Siteimprove"}
    assert not [v for v in result.vendors if v["unknown"]]


def test_dynatrace_agent_cookies_and_beacons():
    agent = SITE + "/ruxitagentjs_ICA27NVfqrux_10263230921131557.js"
    reqs = [
        request(agent, HOME, "script", T0 + 1),
        request(
            "https://bf12345abc.bf.dynatrace.com/bf?type=js3&sn=v_4_srv_1&app=ea7c4b59f27d43eb",
            HOME,
            "xhr",
            T0 + 2,
        ),
        request(
            "https://js-cdn.dynatrace.com/jstag/abc/ruxitagent_ICA27NVfqrux_10263230921131557.js",
            HOME,
            "script",
            0,
        ),
    ]
    names = ("dtCookie", "rxVisitor", "dtPC", "dtSa", "rxvt", "dtLatC")
    cookies = [cookie(n, ".example.com", HOME, None if n != "rxVisitor" else 730.0) for n in names]
    result = analysed(crawl(reqs, cookies), None)
    assert {c.vendor for c in result.cookies} == {r.vendor for r in result.requests[1:]} == {"Dynatrace"}
    assert findings(result) == {"Dynatrace": ("undeclared", False)}


def test_webtrekk_mapp_cookies_and_hosts():
    reqs = [
        request(
            "https://responder.wt-safetag.com/resp/api/get/123456789012345?url=https%3A%2F%2Fx",
            HOME,
            "script",
            1,
        ),
        request("https://acme01.wt-eu02.net/123456789012345/wt?p=441,home,0,0,0,0,0", HOME, "image", T0 + 2),
        request("https://q3.webtrekk.net/123456789012345/wt?p=441,home", HOME, "image", T0 + 3),
    ]
    cookies = [
        cookie("wteid_123456789012345", ".example.com", HOME, 180.0),
        cookie("wtsid_123456789012345", ".example.com", HOME, None),
        cookie("wt3_eid", ".example.com", HOME, 180.0),
        cookie("wt_rla", ".example.com", HOME, None),
        cookie("wt_geid", ".wt-eu02.net", HOME, 180.0, same_site="None"),
    ]
    result = analysed(crawl(reqs, cookies), None)
    assert {c.vendor for c in result.cookies} == {r.vendor for r in result.requests[1:]} == {"Webtrekk"}
    assert findings(result) == {"Webtrekk": ("undeclared", False)}
    assert findings(analysed(crawl(reqs, cookies), csv("Mapp Intelligence"))) == {
        "Webtrekk": ("declared", False)
    }


def test_ab_tasty_cookies():
    reqs = [request("https://try.abtasty.com/0123456789abcdef0123456789abcdef.js", HOME, "script", T0 + 1)]
    cookies = [
        cookie("ABTasty", ".example.com", HOME, 395.0),
        cookie("ABTastySession", ".example.com", HOME, None),
    ]
    result = analysed(crawl(reqs, cookies), None)
    assert {c.vendor for c in result.cookies} == {"AB Tasty"}
    assert findings(result) == {"AB Tasty": ("undeclared", False)}


@pytest.mark.parametrize(
    ("vendor", "reqs", "cookies"),
    [
        (
            "Hotjar",
            [
                "https://static.hotjar.com/c/hotjar-3512.js?sv=6",
                "https://script.hotjar.com/modules.1a2b3c.js",
            ],
            ["_hjSessionUser_3512", "_hjSession_3512", "_hjCookieTest", "_hjHasCachedUserAttributes"],
        ),
        (
            "LinkedIn",
            [
                "https://snap.licdn.com/li.lms-analytics/insight.min.js",
                "https://px.ads.linkedin.com/collect?pid=1&fmt=gif",
            ],
            [
                "li_fat_id",
                "li_giant",
                "ln_or",
                "oribi_cookie_test",
                ("bcookie", ".linkedin.com"),
                ("lms_ads", ".linkedin.com"),
            ],
        ),
        (
            "DoubleClick",  # AdSense
            ["https://pagead2.googlesyndication.com/pagead/js/adsbygoogle.js?client=ca-pub-1234567890"],
            ["__gads", "__gpi", "__eoi", "__gsas", ("IDE", ".doubleclick.net")],
        ),
        (
            "Google Analytics",  # GA4 through gtag.js; the GTM container is a tag manager, no tracker
            [
                "https://www.googletagmanager.com/gtm.js?id=GTM-ABC123",
                "https://www.googletagmanager.com/gtag/js?id=G-ABC123",
                "https://region1.google-analytics.com/g/collect?v=2&tid=G-ABC123&cid=123456789.1700000000",
            ],
            ["_ga", "_ga_ABC123"],
        ),
    ],
)
def test_documented_cookies_and_hosts_name_the_vendor(vendor, reqs, cookies):
    records = [request(u, HOME, "script", T0 + i) for i, u in enumerate(reqs)]
    jar = [cookie(*(c if isinstance(c, tuple) else (c, ".example.com")), HOME, 365.0) for c in cookies]
    result = analysed(crawl(records, jar), None)
    assert {c.name: c.vendor for c in result.cookies} == {c.name: vendor for c in jar}
    assert findings(result) == {vendor: ("undeclared", False)}
    if vendor == "Google Analytics":
        assert result.requests[1].vendor == "Google Tag Manager"
        rows = (
            "name,purpose,privacy_policy,category\n"
            "Google Analytics,Statistics,https://policies.google.com,analytics\n"
            "Google Tag Manager,Loads our tags,https://policies.google.com,tag-manager\n"
        )
        declared = analysed(crawl(records, jar), rows)
        assert findings(declared) == {
            "Google Analytics": ("declared", False),
            "Google Tag Manager": ("declared", False),
        }


# ---- the catalog format for these rules -----------------------------------------------------------


def test_a_user_layer_can_use_paths_generic_names_and_shared_names(tmp_path):
    layer = tmp_path / "mine.json"
    layer.write_text(
        json.dumps(
            {
                "format": "scanner-catalog/1",
                "vendors": [
                    {
                        "name": "Acme RUM",
                        "categories": ["analytics"],
                        "paths": ["/acme-rum.js"],
                        "cookies": ["acme_v", {"pattern": "probe", "generic": True}],
                    },
                    {"name": "Acme Beta", "categories": ["analytics"], "domains": ["*.acme-beta.io"]},
                    {
                        "name": "Acme RUM or Acme Beta",
                        "categories": ["analytics"],
                        "either": ["Acme RUM", "Acme Beta"],
                        "cookies": ["acme_shared"],
                    },
                ],
            }
        ),
        encoding="utf-8",
    )
    catalog = load_catalog([layer])
    assert (
        catalog.match_url("https://www.example.com/js/acme-rum.js", first_party=True).vendor.name
        == "Acme RUM"
    )
    assert catalog.match_cookie("probe", ".example.com", True) is None
    assert catalog.vendor("Acme RUM or Acme Beta").either == ("Acme RUM", "Acme Beta")
    for bad in ({"paths": ["/a/b.js"]}, {"paths": ["/*"]}, {"cookies": [{"pattern": "x", "generic": "yes"}]}):
        layer.write_text(json.dumps([{"name": "Bad", **bad}]), encoding="utf-8")
        with pytest.raises(BadInput):
            load_catalog([layer])
