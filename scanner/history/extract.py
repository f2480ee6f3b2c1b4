"""What the history keeps of one scan: rows for its tables, computed from the ScanResult alone.

No database here: :func:`scan_rows` turns a checked scan.json into plain dicts (one per row), which
``scanner.history.record`` writes. Observations are counted per consent pass (``none`` is the crawl);
``before_consent`` marks a cookie set before any consent choice: in the crawl (nobody answers the
banner there), or in a consent pass before its banner was answered (or in a pass with no banner to
answer).

The finding fingerprint (:func:`finding_fingerprint`) is what makes a baseline across scans: it hashes
the site key, the finding's kind and the vendor name (case and spacing folded, as the gate compares
vendors), nothing that changes from one scan to the next (pages, counts, evidence). The SARIF
report's ``partialFingerprints["vendorStatus/v1"]`` hashes kind and vendor only (a SARIF log is about one
site); it is kept beside it (``sarif_fingerprint``) so a finding can be matched with its SARIF result. Both
key the site's own vendors ("example.com (first party)") by ``scanner.fingerprints.stable_vendor``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from scanner import fingerprints
from scanner.domains import ascii_host, registrable_domain
from scanner.errors import BadInput
from scanner.fingerprints import FIRST_PARTY, SITE, site_names, stable_vendor
from scanner.gate import all_findings, verdict
from scanner.model import BEHAVIOUR_KINDS, CONSENT_KINDS, ScanResult
from scanner.severity import finding_severity

# The verdict word of an exit code (scanner.gate.Verdict.word); ERROR: a code that is no verdict.
VERDICTS = {0: "PASS", 1: "FAIL", 4: "PARTIAL"}
# Severity of a finding without one of its own: from its SARIF level (scanner.report.sarif.RULES).
FINGERPRINT_VERSION = "history/v1"
MAX_SITE_TEXT = 2048


def site_key(site: str) -> str:
    """The site a URL (or a host name) belongs to: the registrable domain of its host, in ASCII
    ("https://www.Bücher.de/x" -> "xn--bcher-kva.de"); an IP address or a single-label host is its own
    key. It is the scanner's first-party scope of that start URL. BadInput when there is no host."""
    text = str(site).strip()
    if not text or len(text) > MAX_SITE_TEXT:
        raise BadInput(f"not a site URL or host name: {text[:80]!r}")
    if "://" not in text:
        text = "//" + text
    try:
        host = urlsplit(text).hostname or ""
    except ValueError:
        host = ""
    host = host.strip().rstrip(".")
    if not host or any(c.isspace() or c in "/\\@" for c in host):
        raise BadInput(f"not a site URL or host name: {str(site)[:80]!r}")
    if ":" in host:  # an IPv6 address
        return host.lower()
    return registrable_domain(ascii_host(host))


def vendor_key(vendor: str) -> str:
    """A vendor name as the gate compares them: case folded, runs of white space as one space."""
    return " ".join(vendor.casefold().split())


def finding_fingerprint(site: str, kind: str, vendor: str, start_urls: Iterable[str] = ()) -> str:
    """The same for the same site key, kind and vendor in every scan (32 hex characters). The site's own
    vendors are keyed as SARIF keys them (``scanner.fingerprints.stable_vendor``, from the scan's start
    URLs), with ``<site>`` spelled as the site key: "example.com (first party)" of a scan of example.com
    hashes as it always did, and a preview deployment recorded under the same ``--site`` matches it."""
    key = vendor_key(vendor)
    if key.endswith(FIRST_PARTY):
        key = stable_vendor(key, *site_names(start_urls)).replace(SITE, site)
    text = f"{FINGERPRINT_VERSION}|{site}|{kind}|{key}"
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]


def sarif_fingerprint(kind: str, vendor: str, start_urls: Iterable[str] = ()) -> str:
    """results.sarif's ``partialFingerprints["vendorStatus/v1"]`` of the same finding."""
    return fingerprints.sarif_fingerprint(kind, vendor, start_urls)


def family_of(kind: str) -> str:
    if kind in CONSENT_KINDS:
        return "consent"
    if kind in BEHAVIOUR_KINDS:
        return "behaviour"
    return "declaration"


@dataclass
class ScanRows:
    """Rows of one scan for each table (``scans`` without its site and file columns)."""

    site_key: str
    start_url: str
    scan: dict[str, Any]
    vendor_obs: list[dict[str, Any]] = field(default_factory=list)
    cookie_obs: list[dict[str, Any]] = field(default_factory=list)
    host_obs: list[dict[str, Any]] = field(default_factory=list)
    findings: list[dict[str, Any]] = field(default_factory=list)


def scan_rows(
    result: ScanResult, *, site: str | None = None, campaign: str | None = None, exit_code: int | None = None
) -> ScanRows:
    """Every row the history keeps of ``result``. ``site`` (a URL or host) overrides the site key taken
    from the first start URL; ``exit_code`` is the code the scan ended with (default: the gate's code with
    its default ``--fail-on``)."""
    meta = result.meta
    start = meta.start_urls[0] if meta.start_urls else (site or "")
    key = site_key(site if site else start)
    if exit_code is None:
        exit_code = verdict(result).code
    passes = [p.get("name") for p in meta.consent_passes if isinstance(p, dict) and p.get("name")]
    consent = result.consent
    scan = {
        "campaign": campaign,
        "start_url": start or key,
        "started_at": meta.started_at,
        "finished_at": meta.finished_at,
        "tool_version": meta.tool_version,
        "catalog_version": meta.catalog_version,
        "autoconsent_version": consent.autoconsent_version if consent is not None else None,
        "schema_version": result.schema_version,
        "browser_version": meta.browser_version,
        "region": consent.region if consent is not None else None,
        "passes": ",".join(["none", *(str(p) for p in passes if p != "none")]),
        "exit_code": int(exit_code),
        "verdict": VERDICTS.get(int(exit_code), "ERROR"),
        "interrupted": bool(meta.interrupted),
        "pages": len(result.pages),
        "requests": len(result.requests),
        "cookies": len(result.cookies),
    }
    return ScanRows(
        site_key=key,
        start_url=scan["start_url"],
        scan=scan,
        vendor_obs=vendor_rows(result),
        cookie_obs=cookie_rows(result),
        host_obs=host_rows(result),
        findings=finding_rows(result, key),
    )


