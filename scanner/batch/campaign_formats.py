"""The campaign for machines: campaign.csv, campaign-junit.xml and campaign.sarif.

campaign.csv: one row per site (the columns of the sites table), every cell through
:mod:`scanner.csvsafe` so that no text from a site becomes a spreadsheet formula.

campaign-junit.xml: one suite (the campaign) with a test case per site, as a CI test view reads it: a
failing verdict is a failure, a partial scan is a failure that says it is partial, a site that could
not be scanned is an error, a site not scanned yet is skipped; a passing site passes. The worst findings
and the counts are the case's text. Fits the Jenkins/Surefire JUnit schema, as the sites' junit.xml.

campaign.sarif: one SARIF 2.1.0 run for the whole campaign (one run per tool and category is what code
scanning accepts), with one invocation per site (``executionSuccessful`` false for a partial scan, a site
that could not be scanned or a scan.json that could not be read, with the reason as a notification) and
the results of every site, built by the sites' own SARIF writer (:mod:`scanner.report.sarif`: same
rules, levels, messages and evidence). Checks that passed and information are left out. Each result
names its site (``properties.site``, the message) and has a fingerprint of site, kind and vendor
(``siteVendorStatus/v1``), stable across campaigns. Results are spooled to a temporary file as the sites
are read, so that the run of a 10,000-site campaign is never held in memory.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import IO

from scanner.batch.campaign_data import NO_SCAN, NOT_RUN, Campaign, SiteRow
from scanner.model import BEHAVIOUR_KINDS, CONSENT_KINDS, ScanResult
from scanner.report.sarif import _ORDER, SARIF_SCHEMA, _rule, build_sarif
from scanner.report.text import xml_safe

CSV_COLUMNS = (
    "site",
    "title",
    "status",
    "attempts",
    "last_exit",
    "verdict",
    "partial",
    "pages",
    "undeclared",
    "mismatch",
    "not_observed",
    "declared",
    "consent",
    "behaviour",
    "worst",
    "vendors",
    "error",
    "scan_json_problem",
    "counts_from",
    "report",
    "scan_json",
    "started_at",
    "finished_at",
    "tool_version",
    "catalog_version",
)


def _blank(value: object) -> object:
    return "" if value is None else value


def csv_rows(campaign: Campaign) -> Iterable[list[object]]:
    for r in campaign.rows:
        yield [
            r.site,
            r.title or "",
            r.status,
            r.attempts,
            _blank(r.last_exit),
            r.verdict,
            "yes" if r.partial else "no",
            _blank(r.pages),
            *(_blank(r.count(s)) for s in ("undeclared", "mismatch", "not_observed", "declared")),
            _blank(r.consent),
            _blank(r.behaviour),
            "; ".join(w.text() for w in r.worst),
            len(r.vendors) if r.has_data else "",
            r.error or "",
            r.scan_problem or "",
            ("summary" if r.from_summary else "scan.json") if r.has_data else "",
            r.report or "",
            r.scan_json or "",
            r.started_at or "",
            r.finished_at or "",
            r.tool_version or "",
            r.catalog_version or "",
        ]


# -- JUnit ------------------------------------------------------------------------------------------


def _counts_text(r: SiteRow) -> str:
    if r.count("undeclared") is None:
        return "counts unknown"
    parts = [
        f"{r.count('undeclared')} undeclared",
        f"{r.count('mismatch')} mismatch",
        f"{r.consent} consent",
        f"{r.behaviour} behaviour",
    ]
    return ", ".join(parts) + f" finding(s) on {r.pages if r.pages is not None else '?'} page(s)"


def _case_body(r: SiteRow) -> str:
    lines = [f"verdict: {r.verdict}", f"job: {r.status}, {r.attempts} attempt(s), last exit {r.last_exit}"]
    if r.has_data:
        lines.append(_counts_text(r))
        lines.extend(f"worst: {w.text()}" for w in r.worst)
    if r.partial_text:
        lines.append(r.partial_text)
    lines.extend(f"scan error: {e}" for e in r.scan_errors)
    if r.scan_problem:
        lines.append(
            f"scan.json: {r.scan_problem}" + (" (counts from the job's summary)" if r.from_summary else "")
        )
    if r.error:
        lines.append(f"error: {r.error}")
    if r.report:
        lines.append(f"report: {r.report}")
    return "\n".join(lines)


def _outcome(r: SiteRow) -> tuple[str, str, str] | None:
    """(element, type, message) of the site's case; None when it passes."""
    worst = "; ".join(w.text() for w in r.worst[:3])
    if r.verdict == NO_SCAN:
        return "error", "could_not_scan", r.error or f"could not be scanned (last exit {r.last_exit})"
    if r.verdict == NOT_RUN:
        return "skipped", "not_scanned", f"not scanned: the job is {r.status}"
    if r.verdict == "FAIL":
        partial = " (partial scan)" if r.partial else ""
        return (
            "failure",
            "findings",
            f"FAIL{partial}: {_counts_text(r)}" + (f"; worst: {worst}" if worst else ""),
        )
    if r.verdict == "PARTIAL" or r.partial:
        return "failure", "partial_scan", r.partial_text or "partial scan: results are incomplete"
    return None


