"""Benchmark report rendering at crawl scale: 1,000 pages, 10,000 requests, 3,000 cookies.

Prints the Python render time of each format, the size of report.html, and in real
Chromium: time to the load event, time until the table script is ready, and the time to
sort and filter the cookie inventory. With a browser, every page gets a screenshot and a thumbnail
made as the scan makes them (scanner.collect.screenshot), of one rendered product page with a
photo-like (noisy) banner; report.html embeds the thumbnails (up to its budget) and is measured again
with --self-contained (every full screenshot embedded); --pdf also prints report.pdf.

    python bench/bench_report.py [--pages 1000 --requests 10000 --cookies 3000] [--out DIR] [--no-browser]
        [--pdf]
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from report_factory import large_scan  # noqa: E402

from scanner.report import FORMATS, write_reports  # noqa: E402

CHROMIUM = "/usr/lib/chromium/chromium"


PRODUCT_PAGE = """<body style="margin:0;font:16px sans-serif">
<header style="background:#223;color:#fff;padding:16px">Example Shop · Products · About · Contact</header>
<canvas id="c" width="1366" height="360"></canvas><h1 style="margin:16px">Product page</h1>
<p style="margin:16px">Lorem ipsum dolor sit amet, consectetur adipiscing elit.</p>
<script>const c = document.getElementById("c").getContext("2d"), d = c.createImageData(1366, 360);
for (let i = 0; i < d.data.length; i += 4) { const v = (i / 4) % 1366 / 6 + Math.random() * 60;
  d.data[i] = v; d.data[i + 1] = 90 + Math.random() * 50; d.data[i + 2] = 200 - v / 2; d.data[i + 3] = 255; }
c.putImageData(d, 0, 0);</script></body>"""


def _screenshots(out: Path, result):
    """Every page's screenshot and thumbnail, made as the scan makes them (one page, copied): the pages
    of ``result`` pointing at them, and the two files' sizes."""
    import asyncio
    from dataclasses import replace

    from playwright.async_api import async_playwright

    from scanner.browser import DEFAULT_VIEWPORT
    from scanner.collect.screenshot import QUALITY, capture_thumbnail, thumbnail_name

    shots = out / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    first, thumb = shots / "0001.jpg", shots / thumbnail_name("0001.jpg")

    async def shoot() -> None:
        async with async_playwright() as p:
            b = await p.chromium.launch(**_launch_kwargs())
            page = await b.new_page(viewport=DEFAULT_VIEWPORT)
            await page.set_content(PRODUCT_PAGE)
            await page.screenshot(path=str(first), type="jpeg", quality=QUALITY)
            await capture_thumbnail(await page.context.new_cdp_session(page), page.viewport_size, thumb)
            await b.close()

    asyncio.run(shoot())
    pages = []
    for i, p in enumerate(result.pages, 1):
        name = f"{i:04d}.jpg"
        if i > 1:
            shutil.copyfile(first, shots / name)
            shutil.copyfile(thumb, shots / thumbnail_name(name))
        pages.append(
            replace(p, screenshot=f"screenshots/{name}", thumbnail=f"screenshots/{thumbnail_name(name)}")
        )
    return replace(result, pages=tuple(pages)), first.stat().st_size, thumb.stat().st_size


def _launch_kwargs() -> dict:
    kw: dict = {"args": ["--disable-gpu", "--disable-quic"]}
    if Path(CHROMIUM).exists():
        kw["executable_path"] = CHROMIUM
    return kw


