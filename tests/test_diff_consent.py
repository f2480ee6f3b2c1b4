"""`scanner diff` and `scanner.load_scan` with consent and behaviour findings.

Both scans of each pair are made by the real pipeline from raw visits (tests/consent_factory.py,
tests/behaviour_factory.py): the new scan's visits differ from the old one's in known ways, and the diff
must name exactly those changes: findings new, gone, or changed (severity, criteria met, totals)."""

from __future__ import annotations

import behaviour_factory as bf
import consent_factory as cf
import lxml.html
import pytest
from conftest import run_cli
from report_factory import demo_scan

import scanner
from scanner.diff import diff_scans, diff_text
from scanner.report import write_reports
from scanner.report.consent_text import consent_findings
from scanner.report.diff_files import diff_html, diff_markdown
from scanner.report.markdown import md_escape

NEW_RECORDER = "https://cdn.new-recorder.io/r.js"


def _consent_pair():
    """OLD: the consent audit of consent_factory. NEW: Criteo no longer runs after the rejection and
    runs before consent on the start page only; Facebook now loads before consent on the start page."""
    visits = cf.crawl_visits()
    home = cf.PAGES[0]
    for v in visits:
        name, url = v["page"].get("consent_pass", "none"), v["page"]["url"]
        if name == "reject" or (name == "none" and url != home):
            v["requests"] = [r for r in v["requests"] if "criteo" not in r["url"]]
        if name == "none" and url == home:
            v["requests"] += cf.hits(home, ["connect.facebook.net"], cf.T0)
    return cf.scan(cf.crawl_visits()), cf.scan(visits)


def _behaviour_pair():
    """OLD: behaviour_factory's site. NEW: Criteo stopped reading the canvas, the fingerprinter runs on
    the start page only, the identifier Criteo receives is now a first-party one (medium -> high), and a
    new recorder listens to keys and the mouse on the checkout page."""
    visits = bf.site_visits()
    home, products, checkout = bf.PAGES
    visits[0]["api_calls"] = [a for a in visits[0]["api_calls"] if a.get("script") != bf.CRITEO_SCRIPT]
    visits[1]["api_calls"] = [a for a in visits[1]["api_calls"] if a.get("script") != bf.FP_SCRIPT]
    (sync,) = [leak for leak in visits[1]["value_leaks"] if leak["name"] == "uuid2"]
    sync["source_first_party"] = True
    visits[2]["requests"].append(bf.request(NEW_RECORDER, checkout))
    visits[2]["api_calls"] += bf.recorder(NEW_RECORDER, checkout)
    return bf.behaviour_result(), bf.scan(visits, declared=bf.declaration())


@pytest.fixture(scope="module")
def consent_pair():
    return _consent_pair()


@pytest.fixture(scope="module")
def behaviour_pair():
    return _behaviour_pair()


def test_consent_findings_new_gone_and_changed(consent_pair):
    d = diff_scans(*consent_pair)
    c = d.consent
    assert c.added == ("before_consent: Facebook", "gpc_honoured: Facebook")
    assert c.removed == ("consent_gated: Facebook", "despite_reject: Criteo")
    assert c.changed == {"before_consent: Criteo": "pages 3 → 1; requests 3 → 1"}
    assert c.not_rechecked == () and c.note == ""
    assert d.worse and not d.empty
    text = diff_text(d)
    assert "consent findings: +2 -2 ~1" in text
    assert "  - despite_reject: Criteo" in text
    assert "  ~ before_consent: Criteo (pages 3 → 1; requests 3 → 1)" in text


def test_behaviour_findings_new_gone_and_changed(behaviour_pair):
    d = diff_scans(*behaviour_pair)
    b = d.behaviour
    assert b.added == ("possible_session_recording: new-recorder.io",)
    assert b.removed == ("fingerprinting: Criteo",)
    assert b.changed["fingerprinting: fp-metrics.net"] == "pages 2 → 1"
    assert b.changed["id_sharing: Criteo"].startswith("severity medium → high; criteria ")
    assert set(b.changed) == {"fingerprinting: fp-metrics.net", "id_sharing: Criteo"}
    assert b.note == "" and d.consent.empty and d.consent.note == ""  # neither scan had a consent audit
    assert d.findings.removed == ("mismatch: Criteo",)  # its behaviour mismatch went with the canvas


def test_identical_audits_have_no_change(consent_pair, behaviour_pair):
    for scan in (consent_pair[0], behaviour_pair[0]):
        d = diff_scans(scan, scan)
        assert d.empty and d.consent.changed == {} and d.behaviour.changed == {}
        assert "no changes in vendors, cookies, third-party hosts, findings, consent findings" in diff_text(d)


