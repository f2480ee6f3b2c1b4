"""Command line: `scanner <command> ...`. Each command lives in scanner/commands/<name>.py and
exposes ``add_parser(subparsers)`` and ``run(args) -> int``; its options can also be set in a config
file or SCANNER_* variables (scanner/config.py) unless the module says ``CONFIGURABLE = False``."""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import threading
import warnings

from scanner import __version__
from scanner.config import Parser, parse_args
from scanner.errors import EXIT_BAD_INPUT, EXIT_CANNOT_SCAN, ScannerError, ScannerWarning
from scanner.safe_write import DISK_FULL

EXIT_BROKEN_PIPE = 128 + getattr(signal, "SIGPIPE", 13)  # 141: the output's reader closed it early
COMMANDS = ("scan", "demo", "report", "diff", "policy", "batch", "history", "init", "config", "completion")
COMMANDS += ("email",)  # scanner email (issue 17)
COMMANDS += ("auth",)  # scanner auth record (issue 16)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="scanner",
        allow_abbrev=False,  # --config is found in the arguments before they are parsed (scanner.config)
        description="Crawl a website in real Chromium, capture cookies, storage, beacons and "
        "third-party requests, attribute them to vendors and compare with the declared vendors.",
        epilog="Exit codes: 0 clean, 1 findings at or above --fail-on, 2 bad input, 3 scan could not run, "
        "4 partial scan (interrupted or killed: never passes); 130 interrupted, 141 the output's reader "
        "closed it (e.g. `| head`).",
    )
    parser.add_argument("--version", action="version", version=f"scanner (tracker-audit) {__version__}")
    parser.add_argument(
        "--config",
        dest="config_file",
        metavar="FILE",
        help="settings file (default: ./scanner.toml, else [tool.scanner] of ./pyproject.toml; see "
        "`scanner config`); the command line and SCANNER_<OPTION> variables win over it",
    )
    parser.add_argument(
        "--no-config",
        action="store_true",
        help="read no settings file and no SCANNER_<OPTION> variable: the command line and the defaults",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in COMMANDS:
        try:
            module = importlib.import_module(f"scanner.commands.{name}")
        except ModuleNotFoundError as exc:  # a command still being built
            if exc.name != f"scanner.commands.{name}":
                raise
            continue
        p = module.add_parser(sub)
        p.set_defaults(_run=module.run, _configurable=getattr(module, "CONFIGURABLE", True))
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one command; its exit code. A reader that closed the output early (``scanner config | head``)
    ends the command quietly with exit code 141 (128 + SIGPIPE, as a tool the signal stops): the rest of
    the output goes to the null device (the pattern of Python's ``signal`` documentation), no message."""
    try:
        code = _main(argv)
        sys.stdout.flush()  # buffered output meets a closed reader here, not at interpreter exit
        return code
    except BrokenPipeError:
        return reader_gone()


def reader_gone() -> int:
    """Send what is left of stdout to the null device, so that the interpreter's last flush at exit does
    not fail again; the exit code of a closed output."""
    with contextlib.suppress(OSError, ValueError):  # ValueError: io.UnsupportedOperation (no descriptor)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    return EXIT_BROKEN_PIPE


def _main(argv: list[str] | None) -> int:
    parser = build_parser()
    try:  # the command line, then SCANNER_* variables and the config file for what it leaves out
        args = parse_args(parser, argv)
    except SystemExit as exc:  # argparse already printed a one-line usage error
        return EXIT_BAD_INPUT if exc.code not in (0, None) else 0
    except ScannerError as err:  # a bad config file or SCANNER_* variable
        print(f"scanner: error: {err}", file=sys.stderr)
        return err.exit_code
    if not getattr(args, "_run", None):
        parser.print_help()
        return EXIT_BAD_INPUT
    try:
        with sigterm_stops_scans(scan_follows=args.command == "scan"), warnings.catch_warnings():
            warnings.simplefilter("default", ScannerWarning)
            warnings.showwarning = one_line_warnings(warnings.showwarning)
            return int(args._run(args) or 0)
    except ScannerError as err:
        print(f"scanner: error: {err}", file=sys.stderr)
        return err.exit_code
    except KeyboardInterrupt:
        print("scanner: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader of our output is gone: main() ends quietly
        raise
    except OSError as exc:
        if exc.errno not in DISK_FULL:
            return internal_error(exc)
        where = f": cannot write {exc.filename}" if exc.filename else ""
        print(f"scanner: error: no space left on device{where}", file=sys.stderr)
        return EXIT_CANNOT_SCAN
    except Exception as exc:  # a bug: one line for the user, the traceback on request
        return internal_error(exc)


def one_line_warnings(previous):
    """``warnings.showwarning`` that prints a ScannerWarning (e.g. a report.html too large to mail) as one
    line on stderr, ``scanner: warning: ...``, and leaves any other warning to ``previous``."""

    def show(message, category, filename, lineno, file=None, line=None) -> None:
        if issubclass(category, ScannerWarning):
            print(f"scanner: warning: {message}", file=sys.stderr)
        else:
            previous(message, category, filename, lineno, file, line)

    return show


def internal_error(exc: Exception) -> int:
    if os.environ.get("SCANNER_DEBUG"):
        raise exc
    first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    print(
        f"scanner: internal error: {type(exc).__name__}: {first[:300]} (SCANNER_DEBUG=1 shows the traceback)",
        file=sys.stderr,
    )
    return EXIT_CANNOT_SCAN


def _on_sigterm(signum, frame) -> None:
    """SIGTERM as Ctrl-C: a running scan stops and saves what it captured (exit 130); anything else
    is interrupted at once."""
    from scanner.scanning import interrupt_scans

    if not interrupt_scans():
        raise KeyboardInterrupt


def _sigterm_before_the_scan(started: int):
    """``scanner scan``'s handler: a SIGTERM before its scan started (options still being read) stops
    that scan at its start, as one before its first page (its 0-page partial scan.json saved)."""
    from scanner import scanning

    def on_sigterm(signum, frame) -> None:
        if scanning.interrupt_scans():
            return
        if scanning.scans_started() == started:
            scanning.stop_next_scan()
            return
        raise KeyboardInterrupt

    return on_sigterm


@contextlib.contextmanager
def sigterm_stops_scans(*, scan_follows: bool = False):
    """For the duration of one CLI command (only there: the library never touches signals).
    ``scan_follows``: the command runs a scan (see _sigterm_before_the_scan)."""
    if not hasattr(signal, "SIGTERM") or threading.current_thread() is not threading.main_thread():
        yield
        return
    handler = _on_sigterm
    if scan_follows:
        from scanner import scanning

        handler = _sigterm_before_the_scan(scanning.scans_started())
    previous = signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)
        if scan_follows:  # a stop that found no scan to stop (the command failed first) ends here
            scanning.stop_next_scan(False)
