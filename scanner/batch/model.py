"""The records a batch campaign is made of, shared by the driver, the job table and the campaign report.

A campaign folder (``scanner batch SITES --out CAMPAIGN/``) holds:

- ``campaign.sqlite``: the job table (one row per site, :class:`JobRecord`), written only by the driver;
- ``campaign.lock``: held (``flock``) by the running driver: one driver per campaign, and a resume knows
  that rows left ``running`` belong to a dead one;
- ``sites/<slug>/attempt-<n>/``: one ordinary scan folder per attempt (``scan.json``, ``report.html``, ...);
- the campaign report: ``campaign.html``, ``campaign.csv``, ``campaign-junit.xml``, ``campaign.sarif``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

# pending: not started (or to be redone on --resume); running: submitted to a worker; done: the scan
# finished (exit 0, 1 or 4: its verdict is in the summary); failed: it will be retried; gave_up: no
# retry left (or bad input, exit 2, which is never retried).
JobStatus = Literal["pending", "running", "done", "failed", "gave_up"]
JOB_STATUSES: tuple[str, ...] = ("pending", "running", "done", "failed", "gave_up")


@dataclass(frozen=True)
class SiteJob:
    """One line of the SITES file: the site to scan and its own options (None: the batch's default)."""

    url: str
    vendors: str | None = None  # path of its vendors.csv (relative to the SITES file)
    policy: str | None = None  # its privacy policy (file or URL)
    first_party: tuple[str, ...] = ()
    max_pages: int | None = None
    line: int | None = None  # where it is in the SITES file

    @property
    def key(self) -> str:
        """The job's identity in the campaign (its start URL as given)."""
        return self.url


@dataclass(frozen=True)
class JobRecord:
    """A site's row of the campaign's job table: what happened to it so far.

    ``summary`` is the small result that travels back through the scheduler when a scan ended: exit
    code, verdict word, partial flag, pages visited, counts of findings per status (declaration,
    consent and behaviour kinds), the vendors seen, the scan folder (relative to the campaign) and the
    sha256 of its scan.json; never scan.json itself.
    """

    site: str
    status: JobStatus = "pending"
    attempts: int = 0
    last_exit: int | None = None  # exit code of the last attempt (None: killed or not run)
    error: str | None = None  # one line: why the last attempt failed
    out_dir: str | None = None  # the last attempt's scan folder, relative to the campaign folder
    started_at: str | None = None  # ISO 8601 UTC of the first attempt
    finished_at: str | None = None  # ISO 8601 UTC of the last attempt's end
    options: dict[str, Any] = field(default_factory=dict)  # the site's own options (SiteJob fields)
    summary: dict[str, Any] | None = None
