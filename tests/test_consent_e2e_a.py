"""Consent audits of the OneTrust, Didomi and plain sites (cases: tests/consent_e2e_cases.py), and what
only the OneTrust site shows: phases, the declaration across passes, the banner list as declaration, GPC."""

from __future__ import annotations

import pytest
from consent_e2e_cases import *  # noqa: F403 - the shared cases, run on this module's SITES
from consent_e2e_cases import CONSENT_TRUTH

from scanner import scan
from scanner.options import ScanOptions

SITES = ("www.ot-daily.com", "www.didomi-voyages.com", "www.plain-bakery.com")


def test_records_say_their_pass_and_phase(audits):
    result = audits["www.ot-daily.com"]
    accept = [
        r for r in result.requests if r.consent_pass == "accept" and r.page_url == result.meta.start_urls[0]
    ]
    phases = {r.consent_phase for r in accept}
    assert phases == {"before_action", "after_action"}
    facebook = [r for r in accept if r.vendor == "Facebook"]
    assert facebook and {r.consent_phase for r in facebook} == {"after_action"}
    gcs = {
        r.consent_params.get("gcs") for r in result.requests if r.consent_params and "gcs" in r.consent_params
    }
    assert gcs  # consent signal values are kept on the rows


def test_declared_after_consent_only_is_declared(net, audits, tmp_path):
    """The declaration comparison uses every pass: Facebook, declared, loads only after "accept"."""
    from scanner.declared import parse_declared_csv
    from scanner.pipeline import analyse

    result = audits["www.ot-daily.com"]
    rows = parse_declared_csv("name,purpose,privacy_policy\nFacebook,advertising,https://fb.test/p\n")
    again = analyse(result, declared=rows)
    assert next(f for f in again.findings if f.vendor == "Facebook").status == "declared"
    assert not [r for r in result.requests if r.vendor == "Facebook" and r.consent_pass == "none"]


def test_the_banner_list_as_the_declaration(audits):
    """--declared-from cmp: what the OneTrust banner lists is declared; TikTok, which it never lists,
    is undeclared."""
    from scanner.consent.declaration import cmp_declared
    from scanner.pipeline import analyse

    result = audits["www.ot-daily.com"]
    rows, source = cmp_declared(result)
    assert source.startswith("cmp: ")
    again = analyse(result, declared=rows, declared_source=source)
    status = {f.vendor: f.status for f in again.findings}
    for vendor, t in CONSENT_TRUTH["www.ot-daily.com"].vendors.items():
        if t.kind in ("analytics", "advertising"):
            expected = {"undeclared"} if t.declared_by_cmp is None else {"declared", "mismatch"}
            assert status[vendor] in expected, vendor


def test_declared_from_cmp_needs_the_driver():
    from scanner.errors import BadInput

    with pytest.raises(BadInput, match="consent driver"):
        scan(ScanOptions(start_urls=("https://www.ot-daily.com/",), consent="off", declared_from="cmp"))


def test_the_gpc_pass_sent_the_signal_without_a_preflight(net, audits):
    """Chromium's own GPC: requests of the GPC pass carry Sec-GPC: 1, and no cross-origin request gained a
    CORS preflight (no OPTIONS request reached any host in any pass)."""
    assert not [r for r in net.log if r.method == "OPTIONS"]
    assert [r for r in net.log if r.headers.get("sec-gpc") == "1" and r.host == "analytics.tiktok.com"]
