"""The cases of a whole consent audit on the fake internet, shared by tests/test_consent_e2e_*.py (each
audits some of the sites, so that two test workers share them): the real vendored autoconsent rules
answer imitations of OneTrust, Cookiebot, a TCF consent manager (Quantcast Choice) and Didomi, and every
consent finding lands exactly where the world's ground truth (scanner.fakenet.consent.CONSENT_TRUTH)
says. A test module sets ``SITES`` and imports ``*`` from here."""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor

import pytest

from scanner import scan
from scanner.browser import BrowserOptions
from scanner.crawl.visit import VisitTiming
from scanner.fakenet import FakeInternet
from scanner.fakenet.consent import CONSENT_TRUTH, consent_world
from scanner.options import ScanOptions
from scanner.schema import validation_errors

__all__ = [
    "CONSENT_TRUTH",
    "audits",
    "found",
    "net",
    "pytest_generate_tests",
    "test_every_vendor_gets_the_findings_of_its_behaviour",
    "test_scan_json_with_a_consent_audit_is_valid",
    "test_the_banner_is_answered_and_verified",
    "test_what_the_consent_manager_declares_is_compared",
]

PAGES = 2  # the start page, where the banner is answered, and one page after it
TIMING = VisitTiming(settle_s=0.5, quiet_ms=300, quiet_cap_s=3.0)
# The kinds the truth derives from where each vendor is seen; the others are asserted one by one.
BEHAVIOUR_KINDS = {"before_consent", "despite_reject", "gpc_ignored", "consent_gated", "gpc_honoured"}


def pytest_generate_tests(metafunc):
    if "host" in metafunc.fixturenames:
        metafunc.parametrize("host", metafunc.module.SITES)


@pytest.fixture(scope="module")
def net():
    with FakeInternet(consent_world()) as net:
        yield net


@pytest.fixture(scope="module")
def audits(request, net, tmp_path_factory):
    """Each site audited once as `scanner scan --gpc` does by default (banner -> accept and reject). The
    sites are audited at the same time, one scan (its own event loop and browser) per thread: a scan is a
    library call, and most of an audit is waiting for banners and quiet networks."""

    sites = request.module.SITES
    folders = {host: tmp_path_factory.mktemp(host.split(".")[1]) for host in sites}

    def audit(host: str):
        truth = CONSENT_TRUTH[host]
        options = ScanOptions(
            start_urls=(truth.start,),
            out_dir=folders[host],
            formats=("json",),
            max_pages=PAGES,
            use_sitemap=False,
            concurrency=2,
            timing=TIMING,
            consent_sample=PAGES,
            gpc=True,
            declared=(),
            browser=BrowserOptions(
                ignore_https_errors=True, extra_args=tuple(net.chromium_args()), timeout_s=15
            ),
        )
        return scan(options)

    with ThreadPoolExecutor(max_workers=len(sites)) as pool:
        return dict(zip(sites, pool.map(audit, sites), strict=True))


def found(result) -> dict[str, set[str]]:
    kinds: dict[str, set[str]] = {}
    for f in result.consent.findings:
        kinds.setdefault(f.vendor, set()).add(f.status)
    return kinds


def test_the_banner_is_answered_and_verified(audits, host):
    truth, result = CONSENT_TRUTH[host], audits[host]
    passes = {p.name: p for p in result.consent.passes}
    assert passes["none"].cmp == truth.cmp and passes["none"].action is None
    assert passes["gpc"].signals.get("gpc_presented") is True
    if truth.cmp is None:
        assert set(passes) == {"none", "gpc"}  # no banner: no accept or reject pass
        assert "no_banner" in found(result).get("Consent banner", set())
        return
    assert passes["accept"].action == "optIn" and passes["accept"].verified
    assert passes["reject"].action == "optOut" and passes["reject"].result is True
    assert passes["reject"].verified  # by the self-test, or by the consent manager's own state
    assert passes["reject"].self_test is (True if truth.self_test else None)
    assert passes["accept"].action_page == truth.start
    assert passes["reject"].banner_text and passes["reject"].buttons


def test_every_vendor_gets_the_findings_of_its_behaviour(audits, host):
    truth, result = CONSENT_TRUTH[host], audits[host]
    kinds = found(result)
    for vendor, expected in truth.vendors.items():
        got = kinds.get(vendor, set()) & BEHAVIOUR_KINDS
        assert got == set(expected.findings), (vendor, got, expected.findings)
    extra = {v for v, k in kinds.items() if k & BEHAVIOUR_KINDS} - set(truth.vendors)
    assert not extra


def test_what_the_consent_manager_declares_is_compared(audits, host):
    truth, result = CONSENT_TRUTH[host], audits[host]
    kinds = found(result)
    tracking = {v for v, t in truth.vendors.items() if t.kind in ("analytics", "advertising")}
    if truth.cmp is None:
        assert not any("not_in_cmp" in k for k in kinds.values())
    else:
        unlisted = {v for v in tracking if truth.vendors[v].declared_by_cmp is None}
        assert {v for v, k in kinds.items() if "not_in_cmp" in k} == unlisted
    granted = {v for v, k in kinds.items() if "granted_before_choice" in k}
    assert granted == ({"Google Analytics"} if truth.claims_granted_before_choice else set())


def test_scan_json_with_a_consent_audit_is_valid(audits):
    for host, result in audits.items():
        data = json.loads(json.dumps(result.to_dict()))
        assert validation_errors(data) == [], host
