"""Option types and option groups shared by several commands."""

from __future__ import annotations

import argparse


def whole_number(minimum: int):
    """argparse type: an integer of at least ``minimum``."""

    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"must be at least {minimum}: {text}")
        return value

    return parse


positive_int = whole_number(1)
non_negative_int = whole_number(0)


def seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not 0 <= value <= 3600:
        raise argparse.ArgumentTypeError(f"out of range (0-3600 s): {text}")
    return value


def positive_seconds(text: str) -> float:
    value = seconds(text)
    if value <= 0:
        raise argparse.ArgumentTypeError(f"must be more than 0 s: {text}")
    return value


def locale_tag(text: str) -> str:
    from scanner.visitor import check_locale

    try:
        return check_locale(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def time_zone(text: str) -> str:
    import zoneinfo

    try:
        zoneinfo.ZoneInfo(text)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(f"not an IANA time zone such as Europe/Berlin: {text!r}") from None
    return text


def add_browser_arguments(p: argparse.ArgumentParser, *, fetch_only: bool = False) -> None:
    """Browser options; ``fetch_only`` leaves out those that only matter to a scan."""
    g = p.add_argument_group("browser")
    g.add_argument(
        "--browser", metavar="PATH", help="Chromium/Chrome executable (default: Playwright's, else system)"
    )
    g.add_argument(
        "--browser-arg",
        metavar="ARG",
        action="append",
        default=[],
        help="extra Chromium flag, verbatim (repeatable), e.g. --browser-arg=--host-resolver-rules=...",
    )
    g.add_argument(
        "--timeout",
        type=positive_seconds,
        default=30.0,
        metavar="S",
        help="deadline of each browser call of a visit, page load included (default 30; more than 0); "
        "a whole visit is capped at about 4x this plus the waits",
    )
    g.add_argument(
        "--ignore-https-errors", action="store_true", help="scan sites with invalid TLS certificates"
    )
    if fetch_only:
        return
    g.add_argument(
        "--user-agent",
        metavar="UA",
        help="user agent string, sent as is without client hints (default: desktop Chrome of the "
        "browser's version)",
    )
    g.add_argument(
        "--locale", type=locale_tag, metavar="TAG", help="languages presented, e.g. de-DE (default en-US)"
    )
    g.add_argument(
        "--timezone",
        type=time_zone,
        metavar="ZONE",
        help="IANA time zone, e.g. Europe/Berlin (default: the machine's)",
    )
    g.add_argument(
        "--block-third-party-cookies",
        action="store_true",
        help="emulate a strict browser (default: allow them, like a typical desktop Chrome)",
    )


def browser_options(args: argparse.Namespace, **more):
    """BrowserOptions from the options of :func:`add_browser_arguments` (and --http-credentials), plus
    ``more`` (the command's own: dnt, headless, ...)."""
    from scanner.browser import BrowserOptions
    from scanner.login.cli import http_credentials

    return BrowserOptions(
        executable=args.browser,
        ignore_https_errors=args.ignore_https_errors,
        block_third_party_cookies=args.block_third_party_cookies,
        extra_args=tuple(args.browser_arg),
        user_agent=args.user_agent,
        locale=args.locale,
        timezone=args.timezone,
        timeout_s=args.timeout,
        http_credentials=http_credentials(args.http_credentials),
        **more,
    )
