"""Real scans of the demo shop for the coverage tests (tests/test_coverage.py, tests/test_diff_coverage.py).

Each is run once per test process (``functools.cache`` on the session's fake internet and pytest's base
temp folder, where it writes) and shared by both modules: a crawl stopped by --max-pages 4, which also
leaves a copy of its folder as a kill after its second page would have left it, and a crawl bounded by
--max-depth 0 (the start page only).
"""

from __future__ import annotations

import shutil
from functools import cache
from pathlib import Path

from conftest import FAST, REPO

from scanner.browser import BrowserOptions
from scanner.fakenet import FakeInternet
from scanner.model import ScanResult
from scanner.options import ScanOptions
from scanner.scanning import scan
from scanner.sink import JsonlSink

FORMATS = ("json", "html", "md", "junit", "sarif")
KILLED_AFTER = 2  # pages saved when the copy of a "killed" scan is taken


class KillSnapshotSink(JsonlSink):
    """``pages.jsonl`` as every scan writes it; once ``after`` pages are saved, the scan folder is copied
    to ``snapshot`` as a SIGKILL at that moment leaves it: the saved pages and the scan-meta.json written
    when the crawl started (no end, no coverage)."""

    def __init__(self, folder: Path, snapshot: Path, after: int) -> None:
        super().__init__(folder)
        self.snapshot, self.after, self.count = snapshot, after, 0

    def add(self, visit: dict) -> None:
        super().add(visit)
        self.count += 1
        if self.count == self.after:
            self.snapshot.mkdir(parents=True)
            for name in ("pages.jsonl", "scan-meta.json"):
                shutil.copy2(self.folder / name, self.snapshot / name)


def browser(net: FakeInternet) -> BrowserOptions:
    return BrowserOptions(ignore_https_errors=True, extra_args=tuple(net.chromium_args()), timeout_s=5.0)


def scan_options(net: FakeInternet, start: str, out: Path, **kw) -> ScanOptions:
    """A whole scan of ``start`` (the real pipeline: crawl, analysis, reports in ``out``), fast and
    without consent passes; ``kw`` sets the limits."""
    kw.setdefault("formats", FORMATS)
    kw.setdefault("use_sitemap", True)
    return ScanOptions(
        start_urls=(start,),
        out_dir=out,
        browser=browser(net),
        vendors=REPO / "vendors.csv",
        consent="off",
        screenshots=False,
        timing=FAST,
        concurrency=2,
        fail_on=frozenset({"none"}),
        **kw,
    )


@cache
def max_pages_scan(net: FakeInternet, base: Path) -> tuple[ScanResult, Path, Path]:
    """(result, its folder, the folder as killed after KILLED_AFTER pages) of a demo scan of 4 pages."""
    out, killed = base / "coverage-four", base / "coverage-killed"
    sink = KillSnapshotSink(out, killed, KILLED_AFTER)
    result = scan(scan_options(net, net.url("www.example.com", "/"), out, max_pages=4), sink=sink)
    return result, out, killed


@cache
def start_page_scan(net: FakeInternet, base: Path) -> tuple[ScanResult, Path]:
    """(result, folder) of a demo scan with --max-depth 0: the start page only."""
    out = base / "coverage-depth0"
    return scan(scan_options(net, net.url("www.example.com", "/"), out, max_depth=0)), out
