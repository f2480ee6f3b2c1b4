"""The CI gate: which findings fail the build, and the exit code that says so.

``--fail-on`` names the finding statuses that fail (repeatable; ``none`` never fails on
findings). With a baseline scan only findings that are new since the baseline count: a vendor
with the same status there is old news; a mismatch counts again when it has a reason (purpose,
lifetime, ...) the baseline did not have.

The findings are the declaration's, the consent audit's (``result.consent``) and the behaviour audit's
(``result.behaviour``: ``--fail-on fingerprinting,form-data-leak``). Embeds (``embed``: like buttons,
SSO, video and map players) are information, never a failure: ``--fail-on embed`` is refused.

A partial scan (``meta.interrupted``: killed, crashed, cut off) never passes: what it did not
visit may hold more trackers. Precedence: findings that fail the gate give exit code 1 (they are
real whatever was missed); otherwise a partial scan gives 4 (``EXIT_PARTIAL``), also with
``--fail-on none``; else 0.

``--warn-on`` takes the same statuses: those findings are reported as warnings (the verdict, the
annotations, the reports) without failing; a status in both lists fails. A finding that a waiver
(``--waivers``, scanner.waivers) accepts stays listed but neither fails nor warns while the waiver
holds; once it has expired the finding counts again.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

from scanner.errors import EXIT_FINDINGS, EXIT_OK, EXIT_PARTIAL, BadInput
from scanner.fingerprints import site_names, stable_vendor
from scanner.model import BEHAVIOUR_KINDS, CONSENT_KINDS, INFO_BEHAVIOUR_KINDS, Finding, ScanResult

# Consent findings (ScanResult.consent.findings) that a gate may fail on: ``--fail-on before-consent``.
CONSENT_FAIL_ON: tuple[str, ...] = tuple(
    k for k in CONSENT_KINDS if k not in ("consent_gated", "gpc_honoured")
)
# Behaviour findings (ScanResult.behaviour.findings): ``--fail-on fingerprinting,form-data-leak``.
BEHAVIOUR_FAIL_ON: tuple[str, ...] = tuple(k for k in BEHAVIOUR_KINDS if k not in INFO_BEHAVIOUR_KINDS)
FAIL_ON_CHOICES: tuple[str, ...] = (
    "undeclared",
    "mismatch",
    "not_observed",
    *CONSENT_FAIL_ON,
    *BEHAVIOUR_FAIL_ON,
    "none",
)
DEFAULT_FAIL_ON: tuple[str, ...] = ("undeclared",)


def choices_text() -> str:
    """The ``--fail-on`` choices as a user types them (dashes)."""
    return ", ".join(c.replace("_", "-") for c in FAIL_ON_CHOICES)


def normalise_fail_on(fail_on: Iterable[str] | None) -> frozenset[str]:
    """Statuses that fail; accepts comma-separated items. ``none`` (or nothing) -> empty set."""
    return parse_statuses(fail_on, "--fail-on", DEFAULT_FAIL_ON)


def normalise_warn_on(warn_on: Iterable[str] | None) -> frozenset[str]:
    """Statuses reported as warnings (``--warn-on``, the same choices); nothing or ``none`` -> empty set."""
    return parse_statuses(warn_on, "--warn-on", ())


def parse_statuses(
    values: Iterable[str] | str | None,
    option: str,
    default: Iterable[str],
    choices: Iterable[str] | None = None,
) -> frozenset[str]:
    """The statuses a ``--fail-on``/``--warn-on`` value names (comma-separated items, dashes or
    underscores), checked against ``choices`` (the scan's: FAIL_ON_CHOICES); ``none`` -> the empty set,
    nothing given -> ``default``. BadInput names the choices."""
    if values is None:
        return frozenset(default)
    allowed = tuple(FAIL_ON_CHOICES if choices is None else choices)
    if isinstance(values, str):
        values = [values]
    wanted: set[str] = set()
    for item in values:
        for part in str(item).split(","):
            part = part.strip().lower().replace("-", "_")
            if not part:
                continue
            if choices is None and part in INFO_BEHAVIOUR_KINDS:
                raise BadInput(
                    f"{option} {part!r}: an {part} is information (a widget, button or player "
                    "the report names), not a failure"
                )
            if part not in allowed:
                shown = ", ".join(c.replace("_", "-") for c in allowed)
                raise BadInput(f"{option} {part!r}: choose from {shown}")
            wanted.add(part)
    if "none" in wanted:
        if len(wanted) > 1:
            raise BadInput(f"{option} none cannot be combined with other statuses")
        return frozenset()
    return frozenset(wanted)


def _vendor_keys(result: ScanResult) -> Callable[[Finding], str]:
    """A finding's vendor as a baseline compares it: case folded, the site's own vendors by their place in
    the scanned site (``scanner.fingerprints.stable_vendor``), so that a preview deployment's
    "pr-7.example.app (first party)" is production's "www.example.com (first party)"."""
    hosts, domains = site_names(result.meta.start_urls)
    return lambda finding: stable_vendor(" ".join(finding.vendor.casefold().split()), hosts, domains)


def all_findings(result: ScanResult) -> list[Finding]:
    """The declaration findings, then the consent findings (``result.consent``), then the behaviour
    findings (``result.behaviour``; None on scans made before behaviour audits)."""
    return [
        *result.findings,
        *(result.consent.findings if result.consent is not None else ()),
        *(result.behaviour.findings if result.behaviour is not None else ()),
    ]


def new_since(result: ScanResult, baseline: ScanResult) -> list[Finding]:
    """Findings of ``result`` that the baseline did not have."""
    old: dict[tuple[str, str], set[str]] = {}
    old_key, new_key = _vendor_keys(baseline), _vendor_keys(result)
    for f in all_findings(baseline):
        old.setdefault((old_key(f), f.status), set()).update(f.reasons)
    fresh = []
    for f in all_findings(result):
        key = (new_key(f), f.status)
        if key not in old or (f.status == "mismatch" and not set(f.reasons) <= old[key]):
            fresh.append(f)
    return fresh


def is_waived(finding: Finding) -> bool:
    """A waiver that still holds accepts the finding: it neither fails nor warns."""
    return finding.waiver is not None and not finding.waiver.expired


def failing_findings(
    result: ScanResult, fail_on: Collection[str] | None = None, baseline: ScanResult | None = None
) -> list[Finding]:
    """The findings that fail the gate, in the order of the result."""
    statuses = normalise_fail_on(fail_on)
    candidates = new_since(result, baseline) if baseline is not None else all_findings(result)
    return [f for f in candidates if f.status in statuses and not is_waived(f)]


@dataclass(frozen=True)
class Verdict:
    """The gate's decision on one scan, as every report shows it and the exit code says it."""

    code: int  # EXIT_OK, EXIT_FINDINGS or EXIT_PARTIAL
    failing: tuple[Finding, ...]  # findings that fail the gate
    partial: bool  # the scan is incomplete (meta.interrupted)
    warnings: tuple[Finding, ...] = ()  # findings of a --warn-on status (not failing, not waived)
    waived: tuple[Finding, ...] = ()  # findings a waiver accepts (it holds)
    expired: tuple[Finding, ...] = ()  # findings whose waiver has expired: they count again
    fail_on: frozenset[str] = frozenset(DEFAULT_FAIL_ON)
    warn_on: frozenset[str] = frozenset()
    baseline: bool = False  # only findings new since a baseline scan count

    @property
    def word(self) -> str:
        """FAIL (findings), PARTIAL (an incomplete scan, nothing failing in it) or PASS."""
        return {EXIT_FINDINGS: "FAIL", EXIT_PARTIAL: "PARTIAL"}.get(self.code, "PASS")

    @property
    def gated(self) -> bool:
        """False with ``--fail-on none``: no finding can fail the build."""
        return bool(self.fail_on)

    @property
    def label(self) -> str:
        """What the reports print: :attr:`word`, or "NOT GATED" for a complete scan with --fail-on none."""
        return "NOT GATED" if self.code == EXIT_OK and not self.gated else self.word

    @property
    def passed(self) -> bool:
        return self.code == EXIT_OK


def verdict(
    result: ScanResult,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
    *,
    warn_on: Collection[str] | None = None,
) -> Verdict:
    statuses = normalise_fail_on(fail_on)
    warn = normalise_warn_on(warn_on) - statuses
    candidates = new_since(result, baseline) if baseline is not None else all_findings(result)
    failing = tuple(f for f in candidates if f.status in statuses and not is_waived(f))
    warnings = tuple(f for f in candidates if f.status in warn and not is_waived(f))
    everything = all_findings(result)
    waived = tuple(f for f in everything if is_waived(f))
    expired = tuple(f for f in everything if f.waiver is not None and f.waiver.expired)
    partial = bool(result.meta.interrupted)
    code = EXIT_FINDINGS if failing else EXIT_PARTIAL if partial else EXIT_OK
    return Verdict(
        code,
        failing,
        partial,
        warnings=warnings,
        waived=waived,
        expired=expired,
        fail_on=statuses,
        warn_on=normalise_warn_on(warn_on),
        baseline=baseline is not None,
    )


def gate_exit_code(
    result: ScanResult, fail_on: Collection[str] | None = None, baseline: ScanResult | None = None
) -> int:
    """1 when findings fail the gate; else 4 for a partial (interrupted) scan; else 0."""
    return verdict(result, fail_on, baseline).code


def add_gate_options(parser: argparse.ArgumentParser) -> None:
    """``--fail-on`` and ``--baseline`` for any command that ends in a verdict."""
    parser.add_argument(
        "--fail-on",
        action="append",
        metavar="STATUS",
        help="finding status that makes the exit code 1 (dashes or underscores): "
        f"{choices_text()} "
        "(repeatable or comma-separated; default: undeclared). Consent kinds need a consent audit, "
        "fingerprinting and the other behaviour kinds the behaviour hooks, form-data-leak --probe-forms",
    )
    parser.add_argument(
        "--warn-on",
        action="append",
        metavar="STATUS",
        help="finding status reported as a warning without failing (the same choices as --fail-on; "
        "repeatable or comma-separated); a status in both lists fails",
    )
    parser.add_argument(
        "--baseline",
        metavar="OLD_SCAN_JSON",
        help="an earlier scan.json (or its folder): fail only on findings that are new since then",
    )
    parser.add_argument(
        "--waivers",
        metavar="FILE",
        help="accepted findings ([[waiver]] tables: vendor, status, reason, owner, expires): listed as "
        "waived in every report, not failing until their expiry date (see the README)",
    )
