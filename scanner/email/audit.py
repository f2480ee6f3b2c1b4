"""Messages -> references with vendors -> findings, with the scan's catalog and compare step.

Each message's references (``scanner.email.detect``) are analysed (``scanner.email.links``): the hops of each
URL, identifiers, the recipient's address in any form. The party that receives a request is its first hop
that a mail system did not add (Safe Links, Google's redirect, Gmail's image proxy are the recipient's, not
the sender's). It is attributed to a vendor: a catalog endpoint rule, then an ESP signature
(``scanner.email.esp``: branded tracking hosts), then the catalog's domains; the sender's own domain (From,
``--first-party``) belongs to no vendor unless an ESP signature names one. A third party no rule names is
an unknown tracker, named by its registrable domain, when what it receives is tracking (a pixel, a click
redirect, an identifier, the address).

What counts as a vendor's evidence: everything fetched on display (images, CSS, media), tracked links
(click redirects, links with identifiers or the address) and the List-Unsubscribe URIs. A plain link to a
vendor's website (a "follow us" link to facebook.com) does nothing until clicked, and is not evidence.

The evidence becomes a scan result of its own (one page per message, one request per hop) so that
``scanner.compare.compare`` judges it against the declaration exactly as it judges a website: undeclared,
not_observed, declared, mismatch. Address leaks are findings whatever was declared: one per receiving party.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner import __version__
from scanner.catalog import Catalog, load_catalog
from scanner.compare import compare
from scanner.domains import registrable_domain
from scanner.email import esp
from scanner.email.detect import RawReference, message_references
from scanner.email.links import (
    AddressFinder,
    Hop,
    hop_is_wrapper,
    hops,
    identifiers,
    mailto_identifiers,
    redact,
)
from scanner.email.message import Inputs, Message
from scanner.email.model import EMAIL_STATUSES, EmailAudit, HopRecord, MessageReport, Reference
from scanner.model import Declared, Evidence, Finding, Page, Request, ScanMeta, ScanResult

MAX_LEAK_EVIDENCE = 50
_RESOURCE = {
    "image": "image",
    "background": "image",
    "stylesheet": "stylesheet",
    "css_import": "stylesheet",
    "media": "media",
    "frame": "document",
    "link": "link",
    "form": "form",
    "list_unsubscribe": "list-unsubscribe",
}
RENDER_LABEL = "rendered in Chromium"


@dataclass(frozen=True)
class Attribution:
    vendor: str | None
    reason: str | None
    category: str | None
    first_party: bool
    signature: esp.Signature | None = None
    beacon: bool = False
    label: str | None = None


def _host_path(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    text = (parts.hostname or "").lower() + (parts.path or "/")
    return text + ("?" + parts.query if parts.query else "")


def attribute_hop(hop: Hop, catalog: Catalog, first_party: frozenset[str]) -> Attribution:
    """Who receives a request to this hop (see the module docstring)."""
    fp = hop.registrable_domain in first_party
    endpoint = None if fp else catalog.match_endpoint(hop.url)
    if endpoint is not None:
        cat = endpoint.category or endpoint.vendor.category
        return Attribution(
            endpoint.vendor.name, endpoint.reason, cat, fp, None, endpoint.beacon, endpoint.label
        )
    sig = esp.match(_host_path(hop.url))
    if sig is not None:
        entry = catalog.vendor(sig.vendor)
        reason = f"{sig.label} (URL shape; source: {sig.source})"
        cat = entry.category if entry else "marketing-automation"
        return Attribution(
            entry.name if entry else sig.vendor, reason, cat, fp, sig, sig.kind == "open", sig.label
        )
    if fp:
        path = catalog.match_path(hop.url)
        if path is not None:
            return Attribution(path.vendor.name, path.reason, path.category or path.vendor.category, fp)
        return Attribution(None, None, None, True)
    m = catalog.match_host(hop.host) if hop.host else None
    if m is not None:
        return Attribution(m.vendor.name, m.reason, m.category or m.vendor.category, False)
    return Attribution(None, None, None, False)


def recipients_of(msg: Message, given: Sequence[str]) -> tuple[tuple[str, ...], str]:
    """The addresses to look for in the message's URLs, and where they come from."""
    if given:
        return tuple(a.strip().lower() for a in given if a.strip()), "--recipient"
    if msg.delivered_to:
        return msg.delivered_to, "Delivered-To"
    if msg.to:
        return msg.to, "To"
    return (), "none"


