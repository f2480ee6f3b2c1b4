"""Small text helpers shared by the plain-text formats (JUnit, SARIF, Markdown)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.model import Finding, ScanResult

# Characters XML 1.0 cannot carry at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str | None) -> str:
    """Drop characters XML 1.0 forbids (ElementTree escapes the rest)."""
    return _XML_INVALID.sub("\ufffd", text or "")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _names(items: Iterable[str], limit: int) -> list[str]:
    return list(dict.fromkeys(i for i in items if i))[:limit]


def showing(listed: int, total: int) -> str:
    """ "showing N of M" when a list of ``total`` items prints only ``listed`` of them, else ""."""
    return f"showing {listed} of {total}" if listed < total else ""


def partial_scan_text(result: ScanResult) -> str | None:
    """The warning every format carries for an unfinished scan (None for a complete one)."""
    if not result.meta.interrupted:
        return None
    return f"partial scan: {partial_reason(result)} — results are incomplete"


def partial_reason(result: ScanResult) -> str:
    """Why a partial scan is partial, in a few words: "interrupted after 7 pages", or for a logged-in
    audit that lost its session "logged out from visit 5 of 7 pages on" (scanner.report.login_text)."""
    from scanner.report.login_text import lost_text

    return lost_text(result) or f"interrupted after {plural(len(result.pages), 'page')}"


def evidence_summary(finding: Finding, limit: int = 5) -> list[str]:
    """A few lines naming the evidence: pages, cookies, requests, beacons, storage keys. Counts
    are the finding's totals; a line that names fewer items says "showing N of M"."""
    ev = finding.evidence
    lines = []
    for kind, word, values in (
        ("pages", "page", ev.pages),
        ("cookies", "cookie", (f"{c.get('name', '?')} ({c.get('domain', '?')})" for c in ev.cookies)),
        ("requests", "request", (str(r.get("url", "")) for r in ev.requests)),
        ("beacons", "beacon", (str(r.get("url", "")) for r in ev.beacons)),
        ("storage", "storage key", (str(s.get("key", "")) for s in ev.storage)),
    ):
        total = ev.total(kind)
        if not total:
            continue
        names = _names(values, limit)
        cut = showing(len(names), total)
        lines.append(f"{plural(total, word)}" + (f" ({cut})" if cut else "") + f": {', '.join(names)}")
    return lines
