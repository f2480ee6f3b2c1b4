"""findings.csv, cookies.csv and requests.csv (pandas, UTF-8, header row).

Cells come from the scanned site and a spreadsheet would run a cell that starts with ``=``,
``+``, ``-``, ``@`` (CSV/formula injection). Such text cells get a leading apostrophe, the
usual neutraliser; numbers are left alone.

findings.csv counts every page, cookie, request, beacon and storage key of a finding (``evidence_note``
says which lists scan.json only samples) and carries ``scan_interrupted`` (``meta.interrupted``) on
every row, so a spreadsheet of a partial scan says so.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from scanner.model import ScanResult
from scanner.report.tables import cookies_frame, findings_frame, requests_frame

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def defuse_cell(value: object) -> object:
    """Prefix text that a spreadsheet would treat as a formula with an apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        try:
            float(value)
        except ValueError:
            return "'" + value
    return value


def _defused(frame: pd.DataFrame) -> pd.DataFrame:
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            out[col] = out[col].map(defuse_cell)
    return out


def write_csv_files(result: ScanResult, out_dir: Path) -> list[Path]:
    written = []
    findings = findings_frame(result)
    findings["scan_interrupted"] = bool(result.meta.interrupted)
    for name, frame in (
        ("findings.csv", findings),
        ("cookies.csv", cookies_frame(result)),
        ("requests.csv", requests_frame(result)),
    ):
        path = out_dir / name
        _defused(frame).to_csv(path, index=False, encoding="utf-8")
        written.append(path)
    return written
