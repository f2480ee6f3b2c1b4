"""The campaign's job table: ``CAMPAIGN/campaign.sqlite``, one row per site (:class:`JobRecord`).

Durable job state lives here and not in Dask: the scheduler forgets everything when the driver dies,
this file does not. Only the driver writes it (one writer; WAL so that a reader, e.g. ``sqlite3`` in
another shell or the campaign report, never blocks it), and each change is committed at once, so a
driver killed with SIGKILL loses at most the attempts that were running. ``--resume`` then puts those
``running`` rows (and ``failed`` rows waiting for a retry) back to ``pending`` and only they are scanned
again; ``done`` and ``gave_up`` sites stay as they are.

Two drivers never run one campaign: the driver holds an exclusive ``flock`` on ``campaign.lock`` for its
whole life. The kernel drops it when the process dies however it dies, which is how ``--resume`` knows
that rows marked ``running`` belong to a dead driver.
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from scanner.batch.model import JOB_STATUSES, JobRecord, JobStatus, SiteJob
from scanner.errors import BadInput

JOBS_FILE = "campaign.sqlite"
LOCK_FILE = "campaign.lock"
SITES_DIR = "sites"
UNFINISHED: tuple[str, ...] = ("pending", "running", "failed")

_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS campaign (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS jobs (
    site TEXT PRIMARY KEY,
    position INTEGER NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ({", ".join(f"'{s}'" for s in JOB_STATUSES)})),
    attempts INTEGER NOT NULL DEFAULT 0,
    last_exit INTEGER,
    error TEXT,
    out_dir TEXT,
    started_at TEXT,
    finished_at TEXT,
    options TEXT NOT NULL DEFAULT '{{}}',
    summary TEXT
);
CREATE INDEX IF NOT EXISTS jobs_status ON jobs (status);
"""
_FIELDS = ("site", "status", "attempts", "last_exit", "error", "out_dir", "started_at", "finished_at")


def now() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_options(job: SiteJob) -> dict[str, Any]:
    """A site's own options as the job table keeps them (only those the SITES file set)."""
    options: dict[str, Any] = {}
    if job.vendors:
        options["vendors"] = job.vendors
    if job.policy:
        options["policy"] = job.policy
    if job.first_party:
        options["first_party"] = list(job.first_party)
    if job.max_pages is not None:
        options["max_pages"] = job.max_pages
    if job.line is not None:
        options["line"] = job.line
    return options


def site_job(record: JobRecord) -> SiteJob:
    """The SiteJob a row was made from."""
    o = record.options
    return SiteJob(
        url=record.site,
        vendors=o.get("vendors"),
        policy=o.get("policy"),
        first_party=tuple(o.get("first_party") or ()),
        max_pages=o.get("max_pages"),
        line=o.get("line"),
    )


