"""The CI gate: which findings fail the build, and the exit code that says so.

``--fail-on`` names the finding statuses that fail (repeatable; ``none`` never fails).
With a baseline scan only findings that are new since the baseline count: a vendor with
the same status there is old news; a mismatch counts again when it has a reason (purpose,
lifetime, ...) the baseline did not have.
"""

from __future__ import annotations

import argparse
from collections.abc import Collection, Iterable

from scanner.errors import EXIT_FINDINGS, EXIT_OK, BadInput
from scanner.model import Finding, ScanResult

FAIL_ON_CHOICES: tuple[str, ...] = ("undeclared", "mismatch", "not_observed", "none")
DEFAULT_FAIL_ON: tuple[str, ...] = ("undeclared",)


def normalise_fail_on(fail_on: Iterable[str] | None) -> frozenset[str]:
    """Statuses that fail; accepts comma-separated items. ``none`` (or nothing) -> empty set."""
    if fail_on is None:
        return frozenset(DEFAULT_FAIL_ON)
    wanted: set[str] = set()
    for item in fail_on:
        for part in str(item).split(","):
            part = part.strip().lower().replace("-", "_")
            if not part:
                continue
            if part not in FAIL_ON_CHOICES:
                raise BadInput(f"--fail-on {part!r}: choose from {', '.join(FAIL_ON_CHOICES)}")
            wanted.add(part)
    if "none" in wanted:
        if len(wanted) > 1:
            raise BadInput("--fail-on none cannot be combined with other statuses")
        return frozenset()
    return frozenset(wanted)


def _vendor_key(finding: Finding) -> str:
    return " ".join(finding.vendor.casefold().split())


def new_since(result: ScanResult, baseline: ScanResult) -> list[Finding]:
    """Findings of ``result`` that the baseline did not have."""
    old: dict[tuple[str, str], set[str]] = {}
    for f in baseline.findings:
        old.setdefault((_vendor_key(f), f.status), set()).update(f.reasons)
    fresh = []
    for f in result.findings:
        key = (_vendor_key(f), f.status)
        if key not in old or (f.status == "mismatch" and not set(f.reasons) <= old[key]):
            fresh.append(f)
    return fresh


def failing_findings(
    result: ScanResult, fail_on: Collection[str] | None = None, baseline: ScanResult | None = None
) -> list[Finding]:
    """The findings that fail the gate, in the order of the result."""
    statuses = normalise_fail_on(fail_on)
    candidates = new_since(result, baseline) if baseline is not None else list(result.findings)
    return [f for f in candidates if f.status in statuses]


def gate_exit_code(
    result: ScanResult, fail_on: Collection[str] | None = None, baseline: ScanResult | None = None
) -> int:
    """0 when nothing fails the gate, 1 otherwise (see the README's exit codes)."""
    return EXIT_FINDINGS if failing_findings(result, fail_on, baseline) else EXIT_OK


def add_gate_options(parser: argparse.ArgumentParser) -> None:
    """``--fail-on`` and ``--baseline`` for any command that ends in a verdict."""
    parser.add_argument(
        "--fail-on",
        action="append",
        metavar="STATUS",
        help="finding status that makes the exit code 1: "
        f"{', '.join(FAIL_ON_CHOICES)} (repeatable or comma-separated; default: undeclared)",
    )
    parser.add_argument(
        "--baseline",
        metavar="OLD_SCAN_JSON",
        help="an earlier scan.json (or its folder): fail only on findings that are new since then",
    )
