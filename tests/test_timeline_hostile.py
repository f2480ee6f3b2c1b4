"""The timeline's fields under hostile content (issue 15, point 5): what a page controls (request URLs,
cookie names, storage keys, page URLs) reaches scan.json's ``timeline`` block and report.html's strips
and first-seen table as text only; numbers a hand-edited scan.json carries (huge, negative, a clock
decades off) neither break the report nor draw outside the strip; a timeline of the wrong shape is one
line of bad input. Fixtures come from the real pipeline (``analyse`` of crawler-shaped records)."""

from __future__ import annotations

import json
import re
from dataclasses import replace

import pytest
from report_browser import browser, open_report
from report_factory import T0, demo_records

from scanner.api import read_scan
from scanner.errors import BadInput
from scanner.model import ScanResult
from scanner.pipeline import analyse
from scanner.report import write_reports
from scanner.report.html import render_html
from scanner.schema import validation_errors

SCRIPT = "<script>window.__pwned=1;alert('t')</script>"
IMG = '"><img src=x onerror="window.__pwned=2">'
BIDI = "\u202eevil\u202c\u200b"
PAYLOADS = (SCRIPT, IMG, BIDI)
JS_PAGE = "javascript:alert('page')"


def hostile_records() -> ScanResult:
    """The demo shop's records with payloads where a page puts its own text: the tracker URLs (their
    hosts kept, so attribution names the vendor), a page URL, cookie names and storage keys; and the
    times a 1.4 crawl records (navigation starts, cookie and storage writes)."""
    raw = demo_records()
    shop = raw.pages[1].url
    pages = tuple(
        replace(p, nav_started_at=T0 + 10 * i, url=JS_PAGE if p.url == shop else p.url)
        for i, p in enumerate(raw.pages)
    )

    def page_of(url: str) -> str:
        return JS_PAGE if url == shop else url

    requests = tuple(
        replace(
            r,
            url=r.url + ("&" if "?" in r.url else "?") + "q=" + SCRIPT + IMG if r.third_party else r.url,
            page_url=page_of(r.page_url),
        )
        for r in raw.requests
    )
    cookies = tuple(
        replace(
            c,
            name=c.name + SCRIPT if not c.first_party else c.name,
            page_url=page_of(c.page_url),
            set_at=T0 + 0.3,
        )
        for c in raw.cookies
    )
    storage = tuple(
        replace(s, key=s.key + IMG + BIDI, page_url=page_of(s.page_url), written_at=T0 + 10.25)
        for s in raw.storage
    )
    return replace(raw, pages=pages, requests=requests, cookies=cookies, storage=storage)


@pytest.fixture(scope="module")
def hostile() -> ScanResult:
    return analyse(hostile_records(), declared=None)


def test_hostile_text_reaches_the_timeline_block_as_data(hostile):
    whats = [v.what for v in hostile.timeline.vendors]
    assert any(SCRIPT in w for w in whats) and any(IMG in w for w in whats)
    assert all(len(w) <= 300 for w in whats)
    assert JS_PAGE in {v.page_url for v in hostile.timeline.vendors}
    data = json.loads(json.dumps(hostile.to_dict()))
    assert validation_errors(data) == []
    assert ScanResult.from_dict(data).timeline == hostile.timeline


def test_hostile_text_in_the_timeline_is_escaped_and_links_nowhere(hostile):
    html = render_html(hostile)
    section = html[html.index('<section id="timeline">') : html.index('<section id="meta"')]
    for payload in (SCRIPT, IMG):
        assert payload not in html
    assert "&lt;script&gt;window.__pwned=1" in section
    assert "javascript:" not in "".join(re.findall(r'href="([^"]*)"', html))
    assert JS_PAGE.replace("'", "&#39;") in section  # shown as text, not linked


@pytest.mark.browser
def test_hostile_timeline_report_runs_nothing_in_chromium(tmp_path, hostile):
    (path,) = write_reports(hostile, tmp_path, ["html"])
    with browser() as b, open_report(b, path) as opened:
        page = opened.page
        assert opened.dialogs == [] and opened.errors == [] and opened.csp_violations == []
        assert opened.network == []
        assert page.evaluate("() => window.__pwned") is None
        assert page.evaluate("() => document.querySelectorAll('img, [onerror], [onload]').length") == 0
        text = page.evaluate(
            "() => document.querySelector('#timeline').textContent"
            " + Array.from(document.querySelectorAll('.tl-list')).map(d => d.textContent).join(' ')"
        )
        for payload in PAYLOADS:
            assert payload in text


def _hostile_numbers(result: ScanResult) -> dict:
    data = json.loads(json.dumps(result.to_dict()))
    for i, row in enumerate(data["requests"]):
        row["ms"] = [2**62, -(2**62), 0, 10**12][i % 4]
    data["pages"][0]["nav_started_at"] = 1e15
    data["timeline"]["pages"][0].update(
        consent_action=SCRIPT, consent_action_ms=2**62, first_ms=-5, last_ms=2**62, started_at=-1e15
    )
    data["timeline"]["vendors"][0].update(
        ms=-(10**15), what=(SCRIPT + IMG) * 200, vendor=SCRIPT, page_url=JS_PAGE
    )
    return data


def test_hostile_numbers_in_a_saved_scan_stay_inside_the_strip(tmp_path, hostile):
    data = _hostile_numbers(hostile)
    (tmp_path / "scan.json").write_text(json.dumps(data), encoding="utf-8")
    loaded = read_scan(tmp_path / "scan.json")  # the shapes are right: only the values are absurd
    html = render_html(loaded)
    xs = [
        float(x)
        for d in re.findall(r'<path class="tl-(?:request|beacon|cookie|storage|consent)" d="([^"]*)"', html)
        for x in re.findall(r"M(-?[0-9.e+]+) ", d)
    ]
    assert len(xs) >= 3  # the sane ones drawn, all inside the 0..1000 box
    assert all(0 <= x <= 1000 for x in xs), xs
    assert "tracker events (" in html and "more without a time)" in html  # the absurd ones: no time
    assert SCRIPT not in html and "&lt;script&gt;window.__pwned=1" in html
    # analysed again (`scanner report --vendors ...`), every time comes from the clocks: out of range is None
    again = analyse(loaded, declared=None)
    assert all(r.ms is None or 0 <= r.ms <= 3_600_000 for r in again.requests)
    first = again.timeline.pages[0]
    assert first.started_at == 1e15 and first.events == 0 and first.first_ms is None
    assert validation_errors(json.loads(json.dumps(again.to_dict()))) == []


@pytest.mark.parametrize(
    "timeline",
    [
        "x",
        {"pages": "x"},
        {"pages": [{"page_url": 3}]},
        {"vendors": [{"vendor": "V", "ms": "soon"}]},
        {"vendors": [{"vendor": "V", "kind": "<script>"}]},
        {"pages": [{"page_url": "u", "clock": "sundial"}]},
    ],
)
def test_a_timeline_of_the_wrong_shape_is_one_line_of_bad_input(tmp_path, hostile, timeline):
    data = json.loads(json.dumps(hostile.to_dict()))
    data["timeline"] = timeline
    (tmp_path / "scan.json").write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BadInput) as caught:
        read_scan(tmp_path / "scan.json")
    message = str(caught.value)
    assert "timeline" in message and "\n" not in message
