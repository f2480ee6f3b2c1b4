"""junit.xml: one test case per declared vendor and one per undeclared tracker.

Suite "declared vendors": a case per declaration; a mismatch is a failure, a vendor never
observed is skipped (nothing to check), a consistent one passes. Suite "undeclared
trackers": every undeclared tracker is a failing case. A partial scan (``meta.interrupted``)
adds a suite "scan" whose case "scan completed" is an error (the errors recorded in the scan
are its text), so a CI test view never shows an incomplete audit as green. Fits the Jenkins/Surefire JUnit
schema that GitLab, GitHub test reporters and Jenkins read.

A consent audit (``result.consent``) adds a suite "consent": a case per consent finding (vendor x kind).
The bad kinds (a tracker before consent, despite a verified rejection, ignoring GPC, ...) and any consent
kind named in ``--fail-on`` are failures; a rejection that could not be verified and "no banner" are
skipped unless ``--fail-on`` names them (nothing could be checked); consent-gated and GPC-honoured pass.

A finding that a waiver accepts (``--waivers``, still holding) is skipped in any suite, its message the
waiver's reason, owner and expiry; once the waiver has expired the finding counts as before and its
message says so.

A behaviour audit (``result.behaviour``) adds a suite "behaviour": a case per behaviour finding (vendor x
kind). A kind named in ``--fail-on`` (``fingerprinting``, ``form-data-leak``, ...) is a failure, as it fails
the gate; an embed is information and passes; any other behaviour finding is skipped with a message that
names it and the ``--fail-on`` flag that would fail it: seen in the test view, never shown as green.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Collection
from pathlib import Path

from scanner.gate import is_waived, normalise_fail_on
from scanner.model import BAD_CONSENT_KINDS, BEHAVIOUR_KINDS, CONSENT_KINDS, Finding, ScanResult
from scanner.report import behaviour_text
from scanner.report.consent_text import GOOD_KINDS, consent_findings, kind_label
from scanner.report.coverage_text import coverage_line
from scanner.report.text import evidence_summary, partial_scan_text, xml_safe
from scanner.waivers import waiver_text


def _declaration_outcome(finding: Finding) -> str:
    """failure (undeclared, mismatch), skipped (not observed, or accepted by a waiver) or passed."""
    if is_waived(finding) or finding.status == "not_observed":
        return "skipped"
    return "failure" if finding.status in ("undeclared", "mismatch") else "passed"


def _waived_message(finding: Finding) -> str:
    w = finding.waiver
    return f"{finding.vendor}: {finding.status} {waiver_text(w)} [{w.source}]" if w else finding.vendor


def _expiry(finding: Finding) -> str:
    """ "; waiver expired on DATE" for a finding whose waiver no longer holds, else ""."""
    w = finding.waiver
    return f"; waiver expired on {w.expires} [{w.source}]" if w is not None and w.expired else ""


def _case(suite: ET.Element, classname: str, finding: Finding, name: str) -> ET.Element:
    case = ET.SubElement(suite, "testcase", name=xml_safe(name), classname=classname, time="0")
    outcome = _declaration_outcome(finding)
    if outcome == "failure":
        reasons = ", ".join(finding.reasons) or finding.status
        failure = ET.SubElement(
            case,
            "failure",
            type=finding.status,
            message=xml_safe(f"{finding.vendor}: {finding.status} ({reasons}){_expiry(finding)}"),
        )
        failure.text = xml_safe(_body(finding))
        return case
    if is_waived(finding):
        ET.SubElement(case, "skipped", message=xml_safe(_waived_message(finding)))
    elif finding.status == "not_observed":
        ET.SubElement(case, "skipped", message=xml_safe(f"{finding.vendor} was declared but not observed"))
    out = ET.SubElement(case, "system-out")
    out.text = xml_safe(_body(finding))
    return case


def _body(finding: Finding, detections: tuple = ()) -> str:
    lines = [finding.detail] if finding.detail else []
    if finding.category:
        lines.append(f"category: {finding.category}")
    if finding.declared_name:
        lines.append(f"declared as: {finding.declared_name}")
    lines.extend(evidence_summary(finding))
    lines.extend(behaviour_text.evidence_lines(finding, detections))
    if finding.waiver is not None:
        lines.append(f"{waiver_text(finding.waiver)} [{finding.waiver.source}]")
    return "\n".join(lines)


def _suite(root: ET.Element, name: str, cases: list[tuple[Finding, str]], timestamp: str) -> None:
    outcomes = [_declaration_outcome(f) for f, _ in cases]
    failures, skipped = outcomes.count("failure"), outcomes.count("skipped")
    suite = ET.SubElement(
        root,
        "testsuite",
        name=name,
        tests=str(len(cases)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
        time="0",
        timestamp=xml_safe(timestamp),
    )
    classname = "scanner." + name.replace(" ", "_")
    for finding, case_name in cases:
        _case(suite, classname, finding, case_name)


def _scan_suite(root: ET.Element, result: ScanResult) -> int:
    """The "scan" suite of a partial scan: one erroring case. Returns the number of errors (0 or 1)."""
    partial = partial_scan_text(result)
    if not partial:
        return 0
    suite = ET.SubElement(
        root,
        "testsuite",
        name="scan",
        tests="1",
        failures="0",
        errors="1",
        skipped="0",
        time="0",
        timestamp=xml_safe(result.meta.started_at),
    )
    case = ET.SubElement(suite, "testcase", name="scan completed", classname="scanner.scan", time="0")
    error = ET.SubElement(case, "error", type="partial_scan", message=xml_safe(partial))
    error.text = xml_safe("\n".join([partial + ".", *(str(e) for e in result.meta.errors)]))
    return 1


def _consent_outcome(finding: Finding, fail_on: frozenset[str]) -> str:
    """failure, skipped or passed for a consent finding (skipped: also one a waiver accepts)."""
    kind = finding.status
    if is_waived(finding):
        return "skipped"
    if kind in BAD_CONSENT_KINDS or kind in fail_on:
        return "failure"
    return "passed" if kind in GOOD_KINDS else "skipped"


def _consent_case(suite: ET.Element, finding: Finding, outcome: str) -> None:
    name = f"{kind_label(finding.status)}: {finding.vendor}"
    case = ET.SubElement(suite, "testcase", name=xml_safe(name), classname="scanner.consent", time="0")
    message = xml_safe(f"{finding.vendor}: {finding.status}{_expiry(finding)}")
    if outcome == "failure":
        failure = ET.SubElement(case, "failure", type=finding.status, message=message)
        failure.text = xml_safe(_body(finding))
        return
    if outcome == "skipped":
        text = _waived_message(finding) if is_waived(finding) else finding.detail or message
        ET.SubElement(case, "skipped", message=xml_safe(text))
    out = ET.SubElement(case, "system-out")
    out.text = xml_safe(_body(finding))


def _findings_suite(root: ET.Element, name: str, result: ScanResult, outcomes: list[str]) -> ET.Element:
    """An empty suite of one finding per test case, its counts from the cases' ``outcomes``."""
    return ET.SubElement(
        root,
        "testsuite",
        name=name,
        tests=str(len(outcomes)),
        failures=str(outcomes.count("failure")),
        errors="0",
        skipped=str(outcomes.count("skipped")),
        time="0",
        timestamp=xml_safe(result.meta.started_at),
    )


