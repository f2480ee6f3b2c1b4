"""The history's answers as terminal tables, CSV and JSON.

Names come from scanned sites (a cookie called ``\\x1b[2J`` or with a right-to-left override is
possible): on the terminal every control or format character is shown as a ``\\u`` escape and long
values are cut, so a table cannot rewrite the screen or reorder its own columns. CSV goes through
``scanner.csvsafe``; JSON is exact.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import asdict
from typing import Any

from scanner.csvsafe import csv_text
from scanner.history.queries import GONE, NOT_SEEN_PARTIAL, PRESENT, Comparison, ScanInfo, Trend

MAX_CELL = 60
STATE_WORDS = {PRESENT: "yes", GONE: "gone", NOT_SEEN_PARTIAL: "not seen (partial)"}
PARTIAL_NOTE = (
    "not seen (partial): missing only from partial (cut-short) scans since it was last seen, which are "
    "no evidence that it is gone"
)
TREND_COLUMNS = (
    "type",
    "name",
    "detail",
    "first_seen",
    "last_seen",
    "scans",
    "of_scans",
    "scans_complete",
    "of_scans_complete",
    "scans_partial",
    "of_scans_partial",
    "in_latest",
    "state",
    "first_scan",
    "last_scan",
    "key",
)


def clean(value: Any, limit: int = MAX_CELL) -> str:
    """``value`` as one printable terminal cell."""
    text = "" if value is None else str(value)
    out = []
    for ch in text:
        if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp"):
            out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
        else:
            out.append(ch)
    text = "".join(out)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def table(header: list[str], rows: list[list[Any]]) -> str:
    cells = [[clean(h) for h in header], *([clean(v) for v in row] for row in rows)]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def trend_records(t: Trend) -> list[dict[str, Any]]:
    """The rows with the site's totals: ``scans`` of ``of_scans`` count complete and partial scans;
    ``scans_complete``/``of_scans_complete`` and ``scans_partial``/``of_scans_partial`` split them."""
    partial = t.partial
    return [
        {
            **asdict(r),
            "of_scans": len(t.scans),
            "scans_complete": r.scans - r.scans_partial,
            "of_scans_complete": len(t.scans) - partial,
            "of_scans_partial": partial,
        }
        for r in t.rows
    ]


def trend_text(t: Trend) -> str:
    first, last = t.scans[0], t.scans[-1]
    partial = t.partial
    complete = len(t.scans) - partial
    head = (
        f"{t.site}: {len(t.scans)} scan(s){f' ({partial} partial)' if partial else ''} from "
        f"{first.started_at} to {last.started_at}; "
        f"latest scan {last.id} ({last.verdict}{', partial' if last.interrupted else ''})\n\n"
    )
    rows = [
        [
            r.type,
            r.name,
            r.detail,
            r.first_seen,
            r.last_seen,
            # with partial scans, the complete and the partial ones apart (a partial scan sees less)
            *(
                [f"{r.scans - r.scans_partial}/{complete}", f"{r.scans_partial}/{partial}"]
                if partial
                else [f"{r.scans}/{len(t.scans)}"]
            ),
            STATE_WORDS.get(r.state, r.state),
        ]
        for r in t.rows
    ]
    counts = ["complete scans", "partial scans"] if partial else ["scans"]
    text = head + table(["type", "name", "detail", "first seen", "last seen", *counts, "latest"], rows)
    if any(r.state == NOT_SEEN_PARTIAL for r in t.rows):
        text += f"\n{PARTIAL_NOTE}\n"
    return text


def trend_csv(t: Trend) -> str:
    return csv_text(TREND_COLUMNS, [[rec[c] for c in TREND_COLUMNS] for rec in trend_records(t)])


def trend_json(t: Trend) -> str:
    data = {"site": t.site, "scans": [asdict(s) for s in t.scans], "rows": trend_records(t)}
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


def scans_text(scans: list[ScanInfo]) -> str:
    rows = [
        [
            s.id,
            s.site,
            s.campaign or "",
            s.started_at,
            s.verdict + (" (partial)" if s.interrupted else ""),
            s.pages,
        ]
        for s in scans
    ]
    return table(["id", "site", "campaign", "started", "verdict", "pages"], rows)


def compare_records(c: Comparison) -> dict[str, Any]:
    return asdict(c)


def compare_text(c: Comparison) -> str:
    lines = [
        f"A: scan {c.a.id} of {clean(c.a.site)} at {c.a.started_at} ({c.a.verdict})",
        f"B: scan {c.b.id} of {clean(c.b.site)} at {c.b.started_at} ({c.b.verdict})",
        "",
    ]
    partial = [name for name, scan in (("A", c.a), ("B", c.b)) if scan.interrupted]
    if partial:
        lines[-1:-1] = [
            f"{' and '.join(partial)} {'is a partial scan' if len(partial) == 1 else 'are partial scans'} "
            "(cut short): what it did not see is no evidence that it was removed or is gone"
        ]
    if not (c.vendors or c.cookies or c.findings):
        return "\n".join([*lines, "No change in vendors, cookies or findings."]) + "\n"
    if c.vendors:
        rows = [[ch.name, ch.before or "—", ch.after or "—"] for ch in c.vendors]
        lines.append(table(["vendor", "in A", "in B"], rows))
    if c.cookies:
        rows = [[ch.name, ch.detail, "added" if ch.after else "removed"] for ch in c.cookies]
        lines.append(table(["cookie", "domain", "change"], rows))
    if c.findings:
        rows = [[ch.name, ch.detail, "new" if ch.after else "gone"] for ch in c.findings]
        lines.append(table(["finding", "vendor", "change"], rows))
    return "\n".join(lines)
