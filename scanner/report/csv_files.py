"""findings.csv, cookies.csv and requests.csv (pandas, UTF-8, header row).

Cells come from the scanned site and a spreadsheet would run a cell that starts with ``=``,
``+``, ``-``, ``@``, a tab or a CR (CSV/formula injection), also after a line break inside a cell:
``scanner.csvsafe`` neutralises them (a leading apostrophe; numbers are left alone) and keeps every
row one row.

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

from pathlib import Path

import pandas as pd

from scanner.csvsafe import write_frame
from scanner.model import ScanResult
from scanner.report.tables import (
    behaviour_frame,
    consent_matrix_frame,
    cookies_frame,
    findings_frame,
    requests_frame,
)

CONSENT_MATRIX_FILE = "consent-matrix.csv"
BEHAVIOUR_FILE = "behaviour.csv"


def _findings(result: ScanResult) -> pd.DataFrame:
    findings = findings_frame(result, consent=True, behaviour=True)
    findings["scan_interrupted"] = bool(result.meta.interrupted)
    return findings


def write_csv_files(result: ScanResult, out_dir: Path) -> list[Path]:
    written = []
    frames = [
        ("findings.csv", _findings(result)),
        ("cookies.csv", cookies_frame(result)),
        ("requests.csv", requests_frame(result)),
    ]
    if result.consent is not None:
        matrix = consent_matrix_frame(result)
        matrix["scan_interrupted"] = bool(result.meta.interrupted)
        frames.append((CONSENT_MATRIX_FILE, matrix))
    if result.behaviour is not None:
        behaviour = behaviour_frame(result)
        behaviour["scan_interrupted"] = bool(result.meta.interrupted)
        frames.append((BEHAVIOUR_FILE, behaviour))
    for name, frame in frames:
        path = out_dir / name
        written.append(write_frame(frame, path))
    return written
