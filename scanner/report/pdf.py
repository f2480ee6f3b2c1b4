"""report.pdf: report.html printed on A4 by Chromium, for an audit file.

The same report as report.html (its print stylesheet: no screen chrome, running header with site, date
and verdict, page numbers, tables within the page width), with every ``<details>`` opened in the markup
(CSS alone cannot open them in every engine) and every page thumbnail embedded. It is printed by the
Chromium a scan would drive, found the same way (``--browser PATH``, else Playwright's Chromium, else a
system one: :func:`scanner.browser.resolve_browser`) and started with the scan's quiet switches. The
browser recorded in a saved scan.json is never run: a scan.json is input, and a program it names is not
to be trusted.

The printing page is as inert as the report itself and more: JavaScript off, the context offline, every
request aborted, host names resolving nowhere; the HTML is handed over as a string (no file URL, so the
PDF holds no local paths).

When it cannot be printed (no browser found, the browser does not start, printing fails) the error is
:class:`PdfNotPrinted` (exit 3): one line that says so and why, that the other outputs were written (the PDF
is always the last format: every other file is on disk by then) and how to print it later. It is not a
write failure: the scan is complete and is not marked partial. A full disk while writing report.pdf stays
the write failure every format has.

Why not in ``--format all``: ``all`` is every format that needs no browser (``scanner report`` re-renders
them anywhere, fast); a PDF needs Chromium and takes seconds (a minute or more for thousands of pages).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
import re
from collections.abc import Collection
from pathlib import Path

from scanner.errors import EXIT_CANNOT_SCAN, CannotScan, ScannerError
from scanner.model import ScanResult

PDF_FILE = "report.pdf"
PDF_TIMEOUT_S = 600.0  # laying out and printing a very large report
_DETAILS = re.compile(r"<details(?=[\s>])")
_LAZY = re.compile(r' loading="lazy"')
_SCRIPT = re.compile(r"(<script\b.*?</script>)", re.S)


class PdfNotPrinted(ScannerError):
    """report.pdf could not be printed; every other output was written. ``written``: their paths;
    ``result``: the scan result they were written from (complete: the scan itself did not fail)."""

    exit_code = EXIT_CANNOT_SCAN

    def __init__(self, reason: str, out_dir: Path, written: list[Path], result: ScanResult) -> None:
        names = ", ".join(p.name for p in written) or "none"
        super().__init__(
            f"{PDF_FILE} was not printed: {reason} (the other outputs are written: {names}; print it "
            f"later with `scanner report {out_dir} --format pdf --browser PATH`)"
        )
        self.written = list(written)
        self.result = result


def for_print(html: str) -> str:
    """Every ``<details>`` of the report's body opened and every image loaded at once (not lazily). The
    scanned site's text is escaped there (``&lt;details``, ``&#34;``), so only the report's own markup
    matches; the head (the stylesheet and script, hashed by the CSP) and any script element stay byte for
    byte."""
    start, end = html.find("<body"), html.rfind("</body>")
    if start < 0 or end < start:
        return html
    parts = _SCRIPT.split(html[start:end])  # odd items: script elements, left alone
    body = "".join(
        part if i % 2 else _LAZY.sub("", _DETAILS.sub("<details open", part)) for i, part in enumerate(parts)
    )
    return html[:start] + body + html[end:]


def print_html(
    result: ScanResult,
    *,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
    scan_dir: Path | None = None,
    warn_on: Collection[str] | None = None,
) -> str:
    """The report as it is printed: every thumbnail embedded (no size budget: this HTML is not kept),
    no links to screenshot files, every ``<details>`` open."""
    from scanner.report.html import render_html
    from scanner.report.html_images import Images

    html = render_html(
        result,
        fail_on=fail_on,
        baseline=baseline,
        scan_dir=scan_dir,
        warn_on=warn_on,
        images=Images(scan_dir, None, printing=True),
    )
    return for_print(html)


def _launch_args() -> list[str]:
    from scanner.browser import BASE_ARGS

    return [*BASE_ARGS, "--host-resolver-rules=MAP * ~NOTFOUND", "--blink-settings=scriptEnabled=false"]


async def _print_pdf(html: str, explicit: str | None, timeout_s: float) -> bytes:
    """Find the browser as a scan does (BadInput: --browser is no executable; CannotScan: none found),
    then print ``html`` with it."""
    from playwright.async_api import async_playwright

    from scanner.browser import describe_launch_error, locate_browser

    executable = (await locate_browser(explicit)).executable_path
    async with async_playwright() as pw:
        try:
            browser = await pw.chromium.launch(
                executable_path=executable,
                args=_launch_args(),
                headless=True,
                chromium_sandbox=hasattr(os, "geteuid") and os.geteuid() != 0,
            )
        except Exception as exc:  # noqa: BLE001 - one line for the user
            raise CannotScan(describe_launch_error(exc, executable)) from None
        try:
            context = await browser.new_context(
                java_script_enabled=False, offline=True, color_scheme="light", accept_downloads=False
            )
            await context.route("**/*", lambda route: route.abort())
            page = await context.new_page()
            page.set_default_timeout(timeout_s * 1000)
            await page.emulate_media(media="print", color_scheme="light")
            await page.set_content(html, wait_until="load")
            # outline: bookmarks from the headings. Not tagged: a tagged PDF was three times the size
            # and half again the time (bench/bench_report.py --pdf); report.html is the accessible form.
            return await page.pdf(
                prefer_css_page_size=True, print_background=True, tagged=False, outline=True
            )
        except CannotScan:
            raise
        except Exception as exc:  # noqa: BLE001
            first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
            raise CannotScan(f"the browser failed to print: {first[:200]}") from None
        finally:
            await browser.close()


def html_to_pdf(html: str, *, browser: str | None = None, timeout_s: float = PDF_TIMEOUT_S) -> bytes:
    """``html`` printed to PDF bytes by the scan's kind of Chromium (``browser``: an explicit one).
    Runs in a thread of its own, so it works inside a running event loop (the scan's) as well."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, _print_pdf(html, browser, timeout_s)).result()


def write_pdf(
    result: ScanResult,
    out_dir: Path,
    *,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
    scan_dir: Path | None = None,
    warn_on: Collection[str] | None = None,
    browser: str | None = None,
) -> Path:
    from scanner.safe_write import write_atomic

    html = print_html(
        result, fail_on=fail_on, baseline=baseline, scan_dir=scan_dir or out_dir, warn_on=warn_on
    )
    data = html_to_pdf(html, browser=browser)
    return write_atomic(Path(out_dir) / PDF_FILE, data)
