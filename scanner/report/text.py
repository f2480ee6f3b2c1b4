"""Small text helpers shared by the plain-text formats (JUnit, SARIF, Markdown)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.model import Finding

# Characters XML 1.0 cannot carry at all, even escaped.
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_safe(text: str | None) -> str:
    """Drop characters XML 1.0 forbids (ElementTree escapes the rest)."""
    return _XML_INVALID.sub("\ufffd", text or "")


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _first(items: Iterable[str], limit: int) -> str:
    items = list(dict.fromkeys(i for i in items if i))
    more = f" (+{len(items) - limit} more)" if len(items) > limit else ""
    return ", ".join(items[:limit]) + more


def evidence_summary(finding: Finding, limit: int = 5) -> list[str]:
    """A few lines naming the evidence: pages, cookies, requests, beacons, storage keys."""
    ev = finding.evidence
    lines = []
    if ev.pages:
        lines.append(f"{plural(len(ev.pages), 'page')}: {_first(ev.pages, limit)}")
    if ev.cookies:
        names = (f"{c.get('name', '?')} ({c.get('domain', '?')})" for c in ev.cookies)
        lines.append(f"{plural(len(ev.cookies), 'cookie')}: {_first(names, limit)}")
    for n, word, values in (
        (len(ev.requests), "request", (str(r.get("url", "")) for r in ev.requests)),
        (len(ev.beacons), "beacon", (str(r.get("url", "")) for r in ev.beacons)),
        (len(ev.storage), "storage key", (str(s.get("key", "")) for s in ev.storage)),
    ):
        if n:
            lines.append(f"{plural(n, word)}: {_first(values, limit)}")
    return lines
