"""The command-line options of logged-in audits (``scanner scan``): one group, and what they make."""

from __future__ import annotations

import argparse

from scanner.errors import BadInput
from scanner.login import LoginOptions

CREDENTIALS_ENV = "SCANNER_HTTP_CREDENTIALS"


class Hidden(str):
    """Text that is a secret: shown as ``(hidden)`` by ``repr`` (argparse namespaces, debug output)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "'(hidden)'"


def hidden_text(text: str) -> Hidden:
    """argparse type of a secret: never refuses (a refusal would print the value), checked later."""
    return Hidden(text)


def add_login_arguments(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("logged-in pages (see the README: Logged-in pages)")
    g.add_argument(
        "--storage-state",
        metavar="FILE",
        help="a Playwright storage-state JSON (from `scanner auth record`): its cookies and localStorage "
        "are in the browser before the first page, kept apart from what the site sets (a secret: keep "
        "it out of the repository)",
    )
    g.add_argument(
        "--login-script",
        metavar="FILE",
        help="log in first with `async def login(page, env)` of this Python file (credentials from env)",
    )
    g.add_argument(
        "--login-steps",
        metavar="FILE",
        help="log in first with the [[step]]s of this TOML file: goto, fill (env = VARIABLE), click, press, "
        "wait_for_url, wait_for_selector",
    )
    g.add_argument(
        "--logged-in-check",
        metavar="SELECTOR|url:REGEX",
        help="checked on every page: an element only logged-in pages have (e.g. '#account-menu'), or "
        "url:REGEX, the login page a lost session ends on; from the first page that fails, the scan is "
        "partial",
    )
    g.add_argument(
        "--exclude",
        metavar="REGEX",
        action="append",
        default=[],
        help="never follow links whose URL matches (repeatable); log out, sign out, delete account and "
        "unsubscribe links are never followed anyway",
    )
    g.add_argument(
        "--http-credentials",
        metavar="USER:PASSWORD",
        type=hidden_text,
        help=f"for a site behind HTTP basic auth (a staging host); better set {CREDENTIALS_ENV} instead",
    )


def login_options(args: argparse.Namespace) -> LoginOptions | None:
    """The login options of a parsed command line (None when none was given)."""
    options = LoginOptions(
        storage_state=getattr(args, "storage_state", None),
        script=getattr(args, "login_script", None),
        steps=getattr(args, "login_steps", None),
        check=getattr(args, "logged_in_check", None),
    )
    return options if options.active else None


def http_credentials(text: str | None) -> tuple[str, str] | None:
    """``USER:PASSWORD`` as (user, password); BadInput that never shows the value."""
    if text is None:
        return None
    user, sep, password = str(text).partition(":")
    if not sep or not user or any(ch in str(text) for ch in "\r\n\x00"):
        raise BadInput(
            f"--http-credentials (or {CREDENTIALS_ENV}): expected USER:PASSWORD (the value is not shown)"
        )
    return user, password
