"""The consent audit's verdicts: a vendor x pass matrix and the consent findings. Pure: it reads an
attributed ``ScanResult`` (records tagged with their pass and phase by ``scanner.assemble``, pages
carrying the consent driver's records) and returns a :class:`~scanner.model.ConsentReport`.

Kinds (``Finding.status``), for tracking vendors only (a catalog category in
``scanner.catalog.categories.TRACKING``, or an unknown tracker; never a CDN, host, consent manager,
payment or tag manager):

- ``before_consent``: it sent a request, set a cookie or wrote storage before any choice: anywhere in
  the crawl, or on the page where the accept/reject pass answered the banner, before the click.
- ``despite_reject``: it did so after a rejection the consent manager's self-test verified (or its
  state read as rejected); ``reject_unverified`` when the rejection could not be verified, because a
  failed opt-out proves nothing about the site.
- ``consent_gated``: seen only after "accept" (the good case; not a failure).
- ``gpc_ignored`` / ``gpc_honoured``: an advertising or social vendor still (or no longer) seen on the
  sample pages in the pass that sent Global Privacy Control; what holds for the scan's region only.
- ``no_banner``: the crawl's first pages showed this browser no consent banner.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from scanner.catalog.categories import TRACKING
from scanner.model import (
    CONSENT_PASSES,
    ConsentPass,
    ConsentReport,
    Cookie,
    Finding,
    Request,
    ScanResult,
    StorageItem,
)

# Vendors whose requests are "sale or sharing" under the US opt-out laws GPC speaks to.
OPT_OUT_CATEGORIES = frozenset({"advertising", "social"})
BANNER_VENDOR = "Consent banner"  # the vendor name of the scan-level finding no_banner
MAX_TEXT = 2000
MAX_BUTTONS = 30


@dataclass
class _Seen:
    """One vendor's records in one pass."""

    requests: list[Request] = field(default_factory=list)
    cookies: list[Cookie] = field(default_factory=list)
    storage: list[StorageItem] = field(default_factory=list)

    def add(self, item: Request | Cookie | StorageItem) -> None:
        {Request: self.requests, Cookie: self.cookies, StorageItem: self.storage}[type(item)].append(item)

    def items(self) -> list[Request | Cookie | StorageItem]:
        return [*self.requests, *self.cookies, *self.storage]

    def __bool__(self) -> bool:
        return bool(self.requests or self.cookies or self.storage)

    def where(self, pages: Iterable[str]) -> _Seen:
        keep = set(pages)
        out = _Seen()
        for item in self.items():
            if item.page_url in keep:
                out.add(item)
        return out

    def phase(self, *phases: str | None) -> _Seen:
        out = _Seen()
        for item in self.items():
            if item.consent_phase in phases:
                out.add(item)
        return out

    def cell(self) -> dict:
        return {
            "requests": sum(not r.is_beacon for r in self.requests),
            "beacons": sum(r.is_beacon for r in self.requests),
            "cookies": len({(c.name, c.domain) for c in self.cookies}),
            "storage": len({(s.origin, s.kind, s.key) for s in self.storage}),
            "after_action": sum(item.consent_phase == "after_action" for item in self.items()),
            "pages": len({item.page_url for item in self.items()}),
        }


def _finding(vendor: str, kind: str, row: dict, ev, detail: str, reasons: tuple[str, ...] = ()) -> Finding:
    """A consent finding about ``vendor`` (its vendor row gives the category and whether it is unknown)."""
    return Finding(
        vendor=vendor,
        status=kind,
        category=row.get("category"),
        detail=detail,
        reasons=reasons,
        evidence=ev,
        unknown=bool(row.get("unknown")),
    )


