"""The consent world (scanner/fakenet/consent.py) against the REAL vendored autoconsent 16.23.0.

A small main-world harness drives the unmodified bundle and full rules: a context binding plus an
init script, ``init`` answered with the rules whose runContext fits, ``optIn``/``optOut`` sent on
``popupFound``, the self-test after an opt-out. Every tracker behaviour is checked against
``CONSENT_TRUTH`` from the server log, in each pass: no choice, accept, reject, GPC.
"""

from __future__ import annotations

import base64
import json
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from scanner.fakenet import FakeInternet
from scanner.fakenet.consent import (
    CONSENT_TRUTH,
    GPC_JSON,
    OT,
    TCF,
    VENDOR_KIND,
    VENDOR_OF_HOST,
    SiteTruth,
    consent_world,
    gvl,
    tc_strings,
)

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
VENDOR_DIR = REPO / "scanner" / "consent" / "vendor" / "autoconsent"
CHROMIUM = "/usr/lib/chromium/chromium"
CMP_SITES = [host for host, truth in CONSENT_TRUTH.items() if truth.cmp]
ALL_SITES = list(CONSENT_TRUTH)
PAGES_PER_PASS = 3  # accept/reject: the start page (where the choice is made) and two more
PAGES_NO_CHOICE = 2  # no-choice and GPC passes: the start page and one more

BRIDGE = "window.autoconsentSendMessage = (m) => window.__consentHarness(m);\n"
GPC_SCRIPT = (
    "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', "
    "{get: () => true, configurable: true, enumerable: true});"
)
BANNERS = {
    "Onetrust": "#onetrust-banner-sdk,#onetrust-pc-sdk",
    "Cybotcookiebot": "#CybotCookiebotDialog",
    "quantcast": "#qc-cmp2-ui",
    "didomi": "#didomi-popup, #didomi-notice, .didomi-popup-notice, .didomi-notice-banner",
}
# autoconsent's own visibility test (lib/utils.ts isElementVisible), for the banner selectors
BANNER_VISIBLE_JS = """sel => [...document.querySelectorAll(sel)].some(e => e.offsetParent !== null ||
    (getComputedStyle(e).position === 'fixed' && getComputedStyle(e).display !== 'none'))"""


# -- the harness -----------------------------------------------------------------------------------


def _rules() -> list[dict]:
    return json.loads((VENDOR_DIR / "rules.json").read_text(encoding="utf-8"))["autoconsent"]


def rules_for(url: str, main: bool) -> list[dict]:
    """The rules whose runContext fits this frame, as the driver does."""
    out = []
    for rule in RULES:
        ctx = rule.get("runContext") or {}
        if main and not ctx.get("main", True):
            continue
        if not main and not ctx.get("frame", False):
            continue
        pattern = ctx.get("urlPattern")
        if pattern and not re.search(pattern, url):
            continue
        out.append(rule)
    return out


RULES = _rules()
CONFIG = {
    "enabled": True,
    "autoAction": None,
    "enablePrehide": False,
    "enableCosmeticRules": False,
    "detectRetries": 20,
    "isMainWorld": True,
}


class Autoconsent:
    """Records every message of the content script; answers ``init``; sends actions on request."""

    def __init__(self, context) -> None:
        self.messages: list[dict] = []
        self.frames: dict[str, object] = {}
        self._lock = threading.Lock()
        context.expose_binding("__consentHarness", self._on_message)
        context.add_init_script(script=BRIDGE + (VENDOR_DIR / "autoconsent.playwright.js").read_text())

    def _on_message(self, source, message: dict) -> None:
        frame = source["frame"]
        with self._lock:
            self.messages.append(message)
        if message.get("type") == "init":
            main = frame.parent_frame is None
            reply = {
                "type": "initResp",
                "config": CONFIG,
                "rules": {"autoconsent": rules_for(message.get("url", frame.url), main)},
            }
            frame.evaluate("m => window.autoconsentReceiveMessage(m)", reply)

    def of(self, kind: str) -> list[dict]:
        with self._lock:
            return [m for m in self.messages if m.get("type") == kind]

    def wait_for(self, page, kind: str, timeout: float = 15.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = self.of(kind)
            if found:
                return found[-1]
            page.wait_for_timeout(50)
        raise AssertionError(f"no {kind} message; got {[m.get('type') for m in self.messages]}")

    @staticmethod
    def send(page, message: dict) -> None:
        page.main_frame.evaluate("m => window.autoconsentReceiveMessage(m)", message)

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()


# -- fixtures --------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def net() -> Iterator[FakeInternet]:
    with FakeInternet(consent_world()) as net:
        yield net


@pytest.fixture(scope="module")
def browser(net: FakeInternet):
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--disable-gpu", "--disable-quic", "--ignore-certificate-errors", *net.chromium_args()],
        )
        yield browser
        browser.close()


