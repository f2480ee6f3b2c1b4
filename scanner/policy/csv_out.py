"""Write imported vendors as vendors.csv (UTF-8, properly quoted)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

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
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        values = {
            "name": row.name,
            "purpose": row.purpose,
            "privacy_policy": row.privacy_policy,
            "source": row.source or "",
            "cookies": ";".join(row.cookies),
            "lifetime": getattr(row, "lifetime", None) or "",
        }
        writer.writerow([_one_line(values[c]) for c in columns])
    return buffer.getvalue()


def _one_line(value: str) -> str:
    return " ".join(value.split())