@dataclass
class _Collected:
    requests: list[Request]
    leaks: list[dict]
    unknown_why: dict[str, str]


def _display(url: str, limit: int = 2048) -> str:
    if url.lower().startswith("data:"):
        return url[:60] + ("…" if len(url) > 60 else "")
    return url[:limit]


class _MessageAudit:
    """The references of one message, analysed (see the module docstring)."""

    def __init__(
        self,
        msg: Message,
        catalog: Catalog,
        first_party: frozenset[str],
        recipients: Sequence[str],
        finders: dict[tuple[str, ...], AddressFinder],
    ) -> None:
        self.msg = msg
        self.catalog = catalog
        self.first_party = first_party
        self.recipients, self.recipient_source = recipients_of(msg, recipients)
        if self.recipients not in finders:
            finders[self.recipients] = AddressFinder(self.recipients)
        self.finder = finders[self.recipients]
        self.references: list[Reference] = []
        self.collected = _Collected([], [], {})
        self.notes: list[str] = list(msg.notes)

    # ---- one URL ------------------------------------------------------------------------------------

    def _non_remote(self, raw: RawReference) -> Reference:
        url = raw.url.strip()
        low = url.lower()
        if low.startswith("cid:"):
            cid = url[4:].strip("<>").strip().lower()
            if self.msg.kind == "eml" and cid not in self.msg.content_ids:
                self.notes.append(
                    f"an inline image (cid:) names no part of the message: {_display(url, 120)}"
                )
        ids = mailto_identifiers(url) if low.startswith("mailto:") else []
        return Reference(
            message=self.msg.key,
            kind=raw.kind,
            source=raw.source,
            url=redact(_display(url), self.finder, ids),
            remote=False,
            auto_load=False,
            tracked=bool(ids),
            tracking="identifier in the address" if ids else None,
            identifiers=tuple(
                {"hop": 0, "where": i.where, "length": i.length, "reason": i.reason} for i in ids
            ),
        )

    def analyse(self, raw: RawReference, *, render: dict | None = None, evidence: bool = True) -> Reference:
        chain = hops(raw.url) if not raw.inline else []
        if not chain:
            return self._non_remote(raw)
        leaks = self.finder.find(chain)
        leaked = {lk.text.lower() for lk in leaks}
        ids = [  # a value that is (or holds) the address is a leak, not an identifier
            i
            for i in identifiers(chain)
            if i.value.lower() not in leaked and self.finder.scrub(i.value) == i.value
        ]
        attrs = [attribute_hop(h, self.catalog, self.first_party) for h in chain]
        contacted = next((i for i in range(len(chain)) if not hop_is_wrapper(chain, i)), 0)
        first = attrs[contacted]
        sig = first.signature
        pixel_reasons = []
        if raw.kind in ("image", "background") or raw.tiny or raw.hidden:
            if raw.tiny:
                pixel_reasons.append(f"tiny image ({raw.tiny})")
            if raw.hidden:
                pixel_reasons.append(f"hidden ({raw.hidden})")
            if first.beacon:
                pixel_reasons.append(f"known open pixel ({first.vendor}: {first.label or 'endpoint'})")
        pixel = bool(pixel_reasons) and raw.auto_load
        wraps = len(chain) - 1 > contacted  # the URL holds a destination beyond the party contacted
        click = bool(sig and sig.kind == "click") or bool(first.label and "click" in first.label.lower())
        esp_host = first.category == "marketing-automation"
        if raw.auto_load:
            tracked = pixel or bool(ids) or bool(leaks)
        else:
            tracked = click or wraps or bool(ids) or bool(leaks) or esp_host
        tracking = self._tracking_words(raw, pixel, click, wraps, ids, leaks, first) if tracked else None
        marked = {i.hop for i in ids} | {lk.hop for lk in leaks}
        last = len(chain) - 1
        names: list[tuple[str | None, str | None, str | None]] = []
        for i, (h, a) in enumerate(zip(chain, attrs, strict=True)):
            vendor, reason, category = a.vendor, a.reason, a.category
            # the party contacted, a redirector on the way, or a destination that receives an identifier
            evidence_hop = i == contacted or (contacted < i < last) or i in marked
            if vendor is None and not a.first_party and tracked and evidence_hop:
                vendor = h.registrable_domain or h.host
                what = tracking if i == contacted else "redirects the click" if i < last else "receives it"
                reason, category = f"unknown tracker: {what}", None
                self.collected.unknown_why.setdefault(vendor, reason)
            names.append((vendor, reason, category))
        vendor, reason, category = names[contacted]
        unknown = vendor is not None and attrs[contacted].vendor is None
        hop_records = tuple(
            HopRecord(
                url=redact(h.url, self.finder, ids),
                host=h.host,
                registrable_domain=h.registrable_domain,
                via=h.via,
                recipient_side=h.recipient_side,
                wrapper=hop_is_wrapper(chain, i),
                first_party=a.first_party,
                vendor=names[i][0],
                vendor_reason=names[i][1],
                category=names[i][2],
            )
            for i, (h, a) in enumerate(zip(chain, attrs, strict=True))
        )
        if wraps:
            final = hop_records[-1].url
        elif raw.auto_load or not (click or esp_host):
            final = hop_records[contacted].url
        else:
            final = None  # a click redirect that does not say where it goes: only the tracker knows
        ref = Reference(
            message=self.msg.key,
            kind=raw.kind,
            source=raw.source,
            url=hop_records[0].url,
            remote=True,
            auto_load=raw.auto_load,
            pixel=pixel,
            pixel_reasons=tuple(pixel_reasons),
            tracked=tracked,
            tracking=tracking,
            hops=hop_records,
            final_url=final,
            vendor=vendor,
            vendor_reason=reason,
            category=category,
            first_party=first.first_party,
            identifiers=tuple(
                {"hop": i.hop, "where": i.where, "length": i.length, "reason": i.reason} for i in ids
            ),
            leaks=tuple(
                {
                    "hop": lk.hop,
                    "host": chain[lk.hop].host,
                    "party": self._party(hop_records[lk.hop]),
                    "encoding": lk.encoding,
                    "where": lk.where,
                }
                for lk in leaks
            ),
            rendered=render is not None,
            render=render,
        )
        if evidence:
            self._evidence(ref, chain, contacted, unknown, marked)
        return ref

    def _party(self, hop: HopRecord) -> str:
        if hop.vendor:
            return hop.vendor
        name = hop.registrable_domain or hop.host
        return f"{name} (the sender)" if hop.first_party else name

    @staticmethod
    def _tracking_words(raw, pixel, click, wraps, ids, leaks, first: Attribution) -> str:
        words = []
        if pixel:
            words.append("open pixel")
        if click:
            words.append(f"click tracking{f' ({first.vendor})' if first.vendor else ''}")
        elif wraps:
            words.append("redirect to the destination")
        elif not raw.auto_load and first.category == "marketing-automation" and not (ids or leaks):
            words.append(f"link through {first.vendor}")
        if ids:
            words.append("identifier in the URL")
        if leaks:
            words.append("the recipient's address in the URL")
        return ", ".join(words) or "tracking"

    def _evidence(
        self, ref: Reference, chain: list[Hop], contacted: int, unknown: bool, marked: set[int]
    ) -> None:
        """Requests for compare (one per hop that is evidence) and the leak observations."""
        if not (ref.auto_load or ref.tracked):
            return
        last = len(chain) - 1
        for i, hop in enumerate(ref.hops):
            if i < contacted or hop.wrapper:
                continue
            if i != contacted and i == last and i not in marked:
                continue  # the destination of a tracked link, visited only if clicked, carrying nothing
            vendor = hop.vendor
            beacon = ref.pixel and i == contacted
            self.collected.requests.append(
                Request(
                    url=hop.url,
                    method="GET",
                    resource_type=ref.render.get("resource_type", "other")
                    if ref.render
                    else _RESOURCE.get(ref.kind, "other"),
                    host=hop.host,
                    registrable_domain=hop.registrable_domain,
                    third_party=not hop.first_party,
                    page_url=self.msg.key,
                    initiator=RENDER_LABEL if ref.rendered else ref.source,
                    is_beacon=beacon,
                    beacon_reason=("; ".join(ref.pixel_reasons)[:200] or None) if beacon else None,
                    vendor=vendor,
                    vendor_reason=hop.vendor_reason if vendor else None,
                )
            )
        for leak in ref.leaks:
            if len(self.collected.leaks) >= 10 * MAX_LEAK_EVIDENCE:
                break
            hop = ref.hops[leak["hop"]]
            self.collected.leaks.append(
                {
                    "party": leak["party"],
                    "vendor": hop.vendor,
                    "first_party": hop.first_party,
                    "unknown": hop.vendor is not None and self.catalog.vendor(hop.vendor) is None,
                    "category": hop.category,
                    "message": self.msg.key,
                    "url": hop.url,
                    "host": hop.host,
                    "encoding": leak["encoding"],
                    "where": leak["where"],
                    "kind": ref.kind,
                    "source": ref.source,
                    "rendered": ref.rendered,
                }
            )

    # ---- the message ---------------------------------------------------------------------------------

    def run(self, rendered: Mapping[str, Any] | None) -> MessageReport:
        raws = message_references(self.msg)
        for raw in raws:
            self.references.append(self.analyse(raw))
        render_info = None
        if rendered is not None:
            static_urls = {raw.url.strip() for raw in raws}
            fired = 0
            for req in rendered.get("requests", ()):
                url = str(req.get("url") or "")
                kind = _render_kind(req.get("resource_type"))
                raw = RawReference(kind=kind, source=RENDER_LABEL, url=url, auto_load=True)
                already = url in static_urls  # its evidence is the static reference's
                facts = {**_render_facts(req), "also_static": already}
                if facts.get("redirected_from"):  # earlier hops: as redacted as any URL
                    facts["redirected_from"] = [
                        redact(str(u), self.finder, identifiers(hops(str(u))))
                        for u in facts["redirected_from"][:20]
                    ]
                ref = self.analyse(raw, render=facts, evidence=not already)
                if ref.remote:
                    fired += 1
                    self.references.append(ref)
            render_info = {"requests": fired, "error": rendered.get("error"), "label": RENDER_LABEL}
        counts = _counts(self.references)
        if not self.recipients:
            self.notes.append("no recipient address known: give --recipient to look for address leaks")
        lu = self.msg.list_unsubscribe
        return MessageReport(
            key=self.msg.key,
            path=self.msg.path,
            kind=self.msg.kind,
            index=self.msg.index,
            subject=self.msg.subject,
            sender=self.msg.sender,
            sender_domain=registrable_domain(self.msg.sender_address.split("@", 1)[1])
            if self.msg.sender_address
            else None,
            recipients=tuple(redact(a, self.finder) for a in self.recipients),
            recipient_source=self.recipient_source,
            date=self.msg.date,
            message_id=self.msg.message_id,
            list_id=self.msg.list_id,
            mailer=self.msg.mailer,
            list_unsubscribe={
                "uris": [r.url for r in self.references if r.kind == "list_unsubscribe" and not r.rendered],
                "one_click": bool(
                    self.msg.list_unsubscribe_post
                    and "list-unsubscribe=one-click"
                    in self.msg.list_unsubscribe_post.lower().replace(" ", "")
                ),
                "post": self.msg.list_unsubscribe_post,
                "https": sum(1 for u in lu if u.lower().startswith("https:")),
                "mailto": sum(1 for u in lu if u.lower().startswith("mailto:")),
            },
            parts=tuple(
                {k: v for k, v in p.__dict__.items() if v is not None and k != "filename"}
                for p in self.msg.parts
            )[:100],
            references=tuple(self.references),
            counts=counts,
            notes=tuple(dict.fromkeys(self.notes))[:50],
            rendered=render_info,
        )