STATE_APPLIED_JS = "() => (window.dataLayer || []).some(e => e && e.event === 'consent_state')"


def settle(page, net: FakeInternet, quiet_s: float = 0.4, cap_s: float = 5.0) -> None:
    """Wait for the load event and the site's tag manager to apply the consent state, then until
    the server saw no new request for ``quiet_s``."""
    page.wait_for_load_state("load")
    page.wait_for_function(STATE_APPLIED_JS, timeout=15_000)
    deadline = time.monotonic() + cap_s
    last, quiet_since = len(net.log), time.monotonic()
    while time.monotonic() < deadline:
        page.wait_for_timeout(50)
        now = len(net.log)
        if now != last:
            last, quiet_since = now, time.monotonic()
        elif time.monotonic() - quiet_since >= quiet_s:
            return


def vendors_in(requests) -> set[str]:
    return {VENDOR_OF_HOST[r.host] for r in requests if r.host in VENDOR_OF_HOST}


def expected(truth: SiteTruth, mode: str) -> set[str]:
    return {name for name, vendor in truth.vendors.items() if mode in vendor.passes}


def ga_consent_values(requests) -> set[tuple[str, str]]:
    out = set()
    for r in requests:
        if r.host == "region1.google-analytics.com" and r.path.startswith("/g/collect"):
            query = dict(p.split("=", 1) for p in r.path.split("?", 1)[1].split("&") if "=" in p)
            out.add((query.get("gcs", ""), query.get("gcd", "")))
    return out


class PassRun:
    """One pass over a site in a fresh context: ``before``/``after`` are the server log rows before
    and after the choice (everything is ``after`` in the no-choice and GPC passes)."""

    def __init__(self, browser, net: FakeInternet, truth: SiteTruth, mode: str) -> None:
        self.truth, self.mode, self.net = truth, mode, net
        gpc = mode == "gpc"
        self.context = browser.new_context(
            ignore_https_errors=True, extra_http_headers={"Sec-GPC": "1"} if gpc else None
        )
        if gpc:
            self.context.add_init_script(script=GPC_SCRIPT)
        self.ac = Autoconsent(self.context)
        self.page = self.context.new_page()
        self.result: dict | None = None
        self.self_test: dict | None = None
        net_start = len(net.log)
        self.page.goto(truth.start)
        mark = net_start
        if mode in ("accept", "reject"):
            self.ac.wait_for(self.page, "popupFound")
            settle(self.page, net)
            mark = len(net.log)
            self.ac.send(self.page, {"type": "optIn" if mode == "accept" else "optOut"})
            self.result = self.ac.wait_for(self.page, "optInResult" if mode == "accept" else "optOutResult")
            if mode == "reject" and self.result.get("scheduleSelfTest"):
                self.ac.wait_for(self.page, "autoconsentDone")
                self.ac.send(self.page, {"type": "selfTest"})
                self.self_test = self.ac.wait_for(self.page, "selfTestResult")
        settle(self.page, net)
        self.first_page_messages = list(self.ac.messages)
        log = net.log.snapshot()
        self.before = log[net_start:mark]
        self.visible_after_next: list[bool] = []
        count = PAGES_PER_PASS if mode in ("accept", "reject") else PAGES_NO_CHOICE
        for url in truth.pages[1:count]:
            self.ac.clear()
            self.page.goto(url)
            settle(self.page, net)
            if truth.cmp:
                self.visible_after_next.append(self.page.evaluate(BANNER_VISIBLE_JS, BANNERS[truth.cmp]))
        self.later_messages = list(self.ac.messages)
        self.after = net.log.snapshot()[mark:]

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def run(browser, net):
    runs: list[PassRun] = []

    def start(host: str, mode: str) -> PassRun:
        runs.append(PassRun(browser, net, CONSENT_TRUTH[host], mode))
        return runs[-1]

    yield start
    for r in runs:
        r.close()


# -- data checks (no browser) ----------------------------------------------------------------------


def test_truth_vendor_names_and_kinds_are_the_catalogs():
    from scanner.catalog import load_catalog
    from scanner.catalog.categories import TRACKING

    catalog = load_catalog()
    for host, name in VENDOR_OF_HOST.items():
        vendor, _ = catalog.vendor_for_host(host)
        assert vendor is not None and vendor.name == name, host
        kind = VENDOR_KIND[name]
        assert kind in vendor.categories, (name, vendor.categories)
        assert (kind in ("analytics", "advertising")) == bool(set(vendor.categories) & TRACKING), name
    world = consent_world()
    for truth in CONSENT_TRUTH.values():
        assert set(truth.pages) >= {truth.start} and len(truth.pages) >= 5
        for vendor in truth.vendors.values():
            assert vendor.bad <= vendor.passes
            assert set(vendor.consent_mode) <= vendor.passes
            assert all(host in world for host in vendor.hosts)


