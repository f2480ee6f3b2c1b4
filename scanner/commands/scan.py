"""`scanner scan URL...`: crawl, capture, attribute, compare, report, and gate."""

from __future__ import annotations

import argparse
import logging
import sys
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from scanner.commands.options import (
    add_browser_arguments,
    browser_options,
    non_negative_int,
    positive_int,
    seconds,
)
from scanner.errors import BadInput, ScanInterrupted
from scanner.login.cli import add_login_arguments

# Heavy modules (browser, crawler, pandas) are imported inside the functions that need them, so that
# `scanner --help` and the other commands start fast.


def add_output_arguments(p: argparse.ArgumentParser) -> None:
    from scanner.gate import add_gate_options
    from scanner.report import BROWSER_FORMATS, DEFAULT_FORMATS, FORMATS

    g = p.add_argument_group("output and CI gate")
    g.add_argument(
        "--format",
        action="append",
        metavar="LIST",
        help=f"comma-separated or repeated: {','.join(FORMATS + BROWSER_FORMATS)} or all (all but pdf; "
        f"default {','.join(DEFAULT_FORMATS)})",
    )
    g.add_argument(
        "--self-contained",
        action="store_true",
        help="report.html embeds the full page screenshots too (thumbnails are always embedded): one "
        "file holds everything, as large as the screenshots",
    )
    add_gate_options(g)
    g.add_argument(
        "--history",
        metavar="FILE",
        help="record the finished scan in this scan-history database (created when missing; see "
        "`scanner history`); a failure to record is a warning, the scan is kept",
    )


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "scan",
        help="crawl a site and audit its trackers",
        description="Crawl a website in headless Chromium, capture cookies, storage, beacons and third-party "
        "requests, attribute them to vendors and compare with the declared vendors.",
    )
    p.add_argument("urls", nargs="*", metavar="URL", help="start URL(s); scope = their registrable domains")
    p.add_argument("--out", metavar="DIR", help="output folder (default reports/<host>-<UTC timestamp>/)")
    p.add_argument(
        "--resume",
        metavar="DIR",
        help="continue the unfinished scan in DIR (its start URLs, scope, limits and declaration) "
        "without visiting its finished pages again",
    )
    p.add_argument(
        "--overwrite",
        action="store_true",
        help="the --out folder already holds a scan: remove it (files, reports, screenshots) and scan anew",
    )
    decl = p.add_mutually_exclusive_group()
    decl.add_argument("--vendors", metavar="CSV", help="declared vendors (name,purpose,privacy_policy,...)")
    decl.add_argument(
        "--policy", metavar="SOURCE", help="privacy/cookie policy (file or URL) to import instead"
    )
    decl.add_argument(
        "--declared-from",
        choices=("cmp",),
        help="cmp: the vendors and cookies the site's consent banner lists are the declaration",
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
    g.add_argument(
        "--concurrency",
        type=positive_int,
        default=None,
        help="pages in parallel (default: from this machine's cores and memory, see README)",
    )
    g.add_argument(
        "--settle", type=seconds, default=2.0, metavar="S", help="wait after scrolling (default 2)"
    )
    g.add_argument(
        "--keep-cookie-values", action="store_true", help="store cookie/storage values, not hashes"
    )
    g.add_argument("--no-screenshots", action="store_true", help="skip the per-page screenshot")
    c = p.add_argument_group("consent (see the README: consent audits)")
    c.add_argument(
        "--consent",
        default="auto",
        choices=("auto", "none", "accept", "reject", "all", "off"),
        help="auto (default): when a consent banner is shown, also an accept and a reject pass; none: only "
        "detect the banner; accept / reject / all: those passes anyway; off: no consent driver",
    )
    c.add_argument(
        "--consent-sample",
        type=positive_int,
        default=5,
        metavar="K",
        help="pages each consent pass visits: the start page and the next in crawl order (default 5)",
    )
    c.add_argument(
        "--gpc", action="store_true", help="add a pass over the sample that sends Global Privacy Control"
    )
    c.add_argument("--dnt", action="store_true", help="the browser sends Do Not Track (DNT: 1) in every pass")
    b = p.add_argument_group("behaviour")
    b.add_argument(
        "--probe-forms",
        action="store_true",
        help="type random canary values into visible text, e-mail and search fields (never submitted, no "
        "password or card fields) and report third parties that receive them",
    )
    b.add_argument(
        "--behaviour",
        choices=("on", "off"),
        default="on",
        help="on (default): count fingerprinting, session-recording and listener APIs in every frame",
    )
    g.add_argument("--quiet", action="store_true", help="no progress output")
    g.add_argument("--debug", action="store_true", help="log what the scanner does (stderr)")
    add_browser_arguments(p)
    add_login_arguments(p)
    add_output_arguments(p)
    return p


def default_out_dir(url: str) -> Path:
    host = urlsplit(url).hostname or "site"
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return Path("reports") / f"{host}-{stamp}"


def scan_options(args: argparse.Namespace):
    """ScanOptions from the command line (for --resume: the saved scan's, with this run's browser)."""
    from scanner.crawl.visit import VisitTiming
    from scanner.gate import normalise_fail_on, normalise_warn_on
    from scanner.login.cli import login_options
    from scanner.options import ScanOptions
    from scanner.report import parse_formats

    browser = browser_options(args, dnt=args.dnt)
    common = {
        "formats": tuple(parse_formats(args.format)),
        "self_contained": args.self_contained,
        "fail_on": normalise_fail_on(args.fail_on),
        "warn_on": normalise_warn_on(args.warn_on),
        "baseline": args.baseline,
        "waivers": args.waivers,
        "catalog_files": tuple(args.catalog),
        "browser": browser,
        "policy": args.policy,
        "declared_from": args.declared_from,
        "vendors": args.vendors,
        "consent": args.consent,
        "consent_sample": args.consent_sample,
        "gpc": args.gpc,
        "api_hooks": args.behaviour == "on",
        "probe_forms": args.probe_forms,
        "history": args.history,
        "login": login_options(args),
        **({"exclude": tuple(args.exclude)} if args.exclude else {}),
    }
    if args.resume:
        return resumed_options(args, common)
    if not args.urls:
        raise BadInput("give at least one start URL (or --resume DIR)")
    return ScanOptions(
        start_urls=tuple(args.urls),
        out_dir=Path(args.out) if args.out else default_out_dir(args.urls[0]),
        first_party=tuple(args.first_party),
        max_depth=args.max_depth,
        max_pages=args.max_pages,
        max_query_variants=args.max_query_variants,
        use_sitemap=not args.no_sitemap,
        concurrency=args.concurrency,
        keep_values=args.keep_cookie_values,
        screenshots=not args.no_screenshots,
        timing=VisitTiming(settle_s=args.settle),
        overwrite=args.overwrite,
        **common,
    )


def resumed_options(args: argparse.Namespace, common: dict):
    from scanner.options import resume_options

    if args.urls or args.out:
        raise BadInput("--resume DIR continues the scan saved in DIR: give no URL and no --out")
    if args.overwrite:
        raise BadInput("--resume continues the scan in the folder, --overwrite replaces it: choose one")
    if args.concurrency:
        common["concurrency"] = args.concurrency
    return resume_options(Path(args.resume), **common)


def run(args: argparse.Namespace) -> int:
    from scanner.gate import verdict
    from scanner.progress import make_progress
    from scanner.report.pdf import PdfNotPrinted
    from scanner.scanning import scan

    configure_logging(args.debug)
    options = scan_options(args)
    bar = make_progress(options.max_pages, quiet=args.quiet)
    written: list[Path] = []
    history: list[dict] = []

    def progress(event: dict) -> None:
        if event["event"] == "wrote":
            written.extend(event["paths"])
        elif event["event"] == "history":
            history.append(event)
        elif bar is not None:
            bar(event)

    try:
        result = scan(options, progress=progress)
    except PdfNotPrinted as exc:  # the scan and its other outputs are complete: show them, then why not
        close(bar)
        report_summary(exc.result, exc.written)
        gate = verdict(exc.result, options.fail_on, load_baseline(options.baseline), warn_on=options.warn_on)
        print_verdict(exc.result, gate, options.waivers)
        print(f"scanner: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except ScanInterrupted as exc:
        close(bar)
        if exc.result is None:  # stopped while it was starting: no page, no scan.json
            print(f"scanner: {exc}", file=sys.stderr)
        else:
            pages = len(exc.result.pages)
            print(f"scanner: interrupted; {pages} finished pages saved in {options.out_dir}", file=sys.stderr)
        return exc.exit_code
    finally:
        close(bar)
    report_summary(result, written)
    for event in history:
        report_history(event)
    gate = verdict(result, options.fail_on, load_baseline(options.baseline), warn_on=options.warn_on)
    print_verdict(result, gate, options.waivers)
    return gate.code


def print_verdict(result, gate, waivers_file) -> None:
    """The verdict block (scanner.report.verdict_text), with the waivers of the file that matched
    nothing; GitHub annotations when running in GitHub Actions."""
    from scanner.report.verdict_text import print_verdict as show

    unused = []
    if waivers_file:
        from scanner.waivers import load_waivers, unused_waivers

        unused = unused_waivers(load_waivers(waivers_file), result)
    show(result, gate, unused=unused)


def report_history(event: dict) -> None:
    if "error" in event:
        print(
            f"scanner: warning: the scan was not recorded in the history {event['db']}: {event['error']}",
            file=sys.stderr,
        )
    elif event.get("new"):
        print(f"  recorded as scan {event['scan_id']} in the history {event['db']}")
    else:
        print(f"  already in the history {event['db']} as scan {event['scan_id']}")


def close(bar) -> None:
    if bar is not None:
        bar.close()


def configure_logging(debug: bool) -> None:
    logging.basicConfig(
        level=logging.DEBUG if debug else logging.ERROR,
        format="scanner %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    if debug:  # the driver's own chatter is not ours
        for noisy in ("asyncio", "playwright"):
            logging.getLogger(noisy).setLevel(logging.INFO)


def load_baseline(path):
    if not path:
        return None
    from scanner.api import read_scan

    return read_scan(Path(path))


def print_login_line(result) -> None:
    """The logged-in audit in one line (scanner.report.console.login_line), when the scan logged in."""
    from scanner.report.console import login_line

    line = login_line(result)
    if line is not None:
        print(line)


def report_summary(result, written) -> None:
    """The console summary, as `scanner report` prints it (scanner.report.console)."""
    from scanner.report.console import print_summary

    print_summary(result, written)
