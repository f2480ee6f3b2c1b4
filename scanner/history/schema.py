"""The history database's tables, created and upgraded by numbered migrations.

``schema_version`` holds one row per migration applied (version, applied_at). Opening a database
applies the missing ones in order, each in its own write transaction; a database written by a newer
scanner (a version this one does not know) is refused rather than guessed at. A migration is frozen
once released: a change of the tables is a new entry in :data:`MIGRATIONS`, and :data:`COLUMNS` (the
current shape, which the Parquet export types its columns from) is updated with it; a test checks the
two agree.

Tables (``*_obs`` and ``findings`` have one row per observation of a scan, ``consent_pass`` naming the
pass: ``none`` is the crawl, ``accept``/``reject``/``gpc`` the consent passes):

- ``sites``: one per site key (the registrable domain of the start URL: the scanner's first-party scope),
  with the first and the latest start URL recorded;
- ``scans``: one per scan.json (its sha256 is unique: recording the same file twice records it once),
  with the campaign, times, versions (tool, catalog, autoconsent rules, scan.json schema), exit code
  and verdict, partial flag, page/request/cookie counts, and the file's path;
- ``vendor_obs``: per vendor and pass: category, tracker, declaration status, pages, requests, beacons,
  cookies, storage keys (here, as in scan.json, ``requests`` are the requests that are not beacons:
  the reports' request total is ``requests + beacons``);
- ``cookie_obs``: per cookie (name, domain, path) and pass: vendor, lifetime, third party, set by,
  session, set before any consent choice, pages;
- ``host_obs``: per requested host and pass: registrable domain, vendor, third party, requests (not
  beacons), beacons;
- ``findings``: every finding (declaration, consent and behaviour kinds) with its severity, reasons and a
  fingerprint stable across scans of the site (``scanner.history.extract.finding_fingerprint``).
"""

from __future__ import annotations

from datetime import UTC, datetime

from scanner.errors import BadInput
from scanner.history import dialect

# Logical column types: "id" (auto-numbered key), "int", "real", "text", "bool".
COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "sites": (
        ("id", "id"),
        ("site_key", "text"),
        ("first_url", "text"),
        ("last_url", "text"),
        ("created_at", "text"),
    ),
    "scans": (
        ("id", "id"),
        ("site_id", "int"),
        ("campaign", "text"),
        ("start_url", "text"),
        ("started_at", "text"),
        ("finished_at", "text"),
        ("tool_version", "text"),
        ("catalog_version", "text"),
        ("autoconsent_version", "text"),
        ("schema_version", "text"),
        ("browser_version", "text"),
        ("region", "text"),
        ("passes", "text"),
        ("exit_code", "int"),
        ("verdict", "text"),
        ("interrupted", "bool"),
        ("pages", "int"),
        ("requests", "int"),
        ("cookies", "int"),
        ("scan_json", "text"),
        ("scan_sha256", "text"),
        ("recorded_at", "text"),
    ),
    "vendor_obs": (
        ("scan_id", "int"),
        ("vendor", "text"),
        ("consent_pass", "text"),
        ("category", "text"),
        ("tracker", "bool"),
        ("unknown", "bool"),
        ("status", "text"),
        ("pages", "int"),
        ("requests", "int"),
        ("beacons", "int"),
        ("cookies", "int"),
        ("storage", "int"),
    ),
    "cookie_obs": (
        ("scan_id", "int"),
        ("name", "text"),
        ("domain", "text"),
        ("path", "text"),
        ("consent_pass", "text"),
        ("vendor", "text"),
        ("lifetime_days", "real"),
        ("third_party", "bool"),
        ("set_by", "text"),
        ("session", "bool"),
        ("before_consent", "bool"),
        ("pages", "int"),
    ),
    "host_obs": (
        ("scan_id", "int"),
        ("host", "text"),
        ("consent_pass", "text"),
        ("registrable_domain", "text"),
        ("vendor", "text"),
        ("third_party", "bool"),
        ("requests", "int"),
        ("beacons", "int"),
    ),
    "findings": (
        ("scan_id", "int"),
        ("family", "text"),
        ("kind", "text"),
        ("vendor", "text"),
        ("category", "text"),
        ("declared_name", "text"),
        ("severity", "text"),
        ("reasons", "text"),
        ("unknown", "bool"),
        ("pages", "int"),
        ("fingerprint", "text"),
        ("sarif_fingerprint", "text"),
    ),
}
TABLES: tuple[str, ...] = tuple(COLUMNS)