def summarise_passes(result: ScanResult) -> list[ConsentPass]:
    """One ConsentPass per pass that ran, from its pages' consent records (visit order)."""
    pages_of: dict[str, list] = defaultdict(list)
    for page in result.pages:
        pages_of[page.consent_pass].append(page)
    ran = dict.fromkeys(m.get("name") for m in result.meta.consent_passes if isinstance(m, dict))
    out = []
    for name in [p for p in CONSENT_PASSES if p in pages_of or p in ran]:
        pages = pages_of.get(name, [])
        records = [(p, p.consent) for p in pages if isinstance(p.consent, dict)]
        acted = next(((p, r) for p, r in records if r.get("action")), None)
        shown = acted or next(((p, r) for p, r in records if r.get("popup_found")), None)
        cmp = next((r.get("cmp") for _, r in records if r.get("cmp")), None)
        action = acted[1] if acted else {}
        errors: list[str] = []
        for _, r in records:
            errors += [str(e)[:300] for e in r.get("errors") or () if e][:5]
        meta = next((m for m in result.meta.consent_passes if m.get("name") == name), {})
        if meta.get("error"):
            errors.append(str(meta["error"])[:300])
        signals = {k: meta[k] for k in ("gpc_presented", "dnt_presented") if k in meta}
        if name == "gpc" and meta and not meta.get("gpc_presented", True):
            errors.append("this browser does not send Global Privacy Control: no GPC verdicts")
        banner = shown[1] if shown else {}
        out.append(
            ConsentPass(
                name=name,
                pages=tuple(p.url for p in pages),
                cmp=str(cmp) if cmp else None,
                popup_found=any(bool(r.get("popup_found")) for _, r in records),
                action=action.get("action"),
                action_page=acted[0].url if acted else None,
                action_at=action.get("action_at"),
                result=action.get("result"),
                self_test=action.get("self_test"),
                verified=_verified(name, action),
                banner_text=(
                    str(banner.get("banner_text"))[:MAX_TEXT] if banner.get("banner_text") else None
                ),
                buttons=tuple(str(b)[:200] for b in (banner.get("banner_buttons") or ())[:MAX_BUTTONS]),
                screenshot_before=action.get("screenshot_before") or banner.get("screenshot_before"),
                screenshot_after=action.get("screenshot_after"),
                errors=tuple(dict.fromkeys(errors)),
                signals=signals,
            )
        )
    return out


def _verified(name: str, action: dict) -> bool:
    """accept: the opt-in succeeded. reject: the opt-out succeeded and its self-test confirmed it, or the
    consent manager's own state reads as rejected; never when that state says something was granted."""
    from scanner.consent.cmp_record import state_rejected

    if name != "reject":
        return action.get("result") is True
    if action.get("result") is not True:
        return False
    state = state_rejected(action.get("cmp_state"))
    if state is False:
        return False
    return action.get("self_test") is True or state is True


def _tracking(row: dict) -> bool:
    if not row.get("tracker"):
        return False
    if row.get("unknown"):
        return True
    cats = {row.get("category"), *(row.get("categories") or ())}
    return bool(cats & TRACKING)


def _opt_out_vendor(row: dict) -> bool:
    return bool({row.get("category"), *(row.get("categories") or ())} & OPT_OUT_CATEGORIES)


def _region(result: ScanResult) -> str | None:
    seen = result.meta.presented or {}
    zone, langs = seen.get("timezone"), ",".join(seen.get("languages") or ())
    parts = [f"time zone {zone}" if zone else "", f"languages {langs}" if langs else ""]
    return ", ".join(p for p in parts if p) or None


