"""scanner email's analysis of a realistic newsletter: pixels, CSS, tracked links and their unwrapping, the
recipient's address in every form, identifiers, List-Unsubscribe, vendors from the catalog (ESP domains and
branded hosts), and the findings against a declaration (the scan's compare step)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from email_messages import (
    ADDRESS,
    B64,
    MD5,
    SHA1,
    SHA256,
    SUBSCRIBER,
    UPN,
    URLENC,
    newsletter,
    simple,
)

from scanner.catalog import load_catalog
from scanner.declared import parse_declared_csv
from scanner.email import esp
from scanner.email.audit import run_audit
from scanner.email.message import read_messages

DECLARED = "name,purpose\nMailchimp,newsletter delivery and open statistics\nHotjar,heatmaps on the shop\n"


def _audit(tmp_path: Path, raw: bytes, declared: str | None = DECLARED, **kw):
    path = tmp_path / "news.eml"
    path.write_bytes(raw)
    rows = parse_declared_csv(declared) if declared is not None else None
    return run_audit(read_messages([path]), declared=rows, declared_source="vendors.csv", **kw)


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    return _audit(tmp_path_factory.mktemp("news"), newsletter())


def _refs(audit, **match):
    return [r for r in audit.messages[0].references if all(getattr(r, k) == v for k, v in match.items())]


def _by_url(audit, start: str):
    found = [r for r in audit.messages[0].references if r.url.startswith(start) and not r.rendered]
    assert found, f"no reference starting with {start}"
    return found[0]


def test_pixels_and_why(audit):
    pixels = {r.vendor: r.pixel_reasons for r in _refs(audit, pixel=True)}
    assert pixels == {
        "Mailchimp": ("tiny image (1x1)", "known open pixel (Mailchimp: e-mail open pixel)"),
        "audience-demo.net": ("hidden (display:none (ancestor <div>))",),
        "adsync-demo.com": ("tiny image (0x0)",),
        "b64-demo.net": ("tiny image (1x1)",),
    }
    logo = _by_url(audit, "cid:")
    assert (logo.remote, logo.auto_load, logo.pixel) == (False, False, False)
    assert not [n for n in audit.messages[0].notes if "cid:" in n]  # the cid names the inline part


def test_css_backgrounds_imports_and_outlook_vml_are_fetched_content(audit):
    kinds = {(r.kind, r.source, r.url) for r in _refs(audit, auto_load=True, pixel=False, remote=True)}
    assert ("css_import", "<style> block", "https://fonts.fontcdn-demo.com/css2?family=Inter") in kinds
    assert ("background", "<style> block", "https://cdn.shop-demo.com/img/hero-bg.jpg") in kinds
    assert ("background", "<td background>", "https://cdn.shop-demo.com/img/td-bg.png") in kinds
    vml = "<v:fill src> (VML) (Outlook conditional comment)"
    assert ("image", vml, "https://cdn.shop-demo.com/img/vml-bg.png") in kinds
    # the sender's own images are first party: fetched, no vendor, not tracking
    hero = _by_url(audit, "https://cdn.shop-demo.com/img/hero-bg.jpg")
    assert (hero.first_party, hero.vendor, hero.tracked) == (True, None, False)


def test_every_form_of_the_address_is_found_and_named(audit):
    leaks = {
        (lk["party"], lk["encoding"], lk["where"]) for r in audit.messages[0].references for lk in r.leaks
    }
    assert leaks == {
        ("audience-demo.net", "md5", "query h"),
        ("adsync-demo.com", "sha256", "query em"),
        ("sha-demo.io", "sha1", "path"),
        ("b64-demo.net", "base64", "path"),
        ("survey-demo.com", "plain", "query email"),
        # the nested link: Google's redirect, the redirector and the partner all receive it (URL-encoded)
        ("Other Google APIs/SDKs", "url", "query q"),
        ("redirect-demo.net", "url", "query u"),
        ("partner-demo.org", "url", "query e"),
    }
    findings = {f.vendor: f for f in audit.findings if f.status == "address_leak"}
    assert set(findings) == {p for p, _, _ in leaks}
    assert findings["audience-demo.net"].severity == "high"
    assert findings["audience-demo.net"].reasons == ("md5",)


def test_outlook_safe_links_is_unwrapped_and_its_own_parameters_are_not_a_leak(audit):
    link = _by_url(audit, "https://eur01.safelinks.protection.outlook.com/")
    assert [h.host for h in link.hops] == [
        "eur01.safelinks.protection.outlook.com",
        "shopdemo.us14.list-manage.com",
    ]
    assert link.hops[0].wrapper and link.hops[1].via == "Outlook Safe Links" and link.hops[1].recipient_side
    assert link.vendor == "Mailchimp" and link.tracking == "click tracking (Mailchimp), identifier in the URL"
    assert link.final_url is None  # Mailchimp's redirect does not say where it goes
    assert link.leaks == ()  # Safe Links' data= holds the recipient's address: the recipient's own system
    assert URLENC not in link.url and "[address:url]" in link.url


def test_nested_redirectors_are_unwrapped_to_the_destination(audit):
    link = _by_url(audit, "https://www.google.com/url?q=")
    assert [(h.host, h.via) for h in link.hops] == [
        ("www.google.com", None),
        ("click.redirect-demo.net", "Google redirect"),
        ("partner-demo.org", "query u="),
    ]
    assert link.final_url == "https://partner-demo.org/welcome?e=[address:url]&utm_source=newsletter"
    assert link.tracking == "redirect to the destination, the recipient's address in the URL"


def test_branded_sendgrid_host_is_named_by_the_url_shape(audit):
    link = _by_url(audit, "https://url7733.shop-demo.com/ls/click")
    assert link.first_party and link.vendor == "SendGrid"
    assert "docs.sendgrid.com" in link.vendor_reason
    assert link.identifiers == (
        {"hop": 0, "where": "query upn", "length": len(UPN), "reason": esp.RECIPIENT_PARAMS["upn"]},
    )
    assert link.url == f"https://url7733.shop-demo.com/ls/click?upn=[id:{len(UPN)}]"


def test_plain_social_links_are_not_evidence(audit):
    fb = _by_url(audit, "https://www.facebook.com/shopdemo")
    assert fb.vendor == "Facebook" and not fb.tracked
    assert "Facebook" not in {f.vendor for f in audit.findings}


def test_list_unsubscribe(audit):
    lu = audit.messages[0].list_unsubscribe
    assert lu["one_click"] is True and (lu["https"], lu["mailto"]) == (1, 1)
    assert lu["uris"] == [
        f"https://shopdemo.us14.list-manage.com/unsubscribe?u=6f0c1d2e3b&id=ab12cd34ef&e=[id:{len(SUBSCRIBER)}]&c=1",
        f"mailto:unsubscribe-[id:{len(SUBSCRIBER)}]@shop-demo.com",
    ]
    (header,) = [r for r in _refs(audit, kind="list_unsubscribe") if r.remote]
    assert header.vendor == "Mailchimp" and header.identifiers[0]["where"] == "query e"


def test_findings_against_the_declaration(audit):
    status = {(f.status, f.vendor) for f in audit.findings}
    assert ("declared", "Mailchimp") in status
    assert ("not_observed", "Hotjar") in status
    assert ("undeclared", "SendGrid") in status
    for unknown in (
        "audience-demo.net",
        "adsync-demo.com",
        "b64-demo.net",
        "survey-demo.com",
        "redirect-demo.net",
    ):
        assert ("undeclared", unknown) in status
    assert not [f for f in audit.findings if f.status == "mismatch"]
    mailchimp = next(f for f in audit.findings if f.vendor == "Mailchimp")
    assert mailchimp.evidence.pages == (audit.messages[0].key,)  # per-message evidence
    assert "in 1 message(s)" in mailchimp.detail and "page" not in mailchimp.detail
    hotjar = next(f for f in audit.findings if f.vendor == "Hotjar")
    assert hotjar.detail == "Declared as 'Hotjar' (exact) but not seen in the 1 message(s) audited."
    assert list(audit.summary.items())[0] == ("address_leak", 8)


def test_nothing_of_the_address_or_the_identifiers_reaches_the_output(audit):
    text = json.dumps(audit.to_dict()).lower()
    for secret in (ADDRESS, URLENC.lower(), MD5, SHA1, SHA256, B64.lower(), SUBSCRIBER, UPN.lower()):
        assert secret not in text


def test_a_mismatch_when_the_declared_purpose_does_not_fit(tmp_path):
    declared = "name,purpose,category\nMailchimp,payment pages,payment\n"
    audit = _audit(tmp_path, newsletter(), declared)
    (f,) = [f for f in audit.findings if f.vendor == "Mailchimp"]
    assert f.status == "mismatch" and f.reasons == ("purpose",)


def test_sender_domain_leak_is_medium_and_recipient_option_wins(tmp_path):
    html = (
        '<a href="https://www.shop-demo.com/account?email=other.person%40example.net">Account</a>'
        '<img src="https://www.shop-demo.com/pixel.gif?u=ann.reader@example.org" width="1" height="1">'
    )
    audit = _audit(tmp_path, simple(html), None, recipients=["other.person@example.net"])
    (f,) = audit.findings
    assert (f.status, f.vendor, f.severity, f.reasons) == (
        "address_leak",
        "shop-demo.com (the sender)",
        "medium",
        ("url",),
    )
    assert audit.messages[0].recipient_source == "--recipient"
    pixel = _by_url(audit, "https://www.shop-demo.com/pixel.gif")
    assert pixel.pixel and pixel.first_party and pixel.vendor is None and pixel.leaks == ()


def test_no_recipient_known_is_said(tmp_path):
    page = tmp_path / "body.html"
    page.write_text('<img src="https://t.audience-demo.net/o.gif?h=' + MD5 + '" width=1 height=1>')
    audit = run_audit(read_messages([page]))
    assert audit.messages[0].recipient_source == "none"
    assert any("give --recipient" in n for n in audit.messages[0].notes)
    assert any("no recipient address" in b for b in audit.blind_spots)
    assert not [f for f in audit.findings if f.status == "address_leak"]


def test_a_folder_is_one_report_with_per_message_evidence(tmp_path):
    folder = tmp_path / "sent"
    folder.mkdir()
    (folder / "week1.eml").write_bytes(newsletter(subject="Week 1"))
    (folder / "week2.eml").write_bytes(newsletter(subject="Week 2", to="bob.other@example.com"))
    audit = run_audit(read_messages([folder]))
    assert [m.key for m in audit.messages] == ["sent/week1.eml", "sent/week2.eml"]
    mailchimp = next(f for f in audit.findings if f.vendor == "Mailchimp")
    assert mailchimp.status == "undeclared" and mailchimp.evidence.pages == (
        "sent/week1.eml",
        "sent/week2.eml",
    )
    survey = next(f for f in audit.findings if f.vendor == "survey-demo.com" and f.status == "address_leak")
    assert survey.evidence.pages == ("sent/week1.eml",)  # week 2's link holds another address than its own


def test_every_esp_signature_names_a_catalog_vendor():
    catalog = load_catalog()
    assert all(catalog.vendor(sig.vendor) is not None for sig in esp.SIGNATURES)
    for name in ("Mailchimp", "SendGrid", "Hubspot", "Salesforce Marketing Cloud", "Braze", "Amazon SES"):
        assert catalog.vendor(name).category == "marketing-automation"
    assert (
        catalog.match_url("https://click.exacttarget.com/?qs=1").vendor.name == "Salesforce Marketing Cloud"
    )
    assert catalog.match_url("https://t.hubspotemail.net/e2t/o/x").vendor.name == "Hubspot"
    assert catalog.match_url("https://eu.mcusercontent.com/a.png").vendor.name == "Mailchimp"
