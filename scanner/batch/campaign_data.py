"""What the campaign report shows, gathered from the job table and each finished site's scan.json.

One :class:`SiteRow` per job, read one scan.json at a time and kept small (counts, the worst findings,
the vendors seen): a campaign of 10,000 sites never holds 10,000 scan results in memory. The numbers
come from the scan.json files, which are the truth; the job's summary (built by the runner) is only
used when a scan.json cannot be read, and the row then says so. Severity is one scale for all finding
kinds (:mod:`scanner.severity`, the SARIF levels: error = high, warning = medium, note = low, none =
info), the same the runner's summary and the history use.

Every string here may come from a scanned site or from the SITES file (titles, vendor names, URLs,
errors): this module never formats them into markup; the renderers escape them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Any
from urllib.parse import quote

from scanner.api import one_line, read_scan
from scanner.batch.model import JobRecord
from scanner.errors import EXIT_BAD_INPUT, BadInput
from scanner.gate import all_findings
from scanner.model import BEHAVIOUR_KINDS, CONSENT_KINDS, FINDING_STATUSES, ScanResult
from scanner.report import behaviour_text
from scanner.report.consent_text import GOOD_KINDS
from scanner.report.consent_text import kind_label as consent_label
from scanner.report.text import partial_scan_text
from scanner.severity import SEVERITY_RANK, finding_severity, is_problem

WORST_PER_SITE = 5
# The records of a scan the campaign never looks at (and the bulk of a big scan.json): left out when it
# is read, so that a campaign's report does not check 10,000 sites' every request and cookie.
UNUSED_RECORDS = ("requests", "cookies", "storage", "api_calls", "value_leaks")
KIND_ORDER = {k: i for i, k in enumerate((*FINDING_STATUSES, *CONSENT_KINDS, *BEHAVIOUR_KINDS))}
DECLARATION_LABELS = {
    "undeclared": "Undeclared",
    "mismatch": "Mismatch",
    "not_observed": "Not observed",
    "declared": "Declared & consistent",
}
# The verdict of a site, in the words of the gate (PASS, FAIL, PARTIAL) plus what a job table can say
# of a site that has no verdict: it could not be scanned, or it was not (yet) scanned.
VERDICT_OF_EXIT = {0: "PASS", 1: "FAIL", 4: "PARTIAL"}
NO_SCAN = "COULD NOT SCAN"
NOT_RUN = "NOT SCANNED"
VERDICT_ORDER = ("FAIL", "PARTIAL", NO_SCAN, NOT_RUN, "PASS")


def kind_label(status: str) -> str:
    """The finding kind in words, as the site reports name it."""
    if status in DECLARATION_LABELS:
        return DECLARATION_LABELS[status]
    if status in BEHAVIOUR_KINDS:
        return behaviour_text.kind_label(status)
    return consent_label(status)


@dataclass(frozen=True)
class Worst:
    """One finding of one site, as the campaign lists it."""

    vendor: str
    status: str
    severity: str

    @property
    def label(self) -> str:
        return kind_label(self.status)

    @property
    def rank(self) -> tuple[int, int, str]:
        return (
            SEVERITY_RANK.get(self.severity, len(SEVERITY_RANK)),
            KIND_ORDER.get(self.status, len(KIND_ORDER)),
            self.vendor.casefold(),
        )

    def text(self) -> str:
        return f"{self.severity} {self.label}: {self.vendor}"


@dataclass(frozen=True)
class SeenVendor:
    name: str
    category: str | None
    unknown: bool
    undeclared: bool


@dataclass(frozen=True)
class SiteRow:
    """One site of the campaign: its job, and what its scan.json says (when it could be read)."""

    site: str
    status: str  # the job's status (pending, running, done, failed, gave_up)
    attempts: int
    last_exit: int | None
    verdict: str  # PASS, FAIL, PARTIAL, COULD NOT SCAN, NOT SCANNED
    partial: bool
    error: str | None  # the job's one-line error
    out_dir: str | None
    started_at: str | None
    finished_at: str | None
    report: str | None = None  # href of the site's report.html, relative to the campaign folder
    scan_json: str | None = None  # the scan.json path, relative to the campaign folder
    scan_href: str | None = None  # href of a readable scan.json (the link when there is no report.html)
    scan_problem: str | None = None  # why scan.json could not be read (or is not the one of the job)
    from_summary: bool = False  # the counts come from the job's summary (scan.json unreadable)
    title: str | None = None  # the title of the first page visited
    pages: int | None = None
    counts: dict[str, int] = field(default_factory=dict)  # findings per kind (every kind)
    worst: tuple[Worst, ...] = ()
    vendors: tuple[SeenVendor, ...] = ()
    problems: tuple[Worst, ...] = ()  # every finding the campaign counts (for the campaign's list)
    partial_text: str | None = None
    scan_errors: tuple[str, ...] = ()
    tool_version: str | None = None
    catalog_version: str | None = None

    has_data: bool = False  # what the scan saw is known (its scan.json, else the job's summary)

    @property
    def finished(self) -> bool:
        """The scan ran to its end (its verdict is the gate's)."""
        return self.verdict in ("PASS", "FAIL", "PARTIAL")

    @property
    def read(self) -> bool:
        """Its scan.json was read: its vendors and findings are in the campaign's lists."""
        return self.has_data and not self.from_summary

    def count(self, status: str) -> int | None:
        """Findings of ``status``; None when nothing is known (no scan saved, or no scan.json and no
        counts in the job's summary)."""
        if not self.has_data or (self.from_summary and not self.counts):
            return None
        return self.counts.get(status, 0)

    @property
    def consent(self) -> int | None:
        """Consent findings that are not checks that passed."""
        return self._sum(k for k in CONSENT_KINDS if k not in GOOD_KINDS)

    @property
    def behaviour(self) -> int | None:
        """Behaviour findings that are not information (embeds)."""
        return self._sum(k for k in BEHAVIOUR_KINDS if not behaviour_text.is_info(k))

    def _sum(self, kinds: Iterable[str]) -> int | None:
        if self.count("undeclared") is None:
            return None
        return sum(self.counts.get(k, 0) for k in kinds)


def verdict_of(job: JobRecord) -> str:
    """The site's verdict: a finished scan's is the summary's (from the scan's exit code); a site the
    driver gave up on could not be scanned, even when its last attempt saved part of a scan (a site
    timeout, a browser that kept crashing, an unreachable start page): its row still shows what that
    part saw."""
    if job.status == "done":
        summary = job.summary or {}
        word = summary.get("verdict")
        if word in ("PASS", "FAIL", "PARTIAL"):
            return str(word)
        return VERDICT_OF_EXIT.get(job.last_exit if job.last_exit is not None else -1, NO_SCAN)
    if job.status in ("gave_up", "failed"):
        return NO_SCAN
    return NOT_RUN


def inside(campaign_dir: Path, relative: object) -> Path | None:
    """``campaign_dir / relative`` when ``relative`` is a relative path that stays inside the campaign
    folder, else None (the job table is the driver's, but a report never follows a path out of it)."""
    if not isinstance(relative, str) or not relative or "\x00" in relative:
        return None
    rel = PurePosixPath(relative.replace("\\", "/"))
    if rel.is_absolute() or ".." in rel.parts or ":" in relative:
        return None
    return campaign_dir / Path(*rel.parts)


def href(campaign_dir: Path, target: Path) -> str:
    """A URL-quoted relative link from a file in the campaign folder to ``target``."""
    link = os.path.relpath(target, campaign_dir).replace(os.sep, "/")
    return quote(link, safe="/._-~")


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_for_campaign(path: Path) -> ScanResult:
    """A site's scan.json, checked as :func:`scanner.api.read_scan` checks it, without the records the
    campaign does not use (:data:`UNUSED_RECORDS`): the pages, declaration, vendors, findings and the
    consent and behaviour audits are what it reports."""
    return read_scan(path, skip=UNUSED_RECORDS)


def _scan_json_path(campaign_dir: Path, job: JobRecord) -> tuple[str | None, Path | None]:
    summary = job.summary or {}
    relative = summary.get("scan_json")
    if not relative and job.out_dir:
        relative = f"{job.out_dir.rstrip('/')}/scan.json"
    return (str(relative) if relative else None), inside(campaign_dir, relative)


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else None


def _summary_counts(summary: dict[str, Any]) -> dict[str, int]:
    counts = summary.get("counts")
    if not isinstance(counts, dict):
        return {}
    return {str(k): n for k, v in counts.items() if (n := _int(v)) is not None}


def _summary_worst(summary: dict[str, Any]) -> tuple[Worst, ...]:
    rows = summary.get("worst")
    if not isinstance(rows, list):
        return ()
    worst = [
        Worst(str(w.get("vendor", "")), str(w.get("status", "")), str(w.get("severity", "")))
        for w in rows
        if isinstance(w, dict)
    ]
    return tuple(sorted(worst, key=lambda w: w.rank)[:WORST_PER_SITE])


def _vendors(result: ScanResult) -> tuple[SeenVendor, ...]:
    undeclared = {f.vendor for f in result.findings if f.status == "undeclared"}
    seen: dict[str, SeenVendor] = {}
    for v in result.vendors:
        name = v.get("name") if isinstance(v, dict) else None
        if not isinstance(name, str) or not name or name in seen:
            continue
        category = v.get("category")
        seen[name] = SeenVendor(
            name=name,
            category=category if isinstance(category, str) else None,
            unknown=bool(v.get("unknown")),
            undeclared=name in undeclared,
        )
    for name in sorted(undeclared - set(seen)):  # an undeclared finding always names an observed vendor
        seen[name] = SeenVendor(name=name, category=None, unknown=False, undeclared=True)
    return tuple(seen.values())


def _from_result(result: ScanResult) -> dict[str, Any]:
    findings = all_findings(result)
    counts: dict[str, int] = {s: 0 for s in FINDING_STATUSES}
    for f in findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    problems = sorted(
        {Worst(f.vendor, f.status, finding_severity(f)) for f in findings if is_problem(f)},
        key=lambda w: w.rank,
    )
    first = result.pages[0] if result.pages else None
    return {
        "pages": len(result.pages),
        "counts": counts,
        "problems": tuple(problems),
        "worst": tuple(problems[:WORST_PER_SITE]),
        "vendors": _vendors(result),
        "title": first.title if first is not None else None,
        "partial_text": partial_scan_text(result),
        "scan_errors": tuple(str(e) for e in result.meta.errors),
        "tool_version": result.meta.tool_version,
        "catalog_version": result.meta.catalog_version,
    }


def site_row(campaign_dir: Path, job: JobRecord) -> tuple[SiteRow, ScanResult | None]:
    """The site's row and, when its scan.json could be read, the scan result (for the SARIF and JUnit
    writers, which use it and let it go before the next site is read)."""
    verdict = verdict_of(job)
    summary = job.summary if isinstance(job.summary, dict) else {}
    row: dict[str, Any] = {
        "site": job.site,
        "status": job.status,
        "attempts": job.attempts,
        "last_exit": job.last_exit,
        "verdict": verdict,
        "partial": bool(summary.get("partial")) or verdict == "PARTIAL",
        "error": job.error,
        "out_dir": job.out_dir,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }
    if job.out_dir and (folder := inside(campaign_dir, job.out_dir)) is not None:
        report = folder / "report.html"
        if report.is_file():
            row["report"] = href(campaign_dir, report)
    if job.last_exit == EXIT_BAD_INPUT and not job.error:
        row["error"] = "bad input (exit 2)"
    if verdict == NOT_RUN:
        return SiteRow(**row), None
    relative, path = _scan_json_path(campaign_dir, job)
    if verdict == NO_SCAN and (path is None or not path.is_file()):
        return SiteRow(**row), None  # nothing was saved: the error says why
    row["has_data"] = True
    row["scan_json"] = relative
    result = None
    if path is None:
        row["scan_problem"] = (
            "no scan.json recorded for this site"
            if relative is None
            else "scan.json path is not inside the campaign folder"
        )
    else:
        try:
            result = read_for_campaign(path)
            expected = summary.get("sha256")
            if isinstance(expected, str) and expected and sha256_file(path) != expected.lower():
                row["scan_problem"] = "scan.json changed since the scan (its sha256 differs from the job's)"
        except BadInput as exc:
            problem = str(exc).replace(str(path), relative or "scan.json")  # no absolute paths on the page
            row["scan_problem"] = "scan.json missing" if problem.startswith("no scan result") else problem
        except (OSError, ValueError, RecursionError) as exc:
            row["scan_problem"] = f"scan.json unreadable: {one_line(exc)}"
    if result is not None and path is not None:
        row["scan_href"] = href(campaign_dir, path)
        row.update(_from_result(result))
        row["partial"] = row["partial"] or bool(result.meta.interrupted)
    else:
        row["from_summary"] = True
        row["pages"] = _int(summary.get("pages"))
        row["counts"] = _summary_counts(summary)
        row["worst"] = _summary_worst(summary)
        row["problems"] = row["worst"]
        names = summary.get("vendors")
        if isinstance(names, list):
            row["vendors"] = tuple(
                SeenVendor(str(n), None, False, False) for n in dict.fromkeys(names) if isinstance(n, str)
            )
    return SiteRow(**row), result


@dataclass
class Prevalence:
    """One vendor across the campaign: on how many sites it was seen, on how many undeclared."""

    name: str
    category: str | None = None
    unknown: bool = False
    sites: list[str] = field(default_factory=list)
    undeclared: list[str] = field(default_factory=list)


@dataclass
class CampaignFinding:
    """One finding (kind x vendor) across the campaign, with the sites that have it."""

    vendor: str
    status: str
    severity: str
    sites: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return kind_label(self.status)

    @property
    def rank(self) -> tuple:
        return (SEVERITY_RANK.get(self.severity, 9), -len(self.sites), KIND_ORDER.get(self.status, 99))


@dataclass
class Campaign:
    """The whole batch, as every campaign format reports it."""

    name: str
    rows: list[SiteRow] = field(default_factory=list)
    vendors: dict[str, Prevalence] = field(default_factory=dict)
    findings: dict[tuple[str, str], CampaignFinding] = field(default_factory=dict)

    def add(self, row: SiteRow) -> None:
        self.rows.append(row)
        if row.read:  # vendors and findings only from scan.json files actually read
            for v in row.vendors:
                p = self.vendors.setdefault(v.name.casefold(), Prevalence(v.name))
                p.category = p.category or v.category
                p.unknown = p.unknown or v.unknown
                p.sites.append(row.site)
                if v.undeclared:
                    p.undeclared.append(row.site)
            for w in row.problems:
                key = (w.status, w.vendor.casefold())
                cf = self.findings.setdefault(key, CampaignFinding(w.vendor, w.status, w.severity))
                if SEVERITY_RANK.get(w.severity, 9) < SEVERITY_RANK.get(cf.severity, 9):
                    cf.severity = w.severity
                cf.sites.append(row.site)

    @property
    def read(self) -> list[SiteRow]:
        """Sites whose scan.json was read: what the vendor and finding lists are made of (a site that could
        not be scanned but saved part of a scan counts: what it saw is real)."""
        return [r for r in self.rows if r.read]

    def by_status(self) -> dict[str, int]:
        out: dict[str, int] = {}
        for r in self.rows:
            out[r.status] = out.get(r.status, 0) + 1
        return out

    def by_verdict(self) -> dict[str, int]:
        out = {v: 0 for v in VERDICT_ORDER}
        for r in self.rows:
            out[r.verdict] = out.get(r.verdict, 0) + 1
        return {k: n for k, n in out.items() if n}

    def prevalence(self) -> list[Prevalence]:
        return sorted(self.vendors.values(), key=lambda p: (-len(p.sites), -len(p.undeclared), p.name))

    def worst_findings(self) -> list[CampaignFinding]:
        return sorted(self.findings.values(), key=lambda f: (*f.rank, f.vendor.casefold()))

    def versions(self, attr: str) -> list[str]:
        return sorted({v for r in self.rows if (v := getattr(r, attr))})

    def period(self) -> tuple[str | None, str | None]:
        starts = [r.started_at for r in self.rows if r.started_at]
        ends = [r.finished_at for r in self.rows if r.finished_at]
        return (min(starts) if starts else None, max(ends) if ends else None)


def order_jobs(jobs: Sequence[JobRecord]) -> list[JobRecord]:
    """The jobs in the order given, one per site (a later record of the same site replaces an earlier one
    in its place)."""
    latest: dict[str, JobRecord] = {}
    for job in jobs:
        latest[job.site] = job
    return list(latest.values())
