#!/usr/bin/env python3
"""Screenshots of the demo report for the README (re-runnable by anyone with the scanner installed).

    python3 tools/docs_screenshots.py                     # runs `scanner demo` in a temporary folder
    python3 tools/docs_screenshots.py --from reports/demo-20260101T000000Z   # reuses a scan folder

Writes ``docs/report.png`` (desktop, light, the first screen), ``docs/report-dark.png`` (the same in the
dark theme) and ``docs/report-phone.png`` (390 px wide phone, first screen). A reused folder's scan.json
is rendered again with the current code (``scanner report``) into a temporary folder, so the pictures show
today's report, not the one the folder was written with. Needs Chromium (Playwright's own or a system
one, found as `scanner scan` finds it, or ``--browser PATH``); the demo needs no network.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DOCS = REPO / "docs"
# name -> (viewport width, height, device scale factor, colour scheme)
SHOTS = {
    "report.png": (1280, 900, 1, "light"),
    "report-dark.png": (1280, 900, 1, "dark"),
    "report-phone.png": (390, 844, 2, "light"),
}
# The demo is gated on undeclared trackers so that the first screen shows a failing verdict.
FAIL_ON = "undeclared"


def scanner(*argv: str) -> subprocess.CompletedProcess:
    """The scanner CLI of this checkout (not whatever `scanner` is on PATH)."""
    path = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.run(
        [sys.executable, "-m", "scanner", *argv], env=env, capture_output=True, text=True, timeout=600
    )


def tail(proc: subprocess.CompletedProcess) -> str:
    return proc.stderr.strip()[-500:]


def run_demo(out: Path) -> Path:
    proc = scanner("demo", "--out", str(out), "--quiet", "--format", "html,json", "--fail-on", FAIL_ON)
    if proc.returncode not in (0, 1) or not (out / "report.html").is_file():
        sys.exit(f"docs_screenshots: scanner demo failed (exit {proc.returncode}): {tail(proc)}")
    return out / "report.html"


def rerender(scan_dir: Path, out: Path) -> Path:
    if not (scan_dir / "scan.json").is_file():
        sys.exit(f"docs_screenshots: {scan_dir} has no scan.json")
    # the scan's own screenshots stay where they are; report.html links to them relatively
    proc = scanner("report", str(scan_dir), "--out", str(out), "--format", "html", "--fail-on", FAIL_ON)
    if proc.returncode not in (0, 1, 4) or not (out / "report.html").is_file():
        sys.exit(f"docs_screenshots: scanner report failed (exit {proc.returncode}): {tail(proc)}")
    return out / "report.html"


def shoot(report: Path, docs: Path, browser: str | None) -> list[Path]:
    from playwright.sync_api import sync_playwright

    sys.path.insert(0, str(REPO))
    from scanner.browser import resolve_browser
    from scanner.errors import BadInput, CannotScan

    written = []
    with sync_playwright() as p:
        try:
            executable = resolve_browser(browser, p.chromium.executable_path).executable_path
        except (BadInput, CannotScan) as exc:
            sys.exit(f"docs_screenshots: {exc}")
        b = p.chromium.launch(executable_path=executable, args=["--disable-gpu"])
        try:
            for name, (width, height, scale, scheme) in SHOTS.items():
                viewport = {"width": width, "height": height}
                ctx = b.new_context(viewport=viewport, device_scale_factor=scale, color_scheme=scheme)
                page = ctx.new_page()
                page.goto(report.resolve().as_uri(), wait_until="load")
                page.wait_for_selector("body[data-ready]", state="attached")
                target = docs / name
                page.screenshot(path=str(target))
                ctx.close()
                written.append(target)
        finally:
            b.close()
    return written


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--from", dest="source", metavar="DIR", help="a scan folder (with scan.json) to reuse")
    ap.add_argument("--out", metavar="DIR", default=str(DOCS), help="where the PNGs go (default docs/)")
    ap.add_argument("--browser", metavar="PATH", help="Chromium to use")
    ap.add_argument("--keep", action="store_true", help="keep the temporary report folder and print it")
    args = ap.parse_args(argv)
    docs = Path(args.out)
    docs.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="docs-shots-"))
    try:
        if args.source:
            report = rerender(Path(args.source).resolve(), work / "report")
        else:
            report = run_demo(work / "demo")
        for path in shoot(report, docs, args.browser):
            print(f"wrote {path}")
    finally:
        if args.keep:
            print(f"report kept in {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
