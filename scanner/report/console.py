"""The console summary of one scan result, the same for `scanner scan` and `scanner report`.

A few lines on stdout before the verdict (scanner.report.verdict_text): what was scanned with the
declaration findings by status, the coverage, the logged-in audit, the consent audit, the behaviour audit
(each only when it ran), then the files written. Every line comes from the result alone, so a scan and a
re-render of its scan.json print the same summary.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from scanner.model import ScanResult


def login_line(result: ScanResult) -> str | None:
    """The logged-in audit in one line (scanner.report.login_text), made safe for a terminal; None when
    the scan neither logged in nor checked a login."""
    from scanner.report.login_text import console_line
    from scanner.safetext import terminal_text

    line = console_line(result)
    return terminal_text(line, 1000) if line is not None else None


def summary_lines(result: ScanResult, written: Iterable[Path] = ()) -> list[str]:
    """The summary's lines (no newlines)."""
    from scanner.report.coverage_text import coverage_line

    s = result.summary
    third = {r.registrable_domain for r in result.requests if r.third_party}
    lines = [
        f"scanned {len(result.pages)} pages: {len(result.cookies)} cookies, {len(result.requests)} requests "
        f"({len(third)} third-party domains); findings: {s['undeclared']} undeclared, "
        f"{s['mismatch']} mismatch, {s['not_observed']} not observed, {s['declared']} declared",
        f"coverage: {coverage_line(result)}",
    ]
    login = login_line(result)
    if login is not None:
        lines.append(login)
    if result.consent is not None:
        from scanner.report.consent_text import console_line

        lines.append(console_line(result.consent))
    if result.behaviour is not None:
        from scanner.report.behaviour_text import console_line as behaviour_line

        lines.append(behaviour_line(result.behaviour))
    lines += [f"  wrote {path}" for path in written]
    return lines


def print_summary(result: ScanResult, written: Iterable[Path] = (), out: TextIO | None = None) -> None:
    """:func:`summary_lines` on ``out`` (default: stdout)."""
    stream = out or sys.stdout
    for line in summary_lines(result, written):
        print(line, file=stream)
