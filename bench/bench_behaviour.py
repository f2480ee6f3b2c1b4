"""Cost of the behaviour hooks: bare Playwright vs `scanner scan --behaviour off` vs `--behaviour on`.

    python bench/bench_behaviour.py                  # 20 pages of the bench site, 2 rounds
    python bench/bench_behaviour.py --fingerprint    # every page also runs a fingerprinting script
    python bench/bench_behaviour.py --pages 40 --rounds 3 --json out.json

One run, same Chromium, flags, pages and waits (load -> network quiet -> scroll to the bottom -> quiet ->
settle) on the three sides; the rounds alternate the sides so that a machine getting busier or quieter
favours none, and each side's best round counts. The scanner sides run every collector and assemble
and analyse the result (no report files, no screenshots, consent driver off: what is measured is the
capture). The issue's goal: the hooks add at most 10 % over today's capture overhead, i.e.
``(on - bare) <= 1.10 * (off - bare)``; printed as the ratio of the two overheads, with on / off.

``--fingerprint`` adds, on every page, a third-party script that draws and reads a fingerprinting canvas,
measures 2000 texts in 50 fonts, reads unmasked WebGL and sweeps navigator and screen: the hooks' worst
case on a page (their cost grows with the calls they count).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench_crawl import bare_loads  # noqa: E402  (bench/ is on the path of its scripts)

import scanner  # noqa: E402
from scanner.browser import BrowserOptions  # noqa: E402
from scanner.crawl.visit import VisitTiming  # noqa: E402
from scanner.fakenet import FakeInternet, Response, Site  # noqa: E402
from scanner.fakenet.bench import HOST, bench_world, page_path  # noqa: E402
from scanner.fakenet.site import RequestInfo  # noqa: E402
from scanner.options import ScanOptions  # noqa: E402

FP_HOST = "fp.bench-fingerprint.net"
FINGERPRINT = r"""
(() => {
  const c = document.createElement("canvas");
  c.width = 240; c.height = 60;
  const x = c.getContext("2d");
  x.textBaseline = "top"; x.font = "14px Arial"; x.fillStyle = "#f60"; x.fillRect(125, 1, 62, 20);
  x.fillStyle = "#069"; x.fillText("Cwm fjordbank glyphs vext quiz, \ud83d\ude03", 2, 15);
  x.fillStyle = "rgba(102, 204, 0, 0.7)"; x.fillText("Cwm fjordbank glyphs vext quiz", 4, 17);
  c.toDataURL();
  const m = document.createElement("canvas").getContext("2d");
  for (let i = 0; i < 2000; i++) {
    m.font = "72px font" + (i % 50) + ", monospace";
    m.measureText("mmmmmmmmmmlli");
  }
  const gl = document.createElement("canvas").getContext("webgl");
  if (gl) { gl.getExtension("WEBGL_debug_renderer_info"); gl.getParameter(37445); gl.getParameter(37446); }
  const seen = [];
  for (const k in navigator) { try { seen.push(navigator[k]); } catch (e) {} }
  for (const k in screen) { try { seen.push(screen[k]); } catch (e) {} }
  window.__fp = seen.length;
})();
"""


def with_fingerprinting(world: dict) -> dict:
    """The bench world with a third-party fingerprinting script on every page."""
    site = world[HOST]
    tag = f'<script src="https://{FP_HOST}/fp.js"></script>'.encode()

    def page(request: RequestInfo) -> Response:
        response = site(request)
        if not any(v.startswith("text/html") for k, v in response.headers if k.lower() == "content-type"):
            return response
        return replace(response, body=response.body.replace(b"</head>", tag + b"</head>", 1))

    return {**world, HOST: page, FP_HOST: Site({"/fp.js": Response.script(FINGERPRINT)})}


async def scanner_run(
    start: str, pages: int, browser: BrowserOptions, timing: VisitTiming, behaviour: bool, out: Path
) -> tuple[float, int, int]:
    """One scan saving its visits in ``out``; returns (seconds, pages, api_calls rows saved)."""
    options = ScanOptions(
        start_urls=(start,),
        out_dir=out,
        formats=(),
        max_depth=10,
        max_pages=pages,
        use_sitemap=False,
        concurrency=1,
        timing=timing,
        browser=browser,
        screenshots=False,
        consent="off",
        api_hooks=behaviour,
    )
    started = time.monotonic()
    result = await scanner.scan_async(options)
    seconds = time.monotonic() - started
    visits = [json.loads(line) for line in (out / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    return seconds, len(result.pages), sum(len(v.get("api_calls", [])) for v in visits)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, default=20)
    ap.add_argument("--third-party", type=int, default=20, help="third-party requests per page")
    ap.add_argument("--settle", type=float, default=0.5, help="settle seconds per page (all sides)")
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--fingerprint", action="store_true", help="a fingerprinting script on every page")
    ap.add_argument("--json", metavar="FILE", help="also write the figures as JSON")
    args = ap.parse_args()
    timing = VisitTiming(settle_s=args.settle)
    world = bench_world(args.pages, args.third_party)
    if args.fingerprint:
        world = with_fingerprinting(world)
    best = {"bare": float("inf"), "off": float("inf"), "on": float("inf")}
    rows = 0
    with FakeInternet(world) as net:
        flags = tuple(net.chromium_args())
        browser = BrowserOptions(ignore_https_errors=True, extra_args=flags, timeout_s=30)
        urls = [f"https://{HOST}{page_path(i)}" for i in range(args.pages)]
        for round_ in range(args.rounds):
            sides = ["bare", "off", "on"]
            for side in sides[round_ % 3 :] + sides[: round_ % 3]:
                if side == "bare":
                    seconds = asyncio.run(bare_loads(urls, browser, timing, concurrency=1))
                else:
                    with tempfile.TemporaryDirectory() as tmp:
                        seconds, pages, found = asyncio.run(
                            scanner_run(urls[0], args.pages, browser, timing, side == "on", Path(tmp))
                        )
                    if pages != args.pages:
                        print(f"warning: the scan visited {pages} of {args.pages} pages", file=sys.stderr)
                    if side == "on":
                        rows = found
                best[side] = min(best[side], seconds)
                print(f"round {round_ + 1} {side:>4}: {seconds:.2f} s", file=sys.stderr)
    per_page = {side: best[side] / args.pages for side in best}
    overhead_off = per_page["off"] / per_page["bare"] - 1
    overhead_on = per_page["on"] / per_page["bare"] - 1
    figures = {
        "pages": args.pages,
        "fingerprint": args.fingerprint,
        "rounds": args.rounds,
        "bare_s_per_page": round(per_page["bare"], 3),
        "off_s_per_page": round(per_page["off"], 3),
        "on_s_per_page": round(per_page["on"], 3),
        "capture_overhead_off_pct": round(overhead_off * 100, 1),
        "capture_overhead_on_pct": round(overhead_on * 100, 1),
        "overhead_ratio_on_vs_off": round(overhead_on / overhead_off, 3) if overhead_off > 0 else None,
        "on_vs_off": round(per_page["on"] / per_page["off"], 3),
        "api_calls_rows": rows,
    }
    print(
        f"{args.pages} pages{' + fingerprinting script' if args.fingerprint else ''}, best of {args.rounds}: "
        f"bare {figures['bare_s_per_page']} s/page, behaviour off {figures['off_s_per_page']} s/page "
        f"(+{figures['capture_overhead_off_pct']} %), on {figures['on_s_per_page']} s/page "
        f"(+{figures['capture_overhead_on_pct']} %); overhead on/off {figures['overhead_ratio_on_vs_off']}, "
        f"time on/off {figures['on_vs_off']}; {rows} api_calls rows"
    )
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
