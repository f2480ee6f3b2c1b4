"""findings.csv, cookies.csv and requests.csv (pandas, UTF-8, header row).

Cells come from the scanned site and a spreadsheet would run a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a CR (CSV/formula injection), also after a line break inside a cell:
``scanner.csvsafe`` neutralises them (a leading apostrophe; numbers are left alone) and keeps every
row one row.

findings.csv counts every page, cookie, request, beacon and storage key of a finding (``evidence_note``
says which lists scan.json only samples) and carries ``scan_interrupted`` (``meta.interrupted``) on
every row, so a spreadsheet of a partial scan says so.
"""

from __future__ import annotations

from pathlib import Path

from scanner.csvsafe import write_frame
from scanner.model import ScanResult
from scanner.report.tables import cookies_frame, findings_frame, requests_frame


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
        written.append(write_frame(frame, path))
    return written
