"""summary.md: a short Markdown verdict for a pull-request comment or a CI step summary.

Names and details come from the scanned site: they are escaped so that they cannot break
the table, start a link or an image, or smuggle HTML into the comment. A partial scan starts
with a warning line; the Pages, Requests and Beacons columns count every page and request of a finding
(not its sample lists; Requests includes the beacons, as in every other format).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from scanner.gate import Verdict, verdict
from scanner.model import (
    BEHAVIOUR_KINDS,
    FINDING_STATUSES,
    BehaviourReport,
    ConsentReport,
    Finding,
    ScanResult,
)
from scanner.report import behaviour_text
from scanner.report.consent_text import (
    action_text,
    banner_line,
    consent_findings,
    failing_consent_text,
    kind_label,
    matrix_passes,
    matrix_rows,
    pass_label,
    severity,
    verified_text,
)
from scanner.report.coverage_text import coverage_line
from scanner.report.text import evidence_counts, partial_scan_text

LABELS = {
    "undeclared": "Undeclared",
    "mismatch": "Mismatch",
    "not_observed": "Not observed",
    "declared": "Declared and consistent",
}
ICONS = {"undeclared": "🔴", "mismatch": "🟠", "not_observed": "⚪", "declared": "🟢"}
SEVERITY_ICONS = {"bad": "🔴", "check": "🟠", "good": "🟢"}
BEHAVIOUR_ICONS = {"high": "🔴", "medium": "🟠", "low": "🟡", "info": "⚪"}
MAX_ROWS = 25
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#!|<>~&:.@])")


def md_escape(text: object, limit: int = 160) -> str:
    """Escape Markdown and HTML metacharacters and flatten whitespace; cut very long text."""
    s = " ".join(str(text if text is not None else "").split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", s)


def login_md(result: ScanResult) -> list[str]:
    """The logged-in audit's line (scanner.report.login_text) and a blank line, or nothing."""
    from scanner.report.login_text import console_line

    line = console_line(result)
    return [md_escape(line[0].upper() + line[1:], 1200) + ".", ""] if line else []


def build_summary_md(
    result: ScanResult,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
    *,
    warn_on: Collection[str] | None = None,
) -> str:
    gate = verdict(result, fail_on, baseline, warn_on=warn_on)
    failing = gate.failing
    counts = result.summary
    start = ", ".join(result.meta.start_urls) or "?"
    word = {"FAIL": "❌ **Fail**", "PARTIAL": "⚠️ **Incomplete**", "NOT GATED": "ℹ️ **Not gated**"}.get(
        gate.label, "✅ **Pass**"
    )
    why = f" — {len(failing)} finding(s) fail the gate" if failing else ""
    if gate.partial and not failing:
        why = " — a partial scan cannot pass the gate"
    elif not gate.gated and not failing:
        why = " — `--fail-on none`: findings are reported, none fails the build"
    if baseline is not None:
        why += " (new since the baseline)"
    named = failing_consent_text(failing, limit=10)
    if named:
        why += f"; consent: {md_escape(named, 600)}"
    named = behaviour_text.failing_behaviour_text(failing, limit=10)
    if named:
        why += f"; behaviour: {md_escape(named, 600)}"
    partial = partial_scan_text(result)
    lines = [f"> ⚠️ **{md_escape(partial[0].upper() + partial[1:], 400)}.**"] if partial else []
    if partial and result.meta.errors:
        lines.append(">")
    lines += [f"> {md_escape(e, 300)}" for e in result.meta.errors[:5]]
    if lines:
        lines.append("")
    lines += [
        "### Tracker audit",
        "",
        f"{word}{why}. Scanned {md_escape(start)} "
        f"({len(result.pages)} pages, {len(result.requests)} requests, {len(result.cookies)} cookies) "
        f"on {md_escape(result.meta.started_at)}.",
        "",
        f"Coverage: {md_escape(coverage_line(result), 400)}.",
        "",
        *login_md(result),
        "| Status | Count |",
        "| --- | ---: |",
    ]
    lines += [f"| {ICONS[s]} {LABELS[s]} | {counts.get(s, 0)} |" for s in FINDING_STATUSES]
    shown = [f for f in result.findings if f.status in ("undeclared", "mismatch", "not_observed")]
    marks = _gate_marks(gate)
    if shown:
        lines += [
            "",
            "| Vendor | Status | Category | Detail | Pages | Requests | Beacons | Gate |",
            "| --- | --- | --- | --- | ---: | ---: | ---: | --- |",
        ]
        for f in shown[:MAX_ROWS]:
            name = md_escape(f.vendor) + (" *(unknown)*" if f.unknown else "")
            fails = marks.get(id(f), "")
            lines.append(
                f"| {name} | {LABELS[f.status]} | {md_escape(f.category or '—')} | "
                f"{md_escape(f.detail)} | {_counts_md(f)} | {fails} |"
            )
        if len(shown) > MAX_ROWS:
            lines.append(f"\n…and {len(shown) - MAX_ROWS} more in `findings.csv` / `report.html`.")
    lines += consent_md(result.consent, marks)
    lines += behaviour_md(result.behaviour, marks)
    lines += waivers_md(gate)
    lines += ["", "Full evidence: `report.html` (open from the artifact), machine-readable: `scan.json`."]
    return "\n".join(lines) + "\n"


