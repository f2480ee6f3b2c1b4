"""Machine outputs: scan.json, CSV, HAR, JUnit, SARIF and summary.md, checked against content
and against their published schemas."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import replace

import pandas as pd
import pytest
from report_factory import demo_scan as demo_result
from report_schemas import har_errors, junit_errors, sarif_errors

from scanner.errors import BadInput
from scanner.model import ScanResult
from scanner.report import FILES, FORMATS, parse_formats, write_reports
from scanner.report.har import build_har
from scanner.report.junit import build_junit
from scanner.report.markdown import build_summary_md
from scanner.report.sarif import build_sarif


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return demo_result()


def test_write_reports_writes_every_format(tmp_path, result):
    written = write_reports(result, tmp_path, FORMATS)
    expected = {name for f in FORMATS for name in FILES[f]}
    assert result.behaviour is not None  # the pipeline's behaviour audit (nothing found): behaviour.csv
    assert {p.name for p in written} == expected | {"behaviour.csv"}
    assert all(p.stat().st_size > 0 for p in written)


def test_write_reports_only_what_was_asked(tmp_path, result):
    written = write_reports(result, tmp_path, ["json", "md"])
    assert sorted(p.name for p in written) == ["scan.json", "summary.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["scan.json", "summary.md"]


def test_unknown_format_is_bad_input(tmp_path, result):
    with pytest.raises(BadInput, match="docx"):
        write_reports(result, tmp_path, ["html", "docx"])
    assert not (tmp_path / "report.html").exists()


def test_parse_formats():
    assert parse_formats(None) == ["html", "json", "csv"]
    assert parse_formats(["html,json", "sarif", "json"]) == ["html", "json", "sarif"]
    assert parse_formats(["all"]) == list(FORMATS) and "pdf" not in FORMATS  # all: no browser needed
    assert parse_formats(["pdf,html"]) == ["pdf", "html"]
    assert parse_formats(["markdown"]) == ["md"]
    with pytest.raises(BadInput):
        parse_formats([","])


def test_scan_json_round_trips(tmp_path, result):
    (path,) = write_reports(result, tmp_path, ["json"])
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["summary"] == {"undeclared": 3, "mismatch": 1, "not_observed": 1, "declared": 1}
    assert ScanResult.from_dict(data) == result
    assert "Example Shop — Home" in path.read_text(encoding="utf-8")  # ensure_ascii=False


def test_csv_files(tmp_path, result):
    write_reports(result, tmp_path, ["csv"])
    findings = pd.read_csv(tmp_path / "findings.csv")
    assert list(findings["vendor"]) == [f.vendor for f in result.findings]
    assert findings.set_index("vendor").loc["Facebook", "cookie_names"] == "_fbp;fr"
    cookies = pd.read_csv(tmp_path / "cookies.csv")
    assert len(cookies) == len(result.cookies)
    assert set(cookies.columns) >= {"name", "domain", "expires", "first_party", "set_by", "vendor", "session"}
    assert cookies.set_index("name").loc["sessionid", "session"]
    requests = pd.read_csv(tmp_path / "requests.csv")
    assert len(requests) == len(result.requests)
    # the crawler's three beacons, and Criteo's event endpoint, which the catalog knows as one
    assert requests["is_beacon"].sum() == 4
    pixel = requests[requests["url"].str.startswith("https://www.facebook.com/tr/")].iloc[0]
    assert pixel["image_size"] == "1x1"
    assert pixel["redirect_chain"] == "http://www.facebook.com/tr/?id=123&ev=PageView"


def test_csv_defuses_spreadsheet_formulas(tmp_path, result):
    evil = replace(result.cookies[0], name='=HYPERLINK("http://evil.test","x")', vendor="@SUM(1)")
    write_reports(replace(result, cookies=(evil, *result.cookies[1:])), tmp_path, ["csv"])
    cookies = pd.read_csv(tmp_path / "cookies.csv")
    assert cookies["name"].iloc[0] == '\'=HYPERLINK("http://evil.test","x")'
    assert cookies["vendor"].iloc[0] == "'@SUM(1)"
    assert cookies["name"].iloc[1] == "_ga_XYZ"


def test_har_is_valid_and_faithful(result):
    har = build_har(result)
    assert har_errors(har) == []
    log = har["log"]
    assert log["version"] == "1.2"
    assert [p["title"] for p in log["pages"]] == ["Example Shop — Home", "Shop", "About us"]
    assert len(log["entries"]) == len(result.requests)
    pixel = next(e for e in log["entries"] if e["request"]["url"].startswith("https://www.facebook.com/tr/"))
    assert pixel["pageref"] == "page_1"
    assert pixel["_initiator"] == {"type": "script", "url": "https://connect.facebook.net/en_US/fbevents.js"}
    assert pixel["_resourceType"] == "image" and pixel["_isBeacon"] is True
    assert pixel["_redirectChain"] == ["http://www.facebook.com/tr/?id=123&ev=PageView"]
    assert {"name": "ev", "value": "PageView"} in pixel["request"]["queryString"]
    assert pixel["response"]["content"] == {"size": 43, "mimeType": "image/gif"}
    failed = next(e for e in log["entries"] if "jsdelivr" in e["request"]["url"])
    assert failed["_failure"] == "net::ERR_FAILED"
    starts = [e["startedDateTime"] for e in log["entries"]]
    assert starts == sorted(starts) and starts[0].endswith("Z")


def test_har_validation_can_fail(result):
    har = build_har(result)
    del har["log"]["entries"][0]["response"]
    assert har_errors(har)


def test_junit_is_valid_and_counts(result):
    text = build_junit(result)
    assert junit_errors(text) == []
    root = ET.fromstring(text)
    declared, undeclared, behaviour = root.findall("testsuite")
    assert behaviour.get("name") == "behaviour"
    assert behaviour.get("tests") == str(len(result.behaviour.findings))
    assert declared.get("name") == "declared vendors"
    assert [c.get("name") for c in declared.iter("testcase")] == [
        "declared vendor: Meta Pixel",
        "declared vendor: Capterra",
        "declared vendor: Google Analytics",
    ]
    assert (declared.get("tests"), declared.get("failures"), declared.get("skipped")) == ("3", "1", "1")
    assert [c.get("name") for c in undeclared.iter("testcase")] == [
        "undeclared tracker: Criteo",
        "undeclared tracker: Hotjar",
        "undeclared tracker: unknown-metrics.io",
    ]
    assert all(c.find("failure") is not None for c in undeclared.iter("testcase"))
    assert root.get("failures") == "4"
    criteo = next(undeclared.iter("testcase"))
    assert "cto_bundle" in criteo.find("failure").text


def test_junit_validation_can_fail(result):
    broken = build_junit(result).replace(
        '<testsuite name="declared vendors" tests="3"', '<testsuite tests="3"'
    )
    assert junit_errors(broken)


def test_junit_survives_control_characters(result):
    hostile = replace(result.findings[0], vendor="bad\x00\x07name", detail="x\x1b[31m")
    text = build_junit(replace(result, findings=(hostile,)))
    assert junit_errors(text) == []


def test_sarif_is_valid_with_one_result_per_finding(result):
    sarif = build_sarif(result)
    assert sarif_errors(sarif) == []
    run = sarif["runs"][0]
    assert len(run["results"]) == len(result.findings)
    levels = {r["properties"]["vendor"]: r["level"] for r in run["results"]}
    assert levels == {
        "Criteo": "error",
        "Hotjar": "error",
        "unknown-metrics.io": "error",
        "Facebook": "warning",
        "Capterra": "note",
        "Google Analytics": "none",
    }
    fb = next(r for r in run["results"] if r["properties"]["vendor"] == "Facebook")
    loc = fb["locations"][0]["physicalLocation"]
    assert loc == {"artifactLocation": {"uri": "vendors.csv"}, "region": {"startLine": 3}}
    rule_ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(rule_ids[r["ruleIndex"]] == r["ruleId"] for r in run["results"])
    assert len({r["partialFingerprints"]["vendorStatus/v1"] for r in run["results"]}) == len(run["results"])


def test_sarif_validation_can_fail(result):
    sarif = build_sarif(result)
    sarif["runs"][0]["results"][0]["level"] = "fatal"
    assert sarif_errors(sarif)


def test_summary_md(result):
    md = build_summary_md(result)
    assert "❌ **Fail** — 3 finding(s) fail the gate" in md
    assert "| 🔴 Undeclared | 3 |" in md
    assert "| Criteo | Undeclared | advertising |" in md
    assert (
        "Google Analytics |"
        not in md.split("| Status | Count |")[1].split("Full evidence")[0].split("| Vendor")[1]
    )
    assert "✅ **Pass**" in build_summary_md(result, baseline=result)
    assert "ℹ️ **Not gated** — `--fail-on none`" in build_summary_md(result, fail_on=["none"])
    assert len(md) < 4000


def test_summary_md_escapes_hostile_names(result):
    evil = replace(
        result.findings[0],
        vendor="x|y <img src=x onerror=alert(1)> [click](javascript:alert(1)) @everyone #1",
        detail="a\n| b | c |\n",
    )
    md = build_summary_md(replace(result, findings=(evil,)))
    row = next(line for line in md.splitlines() if line.startswith("| x"))
    assert row.count(" | ") == 7  # eight cells: the pipe in the name did not add one
    assert not re.search(r"(?<!\\)[<>]", md), "unescaped angle bracket"
    assert "](javascript" not in md and " @everyone" not in md
    assert "\\<img src=x onerror=alert\\(1\\)\\>" in row
    assert "\\@everyone \\#1" in row


def test_sarif_points_at_vendors_csv_relative_to_the_checkout(tmp_path, monkeypatch, result):
    from scanner.report.sarif import declaration_uri

    (tmp_path / "privacy").mkdir()
    monkeypatch.chdir(tmp_path)
    assert declaration_uri(str(tmp_path / "privacy" / "vendors.csv")) == "privacy/vendors.csv"
    assert declaration_uri("/somewhere/else/declared.csv") == "declared.csv"
    assert declaration_uri(None) == "vendors.csv"
    moved = replace(
        result, meta=replace(result.meta, declared_source=str(tmp_path / "privacy" / "vendors.csv"))
    )
    uris = {
        r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        for r in build_sarif(moved)["runs"][0]["results"]
    }
    assert uris == {"privacy/vendors.csv"}
