"""Hostile values in what the print and PDF work added: the methodology section (browser, what a page saw,
options, consent passes, blind spots, first-party domains) and the running header of printed pages (the
site, the scanner's version, written into the stylesheet). A scan.json may have been edited by anyone:
every such value prints as text in report.html and report.pdf, never as markup, CSS or script."""

from __future__ import annotations

import base64
import hashlib
import html as html_lib
import io
import re

import pypdf
import pytest
from hypothesis import given
from hypothesis import strategies as st
from report_browser import browser, open_report
from report_factory import demo_scan

from scanner.model import ScanResult
from scanner.report import write_reports
from scanner.report.html import render_html
from scanner.report.html_print import css_string

PWN = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=2">'
BREAK = '"}</style><script>window.__pwned=3</script><style>'
SITE = 'javascript:alert(1)//"}</style><b>x</b>\\'  # no host: the header shows it as it is


def hostile_result() -> ScanResult:
    """The demo scan as an edited scan.json would load: hostile strings, and wrong types, in every field
    the methodology and the running header read."""
    data = demo_scan().to_dict()
    meta = data["meta"]
    meta["start_urls"] = [SITE]
    meta["tool_version"] = BREAK
    meta["browser"] = f"/opt/{IMG}/chrome"
    meta["browser_source"] = PWN
    meta["browser_version"] = PWN
    meta["presented"] = {
        "user_agent": PWN,
        "languages": [IMG, 5, None],
        "timezone": BREAK,
        "webdriver": "yes",
        "screen": {"width": IMG, "height": 3},
        "viewport": [1, 2],
        "client_hints": {
            "brands": [{"brand": PWN, "version": IMG}, "junk"],
            "platform": BREAK,
            "mobile": True,
        },
        "global_privacy_control": IMG,
    }
    meta["options"] = {
        "consent": PWN,
        "settle_s": IMG,
        "timeout_s": float("1e308"),
        "concurrency": True,
        "first_party": [IMG, 7],
        "browser_args": [BREAK],
        "max_pages": "50<script>",
        "keep_cookie_values": False,
        "probe_forms": IMG,
    }
    meta["consent_passes"] = [
        {"name": PWN, "pages": IMG, "started_at": BREAK, "error": IMG, "gpc_presented": True},
        {"name": "accept", "pages": [PWN], "finished_at": 5},
    ]
    if data.get("behaviour"):
        data["behaviour"]["blind_spots"] = [PWN, IMG]
    return ScanResult.from_dict(data)


@pytest.fixture(scope="module")
def hostile() -> ScanResult:
    return hostile_result()


def _method_html(html: str) -> str:
    return html[
        html.index('<section id="method"') : html.index("</section>", html.index('<section id="method"'))
    ]


def test_methodology_prints_hostile_values_as_text(hostile):
    html = render_html(hostile)
    for raw in (PWN, IMG, BREAK):
        assert raw not in html
    method = _method_html(html)
    text = html_lib.unescape(re.sub(r"<[^>]+>", "", method))
    assert PWN in text and IMG in text  # shown, as text
    # wrong types read as "not recorded", never as a guess
    assert "<dt>Automation flag</dt><dd>not recorded</dd>" in method  # "yes" is no boolean
    assert "<dt>Screen, window</dt><dd>not recorded; viewport not recorded</dd>" in method
    assert "<dt>Parallel pages</dt>" not in method  # True is no number of tabs
    # only our own elements: one style, one script, nothing else executable or loadable
    assert html.count("<script") == 1 and html.count("<style") == 1 and html.count("</style") == 1
    assert not re.search(r"<(img|svg|iframe|object|embed)\b[^>]*\bon\w+=", html)


def test_running_header_keeps_hostile_site_inside_a_css_string(hostile):
    html = render_html(hostile)
    style = re.search(r"<style>(.*?)</style>", html, re.S)[1]
    csp = html_lib.unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)[1])
    digest = base64.b64encode(hashlib.sha256(style.encode()).digest()).decode()
    assert f"style-src 'sha256-{digest}'" in csp  # the per-report header is part of the hashed style
    header = style[style.rindex("@page{@top-left") :]
    assert "<" not in header and "</style" not in header.lower()
    assert re.fullmatch(
        r'@page\{(@[a-z-]+\{content:"([A-Za-z0-9 .,:/\-_()]|\\[0-9a-f]{1,6} )*"\})+\}', header
    )


CSS_PLAIN = r"[A-Za-z0-9 .,:/\-_()]"


def _css_unescape(quoted: str) -> str:
    assert quoted[0] == quoted[-1] == '"'
    return re.sub(r"\\([0-9a-f]{1,6}) ", lambda m: chr(int(m[1], 16)), quoted[1:-1])


@given(st.text())
def test_css_string_is_a_closed_string_of_the_same_text(text):
    quoted = css_string(text)
    assert re.fullmatch(rf'"({CSS_PLAIN}|\\[0-9a-f]{{1,6}} )*"', quoted)
    kept = "".join(
        ch for ch in text if not (ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000)
    )
    assert _css_unescape(quoted) == kept


@pytest.mark.browser
def test_hostile_report_is_inert_on_screen_and_in_print(hostile, tmp_path):
    (path,) = write_reports(hostile, tmp_path, ["html"])
    with browser() as b, open_report(b, path) as opened:
        page = opened.page
        for media in ("screen", "print"):
            page.emulate_media(media=media)
            assert page.evaluate("window.__pwned") is None
        header = page.evaluate(
            """() => {
                 const rule = Array.from(document.styleSheets[0].cssRules)
                   .filter(r => r instanceof CSSPageRule).pop();
                 return Object.fromEntries(Array.from(rule.cssRules)
                   .map(m => [m.name, m.style.getPropertyValue('content')]));
               }"""
        )
        text = page.text_content("#method")
        assert opened.dialogs == [] and opened.errors == [] and opened.csp_violations == []
        assert opened.network == []
    assert set(header) == {"top-left", "top-right", "bottom-left"}
    # Chromium serialises the strings back: the hostile site is one string, quotes and all
    assert header["top-left"] == '"Tracker audit: ' + SITE.replace("\\", "\\\\").replace('"', '\\"') + '"'
    assert header["bottom-left"] == '"scanner ' + BREAK.replace('"', '\\"') + '"'
    assert PWN in text and IMG in text


@pytest.mark.browser
def test_hostile_pdf_prints_the_values_as_text(hostile, tmp_path):
    (path,) = write_reports(hostile, tmp_path, ["pdf"])
    pages = [p.extract_text() for p in pypdf.PdfReader(io.BytesIO(path.read_bytes())).pages]
    whole = re.sub(r"\s+", "", "\n".join(pages))
    assert re.sub(r"\s+", "", "Tracker audit: " + SITE) in re.sub(r"\s+", "", pages[0])
    assert re.sub(r"\s+", "", PWN) in whole and re.sub(r"\s+", "", IMG) in whole
