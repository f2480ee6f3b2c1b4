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
                verified=bool(action.get("verified")) if name == "reject" else bool(action.get("result")),
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


def consent_report(result: ScanResult) -> ConsentReport | None:
    """The consent audit of an attributed scan; None when no consent driver ran and no pass was made."""
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
        row = rows.get(vendor, {})
        findings.append(
            Finding(
                vendor=vendor,
                status=kind,
                category=row.get("category"),
                detail=f"{detail}: {seen_words(ev)}",
                reasons=reasons,
                evidence=ev,
                unknown=bool(row.get("unknown")),
            )
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
