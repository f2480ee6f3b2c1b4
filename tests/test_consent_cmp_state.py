"""The in-page CMP reader (scanner.consent.cmp_state.CMP_STATE_JS) in real Chromium against small
pages that define the TCF, US Privacy, GPP, OneTrust, Cookiebot and Didomi APIs, well-behaved and
hostile; and its Python normaliser and GVL reader on their own."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.consent import cmp_state, tcf
from scanner.consent.cmp_state import CmpDeclaredCookie, CmpReading, CmpState, GvlVendor
from scanner.fakenet import FakeInternet, Response, Site

VECTORS = json.loads((Path(__file__).parent / "data" / "tcf_vectors.json").read_text())["vectors"]
TC_REJECT = next(v["tc_string"] for v in VECTORS if v["name"].startswith("reject all"))
HOST = "www.cmp-test.example"


def page(script: str) -> Response:
    return Response.html(f"<!doctype html><title>cmp</title><p>hello</p><script>{script}</script>")


TCF_PAGE = """
window.__tcfapi = function (command, version, callback, arg) {
  if (command === "ping") {
    callback({gdprApplies: true, cmpLoaded: true, cmpStatus: "loaded", displayStatus: "hidden",
              apiVersion: "2.2", cmpId: 304, cmpVersion: 4, gvlVersion: 123, tcfPolicyVersion: 5}, true);
  } else if (command === "addEventListener") {
    window.listeners = (window.listeners || 0) + 1;
    setTimeout(() => callback({tcString: "%TC%", eventStatus: "useractioncomplete", cmpStatus: "loaded",
      cmpId: 304, cmpVersion: 4, gdprApplies: true, tcfPolicyVersion: 5, isServiceSpecific: false,
      listenerId: 7, purpose: {consents: {"1": false, "2": false}, legitimateInterests: {"2": true}},
      vendor: {consents: {"755": false},
               legitimateInterests: {"91": true, "x": true, "92": "yes"}}}, true), 10);
  } else if (command === "removeEventListener") {
    window.removed = arg;
    callback(true);
  }
};
window.__uspapi = function (command, version, callback) {
  if (command === "getUSPData") callback({version: 1, uspString: "1YYN"}, true);
};
window.__gpp = function (command, callback) {
  if (command === "ping") callback({gppVersion: "1.1", cmpStatus: "loaded", cmpDisplayStatus: "hidden",
    signalStatus: "ready", cmpId: 304, gppString: "DBABL~BVQqAAAAAg", applicableSections: [7],
    sectionList: ["usnat"], parsedSections: {usnat: {Version: 1, SaleOptOut: 1, SharingOptOut: 1,
    TargetedAdvertisingOptOut: 2, Gpc: true}}}, true);
};
""".replace("%TC%", TC_REJECT)

ONETRUST_PAGE = """
window.OnetrustActiveGroups = ",C0001,C0003,";
window.OneTrust = {
  GetDomainData: function () {
    return {Groups: [
      {GroupName: "Strictly Necessary Cookies", CustomGroupId: "C0001", OptanonGroupId: "1",
       Status: "always active",
       FirstPartyCookies: [{Name: "OptanonConsent", Host: "cmp-test.example", Length: "365", IsSession: false,
                            description: "Stores the consent choice"}],
       Hosts: []},
      {GroupName: "Performance Cookies", CustomGroupId: "C0002", Status: "inactive",
       FirstPartyCookies: [{Name: "_ga", Host: "cmp-test.example", Length: "730", IsSession: false}],
       Hosts: []},
      {GroupName: "Functional Cookies", CustomGroupId: "C0003", Status: "active",
       FirstPartyCookies: [{Name: "lang", Host: "cmp-test.example", Length: "0", IsSession: true}],
       Hosts: []},
      {GroupName: "Targeting Cookies", CustomGroupId: "C0004", Status: "inactive", FirstPartyCookies: [],
       Hosts: [{HostName: "doubleclick.net", Cookies: [{Name: "IDE", Host: "doubleclick.net", Length: "390",
                IsSession: false}]}]}
    ]};
  }
};
"""

COOKIEBOT_PAGE = """
window.Cookiebot = {consent: {necessary: true, preferences: false, statistics: true, marketing: false,
                              method: "explicit", stamp: "secret-stamp"},
                    consented: false, declined: false, hasResponse: true};
