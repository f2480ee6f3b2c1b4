"""The new evidence fields of report.html (tests/test_report_evidence_groups.py) carry what the scanned
site controls: decoded query keys and values, matrix parameters, Set-Cookie header text, cookie names,
and vendor names turned into anchors. All of it must show as text, build no markup, make no link other
than to an id of the report, and run nothing.

Two results: a real crawl of the hostile world (scanner/fakenet/hostile.py, cookie values kept, so the
recorded Set-Cookie lines hold payloads) and the demo shop's records plus a hostile tracker, through the
real pipeline, with its vendors renamed to payloads (vendor names come from a catalog, vendors.csv or a
domain; the report must not trust them either)."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup
from conftest import scan
from hypothesis import given
from hypothesis import strategies as st
from report_browser import browser, open_report
from report_factory import SITE, T0, analysed, cookie, demo_records, request

from scanner.fakenet import FakeInternet
from scanner.fakenet import hostile as h
from scanner.fakenet.hostile import hostile_world
from scanner.model import Request, ScanResult
from scanner.pipeline import analyse
from scanner.report import write_reports
from scanner.report.html import render_html, script
from scanner.report.html_evidence import VALUE_CHARS, Anchors, Index, _groups, slug

KEY = "<script>window.__pwned=1</script>"
VALUE = '"><img src=x onerror="window.__pwned=2">'
MATRIX = "<svg/onload=window.__pwned=3>"
SET_COOKIE_TEXT = '<iframe src="https://evil.example/"></iframe>'
COOKIE_NAME = "<b>cookie</b>"
VENDOR_NAMES = [
    '<script>alert("vendor")</script>',
    '" id="findings-table" onclick="window.__pwned=4',
    "Google Analytics",  # a real name, then one with the same slug
    "google  analytics!",
    "Яндекс\u202e",
    "{{7*7}} ${7*7}",
]


def hostile_records() -> ScanResult:
    """The demo shop's records plus a tracker whose pixel URL, Set-Cookie header and cookie are hostile."""
    base = demo_records()
    home = SITE + "/"
    pixel = (
        f"https://px.evil-tracker.io/c;{quote(MATRIX)}={quote(VALUE)}/p.gif"
        f"?{quote(KEY)}={quote(VALUE)}&uid=5f2b9c81d04e7a36d1&dl={quote(home + '?q=' + KEY)}"
    )
    header = f"{COOKIE_NAME}=; Domain=.evil-tracker.io; Path=/{SET_COOKIE_TEXT}; Secure; SameSite=None"
    extra = [
        request(
            pixel,
            home,
            "image",
            T0 + 1,
            is_beacon=True,
            beacon_reason="pixel_1x1",
            image_size=(1, 1),
            response_headers=({"name": "set-cookie", "value": header},),
        )
        for _ in range(2)
    ]
    jar = cookie(COOKIE_NAME, ".evil-tracker.io", home, 365.0, set_by="http", setter_url=pixel)
    return replace(base, requests=(*base.requests, *extra), cookies=(*base.cookies, jar))


def renamed(result: ScanResult) -> ScanResult:
    """Every vendor named by a payload (consistently in findings and records)."""
    names = sorted({f.vendor for f in result.findings})
    new = {
        old: VENDOR_NAMES[i % len(VENDOR_NAMES)] + ("" if i < len(VENDOR_NAMES) else f" {i}")
        for i, old in enumerate(names)
    }
    return replace(
        result,
        findings=tuple(replace(f, vendor=new[f.vendor]) for f in result.findings),
        requests=tuple(replace(r, vendor=new.get(r.vendor, r.vendor)) for r in result.requests),
        cookies=tuple(replace(c, vendor=new.get(c.vendor, c.vendor)) for c in result.cookies),
        storage=tuple(replace(s, vendor=new.get(s.vendor, s.vendor)) for s in result.storage),
    )