class CampaignLock:
    """The driver's exclusive hold on a campaign folder (``flock``; released when the process ends)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / LOCK_FILE
        self.fd: int | None = None

    def acquire(self) -> None:
        try:
            import fcntl
        except ImportError:  # no flock (Windows): one driver per campaign is then the user's care
            return
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            holder = os.read(fd, 100).decode("ascii", "replace").strip() or "?"
            os.close(fd)
            raise BadInput(
                f"{self.path.parent}: another scanner batch is running this campaign (pid {holder})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd

    def release(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing drops the flock
            self.fd = None


class JobTable:
    """The job table of one campaign folder (see the module doc)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / JOBS_FILE
        # isolation_level=None: every statement is its own transaction, committed at once.
        self.db = sqlite3.connect(self.path, isolation_level=None, timeout=30)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.executescript(_SCHEMA)

    @classmethod
    def open_campaign(cls, folder: str | Path, *, resume: bool) -> JobTable:
        """The job table of ``folder`` for a new campaign (``resume`` False: refused when the folder
        already holds one) or for continuing one (``resume`` True: refused when it holds none)."""
        folder = Path(folder)
        if folder.exists() and not folder.is_dir():
            raise BadInput(f"{folder} is not a folder")
        exists = (folder / JOBS_FILE).exists()
        if exists and not resume:
            raise BadInput(
                f"{folder} already holds a campaign: use --resume to continue it (or choose another --out)"
            )
        if resume and not exists:
            raise BadInput(f"{folder} holds no campaign ({JOBS_FILE}); nothing to resume")
        try:
            (folder / SITES_DIR).mkdir(parents=True, exist_ok=True)
            return cls(folder)
        except (OSError, sqlite3.Error) as exc:
            raise BadInput(f"{folder}: cannot write the campaign there ({exc})") from None

    def close(self) -> None:
        self.db.close()

    # -- campaign facts ---------------------------------------------------------------------------

    def get_meta(self, key: str, default: Any = None) -> Any:
        row = self.db.execute("SELECT value FROM campaign WHERE key = ?", (key,)).fetchone()
        return json.loads(row["value"]) if row else default

    def set_meta(self, key: str, value: Any) -> None:
        self.db.execute(
            "INSERT INTO campaign (key, value) VALUES (?, ?) "
            "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, json.dumps(value)),
        )

    # -- rows ---------------------------------------------------------------------------------------

    def add_sites(self, jobs: Iterable[SiteJob]) -> int:
        """Add the sites not in the table yet, as pending; the rows already there are left alone.
        Returns how many were added."""
        start = self.db.execute("SELECT COALESCE(MAX(position), -1) + 1 FROM jobs").fetchone()[0]
        added = 0
        with self.db:
            self.db.execute("BEGIN")
            for job in jobs:
                cur = self.db.execute(
                    "INSERT INTO jobs (site, position, options) VALUES (?, ?, ?) "
                    "ON CONFLICT (site) DO NOTHING",
                    (job.url, start + added, json.dumps(site_options(job))),
                )
                added += cur.rowcount
        return added

    def upsert(self, record: JobRecord) -> None:
        """Write ``record`` as its site's row (a new site goes last)."""
        values = [getattr(record, name) for name in _FIELDS]
        values += [json.dumps(record.options), None if record.summary is None else json.dumps(record.summary)]
        self.db.execute(
            f"""INSERT INTO jobs ({", ".join(_FIELDS)}, options, summary, position)
            VALUES ({", ".join("?" * (len(_FIELDS) + 2))}, (SELECT COALESCE(MAX(position), -1) + 1 FROM jobs))
            ON CONFLICT (site) DO UPDATE SET
            {", ".join(f"{n} = excluded.{n}" for n in (*_FIELDS[1:], "options", "summary"))}""",
            values,
        )

    def get(self, site: str) -> JobRecord | None:
        row = self.db.execute("SELECT * FROM jobs WHERE site = ?", (site,)).fetchone()
        return _record(row) if row else None

    def list(self, statuses: Sequence[str] | None = None) -> list[JobRecord]:
        """The rows (in SITES file order), only those of ``statuses`` when given."""
        if statuses is None:
            rows = self.db.execute("SELECT * FROM jobs ORDER BY position").fetchall()
        else:
            marks = ", ".join("?" * len(statuses))
            rows = self.db.execute(
                f"SELECT * FROM jobs WHERE status IN ({marks}) ORDER BY position", tuple(statuses)
            ).fetchall()
        return [_record(r) for r in rows]

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(JOB_STATUSES, 0)
        for row in self.db.execute("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status"):
            counts[row["status"]] = row["n"]
        return counts

    def _require(self, site: str) -> JobRecord:
        record = self.get(site)
        if record is None:
            raise KeyError(f"no job for {site}")
        return record

    def mark_running(self, site: str, attempt: int, out_dir: str) -> JobRecord:
        """Attempt ``attempt`` of ``site`` was handed to a worker, writing into ``out_dir``."""
        r = self._require(site)
        record = replace(
            r,
            status="running",
            attempts=attempt,
            out_dir=out_dir,
            started_at=r.started_at or now(),
            error=None,
        )
        self.upsert(record)
        return record

    def mark_done(self, site: str, exit_code: int, summary: dict[str, Any]) -> JobRecord:
        """The scan ended with a verdict (exit 0, 1 or 4): its summary is kept."""
        return self._finish(site, "done", exit_code, None, summary)

    def mark_failed(self, site: str, exit_code: int | None, error: str) -> JobRecord:
        """The attempt failed and the site will be tried again."""
        return self._finish(site, "failed", exit_code, error, None)

    def mark_gave_up(
        self, site: str, exit_code: int | None, error: str, summary: dict[str, Any] | None = None
    ) -> JobRecord:
        """The site could not be scanned and no retry is left (or it was bad input, never retried)."""
        return self._finish(site, "gave_up", exit_code, error, summary)

    def _finish(
        self, site: str, status: JobStatus, exit_code: int | None, error: str | None, summary: dict | None
    ) -> JobRecord:
        r = self._require(site)
        record = replace(
            r,
            status=status,
            last_exit=exit_code,
            error=None if error is None else error[:500],
            finished_at=now(),
            summary=summary,
        )
        self.upsert(record)
        return record

    def mark_pending(self, site: str, error: str | None = None) -> JobRecord:
        """Back to pending (an attempt cancelled by Ctrl-C: it is redone on --resume)."""
        r = self._require(site)
        record = replace(r, status="pending", error=error[:500] if error else r.error)
        self.upsert(record)
        return record

    def reset_unfinished(self) -> int:
        """``--resume``: rows left ``running`` by a dead driver and ``failed`` rows waiting for a retry
        go back to ``pending``. Returns how many rows changed."""
        cur = self.db.execute("UPDATE jobs SET status = 'pending' WHERE status IN ('running', 'failed')")
        return cur.rowcount


def _record(row: sqlite3.Row) -> JobRecord:
    return JobRecord(
        site=row["site"],
        status=row["status"],
        attempts=row["attempts"],
        last_exit=row["last_exit"],
        error=row["error"],
        out_dir=row["out_dir"],
        started_at=row["started_at"],
        finished_at=row["finished_at"],
        options=json.loads(row["options"] or "{}"),
        summary=json.loads(row["summary"]) if row["summary"] else None,
    )
