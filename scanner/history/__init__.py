"""The scan-history database: every scan of every site, kept so that one can ask "since when does this
site load TikTok?" or "which of our 500 sites has an undeclared tracker?".

>>> from scanner.history import record_scan, trend, matrix
>>> scan_id = record_scan("history.db", "reports/shop/scan.json", campaign="2026-06")
>>> [row.name for row in trend("history.db", "https://www.shop.example/").rows if not row.in_latest]

stdlib ``sqlite3`` (WAL) by default; the SQL is portable and what is SQLite-only sits in
``scanner.history.dialect``. Tables: ``scanner.history.schema``; rows of a scan:
``scanner.history.extract``; queries: ``scanner.history.queries``; files (matrix.html/.csv, Parquet):
``scanner.history.files`` and ``scanner.history.parquet``.
"""

from __future__ import annotations

from scanner.history.db import ENV_VAR, database_path, open_history
from scanner.history.extract import finding_fingerprint, site_key
from scanner.history.queries import Comparison, Matrix, Trend, compare, list_scans, matrix, trend
from scanner.history.record import record_scan

__all__ = [
    "ENV_VAR",
    "Comparison",
    "Matrix",
    "Trend",
    "compare",
    "database_path",
    "finding_fingerprint",
    "list_scans",
    "matrix",
    "open_history",
    "record_scan",
    "site_key",
    "trend",
]
