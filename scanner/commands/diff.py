"""`scanner diff OLD NEW`: vendors, cookies, hosts and findings (consent and behaviour findings too) added,
removed, changed or not re-checked."""

from __future__ import annotations

import argparse
from pathlib import Path

from scanner.diff import diff_scans, diff_text


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "diff",
        help="what changed between two saved scans",
        description="Compare two saved scans (scan.json files or their folders): vendors, cookies, "
        "third-party hosts and findings added and removed, and consent and behaviour findings new, gone "
        "or changed (severity, criteria met, totals). When the scans visited different pages it "
        "says so, and an item the new scan lacks is 'not re-checked', not removed, when the new scan "
        "visited none of the pages where the old one saw it. Prints the changes and writes diff.html "
        "and diff.md. Exit codes: 0 done, 2 bad input.",
    )
    p.add_argument("old", metavar="OLD", help="the earlier scan.json (or its folder)")
    p.add_argument("new", metavar="NEW", help="the later scan.json (or its folder)")
    p.add_argument(
        "--out", metavar="DIR", help="where to write diff.html and diff.md (default: NEW's folder)"
    )
    return p


def run(args: argparse.Namespace) -> int:
    from scanner.api import read_scan, scan_json_path  # pandas: only when the command runs
    from scanner.report.diff_files import write_diff

    old_path, new_path = scan_json_path(args.old), scan_json_path(args.new)
    d = diff_scans(read_scan(old_path), read_scan(new_path))
    print(diff_text(d), end="")
    out_dir = Path(args.out) if args.out else new_path.parent
    for path in write_diff(d, out_dir):
        print(f"wrote {path}")
    return 0
