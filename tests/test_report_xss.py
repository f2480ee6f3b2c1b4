"""Everything from the scanned site is hostile. A report of a result whose titles, URLs,
cookie names and values, storage keys, vendor names and finding details carry script and
HTML-injection payloads must show them as literal text, run nothing and fetch nothing."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import pytest
from report_browser import browser, open_report
from report_factory import demo_scan as demo_result
from report_schemas import har_errors, junit_errors, sarif_errors

from scanner.diff import diff_scans
from scanner.model import Evidence, ScanResult
from scanner.report import FORMATS, write_reports
from scanner.report.diff_files import write_diff

PAYLOADS = [
    "<script>window.__pwned=1;alert('script')</script>",
    '"><img src=x onerror="window.__pwned=2;alert(\'img\')">',
    "'><svg/onload=alert('svg')>",
    "</textarea></style></script><script>alert('breakout')</script>",
    "{{7*7}}{% if 1 %}jinja{% endif %}",
    '<iframe src="https://evil.example/frame"></iframe>',
    "<a href=\"javascript:alert('link')\">click me</a>",
    '<meta http-equiv="refresh" content="0;url=https://evil.example/">',
    "<style>body{display:none}</style><link rel=stylesheet href=https://evil.example/x.css>",
    '<base href="https://evil.example/">',
]
URLS = [
    "javascript:alert('url')",
    "https://www.example.com/?q=<script>alert('q')</script>",
    "data:text/html,<script>alert('data')</script>",
    "https://evil.example/\"><img src=x onerror=alert('attr')>",
]


def hostile_result() -> ScanResult:
    base = demo_result()
    text = itertools.cycle(PAYLOADS)
    urls = itertools.cycle(URLS)
    pages = tuple(
        replace(
            p, title=next(text), url=next(urls), final_url=next(urls), error=next(text), screenshot=next(urls)
        )
        for p in base.pages
    )
    page_urls = [p.url for p in pages]
    requests = tuple(
        replace(
            r, url=next(urls) + next(text), host=next(text), initiator=next(text), page_url=page_urls[i % 3]
        )
        for i, r in enumerate(base.requests)
    )
    cookies = tuple(
        replace(
            c,
            name=next(text),
            value=next(text),
            domain=next(text),
            path=next(text),
            vendor=next(text),
            same_site=next(text),
        )
        for c in base.cookies
    )
    storage = tuple(replace(s, key=next(text), origin=next(urls), vendor=next(text)) for s in base.storage)
    # Evidence with the keys the real pipeline writes (one item of each kind, taken from the demo's
    # findings), every text value replaced by a payload: each column of the evidence tables is hostile.
    template = {
        kind: next(item for f in base.findings for item in getattr(f.evidence, kind))
        for kind in ("cookies", "requests", "beacons", "storage")
    }

    def hostile_item(item: dict) -> dict:
        out = {}
        for key, value in item.items():
            if key in ("url", "page_url", "initiator"):
                out[key] = next(urls) if key == "page_url" else next(text)
            elif isinstance(value, str) or value is None or key == "lifetime_days":
                out[key] = next(text)
            elif isinstance(value, list):
                out[key] = [next(text)]
            else:
                out[key] = value
        return out

    findings = []
    for f in base.findings:
        ev = Evidence(
            pages=(next(urls), next(text)),
            **{kind: (hostile_item(item),) for kind, item in template.items()},
        )
        findings.append(
            replace(
                f,
                vendor=next(text),
                category=next(text),
                declared_name=next(text),
                detail=next(text),
                reasons=(next(text),),
                evidence=ev,
            )
        )
    vendors = tuple(
        {"name": next(text), "category": next(text), "parent": next(text), "tracker": True} for _ in range(3)
    )
    meta = replace(
        base.meta,
        start_urls=tuple(URLS),
        user_agent=next(text),
        browser=next(text),
        browser_version=next(text),
        catalog_version=next(text),
        declared_source=next(text),
        options={next(text): next(text), "consent": next(text)},
        errors=(next(text), next(text)),
    )
    return replace(
        base,
        meta=meta,
        pages=pages,
        requests=requests,
        cookies=cookies,
        storage=storage,
        findings=tuple(findings),
        vendors=vendors,
    )


@pytest.fixture(scope="module")
def hostile() -> ScanResult:
    return hostile_result()


def test_machine_formats_stay_well_formed(tmp_path, hostile):
    write_reports(hostile, tmp_path, FORMATS)
    assert har_errors(json.loads((tmp_path / "scan.har").read_text(encoding="utf-8"))) == []
    assert junit_errors((tmp_path / "junit.xml").read_text(encoding="utf-8")) == []
    assert sarif_errors(json.loads((tmp_path / "results.sarif").read_text(encoding="utf-8"))) == []
    md = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "<script" not in md.replace("\\<script", "")


def _assert_inert(opened, payloads: list[str]) -> None:
    page = opened.page
    assert opened.dialogs == []
    assert page.evaluate("() => window.__pwned") is None
    assert page.url.startswith("file://")  # no meta refresh, no navigation
    counts = page.evaluate(
        """() => ({
        script: document.scripts.length,
        img: document.querySelectorAll('img').length,
        iframe: document.querySelectorAll('iframe, frame, object, embed').length,
        svgOnload: document.querySelectorAll('[onload], [onerror], [onclick]').length,
        meta: document.querySelectorAll('meta[http-equiv="refresh"], base, link').length,
        jsLinks: Array.from(document.links)
            .filter(a => !/^(https?:|file:|#)/.test(a.getAttribute('href'))).length,
        styles: document.querySelectorAll('style').length,
        hidden: getComputedStyle(document.body).display,
    })"""
    )
    assert counts == {
        "script": counts["script"],
        "img": 0,
        "iframe": 0,
        "svgOnload": 0,
        "meta": 0,
        "jsLinks": 0,
        "styles": 1,
        "hidden": "block",
    }
    assert counts["script"] <= 1
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    text = page.evaluate("() => document.body.innerText")
    missing = [p for p in payloads if p not in text]
    assert not missing, f"payloads not shown literally: {missing}"
    assert opened.network == [], opened.network
    assert opened.errors == [] and opened.csp_violations == []
    assert not [m for m in opened.console if m.startswith("error")], opened.console


@pytest.mark.browser
def test_hostile_report_runs_nothing_and_shows_text_literally(tmp_path, hostile):
    (path,) = write_reports(hostile, tmp_path, ["html"])
    with browser() as b, open_report(b, path) as opened:
        _assert_inert(opened, PAYLOADS + URLS[1:])
        # the filter box takes hostile text too, and filtering only hides rows
        opened.page.fill('.filters[data-for="findings-table"] input[data-key="text"]', PAYLOADS[0])
        opened.page.select_option('.filters[data-for="findings-table"] select[data-key="category"]', index=1)
        opened.page.click("#findings-table th:nth-child(2)")
        _assert_inert(opened, PAYLOADS[:1])


@pytest.mark.browser
def test_hostile_diff_report_is_inert(tmp_path, hostile):
    html, _md = write_diff(diff_scans(demo_result(), hostile), tmp_path)
    with browser() as b, open_report(b, html) as opened:
        page = opened.page
        assert opened.dialogs == [] and opened.network == [] and opened.errors == []
        # one script, the report's own in the head (theme switch; its hash is the only one the CSP allows)
        assert page.evaluate("() => document.querySelectorAll('body script, img, iframe').length") == 0
        assert page.evaluate("() => document.scripts.length") == 1 and opened.csp_violations == []
        text = page.evaluate("() => document.body.innerText")
        assert PAYLOADS[0] in text and PAYLOADS[1] in text