def test_a_scan_without_the_audit_is_not_compared(consent_pair):
    audited = consent_pair[0]
    d = diff_scans(demo_scan(), audited)
    assert d.consent.note == "not compared: the old scan ran no consent audit"
    assert d.consent.added == () and d.consent.removed == ()
    assert "consent findings: not compared: the old scan ran no consent audit" in diff_text(d)
    d = diff_scans(audited, demo_scan())
    assert d.consent.note == "not compared: the new scan ran no consent audit"


def test_behaviour_audits_that_looked_for_different_things_say_so(behaviour_pair):
    old, _ = behaviour_pair
    visits = bf.site_visits()
    for v in visits:
        v["api_calls"] = []  # --behaviour off: no hooks, no API calls
    off = bf.scan(visits, declared=bf.declaration(), api_hooks=False)
    d = diff_scans(old, off)
    assert d.behaviour.note == (
        "API hooks (fingerprinting) ran in the old scan only: what only one scan looked for is not a change"
    )
    assert "fingerprinting: fp-metrics.net" in d.behaviour.removed  # listed, with the note beside it
    assert f"behaviour findings: {d.behaviour.note}" in diff_text(d)


def test_markdown_and_html_carry_the_audit_changes(consent_pair, behaviour_pair):
    d = diff_scans(*behaviour_pair)
    md = diff_markdown(d)
    assert "**Behaviour findings**: 1 added, 1 removed, 2 changed" in md
    assert f"- ➕ {md_escape('possible_session_recording: new-recorder.io')}" in md
    assert f"- 🔄 {md_escape('fingerprinting: fp-metrics.net')}: pages 2 → 1" in md
    doc = lxml.html.fromstring(diff_html(d))
    rows = {
        tr.xpath("./td/code")[0].text: tr.xpath("./td/span")[0].text
        for tr in doc.xpath("//section[h2[starts-with(., 'Behaviour findings')]]//tr[td]")
    }
    assert rows == {
        "possible_session_recording: new-recorder.io": "added",
        "fingerprinting: Criteo": "removed",
        "fingerprinting: fp-metrics.net": "changed",
        "id_sharing: Criteo": "changed",
    }
    assert doc.xpath("//section[contains(@class,'verdict')]/@class") == ["verdict fail"]
    consent = lxml.html.fromstring(diff_html(diff_scans(*consent_pair)))
    (section,) = consent.xpath("//section[h2[starts-with(., 'Consent findings')]]")
    assert "(2 added, 2 removed, 1 changed)" in section.text_content()
    assert "pages 3 → 1; requests 3 → 1" in section.text_content()


def test_cli_diff_and_load_scan(tmp_path, consent_pair, behaviour_pair):
    old, new = consent_pair
    write_reports(old, tmp_path / "old", ["json"])
    write_reports(new, tmp_path / "new", ["json"])
    proc = run_cli("diff", str(tmp_path / "old"), str(tmp_path / "new"), "--out", str(tmp_path / "d"))
    assert proc.returncode == 0, proc.stderr
    assert "  ~ before_consent: Criteo (pages 3 → 1; requests 3 → 1)" in proc.stdout
    assert f"- ➖ {md_escape('despite_reject: Criteo')}" in (tmp_path / "d" / "diff.md").read_text(
        encoding="utf-8"
    )
    # load_scan: a DataFrame per audit's findings, the columns of scan.findings
    scan = scanner.load_scan(tmp_path / "old")
    frame = scan.consent_findings
    assert list(frame.columns) == list(scan.findings.columns)
    expected = [(f.status, f.vendor) for f in consent_findings(old.consent)]
    assert list(zip(frame["status"], frame["vendor"], strict=True)) == expected
    row = frame.set_index(["status", "vendor"]).loc[("before_consent", "Criteo")]
    assert (row["pages"], row["requests"]) == (3, 3)
    assert set(scan.consent_matrix["pass"]) == {"none", "accept", "reject", "gpc"}
    assert scan.behaviour_findings.empty  # the consent scans found no behaviour
    write_reports(behaviour_pair[0], tmp_path / "b", ["json"])
    b = scanner.load_scan(tmp_path / "b")
    assert b.consent_findings.empty and b.consent_matrix.empty
    frame = b.behaviour_findings.set_index(["status", "vendor"])
    assert len(frame) == len(behaviour_pair[0].behaviour.findings)
    assert frame.loc[("id_sharing", "Criteo"), "severity"] == "medium"
    assert frame.loc[("fingerprinting", "fp-metrics.net"), "observations"] > 0
    assert not b.behaviour.empty and set(b.behaviour["kind"]) >= {"fingerprinting", "id_sharing"}