def build_junit(campaign: Campaign) -> str:
    outcomes = [(_outcome(r), r) for r in campaign.rows]
    failures = sum(o is not None and o[0] == "failure" for o, _ in outcomes)
    errors = sum(o is not None and o[0] == "error" for o, _ in outcomes)
    skipped = sum(o is not None and o[0] == "skipped" for o, _ in outcomes)
    name = xml_safe(f"tracker audit campaign {campaign.name}")
    counts = {"tests": str(len(outcomes)), "failures": str(failures), "errors": str(errors)}
    root = ET.Element("testsuites", name=name, time="0", **counts)
    start = campaign.period()[0]
    suite = ET.SubElement(
        root,
        "testsuite",
        name=name,
        skipped=str(skipped),
        time="0",
        timestamp=xml_safe(start or ""),
        **counts,
    )
    classname = "campaign." + xml_safe(campaign.name)
    for outcome, r in outcomes:
        case = ET.SubElement(suite, "testcase", name=xml_safe(r.site), classname=classname, time="0")
        body = xml_safe(_case_body(r))
        if outcome is not None:
            element, kind, message = outcome
            child = ET.SubElement(case, element, type=kind, message=xml_safe(message))
            if element != "skipped":
                child.text = body
                continue
        ET.SubElement(case, "system-out").text = body
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


# -- SARIF ------------------------------------------------------------------------------------------

STATUSES = (*_ORDER, *CONSENT_KINDS, *BEHAVIOUR_KINDS)
RULE_INDEX = {s: i for i, s in enumerate(STATUSES)}


def fingerprint(site: str, status: str, vendor: str) -> str:
    return hashlib.sha256(f"{site}|{status}|{vendor.casefold()}".encode()).hexdigest()[:32]


def _utc(value: str | None) -> str | None:
    """An ISO 8601 time SARIF accepts (with its zone), else None."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if when.tzinfo is not None else None


def _invocation(r: SiteRow) -> dict:
    notes = []
    if r.verdict == NO_SCAN:
        notes.append(("error", f"{r.site}: could not be scanned: {r.error or f'last exit {r.last_exit}'}"))
    if r.verdict == NOT_RUN:
        notes.append(("note", f"{r.site}: not scanned (the job is {r.status})"))
    if r.partial:
        notes.append(("error", f"{r.site}: {r.partial_text or 'partial scan: results are incomplete'}"))
    if r.scan_problem:
        notes.append(("warning" if not r.from_summary else "error", f"{r.site}: scan.json: {r.scan_problem}"))
    out: dict = {
        "executionSuccessful": r.finished and not r.partial and not r.from_summary,
        "properties": {
            "site": r.site,
            "job": r.status,
            "attempts": r.attempts,
            "lastExit": r.last_exit,
            "verdict": r.verdict,
            "partial": r.partial,
            **({"scanJson": r.scan_json} if r.scan_json else {}),
            **({"report": r.report} if r.report else {}),
        },
    }
    for key, value in (("startTimeUtc", _utc(r.started_at)), ("endTimeUtc", _utc(r.finished_at))):
        if value:
            out[key] = value
    if notes:
        out["toolExecutionNotifications"] = [{"level": lv, "message": {"text": t}} for lv, t in notes]
    return out


def site_results(r: SiteRow, result: ScanResult | None) -> tuple[list[dict], list[str]]:
    """The site's SARIF results (problems only, its site named) and the artifacts they point at."""
    if result is None:
        return [], []
    run = build_sarif(result)["runs"][0]
    out = []
    for res in run["results"]:
        if res.get("level") == "none":  # a check that passed, or information
            continue
        props = res["properties"]
        status = str(props["status"])
        if status not in RULE_INDEX:
            continue
        res["ruleIndex"] = RULE_INDEX[status]
        res["message"]["text"] = f"{r.site}: {res['message']['text']}"
        res["partialFingerprints"] = {
            "siteVendorStatus/v1": fingerprint(r.site, status, str(props["vendor"]))
        }
        props["site"] = r.site
        props["verdict"] = r.verdict
        out.append(res)
    artifacts = [a["location"]["uri"] for a in run.get("artifacts", [])]
    return out, artifacts


class SarifSpool:
    """Builds campaign.sarif site by site: results go to a temporary file as each site is read."""

    def __init__(self) -> None:
        # owned by the spool, closed by close() / the with block
        self._file: IO[str] = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115
        self._count = 0
        self._invocations: list[dict] = []
        self._artifacts: dict[str, None] = {}

    def add(self, row: SiteRow, result: ScanResult | None) -> None:
        results, artifacts = site_results(row, result)
        self._invocations.append(_invocation(row))
        self._artifacts.update(dict.fromkeys(artifacts))
        for res in results:
            self._file.write(("," if self._count else "") + json.dumps(res, ensure_ascii=False) + "\n")
            self._count += 1

    def write(self, campaign: Campaign, path: Path, tool_version: str) -> Path:
        run = {
            "tool": {
                "driver": {"name": "scanner", "version": tool_version, "rules": [_rule(s) for s in STATUSES]}
            },
            "automationDetails": {"id": f"tracker-campaign/{campaign.name}/"},
            "invocations": self._invocations,
            "artifacts": [{"location": {"uri": a}, "roles": ["analysisTarget"]} for a in self._artifacts],
            "properties": {
                "campaign": campaign.name,
                "sites": len(campaign.rows),
                "verdicts": campaign.by_verdict(),
                "jobs": campaign.by_status(),
                "results": self._count,
            },
        }
        head = json.dumps({"$schema": SARIF_SCHEMA, "version": "2.1.0"}, ensure_ascii=False)[:-1]
        run_text = json.dumps(run, ensure_ascii=False)[:-1]
        self._file.seek(0)
        with path.open("w", encoding="utf-8") as out:
            out.write(head + ', "runs": [' + run_text + ', "results": [\n')
            while block := self._file.read(1 << 20):
                out.write(block)
            out.write("]}]}\n")
        return path

    def close(self) -> None:
        self._file.close()

    def __enter__(self) -> SarifSpool:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
