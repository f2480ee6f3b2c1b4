"""What happened when, on a real scan (issue 15, point 1): the timeline world's trackers fire one after
the other at chained delays (scanner/fakenet/timeline.py), behind a OneTrust banner that an "accept all"
pass answers. One scan (crawl of two pages + the accept pass on the start page) for the whole module:
the records carry their times after the page's navigation start in the order the page ran them, the
consent answer is marked on its page, each vendor's first appearance is where it happened, scan.json
validates and is rebuilt alike from the saved scan, and report.html draws the strips, inert."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from report_browser import browser, open_report

from scanner import scan
from scanner.assemble import recover
from scanner.browser import BrowserOptions
from scanner.crawl.visit import VisitTiming
from scanner.fakenet import FakeInternet
from scanner.fakenet.hostile import IMG_ONERROR, SCRIPT_TAG
from scanner.fakenet.timeline import (
    BEACON,
    DELAYS,
    GTAG,
    HOST,
    HOSTILE_KEY,
    PIXEL,
    STORAGE_KEY,
    timeline_world,
)
from scanner.model import ScanResult
from scanner.options import ScanOptions
from scanner.pipeline import analyse
from scanner.schema import validation_errors
from scanner.timeline import offset_ms

pytestmark = pytest.mark.browser

# Settle long enough for the last chained step (~1.3 s after the tag ran) on a busy machine.
TIMING = VisitTiming(settle_s=2.0, quiet_ms=300, quiet_cap_s=3.0)


@pytest.fixture(scope="module")
def scanned(tmp_path_factory):
    out = tmp_path_factory.mktemp("timeline-scan")
    with FakeInternet(timeline_world()) as net:
        options = ScanOptions(
            start_urls=(net.url(HOST, "/"),),
            out_dir=out,
            formats=("json", "html"),
            max_pages=2,
            use_sitemap=False,
            concurrency=2,
            timing=TIMING,
            consent="accept",
            consent_sample=1,
            declared=(),
            screenshots=False,
            browser=BrowserOptions(
                ignore_https_errors=True, extra_args=tuple(net.chromium_args()), timeout_s=15
            ),
        )
        result = scan(options)
    return result, out


HOME = f"https://{HOST}/"


def _on(result: ScanResult, pass_: str = "none", page: str = HOME):
    requests = [r for r in result.requests if r.consent_pass == pass_ and r.page_url == page]
    cookies = {c.name: c for c in result.cookies if c.consent_pass == pass_ and c.page_url == page}
    storage = {s.key: s for s in result.storage if s.consent_pass == pass_ and s.page_url == page}
    return requests, cookies, storage


def test_events_carry_their_time_after_the_navigation_in_the_order_the_page_ran_them(scanned):
    result, _ = scanned
    requests, cookies, storage = _on(result)
    tag = next(r for r in requests if r.url == GTAG)
    beacon = next(r for r in requests if r.url == BEACON)
    pixel = next(r for r in requests if r.url == PIXEL)
    assert beacon.is_beacon and beacon.beacon_reason == "send_beacon" and pixel.is_beacon
    ga, fr, gcl = cookies["_ga"], cookies["fr"], storage[STORAGE_KEY]
    assert (ga.set_by, fr.set_by) == ("js", "http")
    # The tag, its document.cookie write, the storage write, the beacon, the pixel and its Set-Cookie:
    # each later than the one before, as the page scheduled them.
    times = {
        "tag": tag.ms,
        "_ga": ga.ms,
        "storage": gcl.ms,
        "beacon": beacon.ms,
        "pixel": pixel.ms,
        "fr": fr.ms,
    }
    assert None not in times.values(), times
    assert list(times.values()) == sorted(times.values()), times
    assert tag.ms < gcl.ms < beacon.ms < pixel.ms <= fr.ms, times
    # Each step ran at least its delay after the one before (setTimeout never fires early): the
    # beacon is two delays after the cookie write, the pixel one delay after the beacon; the margin
    # is for the network service starting each request a little after the page asked for it.
    assert beacon.ms - ga.ms >= DELAYS[0] + DELAYS[1] - 150, times
    assert pixel.ms - beacon.ms >= DELAYS[2] - 150, times
    page = next(p for p in result.pages if p.url == HOME and p.consent_pass == "none")
    assert page.nav_started_at is not None
    for r in requests:  # ms is the record's own clock against the page's navigation start
        assert r.ms == offset_ms(r.timestamp, page.nav_started_at)
    assert fr.set_at is not None and fr.ms == offset_ms(fr.set_at, page.nav_started_at)
    assert gcl.written_at is not None and gcl.ms == offset_ms(gcl.written_at, page.nav_started_at)


def test_each_page_has_a_clock_and_each_vendor_its_first_appearance(scanned):
    result, _ = scanned
    pages = {(p.consent_pass, p.page_url): p for p in result.timeline.pages}
    assert set(pages) == {("none", HOME), ("none", HOME + "hostile"), ("accept", HOME)}
    home = pages[("none", HOME)]
    assert home.clock == "navigation" and home.events >= 6 and home.vendors >= 3
    assert home.consent_action is None and home.consent_action_ms is None
    first = {(v.vendor, v.consent_pass): v for v in result.timeline.vendors}
    ga, fb, ads = (
        first[("Google Analytics", "none")],
        first[("Facebook", "none")],
        first[("Google Ads", "none")],
    )
    assert (ga.page_url, ga.kind, ga.what) == (HOME, "request", GTAG)
    assert (fb.page_url, fb.kind) == (HOME, "beacon") and fb.what.startswith("https://www.facebook.com/tr/")
    assert (ads.kind, ads.what) == ("storage", f"https://{HOST} {STORAGE_KEY}")
    assert ga.ms < ads.ms < fb.ms
    assert home.first_ms <= ga.ms and fb.ms <= home.last_ms
    # Hotjar's only evidence is the storage key of the second page: first seen there
    hotjar = first[("Hotjar", "none")]
    assert hotjar.page_url == HOME + "hostile" and hotjar.kind == "storage" and hotjar.ms is not None
    assert first[("OneTrust", "none")].tracker is False and ga.tracker is True
    crawl = [v.vendor for v in result.timeline.vendors if v.consent_pass == "none"]
    assert crawl.index("Google Analytics") < crawl.index("Google Ads") < crawl.index("Facebook")


def test_the_consent_answer_is_marked_on_its_page(scanned):
    result, _ = scanned
    accept = next(p for p in result.consent.passes if p.name == "accept")
    assert accept.action == "optIn" and accept.action_page == HOME
    page = next(p for p in result.timeline.pages if p.consent_pass == "accept")
    assert page.consent_action == "optIn"
    assert page.consent_action_ms == offset_ms(accept.action_at, page.started_at)
    # LinkedIn is loaded by the banner's tag manager once "accept all" is clicked: first seen after it
    first = {(v.vendor, v.consent_pass): v for v in result.timeline.vendors}
    assert ("LinkedIn", "none") not in first
    linkedin = first[("LinkedIn", "accept")]
    assert linkedin.after_action is True and linkedin.page_url == HOME
    assert linkedin.ms >= page.consent_action_ms
    # what the page's own script wrote before the answer stays before it
    _, cookies, _ = _on(result, "accept")
    assert cookies["_ga"].consent_phase == "before_action" and cookies["_ga"].ms < page.consent_action_ms


def test_scan_json_validates_and_is_rebuilt_alike_from_the_saved_scan(scanned):
    result, out = scanned
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert validation_errors(data) == []
    assert data["schema_version"] == "1.4" and data["timeline"]["vendors"]
    assert all("nav_started_at" in p for p in data["pages"])
    saved = ScanResult.from_dict(data)
    assert saved.timeline == result.timeline
    # `scanner report` analyses again: from scan.json without any derived time ...
    for key in ("requests", "cookies", "storage"):
        for row in data[key]:
            row.pop("ms")
    del data["timeline"]
    again = analyse(ScanResult.from_dict(data), declared=None)
    assert again.timeline == result.timeline
    assert [r.ms for r in again.requests] == [r.ms for r in result.requests]
    # ... and from the saved visits of a scan that never wrote scan.json
    (out / "scan.json").rename(out / "scan.json.bak")
    try:
        rebuilt = analyse(recover(out), declared=None)
    finally:
        (out / "scan.json.bak").rename(out / "scan.json")
    assert rebuilt.timeline.pages == result.timeline.pages
    assert rebuilt.timeline.vendors == result.timeline.vendors


def test_report_draws_a_strip_per_page_marks_the_answer_and_runs_nothing(scanned):
    result, out = scanned
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<a href="#timeline">Timeline</a>' in html and '<section id="timeline">' in html
    assert html.count('<figure class="tl"') == 3
    assert html.count('class="tl-consent"') == 1  # one answered banner: the accept pass's start page
    assert "banner answered: accept all at" in html
    assert "after the banner answer" in html
    # the hostile page's storage key (first seen of Hotjar) is text, never markup
    assert SCRIPT_TAG not in html and IMG_ONERROR not in html
    with browser() as b, open_report(b, out / "report.html", viewport=(1400, 900)) as opened:
        page = opened.page
        assert opened.dialogs == [] and opened.errors == [] and opened.csp_violations == []
        assert opened.network == []
        assert (
            page.evaluate("() => document.querySelectorAll('img, iframe, [onerror], [onload]').length") == 0
        )
        text = page.evaluate("() => document.querySelector('#timeline').textContent")
        assert HOSTILE_KEY in text  # shown literally
        strips = page.evaluate(
            """() => Array.from(document.querySelectorAll('figure.tl svg')).map(s => {
                 const r = s.getBoundingClientRect();
                 return {w: r.width, h: r.height, ticks: s.querySelectorAll('path:not(.tl-grid)').length};
               })"""
        )
        assert len(strips) == 3 and all(s["w"] > 100 and s["h"] > 20 and s["ticks"] >= 3 for s in strips)
        # the page's beacon tick is drawn left of its pixel tick: the strip keeps the order
        order = page.evaluate(
            """() => { const s = document.querySelector('figure.tl svg');
                 const xs = (c) => (s.querySelector('path.tl-' + c).getAttribute('d')
                   .match(/M[0-9.]+/g) || []).map(m => parseFloat(m.slice(1)));
                 return {beacons: xs('beacon'), storage: xs('storage')}; }"""
        )
        assert order["beacons"] == sorted(order["beacons"]) and len(order["beacons"]) == 2
        assert order["storage"][0] < order["beacons"][0]


def test_a_scan_saved_before_schema_1_4_reports_from_its_document_requests(scanned):
    result, _ = scanned
    old = replace(
        result,
        pages=tuple(replace(p, nav_started_at=None) for p in result.pages),
        timeline=None,
    )
    again = analyse(old, declared=None)
    clocks = {p.clock for p in again.timeline.pages}
    assert clocks == {"document"}
    home = next(p for p in again.timeline.pages if p.page_url == HOME and p.consent_pass == "none")
    now = next(p for p in result.timeline.pages if p.page_url == HOME and p.consent_pass == "none")
    # the document request starts a little after the crawler asked for the navigation
    assert home.started_at >= now.started_at and home.events == now.events
