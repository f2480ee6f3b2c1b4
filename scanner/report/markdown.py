"""summary.md: a short Markdown verdict for a pull-request comment or a CI step summary.

Names and details come from the scanned site: they are escaped so that they cannot break
the table, start a link or an image, or smuggle HTML into the comment.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from pathlib import Path

from scanner.gate import failing_findings
from scanner.model import FINDING_STATUSES, ScanResult

LABELS = {
    "undeclared": "Undeclared",
    "mismatch": "Mismatch",
    "not_observed": "Not observed",
    "declared": "Declared and consistent",
}
ICONS = {"undeclared": "🔴", "mismatch": "🟠", "not_observed": "⚪", "declared": "🟢"}
MAX_ROWS = 25
_MD_SPECIAL = re.compile(r"([\\`*_\[\]()#!|<>~&:.@])")


def md_escape(text: object, limit: int = 160) -> str:
    """Escape Markdown and HTML metacharacters and flatten whitespace; cut very long text."""
    s = " ".join(str(text if text is not None else "").split())
    if len(s) > limit:
        s = s[: limit - 1] + "…"
    return _MD_SPECIAL.sub(r"\\\1", s)


def build_summary_md(
    result: ScanResult, fail_on: Collection[str] | None = None, baseline: ScanResult | None = None
) -> str:
    failing = failing_findings(result, fail_on, baseline)
    counts = result.summary
    start = ", ".join(result.meta.start_urls) or "?"
    verdict = "❌ **Fail**" if failing else "✅ **Pass**"
    why = f" — {len(failing)} finding(s) fail the gate" if failing else ""
    if baseline is not None:
        why += " (new since the baseline)"
    lines = [
        "### Tracker audit",
        "",
        f"{verdict}{why}. Scanned {md_escape(start)} "
        f"({len(result.pages)} pages, {len(result.requests)} requests, {len(result.cookies)} cookies) "
        f"on {md_escape(result.meta.started_at)}.",
        "",
        "| Status | Count |",
        "| --- | ---: |",
    ]
    lines += [f"| {ICONS[s]} {LABELS[s]} | {counts.get(s, 0)} |" for s in FINDING_STATUSES]
    shown = [f for f in result.findings if f.status in ("undeclared", "mismatch", "not_observed")]
    if shown:
        failing_ids = {id(f) for f in failing}
        lines += [
            "",
            "| Vendor | Status | Category | Detail | Pages | Gate |",
            "| --- | --- | --- | --- | ---: | --- |",
        ]
        for f in shown[:MAX_ROWS]:
            name = md_escape(f.vendor) + (" *(unknown)*" if f.unknown else "")
            gate = "fails" if id(f) in failing_ids else ""
            lines.append(
                f"| {name} | {LABELS[f.status]} | {md_escape(f.category or '—')} | "
                f"{md_escape(f.detail)} | {len(f.evidence.pages)} | {gate} |"
            )
        if len(shown) > MAX_ROWS:
            lines.append(f"\n…and {len(shown) - MAX_ROWS} more in `findings.csv` / `report.html`.")
    lines += ["", "Full evidence: `report.html` (open from the artifact), machine-readable: `scan.json`."]
    return "\n".join(lines) + "\n"


def write_summary_md(
    result: ScanResult,
    out_dir: Path,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
) -> Path:
    path = out_dir / "summary.md"
    path.write_text(build_summary_md(result, fail_on, baseline), encoding="utf-8")
    return path
