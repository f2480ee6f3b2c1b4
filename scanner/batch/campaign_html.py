"""campaign.html: the whole batch on one self-contained page, in the look of the sites' report.html.

The page inlines the report's stylesheet and script (sorting, filtering, paging of long tables) plus a
few campaign rules, under the same Content-Security-Policy: its own inline style and script by hash,
no connections, frames, forms, fonts or other scripts. jinja2 autoescapes every value: site URLs, page
titles, vendor names and errors are printed as text. Links go to the sites' report.html files (relative
paths inside the campaign folder) and to the sites themselves (http and https only).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import lru_cache
from importlib import resources

import jinja2
from markupsafe import Markup

import scanner
from scanner.batch.campaign_data import NO_SCAN, NOT_RUN, Campaign, SiteRow
from scanner.report.html import content_security_policy, script, stylesheet, theme_switch
from scanner.report.html_view import safe_href

LIST_LIMIT = 10  # site names listed per vendor or finding (the count is the total)
FINDINGS_LIMIT = 500  # campaign findings listed (the CSV and SARIF have every one)
VERDICT_CLASS = {"PASS": "pass", "FAIL": "fail", "PARTIAL": "partial", NO_SCAN: "error", NOT_RUN: "none"}
VERDICT_RANK = {"FAIL": 0, "PARTIAL": 1, NO_SCAN: 2, NOT_RUN: 3, "PASS": 4}


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("scanner.batch", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def campaign_css() -> str:
    return resources.files("scanner.batch").joinpath("templates", "campaign.css").read_text(encoding="utf-8")


def _names(sites: list[str]) -> dict:
    return {"shown": sites[:LIST_LIMIT], "more": max(0, len(sites) - LIST_LIMIT)}


def _num(value: int | None) -> dict:
    """A count cell: the number, or a dash sorted below zero when nothing is known."""
    return {"text": "—" if value is None else str(value), "sort": -1 if value is None else value}


def _site(row: SiteRow) -> dict:
    return {
        "site": row.site,
        "href": safe_href(row.site),
        "title": row.title or "",
        "status": row.status,
        "attempts": row.attempts,
        "verdict": row.verdict,
        "verdict_cls": VERDICT_CLASS.get(row.verdict, "none"),
        "verdict_rank": VERDICT_RANK.get(row.verdict, 9),
        "partial": row.partial,
        "pages": _num(row.pages),
        "undeclared": _num(row.count("undeclared")),
        "mismatch": _num(row.count("mismatch")),
        "consent": _num(row.consent),
        "behaviour": _num(row.behaviour),
        "worst": [{"severity": w.severity, "label": w.label, "vendor": w.vendor} for w in row.worst],
        "report": row.report,
        "scan_href": row.scan_href,
        "error": row.error or "",
        "scan_problem": row.scan_problem or "",
        "from_summary": row.from_summary,
        "last_exit": "—" if row.last_exit is None else str(row.last_exit),
        "scan_json": row.scan_json or "",
    }


def build_view(campaign: Campaign, written_at: str | None = None) -> dict:
    """Everything campaign.html shows, as plain data."""
    rows = campaign.rows
    read = campaign.read
    start, end = campaign.period()
    findings = campaign.worst_findings()
    return {
        "name": campaign.name,
        "title": f"Tracker audit campaign — {campaign.name}",
        "written_at": written_at or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "started_at": start or "—",
        "finished_at": end or "—",
        "tool_versions": campaign.versions("tool_version"),
        "catalog_versions": campaign.versions("catalog_version"),
        "report_version": scanner.__version__,
        "total": len(rows),
        "by_verdict": [
            {"word": w, "n": n, "cls": VERDICT_CLASS.get(w, "none")} for w, n in campaign.by_verdict().items()
        ],
        "by_status": sorted(campaign.by_status().items()),
        "partial": [r.site for r in rows if r.partial and r.finished],
        "unreadable": [_site(r) for r in rows if r.has_data and r.from_summary],
        "read": len(read),
        "sites": [_site(r) for r in rows],
        "vendors": [
            {
                "name": p.name,
                "category": p.category or "",
                "unknown": p.unknown,
                "sites": len(p.sites),
                "share": f"{100 * len(p.sites) / len(read):.0f} %" if read else "—",
                "undeclared": len(p.undeclared),
                "names": _names(p.sites),
                "undeclared_names": _names(p.undeclared),
            }
            for p in campaign.prevalence()
        ],
        "findings": [
            {
                "severity": f.severity,
                "label": f.label,
                "status": f.status,
                "vendor": f.vendor,
                "sites": len(f.sites),
                "names": _names(f.sites),
            }
            for f in findings[:FINDINGS_LIMIT]
        ],
        "findings_total": len(findings),
        "failed": [_site(r) for r in rows if r.verdict == NO_SCAN],
        "not_run": [_site(r) for r in rows if r.verdict == NOT_RUN],
    }


def render_campaign_html(campaign: Campaign, written_at: str | None = None) -> str:
    css, js = stylesheet() + "\n" + campaign_css(), script()
    for text, tag in ((css, "</style"), (js, "</script")):
        if tag in text.lower():  # our own assets; guard against an edit that would break out
            raise ValueError(f"asset contains {tag}")
    template = environment().get_template("campaign.html.j2")
    return template.render(
        v=build_view(campaign, written_at),
        css=Markup(css),
        js=Markup(js),
        csp=content_security_policy(css, js),
        theme_switch=theme_switch(),
    )