def _render_kind(resource_type: Any) -> str:
    return {"image": "image", "stylesheet": "stylesheet", "media": "media", "font": "stylesheet"}.get(
        str(resource_type), "frame" if resource_type == "document" else "media"
    )


def _render_facts(req: Mapping[str, Any]) -> dict:
    keep = ("resource_type", "status", "failure", "content_type", "redirected_from", "set_cookie")
    return {k: req.get(k) for k in keep if req.get(k) is not None}


def _counts(refs: Sequence[Reference]) -> dict[str, int]:
    static = [r for r in refs if not r.rendered]
    return {
        "references": len(static),
        "remote": sum(1 for r in static if r.remote and r.auto_load),
        "pixels": sum(1 for r in static if r.pixel),
        "tracked_links": sum(1 for r in static if r.tracked and not r.auto_load),
        "links": sum(1 for r in static if r.kind == "link" and r.remote),
        "identifiers": sum(len(r.identifiers) for r in static),
        "leaks": sum(len(r.leaks) for r in refs),
        "vendors": len({r.vendor for r in refs if r.vendor and r.tracked}),
        "rendered_requests": sum(1 for r in refs if r.rendered),
    }


# ---- the run ----------------------------------------------------------------------------------------------


def _vendor_rows(requests: Sequence[Request], catalog: Catalog, unknown_why: Mapping[str, str]) -> list[dict]:
    by: dict[str, list[Request]] = defaultdict(list)
    for r in requests:
        if r.vendor:
            by[r.vendor].append(r)
    rows = []
    for name, reqs in sorted(by.items(), key=lambda kv: kv[0].casefold()):
        entry = catalog.vendor(name)
        unknown = entry is None
        rows.append(
            {
                "name": name,
                "category": entry.category if entry else None,
                "parent": entry.parent if entry else None,
                "unknown": unknown,
                "tracker": unknown or entry.tracker or any(r.is_beacon for r in reqs),
                "why": unknown_why.get(name) if unknown else None,
                "requests": len(reqs),
                "pixels": sum(1 for r in reqs if r.is_beacon),
                "messages": len({r.page_url for r in reqs}),
                "hosts": sorted({r.host for r in reqs})[:20],
            }
        )
    return rows


