"""What the timeline costs at crawl scale (1,000 pages, 10,000 requests, 3,000 cookies): the analysis
step (``scanner.timeline.with_timeline``), the view (``scanner.report.html_timeline``) and report.html
with and without it (render time and size). Times are CPU seconds of this process (``process_time``,
best of ``--repeat``), so a busy machine changes them less than wall-clock figures.

    python bench/bench_timeline.py [--pages 1000 --requests 10000 --cookies 3000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from report_factory import large_scan  # noqa: E402

from scanner.report.html import render_html  # noqa: E402
from scanner.report.html_timeline import timeline_view  # noqa: E402
from scanner.report.html_view import safe_href  # noqa: E402
from scanner.timeline import with_timeline  # noqa: E402


def best(repeat: int, fn) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeat):
        t = time.process_time()
        out = fn()
        times.append(time.process_time() - t)
    return min(times) * 1000, out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--cookies", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    result = large_scan(args.pages, args.requests, args.cookies)
    events = sum(p.events for p in result.timeline.pages)
    print(
        f"synthetic scan: {len(result.pages)} pages, {len(result.requests)} requests, "
        f"{events} timed tracker events"
    )
    ms, _ = best(args.repeat, lambda: with_timeline(result))
    print(f"  with_timeline (analysis)  {ms:8.0f} ms CPU")
    ms, _ = best(args.repeat, lambda: timeline_view(result, safe_href))
    print(f"  timeline_view (report)    {ms:8.0f} ms CPU")
    bare = replace(result, timeline=None)
    ms_without, html_without = best(args.repeat, lambda: render_html(bare))
    ms_with, html_with = best(args.repeat, lambda: render_html(result))
    size_without, size_with = len(html_without.encode()), len(html_with.encode())  # type: ignore[union-attr]
    print(f"  report.html without       {ms_without:8.0f} ms CPU  {size_without / 1e6:6.2f} MB")
    print(f"  report.html with timeline {ms_with:8.0f} ms CPU  {size_with / 1e6:6.2f} MB")
    print(
        f"  timeline's share          {ms_with - ms_without:8.0f} ms CPU  "
        f"{(size_with - size_without) / 1e6:6.2f} MB"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
