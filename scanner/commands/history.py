"""`scanner history ingest|trend|matrix|export|compare|scans`: the scan-history database.

Every command takes ``--db FILE``; without it ``$SCANNER_HISTORY`` names the database (neither: exit 2).
``ingest`` creates the file; the others read an existing one. Exit codes: 0 done, 2 bad input (an
unreadable scan.json or database, an unknown site, campaign or scan), 3 the database could not be
written.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from scanner.errors import EXIT_BAD_INPUT, BadInput

CAMPAIGN_SITES = "sites"  # CAMPAIGN/sites/<slug>/attempt-<n>/scan.json (scanner.batch.model)


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "history",
        help="record scans in a history database and ask it what changed",
        description="A database of every scan (stdlib SQLite): since when a site loads a vendor, which "
        "sites of a campaign have which vendors, what changed between two scans. The database is --db FILE "
        "or $SCANNER_HISTORY. Exit codes: 0 done, 2 bad input, 3 the database could not be written.",
    )
    hsub = p.add_subparsers(dest="history_command", metavar="SUBCOMMAND")

    def db_option(q: argparse.ArgumentParser) -> None:
        q.add_argument("--db", metavar="FILE", help="the history database (default: $SCANNER_HISTORY)")

    q = hsub.add_parser(
        "ingest",
        help="record saved scans (scan.json files, scan folders, campaign folders)",
        description="Record scans: a scan.json, a scan folder, or a campaign folder of `scanner batch` "
        "(each site's last attempt). Recording the same scan.json again changes nothing.",
    )
    q.add_argument("paths", nargs="+", metavar="PATH", help="scan.json, scan folder or campaign folder")
    q.add_argument(
        "--campaign",
        metavar="NAME",
        help="the campaign the scans belong to (default for a campaign folder: its name)",
    )
    q.add_argument("--site", metavar="URL", help="the site the scans are of (default: each scan's start URL)")
    db_option(q)
    q.set_defaults(_history=run_ingest)

    q = hsub.add_parser(
        "trend",
        help="a site's vendors, cookies and findings over time",
        description="Each vendor, cookie and finding of a site: first and last seen, in how many scans, "
        "and whether the latest scan still has it.",
    )
    q.add_argument("--site", required=True, metavar="URL", help="the site (a URL or host name)")
    q.add_argument("--format", choices=("table", "csv", "json"), default="table", help="default: table")
    db_option(q)
    q.set_defaults(_history=run_trend)

    q = hsub.add_parser(
        "matrix",
        help="a campaign's sites × vendors as matrix.html and matrix.csv",
        description="Each site of the campaign (its latest scan in it) against every vendor seen or "
        "declared: the declaration status per cell, with the consent and behaviour findings.",
    )
    q.add_argument("--campaign", required=True, metavar="NAME")
    q.add_argument("--out", required=True, metavar="DIR", help="where to write matrix.html and matrix.csv")
    db_option(q)
    q.set_defaults(_history=run_matrix)

    q = hsub.add_parser(
        "export",
        help="every table as Parquet (needs pyarrow: the 'parquet' extra)",
        description="One Parquet dataset per table under DIR, hive-partitioned by campaign and date, "
        "for DuckDB, pandas or Spark.",
    )
    q.add_argument("--parquet", required=True, metavar="DIR")
    db_option(q)
    q.set_defaults(_history=run_export)

    q = hsub.add_parser("compare", help="what changed between two recorded scans (ids)")
    q.add_argument("a", type=int, metavar="A", help="the earlier scan's id (see `scanner history scans`)")
    q.add_argument("b", type=int, metavar="B", help="the later scan's id")
    q.add_argument("--format", choices=("table", "json"), default="table")
    db_option(q)
    q.set_defaults(_history=run_compare)

    q = hsub.add_parser("scans", help="list the recorded scans")
    q.add_argument("--site", metavar="URL")
    q.add_argument("--campaign", metavar="NAME")
    db_option(q)
    q.set_defaults(_history=run_scans)
    return p


def run(args: argparse.Namespace) -> int:
    handler = getattr(args, "_history", None)
    if handler is None:
        raise BadInput("give a subcommand: ingest, trend, matrix, export, compare or scans")
    return int(handler(args) or 0)


def _db(args: argparse.Namespace) -> Path:
    from scanner.history import database_path

    return database_path(args.db)


def scan_files(path: Path) -> tuple[list[Path], str | None]:
    """The scan.json files a PATH of ``ingest`` stands for, and its campaign name when it is a campaign
    folder (each ``sites/<slug>/``'s highest ``attempt-<n>`` that has a scan.json)."""
    if path.is_file():
        return [path], None
    if not path.is_dir():
        raise BadInput(f"no scan at {path}")
    if (path / "scan.json").exists():
        return [path / "scan.json"], None
    sites = path / CAMPAIGN_SITES
    if not sites.is_dir():
        raise BadInput(f"{path}: neither a scan folder (scan.json) nor a campaign folder ({CAMPAIGN_SITES}/)")
    found = []
    for site in sorted(p for p in sites.iterdir() if p.is_dir()):
        attempts = [
            a for a in site.glob("attempt-*") if (a / "scan.json").is_file() and _attempt(a) is not None
        ]
        if attempts:
            found.append(max(attempts, key=_attempt) / "scan.json")
    if not found:
        raise BadInput(f"{path}: a campaign folder without any finished scan")
    return found, path.resolve().name


def _attempt(folder: Path) -> int | None:
    number = folder.name.removeprefix("attempt-")
    return int(number) if number.isdigit() else None


def run_ingest(args: argparse.Namespace) -> int:
    from scanner.history.record import record

    db = _db(args)
    failed = 0
    for given in args.paths:
        try:
            files, campaign = scan_files(Path(given))
        except BadInput as err:
            print(f"scanner: error: {err}", file=sys.stderr)
            failed += 1
            continue
        for file in files:
            try:
                done = record(db, file, campaign=args.campaign or campaign, site=args.site)
            except BadInput as err:
                print(f"scanner: error: {err}", file=sys.stderr)
                failed += 1
                continue
            print(recorded_line(done))
    return EXIT_BAD_INPUT if failed else 0


def recorded_line(done) -> str:
    """One line per scan of ``ingest`` (and of ``scan --history``)."""
    from scanner.history.text import clean

    what = f"{clean(done.site)} {done.started_at}" + (
        f", campaign {clean(done.campaign)}" if done.campaign else ""
    )
    if done.new:
        return f"recorded scan {done.id} ({what}): {done.path}"
    return f"already recorded as scan {done.id} ({what}): {done.path}"


def run_trend(args: argparse.Namespace) -> int:
    from scanner.history import trend
    from scanner.history.text import trend_csv, trend_json, trend_text

    t = trend(_db(args), args.site)
    render = {"table": trend_text, "csv": trend_csv, "json": trend_json}[args.format]
    sys.stdout.write(render(t))
    return 0


def run_matrix(args: argparse.Namespace) -> int:
    from scanner.history import matrix
    from scanner.history.files import write_matrix

    m = matrix(_db(args), args.campaign)
    print(f"campaign {m.campaign}: {len(m.sites)} site(s) × {len(m.vendors)} vendor(s)")
    for path in write_matrix(m, Path(args.out)):
        print(f"  wrote {path}")
    return 0


def run_export(args: argparse.Namespace) -> int:
    from scanner.history.parquet import export_parquet

    out = Path(args.parquet)
    written = export_parquet(_db(args), out)
    for table, rows in written.items():
        print(f"  wrote {out / table}/ ({rows} row{'' if rows == 1 else 's'})")
    return 0


def run_compare(args: argparse.Namespace) -> int:
    import json
    from dataclasses import asdict

    from scanner.history import compare
    from scanner.history.text import compare_text

    c = compare(_db(args), args.a, args.b)
    if args.format == "json":
        sys.stdout.write(json.dumps(asdict(c), indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(compare_text(c))
    return 0


def run_scans(args: argparse.Namespace) -> int:
    from scanner.history import list_scans
    from scanner.history.text import scans_text

    scans = list_scans(_db(args), site=args.site, campaign=args.campaign)
    sys.stdout.write(scans_text(scans))
    return 0
