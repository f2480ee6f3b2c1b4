"""The timeline's pieces without a browser: the clock arithmetic (``scanner.timeline``), when a cookie
was first written (``merge_cookies``, the hook's clock), the strip's scale and bounds
(``scanner.report.html_timeline``) on scans built by the real pipeline, and scans saved before 1.4."""

from __future__ import annotations

import json
import math
from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st
from report_factory import SITE, T0, demo_records, demo_scan, request

from scanner.assemble import merge_cookies
from scanner.collect.cookies import write_time
from scanner.model import ScanResult
from scanner.pipeline import analyse
from scanner.report.html import render_html
from scanner.report.html_timeline import MAX_DRAWN, ms_text, nice_span
from scanner.schema import validation_errors
from scanner.scope import Scope
from scanner.timeline import MAX_MS, offset_ms

numbers = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=3),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
)


@given(numbers, numbers)
def test_offset_is_a_whole_number_of_ms_inside_one_visit_or_none(at, zero):
    ms = offset_ms(at, zero)
    assert ms is None or (type(ms) is int and 0 <= ms <= MAX_MS)
    if ms is not None:
        assert not isinstance(at, bool) and math.isfinite(at) and math.isfinite(zero)


@given(st.floats(min_value=0, max_value=3000), st.floats(min_value=0, max_value=3000))
def test_offset_keeps_the_order_of_events(a, b):
    zero = 1_764_000_000.0
    ms_a, ms_b = offset_ms(zero + a, zero), offset_ms(zero + b, zero)
    assert (ms_a <= ms_b) == (round(a * 1000) <= round(b * 1000)) or abs(a - b) < 0.002


def test_offset_edges():
    assert offset_ms(T0 + 1.2344, T0) == 1234
    assert offset_ms(T0 - 0.5, T0) == 0  # a little before the zero: two clocks of one machine
    assert offset_ms(T0 - 5, T0) is None and offset_ms(T0 + 7200, T0) is None
    assert offset_ms(True, T0) is None and offset_ms(T0, None) is None


def test_a_document_cookie_write_is_timed_by_the_hooks_clock_when_plausible():
    received = 1_764_000_000.5
    assert write_time(1_764_000_000_250, received) == 1_764_000_000.25
    for bad in (None, True, "1764000000250", float("nan"), float("inf"), 0, 1_764_000_100_000, -1):
        assert write_time(bad, received) == received


def obs(name, source, ts, page=f"{SITE}/", http_only=False):
    return {
        "name": name,
        "domain": ".example.com",
        "host_only": False,
        "path": "/",
        "expires": ts + 86400 if source == "jar" else None,
        "declared_lifetime_days": None if source == "jar" else 1.0,
        "secure": True,
        "http_only": http_only,
        "same_site": "Lax",
        "source": source,
        "setter_url": None,
        "value_hash": "0" * 16,
        "value": None,
        "page_url": page,
        "ts": ts,
    }


def test_a_cookie_is_set_at_its_first_write_on_its_first_page():
    scope = Scope([f"{SITE}/"])
    observations = [
        obs("a", "jar", 9.0),
        obs("a", "document.cookie", 2.5),
        obs("a", "document.cookie", 4.0),
        obs("jar_only", "jar", 9.0),
        obs("later", "jar", 9.0),  # seen on / by the jar, written by a header on a later page only
        obs("later", "set-cookie", 19.0, page=f"{SITE}/b"),
        obs("hdr", "set-cookie", 3.25, http_only=True),
    ]
    cookies = {c.name: c for c in merge_cookies(observations, scope)}
    assert cookies["a"].set_at == 2.5
    assert cookies["jar_only"].set_at is None
    assert cookies["later"].page_url == f"{SITE}/" and cookies["later"].set_at is None
    assert cookies["hdr"].set_at == 3.25


def test_the_strip_scale_is_round_and_its_text_short():
    assert [nice_span(ms) for ms in (0, 100, 101, 499, 501, 1521, 9000)] == [
        100,
        100,
        200,
        500,
        1000,
        2000,
        10000,
    ]
    assert [ms_text(ms) for ms in (None, 0, 1234, 12345)] == ["—", "0 ms", "1,234 ms", "12.3 s"]


def test_a_busy_page_draws_its_first_events_and_says_how_many_it_left_out():
    raw = demo_records()
    home = raw.pages[0].url
    burst = tuple(
        request(
            f"https://px.unknown-metrics.io/p.gif?n={i}", home, "image", T0 + 1 + i / 1000, is_beacon=True
        )
        for i in range(MAX_DRAWN + 50)
    )
    result = analyse(replace(raw, requests=raw.requests + burst), declared=None)
    page = next(p for p in result.timeline.pages if p.page_url == home)
    assert page.events >= MAX_DRAWN + 50 and page.clock == "navigation"
    html = render_html(result)
    assert f"showing {MAX_DRAWN} of {page.events} events on the strip" in html
    start = html.index('<figure class="tl"')
    first_strip = html[start : html.index("</figure>", start)]
    assert first_strip.count("M") - 3 == MAX_DRAWN  # ticks drawn (three grid lines aside)


def test_the_demo_scan_has_its_timeline_in_scan_json_and_in_the_report():
    result = demo_scan()
    data = json.loads(json.dumps(result.to_dict()))
    assert validation_errors(data) == []
    first = {v["vendor"]: v for v in data["timeline"]["vendors"]}
    # the demo's records: the GA tag 100 ms after the home page's document request, Criteo on /shop
    assert (first["Google Analytics"]["ms"], first["Google Analytics"]["page_url"]) == (100, f"{SITE}/")
    assert first["Criteo"]["page_url"] == f"{SITE}/shop" and first["Criteo"]["ms"] == 200
    html = render_html(result)
    assert html.count('<figure class="tl"') == len(result.pages)


def test_a_scan_saved_before_1_4_loads_and_reports_without_a_timeline():
    data = json.loads(json.dumps(demo_scan().to_dict()))
    data["schema_version"] = "1.3"
    del data["timeline"]
    for key in ("requests", "cookies", "storage"):
        for row in data[key]:
            for field in ("ms", "set_at", "written_at"):
                row.pop(field, None)
    for row in data["pages"]:
        row.pop("nav_started_at")
    old = ScanResult.from_dict(data)
    assert old.timeline is None and validation_errors(data) == []
    html = render_html(old)
    assert 'id="timeline"' not in html and '<figure class="tl"' not in html and 'href="#timeline"' not in html
    assert analyse(old, declared=None).timeline.pages  # analysed again: from the document requests