_WORDS = (
    (re.compile(r"on the (\d+) page\(s\) scanned"), r"in the \1 message(s) audited"),
    (re.compile(r"\bon (\d+) page\(s\)"), r"in \1 message(s)"),
    (re.compile(r"\brequest\(s\)"), "reference(s)"),
    (re.compile(r"\bbeacon\(s\)"), "pixel(s)"),
)


def email_words(text: str) -> str:
    """A compare detail in the words of an e-mail audit (messages, references, pixels)."""
    for pattern, repl in _WORDS:
        text = pattern.sub(repl, text)
    return text


def _leak_findings(leaks: Sequence[dict]) -> list[Finding]:
    groups: dict[str, list[dict]] = defaultdict(list)
    for lk in leaks:
        groups[lk["party"]].append(lk)
    out = []
    for party, items in groups.items():
        messages = sorted({lk["message"] for lk in items})
        encodings = sorted({lk["encoding"] for lk in items})
        third = not any(lk["first_party"] for lk in items)
        where = sorted({f"{lk['kind'].replace('_', '-')} {lk['where']}" for lk in items})
        who = "a third party" if third else "the sender's own domain"
        detail = (
            f"The recipient's address reached {party} ({who}) in {len(messages)} message(s), "
            f"as {', '.join(encodings)}, in {'; '.join(where[:6])}{' and more' if len(where) > 6 else ''}."
        )
        seen_urls: dict[str, dict] = {}
        for lk in items:
            seen_urls.setdefault(lk["url"], lk)
        sample = list(seen_urls.values())[:MAX_LEAK_EVIDENCE]
        evidence = Evidence(
            pages=tuple(messages[:50]),
            pages_total=len(messages),
            requests=tuple(
                {
                    "url": lk["url"],
                    "page_url": lk["message"],
                    "resource_type": lk["kind"],
                    "initiator": lk["source"],
                }
                for lk in sample
            ),
            requests_total=len(seen_urls),
            behaviour=tuple(
                {
                    "message": lk["message"],
                    "url": lk["url"],
                    "encoding": lk["encoding"],
                    "where": lk["where"],
                    "kind": lk["kind"],
                    "rendered": lk["rendered"],
                }
                for lk in items[:MAX_LEAK_EVIDENCE]
            ),
            behaviour_total=len(items),
        )
        out.append(
            Finding(
                vendor=party,
                status="address_leak",
                category=items[0]["category"],
                detail=detail,
                reasons=tuple(encodings),
                evidence=evidence,
                unknown=bool(items[0]["unknown"]),
                severity="high" if third else "medium",
            )
        )
    return out


