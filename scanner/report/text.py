"""Small text helpers shared by the plain-text formats (JUnit, SARIF, Markdown)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.model import EVIDENCE_KINDS, Evidence, Finding, ScanResult

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
    """Why a partial scan is partial, in a few words: "interrupted after 7 pages" (with what stopped it
    when a batch did: "..., stopped by the batch's site timeout of 8 s", scanner.batch.runner), or for a
    logged-in audit that lost its session "logged out from visit 5 of 7 pages on" (login_text)."""
    from scanner.report.login_text import lost_text

    by = next((e for e in result.meta.errors if e.startswith("stopped by the batch's ")), None)
    why = f"interrupted after {plural(len(result.pages), 'page')}" + (f", {by}" if by else "")
    return lost_text(result) or why


def evidence_counts(ev: Evidence) -> dict[str, int]:
    """A finding's totals as every format prints them: ``pages``, ``cookies``, ``requests`` (every
    request of the vendor, beacons included, as the detail's "5 request(s) incl. 2 beacon(s)" and the
    scan's ``vendors`` rows count them), ``beacons`` (of those requests, the beacons) and ``storage``.
    scan.json keeps the parts: ``requests_total`` (requests that are not beacons) + ``beacons_total``."""
    counts = {kind: ev.total(kind) for kind in EVIDENCE_KINDS}
    counts["requests"] += counts["beacons"]
    return counts


def evidence_listed(ev: Evidence) -> dict[str, int]:
    """How many of each of :func:`evidence_counts` the finding's sample lists hold (same keys)."""
    listed = {kind: ev.listed(kind) for kind in EVIDENCE_KINDS}
    listed["requests"] += listed["beacons"]
    return listed


def evidence_summary(finding: Finding, limit: int = 5) -> list[str]:
    """A few lines naming the evidence: pages, cookies, requests, storage keys. Counts are the
    finding's totals (:func:`evidence_counts`): "5 requests incl. 2 beacons", then the beacons and the
    other requests named apart; a line that names fewer items says "showing N of M"."""
    ev = finding.evidence
    counts = evidence_counts(ev)

    def named(total: int, word: str, values: Iterable[str]) -> str:
        names = _names(values, limit)
        cut = showing(len(names), total)
        return f"{plural(total, word)}" + (f" ({cut})" if cut else "") + f": {', '.join(names)}"

    lines = []
    if counts["pages"]:
        lines.append(named(counts["pages"], "page", ev.pages))
    if counts["cookies"]:
        cookies = (f"{c.get('name', '?')} ({c.get('domain', '?')})" for c in ev.cookies)
        lines.append(named(counts["cookies"], "cookie", cookies))
    beacons, others = counts["beacons"], ev.total("requests")
    urls = {kind: (str(r.get("url", "")) for r in getattr(ev, kind)) for kind in ("requests", "beacons")}
    if beacons:
        lines.append(f"{plural(counts['requests'], 'request')} incl. {plural(beacons, 'beacon')}")
        lines.append(named(beacons, "beacon", urls["beacons"]))
    if others:
        lines.append(named(others, "other request" if beacons else "request", urls["requests"]))
    if counts["storage"]:
        keys = (str(s.get("key", "")) for s in ev.storage)
        lines.append(named(counts["storage"], "storage key", keys))
    return lines
