"""Recording one scan.json into the history database (:func:`record_scan`).

The scan.json is read and checked as every command reads it (``scanner.api.read_scan``: size, UTF-8,
JSON, shape); its sha256 identifies it. Recording a file whose sha256 is already there returns the
existing scan's id and changes nothing, except that a campaign given now fills one left empty before (a
scan recorded by ``scanner scan --history`` and later ingested with its campaign). One transaction per
scan: a scan is in the history with all its rows or not at all.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from scanner.api import read_scan, scan_json_path
from scanner.errors import BadInput, CannotScan
from scanner.history import dialect, schema
from scanner.history.db import one_line, open_history
from scanner.history.extract import ScanRows, scan_rows
from scanner.textfile import MAX_SCAN_BYTES, read_limited


@dataclass(frozen=True)
class Recorded:
    """What :func:`record` did: the scan's id, whether it was new, and what it was recorded as."""

    id: int
    new: bool
    site: str
    started_at: str
    campaign: str | None
    path: Path


def record_scan(
    db: str | Path,
    scan_json: str | Path,
    *,
    campaign: str | None = None,
    site: str | None = None,
    exit_code: int | None = None,
) -> int:
    """Record the scan saved in ``scan_json`` (the file or its folder) into the history database ``db``
    (created when missing); returns the scan's id. Idempotent per scan.json content (sha256).

    ``campaign`` names the batch it belongs to; ``site`` (a URL or host) overrides the site key taken
    from the scan's first start URL; ``exit_code`` is the code the scan ended with (default: the code of
    the gate with its default ``--fail-on`` on this result). BadInput for an unreadable scan.json or
    database; CannotScan when the database cannot be written (locked past the timeout, disk full).
    """
    return record(db, scan_json, campaign=campaign, site=site, exit_code=exit_code).id


def record(
    db: str | Path,
    scan_json: str | Path,
    *,
    campaign: str | None = None,
    site: str | None = None,
    exit_code: int | None = None,
) -> Recorded:
    """:func:`record_scan`, telling also whether the scan was new."""
    path = scan_json_path(scan_json).resolve()
    raw = read_limited(path, str(path), MAX_SCAN_BYTES)
    digest = hashlib.sha256(raw).hexdigest()
    del raw
    if campaign is not None and not campaign.strip():
        raise BadInput("the campaign name is empty")
    result = read_scan(path)
    rows = scan_rows(result, site=site, campaign=campaign, exit_code=exit_code)
    with open_history(db, create=True) as conn:
        try:
            with dialect.write_transaction(conn):
                scan_id, new, stored = _write(conn, rows, str(path), digest)
        except dialect.DATABASE_ERRORS as exc:
            raise CannotScan(f"cannot record {path} in the history database {db}: {one_line(exc)}") from None
    return Recorded(scan_id, new, rows.site_key, rows.scan["started_at"], stored, path)


def _write(conn: dialect.Connection, rows: ScanRows, path: str, digest: str) -> tuple[int, bool, str | None]:
    """(scan id, whether it is new, its campaign)."""
    found = conn.execute(
        dialect.sql("SELECT id, campaign FROM scans WHERE scan_sha256 = ?"), (digest,)
    ).fetchone()
    if found is not None:
        scan_id, campaign = int(found[0]), found[1]
        if campaign is None and rows.scan["campaign"] is not None:
            campaign = rows.scan["campaign"]
            conn.execute(dialect.sql("UPDATE scans SET campaign = ? WHERE id = ?"), (campaign, scan_id))
        return scan_id, False, campaign
    site_id = _site(conn, rows.site_key, rows.start_url)
    scan = {**rows.scan, "site_id": site_id, "scan_json": path, "scan_sha256": digest}
    scan["recorded_at"] = schema.now()
    scan_id = dialect.inserted_id(_insert(conn, "scans", scan))
    for table in ("vendor_obs", "cookie_obs", "host_obs", "findings"):
        for row in getattr(rows, table):
            _insert(conn, table, {"scan_id": scan_id, **row})
    return scan_id, True, rows.scan["campaign"]


def _site(conn: dialect.Connection, key: str, url: str) -> int:
    found = conn.execute(dialect.sql("SELECT id FROM sites WHERE site_key = ?"), (key,)).fetchone()
    if found is not None:
        conn.execute(dialect.sql("UPDATE sites SET last_url = ? WHERE id = ?"), (url, found[0]))
        return int(found[0])
    cursor = _insert(
        conn, "sites", {"site_key": key, "first_url": url, "last_url": url, "created_at": schema.now()}
    )
    return dialect.inserted_id(cursor)


def _insert(conn: dialect.Connection, table: str, row: dict):
    known = {name for name, _ in schema.COLUMNS[table]}
    unknown = set(row) - known
    if unknown:  # a programming error: the rows and the schema disagree
        raise ValueError(f"{table} has no column {sorted(unknown)[0]!r}")
    names = list(row)
    statement = f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' for _ in names)})"
    return conn.execute(dialect.sql(statement), [row[n] for n in names])
