"""`scanner scan URL...`: crawl, capture, attribute, compare, report, and gate."""

from __future__ import annotations

import argparse
import asyncio
import sys
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scanner.commands.options import add_browser_arguments, non_negative_int, positive_int, seconds
from scanner.errors import CannotScan, ScannerError

# Heavy modules (browser, crawler, pandas) are imported inside the functions that need them, so that
# `scanner --help` and the other commands start fast.


def add_output_arguments(p: argparse.ArgumentParser) -> None:
    from scanner.gate import add_gate_options

    g = p.add_argument_group("output and CI gate")
    g.add_argument(
        "--format",
        action="append",
        metavar="LIST",
        help="comma-separated or repeated: html,json,csv,har,junit,sarif,md or all (default html,json,csv)",
    )
    add_gate_options(g)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "scan",
        help="crawl a site and audit its trackers",
        description="Crawl a website in headless Chromium, capture cookies, storage, beacons and third-party "
        "requests, attribute them to vendors and compare with the declared vendors.",
    )
    p.add_argument("urls", nargs="+", metavar="URL", help="start URL(s); scope = their registrable domains")
    p.add_argument("--out", metavar="DIR", help="output folder (default reports/<host>-<UTC timestamp>/)")
    decl = p.add_mutually_exclusive_group()
    decl.add_argument("--vendors", metavar="CSV", help="declared vendors (name,purpose,privacy_policy,...)")
    decl.add_argument(
        "--policy", metavar="SOURCE", help="privacy/cookie policy (file or URL) to import instead"
    )
    p.add_argument(
        "--catalog", metavar="FILE", action="append", default=[], help="extra vendor catalog entries"
    )
    g = p.add_argument_group("crawl")
    g.add_argument(
        "--first-party", metavar="DOMAIN", action="append", default=[], help="also in scope (repeatable)"
    )
    g.add_argument(
        "--max-depth", type=non_negative_int, default=3, help="link depth from the start (default 3)"
    )
    g.add_argument("--max-pages", type=positive_int, default=50, help="pages to visit at most (default 50)")
    g.add_argument(
        "--max-query-variants", type=positive_int, default=5, help="query strings per path (trap bound)"
    )
    g.add_argument("--no-sitemap", action="store_true", help="do not seed from robots.txt / sitemap.xml")
    g.add_argument("--concurrency", type=positive_int, default=2, help="pages in parallel (default 2)")
    g.add_argument(
        "--settle", type=seconds, default=2.0, metavar="S", help="wait after scrolling (default 2)"
    )
    g.add_argument(
        "--keep-cookie-values", action="store_true", help="store cookie/storage values, not hashes"
    )
    g.add_argument("--no-screenshots", action="store_true", help="skip the per-page screenshot")
    g.add_argument("--quiet", action="store_true", help="no progress output")
    add_browser_arguments(p)
    add_output_arguments(p)
    return p


def default_out_dir(url: str) -> Path:
    host = urlsplit(url).hostname or "site"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path("reports") / f"{host}-{stamp}"


def crawl_options(args: argparse.Namespace, urls: list[str], out_dir: Path):
    from scanner.browser import BrowserOptions
    from scanner.crawl.crawler import CrawlOptions
    from scanner.crawl.visit import VisitTiming

    browser = BrowserOptions(
        executable=args.browser,
        ignore_https_errors=args.ignore_https_errors,
        block_third_party_cookies=args.block_third_party_cookies,
        extra_args=tuple(args.browser_arg),
        user_agent=args.user_agent,
        timeout_s=args.timeout,
    )
    return CrawlOptions(
        start_urls=tuple(urls),
        out_dir=out_dir,
        first_party=tuple(args.first_party),
        max_depth=args.max_depth,
        max_pages=args.max_pages,
        max_query_variants=args.max_query_variants,
        use_sitemap=not args.no_sitemap,
        concurrency=args.concurrency,
        keep_values=args.keep_cookie_values,
        screenshots=not args.no_screenshots,
        timing=VisitTiming(settle_s=args.settle),
        browser=browser,
    )


def run(args: argparse.Namespace) -> int:
    from scanner.browser import find_browser
    from scanner.crawl.crawler import Crawl
    from scanner.crawl.urls import validate_start_url
    from scanner.gate import normalise_fail_on
    from scanner.pipeline import analyse, load_declaration
    from scanner.progress import make_progress
    from scanner.report import parse_formats, write_reports

    urls = [validate_start_url(u) for u in args.urls]
    formats = parse_formats(args.format)
    fail_on = normalise_fail_on(args.fail_on)
    baseline = load_baseline(args.baseline)
    catalog_files = [Path(c) for c in args.catalog]
    from scanner.catalog import load_catalog

    load_catalog(catalog_files)  # a bad --catalog fails now, before the browser starts

    def fetch(url: str) -> str:
        from scanner.browser import fetch_rendered_html

        return fetch_rendered_html(
            url,
            ignore_https_errors=args.ignore_https_errors,
            browser_args=args.browser_arg,
            timeout_s=args.timeout,
            executable=args.browser,
        )

    declared, declared_source = load_declaration(args.vendors, args.policy, fetch_html=fetch)
    args.browser = find_browser(args.browser)  # no browser: fail before writing anything
    out_dir = Path(args.out) if args.out else default_out_dir(urls[0])
    options = crawl_options(args, urls, out_dir)
    progress = make_progress(options.max_pages, quiet=args.quiet)
    crawl = Crawl(options, progress)
    crawl.meta = replace(crawl.meta, declared_source=declared_source)  # saved with the pages, for recovery
    error: ScannerError | None = None
    interrupted = False
    try:
        result = asyncio.run(crawl.run())
    except ScannerError as exc:  # start page failed: keep what was captured, then report the error
        error = exc
        result = crawl.result()
    except KeyboardInterrupt:
        interrupted = True
        result = crawl.result()
    except Exception as exc:  # noqa: BLE001 - e.g. the browser crashed mid-crawl: keep the finished pages
        first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
        error = CannotScan(f"the scan stopped after {len(crawl.visits)} page(s): {first[:300]}")
        result = crawl.result()
    finally:
        if progress is not None:
            progress.close()
    result = analyse(result, declared=declared, declared_source=declared_source, catalog_files=catalog_files)
    if error is not None or interrupted:
        result = replace(
            result, meta=replace(result.meta, interrupted=True, errors=(str(error or "interrupted"),))
        )
    written = write_reports(
        result, out_dir, formats if error is None else ["json"], fail_on=fail_on, baseline=baseline
    )
    if error is not None:
        raise error
    if interrupted:
        print(f"scanner: interrupted; {len(result.pages)} finished pages saved in {out_dir}", file=sys.stderr)
        return 130
    return finish(result, written, fail_on, baseline)


def load_baseline(path: str | None):
    if not path:
        return None
    from scanner.api import read_scan

    return read_scan(Path(path))


def finish(result, written, fail_on, baseline) -> int:
    from scanner.gate import gate_exit_code

    s = result.summary
    third = sorted({r.registrable_domain for r in result.requests if r.third_party})
    print(
        f"scanned {len(result.pages)} pages: {len(result.cookies)} cookies, {len(result.requests)} requests "
        f"({len(third)} third-party domains); findings: {s['undeclared']} undeclared, "
        f"{s['mismatch']} mismatch, {s['not_observed']} not observed, {s['declared']} declared"
    )
    for path in written:
        print(f"  wrote {path}")
    return gate_exit_code(result, fail_on, baseline)
