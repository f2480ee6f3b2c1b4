"""Shared helpers of tests/test_payloads.py and tests/test_form_probe.py: a crawl whose collectors
include the payload collector and the form probe (as ``scanner.collect.default_collectors`` builds them
once wired), and reading back what a scan saved."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import FAST

from scanner.browser import BrowserOptions
from scanner.collect.form_probe import Canaries, FormProbe
from scanner.collect.payloads import PayloadCollector
from scanner.options import ScanOptions
from scanner.scanning import scan


def with_leak_collectors(monkeypatch, canaries: Canaries | None, *, probe: bool) -> None:
    """Make every crawl of this test build its collectors with a PayloadCollector (and a FormProbe when
    ``probe``) sharing ``canaries``, in place of the default ones (whose canaries the test cannot know)."""
    import scanner.crawl.crawler as crawler

    original = crawler.default_collectors

    def collectors(**kw):
        found = [c for c in original(**kw) if not isinstance(c, (FormProbe, PayloadCollector))]
        if probe and canaries is not None:
            # A budget a loaded CI machine (four test processes on two cores) still types six fields in.
            found.append(FormProbe(canaries, enabled=True, budget_s=20.0, wait_s=1.0))
        found.append(PayloadCollector(canaries))
        return found

    monkeypatch.setattr(crawler, "default_collectors", collectors)


def scan_one_page(net, url: str, out: Path, *, timeout_s: float, probe_forms: bool = False) -> None:
    """A real scan of the page at ``url`` alone (no consent driver, no screenshots, fast waits), its
    visit saved to ``out/pages.jsonl``."""
    browser = BrowserOptions(
        ignore_https_errors=True, extra_args=tuple(net.chromium_args()), timeout_s=timeout_s
    )
    options = ScanOptions(
        start_urls=(url,),
        out_dir=out,
        formats=("json",),
        max_pages=1,
        consent="off",
        screenshots=False,
        concurrency=1,
        probe_forms=probe_forms,
        timing=FAST,
        browser=browser,
    )
    scan(options)


def saved_visits(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "pages.jsonl").read_text().splitlines() if line.strip()]


def leak_rows(out: Path) -> list[dict]:
    return [row for visit in saved_visits(out) for row in visit.get("value_leaks", [])]


def sent_urls(visits: list[dict]) -> set[str]:
    """Every URL the pages requested, as the request records keep them (URL, redirect chain, the
    Location of a redirect, the Referer sent)."""
    urls: set[str] = set()
    for visit in visits:
        for r in visit.get("requests", []):
            urls.add(r["url"])
            urls.update(r.get("redirect_chain") or ())
            for h in (r.get("response_headers") or []) + (r.get("request_headers") or []):
                if h["name"].lower() in ("location", "referer") and h.get("value"):
                    urls.add(h["value"])
    return urls


def outside_sent_urls(text: str, urls: set[str]) -> str:
    """``text`` (a saved file) with every URL the pages sent cut out: the request collector keeps each
    URL as the page sent it (a value a page puts in a URL is there by that collector's design)."""
    for url in sorted(urls, key=len, reverse=True):
        text = text.replace(json.dumps(url)[1:-1], "").replace(url, "")
    return text