def _counts_md(f: Finding) -> str:
    """The Pages, Requests (beacons included) and Beacons cells: the finding's totals, as every format
    counts them (scanner.report.text.evidence_counts)."""
    counts = evidence_counts(f.evidence)
    return f"{counts['pages']} | {counts['requests']} | {counts['beacons']}"


def _gate_marks(gate: Verdict) -> dict[int, str]:
    """The Gate column of each finding (by id): "fails", "warns", "waived" or "fails (waiver expired)"."""
    marks: dict[int, str] = {}
    for f in gate.waived:
        marks[id(f)] = "waived"
    for f in gate.warnings:
        marks[id(f)] = "warns"
    for f in gate.failing:
        marks[id(f)] = "fails (waiver expired)" if f.waiver is not None else "fails"
    return marks


def waivers_md(gate: Verdict) -> list[str]:
    """The warnings, the waived findings (reason, owner, until) and the expired waivers."""
    lines: list[str] = []
    if gate.warnings:
        names = ", ".join(
            f"{md_escape(f.vendor, 60)} ({_status_label(f.status)})" for f in gate.warnings[:MAX_ROWS]
        )
        more = f" and {len(gate.warnings) - MAX_ROWS} more" if len(gate.warnings) > MAX_ROWS else ""
        lines += ["", f"⚠️ **Warnings** (reported, not failing): {names}{more}."]
    for title, found in (("Waived findings", gate.waived), ("Expired waivers", gate.expired)):
        if not found:
            continue
        lines += ["", f"#### {title}", "", "| Vendor | Status | Waiver | Owner | Until | Where |"]
        lines.append("| --- | --- | --- | --- | --- | --- |")
        for f in found[:MAX_ROWS]:
            w = f.waiver
            if w is None:
                continue
            state = "expired" if w.expired else "waived"
            lines.append(
                f"| {md_escape(f.vendor)} | {_status_label(f.status)} | {state}: "
                f"{md_escape(w.reason, 200)} | {md_escape(w.owner, 80)} | {md_escape(w.expires, 20)} | "
                f"{md_escape(w.source, 120)} |"
            )
        if len(found) > MAX_ROWS:
            lines.append(f"\n…and {len(found) - MAX_ROWS} more in `findings.csv` / `report.html`.")
    return lines


def _status_label(status: str) -> str:
    if status in LABELS:
        return LABELS[status]
    return behaviour_text.kind_label(status) if status in BEHAVIOUR_KINDS else kind_label(status)


def consent_md(consent: ConsentReport | None, marks: dict[int, str]) -> list[str]:
    """The consent section: the banner, one line per pass, the vendor x pass matrix and the consent
    findings (none of it when no consent audit ran)."""
    if consent is None:
        return []
    lines = ["", "#### Consent audit", "", md_escape(banner_line(consent), 300) + "."]
    if consent.region:
        lines[-1] += f" Results hold for this scan's region: {md_escape(consent.region, 200)}."
    lines += ["", "| Pass | Consent manager | Action | Verified |", "| --- | --- | --- | --- |"]
    for p in consent.passes:
        lines.append(
            f"| {pass_label(p.name)} | {md_escape(p.cmp or '—')} | {md_escape(action_text(p))} | "
            f"{md_escape(verified_text(p))} |"
        )
    lines += _matrix_md(consent)
    lines += _consent_findings_md(consent_findings(consent), marks)
    return lines