def consent_report(result: ScanResult, catalog=None) -> ConsentReport | None:
    """The consent audit of an attributed scan; None when no consent driver ran and no pass was made.
    ``catalog`` (default: the built-in one) names the vendors a consent manager lists."""
    from scanner.compare import evidence_of, seen_words

    passes = summarise_passes(result)
    if not any(isinstance(p.consent, dict) for p in result.pages) and [p.name for p in passes] in (
        [],
        ["none"],
    ):
        return None
    by_name = {p.name: p for p in passes}
    rows = {v["name"]: v for v in result.vendors if isinstance(v, dict) and v.get("name")}
    seen: dict[str, dict[str, _Seen]] = defaultdict(lambda: defaultdict(_Seen))
    for item in [*result.requests, *result.cookies, *result.storage]:
        if item.vendor:
            seen[item.vendor][item.consent_pass].add(item)
    region = _region(result)
    sample = tuple(by_name[n].pages for n in ("accept", "reject", "gpc") if n in by_name)
    sample_pages = set(sample[0]) if sample else set()

    findings: list[Finding] = []
    matrix: list[dict] = []

    def finding(vendor: str, kind: str, what: _Seen, detail: str, reasons: tuple[str, ...] = ()) -> None:
        ev = evidence_of(what.requests, what.cookies, what.storage)
        findings.append(
            _finding(vendor, kind, rows.get(vendor, {}), ev, f"{detail}: {seen_words(ev)}", reasons)
        )

    reject, accept, gpc = by_name.get("reject"), by_name.get("accept"), by_name.get("gpc")
    gpc_usable = gpc is not None and gpc.signals.get("gpc_presented", True)
    for vendor in sorted(seen, key=str.lower):
        row = rows.get(vendor, {})
        tracking = _tracking(row)
        cells = seen[vendor]
        bad: list[str] = []
        if tracking:
            early = _Seen()
            for item in cells["none"].items():
                early.add(item)
            for name in ("accept", "reject"):
                for item in cells[name].phase("before_action").items():
                    early.add(item)
            if early:
                bad.append("none")
                no_banner = (
                    "none" in by_name and by_name["none"].cmp is None and not by_name["none"].popup_found
                )
                why = " (no consent banner was shown to this browser)" if no_banner else ""
                finding(
                    vendor, "before_consent", early, f"{vendor} was active before any consent choice{why}"
                )
            if reject is not None and reject.action:
                late = cells["reject"].phase("after_action")
                if late:
                    bad.append("reject")
                    if reject.verified:
                        finding(
                            vendor, "despite_reject", late, f"{vendor} was active after a verified rejection"
                        )
                    else:
                        finding(
                            vendor,
                            "reject_unverified",
                            late,
                            f"{vendor} was active after a rejection that could not be verified "
                            f"(opt-out result {reject.result}, self-test {reject.self_test})",
                        )
            if accept is not None and accept.action:
                after = cells["accept"].phase("after_action")
                rejected_late = cells["reject"].phase("after_action") if reject is not None else _Seen()
                if after and not early and not rejected_late:
                    finding(
                        vendor, "consent_gated", after, f"{vendor} was active only after consent was given"
                    )
        if gpc_usable and _opt_out_vendor(row):
            under_gpc = cells["gpc"]
            before = cells["none"].where(gpc.pages)
            place = f" (holds for this scan's region: {region})" if region else ""
            if under_gpc:
                bad.append("gpc")
                finding(
                    vendor,
                    "gpc_ignored",
                    under_gpc,
                    f"{vendor} was still active under Global Privacy Control{place}",
                )
            elif before:
                finding(
                    vendor, "gpc_honoured", before, f"{vendor} stopped under Global Privacy Control{place}"
                )
        matrix.append(
            {
                "vendor": vendor,
                "category": row.get("category"),
                "tracking": tracking,
                "cells": {p.name: cells[p.name].cell() for p in passes},
                "bad": bad,
            }
        )
    findings += cmp_findings(result, rows, seen, catalog)
    first = by_name.get("none")
    if first is not None and first.cmp is None and not first.popup_found:
        checked = sum(isinstance(p.consent, dict) for p in result.pages if p.consent_pass == "none")
        findings.append(
            Finding(
                vendor=BANNER_VENDOR,
                status="no_banner",
                detail=(
                    f"No consent banner was shown to this browser on the first {checked} page(s)"
                    + (f" ({region})" if region else "")
                ),
            )
        )
    versions = [p.consent.get("autoconsent_version") for p in result.pages if isinstance(p.consent, dict)]
    return ConsentReport(
        passes=tuple(passes),
        matrix=tuple(matrix),
        findings=tuple(findings),
        autoconsent_version=next((str(v) for v in versions if v), None),
        region=region,
        sample=len(sample_pages) or None,
    )


