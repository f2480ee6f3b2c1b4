"""The consent audit (``ScanResult.consent``) in words and plain rows, shared by every report format.

Names of passes and finding kinds, what each pass did with the banner, the vendor x pass matrix as
rows of cells (each with its counts, a short text and, for a bad cell, the words that say why), and
the failing consent findings named for a verdict line. Every string that comes from the scanned page
(consent manager names, banner text, button labels, vendors) is returned as is: each format escapes it
in its own way.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.model import BAD_CONSENT_KINDS, CONSENT_KINDS, ConsentPass, ConsentReport, Finding

PASS_LABELS = {
    "none": "Before consent",
    "accept": "Accept all",
    "reject": "Reject all",
    "gpc": "Global Privacy Control",
}
KIND_LABELS = {
    "before_consent": "Before consent",
    "despite_reject": "Despite reject",
    "reject_unverified": "Reject unverified",
    "gpc_ignored": "GPC ignored",
    "not_in_cmp": "Not in the CMP",
    "cmp_mismatch": "CMP mismatch",
    "granted_before_choice": "Granted before choice",
    "no_banner": "No banner",
    "consent_gated": "Consent-gated",
    "gpc_honoured": "GPC honoured",
}
# The good outcomes: a check that passed, never a failure or a warning.
GOOD_KINDS = frozenset({"consent_gated", "gpc_honoured"})
# What a bad cell of the matrix means, per pass (scanner.consent.findings marks them).
BAD_CELL = {
    "none": "fires before consent",
    "reject": "fires after reject",
    "gpc": "ignores GPC",
    "accept": "bad",
}
ACTIONS = {"optIn": "accept all (opt-in)", "optOut": "reject all (opt-out)"}
COUNT_WORDS = (
    ("requests", "request"),
    ("beacons", "beacon"),
    ("cookies", "cookie"),
    ("storage", "storage key"),
)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind)


def pass_label(name: str) -> str:
    return PASS_LABELS.get(name, name)


def severity(kind: str) -> str:
    """bad (a violation), good (consent worked), or check (could not be verified / nothing shown)."""
    if kind in BAD_CONSENT_KINDS:
        return "bad"
    return "good" if kind in GOOD_KINDS else "check"


def banner_line(consent: ConsentReport) -> str:
    """Whether a consent banner was found, and by which consent manager; "not shown to this browser"
    (with the region the result holds for) rather than "none"."""
    managers = list(dict.fromkeys(p.cmp for p in consent.passes if p.cmp))
    if managers or any(p.popup_found for p in consent.passes):
        return "Consent banner found" + (f": {', '.join(managers)}" if managers else "")
    where = f" ({consent.region})" if consent.region else ""
    return f"Consent banner not shown to this browser{where}"


def action_text(p: ConsentPass) -> str:
    if p.action:
        return ACTIONS.get(p.action, p.action)
    if p.name == "gpc":
        return "none: Global Privacy Control sent" if p.signals.get("gpc_presented", True) else "none"
    return "none (looked only)" if p.name == "none" else "none: no banner to answer"


def verified_text(p: ConsentPass) -> str:
    """Whether the action took: the consent manager's result and, after a rejection, its self-test."""
    if not p.action:
        return "—"
    test = {True: "passed", False: "failed", None: "not run"}.get(p.self_test, str(p.self_test))
    if p.action == "optOut":
        head = "verified" if p.verified else "NOT verified"
        return f"{head} (result {_yes_no(p.result)}, self-test {test})"
    return f"{'succeeded' if p.verified else 'NOT confirmed'} (result {_yes_no(p.result)})"


def _yes_no(value: bool | None) -> str:
    return {True: "ok", False: "failed", None: "unknown"}.get(value, str(value))


def cell_text(cell: dict) -> str:
    """ "2 requests, 1 beacon, 1 cookie (3 after the answer) on 2 pages"; "not seen" for zeros."""
    parts = []
    for key, word in COUNT_WORDS:
        n = int(cell.get(key) or 0)
        if n:
            parts.append(f"{n} {word}" + ("" if n == 1 else "s"))
    if not parts:
        return "not seen"
    text = ", ".join(parts)
    after = int(cell.get("after_action") or 0)
    if after:
        text += f" ({after} after the answer)"
    pages = int(cell.get("pages") or 0)
    return text + (f" on {pages} page" + ("" if pages == 1 else "s") if pages else "")


def matrix_passes(consent: ConsentReport) -> list[str]:
    """The columns of the matrix: the passes that ran, in their order."""
    return [p.name for p in consent.passes]


def matrix_rows(consent: ConsentReport) -> list[dict]:
    """One row per vendor: {vendor, category, tracking, bad: [pass], cells: [{pass, counts, text, bad,
    bad_text}]} with a cell per pass that ran (a pass missing from a row's cells counts zeros)."""
    passes = matrix_passes(consent)
    rows = []
    for row in consent.matrix:
        if not isinstance(row, dict):
            continue
        given = row.get("cells") if isinstance(row.get("cells"), dict) else {}
        bad = [str(b) for b in row.get("bad") or ()]
        cells = []
        for name in passes:
            counts = given.get(name) if isinstance(given.get(name), dict) else {}
            cells.append(
                {
                    "pass": name,
                    "counts": counts,
                    "text": cell_text(counts),
                    "bad": name in bad,
                    "bad_text": BAD_CELL.get(name, "bad") if name in bad else "",
                }
            )
        rows.append(
            {
                "vendor": str(row.get("vendor") or ""),
                "category": str(row.get("category") or ""),
                "tracking": bool(row.get("tracking")),
                "bad": bad,
                "cells": cells,
            }
        )
    return rows


def consent_findings(consent: ConsentReport | None) -> list[Finding]:
    """The consent findings, in the order of :data:`CONSENT_KINDS` (stable within a kind)."""
    if consent is None:
        return []
    order = {k: i for i, k in enumerate(CONSENT_KINDS)}
    return sorted(consent.findings, key=lambda f: order.get(f.status, len(order)))


def failing_consent_text(failing: Iterable[Finding], limit: int = 20) -> str:
    """ "Criteo (despite reject), Google Analytics (before consent)" for the consent findings among the
    failing ones; "" when there are none."""
    named = [f"{f.vendor} ({kind_label(f.status).lower()})" for f in failing if f.status in KIND_LABELS]
    if len(named) > limit:
        return ", ".join(named[:limit]) + f" and {len(named) - limit} more"
    return ", ".join(named)


def console_line(consent: ConsentReport) -> str:
    """One line for the terminal: the banner, each pass's answer, the consent findings by kind."""
    passes = "; ".join(
        f"{p.name}: {action_text(p)}" + (f" ({verified_text(p)})" if p.action else "")
        for p in consent.passes
        if p.name != "none"
    )
    counts = ", ".join(f"{n} {kind_label(k).lower()}" for k, n in sorted(consent.summary.items()))
    return (
        f"consent: {banner_line(consent)}"
        + (f"; {passes}" if passes else "")
        + f"; {counts or 'no findings'}"
    )
