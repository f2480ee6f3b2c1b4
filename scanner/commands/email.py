"""`scanner email FILE|DIR...`: audit newsletters (.eml, mbox, .html) for open pixels, tracked links and
leaks of the recipient's address, against the declared vendors; statically unless ``--render``."""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

from scanner.commands.options import add_browser_arguments


def add_parser(sub: argparse._SubParsersAction) -> argparse.ArgumentParser:
    from scanner.email.gate import choices_text
    from scanner.email.report import DEFAULT_EMAIL_FORMATS, EMAIL_FORMATS

    p = sub.add_parser(
        "email",
        help="audit e-mail newsletters: open pixels, link tracking, the recipient's address in URLs",
        description="Read e-mail messages (.eml, mbox, or .html bodies; folders of them) and find tracking "
        "pixels (tiny or hidden images, ESP open-pixel URLs), CSS background images and @import, tracked "
        "links (ESP click redirects, redirectors, unwrapped: Outlook Safe Links, Google redirects), "
        "identifiers and the recipient's address (plain, URL-encoded, base64, md5/sha1/sha256) in any URL, "
        "and List-Unsubscribe headers. Each host is attributed to a vendor with the scan's catalog and "
        "compared with the declaration. Statically: nothing is fetched unless --render. Writes report.html, "
        "email.json, findings.csv and references.csv (more with --format). Exit codes: 0 clean, 1 findings "
        "at or above --fail-on, 2 bad input, 3 the browser could not run (--render).",
    )
    p.add_argument(
        "paths", metavar="FILE|DIR", nargs="+", help=".eml, .mbox or .html files, or folders of them"
    )
    decl = p.add_mutually_exclusive_group()
    decl.add_argument("--vendors", metavar="CSV", help="the declared vendors (vendors.csv)")
    decl.add_argument("--policy", metavar="SOURCE", help="the declared vendors, from a policy (file or URL)")
    p.add_argument(
        "--recipient",
        metavar="ADDR",
        action="append",
        default=[],
        help="the recipient's address to look for in URLs (repeatable; default: the message's "
        "Delivered-To, else its To and Cc)",
    )
    p.add_argument(
        "--first-party",
        metavar="DOMAIN",
        action="append",
        default=[],
        help="the sender's own domains besides the From address's (repeatable)",
    )
    p.add_argument(
        "--catalog", metavar="FILE", action="append", default=[], help="extra vendor catalog entries"
    )
    p.add_argument("--out", metavar="DIR", help="output folder (default: reports/email-<UTC time>/)")
    p.add_argument(
        "--format",
        action="append",
        metavar="LIST",
        help=f"comma-separated, repeatable: {','.join(EMAIL_FORMATS)} or all "
        f"(default {','.join(DEFAULT_EMAIL_FORMATS)})",
    )
    p.add_argument(
        "--fail-on",
        action="append",
        metavar="STATUS",
        help=f"finding status that makes the exit code 1: {choices_text()} (repeatable or comma-separated; "
        "default: undeclared,address-leak)",
    )
    p.add_argument(
        "--warn-on",
        action="append",
        metavar="STATUS",
        help="finding status reported as a warning without failing (the same choices)",
    )
    p.add_argument(
        "--render",
        action="store_true",
        help="also open each message's HTML in Chromium (from a local file) and record the requests it "
        "fires; this fires the sender's open tracking. Off by default; every output says when it ran",
    )
    add_browser_arguments(p, fetch_only=True)
    return p


def _default_out() -> Path:
    return Path("reports") / f"email-{datetime.now(UTC).strftime('%Y%m%d-%H%M%S')}"


def run(args: argparse.Namespace) -> int:
    from scanner.email.audit import run_audit, scan_view
    from scanner.email.gate import DEFAULT_EMAIL_FAIL_ON, email_verdict, statuses
    from scanner.email.message import read_messages
    from scanner.email.report import parse_email_formats, write_email_reports
    from scanner.errors import BadInput
    from scanner.pipeline import load_declaration
    from scanner.report.verdict_text import print_verdict
    from scanner.safetext import terminal_text

    formats = parse_email_formats(args.format)  # every option is checked before any work
    statuses(args.fail_on, "--fail-on", DEFAULT_EMAIL_FAIL_ON)
    statuses(args.warn_on, "--warn-on", ())
    for address in args.recipient:
        if "@" not in address or any(c.isspace() for c in address.strip()):
            raise BadInput(f"--recipient {address!r}: not an e-mail address")
    inputs = read_messages(args.paths)
    for skipped in inputs.skipped:
        print(f"scanner: skipped {terminal_text(skipped, 300)}", file=sys.stderr)
    declared, declared_source = load_declaration(args.vendors, args.policy)
    rendered = None
    if args.render:
        from scanner.email.render import render_messages

        print(
            "scanner: --render: opening the messages in Chromium fires their open tracking", file=sys.stderr
        )
        rendered = render_messages(
            inputs.messages,
            executable=args.browser,
            browser_args=tuple(args.browser_arg),
            timeout_s=args.timeout,
            ignore_https_errors=args.ignore_https_errors,
        )
    audit = run_audit(
        inputs,
        declared=declared,
        declared_source=declared_source,
        catalog_files=[Path(c) for c in args.catalog],
        recipients=args.recipient,
        first_party=args.first_party,
        rendered=rendered,
        options={
            "paths": [str(p) for p in args.paths],
            "recipients_given": len(args.recipient),
            "first_party": list(args.first_party),
            "render": bool(args.render),
        },
    )
    out_dir = Path(args.out) if args.out else _default_out()
    for path in write_email_reports(audit, out_dir, formats, fail_on=args.fail_on, warn_on=args.warn_on):
        print(f"wrote {path}")
    t = audit.totals()
    label = " (rendered in Chromium)" if audit.rendered else ""
    print(
        f"messages: {t['messages']}{label}: {t['pixels']} open pixel(s), "
        f"{t['tracked_links']} tracked link(s), {t['leaks']} address leak(s), "
        f"{t['identifiers']} identifier(s)"
        + (f", {t['rendered_requests']} rendered request(s)" if audit.rendered else "")
    )
    print("findings: " + ", ".join(f"{n} {s.replace('_', ' ')}" for s, n in audit.summary.items()))
    gate = email_verdict(audit, args.fail_on, args.warn_on)
    print_verdict(scan_view(audit), gate)
    return gate.code
