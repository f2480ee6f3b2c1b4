"""`scanner history` on bad input: one line on stderr and exit 2, never a traceback, never a database
created by a command that only reads; and the schema's migrations."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, run_cli

from scanner.errors import BadInput
from scanner.history import open_history, schema


def one_error(proc: subprocess.CompletedProcess, text: str) -> None:
    assert proc.returncode == 2, (proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("scanner: error: ") and text in lines[0], proc.stderr


@pytest.fixture
def empty_db(tmp_path) -> Path:
    db = tmp_path / "history.db"
    with open_history(db, create=True):
        pass
    return db


def test_ingest_of_files_that_are_not_scans(tmp_path):
    db = tmp_path / "h.db"
    text = tmp_path / "notes.txt"
    text.write_text("hello\n")
    one_error(run_cli("history", "ingest", str(text), "--db", str(db)), "not a readable scan.json")
    other = tmp_path / "other.json"
    other.write_text('{"name": "not a scan"}')
    one_error(run_cli("history", "ingest", str(other), "--db", str(db)), "not a scan result")
    broken = tmp_path / "scan.json"
    broken.write_bytes(b'{"meta": {"tool_version": "0.1.0", "start_urls": ["https://x.com/"], "started_at": ')
    one_error(run_cli("history", "ingest", str(tmp_path), "--db", str(db)), "not a readable scan.json")
    one_error(run_cli("history", "ingest", str(tmp_path / "missing"), "--db", str(db)), "no scan at")
    (tmp_path / "empty").mkdir()
    one_error(run_cli("history", "ingest", str(tmp_path / "empty"), "--db", str(db)), "neither a scan folder")
    (tmp_path / "camp" / "sites" / "a" / "attempt-1").mkdir(parents=True)
    one_error(
        run_cli("history", "ingest", str(tmp_path / "camp"), "--db", str(db)), "without any finished scan"
    )
    with sqlite3.connect(db) as conn:  # the database was created, and nothing went into it
        assert conn.execute("SELECT COUNT(*) FROM scans").fetchone() == (0,)


def test_a_database_that_is_not_a_history(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"\x00garbage" * 300)
    one_error(run_cli("history", "scans", "--db", str(junk)), "not a usable history database")
    one_error(run_cli("history", "ingest", str(tmp_path), "--db", str(tmp_path)), "not a file")
    other = tmp_path / "campaign.sqlite"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE scans (site TEXT)")
    one_error(run_cli("history", "scans", "--db", str(other)), "not a scanner history database")
    newer = tmp_path / "newer.db"
    with open_history(newer, create=True):
        pass
    with sqlite3.connect(newer) as conn:
        conn.execute("INSERT INTO schema_version VALUES (99, '2099-01-01T00:00:00Z')")
    one_error(run_cli("history", "scans", "--db", str(newer)), "schema version 99 is newer")


def test_commands_that_read_never_create_a_database(tmp_path):
    db = tmp_path / "missing.db"
    one_error(run_cli("history", "trend", "--site", "example.com", "--db", str(db)), "no history database at")
    one_error(
        run_cli("history", "matrix", "--campaign", "c", "--out", str(tmp_path), "--db", str(db)), "no history"
    )
    one_error(run_cli("history", "export", "--parquet", str(tmp_path / "p"), "--db", str(db)), "no history")
    assert not db.exists() and not (tmp_path / "p").exists()


def test_unknown_site_campaign_and_scan(empty_db, tmp_path):
    db = str(empty_db)
    one_error(
        run_cli("history", "trend", "--site", "https://www.Example.com/x", "--db", db),
        "no scan of example.com",
    )
    one_error(run_cli("history", "trend", "--site", "http://", "--db", db), "not a site URL or host name")
    one_error(
        run_cli("history", "matrix", "--campaign", "2026-q3", "--out", str(tmp_path), "--db", db),
        "no scan of campaign '2026-q3'",
    )
    one_error(run_cli("history", "compare", "1", "2", "--db", db), "no scan 1")
    proc = run_cli("history", "compare", "one", "2", "--db", db)
    assert proc.returncode == 2 and "invalid int value" in proc.stderr


def test_the_database_comes_from_the_option_or_the_environment(empty_db, tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SCANNER_HISTORY"}

    def history(*args: str, **extra: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "-m", "scanner", "history", *args],
            capture_output=True,
            text=True,
            cwd=REPO,
            env={**env, **extra},
            timeout=60,
        )

    one_error(history("scans"), "give --db FILE or set SCANNER_HISTORY")
    listed = history("scans", SCANNER_HISTORY=str(empty_db))
    assert listed.returncode == 0 and listed.stdout.startswith("id  site")
    one_error(
        history("scans", SCANNER_HISTORY=str(tmp_path / "other.db")), f"no history database at {tmp_path}"
    )
    # --db wins over the environment
    assert history("scans", "--db", str(empty_db), SCANNER_HISTORY=str(tmp_path / "x.db")).returncode == 0
    nothing = history()
    assert nothing.returncode == 2 and "give a subcommand" in nothing.stderr


def test_export_without_pyarrow_says_how_to_get_it(empty_db, tmp_path):
    code = (
        "import sys\n"
        "sys.modules['pyarrow'] = None\n"
        "from scanner.cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "history",
            "export",
            "--parquet",
            str(tmp_path / "p"),
            "--db",
            str(empty_db),
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
        timeout=60,
    )
    one_error(proc, "pip install 'tracker-audit[parquet]'")
    assert not (tmp_path / "p").exists()


def test_schema_columns_match_the_migrated_database(empty_db):
    with sqlite3.connect(empty_db) as conn:
        for table, columns in schema.COLUMNS.items():
            info = conn.execute(f"PRAGMA table_info({table})").fetchall()
            assert [row[1] for row in info] == [name for name, _ in columns], table
        assert conn.execute("PRAGMA journal_mode").fetchone() == ("wal",)
        assert conn.execute("SELECT version FROM schema_version").fetchall() == [(schema.SCHEMA_VERSION,)]


def test_migrations_run_once_and_in_order(tmp_path):
    db = tmp_path / "h.db"
    for _ in range(3):
        with open_history(db, create=True) as conn:
            assert schema.current_version(conn) == schema.SCHEMA_VERSION
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone() == (1,)
    with (
        pytest.raises(BadInput, match="no history database"),
        open_history(tmp_path / "nope.db", create=False),
    ):
        pass