# ---- what the consent manager declares ------------------------------------------------------------


def cmp_declaration(result: ScanResult) -> tuple[set[str], list[dict], str | None]:
    """Vendor names and cookies the site's consent manager lists, read on the crawl's pages (before
    any choice, as a visitor reads the banner), and the consent manager's name."""
    names: set[str] = set()
    cookies: dict[tuple[str, str], dict] = {}
    cmp = None
    from scanner.consent.cmp_record import declared_cookies, declared_vendor_names

    for page in result.pages:
        state = page.consent.get("cmp_state") if isinstance(page.consent, dict) else None
        if not isinstance(state, dict):
            continue
        cmp = cmp or state.get("cmp")
        names |= declared_vendor_names(state)
        for c in declared_cookies(state):
            cookies.setdefault((str(c["name"]), str(c.get("host") or "")), c)
    return names, list(cookies.values()), cmp


def _cookie_matches(declared: dict, cookie: Cookie) -> bool:
    from scanner.declared import cookie_pattern_matches
    from scanner.domains import domain_matches

    if not cookie_pattern_matches(str(declared["name"]), cookie.name):
        return False
    host = str(declared.get("host") or "").lstrip(".").lower()
    return not host or "." not in host or domain_matches(cookie.domain.lstrip(".").lower(), host)


def cmp_findings(result: ScanResult, rows: dict, seen: dict, catalog=None) -> list[Finding]:
    """not_in_cmp, cmp_mismatch and granted_before_choice: what fires compared with what the consent
    manager tells the visitor."""
    from scanner.compare import evidence_of, observed_days, seen_words
    from scanner.consent.consent_mode import consent_mode_state, granted_signals
    from scanner.domains import domain_matches

    names, cookies, cmp = cmp_declaration(result)
    out: list[Finding] = []
    listed_vendors = _vendors_named(names, catalog) | _cookie_vendors(cookies, catalog)
    for vendor in sorted(seen, key=str.lower):
        row = rows.get(vendor, {})
        if not _tracking(row):
            continue
        everything = _Seen()
        for cell in seen[vendor].values():
            for item in cell.items():
                everything.add(item)
        hosts = {r.host for r in everything.requests}
        if (names or cookies) and vendor not in listed_vendors:
            covered = any(_cookie_matches(d, c) for d in cookies for c in everything.cookies) or any(
                domain_matches(h, str(d.get("host") or "").lstrip("."))
                for d in cookies
                for h in hosts
                if d.get("host") and "." in str(d.get("host"))
            )
            if not covered:
                ev = evidence_of(everything.requests, everything.cookies, everything.storage)
                detail = (
                    f"{vendor} is not in the list the consent manager ({cmp or 'unknown'}) shows: "
                    f"nobody could consent to it; {seen_words(ev)}"
                )
                out.append(_finding(vendor, "not_in_cmp", row, ev, detail, ("not_in_cmp",)))
        problems, bad_cookies = [], []
        for c in everything.cookies:
            for d in cookies:
                if not _cookie_matches(d, c):
                    continue
                if d.get("necessary"):
                    problems.append(
                        f"cookie {c.name} is declared necessary ({d.get('group') or 'necessary'}) "
                        f"by the consent manager but set by {vendor} ({row.get('category') or 'tracking'})"
                    )
                    bad_cookies.append(c)
                days, declared_days = observed_days(c), d.get("lifetime_days")
                if d.get("session") and days is not None and days > 1:
                    problems.append(f"cookie {c.name} is declared a session cookie but lives {days:g} days")
                    bad_cookies.append(c)
                elif (
                    isinstance(declared_days, (int, float))
                    and days is not None
                    and days > declared_days * 1.5
                    and days - declared_days > 1
                ):
                    problems.append(
                        f"cookie {c.name} lives {days:g} days, the consent manager says {declared_days:g}"
                    )
                    bad_cookies.append(c)
                break
        if problems:
            ev = evidence_of((), list(dict.fromkeys(bad_cookies)), ())
            why = tuple(dict.fromkeys("necessary" if "necessary" in p else "lifetime" for p in problems))
            out.append(
                _finding(vendor, "cmp_mismatch", row, ev, "; ".join(dict.fromkeys(problems))[:1000], why)
            )
        early = [
            r
            for r in everything.requests
            if r.consent_params
            and (r.consent_pass == "none" or r.consent_phase == "before_action")
            and granted_signals(consent_mode_state(r.consent_params))
        ]
        if early:
            signals = sorted(
                {s for r in early for s in granted_signals(consent_mode_state(r.consent_params))}
            )
            ev = evidence_of(early)
            detail = (
                f"{vendor} hits claim consent granted ({', '.join(signals)}) before any choice "
                f"(Google Consent Mode gcs/gcd); {seen_words(ev)}"
            )
            out.append(_finding(vendor, "granted_before_choice", row, ev, detail, tuple(signals)))
    return out


