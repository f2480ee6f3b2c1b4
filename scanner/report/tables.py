"""pandas views of a scan result: one row per cookie, request, page, finding or storage key.

Shared by the CSV writers and by :func:`scanner.load_scan`; tuples become ``;``-joined text so
every cell is a scalar that survives a CSV round trip.
"""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Iterable
from typing import Any

import pandas as pd

from scanner.model import EVIDENCE_KINDS, Cookie, Finding, Page, Request, ScanResult, StorageItem

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


def _frame(cls: type, rows: tuple, extra: dict[str, list] | None = None) -> pd.DataFrame:
    columns = [f.name for f in dataclasses.fields(cls)]
    data = {name: [_flat(getattr(row, name), name) for row in rows] for name in columns}
    if extra:
        data.update(extra)
    return pd.DataFrame(data, columns=columns + list(extra or {}))


def cookies_frame(result: ScanResult) -> pd.DataFrame:
    """One row per cookie; adds ``session`` (no expiry) and ``third_party``."""
    cookies: tuple[Cookie, ...] = result.cookies
    extra = {
        "session": [c.session for c in cookies],
        "third_party": [not c.first_party for c in cookies],
    }
    return _frame(Cookie, cookies, extra)


def requests_frame(result: ScanResult) -> pd.DataFrame:
    """One row per request the browser made (headers are in scan.json and scan.har, not here)."""
    return _frame(Request, result.requests).drop(columns=list(HEADER_COLUMNS))


def storage_frame(result: ScanResult) -> pd.DataFrame:
    return _frame(StorageItem, result.storage)


def pages_frame(result: ScanResult) -> pd.DataFrame:
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
    return _frame(Page, pages, extra)


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
    """ "showing 50 of 65 pages; showing 20 of 65 beacons" for the lists scan.json only samples."""
    ev = f.evidence
    word = {"storage": "storage keys"}
    return "; ".join(
        f"showing {ev.listed(k)} of {ev.total(k)} {word.get(k, k)}" for k in EVIDENCE_KINDS if ev.cut(k)
    )


def _vendor_hosts(result: ScanResult) -> dict[str, dict[str, None]]:
    vendor_hosts: dict[str, dict[str, None]] = {}
    for r in result.requests:
        if r.vendor and r.host:
            vendor_hosts.setdefault(r.vendor, {}).setdefault(r.host, None)
    return vendor_hosts


def _findings_rows(findings: Iterable[Finding], vendor_hosts: dict[str, dict[str, None]]) -> pd.DataFrame:
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
                *(ev.total(k) for k in EVIDENCE_KINDS),
                JOIN.join(dict.fromkeys(str(c.get("name", "")) for c in ev.cookies)),
                _hosts(f, vendor_hosts),
                ev.pages[0] if ev.pages else None,
                evidence_note(f),
            ]
        )
    return pd.DataFrame(rows, columns=FINDING_COLUMNS)


def findings_frame(result: ScanResult, *, consent: bool = False) -> pd.DataFrame:
    """One row per finding with evidence totals (scan.json keeps a sample of each list, and every
    request, cookie and storage key with its vendor); with ``consent`` the consent findings follow
    (``status`` is their kind: before_consent, despite_reject, ...)."""
    findings = list(result.findings)
    if consent:
        from scanner.report.consent_text import consent_findings

        findings += consent_findings(result.consent)
    return _findings_rows(findings, _vendor_hosts(result))


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


def consent_matrix_frame(result: ScanResult) -> pd.DataFrame:
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
    return pd.DataFrame(rows, columns=MATRIX_COLUMNS)
