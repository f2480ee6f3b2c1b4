"""Every report format carries the consent audit: report.html (section after the verdict, passes,
screenshots, vendor x pass matrix, findings with their evidence), findings.csv + consent-matrix.csv,
SARIF, JUnit and summary.md. The results come from the real pipeline (tests/consent_factory.py: raw
visits -> assemble -> analyse); banner text, button labels and the consent manager's name are the
page's and hostile."""

from __future__ import annotations

import base64
import json
import re
import xml.etree.ElementTree as ET

import lxml.html
import pandas as pd
import pytest
from consent_factory import PAGES, T0, crawl_visits, driver, hits, request, scan, visit
from report_browser import browser, open_report
from report_factory import demo_scan
from report_schemas import junit_errors, sarif_errors

from scanner.compare import MAX_EVIDENCE_REQUESTS
from scanner.model import CONSENT_KINDS, ScanResult
from scanner.report import FORMATS, write_reports
from scanner.report.junit import build_junit
from scanner.report.markdown import build_summary_md
from scanner.report.sarif import build_sarif

SHOTS = {
    "screenshot_before": "screenshots/banner-before.png",
    "screenshot_after": "screenshots/banner-after.png",
}
BANNER = {
    "banner_text": "We value your privacy. Cookies help us.",
    "banner_buttons": ["Accept all", "Reject all"],
}
HOSTILE_TEXT = "<script>window.__pwned=1;alert('banner')</script>We use cookies"
HOSTILE_BUTTONS = ['" onmouseover="window.__pwned=2" x="', "<img src=x onerror=window.__pwned=3>"]
HOSTILE_CMP = "<b onmouseover=alert('cmp')>Evil CMP</b>"
HOSTILE = {
    "banner_text": HOSTILE_TEXT,
    "banner_buttons": HOSTILE_BUTTONS,
    "errors": ["<iframe src=https://evil.example/></iframe>"],
    "screenshot_before": "javascript:alert('shot')",
    "screenshot_after": "../../../etc/passwd",
}
FORMULA_CMP = '=HYPERLINK("http://evil.test","x")'
EXTRA = 30  # more Criteo requests on the first crawl page than a finding's evidence lists


def busy_visits(**kw) -> list[dict]:
    """The audit of consent_factory with EXTRA more Criteo requests before consent."""
    visits = crawl_visits(**kw)
    extra = [request(f"https://static.criteo.net/js/ld/ld.js?n={i}", PAGES[0], T0) for i in range(EXTRA)]
    visits[0]["requests"] += extra
    return visits


@pytest.fixture(scope="module")
def audit() -> ScanResult:
    return scan(busy_visits(banner={**BANNER, **SHOTS}))


@pytest.fixture(scope="module")
def hostile() -> ScanResult:
    return scan(crawl_visits(cmp=HOSTILE_CMP, banner=HOSTILE))


@pytest.fixture
def written(tmp_path, audit):
    (tmp_path / "screenshots").mkdir()
    for name in SHOTS.values():
        (tmp_path / name).write_bytes(b"\x89PNG\r\n\x1a\n")
    write_reports(audit, tmp_path, FORMATS, fail_on=["before-consent", "despite-reject"])
    return tmp_path


def by_kind(result: ScanResult) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in result.consent.findings:
        out.setdefault(f.status, set()).add(f.vendor)
    return out


CRITEO_BEFORE = 3 + EXTRA  # requests of Criteo before consent: one per crawl page, EXTRA more


def test_the_fixture_is_what_the_pipeline_made(audit):
    assert by_kind(audit) == {
        "before_consent": {"Google Analytics", "Criteo", "LinkedIn"},
        "despite_reject": {"Criteo"},
        "gpc_ignored": {"Criteo"},
        "consent_gated": {"Facebook"},
        "gpc_honoured": {"LinkedIn"},
    }
    criteo = next(f for f in audit.consent.findings if (f.vendor, f.status) == ("Criteo", "before_consent"))
    assert criteo.evidence.total("requests") == CRITEO_BEFORE
    assert criteo.evidence.listed("requests") == MAX_EVIDENCE_REQUESTS < CRITEO_BEFORE