_V1 = (
    """CREATE TABLE sites (
        id {id},
        site_key TEXT NOT NULL UNIQUE,
        first_url TEXT NOT NULL,
        last_url TEXT NOT NULL,
        created_at TEXT NOT NULL
    )""",
    """CREATE TABLE scans (
        id {id},
        site_id BIGINT NOT NULL REFERENCES sites (id),
        campaign TEXT,
        start_url TEXT NOT NULL,
        started_at TEXT NOT NULL,
        finished_at TEXT,
        tool_version TEXT,
        catalog_version TEXT,
        autoconsent_version TEXT,
        schema_version TEXT,
        browser_version TEXT,
        region TEXT,
        passes TEXT NOT NULL,
        exit_code INTEGER NOT NULL,
        verdict TEXT NOT NULL,
        interrupted BOOLEAN NOT NULL,
        pages INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        cookies INTEGER NOT NULL,
        scan_json TEXT NOT NULL,
        scan_sha256 TEXT NOT NULL UNIQUE,
        recorded_at TEXT NOT NULL
    )""",
    "CREATE INDEX scans_site ON scans (site_id, started_at)",
    "CREATE INDEX scans_campaign ON scans (campaign, site_id, started_at)",
    """CREATE TABLE vendor_obs (
        scan_id BIGINT NOT NULL REFERENCES scans (id),
        vendor TEXT NOT NULL,
        consent_pass TEXT NOT NULL,
        category TEXT,
        tracker BOOLEAN NOT NULL,
        unknown BOOLEAN NOT NULL,
        status TEXT,
        pages INTEGER NOT NULL,
        requests INTEGER NOT NULL,
        beacons INTEGER NOT NULL,
        cookies INTEGER NOT NULL,
        storage INTEGER NOT NULL,
        PRIMARY KEY (scan_id, vendor, consent_pass)
    )""",
    "CREATE INDEX vendor_obs_vendor ON vendor_obs (vendor)",
    """CREATE TABLE cookie_obs (
        scan_id BIGINT NOT NULL REFERENCES scans (id),
        name TEXT NOT NULL,
        domain TEXT NOT NULL,
        path TEXT NOT NULL,
        consent_pass TEXT NOT NULL,
        vendor TEXT,
        lifetime_days DOUBLE PRECISION,
        third_party BOOLEAN NOT NULL,
        set_by TEXT NOT NULL,
        session BOOLEAN NOT NULL,
        before_consent BOOLEAN NOT NULL,
        pages INTEGER NOT NULL,
        PRIMARY KEY (scan_id, name, domain, path, consent_pass)
    )""",
    """CREATE TABLE host_obs (
        scan_id BIGINT NOT NULL REFERENCES scans (id),
        host TEXT NOT NULL,
        consent_pass TEXT NOT NULL,
        registrable_domain TEXT NOT NULL,
        vendor TEXT,
        third_party BOOLEAN NOT NULL,
        requests INTEGER NOT NULL,
        beacons INTEGER NOT NULL,
        PRIMARY KEY (scan_id, host, consent_pass)
    )""",
    """CREATE TABLE findings (
        scan_id BIGINT NOT NULL REFERENCES scans (id),
        family TEXT NOT NULL,
        kind TEXT NOT NULL,
        vendor TEXT NOT NULL,
        category TEXT,
        declared_name TEXT,
        severity TEXT NOT NULL,
        reasons TEXT NOT NULL,
        unknown BOOLEAN NOT NULL,
        pages INTEGER NOT NULL,
        fingerprint TEXT NOT NULL,
        sarif_fingerprint TEXT NOT NULL
    )""",
    "CREATE INDEX findings_scan ON findings (scan_id)",
    "CREATE INDEX findings_fingerprint ON findings (fingerprint)",
)

# version -> the statements that bring the database from version - 1 to it.
MIGRATIONS: dict[int, tuple[str, ...]] = {1: _V1}
SCHEMA_VERSION = max(MIGRATIONS)


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def current_version(conn: dialect.Connection) -> int:
    """The database's schema version; 0 for a new, empty database."""
    if not dialect.table_exists(conn, "schema_version"):
        return 0
    row = conn.execute(dialect.sql("SELECT MAX(version) FROM schema_version")).fetchone()
    return int(row[0] or 0)


def migrate(conn: dialect.Connection, where: str) -> int:
    """Bring the database up to :data:`SCHEMA_VERSION`; returns the version. BadInput for a database of a
    newer scanner, or one holding other tables than a history (``where`` names it in the message)."""
    version = current_version(conn)
    if version > SCHEMA_VERSION:
        raise BadInput(
            f"{where}: history database schema version {version} is newer than this scanner's "
            f"({SCHEMA_VERSION}); upgrade the scanner"
        )
    if version == SCHEMA_VERSION:
        return version
    with dialect.write_transaction(conn):
        version = current_version(conn)  # another process may have migrated meanwhile
        if version == 0:
            foreign = [t for t in TABLES if dialect.table_exists(conn, t)]
            if foreign:
                raise BadInput(f"{where}: not a scanner history database (it has a table {foreign[0]!r})")
            conn.execute(
                dialect.sql(
                    "CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)"
                )
            )
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target]:
                conn.execute(dialect.sql(statement.format(id=dialect.ID_COLUMN)))
            conn.execute(
                dialect.sql("INSERT INTO schema_version (version, applied_at) VALUES (?, ?)"), (target, now())
            )
    return SCHEMA_VERSION
