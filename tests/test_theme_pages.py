"""The diff, history matrix and campaign pages have report.html's Light / Dark / System switch, and a
stored choice applies before the page body exists (no light flash for a reader who chose dark).

The pages are written by the real code from real-pipeline scans (tests/report_factory.py): diff.html of
two demo scans, matrix.html of a history database they were recorded in, campaign.html of a campaign
folder. Each is opened in real Chromium from a file URL with its Content-Security-Policy in force."""

from __future__ import annotations

import re
from html import unescape

import pytest
from report_browser import browser
from report_factory import demo_scan

from scanner.batch.campaign import write_campaign_report
from scanner.batch.model import JobRecord
from scanner.diff import diff_scans
from scanner.history import matrix, record_scan
from scanner.history.files import matrix_html
from scanner.report.diff_files import write_diff
from scanner.report.json_file import write_scan_json

pytestmark = pytest.mark.browser

THEME_KEY = "scanner-report-theme"
DARK_BG = "rgb(18, 22, 29)"
# Before the page's own scripts: a reader who chose dark earlier, and a note of the theme <html> had
# when the <body> element appeared (a MutationObserver runs before any later script of the page).
STORED_DARK = f"""
localStorage.setItem("{THEME_KEY}", "dark");
window.__themeAtBody = "no body seen";
new MutationObserver(function (records, observer) {{
  if (document.body) {{
    window.__themeAtBody = document.documentElement.getAttribute("data-theme");
    observer.disconnect();
  }}
}}).observe(document, {{childList: true, subtree: true}});
"""


@pytest.fixture(scope="module")
def pages(tmp_path_factory):
    base = tmp_path_factory.mktemp("themed")
    old, new = demo_scan(), demo_scan(extra_undeclared=True, start="2025-11-25T10:00:00Z")
    diff_html, _ = write_diff(diff_scans(old, new), base / "diff")
    db = base / "history.db"
    for name, result in (("old", old), ("new", new)):
        (base / name).mkdir()
        record_scan(db, write_scan_json(result, base / name), campaign="nov")
    (base / "matrix.html").write_text(matrix_html(matrix(db, "nov")), encoding="utf-8")
    (base / "campaign").mkdir()
    jobs = [JobRecord("https://www.example.com/"), JobRecord("https://shop.example.org/", "running", 1)]
    campaign_html = write_campaign_report(base / "campaign", jobs)[0]
    return {"diff": diff_html, "matrix": base / "matrix.html", "campaign": campaign_html}


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@pytest.mark.parametrize("name", ["diff", "matrix", "campaign"])
def test_the_page_has_the_theme_switch_and_no_flash(chromium, pages, name):
    path = pages[name]
    html = path.read_text(encoding="utf-8")
    csp = unescape(re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html).group(1))
    assert re.search(r"script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)", csp) and "unsafe" not in csp
    assert html.index("<script>") < html.index("</head>")  # in the head: runs before the first paint
    ctx = chromium.new_context(color_scheme="light", viewport={"width": 1280, "height": 900})
    ctx.add_init_script(STORED_DARK)
    page = ctx.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.on("console", lambda m: problems.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_selector("body[data-ready]", state="attached")
        assert page.evaluate("window.__themeAtBody") == "dark"  # applied before the body existed
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == DARK_BG
        assert page.is_visible(".theme-switch")
        pressed = "Array.from(document.querySelectorAll('[aria-pressed=true]')).map(b => b.textContent)"
        assert page.evaluate(pressed) == ["Dark"]
        page.click("[data-theme-choice=light]")
        assert page.evaluate("document.documentElement.getAttribute('data-theme')") == "light"
        assert page.evaluate(f"localStorage.getItem('{THEME_KEY}')") == "light"
        page.click("[data-theme-choice=system]")
        assert page.evaluate("document.documentElement.getAttribute('data-theme')") is None
        assert problems == []
    finally:
        ctx.close()
