"""codequality.json: GitLab Code Quality, so that findings show in merge requests.

GitLab reads a JSON array of issues (``artifacts:reports:codequality``), a subset of the Code Climate
issue format: ``description``, ``check_name``, ``fingerprint``, ``severity`` (info, minor, major, critical,
blocker) and a ``location`` in the repository (``path`` relative to it, ``lines.begin``). Each finding
that is not a passed check (declared and consistent, consent-gated, GPC honoured) is an issue placed, as
in SARIF, on the declaration file: the line of ``vendors.csv`` that declares the vendor, line 1 (the
header) for a vendor no row declares. ``type`` and ``categories`` make each issue a Code Climate issue as
well (GitLab ignores them).

GitLab tells new from resolved issues by the fingerprint alone, so it names what the finding is about and
nothing that changes from one run to the next (no URL, page, count or date): the finding's status, its
vendor (case and spacing folded; a first-party vendor named after the scanned site has the site's host
and domain replaced, as in SARIF, because preview deployments change hosts) and, for a mismatch, the
reason. A mismatch
is one issue per reason (purpose, lifetime, behaviour, ...): a new reason is a new issue, as the
``--baseline`` gate counts it.

Severity: ``blocker`` for a finding that fails this run's gate (``--fail-on``, ``--baseline``); otherwise
from the SARIF level of the finding (error: major, warning: minor, note or none: info) and, for the
behaviour audit, its severity (high: major, medium: minor, low and info: info). A partial scan adds one
``blocker`` issue saying so: the gate never passes it and issues it did not see would look resolved.
A finding a waiver accepts (``--waivers``) stays an issue of severity ``info`` whose description starts
with the waiver ("[waived (reason, owner, until DATE)]"; an expired one: "[waiver expired on DATE ...]"
with the severity of a finding without one); its fingerprint does not change.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from pathlib import Path

from scanner.fingerprints import site_names, stable_vendor
from scanner.gate import failing_findings, is_waived
from scanner.model import BEHAVIOUR_KINDS, Finding, ScanResult
from scanner.report import behaviour_text
from scanner.report.consent_text import GOOD_KINDS, consent_findings
from scanner.report.sarif import (
    RULES,
    SEVERITY_LEVELS,
    _declared_line,
    _message,
    declaration_uri,
    declared_lines,
)
from scanner.report.text import partial_scan_text
from scanner.waivers import waiver_text

FILE_NAME = "codequality.json"
CHECK_PREFIX = "tracker-audit/"
LEVEL_SEVERITY = {"error": "major", "warning": "minor", "note": "info", "none": "info"}
FAILING = "blocker"
DESCRIPTION_LIMIT = 600
PASSED = frozenset({"declared", *GOOD_KINDS})


def check_name(status: str) -> str:
    """``tracker-audit/undeclared``: the status as ``--fail-on`` spells it."""
    return CHECK_PREFIX + status.replace("_", "-")


def vendor_key(finding: Finding, site_domains: Sequence[str], site_hosts: Sequence[str] = ()) -> str:
    """The vendor as the fingerprint sees it: case and spacing folded; for a first-party vendor named
    after the scanned site, the site's host replaced by ``<host>`` and its registrable domain by ``<site>``
    (``scanner.fingerprints.stable_vendor``, as SARIF's fingerprints)."""
    return stable_vendor(" ".join(finding.vendor.casefold().split()), site_hosts, site_domains)


def fingerprint(status: str, vendor: str, reason: str = "") -> str:
    return hashlib.sha256(f"{status}\x1f{vendor}\x1f{reason}".encode()).hexdigest()[:32]


def _level(finding: Finding) -> str:
    if finding.status in BEHAVIOUR_KINDS:
        return SEVERITY_LEVELS.get(behaviour_text.severity(finding), "warning")
    return RULES.get(finding.status, {}).get("level", "warning")


def _description(finding: Finding, reason: str) -> str:
    """One line: what the finding is (as SARIF words it) and its detail; no evidence lists (those are in
    the other reports), whitespace flattened, cut at DESCRIPTION_LIMIT."""
    head = _message(finding).split("\n", 1)[0]
    if finding.waiver is not None:
        head = f"[{waiver_text(finding.waiver)}] {head}"
    text = " ".join(f"{f'[{reason}] ' if reason else ''}{head} {finding.detail}".split())
    return text if len(text) <= DESCRIPTION_LIMIT else text[: DESCRIPTION_LIMIT - 1] + "…"


def build_codequality(
    result: ScanResult, fail_on: Collection[str] | None = None, baseline: ScanResult | None = None
) -> list[dict]:
    """The Code Quality issues of one scan (a list ready for ``json.dump``), in the order of the
    result's findings; every fingerprint is unique."""
    path = declaration_uri(result.meta.declared_source)
    lines = declared_lines(result)
    hosts, domains = site_names(result.meta.start_urls)
    failing = {id(f) for f in failing_findings(result, fail_on, baseline)}
    behaviour = result.behaviour
    # The findings in the order the other reports list them (declaration, consent, behaviour).
    findings = [
        *result.findings,
        *consent_findings(result.consent),
        *behaviour_text.behaviour_findings(behaviour),
    ]
    issues: list[dict] = []
    seen: dict[str, int] = {}

    def add(name: str, description: str, key: str, severity: str, line: int) -> None:
        seen[key] = seen.get(key, 0) + 1
        if seen[key] > 1:  # two findings the fingerprint cannot tell apart: GitLab would keep one
            key = f"{key}:{seen[key]}"
        issues.append(
            {
                "type": "issue",
                "check_name": name,
                "description": description,
                "categories": ["Security"],
                "fingerprint": key,
                "severity": severity,
                "location": {"path": path, "lines": {"begin": line}},
            }
        )

    partial = partial_scan_text(result)
    if partial:
        add(check_name("partial_scan"), partial, fingerprint("partial_scan", ""), FAILING, 1)
    for finding in findings:
        if finding.status in PASSED:
            continue
        severity = FAILING if id(finding) in failing else LEVEL_SEVERITY.get(_level(finding), "minor")
        if is_waived(finding):
            severity = "info"  # accepted by a waiver: listed, as every report lists it, not a problem
        vendor = vendor_key(finding, domains, hosts)
        line = _declared_line(lines, finding)
        reasons = finding.reasons if finding.status == "mismatch" and finding.reasons else ("",)
        for reason in dict.fromkeys(reasons):
            add(
                check_name(finding.status),
                _description(finding, reason),
                fingerprint(finding.status, vendor, reason),
                severity,
                line,
            )
    return issues


def write_codequality(
    result: ScanResult,
    out_dir: Path,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
) -> Path:
    path = out_dir / FILE_NAME
    issues = build_codequality(result, fail_on, baseline)
    path.write_text(json.dumps(issues, indent=1, ensure_ascii=False), encoding="utf-8")
    return path
