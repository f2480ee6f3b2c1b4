"""End to end: `scanner demo` as a user runs it, then every file it wrote, checked against the truth of
the demo world (scanner/fakenet/README.md) and the repository's vendors.csv."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import REPO, run_cli
from report_browser import browser, open_report
from report_schemas import har_errors, junit_errors, sarif_errors

from scanner.schema import validation_errors

FILES = (
    "report.html",
    "scan.json",
    "findings.csv",
    "cookies.csv",
    "requests.csv",
    "scan.har",
    "junit.xml",
    "results.sarif",
    "summary.md",
)

# (catalog vendor, declared_name from vendors.csv) per status, for the repository's vendors.csv.
EXPECTED = {
    "declared": {
        ("Google Analytics", "Google analytics"),
        ("Google Ads", "Adwords Conversion"),
        ("DoubleClick", "Google Interest Based Ads; Doubleclick"),
        ("Criteo", "Criteo"),
        ("Microsoft Advertising", "Bing"),
        ("Quantcast", "Quantcast"),
        ("LinkedIn", "Bizo (Linkedin)"),
        # Loaded only after "accept all" in the shop's consent banner: declared, found in the accept pass.
        ("Bizible", "Bizible"),
    },
    "mismatch": {("Facebook", "Facebook"), ("example.com (first party)", None)},
    "undeclared": {("Hotjar", None), ("YouTube", None), ("pixelmetrics-demo.io", None)},
    "not_observed": {
        ("Capterra", "Capterra"),
        ("GetApp", "Getapp"),
        ("Acquisio", "Acquisio"),
        ("Magnite", "Chango"),  # Chango is a former name of Magnite
        ("Magnetic", "Magnetic"),
        ("ShareASale", "Shareasale"),
    },
}


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo-e2e") / "out"
    proc = run_cli(
        "demo", "--out", str(out), "--quiet", "--max-pages", "25", "--consent-sample", "3", timeout=180
    )
    return proc, out


@pytest.fixture(scope="module")
def scan_json(demo):
    return json.loads((demo[1] / "scan.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def findings(scan_json):
    return {f["vendor"]: f for f in scan_json["findings"]}


def test_demo_exits_zero_and_writes_every_format(demo):
    proc, out = demo
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    missing = [name for name in FILES if not (out / name).is_file() or (out / name).stat().st_size == 0]
    assert missing == []
    assert f"demo report: {out / 'report.html'}" in proc.stdout


def test_scan_json_is_valid_and_compared_with_the_repo_vendors_csv(scan_json):
    assert validation_errors(scan_json) == []
    assert scan_json["meta"]["declared_source"] == str(REPO / "vendors.csv")
    assert scan_json["meta"]["options"]["max_pages"] == 25
    crawled = [p for p in scan_json["pages"] if p["consent_pass"] == "none"]
    assert 8 <= len(crawled) <= 25
    passes = {p["name"]: p for p in scan_json["consent"]["passes"]}
    assert set(passes) == {"none", "accept", "reject"}  # the shop shows a banner: both passes ran
    sample = scan_json["meta"]["options"]["consent_sample"]
    accepted = [p["url"] for p in scan_json["pages"] if p["consent_pass"] == "accept"]
    assert len(accepted) == sample and accepted[0] == crawled[0]["url"]
    assert set(accepted) <= {p["url"] for p in crawled}
    visited = {p["url"] for p in scan_json["pages"]}
    assert "https://www.wikipedia.org/" not in visited  # out of scope, never visited


def test_the_demo_shows_a_consent_matrix(scan_json):
    """The shop's OneTrust-like banner is answered both ways by the real autoconsent rules; its tags
    ignore the choice except Bizible, which its tag manager loads only after "accept all"."""
    consent = scan_json["consent"]
    passes = {p["name"]: p for p in consent["passes"]}
    assert passes["none"]["cmp"] == "Onetrust"
    assert passes["accept"]["action"] == "optIn" and passes["accept"]["verified"]
    assert passes["reject"]["action"] == "optOut" and passes["reject"]["verified"]
    kinds: dict[str, set[str]] = {}
    for f in consent["findings"]:
        kinds.setdefault(f["status"], set()).add(f["vendor"])
    assert kinds["consent_gated"] == {"Bizible"}
    assert {"Google Analytics", "Facebook", "Criteo"} <= kinds["before_consent"]
    assert {"Google Analytics", "Facebook"} <= kinds["despite_reject"]  # on every page of the sample
    assert "Bizible" not in kinds["before_consent"] | kinds["despite_reject"] | kinds["not_in_cmp"]
    matrix = {row["vendor"]: row for row in consent["matrix"]}
    assert set(matrix["Bizible"]["cells"]) == {"none", "accept", "reject"}
    assert matrix["Bizible"]["cells"]["none"]["requests"] == 0 and matrix["Bizible"]["bad"] == []
    assert matrix["Bizible"]["cells"]["accept"]["after_action"] > 0
    assert "reject" in matrix["Facebook"]["bad"]


def test_har_junit_sarif_match_their_published_schemas(demo):
    out = demo[1]
    assert har_errors(json.loads((out / "scan.har").read_text(encoding="utf-8"))) == []
    assert junit_errors((out / "junit.xml").read_text(encoding="utf-8")) == []
    assert sarif_errors(json.loads((out / "results.sarif").read_text(encoding="utf-8"))) == []


def test_exact_findings_by_status(scan_json):
    got: dict[str, set] = {s: set() for s in EXPECTED}
    for f in scan_json["findings"]:
        got[f["status"]].add((f["vendor"], f["declared_name"]))
    assert got == EXPECTED
    assert scan_json["summary"] == {s: len(v) for s, v in EXPECTED.items()}


def test_findings_csv_lists_the_same_findings(scan_json, demo):
    rows = list(csv.DictReader(io.StringIO((demo[1] / "findings.csv").read_text(encoding="utf-8"))))
    consent = (scan_json.get("consent") or {}).get("findings", [])
    behaviour = (scan_json.get("behaviour") or {}).get("findings", [])
    assert sorted((r["vendor"], r["status"]) for r in rows) == sorted(
        (f["vendor"], f["status"]) for f in [*scan_json["findings"], *consent, *behaviour]
    )


def test_facebook_mismatch_is_about_purpose_and_carries_its_evidence(findings):
    fb = findings["Facebook"]
    assert fb["reasons"] == ["purpose"]
    ev = fb["evidence"]
    assert {(c["name"], c["domain"]) for c in ev["cookies"]} == {
        ("_fbp", ".example.com"),
        ("fr", ".facebook.com"),
    }
    tr = [b for b in ev["beacons"] if b["url"].startswith("https://www.facebook.com/tr/?")]
    assert tr and all(b["initiator"] == "https://connect.facebook.net/en_US/fbevents.js" for b in tr)
    assert "https://www.example.com/" in ev["pages"]


def test_first_party_session_cookie_lifetime_mismatch(findings):
    fp = findings["example.com (first party)"]
    assert "lifetime" in fp["reasons"]
    assert [(c["name"], c["lifetime_days"], c["first_party"]) for c in fp["evidence"]["cookies"]] == [
        ("session", 730.0, True)
    ]
    assert "session" in fp["detail"]


def test_unknown_tracker_carries_its_cookie_and_beacons(findings):
    pm = findings["pixelmetrics-demo.io"]
    assert pm["unknown"] is True and "unknown" in pm["reasons"]
    assert [(c["name"], c["domain"]) for c in pm["evidence"]["cookies"]] == [
        ("pm_uid", ".pixelmetrics-demo.io")
    ]
    reasons = {b["reason"] for b in pm["evidence"]["beacons"]}
    assert {"pixel_1x1", "send_beacon"} <= reasons
    assert all(
        b["url"].startswith("https://t.pixelmetrics-demo.io/collect?") for b in pm["evidence"]["beacons"]
    )


def test_undeclared_and_declared_evidence(findings):
    hotjar = findings["Hotjar"]
    assert {c["name"] for c in hotjar["evidence"]["cookies"]} == {"_hjSessionUser_3210", "_hjSession_3210"}
    assert {s["key"] for s in hotjar["evidence"]["storage"]} == {"_hjLocalStorageTest", "hjViewportId"}
    yt = findings["YouTube"]
    assert {c["name"] for c in yt["evidence"]["cookies"]} == {"VISITOR_INFO1_LIVE", "YSC"}
    assert yt["evidence"]["pages"] == ["https://www.example.com/products/1"]
    linkedin = findings["LinkedIn"]
    assert linkedin["evidence"]["pages"] == [
        "https://www.example.com/sitemap-only"
    ]  # reached via sitemap only
    assert {c["name"] for c in findings["Criteo"]["evidence"]["cookies"]} == {"cto_bundle", "uid"}
    for name in EXPECTED["not_observed"]:
        ev = findings[name[0]]["evidence"]
        assert (ev["cookies"], ev["requests"], ev["beacons"], ev["pages"]) == ([], [], [], [])


@pytest.mark.browser
def test_report_html_opens_offline_and_lists_the_findings(demo, scan_json):
    with browser() as b, open_report(b, demo[1] / "report.html") as opened:
        rows = opened.page.evaluate(
            """() => Array.from(document.querySelectorAll(
                '#findings-table > tbody.unit, #passed-table > tbody.unit')).map(t => ({
                status: t.dataset.status,
                vendor: t.rows[0].cells[1].querySelector('b').textContent,
                declared: t.rows[0].cells[2].firstChild.textContent,
                source: (t.rows[0].cells[2].querySelector('.sub') || {}).textContent || '',
            }))"""
        )
        assert opened.network == [], opened.network
        assert opened.errors == [] and opened.dialogs == []
        assert not [m for m in opened.console if m.startswith("error")], opened.console
    listed = sorted((r["status"], r["vendor"], r["declared"]) for r in rows)
    expected = sorted((s, v, d or "—") for s, pairs in EXPECTED.items() for v, d in pairs)
    assert listed == expected
    # Each declared vendor says where it was declared: the line of vendors.csv.
    sources = {r["vendor"]: r["source"] for r in rows}
    assert sources["Criteo"].endswith("vendors.csv:7") and sources["Hotjar"] == ""
