"""A real crawl of the hostile world (scanner/fakenet/hostile.py), then its reports opened in Chromium.

test_report_xss.py feeds the renderers a hand-built hostile ScanResult; here every string comes from
what the browser really captured: titles, HTTP and JS cookies (values kept), storage keys and a tracker
pixel whose URL and cookie carry payloads.
"""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import scan
from report_browser import browser, open_report

from scanner.fakenet import FakeInternet
from scanner.fakenet import hostile as h
from scanner.fakenet.hostile import hostile_world
from scanner.pipeline import analyse
from scanner.report import write_reports
from scanner.schema import validation_errors

START = f"https://{h.HOST}/"


@pytest.fixture(scope="module")
def hostile_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("hostile-scan")
    with FakeInternet(hostile_world()) as net:
        raw, _ = scan(net, [START], out, max_pages=10, max_depth=2, keep_values=True)
        server_errors = list(net.errors)
        hits = list(net.log)
    result = analyse(raw, declared=None)
    write_reports(result, out, ["html", "md", "csv", "json"])
    return result, out, server_errors, hits


def test_the_payloads_did_not_derail_the_crawl(hostile_scan):
    result, _, server_errors, hits = hostile_scan
    assert server_errors == []
    assert result.meta.errors == ()
    # the start page and the three /x/... payload links are pages; javascript: and the RSS feed are not
    assert len(result.pages) == 4, [p.url for p in result.pages]
    assert all(p.status == 200 and p.error is None for p in result.pages)
    assert {p.title for p in result.pages} == {h.TITLE}
    assert any(p.url == START and p.depth == 0 for p in result.pages)
    assert not any(p.url.startswith("javascript:") for p in result.pages)
    # the RSS feed is not a page (not HTML); the link to it did not break anything either
    assert not any(p.url.endswith("/feed.xml") for p in result.pages)
    assert any(x.host == h.TRACKER_HOST for x in hits)


def test_every_hostile_cookie_and_storage_key_was_captured_verbatim(hostile_scan):
    result = hostile_scan[0]
    first_party = {(c.name, c.value, c.set_by) for c in result.cookies if c.domain == h.HOST}
    expected = {(n, v, "http") for n, v in h.HTTP_COOKIES} | {(n, v, "js") for n, v in h.JS_COOKIES}
    assert first_party == expected
    (tracker,) = [c for c in result.cookies if c.domain == ".hostile-tracker.net"]
    assert (tracker.name, tracker.value, tracker.first_party) == (h.SCRIPT_TAG, h.IMG_ONERROR, False)
    local = {(s.key, s.value) for s in result.storage if s.kind == "local"}
    session = {(s.key, s.value) for s in result.storage if s.kind == "session"}
    assert local == set(h.STORAGE)
    assert session == {(h.IMG_ONERROR, h.SCRIPT_TAG)}
    (finding,) = result.findings
    assert (finding.vendor, finding.status, finding.unknown) == ("hostile-tracker.net", "undeclared", True)
    assert [c["name"] for c in finding.evidence.cookies] == [h.SCRIPT_TAG]
    assert validation_errors(json.loads((hostile_scan[1] / "scan.json").read_text(encoding="utf-8"))) == []


def test_csv_and_markdown_keep_payloads_as_data(hostile_scan):
    out = hostile_scan[1]
    rows = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8"))))
    assert [(r["vendor"], r["status"], r["cookie_names"]) for r in rows] == [
        ("hostile-tracker.net", "undeclared", h.SCRIPT_TAG)
    ]
    cookies = list(csv.DictReader(io.StringIO((out / "cookies.csv").read_text(encoding="utf-8"))))
    by_name = {(r["name"], r["domain"]): r["value"] for r in cookies}
    assert by_name[("xss_long", h.HOST)] == h.LONG
    assert by_name[("bidi" + h.BIDI, h.HOST)] == h.ZERO_WIDTH
    md = (out / "summary.md").read_text(encoding="utf-8")
    for raw in ("<script", "<img", "</title"):
        assert raw not in md.replace("\\<", ""), raw


def _inertness(page) -> dict:
    return page.evaluate(
        """() => ({
        scripts: document.scripts.length,
        injected: document.querySelectorAll('img, iframe, frame, object, embed, base, form, svg:not(.chart)')
            .length,
        bold: Array.from(document.querySelectorAll('b')).filter(el => el.textContent === 'xss').length,
        httpEquiv: Array.from(document.querySelectorAll('meta[http-equiv]'))
            .map(m => m.getAttribute('http-equiv')),
        handlers: Array.from(document.querySelectorAll('*'))
            .filter(el => Array.from(el.attributes).some(a => a.name.startsWith('on'))).length,
        jsHrefs: Array.from(document.querySelectorAll('[href], [src], [action]'))
            .filter(el => /^\\s*javascript:/i.test(el.getAttribute('href') || el.getAttribute('src')
                || el.getAttribute('action') || '')).length,
        title: document.title,
    })"""
    )


@pytest.mark.browser
def test_report_of_the_real_hostile_scan_is_inert_and_literal(hostile_scan):
    out = hostile_scan[1]
    with browser() as b, open_report(b, out / "report.html") as opened:
        page = opened.page
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        page.click("#findings-table th:nth-child(2)")  # the table script runs over hostile rows too
        cookie_filter = '.filters[data-for="cookies-table"] input[data-key="text"]'
        page.fill(cookie_filter, "bidi" + h.BIDI)  # hostile text typed into the filter only filters
        page.wait_for_function(
            "() => document.querySelectorAll('#cookies-table tbody tr:not([hidden])').length === 1"
        )
        shown = page.evaluate(
            "() => Array.from(document.querySelectorAll('#cookies-table tbody tr:not([hidden])'))"
            ".map(r => r.cells[0].innerText)"
        )
        assert shown == ["bidi" + h.BIDI]
        page.fill(cookie_filter, "")
        page.wait_for_function(
            "n => document.querySelectorAll('#cookies-table tbody tr:not([hidden])').length === n",
            arg=len(hostile_scan[0].cookies),
        )
        state = _inertness(page)
        # innerText leaves out what is not rendered, and sections far below the viewport are not
        # (content-visibility: auto): render them all, so the text is the whole report's
        page.evaluate(
            "() => document.querySelectorAll('section').forEach(s => s.style.contentVisibility = 'visible')"
        )
        text = page.evaluate("() => document.body.innerText")
        assert opened.dialogs == []
        assert page.url.startswith("file://") and page.url.endswith("/report.html")
        assert state["scripts"] <= 1 and state["injected"] == 0 and state["bold"] == 0, state
        assert state["httpEquiv"] == ["Content-Security-Policy"], state
        assert state["handlers"] == 0 and state["jsHrefs"] == 0, state
        assert h.TITLE_BREAK not in state["title"]
        assert opened.network == [], opened.network
        assert opened.errors == [] and opened.csp_violations == []
        assert not [m for m in opened.console if m.startswith("error")], opened.console
    literal = [
        h.TITLE,  # page title
        h.SCRIPT_TAG,  # HTTP cookie name (first party and tracker)
        h.IMG_ONERROR,  # its value, and a sessionStorage key
        "<b>xss</b>",  # JS cookie name
        "bidi" + h.BIDI,  # JS cookie name with a right-to-left override
        h.TITLE_BREAK,  # localStorage key
        h.BIDI + h.ZERO_WIDTH,  # localStorage key made of invisible characters
        "{{7*7}}",  # HTTP cookie name; a template engine would have printed 49
        "${7*7}",  # JS cookie name
    ]
    missing = [p for p in literal if p not in text]
    assert not missing, f"not shown literally: {missing}"
