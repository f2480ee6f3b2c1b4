"""`scanner report SCAN_JSON`: re-render every format from a saved scan, without a browser."""

from __future__ import annotations

import argparse
from pathlib import Path

from scanner.gate import add_gate_options, gate_exit_code, normalise_fail_on
from scanner.report import DEFAULT_FORMATS, FORMATS, parse_formats, write_reports


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "report",
        help="re-render reports from a saved scan.json (no browser)",
        description="Re-render report.html and the machine formats from a saved scan.json, and apply "
        "the CI gate to it. Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad input.",
    )
    p.add_argument("scan", metavar="SCAN_JSON", help="a scan.json, or the scan folder holding it")
    p.add_argument("--out", metavar="DIR", help="output folder (default: the scan's own folder)")
    p.add_argument(
        "--format",
        action="append",
        metavar="LIST",
        help=f"comma-separated, repeatable: {','.join(FORMATS)} or all (default {','.join(DEFAULT_FORMATS)})",
    )
    add_gate_options(p)
    return p


def run(args: argparse.Namespace) -> int:
    from scanner.api import read_scan, scan_json_path  # pandas: only when the command runs

    source = scan_json_path(args.scan)
    formats = parse_formats(args.format)
    fail_on = normalise_fail_on(args.fail_on)
    result = read_scan(source)
    baseline = read_scan(args.baseline) if args.baseline else None
    out_dir = Path(args.out) if args.out else source.parent
    if "json" in formats and out_dir.resolve() == source.parent.resolve() and source.name == "scan.json":
        formats = [f for f in formats if f != "json"]  # it is the input: leave it byte for byte
    written = write_reports(
        result, out_dir, formats, fail_on=fail_on, baseline=baseline, scan_dir=source.parent
    )
    for path in written:
        print(f"wrote {path}")
    code = gate_exit_code(result, fail_on, baseline)
    counts = ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in result.summary.items())
    verdict = "FAIL" if code else "pass"
    print(f"{verdict}: {counts} (fail on: {', '.join(sorted(fail_on)) or 'none'})")
    return code
