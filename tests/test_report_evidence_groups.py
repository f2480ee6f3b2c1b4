"""Evidence that explains itself (issue 15, point 2), on a real crawl of the demo shop: report.html groups
each vendor's repeated requests into one row per resource ("hotjar-3210.js × 6 pages"), decodes beacon
query strings into key/value rows with the identifiers marked, shows the Set-Cookie line behind each
HTTP cookie, gives every finding an anchor that the cookie and host inventories link to, prints counts
that agree with the detail sentences and with the scan's own records, and folds the declared-and-
consistent vendors into a "passed" group below the problems.

One crawl of four pages (module-scoped), compared with the demo's vendors.csv by the real pipeline; the
report is parsed with BeautifulSoup, and one real Chromium follows the anchors."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest
from bs4 import BeautifulSoup
from conftest import scan
from playwright.sync_api import expect
from report_browser import browser, open_report

from scanner.declared import load_declared_csv
from scanner.fakenet import FakeInternet, demo_world
from scanner.model import ScanResult
from scanner.pipeline import analyse
from scanner.report import write_reports
from scanner.report.html_evidence import slug

VENDORS_CSV = Path(__file__).resolve().parents[1] / "scanner" / "fakenet" / "vendors.csv"
PAGES = 4
SENTENCE = re.compile(r"observed (.+?) on (\d+) page\(s\)")


def said(detail: str) -> list[int] | None:
    """[cookies, requests, beacons, storage keys, pages] as the detail sentence counts them
    ("observed 2 cookie(s), 12 request(s) incl. 8 beacon(s), 1 storage key(s) on 4 page(s)")."""
    m = SENTENCE.search(detail)
    if m is None:
        return None

    def number(pattern: str) -> int:
        found = re.search(pattern, m[1])
        return int(found[1]) if found else 0

    return [
        number(r"(\d+) cookie\(s\)"),
        number(r"(\d+) request\(s\)"),
        number(r"incl\. (\d+) beacon\(s\)"),
        number(r"(\d+) storage key\(s\)"),
        int(m[2]),
    ]


@pytest.fixture(scope="module")
def shop(tmp_path_factory) -> tuple[ScanResult, BeautifulSoup, Path]:
    out = tmp_path_factory.mktemp("evidence-shop")
    with FakeInternet(demo_world()) as net:
        raw, _ = scan(
            net, [net.url("www.example.com", "/")], out, max_pages=PAGES, max_depth=1, consent="off"
        )
    result = analyse(raw, declared=list(load_declared_csv(VENDORS_CSV)), declared_source=str(VENDORS_CSV))
    (path,) = write_reports(result, out, ["html"])
    return result, BeautifulSoup(path.read_text(encoding="utf-8"), "lxml"), path


def _units(doc: BeautifulSoup) -> dict[str, object]:
    """vendor -> its finding unit (tbody) in the findings table or the passed group."""
    out = {}
    for unit in doc.select("#findings-table > tbody.unit, #passed-table > tbody.unit"):
        out[unit.select_one("tr.row > td:nth-of-type(2) > b").get_text()] = unit
    return out


def _sections(unit) -> dict[str, tuple[int, list]]:
    """evidence heading ("Beacons", "Other requests", "Requests", "Cookies", ...) -> (its number, the
    rows of the table right after it)."""
    details = unit.select_one("tr.evidence details")
    out = {}
    if details is None:
        return out
    for h4 in details.find_all("h4", recursive=False):
        name, number = re.fullmatch(r"(.+) \((\d+)\)", h4.get_text()).groups()
        table = h4.find_next_sibling()
        rows = table.select(":scope > tbody > tr") if table is not None and table.name == "table" else []
        out[name] = (int(number), rows)
    return out


def _where(group) -> tuple[str, str]:
    where = group.select_one("td:nth-of-type(1) div.sub code").get_text()
    host, _, path = where.partition("/")
    return host, "/" + path


def _key(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.hostname or "", parts.path.split(";")[0] or "/"


def _n(cell) -> int:
    return int(cell.get_text(strip=True))


def test_the_crawl_has_what_the_evidence_needs(shop):
    result, _, _ = shop
    assert len(result.pages) == PAGES and not any(p.error for p in result.pages)
    hotjar = [r for r in result.requests if r.url.startswith("https://static.hotjar.com/c/hotjar-3210.js")]
    assert len({r.page_url for r in hotjar}) >= 3  # the same script on several pages
    assert any(c.set_by == "http" and c.setter_url and not c.first_party for c in result.cookies)
    assert {f.status for f in result.findings} >= {"undeclared", "mismatch", "declared", "not_observed"}


def test_repeated_requests_are_one_row_per_resource_with_true_totals(shop):
    result, doc, _ = shop
    units = _units(doc)
    checked = 0
    for f in result.findings:
        sections = _sections(units[f.vendor])
        mine = [r for r in result.requests if r.vendor == f.vendor]
        for heading, beacons in (("Beacons", True), ("Other requests", False), ("Requests", False)):
            if heading not in sections:
                continue
            number, groups = sections[heading]
            expected = Counter(_key(r.url) for r in mine if r.is_beacon == beacons)
            assert number == sum(expected.values())
            shown = {_where(g): g for g in groups}
            assert len(shown) == len(groups) == len(expected)  # one row per resource
            for key, g in shown.items():
                members = [r for r in mine if r.is_beacon == beacons and _key(r.url) == key]
                cells = g.find_all("td", recursive=False)
                assert _n(cells[2]) == len(members)
                pages = {r.page_url for r in members}
                assert _n(cells[3]) == len(pages)
                plural = "page" if len(pages) == 1 else "pages"
                assert cells[0].select_one("span.times").get_text() == f"× {len(pages)} {plural}"
                sample = [a.get_text() for a in cells[0].select("ul.page-sample a")]
                assert set(sample) <= pages and len(sample) == min(3, len(pages))
                checked += 1
    assert checked >= 10
    (hotjar,) = [
        g
        for g in _sections(units["Hotjar"])["Other requests"][1]
        if g.select_one("b.res").get_text() == "hotjar-3210.js"
    ]
    n = len({r.page_url for r in result.requests if "/c/hotjar-3210.js" in r.url})
    assert hotjar.select_one("td").get_text(" ", strip=True).startswith(f"hotjar-3210.js × {n} pages")


def test_counts_agree_between_columns_sentences_headings_and_the_scan(shop):
    result, doc, _ = shop
    units = _units(doc)
    assert set(units) == {f.vendor for f in result.findings}
    sentences = 0
    for f in result.findings:
        unit = units[f.vendor]
        cells = unit.select("tr.row > td.n")
        pages, cookies, sent, beacons, storage = (_n(c) for c in cells)
        ev = f.evidence
        assert (pages, cookies, beacons, storage) == (
            ev.total("pages"),
            ev.total("cookies"),
            ev.total("beacons"),
            ev.total("storage"),
        )
        assert sent == ev.total("requests") + ev.total("beacons")
        # the scan's own records of the vendor
        mine = [r for r in result.requests if r.vendor == f.vendor]
        if f.status != "not_observed" and not f.vendor.endswith("(first party)"):
            assert sent == len(mine) and beacons == sum(r.is_beacon for r in mine)
            seen = {r.page_url for r in mine} | {c.page_url for c in result.cookies if c.vendor == f.vendor}
            seen |= {s.page_url for s in result.storage if s.vendor == f.vendor}
            assert pages == len(seen)
        # the sentence in the Detail column says the same numbers
        detail = unit.select_one("td.detail").get_text()
        numbers = said(detail)
        if numbers is not None:
            assert numbers == [cookies, sent, beacons, storage, pages], detail
            sentences += 1
        else:
            assert f.status == "not_observed" or "(first party)" in f.vendor, detail
        # and the evidence headings
        sections = _sections(unit)
        for heading, value in (("Pages", pages), ("Cookies", cookies), ("Beacons", beacons)):
            if heading in sections:
                assert sections[heading][0] == value
        other = sections.get("Other requests", sections.get("Requests", (0, [])))[0]
        assert other + (sections["Beacons"][0] if "Beacons" in sections else 0) == sent
    assert sentences >= 6


def test_beacon_query_strings_are_decoded_with_identifiers_marked(shop):
    result, doc, _ = shop
    units = _units(doc)

    def params(vendor: str, label: str) -> dict[str, object]:
        (group,) = [
            g for g in _sections(units[vendor])["Beacons"][1] if g.select_one("b.res").get_text() == label
        ]
        return {tr.select_one("td code").get_text(): tr for tr in group.select("tr.param")}

    def marks(tr) -> set[str]:
        return {m.get_text() for m in tr.select("span.mark")}

    ga = params("Google Analytics", "collect")
    collect = [r for r in result.requests if r.vendor == "Google Analytics" and "/g/collect" in r.url]
    sent = dict(parse_qsl(urlsplit(collect[0].url).query))
    cid = ga["cid"]
    assert cid.select("td")[1].select_one("code").get_text() == sent["cid"]
    assert "hl" in cid["class"] and {"identifier", "cookie value"} <= marks(cid)
    assert "the value of cookie _ga" in cid.get_text()
    assert f"same on all {len(collect)} requests" in cid.get_text()
    dl = ga["dl"]  # URL-decoded once: the page's address as the tracker received it
    assert dl.select_one("td:nth-of-type(2) code").get_text().startswith("https://www.example.com/")
    assert "page URL" in marks(dl) and "hl" in dl["class"] and "the page's own URL" in dl.get_text()
    assert "identifier" not in marks(ga["v"]) and "hl" not in ga["v"]["class"]
    fb = params("Facebook", "tr")
    assert {"identifier", "cookie value"} <= marks(fb["fbp"]) and "the value of cookie _fbp" in fb[
        "fbp"
    ].get_text()
    # every decoded value is what parse_qsl reads from some request of the group: nothing invented
    for vendor, label in (("Google Analytics", "collect"), ("Facebook", "tr")):
        urls = [r.url for r in result.requests if r.vendor == vendor and r.is_beacon]
        values = {(k, v) for u in urls for k, v in parse_qsl(urlsplit(u).query, keep_blank_values=True)}
        for key, tr in params(vendor, label).items():
            code = tr.select_one("td:nth-of-type(2) code")
            assert (key, code.get_text() if code else "") in values


def test_each_http_cookie_shows_the_set_cookie_line_it_came_with(shop):
    result, doc, _ = shop
    rows = doc.select("#cookies-table > tbody > tr")
    assert len(rows) == len(result.cookies)
    shown = 0
    for c, tr in zip(result.cookies, rows, strict=True):
        assert tr.select_one("td code").get_text() == c.name
        header = tr.select_one("details.set-cookie code")  # the "Set by: http" cell opens to the line
        setter = [r for r in result.requests if r.url == c.setter_url] if c.set_by == "http" else []
        lines = [
            h["value"]
            for r in setter
            for h in r.response_headers
            if h["name"].lower() == "set-cookie" and h["value"].split("=", 1)[0] == c.name
        ]
        if not lines:
            assert header is None
            continue
        text = header.get_text()
        assert tr.select_one("details.set-cookie > summary").get_text() == "http"
        assert text == "Set-Cookie: " + lines[0]
        assert text.startswith(f"Set-Cookie: {c.name}=;")  # the value is not kept (no --keep-cookie-values)
        shown += 1
    assert shown >= 3
    fb = _units(doc)["Facebook"]
    (fr,) = [tr for tr in _sections(fb)["Cookies"][1] if tr.select_one("td code").get_text() == "fr"]
    assert fr.select_one("td.set-cookie").get_text().startswith("Set-Cookie: fr=; Domain=.facebook.com;")


def test_anchors_and_links_lead_to_the_vendor_finding(shop):
    result, doc, _ = shop
    ids = [el["id"] for el in doc.select("[id]")]
    assert len(ids) == len(set(ids))
    for a in doc.select('a[href^="#"]'):
        assert doc.find(id=a["href"][1:]) is not None, a["href"]
    units = _units(doc)
    for f in result.findings:
        unit = units[f.vendor]
        assert unit["id"] == f"vendor-{slug(f.vendor)}" and re.fullmatch(r"vendor-[a-z0-9-]+", unit["id"])
        assert unit.select_one("a.anchor")["href"] == "#" + unit["id"]
    assert units["Google Analytics"]["id"] == "vendor-google-analytics"
    with_finding = {f.vendor for f in result.findings}
    linked = 0
    for c, tr in zip(result.cookies, doc.select("#cookies-table > tbody > tr"), strict=True):
        a = tr.select_one("a.to-finding")
        if c.vendor in with_finding:
            assert a["href"] == "#" + units[c.vendor]["id"] and a.get_text() == c.vendor
            linked += 1
        else:
            assert a is None
    assert linked >= 5
    hosts = 0
    for tr in doc.select("#hosts-table > tbody > tr"):
        host = tr.select_one("td code").get_text()
        vendors = {r.vendor for r in result.requests if r.host == host and r.vendor in with_finding}
        links = {a.get_text(): a["href"] for a in tr.select("a.to-finding")}
        assert links == {v: "#" + units[v]["id"] for v in vendors}
        hosts += bool(links)
    assert hosts >= 5


def test_declared_and_consistent_vendors_are_folded_below_the_problems(shop):
    result, doc, _ = shop
    ok = [f.vendor for f in result.findings if f.status == "declared"]
    assert len(ok) >= 2
    group = doc.select_one("section#findings details.passed-group")
    assert group is not None and not group.has_attr("open")
    assert (
        group.select_one("summary").get_text(" ", strip=True)
        == f"Passed: {len(ok)} vendors declared and consistent"
    )
    assert [u.select_one("b").get_text() for u in group.select("#passed-table > tbody.unit")] == ok
    problems = doc.select("#findings-table > tbody.unit")
    assert [u.select_one("b").get_text() for u in problems] == [
        f.vendor for f in result.findings if f.status != "declared"
    ]
    # the problems table comes first; the status filter offers only what it holds
    section = str(doc.select_one("section#findings"))
    assert section.index('id="findings-table"') < section.index('class="passed-group"')
    options = [
        o["value"] for o in doc.select('.filters[data-for="findings-table"] select[data-key="status"] option')
    ]
    assert "declared" not in options and "undeclared" in options


@pytest.mark.browser
def test_anchors_navigate_in_chromium(shop):
    """A link from the cookie inventory to a vendor in the collapsed passed group opens the group and
    brings the vendor's row into view; a pasted #anchor does the same when the report opens."""
    result, _, path = shop
    with browser() as b:
        with open_report(b, path) as opened:
            page = opened.page
            assert not page.locator("#passed").evaluate("d => d.open")
            page.locator('#cookies-table a.to-finding[href="#vendor-google-analytics"]').first.click()
            page.wait_for_function("location.hash === '#vendor-google-analytics'")
            assert page.locator("#passed").evaluate("d => d.open")
            target = page.locator("#vendor-google-analytics > tr.row")
            page.wait_for_function(
                "() => { const r = document.querySelector('#vendor-google-analytics > tr.row')"
                ".getBoundingClientRect(); return r.top >= 0 && r.bottom <= innerHeight; }"
            )
            assert target.is_visible()
            assert page.evaluate("document.querySelector(':target').id") == "vendor-google-analytics"
            # a finding the status filter hides is shown when a link leads to it
            # (a "change" alone: select_option also fires "input", whose refresh comes later, debounced)
            page.eval_on_selector(
                '.filters[data-for="findings-table"] select[data-key="status"]',
                "s => { s.value = 'undeclared'; s.dispatchEvent(new Event('change', {bubbles: true})); }",
            )
            facebook = page.locator("#vendor-facebook > tr.row")
            expect(facebook).to_be_hidden()
            page.locator('#hosts-table a.to-finding[href="#vendor-facebook"]').first.click()
            expect(facebook).to_be_visible()
            assert opened.network == [] and opened.errors == []
        ctx = b.new_context(viewport={"width": 1280, "height": 900})
        try:
            page = ctx.new_page()
            page.goto(path.resolve().as_uri() + "#vendor-criteo", wait_until="load")
            box = page.locator("#vendor-criteo > tr.row").bounding_box()
            assert box is not None and 0 <= box["y"] < 900
            assert page.locator("#passed").evaluate("d => d.open")
        finally:
            ctx.close()
