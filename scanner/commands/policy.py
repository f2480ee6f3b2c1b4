"""`scanner policy import SOURCE -o vendors.csv`: turn a privacy/cookie policy into vendors.csv."""

from __future__ import annotations

import argparse
import sys
from functools import partial
from pathlib import Path

from scanner.commands.options import add_browser_arguments
from scanner.errors import EXIT_OK, BadInput


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    p = sub.add_parser(
        "policy",
        help="work with privacy/cookie policies (import one as vendors.csv)",
        description="Work with privacy and cookie policies.",
    )
    actions = p.add_subparsers(dest="policy_action", metavar="ACTION")
    imp = actions.add_parser(
        "import",
        help="read the vendors a policy declares and write them as vendors.csv",
        description="Read the third-party vendors a privacy or cookie policy declares (tables first, then "
        "lists, then sentences with links, marked low confidence) and write vendors.csv with columns "
        "name,purpose,privacy_policy,source. A summary of what came from where, and what was skipped "
        "and why, goes to stderr. Exit 2 when the policy declares no recognisable vendor.",
    )
    imp.add_argument("source", metavar="SOURCE", help="Markdown, HTML or text file, or an http(s) URL")
    imp.add_argument(
        "-o", "--output", metavar="FILE", default="-", help="where to write the CSV ('-' = stdout, default)"
    )
    add_browser_arguments(imp, fetch_only=True)
    return p


def run(args: argparse.Namespace) -> int:
    if getattr(args, "policy_action", None) != "import":
        raise BadInput("usage: scanner policy import SOURCE [-o FILE]")
    from scanner.policy import import_policy, vendors_csv

    result = import_policy(args.source, fetch_html=_fetcher(args))
    text = vendors_csv(result.rows)
    if args.output == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
    else:
        out = Path(args.output)
        try:
            out.write_text(text, encoding="utf-8", newline="")
        except OSError as err:
            raise BadInput(f"cannot write {out}: {err.strerror or err}") from None
    for line in result.summary_lines():
        print(f"scanner: {line}", file=sys.stderr)
    if args.output != "-":
        print(f"scanner: wrote {len(result.rows)} vendor(s) to {args.output}", file=sys.stderr)
    return EXIT_OK


def _fetcher(args: argparse.Namespace):
    from scanner.policy.source import is_url

    if not is_url(args.source):
        return None
    from scanner.browser import fetch_rendered_html

    return partial(
        fetch_rendered_html,
        ignore_https_errors=args.ignore_https_errors,
        browser_args=tuple(args.browser_arg),
        timeout_s=args.timeout,
        executable=args.browser,
    )