def _consent_suite(root: ET.Element, result: ScanResult, fail_on: frozenset[str]) -> tuple[int, int]:
    """The "consent" suite of a consent audit. Returns (tests, failures) it adds (0, 0 without one)."""
    if result.consent is None:
        return 0, 0
    findings = consent_findings(result.consent)
    outcomes = [_consent_outcome(f, fail_on) for f in findings]
    suite = _findings_suite(root, "consent", result, outcomes)
    for finding, outcome in zip(findings, outcomes, strict=True):
        _consent_case(suite, finding, outcome)
    return len(findings), outcomes.count("failure")


def _behaviour_outcome(finding: Finding, fail_on: frozenset[str]) -> str:
    """failure, skipped or passed for a behaviour finding (skipped: also one a waiver accepts)."""
    kind = finding.status
    if is_waived(finding):
        return "skipped"
    if kind in fail_on:
        return "failure"
    return "passed" if behaviour_text.is_info(kind) else "skipped"


def _behaviour_case(suite: ET.Element, finding: Finding, outcome: str, detections: tuple) -> None:
    label = behaviour_text.kind_label(finding.status)
    sev = behaviour_text.severity(finding)
    name = f"{label}: {finding.vendor}"
    case = ET.SubElement(suite, "testcase", name=xml_safe(name), classname="scanner.behaviour", time="0")
    message = xml_safe(f"{finding.vendor}: {finding.status} (severity {sev}){_expiry(finding)}")
    body = xml_safe(f"severity: {sev}\n" + _body(finding, detections))
    if outcome == "failure":
        failure = ET.SubElement(case, "failure", type=finding.status, message=message)
        failure.text = body
        return
    if outcome == "skipped" and is_waived(finding):
        ET.SubElement(case, "skipped", message=xml_safe(_waived_message(finding)))
    elif outcome == "skipped":
        flag = finding.status.replace("_", "-")
        ET.SubElement(
            case,
            "skipped",
            message=xml_safe(f"{label.lower()} by {finding.vendor} (fails with --fail-on {flag})"),
        )
    out = ET.SubElement(case, "system-out")
    out.text = body


