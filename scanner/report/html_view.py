"""The view model of report.html: plain dicts and lists the template only has to print.

Every string here may come from the scanned site; the template escapes all of it
(autoescape). This module only shapes and counts; it decides which URLs may become links
(http and https only); which screenshots become ``<img src>``, embedded or linked, is
``scanner.report.html_images``.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Collection
from pathlib import Path
from urllib.parse import urlsplit

from scanner.gate import normalise_fail_on, verdict
from scanner.model import (
    BEHAVIOUR_KINDS,
    CONSENT_KINDS,
    EVIDENCE_KINDS,
    FINDING_STATUSES,
    Finding,
    ScanResult,
)
from scanner.report.behaviour_text import failing_behaviour_text
from scanner.report.consent_text import failing_consent_text, kind_label
from scanner.report.coverage_text import coverage_view
from scanner.report.html_evidence import evidence_view
from scanner.report.html_images import Images
from scanner.report.html_method import method_view
from scanner.report.text import partial_scan_text

EVIDENCE_LIMIT = 100  # rows per evidence kind per finding; counts are the finding's totals
HOSTS_PER_PAGE = 30
STATUS_LABELS = {
    "undeclared": "Undeclared",
    "mismatch": "Mismatch",
    "not_observed": "Not observed",
    "declared": "Declared & consistent",
}


def safe_href(url: object) -> str | None:
    """The URL itself when it is http(s), else None (no javascript:, data:, file: links)."""
    if not isinstance(url, str):
        return None
    try:
        scheme = urlsplit(url.strip()).scheme.lower()
    except ValueError:
        return None
    return url if scheme in ("http", "https") else None


def days_text(days: object) -> str:
    if days is None:
        return "session"
    try:
        value = float(days)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "?"
    if value < 1:
        return f"{value * 24:.1f} h"
    return f"{value:.0f} d" if value >= 10 else f"{value:.1f} d"


def _num(value: object) -> float:
    try:
        return float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return -1.0


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or url
    except ValueError:
        return url


def _clip(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _sample(f: Finding, kind: str, limit: int = EVIDENCE_LIMIT) -> tuple[list, dict]:
    """The rows shown of one evidence kind, and {"total", "shown"} for its "showing N of M" note."""
    rows = list(getattr(f.evidence, kind)[:limit])
    return rows, {"total": f.evidence.total(kind), "shown": len(rows)}


def _flags(secure: object, http_only: object, same_site: object) -> str:
    text = " ".join(flag for flag, on in (("Secure", secure), ("HttpOnly", http_only)) if on)
    return (text + f" SameSite={same_site}" if same_site else text).strip()


def _cookie_ref(c: dict) -> dict:
    first = c.get("first_party")
    return {
        "name": str(c.get("name", "")),
        "domain": str(c.get("domain", "")),
        "path": str(c.get("path", "") or ""),
        "lifetime": days_text(c.get("lifetime_days")),
        "party": "first" if first else ("third" if first is not None else "?"),
        "set_by": str(c.get("set_by", "") or "") + (" (refused)" if c.get("in_jar") is False else ""),
        "flags": _flags(c.get("secure"), c.get("http_only"), c.get("same_site")),
        "why": str(c.get("vendor_reason", "") or ""),
        "page": str(c.get("page_url", "") or ""),
        "page_href": safe_href(c.get("page_url")),
    }


def _request_ref(r: dict) -> dict:
    return {
        "url": str(r.get("url", "")),
        "type": str(r.get("resource_type", "") or ""),
        "initiator": str(r.get("initiator", "") or ""),
        "reason": str(r.get("beacon_reason") or r.get("reason") or ""),
        "page": str(r.get("page_url", "") or ""),
        "page_href": safe_href(r.get("page_url")),
    }


def _storage_ref(s: dict) -> dict:
    return {
        "origin": str(s.get("origin", "")),
        "kind": str(s.get("kind", "")),
        "key": str(s.get("key", "")),
        "page": str(s.get("page_url", "") or ""),
        "page_href": safe_href(s.get("page_url")),
    }


def _declared_source(f: Finding, sources: dict[str, str]) -> str:
    """Where the declaration came from; a finding covered by several rows joins their names with "; "."""
    names = [n.strip() for n in (f.declared_name or "").split(";") if n.strip()]
    found = [sources[n] for n in ([f.declared_name or "", *names]) if sources.get(n)]
    return "; ".join(dict.fromkeys(found))


def _status_rank(status: str) -> int:
    if status in FINDING_STATUSES:
        return FINDING_STATUSES.index(status)
    if status in CONSENT_KINDS:
        return len(FINDING_STATUSES) + CONSENT_KINDS.index(status)
    if status in BEHAVIOUR_KINDS:
        return len(FINDING_STATUSES) + len(CONSENT_KINDS) + BEHAVIOUR_KINDS.index(status)
    return 99


def waiver_view(f: Finding) -> dict | None:
    """How a row shows the finding's waiver (None without one): "waived (...)" or "waiver expired on ..."."""
    if f.waiver is None:
        return None
    from scanner.waivers import waiver_text

    w = f.waiver
    return {
        "text": waiver_text(w),
        "expired": w.expired,
        "reason": w.reason,
        "owner": w.owner,
        "expires": w.expires,
        "source": w.source,
    }


