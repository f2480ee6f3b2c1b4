"""Consent audits of the Cookiebot and TCF sites (cases: tests/consent_e2e_cases.py), and the cookie the
Cookiebot banner files as necessary though an advertising vendor sets it."""

from __future__ import annotations

from consent_e2e_cases import *  # noqa: F403 - the shared cases, run on this module's SITES

SITES = ("www.cb-boutique.com", "www.tcf-magazine.com")


def test_a_cookie_the_banner_calls_necessary_but_an_ad_vendor_sets_is_a_mismatch(audits):
    result = audits["www.cb-boutique.com"]
    mismatch = [f for f in result.consent.findings if f.status == "cmp_mismatch"]
    assert [f.vendor for f in mismatch] == ["Criteo"]
    assert "declared necessary" in mismatch[0].detail and "necessary" in mismatch[0].reasons