def _behaviour_suite(root: ET.Element, result: ScanResult, fail_on: frozenset[str]) -> tuple[int, int]:
    """The "behaviour" suite of a behaviour audit. Returns (tests, failures) it adds (0, 0 without one)."""
    if result.behaviour is None:
        return 0, 0
    findings = behaviour_text.behaviour_findings(result.behaviour)
    outcomes = [_behaviour_outcome(f, fail_on) for f in findings]
    suite = _findings_suite(root, "behaviour", result, outcomes)
    for finding, outcome in zip(findings, outcomes, strict=True):
        _behaviour_case(suite, finding, outcome, result.behaviour.detections)
    return len(findings), outcomes.count("failure")


def build_junit(result: ScanResult, fail_on: Collection[str] | None = None) -> str:
    """The JUnit XML document as text. ``fail_on`` (the gate's statuses) makes consent kinds that are
    not failures by themselves (reject_unverified, no_banner) failures too."""
    declared = [
        (f, f"declared vendor: {f.declared_name or f.vendor}")
        for f in result.findings
        if f.status != "undeclared"
    ]
    undeclared = [(f, f"undeclared tracker: {f.vendor}") for f in result.findings if f.status == "undeclared"]
    start = ", ".join(result.meta.start_urls)
    root = ET.Element(
        "testsuites",
        name=xml_safe(f"tracker audit of {start}"),
        tests=str(len(declared) + len(undeclared)),
        failures=str(sum(_declaration_outcome(f) == "failure" for f in result.findings)),
        errors="0",
        time="0",
    )
    errors = _scan_suite(root, result)
    if errors:
        root.set("tests", str(len(declared) + len(undeclared) + errors))
        root.set("errors", str(errors))
    _suite(root, "declared vendors", declared, result.meta.started_at)
    _suite(root, "undeclared trackers", undeclared, result.meta.started_at)
    statuses = normalise_fail_on(fail_on)
    for tests, failures in (
        _consent_suite(root, result, statuses & frozenset(CONSENT_KINDS)),
        _behaviour_suite(root, result, statuses & frozenset(BEHAVIOUR_KINDS)),
    ):
        if tests:
            root.set("tests", str(int(root.get("tests", "0")) + tests))
            root.set("failures", str(int(root.get("failures", "0")) + failures))
    _coverage_properties(root, result)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _coverage_properties(root: ET.Element, result: ScanResult) -> None:
    """The crawl's coverage as ``<properties>`` of the first suite (where JUnit readers look for a run's
    facts): the line, and the counts when the scan recorded them."""
    suite = root.find("testsuite")
    if suite is None:
        return
    c = result.meta.coverage
    values = [("coverage", coverage_line(result))]
    if c is not None:
        values += [
            ("coverage.discovered", str(c.discovered)),
            ("coverage.visited", str(c.visited)),
            ("coverage.failed", str(c.failed)),
            ("coverage.not_visited", str(c.not_visited)),
            ("coverage.stopped_by", ",".join(c.stopped_by)),
        ]
    props = ET.Element("properties")
    for name, value in values:
        ET.SubElement(props, "property", name=name, value=xml_safe(value))
    suite.insert(0, props)


def write_junit(result: ScanResult, out_dir: Path, fail_on: Collection[str] | None = None) -> Path:
    path = out_dir / "junit.xml"
    path.write_text(build_junit(result, fail_on), encoding="utf-8")
    return path