def _finding_row(
    f: Finding, failing: bool, parents: dict[str, str], sources: dict[str, str], warning: bool = False
) -> dict:
    pages, pages_n = _sample(f, "pages")
    cookies, cookies_n = _sample(f, "cookies")
    requests, requests_n = _sample(f, "requests")
    beacons, beacons_n = _sample(f, "beacons")
    storage, storage_n = _sample(f, "storage")
    return {
        "vendor": f.vendor,
        "parent": parents.get(f.vendor, ""),
        "status": f.status,
        "status_label": STATUS_LABELS.get(f.status) or kind_label(f.status),
        "status_rank": _status_rank(f.status),
        "category": f.category or "",
        "declared_name": f.declared_name or "",
        "declared_source": _declared_source(f, sources),
        "detail": f.detail,
        "reasons": list(f.reasons),
        "unknown": f.unknown,
        "failing": failing,
        "warning": warning,
        "waiver": waiver_view(f),
        "counts": {kind: f.evidence.total(kind) for kind in EVIDENCE_KINDS},
        "pages": [{"url": p, "href": safe_href(p)} for p in pages],
        "pages_n": pages_n,
        "cookies": [_cookie_ref(c) for c in cookies],
        "cookies_n": cookies_n,
        "requests": [_request_ref(r) for r in requests],
        "requests_n": requests_n,
        "beacons": [_request_ref(r) for r in beacons],
        "beacons_n": beacons_n,
        "storage": [_storage_ref(s) for s in storage],
        "storage_n": storage_n,
    }


def _cookie_inventory(result: ScanResult) -> tuple[list[dict], dict[str, int]]:
    rows = []
    grid: Counter[str] = Counter()
    for c in result.cookies:
        party = "first" if c.first_party else "third"
        life = "session" if c.session else "persistent"
        grid[f"{party}_{life}"] += 1
        rows.append(
            {
                "name": c.name,
                "domain": c.domain,
                "path": c.path,
                "vendor": c.vendor or "",
                "party": party,
                "life": life,
                "lifetime": days_text(c.lifetime_days if not c.session else None),
                "lifetime_sort": _num(c.lifetime_days) if not c.session else -1.0,
                "declared_lifetime": days_text(c.declared_lifetime_days)
                if c.declared_lifetime_days is not None and c.declared_lifetime_days != c.lifetime_days
                else "",
                "set_by": c.set_by,
                "flags": _flags(c.secure, c.http_only, c.same_site),
                "in_jar": c.in_jar,
                "value": _clip(c.value) if c.value is not None else "",
                "pages": max(1, len(c.pages)),
                "page": c.page_url,
            }
        )
    return rows, dict(grid)


def _host_inventory(result: ScanResult) -> list[dict]:
    hosts: dict[str, dict] = {}
    for r in result.requests:
        if not r.third_party:
            continue
        h = hosts.get(r.host)
        if h is None:
            h = hosts[r.host] = {
                "host": r.host,
                "domain": r.registrable_domain,
                "vendors": Counter(),
                "requests": 0,
                "beacons": 0,
                "pages": set(),
                "types": Counter(),
            }
        h["requests"] += 1
        h["beacons"] += r.is_beacon
        h["pages"].add(r.page_url)
        h["types"][r.resource_type] += 1
        if r.vendor:
            h["vendors"][r.vendor] += 1
    rows = []
    for h in sorted(hosts.values(), key=lambda x: (-x["requests"], x["host"])):
        rows.append(
            {
                "host": h["host"],
                "domain": h["domain"],
                "vendor": ", ".join(v for v, _ in h["vendors"].most_common()),
                "requests": h["requests"],
                "beacons": h["beacons"],
                "pages": len(h["pages"]),
                "types": ", ".join(f"{t} {n}" for t, n in h["types"].most_common()),
            }
        )
    return rows


