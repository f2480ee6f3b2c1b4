"""One severity scale for every finding kind, shared by the campaign report, the batch runner's summary
and the history: the level of the kind's SARIF rule (error = high, warning = medium, note = low, none =
info), or a behaviour finding's own severity. A "problem" is a finding above info that no waiver in
force accepts (the gate does not count it either)."""

from __future__ import annotations

from scanner.model import BEHAVIOUR_KINDS, SEVERITIES, Finding

LEVEL_SEVERITY = {"error": "high", "warning": "medium", "note": "low", "none": "info"}
SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}  # high 0 ... info 3


def finding_severity(finding: Finding) -> str:
    """high | medium | low | info for any finding kind: a behaviour finding's own severity, else the
    level of the kind's SARIF rule (undeclared and the worst consent kinds are high, a mismatch or a
    signal the site ignored medium, a declared vendor not observed or no banner low, a check that
    passed info); a kind without a rule is medium."""
    from scanner.report import behaviour_text
    from scanner.report.sarif import RULES

    if finding.status in BEHAVIOUR_KINDS:
        return behaviour_text.severity(finding)
    rule = RULES.get(finding.status)
    return LEVEL_SEVERITY.get(rule["level"], "medium") if rule else "medium"


def is_problem(finding: Finding) -> bool:
    """A finding counted as a problem: above info (not a check that passed, not an embed) and not
    accepted by a waiver that still holds."""
    from scanner.gate import is_waived

    return finding_severity(finding) != "info" and not is_waived(finding)
