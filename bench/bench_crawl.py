"""Capture overhead: bare Playwright page loads vs `scanner scan`, same pages, same waits, one run.

    python bench/bench_crawl.py                 # 100 pages x 20 third-party requests (defaults)
    python bench/bench_crawl.py --pages 30      # quicker

Both sides drive the same Chromium with the same profile and flags, visit the same URLs breadth-first,
and wait the same way (load -> network quiet -> scroll to the bottom -> quiet -> settle). The bare side
captures nothing; the scanner side runs every collector, writes pages.jsonl, screenshots and assembles
the ScanResult. Reported: pages per minute for each, the overhead ratio, and the peak resident memory of
the whole process tree (Python + Playwright driver + Chromium), sampled every 100 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scanner  # noqa: E402
from scanner.browser import BrowserOptions, open_context  # noqa: E402
from scanner.crawl.visit import NetworkActivity, VisitTiming, scroll_to_bottom  # noqa: E402
from scanner.fakenet import FakeInternet  # noqa: E402
from scanner.fakenet.bench import HOST, bench_world, page_path  # noqa: E402
from scanner.options import ScanOptions  # noqa: E402


class PeakMemory:
    """Peak RSS of this process and all its descendants."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> int:
        me = psutil.Process()
        total = 0
        for p in [me, *me.children(recursive=True)]:
            try:
                total += p.memory_info().rss
            except psutil.Error:
                pass
        return total

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self._sample())
            self._stop.wait(0.1)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()


async def bare_loads(
    urls: list[str], browser: BrowserOptions, timing: VisitTiming, concurrency: int
) -> float:
    """Visit every URL with the scanner's waits but no capture; returns seconds."""
    queue = list(urls)
    async with open_context(browser) as session:
        context = session.context
        started = time.monotonic()

        async def worker() -> None:
            while queue:
                url = queue.pop(0)
                page = await context.new_page()
                activity = NetworkActivity()
                page.on("request", lambda _r, a=activity: a.started())
                page.on("requestfinished", lambda _r, a=activity: a.ended())
                page.on("requestfailed", lambda _r, a=activity: a.ended())
                try:
                    await page.goto(url, wait_until="load")
                    await activity.wait_quiet(timing.quiet_ms, timing.quiet_cap_s)
                    await scroll_to_bottom(page, timing.scroll_steps, browser.timeout_s)
                    await activity.wait_quiet(timing.quiet_ms, timing.quiet_cap_s)
                    await asyncio.sleep(timing.settle_s)
                    await page.title()
                finally:
                    await page.close()

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return time.monotonic() - started


async def scanner_run(
    start: str, pages: int, browser: BrowserOptions, timing: VisitTiming, concurrency: int, out: Path
) -> tuple[float, int, int]:
    options = ScanOptions(
        start_urls=(start,),
        out_dir=out,
        formats=(),
        max_depth=10,
        max_pages=pages,
        use_sitemap=False,
        concurrency=concurrency,
        timing=timing,
        browser=browser,
    )
    started = time.monotonic()
    result = await scanner.scan_async(options)
    return time.monotonic() - started, len(result.pages), len(result.requests)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=100)
    ap.add_argument("--third-party", type=int, default=20, help="third-party requests per page")
    ap.add_argument("--settle", type=float, default=0.5, help="settle seconds per page (both sides)")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    timing = VisitTiming(settle_s=args.settle)
    rows = []
    with FakeInternet(bench_world(args.pages, args.third_party)) as net:
        args_ = tuple(net.chromium_args())
        browser = BrowserOptions(ignore_https_errors=True, extra_args=args_, timeout_s=30)
        urls = [f"https://{HOST}{page_path(i)}" for i in range(args.pages)]
        for concurrency in (1, 2):
            with PeakMemory() as mem:
                bare_s = asyncio.run(bare_loads(urls, browser, timing, concurrency))
            bare_mem = mem.peak
            with tempfile.TemporaryDirectory() as tmp, PeakMemory() as mem:
                scan_s, n_pages, n_requests = asyncio.run(
                    scanner_run(urls[0], args.pages, browser, timing, concurrency, Path(tmp))
                )
            rows.append(
                {
                    "concurrency": concurrency,
                    "pages": n_pages,
                    "requests_captured": n_requests,
                    "bare_pages_per_min": round(len(urls) / bare_s * 60, 1),
                    "scanner_pages_per_min": round(n_pages / scan_s * 60, 1),
                    "overhead_pct": round((scan_s / n_pages) / (bare_s / len(urls)) * 100 - 100, 1),
                    "bare_peak_mb": round(bare_mem / 2**20),
                    "scanner_peak_mb": round(mem.peak / 2**20),
                }
            )
    print(f"{args.pages} pages x {args.third_party} third-party requests, settle {args.settle} s")
    print(f"{'conc':>4} {'bare p/min':>11} {'scan p/min':>11} {'overhead':>9} {'bare MB':>8} {'scan MB':>8}")
    for r in rows:
        print(
            f"{r['concurrency']:>4} {r['bare_pages_per_min']:>11} {r['scanner_pages_per_min']:>11} "
            f"{r['overhead_pct']:>8}% {r['bare_peak_mb']:>8} {r['scanner_peak_mb']:>8}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
