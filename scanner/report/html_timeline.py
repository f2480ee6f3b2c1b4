"""The timeline of report.html: a small strip per page (what fired when after the navigation started,
the consent banner's answer marked on it) and each vendor's first appearance.

Static SVG, no script: one ``<path>`` per lane (requests, beacons, cookie writes, storage writes) whose
ticks sit at ``ms`` on a per-page scale, drawn with ``currentColor`` and the report's colour variables, so
it follows the theme, prints, and stretches with its column (``preserveAspectRatio="none"``; strokes keep
their width). Bounded for big scans: at most ``MAX_DRAWN`` events a page are drawn ("showing N of M"),
``VENDORS_PER_PAGE`` vendors named under it. Every text in here comes from the scanned site (URLs, cookie
names, storage keys, vendor names of unknown trackers) and is escaped by the template's autoescape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from scanner.model import ScanResult
from scanner.timeline import MAX_MS, events

MAX_DRAWN = 200  # ticks drawn per page
VENDORS_PER_PAGE = 8  # vendors named under a strip, in the order they appeared
MAX_VENDOR_ROWS = 300  # rows of the first-seen table
WIDTH = 1000  # viewBox width; the strip is stretched to its column
LANE_H = 10
LANES = (
    ("request", "requests"),
    ("beacon", "beacons"),
    ("cookie", "cookie writes"),
    ("storage", "storage writes"),
)
HEIGHT = LANE_H * len(LANES)
ACTION_WORDS = {"optIn": "accept all", "optOut": "reject all"}
PASS_WORDS = {"none": "crawl", "accept": "accept pass", "reject": "reject pass", "gpc": "GPC pass"}
CLIP = 90


def ms_text(ms: int | None) -> str:
    """``1,234 ms`` / ``12.3 s`` / ``—`` for no time."""
    if ms is None:
        return "—"
    if ms < 10_000:
        return f"{ms:,} ms"
    return f"{ms / 1000:,.1f} s"


def nice_span(ms: int) -> int:
    """The strip's full width in ms: ``ms`` rounded up to 1, 2 or 5 times a power of ten (at least 100)."""
    span = 100
    while span < ms:
        digits = str(span)
        span = {"1": 2, "2": 5}.get(digits[0], 10) * 10 ** (len(digits) - 1)
    return span


def _valid(ms: int | None) -> int | None:
    """``ms`` as the pipeline writes it (0 .. MAX_MS); anything else (a hand-edited scan.json) is no time."""
    return ms if ms is not None and 0 <= ms <= MAX_MS else None


def _clip(text: str, limit: int = CLIP) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _x(ms: int, span: int) -> float:
    return round(min(WIDTH, max(0, ms) * WIDTH / span), 1)