def _page_rows(result: ScanResult, images: Images) -> list[dict]:
    per_page: dict[tuple[str, str], dict] = defaultdict(
        lambda: {"requests": 0, "third": 0, "beacons": 0, "hosts": Counter()}
    )
    for r in result.requests:  # a consent pass visits the crawl's URLs again: counted per (pass, URL)
        p = per_page[(r.consent_pass, r.page_url)]
        p["requests"] += 1
        p["beacons"] += r.is_beacon
        if r.third_party:
            p["third"] += 1
            p["hosts"][r.host] += 1
    first_cookies: Counter[tuple[str, str]] = Counter((c.consent_pass, c.page_url) for c in result.cookies)
    rows = []
    for i, page in enumerate(result.pages):
        stats = (
            per_page.get((page.consent_pass, page.url))
            or per_page.get((page.consent_pass, page.final_url or ""))
            or {
                "requests": 0,
                "third": 0,
                "beacons": 0,
                "hosts": Counter(),
            }
        )
        hosts = stats["hosts"].most_common()
        rows.append(
            {
                "n": i + 1,
                "url": page.url,
                "href": safe_href(page.final_url or page.url),
                "final_url": page.final_url if page.final_url and page.final_url != page.url else "",
                "title": page.title or "",
                "status": page.status if page.status is not None else "",
                "depth": page.depth,
                "load_ms": page.load_ms if page.load_ms is not None else "",
                "requests": stats["requests"],
                "third": stats["third"],
                "beacons": stats["beacons"],
                "cookies": first_cookies.get((page.consent_pass, page.url), 0),
                "error": page.error or "",
                "thumb": images.page(page.screenshot, page.thumbnail),
                "hosts": [{"host": h, "n": n} for h, n in hosts[:HOSTS_PER_PAGE]],
                "hosts_more": max(0, len(hosts) - HOSTS_PER_PAGE),
            }
        )
    return rows


def _bars(items: list[tuple[str, int, str]]) -> dict:
    top = max((v for _, v, _ in items), default=0) or 1
    return {
        "rows": [
            {"label": label, "value": value, "cls": cls, "width": round(220 * value / top, 1), "y": 24 * i}
            for i, (label, value, cls) in enumerate(items)
        ],
        "height": 24 * len(items),
    }


def _charts(result: ScanResult) -> dict:
    counts = result.summary
    by_status = _bars([(STATUS_LABELS[s], counts.get(s, 0), s) for s in FINDING_STATUSES])
    categories: Counter[str] = Counter()
    for v in result.vendors:
        if not isinstance(v, dict) or v.get("tracker") is False:
            continue
        categories[str(v.get("category") or ("Unknown" if v.get("unknown") else "Uncategorised"))] += 1
    by_category = _bars([(c, n, "category") for c, n in categories.most_common(12)])
    return {"status": by_status, "category": by_category}


def _consent(
    result: ScanResult,
    failing_ids: set[int],
    parents: dict[str, str],
    sources: dict[str, str],
    images: Images,
    warning_ids: frozenset[int] = frozenset(),
) -> dict | None:
    from scanner.report.html_consent import consent_view

    def row(f: Finding) -> dict:
        return _finding_row(f, id(f) in failing_ids, parents, sources, id(f) in warning_ids)

    return consent_view(result, row, images.shot)


def _verdict_item(f: Finding) -> dict:
    """A finding named in the verdict box: vendor, status in words, its waiver."""
    return {
        "vendor": f.vendor,
        "status": STATUS_LABELS.get(f.status) or kind_label(f.status),
        "waiver": waiver_view(f),
    }


