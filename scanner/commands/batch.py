"""`scanner batch SITES --out CAMPAIGN/`: scan many sites on a Dask cluster (see scanner/batch/)."""

from __future__ import annotations

import argparse
from pathlib import Path

from scanner.commands.options import positive_int, positive_seconds, seconds
from scanner.errors import BadInput

EXTRA_MISSING = "scanner batch needs the batch extra: pip install 'tracker-audit[batch]'"
# Options of `scanner scan` that are the batch's own business, not passed on to every site's scan (the
# batch records the history itself: the driver is the database's one writer).
NOT_PASSED = {"help", "urls", "out", "resume", "overwrite", "quiet", "baseline", "history"}
# Not a word of every worker's command line: the variable SCANNER_HTTP_CREDENTIALS reaches each site's scan.
NOT_PASSED.add("http_credentials")
# Passed-on options naming a file: made absolute, so a worker finds it whatever its working folder.
FILE_DESTS = ("vendors", "catalog", "storage_state", "login_script", "login_steps")


class PassOn(argparse.Action):
    """A `scanner scan` option given to the batch: checked like scan checks it, then kept as the words
    the user typed (``namespace.scan_tokens``), to be handed to every site's scan."""

    def __init__(self, *args, check=None, flag=False, **kwargs) -> None:
        self.check = check
        self.flag = flag
        super().__init__(*args, **kwargs)

    def __call__(self, parser, namespace, values, option_string=None) -> None:
        if self.check is not None:
            try:
                self.check(values)
            except (argparse.ArgumentTypeError, ValueError, TypeError) as exc:
                raise argparse.ArgumentError(self, str(exc)) from None
        tokens = getattr(namespace, "scan_tokens", None) or []
        tokens.append((self.dest, [option_string] if self.flag else [option_string, values]))
        namespace.scan_tokens = tokens


def scan_parser() -> argparse.ArgumentParser:
    from scanner.commands import scan

    holder = argparse.ArgumentParser(add_help=False)
    return scan.add_parser(holder.add_subparsers())


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "batch",
        help="scan many sites (a campaign) on a Dask cluster, resumable",
        description="Scan every site of SITES (a text file, one URL a line, or a CSV with a url column and "
        "optional vendors, policy, first_party, max_pages) as its own `scanner scan` process, on a Dask "
        "LocalCluster sized to this machine or on a cluster (--scheduler). The job table "
        "(CAMPAIGN/campaign.sqlite) makes the campaign resumable.",
        epilog="Exit codes: 0 every site scanned and passing, 1 some site's verdict is FAIL, 2 bad input, "
        "3 some site could not be scanned, 4 some site's scan is partial, 130 interrupted (resumable).",
    )
    p.add_argument("sites", nargs="?", metavar="SITES", help="the sites (optional with --resume)")
    p.add_argument("--out", required=True, metavar="CAMPAIGN", help="the campaign folder")
    where = p.add_mutually_exclusive_group()
    where.add_argument(
        "--workers",
        type=positive_int,
        metavar="N",
        help="scans in parallel on this machine (default: one per core and 1.5 GB of free memory)",
    )
    where.add_argument(
        "--scheduler",
        metavar="tcp://HOST:8786",
        help="run on this Dask cluster (workers: `dask worker --nthreads 1`; the campaign folder must be "
        "shared by the driver and every worker, at the same path)",
    )
    p.add_argument(
        "--resume",
        action="store_true",
        help="continue the campaign in --out: scan its unfinished sites again (and any new SITES line) with "
        "the scan options and --history it began with (other options that shape results: exit 2; run "
        "options such as --browser-arg or --timeout may change)",
    )
    p.add_argument(
        "--history", metavar="FILE", help="also record every finished scan in this history database"
    )
    p.add_argument(
        "--site-timeout",
        type=positive_seconds,
        default=1800.0,
        metavar="S",
        help="hard limit of one site's scan, browser included (default 1800)",
    )
    p.add_argument(
        "--retry-backoff",
        type=seconds,
        default=30.0,
        metavar="S",
        help="wait before retrying a site that could not be scanned (exit 3): S, then 2S (default 30)",
    )
    p.add_argument("--quiet", action="store_true", help="no progress output")
    g = p.add_argument_group("scan options (given to every site's `scanner scan`; see scanner scan --help)")
    for action in scan_parser()._actions:
        if action.dest in NOT_PASSED or not action.option_strings:
            continue
        flag = action.nargs == 0
        g.add_argument(
            *action.option_strings,
            dest=action.dest,
            action=PassOn,
            nargs=0 if flag else None,
            flag=flag,
            check=action.type,
            choices=action.choices,
            metavar=action.metavar,
            help=action.help,
            default=argparse.SUPPRESS,
        )
    return p


def scan_tokens(args: argparse.Namespace) -> tuple[list[tuple[str, list[str]]], argparse.Namespace]:
    """The scan options as given, with file names made absolute, and what `scanner scan`'s own parser
    makes of them (checked as a scan checks them)."""
    from scanner.commands.scan import scan_options

    tokens = [(dest, list(words)) for dest, words in getattr(args, "scan_tokens", None) or []]
    for dest, words in tokens:
        if dest in FILE_DESTS or (dest == "policy" and "://" not in words[1]):
            words[1] = str(Path(words[1]).expanduser().resolve())
        if dest == "browser" and Path(words[1]).expanduser().exists():
            words[1] = str(Path(words[1]).expanduser().resolve())
    parser = scan_parser()
    try:
        scan_args = parser.parse_args(["https://batch.invalid/", *(w for _, words in tokens for w in words)])
    except SystemExit:  # argparse printed why
        raise BadInput("the scan options above are not valid for scanner scan") from None
    scan_options(scan_args)  # BadInput for what only the scan checks (--fail-on, --format, ...)
    return tokens, scan_args


def run(args: argparse.Namespace) -> int:
    try:
        import distributed  # noqa: F401
    except ImportError:
        raise BadInput(EXTRA_MISSING) from None
    from scanner.batch.driver import BatchConfig, run_batch
    from scanner.batch.sites import read_sites
    from scanner.commands.scan import configure_logging

    if not args.sites and not args.resume:
        raise BadInput("give the SITES file (a list of URLs or a CSV), or --resume to continue a campaign")
    tokens, scan_args = scan_tokens(args)
    configure_logging(scan_args.debug)
    config = BatchConfig(
        campaign=Path(args.out),
        sites=read_sites(args.sites) if args.sites else [],
        scan_tokens=tokens,
        workers=args.workers,
        scheduler=args.scheduler,
        resume=args.resume,
        history=Path(args.history) if args.history else None,
        site_timeout=args.site_timeout,
        retry_backoff_s=args.retry_backoff,
        default_max_pages=scan_args.max_pages,
        quiet=args.quiet,
        debug=scan_args.debug,
    )
    return run_batch(config)