def measure_in_browser(report: Path) -> dict[str, float]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(**_launch_kwargs())
        page = b.new_page(viewport={"width": 1280, "height": 900})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        t0 = time.perf_counter()
        page.goto(report.resolve().as_uri(), wait_until="load")
        wall = (time.perf_counter() - t0) * 1000
        nav = page.evaluate(
            "() => { const n = performance.getEntriesByType('navigation')[0];"
            " return {load: n.loadEventEnd, dcl: n.domContentLoadedEventEnd}; }"
        )
        ready = float(page.get_attribute("body", "data-ready-ms") or "nan")
        sort_ms = page.evaluate(
            "() => { const t = performance.now(); document.querySelector('#cookies-table th').click();"
            " document.body.offsetHeight; return performance.now() - t; }"
        )
        filter_ms = page.evaluate(
            "() => { const box = document.querySelector('.filters[data-for=\"cookies-table\"]');"
            " const sel = box.querySelector('select[data-key=\"party\"]'); const t = performance.now();"
            " sel.value = 'third'; sel.dispatchEvent(new Event('change', {bubbles: true}));"
            " document.body.offsetHeight; return performance.now() - t; }"
        )
        find_sort_ms = page.evaluate(
            "() => { const t = performance.now();"
            " document.querySelector('#findings-table th:nth-child(7)').click();"
            " document.body.offsetHeight; return performance.now() - t; }"
        )
        nodes = page.evaluate("() => document.getElementsByTagName('*').length")
        b.close()
    external = [u for u in requests if not u.startswith(("file:", "data:"))]
    return {
        "goto_wall_ms": wall,
        "dom_content_loaded_ms": nav["dcl"],
        "load_event_ms": nav["load"],
        "tables_ready_ms": ready,
        "sort_cookies_ms": sort_ms,
        "filter_cookies_ms": filter_ms,
        "sort_findings_ms": find_sort_ms,
        "dom_elements": nodes,
        "file_requests": len(requests) - len(external),
        "external_requests": len(external),
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--pages", type=int, default=1000)
    ap.add_argument("--requests", type=int, default=10_000)
    ap.add_argument("--cookies", type=int, default=3000)
    ap.add_argument("--out", type=Path, help="keep the output here (default: a temporary folder)")
    ap.add_argument("--no-browser", action="store_true", help="skip the Chromium measurements")
    ap.add_argument("--pdf", action="store_true", help="also print report.pdf (needs pypdf to count pages)")
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="bench-report-"))
    out.mkdir(parents=True, exist_ok=True)

    t = time.perf_counter()
    result = large_scan(args.pages, args.requests, args.cookies)
    print(
        f"synthetic scan: {len(result.pages)} pages, {len(result.requests)} requests, "
        f"{len(result.cookies)} cookies, {len(result.findings)} findings "
        f"(built in {time.perf_counter() - t:.2f} s)"
    )
    if not args.no_browser:
        result, full, thumb = _screenshots(out, result)
        print(f"screenshots: {full / 1e3:.0f} kB each, thumbnails {thumb / 1e3:.1f} kB each")
    for fmt in FORMATS:
        t = time.perf_counter()
        paths = write_reports(result, out, [fmt])
        ms = (time.perf_counter() - t) * 1000
        size = sum(p.stat().st_size for p in paths)
        print(f"  {fmt:6s} {ms:8.0f} ms  {size / 1e6:7.2f} MB  {', '.join(p.name for p in paths)}")
    if not args.no_browser:
        figures = measure_in_browser(out / "report.html")
        print("report.html in Chromium:")
        for key, value in figures.items():
            print(f"  {key:22s} {value:10.0f}")
        whole = out / "self-contained"
        whole.mkdir(exist_ok=True)
        t = time.perf_counter()
        (path,) = write_reports(result, whole, ["html"], scan_dir=out, self_contained=True)
        ms = (time.perf_counter() - t) * 1000
        print(f"  html --self-contained {ms:8.0f} ms  {path.stat().st_size / 1e6:7.2f} MB  {path}")
        figures = measure_in_browser(path)
        print("report.html --self-contained in Chromium:")
        for key, value in figures.items():
            print(f"  {key:22s} {value:10.0f}")
    if args.pdf:
        import pypdf

        t = time.perf_counter()
        (path,) = write_reports(result, out, ["pdf"])
        seconds = time.perf_counter() - t
        pages = len(pypdf.PdfReader(path).pages)
        size = path.stat().st_size / 1e6
        print(f"  pdf    {seconds * 1000:8.0f} ms  {size:7.2f} MB  {path.name}, {pages} A4 pages")
    print(f"output: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