def _matrix_md(consent: ConsentReport) -> list[str]:
    rows = matrix_rows(consent)
    if not rows:
        return []
    passes = matrix_passes(consent)
    lines = [
        "",
        "| Vendor | " + " | ".join(pass_label(p) for p in passes) + " |",
        "| --- |" + " --- |" * len(passes),
    ]
    for row in rows[:MAX_ROWS]:
        cells = " | ".join(_cell_md(c) for c in row["cells"])
        lines.append(f"| {md_escape(row['vendor'])} | {cells} |")
    if len(rows) > MAX_ROWS:
        lines.append(f"\n…and {len(rows) - MAX_ROWS} more vendors in `consent-matrix.csv` / `report.html`.")
    return lines


def _cell_md(cell: dict) -> str:
    """A matrix cell; a bad one says why in words (not colour alone)."""
    mark = f"❌ **{cell['bad_text']}**: " if cell["bad"] else ""
    return mark + md_escape(cell["text"], 120)


def _consent_findings_md(findings: list[Finding], marks: dict[int, str]) -> list[str]:
    if not findings:
        return []
    lines = [
        "",
        "| Vendor | Consent finding | Detail | Pages | Requests | Beacons | Gate |",
        "| --- | --- | --- | ---: | ---: | ---: | --- |",
    ]
    for f in findings[:MAX_ROWS]:
        icon = SEVERITY_ICONS[severity(f.status)]
        fails = marks.get(id(f), "")
        lines.append(
            f"| {md_escape(f.vendor)} | {icon} {kind_label(f.status)} | {md_escape(f.detail)} | "
            f"{_counts_md(f)} | {fails} |"
        )
    if len(findings) > MAX_ROWS:
        lines.append(f"\n…and {len(findings) - MAX_ROWS} more in `findings.csv` / `report.html`.")
    return lines


def behaviour_md(report: BehaviourReport | None, marks: dict[int, str]) -> list[str]:
    """The behaviour section: what the audit could see, a table of the findings (kind, severity, vendor,
    criterion met, scripts, pages, gate), the embeds named in one line (none of it without an audit)."""
    if report is None:
        return []
    lines = ["", "#### Behaviour", ""]
    hooks, probe = behaviour_text.audit_lines(report)
    lines += [md_escape(hooks, 300), "", md_escape(probe, 300)]
    findings = behaviour_text.behaviour_findings(report)
    shown = [f for f in findings if not behaviour_text.is_info(f.status)]
    embeds = [f for f in findings if behaviour_text.is_info(f.status)]
    if shown:
        lines += [
            "",
            "| Behaviour | Severity | Vendor | Criterion met | Scripts | Pages | Gate |",
            "| --- | --- | --- | --- | --- | ---: | --- |",
        ]
        for f in shown[:MAX_ROWS]:
            sev = behaviour_text.severity(f)
            obs = behaviour_text.observations(f, report.detections)
            criteria = "; ".join(behaviour_text.criteria_of(obs)[:3]) or "—"
            scripts = behaviour_text.scripts_of(obs)
            script_text = (
                md_escape(scripts[0], 100) + (f" (+{len(scripts) - 1} more)" if len(scripts) > 1 else "")
                if scripts
                else "—"
            )
            name = md_escape(f.vendor) + (" *(unknown)*" if f.unknown else "")
            fails = marks.get(id(f), "")
            lines.append(
                f"| {behaviour_text.kind_label(f.status)} | {BEHAVIOUR_ICONS.get(sev, '')} "
                f"{behaviour_text.SEVERITY_LABELS.get(sev, sev)} | {name} | {md_escape(criteria, 200)} | "
                f"{script_text} | {behaviour_text.pages_total(f, obs)} | {fails} |"
            )
        if len(shown) > MAX_ROWS:
            lines.append(f"\n…and {len(shown) - MAX_ROWS} more in `behaviour.csv` / `report.html`.")
    else:
        lines += [
            "",
            "No fingerprinting, session recording, form-data leak, identifier sharing or hidden tracker.",
        ]
    if embeds:
        names = ", ".join(md_escape(f.vendor, 60) for f in embeds[:MAX_ROWS])
        more = f" and {len(embeds) - MAX_ROWS} more" if len(embeds) > MAX_ROWS else ""
        lines += ["", f"Embeds and widgets (information): {names}{more}."]
    lines += [
        "",
        "Not detected is not absent: see the blind spots in `report.html` (workers, about:blank "
        "frames, compressed payloads).",
    ]
    return lines


def write_summary_md(
    result: ScanResult,
    out_dir: Path,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
    *,
    warn_on: Collection[str] | None = None,
) -> Path:
    path = out_dir / "summary.md"
    path.write_text(build_summary_md(result, fail_on, baseline, warn_on=warn_on), encoding="utf-8")
    return path