# ---- report.html ---------------------------------------------------------------------------------


def _html(folder) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((folder / "report.html").read_text(encoding="utf-8"))


def test_html_consent_section_comes_right_after_the_verdict(written):
    doc = _html(written)
    ids = [s.get("id") for s in doc.xpath("//main/section")]
    assert ids[:4] == ["verdict", "consent", "behaviour", "findings"]
    (section,) = doc.xpath("//section[@id='consent']")
    text = section.text_content()
    assert "Consent banner found: Onetrust" in text
    assert "Results hold for this scan's region: time zone Europe/Berlin" in text
    assert doc.xpath("//nav/a[@href='#consent']")


def test_html_passes_show_action_verification_banner_and_screenshots(written):
    doc = _html(written)
    cards = {c.get("data-pass"): c for c in doc.xpath("//section[@id='consent']//div[@class='pass']")}
    assert list(cards) == ["none", "accept", "reject", "gpc"]
    reject = cards["reject"].text_content()
    assert "reject all (opt-out)" in reject and "verified (result ok, self-test passed)" in reject
    assert "We value your privacy. Cookies help us." in reject
    assert [li.text_content() for li in cards["reject"].xpath(".//ul[@class='buttons']/li")] == BANNER[
        "banner_buttons"
    ]
    assert "accept all (opt-in)" in cards["accept"].text_content()
    assert "none (looked only)" in cards["none"].text_content()
    srcs = cards["accept"].xpath(".//div[@class='shots']//img/@src")
    # embedded: report.html alone shows them (scanner.report.html_images)
    assert srcs == ["data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\n").decode()] * len(SHOTS)


def test_html_unverified_rejection_says_so(tmp_path):
    result = scan(crawl_visits(verified_reject=False))
    write_reports(result, tmp_path, ["html"])
    (card,) = _html(tmp_path).xpath("//div[@data-pass='reject']")
    assert "NOT verified (result ok, self-test failed)" in card.text_content()


def test_html_matrix_has_a_column_per_pass_and_bad_cells_in_words(written, audit):
    doc = _html(written)
    (table,) = doc.xpath("//table[@id='consent-matrix']")
    assert [th.text_content() for th in table.xpath("./thead//th")] == [
        "Vendor",
        "Category",
        "Before consent",
        "Accept all",
        "Reject all",
        "Global Privacy Control",
    ]
    rows = {tr.xpath("./td[1]/b")[0].text_content(): tr for tr in table.xpath("./tbody/tr")}
    assert set(rows) == {row["vendor"] for row in audit.consent.matrix}
    criteo = rows["Criteo"]
    bad = {
        td.get("data-pass"): td.xpath("./strong")[0].text_content()
        for td in criteo.xpath("./td[@class='cell bad']")
    }
    assert bad == {"none": "✖ fires before consent", "reject": "✖ fires after reject", "gpc": "✖ ignores GPC"}
    assert f"{CRITEO_BEFORE} requests on 3 pages" in criteo.xpath("./td[@data-pass='none']")[0].text_content()
    assert not rows["Facebook"].xpath("./td[contains(@class,'bad')]")
    assert rows["Facebook"].xpath("./td[@data-pass='none']")[0].text_content() == "not seen"


def test_html_consent_findings_have_the_drill_down_with_totals(written, audit):
    doc = _html(written)
    units = doc.xpath("//table[@id='consent-findings-table']/tbody[contains(@class,'unit')]")
    assert len(units) == len(audit.consent.findings)
    (criteo,) = [
        u for u in units if u.get("data-status") == "before_consent" and u.xpath(".//b[text()='Criteo']")
    ]
    counts = [td.text_content() for td in criteo.xpath("./tr[contains(@class,'row')]/td[@class='n']")]
    assert counts == ["3", "0", str(CRITEO_BEFORE), "0", "0"]  # pages, cookies, requests, beacons, storage
    assert "failing" in criteo.xpath("./tr[contains(@class,'row')]")[0].get("class")
    evidence = lxml.html.tostring(criteo, encoding="unicode")
    assert f"<h4>Requests ({CRITEO_BEFORE})</h4>" in evidence
    # scan.json keeps a sample; the report groups every one of the scan's requests behind the finding
    groups = criteo.xpath(".//table[contains(@class,'groups')]/tbody/tr[@class='group']/td[3]")  # Requests
    assert sum(int(td.text_content()) for td in groups) == CRITEO_BEFORE
    gated = [u for u in units if u.get("data-status") == "consent_gated"]
    assert "failing" not in gated[0].xpath("./tr")[0].get("class")


