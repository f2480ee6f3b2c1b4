"""The consent section of report.html as plain data (``build_view(...)["consent"]``).

Banner text, button labels, consent manager and vendor names come from the scanned page: the template
prints them as text (autoescape). Screenshots become ``<img src>`` only through ``_screenshot_src``
(relative files inside the scan folder that exist), as the page screenshots do.
"""

from __future__ import annotations

from collections.abc import Callable

from scanner.model import CONSENT_KINDS, ConsentPass, ScanResult
from scanner.report.consent_text import (
    action_text,
    banner_line,
    consent_findings,
    kind_label,
    matrix_rows,
    pass_label,
    severity,
    verified_text,
)


def _manager_text(p: ConsentPass) -> str:
    if p.cmp:
        return p.cmp
    if p.popup_found:
        return "a banner without a known consent manager"
    # the GPC pass answers nothing: it does not look for a banner
    return "— (not looked for)" if p.name == "gpc" else "not shown to this browser"


def _pass_card(p: ConsentPass, shot: Callable[[str | None], str | None]) -> dict:
    return {
        "name": p.name,
        "label": pass_label(p.name),
        "cmp": p.cmp or "",
        "cmp_text": _manager_text(p),
        "popup_found": p.popup_found,
        "action": action_text(p),
        "verified": verified_text(p),
        "verified_ok": p.verified if p.action else None,
        "action_page": p.action_page or "",
        "pages": len(p.pages),
        "banner_text": p.banner_text or "",
        "buttons": list(p.buttons),
        "before": shot(p.screenshot_before),
        "after": shot(p.screenshot_after),
        "errors": list(p.errors),
    }


def consent_view(
    result: ScanResult,
    finding_row: Callable,
    shot: Callable[[str | None], str | None],
) -> dict | None:
    """The consent section; None when no consent audit ran (``result.consent`` is None).
    ``finding_row(finding)`` shapes a finding as the findings table does (same drill-down);
    ``shot(path)`` is the safe relative ``src`` of a screenshot, or None."""
    consent = result.consent
    if consent is None:
        return None
    passes = [_pass_card(p, shot) for p in consent.passes]
    findings = []
    for f in consent_findings(consent):
        row = finding_row(f)
        row["severity"] = severity(f.status)
        findings.append(row)
    counts = consent.summary
    return {
        "banner": banner_line(consent),
        "found": any(p["cmp"] or p["popup_found"] for p in passes),
        "region": consent.region or "",
        "sample": consent.sample or "",
        "autoconsent": consent.autoconsent_version or "",
        "passes": passes,
        "columns": [{"name": p["name"], "label": p["label"]} for p in passes],
        "matrix": matrix_rows(consent),
        "findings": findings,
        "kinds": [(k, kind_label(k)) for k in CONSENT_KINDS if counts.get(k)],
        "counts": [
            {"kind": k, "label": kind_label(k), "n": counts[k], "severity": severity(k)}
            for k in CONSENT_KINDS
            if counts.get(k)
        ],
    }
