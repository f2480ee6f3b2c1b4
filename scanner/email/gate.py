"""The CI gate of ``scanner email``: the scan's gate (``scanner.gate.Verdict``, the same exit codes) over the
e-mail statuses.

``--fail-on`` takes undeclared, mismatch, not_observed, address_leak or none (repeatable, comma-separated,
dashes or underscores); the default is ``undeclared,address_leak``: a tracker the declaration does not
name, and the recipient's address in a URL, which is a finding whatever was declared. ``--warn-on`` takes
the same statuses and reports without failing; a status in both lists fails. Exit codes: 0 pass, 1 a
finding fails the gate.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.email.model import EmailAudit
from scanner.errors import EXIT_FINDINGS, EXIT_OK
from scanner.gate import Verdict, parse_statuses

EMAIL_FAIL_ON: tuple[str, ...] = ("undeclared", "mismatch", "not_observed", "address_leak", "none")
DEFAULT_EMAIL_FAIL_ON: tuple[str, ...] = ("undeclared", "address_leak")


def choices_text() -> str:
    return ", ".join(c.replace("_", "-") for c in EMAIL_FAIL_ON)


def statuses(values: Iterable[str] | str | None, option: str, default: Iterable[str]) -> frozenset[str]:
    """The e-mail statuses named: the scan's parser (scanner.gate.parse_statuses) over EMAIL_FAIL_ON."""
    return parse_statuses(values, option, default, EMAIL_FAIL_ON)


def email_verdict(
    audit: EmailAudit, fail_on: Iterable[str] | str | None = None, warn_on: Iterable[str] | str | None = None
) -> Verdict:
    failing_on = statuses(fail_on, "--fail-on", DEFAULT_EMAIL_FAIL_ON)
    warning_on = statuses(warn_on, "--warn-on", ()) - failing_on
    failing = tuple(f for f in audit.findings if f.status in failing_on)
    warnings = tuple(f for f in audit.findings if f.status in warning_on)
    return Verdict(
        EXIT_FINDINGS if failing else EXIT_OK,
        failing,
        False,
        warnings=warnings,
        fail_on=failing_on,
        warn_on=warning_on,
    )
