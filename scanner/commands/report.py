"""`scanner report SCAN_JSON`: re-render every format from a saved scan, without a browser (report.pdf,
``--format pdf``, is printed by a Chromium found as a scan finds it, or ``--browser``).

With ``--vendors``/``--policy``/``--catalog`` the saved evidence is attributed and compared again (a new
declaration, a newer catalog); with ``--waivers`` the findings are marked by those waivers (replacing
the ones the scan was made with) and scan.json is written again. The verdict ends the output
(scanner.report.verdict_text). A scan folder whose crawl was cut off before scan.json was written is
assembled from its saved pages (``pages.jsonl``).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scanner.gate import add_gate_options, all_findings, normalise_fail_on, normalise_warn_on, verdict
from scanner.report import BROWSER_FORMATS, DEFAULT_FORMATS, FORMATS, parse_formats, write_reports
from scanner.report.console import print_summary
from scanner.report.verdict_text import print_verdict
from scanner.waivers import load_waivers, unused_waivers


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "report",
        help="re-render reports from a saved scan.json (no browser, but for --format pdf)",
        description="Re-render report.html and the machine formats from a saved scan.json, and apply "
        "the CI gate to it. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad input, "
        "4 partial scan (interrupted; no finding fails the gate, but an incomplete scan never passes).",
    )
    p.add_argument("scan", metavar="SCAN_JSON", help="a scan.json, or the scan folder holding it")
    p.add_argument("--out", metavar="DIR", help="output folder (default: the scan's own folder)")
    p.add_argument(
        "--format",
        action="append",
        metavar="LIST",
        help=f"comma-separated, repeatable: {','.join(FORMATS + BROWSER_FORMATS)} or all (all but pdf, which "
        f"needs a browser; default {','.join(DEFAULT_FORMATS)})",
    )
    p.add_argument(
        "--self-contained",
        action="store_true",
        help="report.html embeds the full page screenshots too (thumbnails are always embedded)",
    )
    p.add_argument(
        "--browser",
        metavar="PATH",
        help="Chromium/Chrome that prints report.pdf (default: Playwright's, else system; never the one "
        "a scan.json names)",
    )
    decl = p.add_mutually_exclusive_group()
    decl.add_argument("--vendors", metavar="CSV", help="compare again with this declaration")
    decl.add_argument("--policy", metavar="SOURCE", help="compare again with this policy (file or URL)")
    p.add_argument(
        "--catalog", metavar="FILE", action="append", default=[], help="extra vendor catalog entries"
    )
    add_gate_options(p)
    return p


def load_or_recover(path: str):
    """(ScanResult, scan.json path, recovered?) of a scan.json, a scan folder or an unfinished scan."""
    from scanner.api import read_scan, scan_json_path
    from scanner.assemble import VISITS_FILE, recover

    folder = Path(path)
    if folder.is_dir() and not (folder / "scan.json").exists() and (folder / VISITS_FILE).exists():
        return recover(folder), folder / "scan.json", True
    source = scan_json_path(path)
    return read_scan(source), source, False


def run(args: argparse.Namespace) -> int:
    from scanner.api import read_scan  # pandas: only when the command runs
    from scanner.pipeline import analyse, load_declaration

    formats = parse_formats(args.format)
    fail_on = normalise_fail_on(args.fail_on)
    warn_on = normalise_warn_on(args.warn_on)
    waivers = load_waivers(args.waivers) if args.waivers else None
    result, source, recovered = load_or_recover(args.scan)
    baseline = read_scan(args.baseline) if args.baseline else None
    changed = recovered or bool(args.vendors or args.policy or args.catalog)
    if changed:
        if waivers is None and any(f.waiver is not None for f in all_findings(result)):
            print(
                "scanner: warning: the findings are made again without the saved scan's waivers: give "
                "--waivers FILE to apply them",
                file=sys.stderr,
            )
        declared, declared_source = load_declaration(args.vendors, args.policy)
        if declared is None and recovered:  # keep the declaration the interrupted scan was started with
            declared_source = result.meta.declared_source
            if declared_source and Path(declared_source).is_file():
                declared, _ = load_declaration(declared_source, None)
        result = analyse(
            result,
            declared=declared,
            declared_source=declared_source,
            catalog_files=[Path(c) for c in args.catalog],
            waivers=waivers,
        )
    elif waivers is not None:  # the same findings, accepted by these waivers (and no others)
        from scanner.waivers import apply_waivers

        result = apply_waivers(result, waivers)
        changed = True
    if changed:
        formats = list(dict.fromkeys([*formats, "json"]))
    out_dir = Path(args.out) if args.out else source.parent
    unchanged_input = not changed and source.name == "scan.json"
    if "json" in formats and unchanged_input and out_dir.resolve() == source.parent.resolve():
        formats = [f for f in formats if f != "json"]  # it is the input: leave it byte for byte
    written = write_reports(
        result,
        out_dir,
        formats,
        fail_on=fail_on,
        baseline=baseline,
        scan_dir=source.parent,
        warn_on=warn_on,
        self_contained=args.self_contained,
        browser=args.browser,
    )
    print_summary(result, written)  # as `scanner scan` prints it (scanner.report.console)
    gate = verdict(result, fail_on, baseline, warn_on=warn_on)
    unused = unused_waivers(waivers, result) if waivers is not None else []
    print_verdict(result, gate, unused=unused)
    if gate.partial:
        from scanner.report.text import partial_reason

        print(
            f"scanner: warning: partial scan: {partial_reason(result)}; results are incomplete",
            file=sys.stderr,
        )
    return gate.code
