"""matrix.html and matrix.csv: a campaign's sites × vendors as a page and as a spreadsheet.

The page is one self-contained file: jinja2 with autoescape (vendor names, URLs and cookie names come
from scanned sites and are printed as text), the report's own stylesheet and sorting script inlined and
allowed by hash in its Content-Security-Policy, nothing fetched. The CSV has a row per site and a column
per vendor (its cell: the status, then the consent and behaviour kinds), every text cell made safe for
spreadsheets by ``scanner.csvsafe``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from scanner import __version__
from scanner.csvsafe import csv_text
from scanner.history.queries import Cell, Matrix
from scanner.report.html import content_security_policy, script, stylesheet, theme_switch
from scanner.safe_write import write_atomic

STATUS_LABEL = {
    "undeclared": "undeclared",
    "mismatch": "mismatch",
    "declared": "declared",
    "not_observed": "not observed",
    "seen": "seen",
}
# Sorting a vendor's column brings the worst sites first (descending).
STATUS_RANK = {"undeclared": 5, "mismatch": 4, "seen": 3, "declared": 2, "not_observed": 1, "": 0}
VERDICT_RANK = {"FAIL": 3, "PARTIAL": 2, "ERROR": 2, "PASS": 1}
MATRIX_CSS = """
.badge.seen{background:var(--neutral-bg);color:var(--fg)}
td.cell{white-space:nowrap}
.scroll{overflow-x:auto}
.scroll .grid th{position:static}
.verdict-fail{color:var(--undeclared)}.verdict-partial,.verdict-error{color:var(--mismatch)}.verdict-pass{color:var(--declared)}
"""
# Columns of the page (the most widespread vendors); matrix.csv has every vendor. 10,000 sites × 60
# vendors is already a page of tens of megabytes.
MAX_HTML_VENDORS = 60
FIXED_COLUMNS = ("site", "start_url", "scan", "started_at", "verdict", "pages", "undeclared")


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("scanner.history", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def cell_text(cell: Cell | None) -> str:
    """A cell of matrix.csv: "undeclared; before_consent, session_recording", or "" when absent."""
    if cell is None:
        return ""
    return cell.status + (f"; {', '.join(cell.kinds)}" if cell.kinds else "")


def _rows(m: Matrix, vendors) -> list[dict]:
    rows = []
    for site in m.sites:
        cells = []
        for v in vendors:
            c = m.cell(site.site, v.name)
            status = c.status if c else ""
            rank = STATUS_RANK.get(status, 0) + (0.5 if c and c.kinds else 0)
            cells.append(
                {
                    "status": status,
                    "label": STATUS_LABEL.get(status, status),
                    "kinds": c.kinds if c else (),
                    "rank": rank,
                }
            )
        rows.append(
            {
                "site": site,
                "cells": cells,
                "undeclared": sum(
                    1 for v in m.vendors if (m.cell(site.site, v.name) or Cell("")).status == "undeclared"
                ),
                "verdict_rank": VERDICT_RANK.get(site.verdict, 0),
            }
        )
    return rows


def matrix_html(m: Matrix) -> str:
    css, js = stylesheet(), script()
    css += MATRIX_CSS
    template = environment().get_template("matrix.html.j2")
    vendors = m.vendors[:MAX_HTML_VENDORS]
    return template.render(
        m=m,
        vendors=vendors,
        rows=_rows(m, vendors),
        css=Markup(css),
        js=Markup(js),
        csp=content_security_policy(css, js),
        theme_switch=theme_switch(),
        version=__version__,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )


def matrix_csv(m: Matrix) -> str:
    header = [*FIXED_COLUMNS, *(v.name for v in m.vendors)]
    body = []
    for site in m.sites:
        cells = [cell_text(m.cell(site.site, v.name)) for v in m.vendors]
        undeclared = sum(
            1 for v in m.vendors if (m.cell(site.site, v.name) or Cell("")).status == "undeclared"
        )
        body.append(
            [
                site.site,
                site.start_url,
                site.id,
                site.started_at,
                site.verdict,
                site.pages,
                undeclared,
                *cells,
            ]
        )
    return csv_text(header, body)


def write_matrix(m: Matrix, out_dir: Path) -> list[Path]:
    """matrix.html and matrix.csv in ``out_dir`` (created), each written whole or not at all."""
    out_dir.mkdir(parents=True, exist_ok=True)
    return [
        write_atomic(out_dir / "matrix.html", matrix_html(m)),
        write_atomic(out_dir / "matrix.csv", matrix_csv(m)),
    ]
