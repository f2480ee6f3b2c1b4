"""The logged-in audit's report fields carry what the scanned site controls: the URLs of the pages that
lost the session and the names and domains of the cookies and localStorage keys the login left in the
browser. With script, HTML, Markdown and terminal payloads in them, report.html shows them as text and
runs nothing, summary.md escapes them, the console line stays one inert line and scan.json stays valid."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from report_browser import browser, open_report
from report_factory import demo_scan

from scanner.commands.scan import print_login_line
from scanner.model import ScanResult
from scanner.report import write_reports
from scanner.schema import validation_errors

PAYLOADS = [
    "<script>window.__pwned=1;alert('login')</script>",
    '"><img src=x onerror="window.__pwned=2">',
    "</code></table><svg/onload=alert(3)>",
    "[click](javascript:alert(4)) ![x](https://evil.example/x.png) | col |",
    "\x1b[2J\x1b[31mred\r\nforged line\u202e",
]
LOST_URL = "https://www.example.com/account?<script>alert('url')</script>"


def hostile_login(base: ScanResult) -> ScanResult:
    pages = tuple(
        replace(p, url=LOST_URL if i == 2 else p.url, logged_in=i < 2) for i, p in enumerate(base.pages)
    )
    injected = [
        {"type": "cookie", "name": payload, "domain": payload, "path": "/", "session": True, "expires": None,
         "secure": True, "http_only": True, "same_site": "Lax", "first_party": True, "by": "login_steps"}
        for payload in PAYLOADS
    ] + [
        {"type": "storage", "origin": "https://www.example.com", "kind": "local", "key": payload,
         "first_party": True, "by": "storage_state"}
        for payload in PAYLOADS
    ]  # fmt: skip
    login = {
        "methods": ["storage_state", "login_steps"],
        "check": "selector:" + PAYLOADS[0],
        "injected": injected,
        "logged_out_from": {"url": LOST_URL, "visit": 3},
    }
    meta = replace(base.meta, login=login, interrupted=True, errors=(f"logged out: at visit 3 ({LOST_URL})",))
    return replace(base, pages=pages, meta=meta)


@pytest.fixture(scope="module")
def hostile() -> ScanResult:
    return hostile_login(demo_scan())


def test_machine_and_markdown_outputs(tmp_path, hostile):
    write_reports(hostile, tmp_path, ["json", "md"])
    data = json.loads((tmp_path / "scan.json").read_text(encoding="utf-8"))
    assert validation_errors(data) == [] and data["meta"]["login"]["injected"][0]["name"] == PAYLOADS[0]
    md = (tmp_path / "summary.md").read_text(encoding="utf-8")
    line = next(ln for ln in md.splitlines() if ln.startswith("Login"))
    assert "logged out from visit 3" in line and "<script" not in line.replace("\\<script", "")
    assert "](" not in line and "|" not in line.replace("\\|", "")  # no link, image or table cell
    assert "Partial scan\\: logged out from visit 3 of" in md


def test_the_console_line_is_one_inert_line(capsys, hostile):
    print_login_line(
        replace(hostile, meta=replace(hostile.meta, login={**hostile.meta.login, "check": PAYLOADS[4]}))
    )
    out = capsys.readouterr().out
    assert out.count("\n") == 1 and "\x1b" not in out and "\r" not in out and "\u202e" not in out
    assert out.startswith("login: logged in with a saved login (--storage-state) then login steps;")


@pytest.mark.browser
def test_the_html_section_shows_the_payloads_as_text_and_runs_nothing(tmp_path, hostile):
    (path,) = write_reports(hostile, tmp_path, ["html"])
    with browser() as b, open_report(b, path) as opened:
        page = opened.page
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        assert opened.dialogs == [] and page.evaluate("() => window.__pwned") is None
        section = page.locator("#login")
        text = section.inner_text()
        assert "Logged out from visit 3" in text and LOST_URL in text
        assert all(p in text for p in PAYLOADS[:4]), text
        counts = page.evaluate(
            """() => ({
                img: document.querySelectorAll('#login img, #login svg, #login script').length,
                links: Array.from(document.querySelectorAll('#login a')).map(a => a.getAttribute('href')),
            })"""
        )
        assert counts["img"] == 0
        assert all(href.startswith("https://www.example.com/") for href in counts["links"]), counts
        assert opened.network == [] and opened.errors == [] and opened.csp_violations == []