window.CookieConsentDialog = {
  cookieTableNecessary: [["CookieConsent", "cmp-test.example", "Stores the consent state", "1 year", "HTTP"]],
  cookieTablePreference: [],
  cookieTableStatistics: [["_ga", "cmp-test.example", "Registers a unique ID", "2 years", "HTTP"],
                          ["_gid", "cmp-test.example", "Registers a unique ID", "1 day", "HTTP"]],
  cookieTableAdvertising: [["IDE", "doubleclick.net", "Ads", "400 days", "HTTP"],
                           ["test_cookie", "doubleclick.net", "Checks", "Session", "HTTP"]],
  cookieTableUnclassified: [["mystery", "cmp-test.example", "", "Persistent", "HTML"]]
};
"""

DIDOMI_PAGE = """
window.Didomi = {
  getVendors: () => [{id: "google", name: "Google Advertising Products", namespaces: {iab2: 755}},
                     {id: "c:hotjar", name: "Hotjar", namespaces: {}}],
  getUserStatus: () => ({user_id: "secret-user", regulation: "gdpr", consent_string: "%TC%",
    purposes: {consent: {enabled: ["cookies"], disabled: ["advertising_personalization"]}},
    vendors: {consent: {enabled: [], disabled: ["google", "c:hotjar"]}}})
};
""".replace("%TC%", TC_REJECT)

HOSTILE_PAGE = """
const boom = () => { throw new Error("boom"); };
window.__tcfapi = function () { /* never calls back */ };
window.__uspapi = boom;
const deep = {}; let cur = deep; for (let i = 0; i < 10000; i++) { cur.next = {}; cur = cur.next; }
const wide = {}; for (let i = 0; i < 100000; i++) wide["k" + i] = "v".repeat(50);
window.__gpp = (command, callback) => callback({gppVersion: "x".repeat(1e6), cmpId: Infinity,
  applicableSections: new Array(1e6).fill(7), sectionList: [{toString: boom}],
  parsedSections: {deep, wide, loop: window}}, true);
Object.defineProperty(window, "OnetrustActiveGroups", {get: boom});
window.OneTrust = {GetDomainData: () => new Proxy({}, {get: boom, ownKeys: boom})};
window.Cookiebot = {};
Object.defineProperty(window.Cookiebot, "consent", {get: boom});
const big = "x".repeat(1e6);
window.CookieConsentDialog = {
  cookieTableNecessary: Array.from({length: 100000}, (_, i) => [big, big, big, big, big]),
  get cookieTableStatistics() { throw new Error("no"); }};
const cyclic = {id: "loop"}; cyclic.self = cyclic;
window.Didomi = {getVendors: () => [cyclic, 42, null, {id: {toString: boom}, name: big}],
                 getUserStatus: boom};
