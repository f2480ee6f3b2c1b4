"""findings.csv, cookies.csv and requests.csv (the ``csv`` module, UTF-8, header row).

Cells come from the scanned site and a spreadsheet would run a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a CR (CSV/formula injection), also after a line break inside a cell:
``scanner.csvsafe`` neutralises them (a leading apostrophe; numbers are left alone) and keeps every
row one row. An absent value (None) is an empty cell; numbers and booleans are written as Python
prints them (``200``, ``0.5``, ``True``).

findings.csv counts every page, cookie, request, beacon and storage key of a finding (``evidence_note``
says which lists scan.json only samples) and carries ``scan_interrupted`` (``meta.interrupted``) on
every row, so a spreadsheet of a partial scan says so. Its ``waiver`` column names the waiver that
accepted a finding ("waived (reason, owner, until DATE); waivers.toml:3", or "waiver expired on DATE
(...)"), empty for the others.

A consent audit (``result.consent``) adds its findings to findings.csv (``status`` is the consent kind:
before_consent, despite_reject, ...; a spreadsheet filters one column for every verdict) and writes
consent-matrix.csv: the vendor x pass matrix as a long table, one row per vendor and pass, with the
counts, what the pass did with the banner and whether the cell is bad. Without one, no
consent-matrix.csv.

A behaviour audit (``result.behaviour``) adds its findings to findings.csv (``status`` fingerprinting,
form_data_leak, ...; ``severity`` and ``observations`` filled) and writes behaviour.csv: one row per
observation of each detection (technique, criterion, script, page, frame, API calls counted, or where a
value was found: receiving request without its query, location, parameter, encoding). A scan made before
behaviour audits has no behaviour.csv.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from scanner.csvsafe import write_csv
from scanner.model import ScanResult
from scanner.report.tables import (
    Table,
    behaviour_table,
    consent_matrix_table,
    cookies_table,
    findings_table,
    requests_table,
)

CONSENT_MATRIX_FILE = "consent-matrix.csv"
BEHAVIOUR_FILE = "behaviour.csv"
MARKED_INTERRUPTED = ("findings.csv", CONSENT_MATRIX_FILE, BEHAVIOUR_FILE)  # a scan_interrupted column


def _cell(value: Any) -> Any:
    # A NaN (JSON allows it in a hand-made scan.json) is an empty cell, as an absent value.
    return None if isinstance(value, float) and math.isnan(value) else value


def write_csv_files(result: ScanResult, out_dir: Path) -> list[Path]:
    tables: dict[str, Table] = {
        "findings.csv": findings_table(result, consent=True, behaviour=True),
        "cookies.csv": cookies_table(result),
        "requests.csv": requests_table(result),
    }
    if result.consent is not None:
        tables[CONSENT_MATRIX_FILE] = consent_matrix_table(result)
    if result.behaviour is not None:
        tables[BEHAVIOUR_FILE] = behaviour_table(result)
    written = []
    for name, table in tables.items():
        if name in MARKED_INTERRUPTED:
            table = table.with_column("scan_interrupted", bool(result.meta.interrupted))
        rows = ([_cell(v) for v in row] for row in table.rows)
        written.append(write_csv(out_dir / name, table.columns, rows))
    return written
