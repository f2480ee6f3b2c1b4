"""`scanner auth record URL -o state.json`: log in by hand in the scan's browser, save the login for
`scanner scan --storage-state` (see scanner.login.record)."""

from __future__ import annotations

import argparse
import asyncio
import sys

from scanner.commands.options import add_browser_arguments, browser_options
from scanner.errors import EXIT_OK, BadInput


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from scanner.login.cli import hidden_text

    p = sub.add_parser(
        "auth",
        help="record a login (cookies and storage) for scans of logged-in pages",
        description="Logins for scans of logged-in pages.",
    )
    actions = p.add_subparsers(dest="auth_action", metavar="ACTION")
    rec = actions.add_parser(
        "record",
        help="open a browser window, log in, press Enter: the login is saved as a storage state",
        description="Open URL in a browser window with the scan's own browser settings (user agent, "
        "client hints, languages, time zone), log in there (SSO, a second factor, a captcha: however the "
        "site wants it), then press Enter in this terminal. The cookies, localStorage and IndexedDB are "
        "saved as a Playwright storage state for `scanner scan --storage-state FILE`. The file is a "
        "secret (whoever has it is logged in as you): it is created readable by you only (mode 0600); "
        "keep it out of the repository.",
        epilog="Exit codes: 0 saved, 2 bad input (the file exists without --overwrite, no display), 3 the "
        "browser could not start or was closed, 130 Ctrl-C or no Enter (nothing saved).",
    )
    rec.add_argument("url", metavar="URL", help="where to start: the site's login page or home page")
    rec.add_argument("-o", "--output", metavar="FILE", required=True, help="the storage-state file to write")
    rec.add_argument("--overwrite", action="store_true", help="replace FILE when it exists")
    rec.add_argument(
        "--headless",
        action="store_true",
        help="no window (a machine without a display): log in with --login-steps or --login-script",
    )
    rec.add_argument("--login-steps", metavar="FILE", help="log in with these steps (as scanner scan)")
    rec.add_argument("--login-script", metavar="FILE", help="log in with this script (as scanner scan)")
    rec.add_argument(
        "--http-credentials",
        metavar="USER:PASSWORD",
        type=hidden_text,
        help="for a site behind HTTP basic auth; better set SCANNER_HTTP_CREDENTIALS instead",
    )
    add_browser_arguments(rec)
    return p


def run(args: argparse.Namespace) -> int:
    if getattr(args, "auth_action", None) != "record":
        raise BadInput("usage: scanner auth record URL -o FILE")
    from pathlib import Path

    from scanner.login import LoginOptions
    from scanner.login.record import record_state

    browser = browser_options(args, headless=args.headless)
    login = LoginOptions(script=args.login_script, steps=args.login_steps)
    done = asyncio.run(
        record_state(
            args.url,
            Path(args.output),
            browser,
            login=login if login.active else None,
            overwrite=args.overwrite,
        )
    )
    print(
        f"scanner: saved the login ({done.cookies} cookie(s), localStorage of {done.origins} origin(s)) to "
        f"{done.path}, readable by you only. It is a secret: whoever has it is logged in as you. Keep it "
        f"out of the repository; scan with --storage-state {done.path}",
        file=sys.stderr,
    )
    return EXIT_OK
