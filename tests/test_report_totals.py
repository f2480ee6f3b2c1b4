"""Counts are totals, lists are samples, end to end: a real crawl of a 65-page site where one
unknown tracker (widetrack.net) is on every page, through the real pipeline into every format.

Each finding's evidence keeps at most 50 pages, 50 cookies and 20 requests/beacons; every report
(findings.csv, SARIF, summary.md, report.html, JUnit, scan.json, ``load_scan``) must print 65
(the totals) and say "showing N of M" where it lists fewer. The tracker sends a script request and a
pixel beacon on every page: every format counts 130 requests, 65 of them beacons (the same numbers
with the same meaning everywhere: requests include the beacons)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import lxml.html
import pandas as pd
import pytest
from conftest import scan

import scanner
from scanner.compare import MAX_EVIDENCE_COOKIES, MAX_EVIDENCE_PAGES, MAX_EVIDENCE_REQUESTS
from scanner.fakenet import FakeInternet
from scanner.fakenet.wide import HOST, PAGES, TRACKER_DOMAIN, wide_world
from scanner.pipeline import analyse
from scanner.report import FORMATS, write_reports
from scanner.report.markdown import md_escape
from scanner.report.text import plural
from scanner.schema import validation_errors

N = PAGES
assert N > MAX_EVIDENCE_PAGES > MAX_EVIDENCE_REQUESTS and N > MAX_EVIDENCE_COOKIES


@pytest.fixture(scope="module")
def wide(tmp_path_factory):
    out = tmp_path_factory.mktemp("wide")
    with FakeInternet(wide_world()) as net:
        raw, _ = scan(net, [net.url(HOST, "/")], out, max_pages=N + 10, max_depth=1, concurrency=4)
    result = analyse(raw, declared=None)
    write_reports(result, out, FORMATS)
    return result, out


def test_the_crawl_saw_the_tracker_on_every_page(wide):
    result, _ = wide
    assert len(result.pages) == N and not any(p.error for p in result.pages)
    tracked = [r for r in result.requests if r.vendor == TRACKER_DOMAIN]
    assert len({r.page_url for r in tracked}) == N
    assert sum(r.is_beacon for r in tracked) == N and sum(not r.is_beacon for r in tracked) == N
    assert sum(c.vendor == TRACKER_DOMAIN for c in result.cookies) == N


def test_scan_json_keeps_totals_and_caps_lists(wide):
    _, out = wide
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert validation_errors(data) == []
    (f,) = [f for f in data["findings"] if f["vendor"] == TRACKER_DOMAIN]
    ev = f["evidence"]
    totals = {k: ev[f"{k}_total"] for k in ("pages", "cookies", "requests", "beacons", "storage")}
    assert totals == {"pages": N, "cookies": N, "requests": N, "beacons": N, "storage": 0}
    assert (len(ev["pages"]), len(ev["cookies"]), len(ev["requests"]), len(ev["beacons"])) == (
        MAX_EVIDENCE_PAGES,
        MAX_EVIDENCE_COOKIES,
        MAX_EVIDENCE_REQUESTS,
        MAX_EVIDENCE_REQUESTS,
    )
    assert f"observed {N} cookie(s), {2 * N} request(s) incl. {N} beacon(s) on {N} page(s)" in f["detail"]
    assert f["status"] == "undeclared" and f["unknown"] is True


def test_findings_csv_and_load_scan(wide):
    _, out = wide
    row = pd.read_csv(out / "findings.csv").set_index("vendor").loc[TRACKER_DOMAIN]
    assert (row["pages"], row["cookies"], row["requests"], row["beacons"]) == (N, N, 2 * N, N)
    note = row["evidence_note"]
    assert f"showing {MAX_EVIDENCE_PAGES} of {N} pages" in note
    assert f"showing {MAX_EVIDENCE_COOKIES} of {N} cookies" in note
    assert f"showing {MAX_EVIDENCE_REQUESTS} of {N} other requests" in note
    assert f"showing {MAX_EVIDENCE_REQUESTS} of {N} beacons" in note
    frame = scanner.load_scan(out).findings.set_index("vendor").loc[TRACKER_DOMAIN]
    assert (frame["pages"], frame["cookies"], frame["requests"], frame["beacons"]) == (N, N, 2 * N, N)


def test_sarif(wide):
    _, out = wide
    sarif = json.loads((out / "results.sarif").read_text(encoding="utf-8"))
    (res,) = [r for r in sarif["runs"][0]["results"] if r["properties"]["vendor"] == TRACKER_DOMAIN]
    props = res["properties"]
    assert props["pages"] == N
    assert props["evidenceTotals"] == {
        "pages": N,
        "cookies": N,
        "requests": 2 * N,
        "beacons": N,
        "storage": 0,
    }
    assert props["evidenceListed"]["pages"] == MAX_EVIDENCE_PAGES
    assert props["evidenceListed"]["requests"] == 2 * MAX_EVIDENCE_REQUESTS
    text = res["message"]["text"]
    assert f"{N} pages (showing 3 of {N})" in text and f"{N} beacons (showing 3 of {N})" in text
    assert f"{2 * N} requests incl. {N} beacons" in text and f"{N} other requests (showing 3 of {N})" in text


def test_junit(wide):
    _, out = wide
    root = ET.fromstring((out / "junit.xml").read_text(encoding="utf-8"))
    (case,) = [c for c in root.iter("testcase") if c.get("name") == f"undeclared tracker: {TRACKER_DOMAIN}"]
    body = case.find("failure").text
    for kind in ("pages", "cookies", "other requests", "beacons"):
        assert f"{N} {kind} (showing 5 of {N})" in body
    assert f"\n{2 * N} requests incl. {N} beacons\n" in body


def test_summary_md(wide):
    _, out = wide
    md = (out / "summary.md").read_text(encoding="utf-8")
    (row,) = [line for line in md.splitlines() if line.startswith("| widetrack\\.net")]
    assert row.split(" | ")[-4:-1] == [str(N), str(2 * N), str(N)]  # Pages, Requests, Beacons


def test_report_html(wide):
    result, out = wide
    html = (out / "report.html").read_text(encoding="utf-8")
    doc = lxml.html.fromstring(html)
    (body,) = [b for b in doc.xpath("//tbody[@class='unit']") if b.xpath(f".//b[text()='{TRACKER_DOMAIN}']")]
    counts = [td.text_content() for td in body.xpath("./tr[contains(@class,'row')]/td[@class='n']")]
    # pages, cookies, requests (beacons included, as the detail's "130 request(s) incl. 65 beacon(s)"),
    # beacons, storage
    assert counts == [str(N), str(N), str(2 * N), str(N), "0"]
    evidence = lxml.html.tostring(body, encoding="unicode")
    for heading in ("Pages", "Cookies", "Other requests", "Beacons"):
        assert f"<h4>{heading} ({N})</h4>" in evidence
    for shown, what in ((MAX_EVIDENCE_PAGES, "pages"), (MAX_EVIDENCE_COOKIES, "cookies")):
        assert f"showing {shown} of {N} {what}" in evidence
    # Requests are grouped from the scan's records, all of them: the script and the pixel, each one row
    # "× 65 pages" (their query strings differ from page to page), not a sample of 20.
    groups = body.xpath(".//tr[@class='group']")
    assert [g.xpath("./td")[0].xpath(".//b")[0].text_content() for g in groups] == ["p.gif", "t.js"]
    for g in groups:
        assert f"× {N} pages" in g.text_content()
        assert g.xpath("./td[@class='n']")[0].text_content() == str(N)
    (uid,) = [
        tr
        for tr in groups[0].xpath(".//tr[contains(@class,'param')]")
        if tr.xpath("./td/code")[0].text == "uid"
    ]
    assert "hl" in uid.get("class") and f"same on all {N} requests" in uid.text_content()
    cookie_rows = body.xpath(".//table[contains(@class,'inner')][thead//th[text()='Name']]/tbody/tr")
    assert len(cookie_rows) == MAX_EVIDENCE_COOKIES  # the sample, not more
    for tr in cookie_rows:
        name = tr.xpath("./td/code")[0].text_content()
        assert (
            tr.xpath("./td[contains(@class,'set-cookie')]")[0]
            .text_content()
            .startswith(f"Set-Cookie: {name}=;")
        )


def _html_counts(doc, vendor: str) -> dict[str, int]:
    (body,) = [b for b in doc.xpath("//tbody[@class='unit']") if b.xpath(".//b")[0].text_content() == vendor]
    cells = [int(td.text_content()) for td in body.xpath("./tr[contains(@class,'row')]/td[@class='n']")]
    return dict(zip(("pages", "cookies", "requests", "beacons", "storage"), cells, strict=True))


def test_every_format_gives_the_same_numbers(wide):
    """Per finding: report.html's columns, findings.csv, load_scan, SARIF (properties and message),
    JUnit, summary.md's detail and scan.json (its evidence parts and its vendors rows) agree on pages,
    cookies, requests (beacons included), beacons and storage keys."""
    result, out = wide
    kinds = ("pages", "cookies", "requests", "beacons", "storage")
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    doc = lxml.html.fromstring((out / "report.html").read_text(encoding="utf-8"))
    csv_rows = pd.read_csv(out / "findings.csv").set_index("vendor")
    frame = scanner.load_scan(out).findings.set_index("vendor")
    sarif = {
        r["properties"]["vendor"]: r
        for r in json.loads((out / "results.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    }
    junit = {
        c.get("name"): c
        for c in ET.fromstring((out / "junit.xml").read_text(encoding="utf-8")).iter("testcase")
    }
    md = (out / "summary.md").read_text(encoding="utf-8")
    vendor_rows = {v["name"]: v for v in data["vendors"]}
    observed = [f for f in data["findings"] if f["status"] != "not_observed"]
    assert any(f["evidence"]["beacons_total"] > 0 for f in observed)
    for f in observed:
        ev, vendor = f["evidence"], f["vendor"]
        truth = {
            "pages": ev["pages_total"],
            "cookies": ev["cookies_total"],
            "requests": ev["requests_total"] + ev["beacons_total"],  # scan.json keeps the two parts
            "beacons": ev["beacons_total"],
            "storage": ev["storage_total"],
        }
        records = [r for r in result.requests if r.vendor == vendor]
        assert truth["requests"] == len(records) and truth["beacons"] == sum(r.is_beacon for r in records)
        row = vendor_rows[vendor]
        assert (row["requests"], row["beacons"], row["cookies"]) == (
            truth["requests"],
            truth["beacons"],
            truth["cookies"],
        )
        assert _html_counts(doc, vendor) == truth
        assert {k: int(csv_rows.loc[vendor, k]) for k in kinds} == truth
        assert {k: int(frame.loc[vendor, k]) for k in kinds} == truth
        assert sarif[vendor]["properties"]["evidenceTotals"] == truth
        said = f"{truth['requests']} request(s)" + (
            f" incl. {truth['beacons']} beacon(s)" if truth["beacons"] else ""
        )
        assert said in f["detail"]
        (md_row,) = [line for line in md.splitlines() if line.startswith(f"| {md_escape(vendor)} ")]
        assert md_row.split(" | ")[-4:-1] == [str(truth[k]) for k in ("pages", "requests", "beacons")]
        words = plural(truth["requests"], "request") + (
            f" incl. {plural(truth['beacons'], 'beacon')}" if truth["beacons"] else ""
        )
        case = next(c for name, c in junit.items() if name and name.endswith(f": {vendor}"))
        for text in (sarif[vendor]["message"]["text"], case.find("failure").text):
            assert words in text
            assert f"{truth['pages']} page" in text