def _bits(segment: str) -> str:
    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    return "".join(format(b, "08b") for b in raw)


def test_tc_strings_carry_the_cmp_and_the_disclosed_vendors():
    strings = tc_strings(TCF)
    vendors = sorted(int(v) for v in gvl(TCF)["vendors"])
    for which, purposes_on in (("all", True), ("none", False)):
        core, disclosed = strings[which].split(".")
        bits = _bits(core)
        assert int(bits[0:6], 2) == 2  # version
        assert int(bits[78:90], 2) == 10  # CmpId: Quantcast
        assert int(bits[120:132], 2) == gvl(TCF)["vendorListVersion"]
        assert int(bits[132:138], 2) == 5  # TcfPolicyVersion
        assert bits[152:163] == ("1" * 11 if purposes_on else "0" * 11)  # purposes 1..11
        seg = _bits(disclosed)
        assert int(seg[0:3], 2) == 1  # Disclosed Vendors
        max_id = int(seg[3:19], 2)
        assert [i for i in range(1, max_id + 1) if seg[19 + i] == "1"] == vendors


def test_readme_consent_tables_match_the_truth():
    from scanner.fakenet import docs

    text = docs.README.read_text(encoding="utf-8")
    assert docs.generated_block(text, docs.CONSENT_BEGIN, docs.CONSENT_END) == docs.consent_tables()


def test_world_is_registered_for_the_command_line():
    from scanner.fakenet.__main__ import START_PAGES, WORLDS

    assert WORLDS["consent"] is consent_world
    assert START_PAGES["consent"][0] in CONSENT_TRUTH


def _onetrust_declares(r: PassRun) -> None:
    data = r.page.evaluate("OneTrust.GetDomainData()")
    assert [g["CustomGroupId"] for g in data["Groups"]] == ["C0001", "C0002", "C0003", "C0004"]
    assert {h["HostName"] for h in data["Groups"][3]["Hosts"]} >= {"facebook.com", "criteo.com"}
    assert r.page.evaluate("OnetrustActiveGroups") == ",C0001,C0002,C0003,C0004,"
    consent = next(c["value"] for c in r.context.cookies() if c["name"] == "OptanonConsent")
    assert "groups=C0001%3A1%2CC0002%3A1%2CC0003%3A1%2CC0004%3A1" in consent and "isGpcEnabled=0" in consent


def _cookiebot_declares(r: PassRun) -> None:
    state = r.page.evaluate("({c: Cookiebot.consent, yes: Cookiebot.consented, no: Cookiebot.declined})")
    assert state["c"]["marketing"] and state["yes"] and not state["no"]
    necessary = r.page.evaluate("CookieConsentDialog.cookieTableNecessary")
    assert "cto_bundle" in [row[0] for row in necessary]  # an advertising cookie declared necessary
    assert any(c["name"] == "CookieConsent" for c in r.context.cookies())


def _tcf_declares(r: PassRun) -> None:
    tc = r.page.evaluate("new Promise(ok => __tcfapi('addEventListener', 2, (d, s) => ok({s, d})))")
    assert tc["s"] and tc["d"]["eventStatus"] == "tcloaded" and tc["d"]["tcString"] == tc_strings(TCF)["all"]
    ping = r.page.evaluate("new Promise(ok => __tcfapi('ping', 2, p => ok(p)))")
    assert ping["cmpId"] == 10 and ping["gvlVersion"] == gvl(TCF)["vendorListVersion"]
    assert any(q.host == "quantcast.mgr.consensu.org" and "vendor-list.json" in q.path for q in r.before)
    euconsent = next(c["value"] for c in r.context.cookies() if c["name"] == "euconsent-v2")
    assert euconsent == tc_strings(TCF)["all"]


def _didomi_declares(r: PassRun) -> None:
    status = r.page.evaluate("Didomi.getCurrentUserStatus()")
    assert all(p["enabled"] for p in status["purposes"].values())
    assert "c:tiktok" in [v["id"] for v in r.page.evaluate("Didomi.getVendors()")]
    assert r.page.evaluate("localStorage.getItem('didomi_token')")


# What each consent manager tells in the page after "accept": the shapes that readers rely on.
DECLARES = {
    "Onetrust": _onetrust_declares,
    "Cybotcookiebot": _cookiebot_declares,
    "quantcast": _tcf_declares,
    "didomi": _didomi_declares,
}


