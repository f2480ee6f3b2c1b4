"""Tables of a scan result: one row per cookie, request, page, finding or storage key.

Plain rows of scalars (no pandas): the CSV writers (``scanner.report.csv_files``) write them with the
``csv`` module, and :func:`scanner.load_scan` turns them into pandas DataFrames (the ``pandas`` extra).
Tuples become ``;``-joined text so that every cell is a scalar that survives a CSV round trip.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from scanner.model import EVIDENCE_KINDS, Cookie, Finding, Page, Request, ScanResult, StorageItem
from scanner.report.text import evidence_counts
from scanner.safetext import repair_text

JOIN = ";"
HEADER_COLUMNS = ("request_headers", "response_headers")  # too big for a table cell


def _flat(value: Any, name: str = "") -> Any:
    if name == "image_size" and isinstance(value, tuple | list):
        return "x".join(map(str, value))  # width x height, e.g. 1x1
    if isinstance(value, tuple | list):
        return JOIN.join(str(v) for v in value)
    if isinstance(value, dict):
        return JOIN.join(f"{k}={v}" for k, v in value.items())
    return value


class Table(NamedTuple):
    """Column names and rows (lists of scalars: text, numbers, booleans, None), every string valid
    Unicode: a lone surrogate (a page's UTF-16 text, or a scan.json written by hand) becomes U+FFFD, as
    the saved visits' text does (pandas' Arrow-backed strings would refuse the whole frame)."""

    columns: list[str]
    rows: list[list[Any]]

    def with_column(self, name: str, value: Any) -> Table:
        """This table with one more column holding ``value`` in every row."""
        return Table([*self.columns, name], [[*row, value] for row in self.rows])


def text_table(rows: list[list[Any]], columns: list[str]) -> Table:
    """A Table of these rows with every string made valid Unicode."""
    return Table(list(columns), repair_text(rows)[0])


def _records(
    cls: type, records: tuple, extra: dict[str, list] | None = None, drop: tuple[str, ...] = ()
) -> Table:
    """One row per record: its dataclass fields but ``drop``, then the ``extra`` columns."""
    names = [f.name for f in dataclasses.fields(cls) if f.name not in drop]
    extra = extra or {}
    rows = [
        [*(_flat(getattr(record, name), name) for name in names), *(values[i] for values in extra.values())]
        for i, record in enumerate(records)
    ]
    return text_table(rows, names + list(extra))


def cookies_table(result: ScanResult) -> Table:
    """One row per cookie; adds ``session`` (no expiry) and ``third_party``."""
    cookies: tuple[Cookie, ...] = result.cookies
    extra = {
        "session": [c.session for c in cookies],
        "third_party": [not c.first_party for c in cookies],
    }
    return _records(Cookie, cookies, extra)


def requests_table(result: ScanResult) -> Table:
    """One row per request the browser made (headers are in scan.json and scan.har, not here)."""
    return _records(Request, result.requests, drop=HEADER_COLUMNS)


def storage_table(result: ScanResult) -> Table:
    return _records(StorageItem, result.storage)


def pages_table(result: ScanResult) -> Table:
    """One row per visited page with counts of its requests, third-party requests and beacons."""
    total: Counter[str] = Counter()
    third: Counter[str] = Counter()
    beacons: Counter[str] = Counter()
    for r in result.requests:
        total[r.page_url] += 1
        third[r.page_url] += r.third_party
        beacons[r.page_url] += r.is_beacon
    pages: tuple[Page, ...] = result.pages
    extra = {
        "requests": [total[p.url] for p in pages],
        "third_party_requests": [third[p.url] for p in pages],
        "beacons": [beacons[p.url] for p in pages],
    }
    return _records(Page, pages, extra)


# pages, cookies, requests, beacons, storage: the finding's totals (scanner.report.text.evidence_counts);
# ``requests`` counts every request of the vendor, beacons included (as report.html, the detail's
# "N request(s) incl. M beacon(s)", consent-matrix.csv and scan.json's vendors rows), ``beacons`` how many
# of them were beacons.
FINDING_COLUMNS = [
    "vendor",
    "status",
    "category",
    "declared_name",
    "unknown",
    "detail",
    "reasons",
    "pages",
    "cookies",
    "requests",
    "beacons",
    "storage",
    "cookie_names",
    "hosts",
    "first_page",
    "evidence_note",
    "severity",
    "observations",
    "waiver",
]


def _hosts(f: Finding, vendor_hosts: dict[str, dict[str, None]]) -> str:
    """Every host the vendor's requests went to (from the scan's requests, not the capped sample)."""
    seen: dict[str, None] = dict(vendor_hosts.get(f.vendor, {}))
    for r in (*f.evidence.requests, *f.evidence.beacons):
        url = str(r.get("url", ""))
        host = url.split("/")[2] if url.count("/") >= 2 else url
        seen.setdefault(host, None)
    return JOIN.join(seen)


def evidence_note(f: Finding) -> str:
    """ "showing 50 of 65 pages; showing 20 of 65 beacons" for the lists scan.json only samples (the
    requests that are not beacons are "other requests" when there are beacons: the ``requests`` column
    counts both)."""
    ev = f.evidence
    word = {"storage": "storage keys", "requests": "other requests" if ev.total("beacons") else "requests"}
    return "; ".join(
        f"showing {ev.listed(k)} of {ev.total(k)} {word.get(k, k)}" for k in EVIDENCE_KINDS if ev.cut(k)
    )


def _vendor_hosts(result: ScanResult) -> dict[str, dict[str, None]]:
    vendor_hosts: dict[str, dict[str, None]] = {}
    for r in result.requests:
        if r.vendor and r.host:
            vendor_hosts.setdefault(r.vendor, {}).setdefault(r.host, None)
    return vendor_hosts


def _waiver_cell(f: Finding) -> str | None:
    """ "waived (reason, owner, until DATE); waivers.toml:3" or "waiver expired on DATE (...); ..."."""
    if f.waiver is None:
        return None
    from scanner.waivers import waiver_text

    return f"{waiver_text(f.waiver)}; {f.waiver.source}"


def _findings_rows(findings: Iterable[Finding], vendor_hosts: dict[str, dict[str, None]]) -> Table:
    rows = []
    for f in findings:
        ev = f.evidence
        rows.append(
            [
                f.vendor,
                f.status,
                f.category,
                f.declared_name,
                f.unknown,
                f.detail,
                JOIN.join(f.reasons),
                *evidence_counts(ev).values(),
                JOIN.join(dict.fromkeys(str(c.get("name", "")) for c in ev.cookies)),
                _hosts(f, vendor_hosts),
                ev.pages[0] if ev.pages else None,
                evidence_note(f),
                f.severity,
                ev.total("behaviour"),
                _waiver_cell(f),
            ]
        )
    return text_table(rows, FINDING_COLUMNS)


def findings_table(result: ScanResult, *, consent: bool = False, behaviour: bool = False) -> Table:
    """One row per finding with evidence totals (scan.json keeps a sample of each list, and every
    request, cookie and storage key with its vendor); with ``consent`` the consent findings follow
    (``status`` is their kind: before_consent, despite_reject, ...), with ``behaviour`` the behaviour
    findings (``status`` fingerprinting, form_data_leak, ...; ``severity`` and ``observations`` set)."""
    findings = list(result.findings)
    if consent:
        from scanner.report.consent_text import consent_findings

        findings += consent_findings(result.consent)
    if behaviour:
        from scanner.report.behaviour_text import behaviour_findings

        findings += behaviour_findings(result.behaviour)
    return _findings_rows(findings, _vendor_hosts(result))


def consent_findings_table(result: ScanResult) -> Table:
    """The consent findings alone (``status`` is their kind: before_consent, despite_reject, ...), with
    the columns of :func:`findings_table`; no rows without a consent audit."""
    from scanner.report.consent_text import consent_findings

    return _findings_rows(consent_findings(result.consent), _vendor_hosts(result))


def behaviour_findings_table(result: ScanResult) -> Table:
    """The behaviour findings alone (``status`` fingerprinting, form_data_leak, ...; ``severity`` and
    ``observations`` set), with the columns of :func:`findings_table`; no rows without a behaviour audit."""
    from scanner.report.behaviour_text import behaviour_findings

    return _findings_rows(behaviour_findings(result.behaviour), _vendor_hosts(result))


MATRIX_COLUMNS = [
    "vendor",
    "category",
    "tracking",
    "pass",
    "pass_label",
    "consent_manager",
    "action",
    "verified",
    "requests",
    "beacons",
    "cookies",
    "storage",
    "after_action",
    "pages",
    "bad",
    "bad_reason",
]


def consent_matrix_table(result: ScanResult) -> Table:
    """The vendor x pass matrix, one row per vendor and pass that ran (a long table a pivot reads),
    with what that pass did with the banner; ``bad`` marks the cells a consent finding rests on."""
    from scanner.report.consent_text import action_text, matrix_rows, pass_label, verified_text

    consent = result.consent
    rows: list[list] = []
    if consent is not None:
        passes = {p.name: p for p in consent.passes}
        for row in matrix_rows(consent):
            for cell in row["cells"]:
                p = passes[cell["pass"]]
                counts = cell["counts"]
                rows.append(
                    [
                        row["vendor"],
                        row["category"] or None,
                        row["tracking"],
                        p.name,
                        pass_label(p.name),
                        p.cmp,
                        action_text(p),
                        verified_text(p),
                        *(int(counts.get(k) or 0) for k in MATRIX_COLUMNS[8:14]),
                        cell["bad"],
                        cell["bad_text"] or None,
                    ]
                )
    return text_table(rows, MATRIX_COLUMNS)


BEHAVIOUR_COLUMNS = [
    "kind",
    "severity",
    "vendor",
    "technique",
    "criterion",
    "purpose",
    "category",
    "script",
    "page_url",
    "frame_url",
    "calls",
    "calls_total",
    "source",
    "source_name",
    "source_domain",
    "receiving_request",
    "location",
    "param",
    "encoding",
    "first_party_host",
    "cname",
    "detection_pages",
    "detection_observations",
]


def _behaviour_row(kind: str, sev: str | None, vendor: str | None, detection: dict, obs: Mapping) -> list:
    from scanner.report.behaviour_text import call_rows, calls_text, first, request_without_query

    counts = [c.get("count") for c in call_rows(obs)]
    total = sum(int(c) for c in counts if isinstance(c, int) and not isinstance(c, bool))
    url = obs.get("url")
    return [
        kind,
        sev,
        vendor,
        first(obs, "technique") or detection.get("technique") or None,
        first(obs, "criterion") or detection.get("criterion") or None,
        detection.get("purpose"),
        detection.get("category"),
        first(obs, "script") or detection.get("script") or None,
        first(obs, "page_url", "page") or None,
        first(obs, "frame_url", "frame") or None,
        calls_text(obs) or None,
        total if counts else None,
        first(obs, "source") or None,
        first(obs, "name") or None,
        first(obs, "source_domain") or None,
        request_without_query(url) if url else None,
        first(obs, "location") or None,
        first(obs, "param") or None,
        first(obs, "encoding") or None,
        first(obs, "first_party_host", "subdomain")
        or (first(obs, "host") if kind == "cname_cloaked" else None)
        or None,
        first(obs, "cname", "cname_target") or None,
        detection.get("pages"),
        detection.get("observations"),
    ]


def behaviour_table(result: ScanResult) -> Table:
    """One row per observation of each detection of the behaviour audit (a detection without
    observations is one row), then the observations of findings no detection stands for; ``severity``
    is the finding's of that kind and vendor. Values of cookies, storage keys and typed fields are never
    here: ``receiving_request`` is the request without its query (which may hold the value)."""
    from scanner.report.behaviour_text import DEFAULT_SEVERITY, behaviour_findings, same_vendor, severity

    report = result.behaviour
    rows: list[list] = []
    if report is not None:
        findings = behaviour_findings(report)
        covered: set[int] = set()
        for d in report.detections:
            finding = next((f for f in findings if f.status == d.kind and same_vendor(d, f)), None)
            if finding is not None:
                covered.add(id(finding))
            sev = severity(finding) if finding is not None else DEFAULT_SEVERITY.get(d.kind)
            info = {
                "technique": d.technique,
                "criterion": d.criterion,
                "purpose": d.purpose,
                "category": d.category,
                "script": d.script,
                "pages": len(d.pages),
                "observations": max(getattr(d, "observations", 0) or 0, len(d.evidence)),
            }
            vendor = d.vendor or (finding.vendor if finding is not None else getattr(d, "subject", None))
            for obs in [o for o in d.evidence if isinstance(o, Mapping)] or [{}]:
                rows.append(_behaviour_row(d.kind, sev, vendor, info, obs))
        for f in findings:
            if id(f) in covered:
                continue
            info = {
                "category": f.category,
                "pages": f.evidence.total("pages"),
                "observations": f.evidence.total("behaviour"),
            }
            for obs in [o for o in f.evidence.behaviour if isinstance(o, Mapping)] or [{}]:
                rows.append(_behaviour_row(f.status, severity(f), f.vendor, info, obs))
    return text_table(rows, BEHAVIOUR_COLUMNS)