def cookie_vendor(name: str, catalog) -> str | None:
    """The vendor a cookie name alone names (``_ga``: Google Analytics), or None (a generic name)."""
    from scanner.declared import resolve_one
    from scanner.model import Declared

    return resolve_one(Declared(name=f"cookie {name}", cookies=(name,)), catalog).vendor


def _cookie_vendors(cookies: list[dict], catalog=None) -> set[str]:
    """Vendors whose cookies the consent manager lists by name."""
    if not cookies:
        return set()
    from scanner.catalog import load_catalog

    catalog = catalog or load_catalog([])
    named = (cookie_vendor(n, catalog) for n in sorted({str(c["name"]) for c in cookies}))
    return {v for v in named if v}


# Legal-entity words a consent manager's vendor list adds to a vendor's name ("Criteo SA", "LinkedIn
# Ireland Unlimited Company"): taken off when the whole name names no vendor.
_LEGAL = re.compile(
    r"[,\s]+(?:s\.?a\.?s?|inc\.?|llc|l\.?l\.?c\.?|ltd\.?|limited|gmbh|ag|b\.?v\.?|n\.?v\.?|plc|corp\.?|"
    r"corporation|co\.?|company|unlimited|ireland|europe|uk|us|s\.?r\.?l\.?|s\.?p\.?a\.?|ab|oy|se|sarl|"
    r"international|technologies|holdings?)$",
    re.I,
)


def _vendors_named(names: set[str], catalog=None) -> set[str]:
    """Catalog vendors the consent manager's names stand for. A name that is a company's own entry (the
    parent of its vendors, e.g. "Google Advertising Products", Google's IAB vendor, as "Google") covers
    that company's vendors; any other covers itself only (Microsoft Advertising does not cover
    LinkedIn: each has its own place in a consent manager's list)."""
    if not names:
        return set()
    from scanner.catalog import load_catalog
    from scanner.declared import resolve_one
    from scanner.model import Declared

    catalog = catalog or load_catalog([])
    companies: set[str] = set()
    out: set[str] = set(names)
    for name in sorted(names):
        candidate, row = name.strip(), None
        for _ in range(4):
            row = resolve_one(Declared(name=candidate), catalog)
            shorter = _LEGAL.sub("", candidate).strip(" ,")
            if row.vendor or shorter == candidate or not shorter:
                break
            candidate = shorter
        if row is None or not row.vendor:
            continue
        out.add(row.vendor)
        entry = catalog.vendor(row.vendor)
        if row.resolution == "parent" or (entry is not None and (entry.parent or "") == entry.name):
            companies.add(row.vendor.casefold())
    for v in catalog.vendors:
        if (v.parent or "").casefold() in companies:
            out.add(v.name)
    return out
