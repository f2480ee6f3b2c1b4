"""What a page's images cost the visit: the full screenshot vs the report thumbnail, one run.

    python bench/bench_screenshot.py              # 40 captures of each on a bench page (defaults)
    python bench/bench_screenshot.py --rounds 10  # quicker

Opens one page of the fake internet's bench world in the Chromium a scan would use, then alternates the
scanner's two captures (``scanner.collect.screenshot``): the viewport screenshot Playwright takes
(JPEG quality 60) and the thumbnail DevTools takes (``capture_thumbnail``: the same viewport scaled to
240 px, JPEG quality 45). Reported: the median and 90th-percentile milliseconds of each, the thumbnail's
share of the two, and the sizes of both files. Alternating keeps machine noise out of the ratio.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from scanner.browser import BrowserOptions, open_context  # noqa: E402
from scanner.collect.screenshot import QUALITY, capture_thumbnail  # noqa: E402
from scanner.fakenet import FakeInternet  # noqa: E402
from scanner.fakenet.bench import HOST, bench_world, page_path  # noqa: E402


def _summary(times: list[float]) -> dict:
    ms = sorted(t * 1000 for t in times)
    return {"median_ms": round(statistics.median(ms), 1), "p90_ms": round(ms[int(0.9 * (len(ms) - 1))], 1)}


async def measure(rounds: int, browser: BrowserOptions, url: str, folder: Path) -> dict:
    shot_s: list[float] = []
    thumb_s: list[float] = []
    async with open_context(browser) as session:
        page = await session.context.new_page()
        cdp = await session.context.new_cdp_session(page)
        await page.goto(url, wait_until="load")
        shot, thumb = folder / "shot.jpg", folder / "thumb.jpg"
        for _ in range(rounds):
            started = time.perf_counter()
            await page.screenshot(path=str(shot), type="jpeg", quality=QUALITY, timeout=10000)
            shot_s.append(time.perf_counter() - started)
            started = time.perf_counter()
            await capture_thumbnail(cdp, page.viewport_size, thumb)
            thumb_s.append(time.perf_counter() - started)
        sizes = {"screenshot_bytes": shot.stat().st_size, "thumbnail_bytes": thumb.stat().st_size}
    both = sum(shot_s) + sum(thumb_s)
    return {
        "rounds": rounds,
        "screenshot": _summary(shot_s),
        "thumbnail": _summary(thumb_s),
        "thumbnail_share_pct": round(sum(thumb_s) / both * 100, 1),
        **sizes,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=40)
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    with FakeInternet(bench_world(1, 20)) as net, tempfile.TemporaryDirectory() as tmp:
        args_ = tuple(net.chromium_args())
        browser = BrowserOptions(ignore_https_errors=True, extra_args=args_, timeout_s=30)
        row = asyncio.run(measure(args.rounds, browser, f"https://{HOST}{page_path(0)}", Path(tmp)))
    print(f"{row['rounds']} captures of each, one bench page")
    for kind in ("screenshot", "thumbnail"):
        median, p90, size = row[kind]["median_ms"], row[kind]["p90_ms"], row[f"{kind}_bytes"]
        print(f"  {kind:<10} median {median:>7} ms  p90 {p90:>7} ms  {size:>7} bytes")
    print(f"  thumbnail share of the two captures: {row['thumbnail_share_pct']}%")
    if args.json:
        Path(args.json).write_text(json.dumps(row, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
