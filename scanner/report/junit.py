"""junit.xml: one test case per declared vendor and one per undeclared tracker.

Suite "declared vendors": a case per declaration; a mismatch is a failure, a vendor never
observed is skipped (nothing to check), a consistent one passes. Suite "undeclared
trackers": every undeclared tracker is a failing case. Fits the Jenkins/Surefire JUnit
schema that GitLab, GitHub test reporters and Jenkins read.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from scanner.model import Finding, ScanResult
from scanner.report.text import evidence_summary, xml_safe


def _case(suite: ET.Element, classname: str, finding: Finding, name: str) -> ET.Element:
    case = ET.SubElement(suite, "testcase", name=xml_safe(name), classname=classname, time="0")
    if finding.status in ("undeclared", "mismatch"):
        reasons = ", ".join(finding.reasons) or finding.status
        failure = ET.SubElement(
            case,
            "failure",
            type=finding.status,
            message=xml_safe(f"{finding.vendor}: {finding.status} ({reasons})"),
        )
        failure.text = xml_safe(_body(finding))
        return case
    if finding.status == "not_observed":
        ET.SubElement(case, "skipped", message=xml_safe(f"{finding.vendor} was declared but not observed"))
    out = ET.SubElement(case, "system-out")
    out.text = xml_safe(_body(finding))
    return case


def _body(finding: Finding) -> str:
    lines = [finding.detail] if finding.detail else []
    if finding.category:
        lines.append(f"category: {finding.category}")
    if finding.declared_name:
        lines.append(f"declared as: {finding.declared_name}")
    lines.extend(evidence_summary(finding))
    return "\n".join(lines)


def _suite(root: ET.Element, name: str, cases: list[tuple[Finding, str]], timestamp: str) -> None:
    failures = sum(f.status in ("undeclared", "mismatch") for f, _ in cases)
    skipped = sum(f.status == "not_observed" for f, _ in cases)
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


def build_junit(result: ScanResult) -> str:
    """The JUnit XML document as text."""
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
        failures=str(sum(f.status in ("undeclared", "mismatch") for f in result.findings)),
        errors="0",
        time="0",
    )
    _suite(root, "declared vendors", declared, result.meta.started_at)
    _suite(root, "undeclared trackers", undeclared, result.meta.started_at)
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def write_junit(result: ScanResult, out_dir: Path) -> Path:
    path = out_dir / "junit.xml"
    path.write_text(build_junit(result), encoding="utf-8")
    return path