def _rendered_only(f: Finding) -> str:
    sample = [*f.evidence.requests, *f.evidence.beacons]
    if sample and all(r.get("initiator") == RENDER_LABEL for r in sample):
        return f" Seen only when the message was {RENDER_LABEL} (--render)."
    return ""


def scan_view(audit: EmailAudit) -> ScanResult:
    """The audit as a scan result (one page per message): what the verdict printer and annotations read."""
    meta = ScanMeta(
        tool_version=audit.tool_version,
        start_urls=(),
        started_at=audit.generated_at,
        catalog_version=audit.catalog_version,
        declared_source=audit.declared_source,
    )
    pages = tuple(Page(url=m.key, depth=0) for m in audit.messages)
    return ScanResult(meta=meta, pages=pages, declared=audit.declared, findings=audit.findings)


def run_audit(
    inputs: Inputs,
    *,
    declared: Sequence[Declared] | None = None,
    declared_source: str | None = None,
    catalog_files: Sequence[Path | str] = (),
    recipients: Sequence[str] = (),
    first_party: Sequence[str] = (),
    rendered: Mapping[str, Mapping[str, Any]] | None = None,
    options: Mapping[str, Any] | None = None,
) -> EmailAudit:
    """The audit of these messages against the declaration (None: nothing declared). ``rendered`` maps a
    message key to what ``scanner.email.render`` recorded for it (``--render``)."""
    catalog = load_catalog(list(catalog_files))
    finders: dict[tuple[str, ...], AddressFinder] = {}
    reports: list[MessageReport] = []
    requests: list[Request] = []
    leaks: list[dict] = []
    unknown_why: dict[str, str] = {}
    own = {registrable_domain(d.strip().lower().lstrip(".")) for d in first_party if d.strip()}
    for msg in inputs.messages:
        domains = set(own)
        if msg.sender_address:
            domains.add(registrable_domain(msg.sender_address.split("@", 1)[1]))
        ma = _MessageAudit(msg, catalog, frozenset(d for d in domains if d), recipients, finders)
        reports.append(ma.run(rendered.get(msg.key) if rendered is not None else None))
        requests.extend(ma.collected.requests)
        leaks.extend(ma.collected.leaks)
        for k, v in ma.collected.unknown_why.items():
            unknown_why.setdefault(k, v)
    vendors = _vendor_rows(requests, catalog, unknown_why)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    scan = ScanResult(
        meta=ScanMeta(tool_version=__version__, start_urls=(), started_at=now),
        pages=tuple(Page(url=m.key, depth=0) for m in reports),
        requests=tuple(requests),
        vendors=tuple(vendors),
    )
    compared = compare(scan, declared, catalog, check_session_names=False)
    findings = [replace(f, detail=email_words(f.detail) + _rendered_only(f)) for f in compared.findings]
    findings += _leak_findings(leaks)
    order = {s: i for i, s in enumerate(EMAIL_STATUSES)}
    findings.sort(key=lambda f: (order.get(f.status, 99), f.vendor.casefold()))
    blind = [
        "Statically: only what the message's own text shows. Where a click redirect leads, and what a pixel "
        "sets or redirects to, only --render (or a click) would tell.",
    ]
    without = sum(1 for r in reports if not r.recipients)
    if without:
        blind.append(
            f"{without} message(s) with no recipient address (no To, Delivered-To or --recipient): their "
            "URLs were not searched for the address."
        )
    return EmailAudit(
        tool_version=__version__,
        generated_at=now,
        messages=tuple(reports),
        declared=tuple(compared.declared),
        vendors=tuple(vendors),
        findings=tuple(findings),
        options=dict(options or {}),
        catalog_version=catalog.version,
        declared_source=declared_source,
        rendered=rendered is not None,
        skipped=inputs.skipped,
        blind_spots=tuple(blind),
    )