"""

THROWING_TCF_PAGE = """
window.__tcfapi = function (command) { if (command === "ping") throw new Error("nope"); };
Object.defineProperty(window, "__uspapi", {get: () => { throw new Error("getter"); }});
window.__gpp = "not a function";
"""

FROZEN_TIMERS_PAGE = """
window.setTimeout = function () { return 0; };
window.__tcfapi = function () { /* never calls back, and our timer is gone */ };
"""

PAGES = {
    "/tcf": TCF_PAGE,
    "/onetrust": ONETRUST_PAGE,
    "/cookiebot": COOKIEBOT_PAGE,
    "/didomi": DIDOMI_PAGE,
    "/hostile": HOSTILE_PAGE,
    "/throwing": THROWING_TCF_PAGE,
    "/frozen-timers": FROZEN_TIMERS_PAGE,
    "/none": "",
}


async def _visit_all() -> dict[str, object]:
    from playwright.async_api import async_playwright

    world = {HOST: Site({path: page(js) for path, js in PAGES.items()})}
    out: dict[str, object] = {}
    with FakeInternet(world) as net:
        async with async_playwright() as pw:
            browser = await pw.chromium.launch(
                executable_path="/usr/lib/chromium/chromium",
                args=["--disable-gpu", "--ignore-certificate-errors", *net.chromium_args()],
            )
            try:
                context = await browser.new_context(ignore_https_errors=True)
                for path in PAGES:
                    p = await context.new_page()
                    await p.goto(net.url(HOST, path))
                    if path == "/frozen-timers":
                        out[path] = await cmp_state.read_cmp_state(p, timeout_s=2.0)
                    else:
                        raw = await p.evaluate(cmp_state.CMP_STATE_JS)
                        out[path] = raw
                        out[path + " reading"] = await cmp_state.read_cmp_state(p)
                        out[path + " alive"] = await p.evaluate("1 + 1")
                        if path == "/tcf":
                            out["/tcf removed"] = await p.evaluate("window.removed")
                    await p.close()
            finally:
                await browser.close()
    return out


@pytest.fixture(scope="module")
def visits():
    return asyncio.run(_visit_all())


def reading(visits, path) -> CmpReading:
    return visits[path + " reading"]


@pytest.mark.browser
def test_tcf_usp_and_gpp(visits):
    state = reading(visits, "/tcf").state
    assert state.cmp == "tcf" and state.cmps == ("tcf", "gpp", "usp")
    t = state.tcf
    assert (t.cmp_id, t.gdpr_applies, t.event_status, t.gvl_version, t.tcf_policy_version) == (
        304,
        True,
        "useractioncomplete",
        123,
        5,
    )
    assert t.tc_string == TC_REJECT and t.tc == tcf.decode(TC_REJECT)
    assert len(t.disclosed_vendors) == 877
    assert t.purpose_consents == frozenset() and t.vendor_consents == frozenset()
    assert t.purpose_legitimate_interests == {2} and t.vendor_legitimate_interests == {91}
    assert visits["/tcf removed"] == 7  # the listener was removed again
    assert str(state.us_privacy) == "1YYN" and state.us_privacy.opted_out
    assert state.gpp.applicable_sections == (7,) and state.gpp.section_list == ("usnat",)
    assert state.gpp.opt_outs() == {"usnat": ("SaleOptOut", "SharingOptOut")}
    assert state.timeouts == () and state.errors == ()


@pytest.mark.browser
def test_onetrust_groups_and_declared_cookies(visits):
    r = reading(visits, "/onetrust")
    assert r.state.cmp == "onetrust"
    assert r.state.granted_groups == ("C0001", "C0003") and r.state.denied_groups == ("C0002", "C0004")
    by_name = {c.name: c for c in r.cookies}
    assert by_name["OptanonConsent"] == CmpDeclaredCookie(
        cmp="onetrust",
        name="OptanonConsent",
        host="cmp-test.example",
        group="Strictly Necessary Cookies",
        group_id="C0001",
        category="utility",
        necessary=True,
        lifetime_days=365.0,
        session=False,
        purpose="Stores the consent choice",
    )
    assert by_name["_ga"].category == "analytics" and not by_name["_ga"].necessary
    assert by_name["lang"].session and by_name["lang"].lifetime_days is None
    assert by_name["IDE"].host == "doubleclick.net" and by_name["IDE"].category == "advertising"
    assert by_name["IDE"].lifetime_days == 390.0


@pytest.mark.browser
def test_cookiebot_consent_and_tables(visits):
    r = reading(visits, "/cookiebot")
    assert r.state.cmp == "cookiebot"
    assert r.state.granted_groups == ("necessary", "statistics")
    assert r.state.denied_groups == ("preferences", "marketing")
    rows = {c.name: c for c in r.cookies}
    assert set(rows) == {"CookieConsent", "_ga", "_gid", "IDE", "test_cookie", "mystery"}
    assert rows["CookieConsent"].necessary and rows["CookieConsent"].lifetime_days == 365
    assert rows["_ga"].category == "analytics" and rows["_ga"].lifetime_days == 730
    assert rows["_gid"].lifetime_days == 1
    assert rows["IDE"].category == "advertising" and rows["IDE"].host == "doubleclick.net"
    assert rows["test_cookie"].session and rows["test_cookie"].lifetime_days is None
    assert rows["mystery"].category is None and rows["mystery"].lifetime_days is None
    assert "secret-stamp" not in json.dumps(visits["/cookiebot"])


@pytest.mark.browser
def test_didomi_vendors_and_status(visits):
    r = reading(visits, "/didomi")
    assert r.state.cmp == "didomi"
    assert r.state.didomi_vendors == (
        ("google", "Google Advertising Products", 755),
        ("c:hotjar", "Hotjar", None),
    )
    assert r.state.granted_groups == ("cookies",) and r.state.denied_groups == (
        "advertising_personalization",
    )
    assert "secret-user" not in json.dumps(visits["/didomi"])


@pytest.mark.browser
def test_hostile_page_gives_a_bounded_answer(visits):
    raw = visits["/hostile"]
    assert len(json.dumps(raw)) < 600_000  # 100k rows of 1 MB strings were on offer
    assert "tcf addEventListener" in raw["timeouts"] and "tcf ping" in raw["timeouts"]
    assert any(e.startswith("usp") or "getUSPData" in e or "readUsp" in e for e in raw["errors"])
    assert len(raw["gpp"]["gppVersion"]) <= 20 and raw["gpp"]["cmpId"] is None
    assert len(raw["gpp"]["applicableSections"]) <= 50
    assert len(raw["cookiebot"]["tables"]["Necessary"]) <= 2000
    r = reading(visits, "/hostile")
    assert r.state.cmps == ("onetrust", "cookiebot", "didomi", "tcf", "gpp", "usp")
    assert r.state.tcf.tc is None and r.state.us_privacy is None
    assert len(r.cookies) <= cmp_state.MAX_COOKIES
    assert all(len(c.name) <= 200 for c in r.cookies)
    assert r.state.didomi_vendors == (("loop", "loop", None),)
    assert visits["/hostile alive"] == 2  # the page still answers


@pytest.mark.browser
def test_throwing_apis_are_errors_not_failures(visits):
    r = reading(visits, "/throwing")
    assert r.state.tcf is not None and r.state.tcf.cmp_id is None
    assert any("nope" in e for e in r.state.errors)
    assert any("getter" in e for e in r.state.errors)
    assert r.state.gpp is None


@pytest.mark.browser
def test_a_page_without_timers_is_cut_by_the_python_timeout(visits):
    r = visits["/frozen-timers"]
    assert r == CmpReading(CmpState(timeouts=("evaluate",)))


@pytest.mark.browser
def test_a_page_without_cmp(visits):
    assert reading(visits, "/none") == CmpReading(CmpState())
    assert visits["/none"] == {"v": 1, "errors": [], "timeouts": []}


# --- the normaliser alone --------------------------------------------------------------------------


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=30),
    lambda c: st.lists(c, max_size=5) | st.dictionaries(st.text(max_size=15), c, max_size=5),
    max_leaves=40,
)
keys = st.sampled_from(["tcf", "usp", "gpp", "onetrust", "cookiebot", "didomi", "errors", "timeouts", "v"])


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(keys, json_values, max_size=6) | json_values)
def test_normalise_accepts_anything(raw):
    r = cmp_state.normalise(raw)
    assert isinstance(r, CmpReading) and isinstance(r.state, CmpState)
    assert all(isinstance(c, CmpDeclaredCookie) and c.name for c in r.cookies)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Session", (None, True)),
        ("1 year", (365, False)),
        ("2 years", (730, False)),
        ("400 days", (400, False)),
        ("6 months", (180, False)),
        ("30 minutes", (round(30 / 1440, 4), False)),
        ("1 Jahr", (365, False)),
        ("Persistent", (None, False)),
        ("", (None, False)),
        (None, (None, False)),
    ],
)
def test_lifetime_from_text(text, expected):
    assert cmp_state.lifetime_from_text(text) == expected


@pytest.mark.parametrize(
    "name, category",
    [
        ("Strictly Necessary Cookies", "utility"),
        ("Performance Cookies", "analytics"),
        ("Functional Cookies", "utility"),
        ("Targeting Cookies", "advertising"),
        ("Social Media Cookies", "social"),
        ("Marketing", "advertising"),
        ("Statistics", "analytics"),
        ("Something Else", None),
        ("", None),
    ],
)
def test_group_category(name, category):
    assert cmp_state.group_category(name) == category


GVL = {
    "gvlSpecificationVersion": 3,
    "vendorListVersion": 123,
    "tcfPolicyVersion": 5,
    "vendors": {
        "755": {
            "id": 755,
            "name": "Google Advertising Products",
            "purposes": [1, 3, 4],
            "legIntPurposes": [2, 7],
            "usesCookies": True,
            "cookieMaxAgeSeconds": 34190000,
            "cookieRefresh": False,
            "usesNonCookieAccess": True,
            "deviceStorageDisclosureUrl": "https://www.gstatic.com/iabtcf/deviceStorageDisclosure.json",
        },
        "91": {"id": 91, "name": "Criteo SA", "usesCookies": True, "cookieMaxAgeSeconds": 33696000},
        "12": {"id": 13, "name": "Mismatched key"},
        "14": {"id": 14},
        "15": "not an object",
        "16": {"id": 16, "name": "Gone", "deletedDate": "2025-01-01T00:00:00Z", "cookieMaxAgeSeconds": None},
    },
}


def test_gvl_vendors():
    vendors = cmp_state.gvl_vendors(GVL)
    assert set(vendors) == {755, 91, 16}
    assert vendors[755] == GvlVendor(
        id=755,
        name="Google Advertising Products",
        uses_cookies=True,
        cookie_max_age_seconds=34190000,
        cookie_refresh=False,
        uses_non_cookie_access=True,
        device_storage_disclosure_url="https://www.gstatic.com/iabtcf/deviceStorageDisclosure.json",
        purposes=frozenset({1, 3, 4}),
        leg_int_purposes=frozenset({2, 7}),
    )
    assert vendors[91].cookie_max_age_days == 390.0
    assert vendors[16].deleted and vendors[16].cookie_max_age_seconds is None
    assert cmp_state.gvl_vendors(json.dumps(GVL).encode()) == vendors


def test_not_a_gvl():
    for doc in ({}, {"vendors": {}}, {"vendorListVersion": "x", "vendors": {}}, [], "[", b"\xff", None, 3):
        assert cmp_state.gvl_vendors(doc) == {}
    assert not cmp_state.is_gvl({"vendorListVersion": True, "vendors": {}})
    huge = {"vendorListVersion": 1, "vendors": {str(i): {"id": i, "name": "v"} for i in range(1, 20_000)}}
    assert len(cmp_state.gvl_vendors(huge)) == cmp_state.MAX_GVL_VENDORS


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(max_size=6), json_values, max_size=8))
def test_gvl_vendors_accepts_anything(vendors):
    for vid, v in cmp_state.gvl_vendors({"vendorListVersion": 1, "vendors": vendors}).items():
        assert isinstance(v, GvlVendor) and v.id == vid and v.name
