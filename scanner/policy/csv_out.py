"""Write imported vendors as vendors.csv (UTF-8, properly quoted, cells safe for a spreadsheet: a policy
may hold text that a spreadsheet would run, see ``scanner.csvsafe``)."""

from __future__ import annotations

from collections.abc import Iterable

from scanner.csvsafe import csv_text
from scanner.model import Declared

COLUMNS = ("name", "purpose", "privacy_policy", "source")


def vendors_csv(rows: Iterable[Declared]) -> str:
    """CSV text with columns name,purpose,privacy_policy,source (+ cookies, ';'-separated, and
    lifetime, the longest a vendor's cookie table row states, when any row has them)."""
    rows = list(rows)
    columns = list(COLUMNS)
    if any(row.cookies for row in rows):
        columns.append("cookies")
    if any(getattr(row, "lifetime", None) for row in rows):
        columns.append("lifetime")
    lines = []
    for row in rows:
        values = {
            "name": row.name,
            "purpose": row.purpose,
            "privacy_policy": row.privacy_policy,
            "source": row.source or "",
            "cookies": ";".join(row.cookies),
            "lifetime": getattr(row, "lifetime", None) or "",
        }
        lines.append([_one_line(values[c]) for c in columns])
    return csv_text(columns, lines)


def _one_line(value: str) -> str:
    return " ".join(value.split())