def _strip(
    rows: list[tuple[str, str | None, int | None, str]],
    page: Any,
    action: tuple[str | None, int | None],
) -> dict:
    """The strip of one page from its tracker events ``(kind, vendor, ms, what)``."""
    timed = sorted((r for r in rows if r[2] is not None), key=lambda r: r[2])  # type: ignore[arg-type, return-value]
    drawn = timed[:MAX_DRAWN]
    action_name, action_ms = action
    top = max([r[2] for r in drawn] + ([action_ms] if action_ms is not None else []), default=0)
    span = nice_span(int(top))  # type: ignore[arg-type]
    lanes = []
    for i, (kind, label) in enumerate(LANES):
        xs = [_x(r[2], span) for r in drawn if r[0] == kind]  # type: ignore[arg-type]
        y = i * LANE_H + 1
        lanes.append(
            {
                "kind": kind,
                "label": label,
                "n": len(xs),
                "y": y + LANE_H / 2 - 1,
                "d": "".join(f"M{x:g} {y}v{LANE_H - 2}" for x in xs),
            }
        )
    first: dict[str, tuple[int | None, str, str]] = {}
    for kind, vendor, ms, what in sorted(rows, key=lambda r: (r[2] is None, r[2] or 0)):
        if vendor is not None and vendor not in first:
            first[vendor] = (ms, kind, what)
    named = list(first.items())
    consent = None
    if action_name is not None:
        words = ACTION_WORDS.get(action_name, action_name)
        consent = {
            "x": _x(action_ms, span) if action_ms is not None else None,
            "text": f"banner answered: {words}"
            + (f" at {ms_text(action_ms)}" if action_ms is not None else ""),
        }
    summary = f"{len(timed)} tracker events"
    if len(rows) > len(timed):
        summary += f" ({len(rows) - len(timed)} more without a time)"
    return {
        "pass": page.consent_pass,
        "pass_word": PASS_WORDS.get(page.consent_pass, page.consent_pass),
        "events": len(timed),
        "drawn": len(drawn),
        "cut": len(drawn) < len(timed),
        "summary": summary,
        "span": ms_text(span),
        "lanes": lanes,
        "height": HEIGHT,
        "width": WIDTH,
        "consent": consent,
        "vendors": [
            {"vendor": _clip(v, 60), "ms": ms_text(ms), "kind": kind}
            for v, (ms, kind, _what) in named[:VENDORS_PER_PAGE]
        ],
        "vendors_more": max(0, len(named) - VENDORS_PER_PAGE),
        "label": (
            f"{len(timed)} tracker events within {ms_text(top)} of the navigation start"
            + (f"; {consent['text']}" if consent else "")
        ),
    }


def timeline_view(result: ScanResult, safe_href: Callable[[object], str | None]) -> dict | None:
    """What report.html shows of ``result.timeline``: ``strips`` (one per entry of ``result.pages``, None
    for a page without a clock) and ``first_seen`` rows (a vendor and its first appearance per pass).
    None when the scan has no timeline (saved before schema 1.4 and not analysed again)."""
    timeline = result.timeline
    if timeline is None:
        return None
    clocks = {(p.consent_pass, p.page_url): p for p in timeline.pages}
    per_page: dict[tuple[str, str], list[tuple[str, str | None, int | None, str]]] = {}
    for key, kind, vendor, ms, what, _phase in events(result):
        if key in clocks:
            per_page.setdefault(key, []).append((kind, vendor, _valid(ms), what))
    numbers: dict[tuple[str, str], int] = {}
    strips: list[dict | None] = []
    for i, page in enumerate(result.pages):
        key = (page.consent_pass, page.url)
        numbers.setdefault(key, i + 1)
        entry = clocks.get(key)
        if entry is None or numbers[key] != i + 1:
            strips.append(None)
            continue
        action = (entry.consent_action, _valid(entry.consent_action_ms))
        strip = _strip(per_page.get(key, []), page, action)
        strip["clock"] = entry.clock
        strips.append(strip)
    passes = [
        p for p in ("none", "accept", "reject", "gpc") if any(v.consent_pass == p for v in timeline.vendors)
    ]
    rows: dict[str, dict] = {}
    for v in timeline.vendors:
        row = rows.setdefault(v.vendor, {"vendor": v.vendor, "tracker": v.tracker, "cells": {}})
        row["tracker"] = row["tracker"] and v.tracker
        n = numbers.get((v.consent_pass, v.page_url))
        row["cells"][v.consent_pass] = {
            "ms": ms_text(_valid(v.ms)),
            "page": n,
            "page_url": v.page_url,
            "href": safe_href(v.page_url),
            "kind": v.kind,
            "what": _clip(v.what),
            "full": v.what,
            "after_action": v.after_action,
        }
    table = list(rows.values())
    return {
        "strips": strips,
        "timed_pages": sum(s is not None for s in strips),
        "passes": [(p, PASS_WORDS[p]) for p in passes],
        "first_seen": table[:MAX_VENDOR_ROWS],
        "first_seen_more": max(0, len(table) - MAX_VENDOR_ROWS),
        "lanes": list(LANES),
        "max_drawn": MAX_DRAWN,
    }
