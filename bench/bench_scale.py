"""Scale of the scan library: memory against crawl length, and throughput against tabs. One run each.

    python bench/bench_scale.py memory        # 1,000 pages: Python RSS while crawling vs the result
    python bench/bench_scale.py concurrency   # bench site: --concurrency 1 vs this machine's default
    python bench/bench_scale.py all --json bench/out/scale.json

memory: crawls the generated bench site (scanner/fakenet/bench.py) with short waits and samples the
Python process's own resident memory (not the browser's) after every finished page; the in-process
fake internet's request log is cleared after each page so that it does not count. The crawl hands
each visit to the sink and keeps nothing, so from the first pages on the RSS stays flat; the figure
that counts is the growth per page over the second half of the crawl, next to the RSS once the final
ScanResult is assembled and analysed (which does hold every page).

concurrency: the same pages with the default visit timing (2 s settle, kept so late tags fire), once
with one tab and once with the default for this machine (scanner.options.default_concurrency), and
checks that both captured the same evidence. Peak RSS is the whole process tree (Python + Playwright
driver + Chromium), sampled every 100 ms.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_crawl import PeakMemory  # noqa: E402

import scanner  # noqa: E402
from scanner.browser import BrowserOptions  # noqa: E402
from scanner.crawl.visit import VisitTiming  # noqa: E402
from scanner.fakenet import FakeInternet  # noqa: E402
from scanner.fakenet.bench import HOST, bench_world  # noqa: E402
from scanner.options import ScanOptions, default_concurrency  # noqa: E402

PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def own_rss() -> int:
    with open("/proc/self/statm", encoding="ascii") as fh:
        return int(fh.read().split()[1]) * PAGE_SIZE


def mb(n: float) -> float:
    return round(n / 2**20, 1)


def options(net: FakeInternet, pages: int, out: Path, concurrency: int, timing: VisitTiming) -> ScanOptions:
    browser = BrowserOptions(ignore_https_errors=True, extra_args=tuple(net.chromium_args()), timeout_s=30)
    return ScanOptions(
        start_urls=(f"https://{HOST}/",),
        out_dir=out,
        formats=("json",),
        max_depth=10,
        max_pages=pages,
        use_sitemap=False,
        screenshots=False,
        concurrency=concurrency,
        timing=timing,
        browser=browser,
    )


def bench_memory(pages: int) -> dict:
    samples: list[tuple[int, int]] = []

    def progress(event: dict) -> None:
        if event["event"] == "done":
            net.log.clear()  # the fake internet (same process) logs every request it serves: not ours
            samples.append((len(samples) + 1, own_rss()))

    quick = VisitTiming(settle_s=0.0, quiet_ms=100, quiet_cap_s=2.0, scroll_steps=2)
    with (
        FakeInternet(bench_world(pages, third_party_per_page=10)) as net,
        tempfile.TemporaryDirectory() as tmp,
    ):
        started = time.monotonic()
        result = scanner.scan(options(net, pages, Path(tmp), 4, quick), progress=progress)
        seconds = time.monotonic() - started
        final = own_rss()
    half = samples[len(samples) // 2 :]
    (n0, r0), (n1, r1) = half[0], half[-1]
    per_page = (r1 - r0) / max(1, n1 - n0)
    return {
        "pages": len(result.pages),
        "requests": len(result.requests),
        "seconds": round(seconds, 1),
        "rss_mb_at_page": {str(n): mb(r) for n, r in samples if n in (10, pages // 4, pages // 2, pages)},
        "crawl_peak_rss_mb": mb(max(r for _, r in samples)),
        "growth_kb_per_page_second_half": round(per_page / 1024, 2),
        "rss_mb_with_final_result": mb(final),
    }


def capture(result) -> dict:
    return {
        "pages": sorted(p.url for p in result.pages),
        "requests": sorted((r.page_url, r.url) for r in result.requests),
        "cookies": sorted((c.name, c.domain) for c in result.cookies),
        "beacons": sorted(r.url for r in result.requests if r.is_beacon),
    }


def bench_concurrency(pages: int, also: tuple[int, ...] = ()) -> dict:
    tabs = default_concurrency()
    rows = {}
    captured = {}
    with FakeInternet(bench_world(pages)) as net:
        for n in dict.fromkeys((1, tabs, *also)):
            with tempfile.TemporaryDirectory() as tmp, PeakMemory() as mem:
                started = time.monotonic()
                result = scanner.scan(options(net, pages, Path(tmp), n, VisitTiming()))
                seconds = time.monotonic() - started
            captured[n] = capture(result)
            rows[n] = {
                "tabs": n,
                "pages": len(result.pages),
                "seconds": round(seconds, 1),
                "pages_per_min": round(len(result.pages) / seconds * 60, 1),
                "peak_rss_mb": mb(mem.peak),
            }
    return {
        "cores": os.cpu_count(),
        "default_tabs": tabs,
        "runs": list(rows.values()),
        "speedup": round(rows[tabs]["pages_per_min"] / rows[1]["pages_per_min"], 2),
        "identical_capture": all(c == captured[1] for c in captured.values()),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("what", choices=("memory", "concurrency", "all"))
    ap.add_argument("--memory-pages", type=int, default=1000)
    ap.add_argument("--concurrency-pages", type=int, default=40)
    ap.add_argument("--also-tabs", default="", help="more tab counts to compare, e.g. 2,8")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    out = {}
    if args.what in ("memory", "all"):
        out["memory"] = bench_memory(args.memory_pages)
        print(json.dumps(out["memory"], indent=2))
    if args.what in ("concurrency", "all"):
        out["concurrency"] = bench_concurrency(
            args.concurrency_pages, tuple(int(n) for n in args.also_tabs.split(",") if n.strip())
        )
        print(json.dumps(out["concurrency"], indent=2))
    if args.json:
        Path(args.json).parent.mkdir(parents=True, exist_ok=True)
        Path(args.json).write_text(json.dumps(out, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