@pytest.fixture(scope="module")
def synthetic() -> tuple[ScanResult, str]:
    result = renamed(analysed(hostile_records(), None))
    return result, render_html(result)


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> tuple[ScanResult, str]:
    out = tmp_path_factory.mktemp("evidence-hostile")
    with FakeInternet(hostile_world()) as net:
        raw, _ = scan(
            net, [f"https://{h.HOST}/"], out, max_pages=1, max_depth=0, keep_values=True, consent="off"
        )
    result = analyse(raw, declared=None)
    return result, render_html(result)


def _inert(html: str) -> BeautifulSoup:
    """The parsed report, after checking that no payload became markup."""
    doc = BeautifulSoup(html, "lxml")
    scripts = doc.find_all("script")
    assert len(scripts) == 1 and scripts[0].string == script()
    assert doc.find_all(["img", "iframe", "frame", "object", "embed", "base", "form", "link"]) == []
    assert [m.get("http-equiv") for m in doc.find_all("meta", attrs={"http-equiv": True})] == [
        "Content-Security-Policy"
    ]
    assert all(svg.get("class") == ["chart"] for svg in doc.find_all("svg"))
    handlers = [el.name for el in doc.find_all(True) if any(a.lower().startswith("on") for a in el.attrs)]
    assert handlers == []
    assert [b for b in doc.find_all("b") if b.get_text() == "cookie"] == []
    for a in doc.find_all("a"):
        href = a.get("href", "")
        assert href.startswith("#") or re.match(r"https?://", href), href
    return doc


def _evidence(doc: BeautifulSoup) -> str:
    return " ".join(t.get_text() for t in doc.select("tr.evidence, #cookies-table"))


def test_decoded_parameters_and_set_cookie_lines_stay_text(synthetic):
    result, html = synthetic
    doc = _inert(html)
    keys = [td.get_text() for td in doc.select("tr.param > td:first-child > code")]
    values = [td.get_text() for td in doc.select("tr.param > td:nth-of-type(2) > code")]
    assert KEY in keys and MATRIX in keys  # the query key and the ;key=value in the path, decoded
    assert VALUE in values and SITE + "/?q=" + KEY in values
    (uid,) = [tr for tr in doc.select("tr.param") if tr.select_one("code").get_text() == "uid"]
    assert "hl" in uid["class"]
    headers = [el.get_text() for el in doc.select("td.set-cookie code, details.set-cookie code")]
    line = (
        f"Set-Cookie: {COOKIE_NAME}=; Domain=.evil-tracker.io; Path=/{SET_COOKIE_TEXT}; Secure; SameSite=None"
    )
    assert headers.count(line) == 2  # the finding's cookie row and the inventory
    assert COOKIE_NAME in [c.get_text() for c in doc.select("#cookies-table td:first-child code")]
    assert "&lt;b&gt;cookie&lt;/b&gt;" in html and "<b>cookie</b>" not in html
    assert "&lt;iframe" in html and "<iframe" not in html


def test_hostile_vendor_names_make_safe_unique_anchors(synthetic):
    result, html = synthetic
    doc = _inert(html)
    units = doc.select("#findings-table > tbody.unit, #passed-table > tbody.unit")
    assert len(units) == len(result.findings)
    ids = [el["id"] for el in doc.select("[id]")]
    assert len(ids) == len(set(ids))
    for unit in units:
        assert re.fullmatch(r"vendor-[a-z0-9-]+", unit["id"]), unit["id"]
        assert unit.select_one("a.anchor")["href"] == "#" + unit["id"]
    names = {u.select_one("tr.row b").get_text(): u["id"] for u in units}
    assert set(names) == {f.vendor for f in result.findings}
    for payload in VENDOR_NAMES:
        assert payload in names
    assert names["Google Analytics"] == "vendor-google-analytics"
    assert names["google  analytics!"] != names["Google Analytics"]  # same slug, kept apart
    assert doc.find(id="findings-table").name == "table"  # a vendor name claiming the id did not get it
    for a in doc.select('a[href^="#"]'):
        assert doc.find(id=a["href"][1:]) is not None, a["href"]
    links = {
        a.get_text(): a["href"] for a in doc.select("#cookies-table a.to-finding, #hosts-table a.to-finding")
    }
    assert links and all(links[name] == "#" + names[name] for name in links)


