"""`scanner demo`: scan the built-in demo site on a local fake internet (no network needed).

The demo site (https://www.example.com, see scanner/fakenet/README.md) embeds imitations of real trackers.
It is compared with ``./vendors.csv`` when there is one, else with the demo's own declaration shipped in the
package (``scanner/fakenet/vendors.csv``: the seed policy's cookie table, the same as the repository's
``vendors.csv``), so that the demo runs from an installed wheel with no checkout.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

DEMO_URL = "https://www.example.com/"


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "demo",
        help="scan the built-in demo site (offline)",
        description="Start a local fake internet with a demo shop and real-world tracker imitations, scan it "
        "and write the report. Needs no network.",
    )
    p.add_argument("--out", metavar="DIR", help="output folder (default reports/demo-<UTC timestamp>/)")
    p.add_argument("--vendors", metavar="CSV", help="declared vendors (default ./vendors.csv or the demo's)")
    p.add_argument("--format", default="html,json,csv,har,junit,sarif,md", metavar="LIST")
    p.add_argument("--fail-on", action="append", default=None, metavar="STATUS", help="default none")
    p.add_argument("--max-pages", default="30")
    p.add_argument(
        "--consent-sample", default="5", metavar="K", help="pages of the accept and reject passes (default 5)"
    )
    p.add_argument("--quiet", action="store_true")
    p.add_argument("--overwrite", action="store_true", help="replace an earlier scan in --out")
    return p


def demo_vendors() -> Path:
    """The demo's declaration, shipped in the package."""
    from scanner import fakenet

    return Path(fakenet.__file__).resolve().with_name("vendors.csv")


def default_vendors() -> Path | None:
    for candidate in (Path.cwd() / "vendors.csv", demo_vendors()):
        if candidate.is_file():
            return candidate
    return None


def run(args: argparse.Namespace) -> int:
    from scanner.cli import main
    from scanner.fakenet import FakeInternet, demo_world

    out = args.out or str(Path("reports") / f"demo-{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}")
    vendors = args.vendors or default_vendors()
    with FakeInternet(demo_world()) as net:
        argv = [
            "--no-config",
            "scan",
            DEMO_URL,
            "--out",
            out,
            "--ignore-https-errors",
            "--format",
            args.format,
        ]
        argv += [
            "--max-pages",
            str(args.max_pages),
            "--timeout",
            "10",
            "--consent-sample",
            str(args.consent_sample),
        ]
        argv += [f"--browser-arg={a}" for a in net.chromium_args()]
        if vendors:
            argv += ["--vendors", str(vendors)]
        else:
            note = "no vendors.csv found; every observed vendor counts as undeclared"
            print(f"scanner demo: {note}", file=sys.stderr)
        for status in args.fail_on or ["none"]:
            argv += ["--fail-on", status]
        if args.quiet:
            argv.append("--quiet")
        if args.overwrite:
            argv.append("--overwrite")
        code = main(argv)
    if code in (0, 1):
        print(f"demo report: {Path(out) / 'report.html'}")
    return code