def test_html_verdict_names_failing_consent_findings(written):
    (verdict,) = _html(written).xpath("//section[@id='verdict']")
    text = " ".join(verdict.text_content().split())
    assert "4 findings fail the gate" in text
    named = text.split("Consent findings that fail the gate: ")[1].split(".")[0].split(", ")
    assert sorted(named) == [
        "Criteo (before consent)",
        "Criteo (despite reject)",
        "Google Analytics (before consent)",
        "LinkedIn (before consent)",
    ]
    assert "GPC ignored" in text  # a count chip per consent kind


def test_no_banner_is_not_shown_to_this_browser_with_the_region(tmp_path):
    result = scan([visit(p, "none", hits(p, ["www.google-analytics.com"], T0), driver(None)) for p in PAGES])
    write_reports(result, tmp_path, ["html", "md"])
    (section,) = _html(tmp_path).xpath("//section[@id='consent']")
    assert "Consent banner not shown to this browser (time zone Europe/Berlin, languages en-US,en)" in (
        section.text_content()
    )
    assert "No banner" in section.text_content()
    md = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "Consent banner not shown to this browser" in md


def test_no_consent_anywhere_without_an_audit(tmp_path):
    result = demo_scan()
    assert result.consent is None
    written = write_reports(result, tmp_path, FORMATS)
    assert "consent-matrix.csv" not in {p.name for p in written}
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="consent"' not in html and "Consent audit" not in html and 'href="#consent"' not in html
    assert "Consent" not in (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert 'name="consent"' not in (tmp_path / "junit.xml").read_text(encoding="utf-8")
    sarif = json.loads((tmp_path / "results.sarif").read_text(encoding="utf-8"))
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in rules if "behaviour" not in r["properties"]["tags"]] == [
        "TRK001",
        "TRK002",
        "TRK003",
        "TRK004",
    ]
    assert "consent" not in sarif["runs"][0]["properties"]


# ---- CSV -----------------------------------------------------------------------------------------


def test_findings_csv_carries_consent_rows_with_totals(written, audit):
    frame = pd.read_csv(written / "findings.csv")
    consent = frame[frame["status"].isin(CONSENT_KINDS)]
    assert len(consent) == len(audit.consent.findings)
    assert len(frame) == len(audit.findings) + len(audit.consent.findings)
    row = consent[(consent["vendor"] == "Criteo") & (consent["status"] == "before_consent")].iloc[0]
    assert (row["pages"], row["requests"]) == (3, CRITEO_BEFORE)
    assert f"showing {MAX_EVIDENCE_REQUESTS} of {CRITEO_BEFORE} requests" in row["evidence_note"]


def test_consent_matrix_csv_is_vendor_by_pass(written, audit):
    frame = pd.read_csv(written / "consent-matrix.csv")
    assert len(frame) == len(audit.consent.matrix) * 4
    cell = frame[(frame["vendor"] == "Criteo") & (frame["pass"] == "none")].iloc[0]
    assert (cell["requests"], cell["pages"], bool(cell["bad"])) == (CRITEO_BEFORE, 3, True)
    assert cell["bad_reason"] == "fires before consent"
    reject = frame[(frame["vendor"] == "Criteo") & (frame["pass"] == "reject")].iloc[0]
    assert reject["action"] == "reject all (opt-out)" and reject["verified"].startswith("verified")
    assert frame.groupby("vendor")["pass"].apply(list).to_dict()["Facebook"] == [
        "none",
        "accept",
        "reject",
        "gpc",
    ]


def test_consent_csv_cells_stay_formula_safe(tmp_path):
    result = scan(crawl_visits(cmp=FORMULA_CMP))
    write_reports(result, tmp_path, ["csv"])
    frame = pd.read_csv(tmp_path / "consent-matrix.csv")
    managers = set(frame["consent_manager"].dropna())
    assert managers == {"'" + FORMULA_CMP}