# -- browser passes --------------------------------------------------------------------------------


@pytest.mark.parametrize("host", CMP_SITES)
def test_accept_opts_in_and_the_choice_sticks(run, host):
    truth = CONSENT_TRUTH[host]
    r = run(host, "accept")
    detected = {m["cmp"] for m in r.first_page_messages if m["type"] == "cmpDetected"}
    assert detected == {truth.cmp}  # no other of the 797 rules matches the imitation
    assert [m["cmp"] for m in r.first_page_messages if m["type"] == "popupFound"] == [truth.cmp]
    assert r.result is not None and r.result["result"] is True and r.result["cmp"] == truth.cmp
    # The next pages: no banner, no popup, the stored choice applied.
    assert r.visible_after_next == [False] * (PAGES_PER_PASS - 1)
    assert not [m for m in r.later_messages if m["type"] == "popupFound"]
    assert vendors_in(r.before) == expected(truth, "none")
    assert vendors_in(r.after) == expected(truth, "accept")
    gated = {n for n, v in truth.vendors.items() if "consent_gated" in v.findings}
    assert gated and gated <= vendors_in(r.after) - vendors_in(r.before)
    ga = truth.vendors.get("Google Analytics")
    if ga and "accept" in ga.consent_mode:
        after_ga = ga_consent_values(r.after)
        assert after_ga == {ga.consent_mode["accept"]}
    DECLARES[truth.cmp](r)


@pytest.mark.parametrize("host", CMP_SITES)
def test_reject_opts_out_self_tests_and_the_choice_sticks(run, host):
    truth = CONSENT_TRUTH[host]
    r = run(host, "reject")
    assert [m["cmp"] for m in r.first_page_messages if m["type"] == "popupFound"] == [truth.cmp]
    assert r.result is not None and r.result["result"] is True and r.result["cmp"] == truth.cmp
    assert bool(r.result.get("scheduleSelfTest")) == truth.self_test
    if truth.self_test:
        assert r.self_test is not None and r.self_test["result"] is True
    assert r.visible_after_next == [False] * (PAGES_PER_PASS - 1)
    assert not [m for m in r.later_messages if m["type"] == "popupFound"]
    assert vendors_in(r.before) == expected(truth, "none")
    assert vendors_in(r.after) == expected(truth, "reject")
    ga = truth.vendors.get("Google Analytics")
    if ga and "reject" in ga.consent_mode:
        assert ga_consent_values(r.after) == {ga.consent_mode["reject"]}


@pytest.mark.parametrize("host", ALL_SITES)
def test_no_choice_pass(run, host):
    truth = CONSENT_TRUTH[host]
    r = run(host, "none")
    assert vendors_in(r.after) == expected(truth, "none")
    ga = truth.vendors["Google Analytics"]
    want = {ga.consent_mode["none"]} if "none" in ga.consent_mode else set()
    values = ga_consent_values(r.after)
    if want:
        assert values == want
    elif "none" in ga.passes:
        assert values == {("", "")}  # no Consent Mode on this site
    claims = any(gcs[2:] != "00" or set(gcd[2:9:2]) & set("tnv") for gcs, gcd in values if gcs)
    assert claims == truth.claims_granted_before_choice
    if truth.cmp is None:
        assert not r.ac.of("cmpDetected") and not [
            m for m in r.first_page_messages if m["type"] == "cmpDetected"
        ]
    else:
        detected = {m["cmp"] for m in r.first_page_messages if m["type"] == "cmpDetected"}
        assert truth.cmp in detected


@pytest.mark.parametrize("host", ALL_SITES)
def test_gpc_pass(run, net, host):
    truth = CONSENT_TRUTH[host]
    r = run(host, "gpc")
    assert all(req.headers.get("sec-gpc") == "1" for req in r.after if req.host == host)
    assert r.page.evaluate("navigator.globalPrivacyControl") is True
    assert not [req for req in r.after if req.method == "OPTIONS"]  # Sec-GPC triggers no preflight
    assert vendors_in(r.after) == expected(truth, "gpc")
    honoured = {n for n, v in truth.vendors.items() if "gpc_honoured" in v.findings}
    assert not honoured & vendors_in(r.after)
    status, body = r.page.evaluate(
        "() => fetch('/.well-known/gpc.json').then(async r => [r.status, await r.text()])"
    )
    if truth.gpc_json:
        assert status == 200 and json.loads(body) == GPC_JSON
    else:
        assert status == 404
    if host == OT.host:
        consent = next(c["value"] for c in r.context.cookies() if c["name"] == "OptanonConsent")
        assert "isGpcEnabled=1" in consent and "C0004%3A0" in consent
