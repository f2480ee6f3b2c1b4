"""Catalog lookups (subdomains, cookie patterns, aliases, endpoints) and user catalog layers."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.catalog import load_catalog
from scanner.catalog.categories import categories_in_text, normalize_category
from scanner.catalog.lifetimes import describe_days, parse_lifetime
from scanner.catalog.patterns import NamePatternIndex
from scanner.errors import BadInput


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def vendor_of_host(catalog, host):
    m = catalog.match_host(host)
    return m.vendor.name if m else None


@pytest.mark.parametrize(
    ("host", "vendor"),
    [
        ("google-analytics.com", "Google Analytics"),  # "*.x" covers x itself
        ("region1.google-analytics.com", "Google Analytics"),
        ("a.b.c.google-analytics.com", "Google Analytics"),
        ("googleads.g.doubleclick.net", "DoubleClick"),
        ("www.googleadservices.com", "Google Ads"),  # split out of third-party-web's Google/Doubleclick Ads
        ("adservice.google.com", "DoubleClick"),  # exact host beats the *.google.com wildcard
        ("maps.google.com", "Google Maps"),
        ("www.google.com", "Other Google APIs/SDKs"),
        ("mail.google.com", "Google"),
        ("bat.bing.com", "Microsoft Advertising"),
        ("www.microsoft.com", "Microsoft"),  # no longer "Bing Ads"
        ("snap.licdn.com", "LinkedIn"),
        ("px.ads.linkedin.com", "LinkedIn"),
        ("cdnjs.cloudflare.com", "Cloudflare CDN"),
        ("fonts.gstatic.com", "Google Fonts"),
        ("GOOGLE-ANALYTICS.COM.", "Google Analytics"),
        ("notgoogle-analytics.com", None),  # suffix match is by label, not by string
        ("google-analytics.com.evil.example", None),
        ("pixelmetrics-demo.io", None),
        ("", None),
    ],
)
def test_host_lookup(catalog, host, vendor):
    assert vendor_of_host(catalog, host) == vendor


def test_vendor_for_host_gives_a_reason(catalog):
    vendor, reason = catalog.vendor_for_host("stats.g.doubleclick.net")
    assert vendor.name == "DoubleClick" and vendor.parent == "Google" and reason == "domain *.doubleclick.net"
    assert catalog.vendor_for_host("unknown.example") == (None, "no catalog entry")


@pytest.mark.parametrize(
    ("name", "domain", "first_party", "vendor", "reason"),
    [
        ("_ga", ".example.com", True, "Google Analytics", "cookie name _ga"),
        ("_ga_ABC123", ".example.com", True, "Google Analytics", "cookie name _ga_*"),
        ("_gat_UA-1-1", ".example.com", True, "Google Analytics", "cookie name _gat_*"),
        ("_gcl_au", ".example.com", True, "Google Ads", "cookie name _gcl_au"),
        ("_fbp", ".example.com", True, "Facebook", "cookie name _fbp"),
        ("cto_bundle", ".shop.example", True, "Criteo", "cookie name cto_bundle"),
        ("_hjSessionUser_42", ".example.com", True, "Hotjar", "cookie name _hjSessionUser_*"),
        ("_hjSession_42", ".example.com", True, "Hotjar", "cookie name _hjSession_*"),
        ("_hjSomethingNew", ".example.com", True, "Hotjar", "cookie name _hj*"),
        ("AMP_TOKEN", ".example.com", True, "Google Analytics", "cookie name AMP_TOKEN"),  # exact beats AMP_*
        ("AMP_abc", ".example.com", True, "Amplitude", "cookie name AMP_*"),
        ("IDE", ".doubleclick.net", False, "DoubleClick", "cookie IDE on *.doubleclick.net"),
        ("id", ".doubleclick.net", False, "DoubleClick", "cookie id on doubleclick.net"),
        ("uid", ".criteo.com", False, "Criteo", "cookie uid on criteo.com"),
        ("MUID", ".bing.com", False, "Microsoft Advertising", "cookie MUID on bing.com"),
        ("MUID", ".clarity.ms", False, "Microsoft Clarity", "cookie MUID on clarity.ms"),
        (
            "VISITOR_INFO1_LIVE",
            ".youtube.com",
            False,
            "YouTube",
            "cookie VISITOR_INFO1_LIVE on *.youtube.com",
        ),
        ("whatever", ".facebook.com", False, "Facebook", "cookie domain (domain *.facebook.com)"),
    ],
)
def test_cookie_lookup(catalog, name, domain, first_party, vendor, reason):
    m = catalog.match_cookie(name, domain, first_party)
    assert (m.vendor.name, m.reason) == (vendor, reason)


@pytest.mark.parametrize(
    ("name", "domain"),
    [
        ("id", ".example.com"),  # generic names are bound to their vendor's domain
        ("uid", ".example.com"),
        ("MUID", ".example.com"),
        ("sessionid", "www.example.com"),
        ("_g", ".example.com"),
        ("ga", ".example.com"),
    ],
)
def test_generic_first_party_cookies_stay_unattributed(catalog, name, domain):
    assert catalog.match_cookie(name, domain, True) is None


def test_first_party_domain_never_names_a_vendor(catalog):
    # scanning facebook.com itself: its own cookies are first party, not "Facebook the tracker"
    assert catalog.match_cookie("locale", ".facebook.com", True) is None
    assert catalog.match_cookie("fr", ".facebook.com", True).vendor.name == "Facebook"  # bound rule


def test_storage_lookup(catalog):
    assert catalog.match_storage("yt-remote-device-id").reason == "storage key yt-remote-*"
    assert catalog.match_storage("_hjLocalStorageTest").vendor.name == "Hotjar"
    assert catalog.match_storage("ajs_anonymous_id").vendor.name == "Segment"
    assert catalog.match_storage("anything", "www.youtube.com", True).vendor.name == "YouTube"
    assert catalog.match_storage("cart") is None
    assert catalog.vendor_for_storage("cart", "") == (None, "no catalog entry")


@pytest.mark.parametrize(
    ("url", "vendor", "beacon", "category"),
    [
        ("https://www.googletagmanager.com/gtag/js?id=G-ABC", "Google Analytics", False, None),
        ("https://www.googletagmanager.com/gtag/js?l=dl&id=AW-99", "Google Ads", False, None),
        ("https://www.googletagmanager.com/gtag/js?id=DC-12", "DoubleClick", False, None),
        ("https://www.googletagmanager.com/gtm.js?id=GTM-X", "Google Tag Manager", False, None),
        ("https://www.facebook.com/tr/?id=1&ev=PageView", "Facebook", True, "advertising"),
        ("https://www.facebook.com/plugins/like.php?href=x", "Facebook", False, "social"),
        ("https://connect.facebook.net/de_DE/sdk.js", "Facebook", False, "social"),
        ("https://connect.facebook.net/de_DE/fbevents.js", "Facebook", False, "advertising"),
        ("https://googleads.g.doubleclick.net/pagead/viewthroughconversion/1/?x", "Google Ads", True, None),
        ("https://googleads.g.doubleclick.net/pagead/id", "DoubleClick", False, None),
        ("https://pixel.quantserve.com/pixel;r=1;a=p-x", "Quantcast", True, None),
        ("https://px.ads.linkedin.com/collect?pid=1", "LinkedIn", True, "advertising"),
    ],
)
def test_url_lookup_prefers_endpoint_rules(catalog, url, vendor, beacon, category):
    m = catalog.match_url(url)
    assert (m.vendor.name, m.beacon, m.category) == (vendor, beacon, category)


@pytest.mark.parametrize(
    ("name", "vendor", "how"),
    [
        ("Google analytics", "Google Analytics", "exact"),
        ("GOOGLE   ANALYTICS.", "Google Analytics", "exact"),
        ("Adwords", "Google Ads", "alias"),
        ("Google AdWords", "Google Ads", "former-name"),
        ("Doubleclick", "DoubleClick", "exact"),
        ("Google Interest Based Ads", "DoubleClick", "alias"),
        ("Bizo", "LinkedIn", "former-name"),
        ("Bing", "Microsoft Advertising", "alias"),
        ("Bing Ads", "Microsoft Advertising", "former-name"),
        ("Chango", "Magnite", "former-name"),
        ("Rubicon Project", "Magnite", "former-name"),
        ("Meta Pixel", "Facebook", "alias"),
        ("Optanon", "OneTrust", "alias"),
        ("Piwik", "Piwik PRO", "alias"),  # third-party-web's "Piwik" is Piwik PRO (its domains), not Matomo
    ],
)
def test_names_aliases_and_former_names(catalog, name, vendor, how):
    found, resolution = catalog.find_name(name)
    assert (found.name, resolution) == (vendor, how)


def test_parents(catalog):
    google = {v.name for v in catalog.children_of("google")}
    assert {"Google Analytics", "Google Ads", "DoubleClick", "YouTube", "Google Tag Manager"} <= google
    assert {v.name for v in catalog.children_of("Meta Platforms")} >= {"Facebook", "Instagram"}
    assert "LinkedIn" in {v.name for v in catalog.children_of("Microsoft")}


def test_seed_vendors_are_all_in_the_catalog(catalog):
    for name in (
        "Capterra",
        "GetApp",
        "Acquisio",
        "Quantcast",
        "Magnetic",
        "ShareASale",
        "Bizible",
        "Criteo",
    ):
        assert catalog.vendor(name) is not None, name
    assert catalog.vendor("Google Ads").parent == catalog.vendor("DoubleClick").parent == "Google"


def test_every_domain_pattern_belongs_to_one_vendor(catalog):
    seen: dict[str, str] = {}
    for v in catalog.vendors:
        for d in v.domains:
            assert d not in seen, f"{d} in {seen.get(d)} and {v.name}"
            seen[d] = v.name


def test_catalog_version_names_its_layers(catalog):
    assert catalog.version.startswith("third-party-web-0.30.0+curated-")


# ---- user layers ---------------------------------------------------------------------------


def test_user_json_layer_adds_and_extends_vendors(tmp_path, catalog):
    path = tmp_path / "mine.json"
    path.write_text(
        json.dumps(
            {
                "vendors": [
                    {
                        "name": "PixelMetrics",
                        "category": "analytics",
                        "domains": ["*.pixelmetrics-demo.io"],
                        "cookies": ["pm_uid", {"pattern": "pm_s_*", "lifetime_days": 1}],
                        "endpoints": [{"url": "t.pixelmetrics-demo.io/collect", "beacon": True}],
                    },
                    {"name": "Meta Pixel", "cookies": ["_fbq_custom"]},  # alias: extends Facebook
                    {"name": "Google Fonts", "domains": ["fonts.example-cdn.net"]},
                ]
            }
        )
    )
    mine = load_catalog([path])
    assert mine.vendor_for_host("t.pixelmetrics-demo.io")[0].name == "PixelMetrics"
    assert mine.match_cookie("pm_s_1", ".example.com", True).vendor.name == "PixelMetrics"
    assert mine.match_url("https://t.pixelmetrics-demo.io/collect?uid=1").beacon is True
    assert mine.match_cookie("_fbq_custom", ".example.com", True).vendor.name == "Facebook"
    assert mine.vendor_for_host("fonts.example-cdn.net")[0].name == "Google Fonts"
    assert mine.vendor_for_host("fonts.gstatic.com")[0].name == "Google Fonts"  # still there
    assert mine.version.startswith(catalog.version + "+mine.json@")
    assert catalog.vendor_for_host("t.pixelmetrics-demo.io")[0] is None  # the shipped one is untouched


def test_user_layer_can_take_a_domain_from_a_vendor(tmp_path):
    path = tmp_path / "claim.json"
    path.write_text(json.dumps([{"name": "Our CDN", "category": "cdn", "domains": ["cdnjs.cloudflare.com"]}]))
    mine = load_catalog([path])
    assert mine.vendor_for_host("cdnjs.cloudflare.com")[0].name == "Our CDN"


def test_open_cookie_database_csv_layer(tmp_path):
    path = tmp_path / "ocd.csv"
    path.write_text(
        "ID,Platform,Category,Cookie / Data Key name,Domain,Description,Retention period,Data Controller,"
        "User Privacy & GDPR Rights Portals,Wildcard match\n"
        "1,Acme Analytics,Analytics,acme_id,acme.example (3rd party),Visitor id,2 years,Acme Inc,"
        "https://acme.example/privacy,0\n"
        "2,Acme Analytics,Analytics,acme_s_,,Session,session,Acme Inc,https://acme.example/privacy,1\n"
        "3,Acme Analytics,Marketing,ab,acme.example,Short,30 days,Acme Inc,,0\n",
        encoding="utf-8",
    )
    mine = load_catalog([path])
    acme = mine.vendor("Acme Analytics")
    assert acme.categories == ("analytics", "advertising") and acme.parent == "Acme Inc"
    assert mine.match_cookie("acme_id", ".shop.example", True).vendor is acme
    assert mine.match_cookie("acme_s_123", ".shop.example", True).reason == "cookie name acme_s_*"
    assert mine.match_cookie("ab", ".shop.example", True) is None  # short name bound to its domain
    assert mine.match_cookie("ab", ".acme.example", False).vendor is acme
    rules = {r.pattern: r.lifetime_days for r in acme.cookies}
    assert rules["acme_id"] == 730 and rules["ab"] == 30


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{not json", "invalid JSON"),
        ('{"vendors": 3}', "expected a JSON object with a 'vendors' list"),
        ('[{"domains": ["x.com"]}]', "needs a non-empty 'name'"),
        ('[{"name": "X", "category": "spyware"}]', "unknown category 'spyware'"),
        ('[{"name": "X", "domains": ["http://x.com/path"]}]', "is not a domain"),
        ('[{"name": "X", "cookies": [{"name": "a"}]}]', "a cookie is a name pattern"),
        ('[{"name": "X", "endpoints": ["nohost"]}]', "an endpoint is an object"),
        ('[{"name": "X", "colour": "red"}]', "unknown field(s) colour"),
        ('[{"name": "X", "cookies": [{"pattern": "a", "lifetime_days": "long"}]}]', "lifetime_days"),
        ('[{"name": "X", "cookies": ["**"]}]', "would match every name"),
        ('[{"name": "X", "storage": ["*"]}]', "would match every name"),
    ],
)
def test_bad_user_json_layer_is_bad_input(tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    with pytest.raises(BadInput) as err:
        load_catalog([path])
    assert message in str(err.value) and str(path) in str(err.value)
    assert "\n" not in str(err.value)


def test_bad_user_files(tmp_path):
    with pytest.raises(BadInput, match="cannot read"):
        load_catalog([tmp_path / "missing.json"])
    latin = tmp_path / "latin.json"
    latin.write_bytes(b'[{"name": "Caf\xe9"}]')
    with pytest.raises(BadInput, match="not UTF-8"):
        load_catalog([latin])
    csv_path = tmp_path / "x.csv"
    csv_path.write_text("a,b\n1,2\n")
    with pytest.raises(BadInput, match="not an Open Cookie Database CSV"):
        load_catalog([csv_path])


@settings(max_examples=150, deadline=None)
@given(st.binary(max_size=300))
def test_any_user_file_loads_or_is_bad_input(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("cat") / "any.json"
    path.write_bytes(data)
    try:
        load_catalog([path])
    except BadInput as err:
        assert "\n" not in str(err)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
_KEYS = st.sampled_from(
    [
        "name",
        "category",
        "categories",
        "parent",
        "aliases",
        "former_names",
        "domains",
        "cookies",
        "storage",
        "endpoints",
        "absorbs",
        "replace",
        "homepage",
        "privacy_policy",
    ]
)
_ENTRY = st.dictionaries(_KEYS, _JSON | st.text(max_size=20) | st.lists(st.text(max_size=15), max_size=3))


@settings(max_examples=200, deadline=None)
@given(
    st.lists(_ENTRY, max_size=4) | st.fixed_dictionaries({"vendors": st.lists(_ENTRY, max_size=4)}) | _JSON
)
def test_any_json_layer_loads_or_is_bad_input(tmp_path_factory, doc):
    path = tmp_path_factory.mktemp("cat") / "layer.json"
    path.write_text(json.dumps(doc))
    try:
        mine = load_catalog([path])
    except BadInput as err:
        assert "\n" not in str(err) and str(path) in str(err)
    else:
        domains = [d for v in mine.vendors for d in v.domains]
        assert len(domains) == len(set(domains))  # still one owner per domain pattern
        assert all(v.name and v.categories for v in mine.vendors)


# ---- small parts ---------------------------------------------------------------------------------


def test_name_pattern_index_orders_exact_then_most_specific():
    index = NamePatternIndex([("_hj*", "generic"), ("_hjSession_*", "session"), ("_hjSession_1", "exact")])
    assert [p for p, _ in index.lookup("_hjSession_1")] == ["_hjSession_1", "_hjSession_*", "_hj*"]
    assert index.lookup("_h") == []
    star = NamePatternIndex([("*_session", "x")])
    assert star.lookup("app_session") == [("*_session", "x")]


@pytest.mark.parametrize(
    ("text", "session", "days"),
    [
        ("session", True, None),
        ("Session cookie", True, None),
        ("2 years", False, 730),
        ("13 months", False, 390),
        ("30 minutes", False, 30 / 1440),
        ("one year", False, 365),
        ("90d", False, 90),
        ("", False, None),
        ("persistent", False, None),
    ],
)
def test_parse_lifetime(text, session, days):
    lt = parse_lifetime(text)
    assert lt.session == session and lt.days == (pytest.approx(days) if days else days)


def test_describe_days():
    assert [describe_days(d) for d in (None, 730, 365, 396, 1, 0.5, 30 / 1440)] == [
        "session",
        "2 years",
        "1 year",
        "396 days",
        "1 day",
        "12 hours",
        "30 minutes",
    ]


def test_categories_from_purpose_text():
    assert categories_in_text("Facebook tracking to track people interactions with the Like button.") == (
        "social",
    )
    assert categories_in_text("Conversion tracking cookie for ads delivered by Google Adwords") == (
        "advertising",
    )
    assert categories_in_text("Website analytics cookie for visitor information and source.") == (
        "analytics",
    )
    assert categories_in_text("A plug-in that brings marketing and sales data together.") == (
        "marketing-automation",
    )
    assert categories_in_text("Headache and sadness") == ()  # no "ad" inside words
    assert normalize_category("Marketing") == "advertising" and normalize_category("Session Replay")
    assert normalize_category("nonsense") is None