# ---- SARIF / JUnit / Markdown --------------------------------------------------------------------


def test_sarif_has_a_rule_per_consent_kind_and_results_at_their_level(written, audit):
    sarif = json.loads((written / "results.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(sarif) == []
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    consent_rules = [r for r in rules if "consent" in r["properties"]["tags"]]
    assert [r["properties"]["tags"][-1] for r in consent_rules] == list(CONSENT_KINDS)
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    levels = {
        (r["properties"]["vendor"], r["properties"]["consentKind"]): (r["level"], r.get("kind", "fail"))
        for r in run["results"]
        if "consentKind" in r["properties"]
    }
    assert levels == {
        ("Criteo", "before_consent"): ("error", "fail"),
        ("Google Analytics", "before_consent"): ("error", "fail"),
        ("LinkedIn", "before_consent"): ("error", "fail"),
        ("Criteo", "despite_reject"): ("error", "fail"),
        ("Criteo", "gpc_ignored"): ("warning", "fail"),
        ("Facebook", "consent_gated"): ("none", "pass"),
        ("LinkedIn", "gpc_honoured"): ("none", "pass"),
    }
    criteo = next(
        r
        for r in run["results"]
        if r["properties"].get("consentKind") == "before_consent" and r["properties"]["vendor"] == "Criteo"
    )
    assert criteo["properties"]["evidenceTotals"]["requests"] == CRITEO_BEFORE
    assert criteo["properties"]["evidenceListed"]["requests"] == MAX_EVIDENCE_REQUESTS
    assert run["properties"]["consent"]["summary"] == audit.consent.summary
    fingerprints = [r["partialFingerprints"]["vendorStatus/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)


def test_sarif_no_banner_is_a_note():
    result = scan([visit(p, "none", hits(p, ["cdnjs.cloudflare.com"], T0), driver(None)) for p in PAGES])
    sarif = build_sarif(result)
    assert sarif_errors(sarif) == []
    (res,) = [r for r in sarif["runs"][0]["results"] if r["properties"].get("consentKind")]
    assert (res["ruleId"], res["level"]) == ("TRK108", "note")


def test_junit_consent_suite_has_a_case_per_vendor_and_kind(written, audit):
    text = (written / "junit.xml").read_text(encoding="utf-8")
    assert junit_errors(text) == []
    root = ET.fromstring(text)
    (suite,) = [s for s in root.findall("testsuite") if s.get("name") == "consent"]
    cases = {c.get("name"): c for c in suite.iter("testcase")}
    assert len(cases) == len(audit.consent.findings)
    failing = {name for name, c in cases.items() if c.find("failure") is not None}
    assert failing == {
        "Before consent: Criteo",
        "Before consent: Google Analytics",
        "Before consent: LinkedIn",
        "Despite reject: Criteo",
        "GPC ignored: Criteo",
    }
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("7", "5", "0")
    declared_failures = sum(
        int(s.get("failures")) for s in root.findall("testsuite") if s.get("name") != "consent"
    )
    assert root.get("failures") == str(declared_failures + 5)
    body = cases["Before consent: Criteo"].find("failure").text
    assert f"{CRITEO_BEFORE} requests (showing 5 of {CRITEO_BEFORE})" in body


def test_junit_unverified_rejection_skips_unless_the_gate_names_it():
    result = scan(crawl_visits(verified_reject=False))

    def outcome(fail_on):
        root = ET.fromstring(build_junit(result, fail_on))
        (case,) = [c for c in root.iter("testcase") if c.get("name") == "Reject unverified: Criteo"]
        return [child.tag for child in case]

    assert outcome(None) == ["skipped", "system-out"]
    assert outcome(["reject-unverified"]) == ["failure"]
    assert junit_errors(build_junit(result, ["reject-unverified"])) == []


def test_summary_md_has_the_consent_section_and_names_failing_findings(written, audit):
    md = (written / "summary.md").read_text(encoding="utf-8")
    first = md.split("\n\n")[1]
    assert "❌ **Fail** — 4 finding(s) fail the gate; consent: Criteo \\(before consent\\)" in first
    assert "Criteo \\(despite reject\\)" in first
    section = md.split("#### Consent audit")[1]
    assert "| Vendor | Before consent | Accept all | Reject all | Global Privacy Control |" in section
    (criteo,) = [line for line in section.splitlines() if line.startswith("| Criteo | ❌")]
    assert f"❌ **fires before consent**: {CRITEO_BEFORE} requests on 3 pages" in criteo
    assert "❌ **fires after reject**" in criteo and "❌ **ignores GPC**" in criteo
    (row,) = [line for line in section.splitlines() if line.startswith("| Criteo | 🔴 Before consent")]
    # Pages, Requests (beacons included), Beacons: the finding's totals
    assert row.split(" | ")[-4:] == ["3", str(CRITEO_BEFORE), "0", "fails |"]
    assert "| Reject all | Onetrust | reject all \\(opt-out\\) | verified" in section


# ---- hostile consent content ---------------------------------------------------------------------


def test_hostile_consent_content_in_text_formats(tmp_path, hostile):
    write_reports(hostile, tmp_path, FORMATS, fail_on=["before-consent"])
    assert junit_errors((tmp_path / "junit.xml").read_text(encoding="utf-8")) == []
    assert sarif_errors(json.loads((tmp_path / "results.sarif").read_text(encoding="utf-8"))) == []
    md = build_summary_md(hostile)
    assert not re.search(r"(?<!\\)[<>]", md), "unescaped angle bracket"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "onmouseover=" not in html.replace("onmouseover=&#34;", "").replace("onmouseover=alert", "")
    assert "<script>window.__pwned" not in html
    assert "javascript:" not in html and "etc/passwd" not in html  # the screenshots were refused


@pytest.mark.browser
def test_hostile_consent_section_is_inert_in_chromium(tmp_path, hostile):
    (path,) = write_reports(hostile, tmp_path, ["html"], fail_on=["before-consent"])
    with browser() as b, open_report(b, path) as opened:
        page = opened.page
        page.hover("ul.buttons li")
        page.hover("#consent .pass dd")
        found = page.evaluate(
            """() => ({
            pwned: window.__pwned === undefined ? null : window.__pwned,
            handlers: document.querySelectorAll('[onmouseover], [onerror], [onload], [onclick]').length,
            imgs: document.querySelectorAll('img').length,
            frames: document.querySelectorAll('iframe, object, embed').length,
            scripts: document.scripts.length,
            text: document.getElementById('consent').innerText,
        })"""
        )
        assert found["pwned"] is None and found["handlers"] == 0
        assert found["imgs"] == 0 and found["frames"] == 0 and found["scripts"] == 1
        for payload in (HOSTILE_TEXT, *HOSTILE_BUTTONS, HOSTILE_CMP, HOSTILE["errors"][0]):
            assert payload in found["text"], payload
        assert opened.dialogs == [] and opened.errors == [] and opened.csp_violations == []
        assert opened.network == [], opened.network


def test_pages_table_counts_each_pass_visit_on_its_own(audit):
    """A consent pass visits the crawl's URLs again: each row of the Pages table counts the requests and
    cookies of its own visit (pass and URL), so the same URL in two passes shows two different counts."""
    from collections import Counter

    from scanner.report.html_view import build_view

    rows = build_view(audit)["pages"]
    requests = Counter((r.consent_pass, r.page_url) for r in audit.requests)
    cookies = Counter((c.consent_pass, c.page_url) for c in audit.cookies)
    assert len(rows) == len(audit.pages) and len({p.consent_pass for p in audit.pages}) > 1
    for row, page in zip(rows, audit.pages, strict=True):
        assert row["requests"] == requests[(page.consent_pass, page.url)], (page.consent_pass, page.url)
        assert row["cookies"] == cookies[(page.consent_pass, page.url)], (page.consent_pass, page.url)
    assert sum(r["requests"] for r in rows) == len(audit.requests)  # every request in exactly one row
    by_url: dict[str, set[int]] = {}
    for row in rows:
        by_url.setdefault(row["url"], set()).add(row["requests"])
    assert any(len(counts) > 1 for counts in by_url.values())  # a URL whose passes differ