def vendor_rows(result: ScanResult) -> list[dict[str, Any]]:
    """One row per (vendor, pass) in which the vendor's requests, cookies or storage were seen."""
    info = {str(v.get("name")): v for v in result.vendors if isinstance(v, dict) and v.get("name")}
    status = {vendor_key(f.vendor): f.status for f in result.findings}
    pages: dict[tuple[str, str], set[str]] = defaultdict(set)
    counts: dict[tuple[str, str], Counter] = defaultdict(Counter)
    cookies: dict[tuple[str, str], set[tuple[str, str, str]]] = defaultdict(set)
    storage: dict[tuple[str, str], set[tuple[str, str, str]]] = defaultdict(set)
    for r in result.requests:
        if r.vendor:
            k = (r.vendor, r.consent_pass)
            pages[k].add(r.page_url)
            counts[k]["beacons" if r.is_beacon else "requests"] += 1
    for c in result.cookies:
        if c.vendor:
            k = (c.vendor, c.consent_pass)
            pages[k].update(c.pages or (c.page_url,))
            cookies[k].add(c.key)
    for s in result.storage:
        if s.vendor:
            k = (s.vendor, s.consent_pass)
            pages[k].add(s.page_url)
            storage[k].add((s.origin, s.kind, s.key))
    rows = []
    for vendor, consent_pass in sorted(pages):
        k = (vendor, consent_pass)
        v = info.get(vendor, {})
        rows.append(
            {
                "vendor": vendor,
                "consent_pass": consent_pass,
                "category": v.get("category"),
                "tracker": bool(v.get("tracker", False)),
                "unknown": bool(v.get("unknown", False)),
                "status": status.get(vendor_key(vendor)),
                "pages": len(pages[k]),
                "requests": counts[k]["requests"],
                "beacons": counts[k]["beacons"],
                "cookies": len(cookies[k]),
                "storage": len(storage[k]),
            }
        )
    return rows


def cookie_rows(result: ScanResult) -> list[dict[str, Any]]:
    """One row per cookie (name, domain, path) and pass; a cookie the scan lists twice in a pass is
    merged (seen before consent if either was, the longest lifetime, every page)."""
    rows: dict[tuple, dict[str, Any]] = {}
    for c in result.cookies:
        before = c.consent_phase != "after_action"  # the crawl, or no banner answered yet in its pass
        k = (*c.key, c.consent_pass)
        pages = set(c.pages or (c.page_url,))
        row = rows.get(k)
        if row is None:
            rows[k] = {
                "name": c.name,
                "domain": c.domain,
                "path": c.path,
                "consent_pass": c.consent_pass,
                "vendor": c.vendor,
                "lifetime_days": c.lifetime_days,
                "third_party": not c.first_party,
                "set_by": c.set_by,
                "session": c.session,
                "before_consent": before,
                "_pages": pages,
            }
            continue
        row["before_consent"] = row["before_consent"] or before
        row["vendor"] = row["vendor"] or c.vendor
        row["_pages"] |= pages
        if c.lifetime_days is not None and (row["lifetime_days"] or 0) < c.lifetime_days:
            row["lifetime_days"] = c.lifetime_days
            row["session"] = False
    out = []
    for row in rows.values():
        row["pages"] = len(row.pop("_pages"))
        out.append(row)
    return out


def host_rows(result: ScanResult) -> list[dict[str, Any]]:
    """One row per requested host and pass, with the vendor most of its requests were attributed to."""
    grouped: dict[tuple[str, str], list] = defaultdict(list)
    for r in result.requests:
        if r.host:
            grouped[(r.host, r.consent_pass)].append(r)
    rows = []
    for (host, consent_pass), requests in sorted(grouped.items()):
        vendors = Counter(r.vendor for r in requests if r.vendor)
        rows.append(
            {
                "host": host,
                "consent_pass": consent_pass,
                "registrable_domain": requests[0].registrable_domain,
                "vendor": vendors.most_common(1)[0][0] if vendors else None,
                "third_party": any(r.third_party for r in requests),
                "requests": sum(1 for r in requests if not r.is_beacon),
                "beacons": sum(1 for r in requests if r.is_beacon),
            }
        )
    return rows


def finding_rows(result: ScanResult, site: str) -> list[dict[str, Any]]:
    """Every finding of the scan: the declaration's, the consent audit's, the behaviour audit's."""
    return [
        {
            "family": family_of(f.status),
            "kind": f.status,
            "vendor": f.vendor,
            "category": f.category,
            "declared_name": f.declared_name,
            "severity": finding_severity(f),
            "reasons": json.dumps(list(f.reasons), ensure_ascii=False),
            "unknown": bool(f.unknown),
            "pages": f.evidence.total("pages"),
            "fingerprint": finding_fingerprint(site, f.status, f.vendor, result.meta.start_urls),
            "sarif_fingerprint": sarif_fingerprint(f.status, f.vendor, result.meta.start_urls),
        }
        for f in all_findings(result)
    ]
