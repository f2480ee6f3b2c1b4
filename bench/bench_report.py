"""Benchmark report rendering at crawl scale: 1,000 pages, 10,000 requests, 3,000 cookies.

Prints the Python render time of each format, the size of report.html, and in real
Chromium: time to the load event, time until the table script is ready, and the time to
sort and filter the cookie inventory.

    python bench/bench_report.py [--pages 1000 --requests 10000 --cookies 3000] [--out DIR] [--no-browser]
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


def _screenshots(out: Path, n: int) -> None:
    """One real PNG (a rendered page) copied n times, as the crawler would leave them."""
    from playwright.sync_api import sync_playwright

    shots = out / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    first = shots / "0001.png"
    with sync_playwright() as p:
        b = p.chromium.launch(**_launch_kwargs())
        page = b.new_page(viewport={"width": 1280, "height": 800})
        page.set_content("<h1>Product page</h1>" + "<p>Lorem ipsum dolor sit amet.</p>" * 40)
        page.screenshot(path=str(first), full_page=True)
        b.close()
    for i in range(2, n + 1):
        shutil.copyfile(first, shots / f"{i:04d}.png")


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
        _screenshots(out, args.pages)
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
    print(f"output: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