def test_the_real_hostile_crawl_decodes_its_payloads_as_text(crawled):
    result, html = crawled
    doc = _inert(html)
    (finding,) = result.findings
    assert finding.vendor == "hostile-tracker.net"
    (unit,) = doc.select("#findings-table > tbody.unit")
    params = {tr.select_one("code").get_text(): tr for tr in unit.select("tr.param")}
    assert params["ev"].select("td")[1].select_one("code").get_text() == "<script>alert(1)</script>"
    assert params["v"].select("td")[1].select_one("code").get_text() == "{{7*7}}"
    # the recorded Set-Cookie lines (values kept: --keep-cookie-values) hold the payloads, as text
    lines = [el.get_text() for el in doc.select("details.set-cookie code")]
    for name, value in h.HTTP_COOKIES:
        assert any(line.startswith(f"Set-Cookie: {name}={value[:200]}") for line in lines), name
    assert any(
        line.startswith(f"Set-Cookie: {h.SCRIPT_TAG}={h.IMG_ONERROR}; Domain=.hostile-tracker.net;")
        for line in lines
    )
    assert h.SCRIPT_TAG in _evidence(doc)


@pytest.mark.browser
def test_hostile_evidence_runs_nothing_in_chromium(tmp_path, synthetic):
    result, _ = synthetic
    (path,) = write_reports(result, tmp_path, ["html"])
    target = "#" + BeautifulSoup(path.read_text(encoding="utf-8"), "lxml").select_one("tbody.unit")["id"]
    with browser() as b, open_report(b, path) as opened:
        page = opened.page
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        page.locator(f'tbody.unit a.anchor[href="{target}"]').click()
        page.wait_for_function(f"location.hash === {target!r}")
        assert page.evaluate("document.querySelector(':target').id") == target[1:]
        page.goto(path.resolve().as_uri() + "#" + quote(KEY))  # a hostile fragment is only looked up
        assert page.evaluate("() => window.__pwned") is None
        assert opened.dialogs == [] and opened.errors == [] and opened.csp_violations == []
        assert opened.network == [], opened.network
        page.evaluate(  # innerText skips sections content-visibility: auto has not rendered
            "() => document.querySelectorAll('section').forEach(s => s.style.contentVisibility = 'visible')"
        )
        text = page.evaluate("() => document.body.innerText")
        for payload in (KEY, VALUE, MATRIX, SET_COOKIE_TEXT, COOKIE_NAME, *VENDOR_NAMES[:2]):
            assert payload in text, payload


@given(st.text(max_size=80))
def test_any_name_makes_a_plain_anchor(name):
    anchors = Anchors()
    first, second = anchors.make("vendor", name), anchors.make("vendor", name)
    for anchor in (first, second):
        assert re.fullmatch(r"vendor-[a-z0-9]+(?:-[a-z0-9]+)*", anchor), anchor
    assert first != second and first == f"vendor-{slug(name)}"


URL_PARTS = st.text(alphabet=st.characters(codec="utf-8"), max_size=40)


@given(st.lists(st.tuples(URL_PARTS, URL_PARTS, st.booleans()), max_size=12))
def test_any_urls_group_into_rows_that_add_up(parts):
    """Whatever a page requested (any text where a URL is expected), grouping never fails, every request
    is in exactly one group, and decoded keys and values are bounded text."""
    requests = [
        Request(
            url=f"https://t.example/{path}?{query}" if i % 3 else f"{path}{query}",
            method="GET",
            resource_type="image",
            host="t.example",
            registrable_domain="t.example",
            third_party=True,
            page_url=f"https://www.example.com/{i % 4}",
            is_beacon=beacon,
        )
        for i, (path, query, beacon) in enumerate(parts)
    ]
    index = Index(ScanResult(meta=demo_records().meta, requests=tuple(requests)))
    groups, total = _groups(requests, index, lambda url: None)
    assert sum(g["requests"] for g in groups) == len(requests) and total == len(groups)
    for g in groups:
        assert g["pages"] == len({p["url"] for p in g["page_sample"]}) + g["pages_more"]
        for p in g["params"]:
            assert isinstance(p["key"], str) and len(p["value"]) <= VALUE_CHARS
