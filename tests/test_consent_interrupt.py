"""Ctrl-C (or SIGTERM) during a consent pass: the crawl and every pass visit saved so far stay in the
result, which says it is partial; `scanner report DIR` rebuilds the same from the folder."""

from __future__ import annotations

import pytest

import scanner
from scanner.assemble import recover
from scanner.browser import BrowserOptions
from scanner.crawl.visit import VisitTiming
from scanner.errors import ScanInterrupted
from scanner.fakenet import FakeInternet
from scanner.fakenet.consent import CONSENT_TRUTH, consent_world


def test_an_interrupted_pass_keeps_what_it_saved(tmp_path):
    truth = CONSENT_TRUTH["www.ot-daily.com"]

    def progress(event):
        # the first visit of the reject pass is saved: stop the scan as Ctrl-C would
        if event.get("event") == "done" and event.get("consent_pass") == "reject":
            scanner.interrupt_scans()

    with FakeInternet(consent_world()) as net:
        options = scanner.ScanOptions(
            start_urls=(truth.start,),
            out_dir=tmp_path / "out",
            formats=("json",),
            max_pages=2,
            use_sitemap=False,
            concurrency=1,
            consent_sample=2,
            timing=VisitTiming(settle_s=0.3, quiet_ms=300, quiet_cap_s=3.0),
            declared=(),
            browser=BrowserOptions(
                ignore_https_errors=True, extra_args=tuple(net.chromium_args()), timeout_s=15
            ),
        )
        with pytest.raises(ScanInterrupted) as stopped:
            scanner.scan(options, progress=progress)
    result = stopped.value.result
    assert result.meta.interrupted
    by_pass = {}
    for page in result.pages:
        by_pass.setdefault(page.consent_pass, []).append(page.url)
    assert len(by_pass["none"]) == 2 and len(by_pass["accept"]) == 2
    assert by_pass["reject"] == [truth.start]  # the visit saved before the interruption
    passes = {p.name: p for p in result.consent.passes}
    assert passes["reject"].action == "optOut"
    assert any("interrupted" in e for e in passes["reject"].errors)
    rebuilt = recover(tmp_path / "out")
    assert [p.url for p in rebuilt.pages] == [p.url for p in result.pages]
    assert {p.consent_pass for p in rebuilt.pages} == {"none", "accept", "reject"}