def build_view(
    result: ScanResult,
    *,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
    scan_dir: Path | None = None,
    out_dir: Path | None = None,
    warn_on: Collection[str] | None = None,
    self_contained: bool = False,
    images: Images | None = None,
) -> dict:
    """Everything report.html shows, as plain data. ``self_contained``: every screenshot embedded;
    ``images``: how screenshots are shown (default: by ``self_contained``, see html_images)."""
    meta = result.meta
    gate = verdict(result, fail_on, baseline, warn_on=warn_on)
    failing = gate.failing
    failing_ids = {id(f) for f in failing}
    warning_ids = frozenset(id(f) for f in gate.warnings)
    parents = {
        str(v.get("name")): str(v.get("parent") or "")
        for v in result.vendors
        if isinstance(v, dict) and v.get("name") and v.get("parent") and v.get("parent") != v.get("name")
    }
    # Where each declared name comes from: "vendors.csv:4" or "policy: URL, table 'Cookies' row 3".
    sources = {d.name: d.source or "" for d in result.declared}
    findings = [
        _finding_row(f, id(f) in failing_ids, parents, sources, id(f) in warning_ids) for f in result.findings
    ]
    cookies, cookie_grid = _cookie_inventory(result)
    images = images or Images(scan_dir, out_dir, self_contained)
    consent = _consent(result, failing_ids, parents, sources, images, warning_ids)
    from scanner.report.html_behaviour import behaviour_view
    from scanner.report.html_login import login_view

    behaviour = behaviour_view(result, failing_ids, safe_href, warning_ids=warning_ids)
    from scanner.report.html_timeline import timeline_view

    options = meta.options if isinstance(meta.options, dict) else {}
    return {
        "title": "Tracker audit — " + (meta.start_urls[0] if meta.start_urls else "scan"),
        "partial": partial_scan_text(result),
        "coverage": coverage_view(result),
        "verdict": {
            "word": gate.label,
            "cls": {"FAIL": "fail", "PARTIAL": "partial", "NOT GATED": "not-gated"}.get(gate.label, "pass"),
            "failed": bool(failing),
            "failing": len(failing),
            "gated": gate.gated,
            "fail_on": sorted(normalise_fail_on(fail_on)) or ["none"],
            "warn_on": sorted(gate.warn_on),
            "warnings": [_verdict_item(f) for f in gate.warnings],
            "waived": [_verdict_item(f) for f in gate.waived],
            "expired": [_verdict_item(f) for f in gate.expired],
            "baseline": baseline is not None,
            "counts": [
                {"status": s, "label": STATUS_LABELS[s], "n": result.summary.get(s, 0)}
                for s in FINDING_STATUSES
            ],
            "consent_counts": consent["counts"] if consent else [],
            "consent_failing": failing_consent_text(failing),
            "behaviour_counts": behaviour["counts"] if behaviour else [],
            "behaviour_failing": failing_behaviour_text(failing),
        },
        "consent": consent,
        "behaviour": behaviour,
        "login": login_view(result, safe_href),  # a logged-in audit (scanner.report.html_login)
        "totals": {
            "pages": len(result.pages),
            "requests": len(result.requests),
            "third_party": sum(r.third_party for r in result.requests),
            "beacons": sum(r.is_beacon for r in result.requests),
            "cookies": len(result.cookies),
            "storage": len(result.storage),
            "vendors": len(result.vendors),
        },
        "findings": findings,
        "evidence": evidence_view(result, findings, consent, behaviour),  # html_evidence: groups, anchors
        "categories": sorted({f["category"] for f in findings if f["category"]}),
        "statuses": [(s, STATUS_LABELS[s]) for s in FINDING_STATUSES],
        "cookies": cookies,
        "cookie_grid": cookie_grid,
        "cookie_values": any(c.value is not None for c in result.cookies),
        "hosts": _host_inventory(result),
        "storage": [
            {
                "origin": s.origin,
                "kind": s.kind,
                "key": s.key,
                "vendor": s.vendor or "",
                "party": "third" if s.third_party else "first",
                "length": s.value_length,
                "page": s.page_url,
            }
            for s in result.storage
        ],
        "pages": _page_rows(result, images),
        "timeline": timeline_view(result, safe_href),  # scanner.report.html_timeline
        "charts": _charts(result),
        "meta": {
            "start_urls": [{"url": u, "href": safe_href(u)} for u in meta.start_urls],
            "started_at": meta.started_at,
            "finished_at": meta.finished_at or "",
            "tool_version": meta.tool_version,
            "browser": meta.browser or "",
            "browser_version": meta.browser_version or "",
            "user_agent": meta.user_agent or "",
            "options": [(str(k), str(v)) for k, v in sorted(options.items(), key=lambda kv: str(kv[0]))],
            "catalog_version": meta.catalog_version or "",
            "declared_source": meta.declared_source or "",
            "declared": len(result.declared),
            "interrupted": meta.interrupted,
            "errors": list(meta.errors),
            "schema_version": result.schema_version,
        },
        "evidence_limit": EVIDENCE_LIMIT,
        "method": method_view(
            result,
            {
                "linked": images.thumbs_linked,
                "embedded": images.embedded_total,
                "self_contained": images.self_contained,
                "printing": images.printing,
            },
        ),
    }
