"""The campaign report: one page and three machine files for a whole batch (``scanner batch``).

:func:`write_campaign_report` is what the batch driver calls when the batch ends (and what can be called
again on a campaign folder at any time: it only reads). It reads each finished site's scan.json once, in
the job table's order, keeps a small row per site (:mod:`scanner.batch.campaign_data`) and writes into
the campaign folder:

- ``campaign.html``: sites by status and verdict, a sortable sites table linking each site's report,
  vendor prevalence, the worst findings across the campaign, the sites that could not be scanned
  (:mod:`scanner.batch.campaign_html`);
- ``campaign.csv``, ``campaign-junit.xml``, ``campaign.sarif`` (:mod:`scanner.batch.campaign_formats`).

A scan.json that is missing, unreadable or not the one the job recorded is shown as such (the row keeps
the job's summary), never a crash. Each file is written to a temporary name and renamed into place, so a
report interrupted half-way (or a full disk: CannotScan, one line) leaves the previous one whole.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path

import scanner
from scanner.batch.campaign_data import Campaign, order_jobs, site_row
from scanner.batch.campaign_formats import CSV_COLUMNS, SarifSpool, build_junit, csv_rows
from scanner.batch.campaign_html import render_campaign_html
from scanner.batch.model import JobRecord
from scanner.csvsafe import csv_text
from scanner.errors import BadInput
from scanner.safe_write import write_atomic, write_failure

HTML, CSV, JUNIT, SARIF = "campaign.html", "campaign.csv", "campaign-junit.xml", "campaign.sarif"


def _streamed(path: Path, write: Callable[[Path], object]) -> Path:
    """``write`` a file too big to hold as one string to ``path.tmp``, then rename it into place."""
    tmp = path.with_name(path.name + ".tmp")
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise write_failure(exc, path) from None
    finally:
        tmp.unlink(missing_ok=True)
    return path


def build_campaign(
    campaign_dir: Path, jobs: Sequence[JobRecord], sarif: SarifSpool | None = None
) -> Campaign:
    """The campaign's rows, vendors and findings from the job records and their scan.json files."""
    campaign = Campaign(name=campaign_dir.resolve().name or str(campaign_dir))
    for job in order_jobs(jobs):
        row, result = site_row(campaign_dir, job)
        campaign.add(row)
        if sarif is not None:
            sarif.add(row, result)
        del result  # one scan result in memory at a time
    return campaign


def write_campaign_report(campaign_dir: Path, jobs: Sequence[JobRecord]) -> list[Path]:
    """Write campaign.html, campaign.csv, campaign-junit.xml and campaign.sarif into ``campaign_dir``;
    returns their paths. A campaign folder that does not exist is :class:`BadInput`."""
    campaign_dir = Path(campaign_dir)
    if not campaign_dir.is_dir():
        raise BadInput(f"campaign folder {campaign_dir} does not exist")
    with SarifSpool() as spool:
        campaign = build_campaign(campaign_dir, jobs, spool)
        return [
            write_atomic(campaign_dir / HTML, render_campaign_html(campaign)),
            write_atomic(campaign_dir / CSV, csv_text(CSV_COLUMNS, csv_rows(campaign))),
            write_atomic(campaign_dir / JUNIT, build_junit(campaign)),
            _streamed(campaign_dir / SARIF, lambda p: spool.write(campaign, p, scanner.__version__)),
        ]
