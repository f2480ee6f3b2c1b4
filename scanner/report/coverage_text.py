"""How much of the site a scan covered, in words, for every report format (``ScanMeta.coverage``).

One line for the console, Markdown, JUnit and SARIF ("visited 4 of 14 discovered pages — stopped by
max-pages (4)"), and the details the HTML report shows under it. A scan.json older than schema 1.3 has
no coverage: it is "coverage unknown", never a guess.
"""

from __future__ import annotations

from typing import Any

from scanner.model import Coverage, ScanResult, to_jsonable
from scanner.report.text import plural

UNKNOWN = "coverage unknown: this scan.json does not record which pages the crawl discovered"

# Why a discovered page was not visited, in words (Coverage.not_visited_by, skipped[].why).
WHY = {
    "max_pages": "queued when --max-pages was reached",
    "max_depth": "linked only beyond --max-depth",
    "trap": "held back by a crawl-trap bound (query-string variants per path, repeating or very deep paths)",
    "interrupted": "not reached: the scan was interrupted",
    "errors": "not reached: the crawl stopped on an error",
}


def _options(result: ScanResult) -> dict:
    return result.meta.options if isinstance(result.meta.options, dict) else {}


def _reason(reason: str, result: ScanResult) -> str:
    options = _options(result)
    if reason == "max_pages":
        limit = options.get("max_pages")
        return f"max-pages ({limit})" if limit is not None else "max-pages"
    if reason == "max_depth":
        limit = options.get("max_depth")
        return f"max-depth ({limit})" if limit is not None else "max-depth"
    if reason == "trap":
        limit = options.get("max_query_variants")
        return "crawl-trap bounds" + (f" ({limit} query variants a path)" if limit is not None else "")
    return {"interrupted": "an interruption", "errors": "an error"}.get(reason, reason)


def coverage_line(result: ScanResult) -> str:
    """One line: visited / discovered, failed visits, and why the crawl stopped."""
    c = result.meta.coverage
    if c is None:
        return UNKNOWN
    line = f"visited {c.visited} of {plural(c.discovered, 'discovered page')}"
    if c.failed:
        line += f" ({c.failed} failed)"
    if c.stopped_by == ("complete",):
        line += " — complete: every in-scope page found was visited"
    else:
        line += " — stopped by " + ", ".join(_reason(r, result) for r in c.stopped_by if r != "complete")
    if c.recovered:
        line += " (rebuilt from the saved pages: the scan stopped before recording its coverage)"
    return line


def is_short(coverage: Coverage | None) -> bool:
    """The crawl left discovered pages unvisited (or nobody knows): a report must not read as complete."""
    return coverage is None or coverage.not_visited > 0 or coverage.stopped_by != ("complete",)


def coverage_view(result: ScanResult) -> dict[str, Any]:
    """What report.html shows: the line and, when pages were left, the reasons and a sample of them."""
    c = result.meta.coverage
    view: dict[str, Any] = {
        "line": coverage_line(result),
        "known": c is not None,
        "short": is_short(c),
        "reasons": [],
        "out_of_scope": 0,
        "not_html": 0,
        "skipped": [],
        "skipped_total": 0,
    }
    if c is None:
        return view
    view.update(
        reasons=[{"why": WHY.get(r, r), "reason": r, "n": n} for r, n in c.not_visited_by.items() if n],
        out_of_scope=c.out_of_scope,
        not_html=c.not_html,
        skipped=[
            {"url": str(s.get("url", "")), "why": str(s.get("why", ""))}
            for s in c.skipped
            if isinstance(s, dict)
        ],
        skipped_total=max(c.skipped_total, len(c.skipped)),
    )
    return view


def coverage_properties(result: ScanResult) -> dict[str, Any]:
    """The machine-readable coverage for SARIF run properties: the record and its line."""
    c = result.meta.coverage
    return {"text": coverage_line(result), **(to_jsonable(c) if c is not None else {"known": False})}
