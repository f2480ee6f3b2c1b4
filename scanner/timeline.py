"""What happened when: each record's time after its page's navigation start, each page's timeline and
each vendor's first appearance (the ``timeline`` block of scan.json).

The zero of a page is ``Page.nav_started_at`` (taken by the crawler just before it navigates), or, for a
scan made before schema 1.4, the start of the page's own document request. Times are epoch seconds on the
machine's clock (``Request.timestamp`` from the browser's timing, ``Cookie.set_at`` and
``StorageItem.written_at`` when the collectors saw the write, ``ConsentPass.action_at`` when the consent
driver answered the banner); a record gets ``ms``, a whole number of milliseconds after its page's zero.

A *tracker event* is a request of a vendor or of a third party (a beacon whatever its host), or a cookie
or storage write of a vendor or of a third party: what the per-page strip of report.html draws.

Pure: ``with_timeline`` is run by ``scanner.pipeline.analyse`` and gives the same block for the same
records, so ``scanner report`` rebuilds it from a saved scan.json.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any

from scanner.model import (
    CONSENT_PASSES,
    Cookie,
    Page,
    Request,
    ScanResult,
    StorageItem,
    Timeline,
    TimelinePage,
    VendorFirstSeen,
)

MAX_MS = 3_600_000  # a visit lasts seconds, at most minutes: a time further off is a wrong clock
SKEW_MS = 1_000  # a record this much before its page's zero (two clocks of one machine) counts as 0
WHAT_CHARS = 300  # VendorFirstSeen.what is bounded: it quotes a URL, a cookie name or a storage key
ACTIONS = ("optIn", "optOut")

Key = tuple[str, str]  # (consent pass, page URL)


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def offset_ms(at: Any, zero: Any) -> int | None:
    """``at`` in whole ms after ``zero`` (epoch seconds both); None when either is missing or the two
    are too far apart to belong to one visit."""
    if not _number(at) or not _number(zero):
        return None
    ms = (at - zero) * 1000.0
    if not -SKEW_MS <= ms <= MAX_MS:
        return None
    return max(0, round(ms))


def page_zeros(result: ScanResult) -> dict[Key, tuple[float, str]]:
    """(pass, page URL) -> (zero in epoch seconds, clock): the crawler's navigation start, else the
    start of the page's own document request."""
    zeros: dict[Key, tuple[float, str]] = {}
    for p in result.pages:
        key = (p.consent_pass, p.url)
        if key not in zeros and _number(p.nav_started_at):
            zeros[key] = (float(p.nav_started_at), "navigation")  # type: ignore[arg-type]
    wanted = {(p.consent_pass, p.url) for p in result.pages} - set(zeros)
    if not wanted:
        return zeros
    documents: dict[Key, float] = {}
    for r in result.requests:
        key = (r.consent_pass, r.page_url)
        if (
            key in wanted
            and r.resource_type == "document"
            and r.url == r.page_url
            and _number(r.timestamp)
            and (key not in documents or r.timestamp < documents[key])  # type: ignore[operator]
        ):
            documents[key] = float(r.timestamp)  # type: ignore[arg-type]
    zeros.update({key: (at, "document") for key, at in documents.items()})
    return zeros


def _copy(record: Any, **changes: Any) -> Any:
    """A frozen record with some fields changed, without re-running dataclass machinery (thousands of
    requests); the records have no __post_init__."""
    new = object.__new__(type(record))
    state = dict(record.__dict__)
    state.update(changes)
    object.__setattr__(new, "__dict__", state)
    return new


def request_event(r: Request) -> bool:
    return r.vendor is not None or r.third_party or r.is_beacon


def cookie_event(c: Cookie) -> bool:
    return c.vendor is not None or not c.first_party


def storage_event(s: StorageItem) -> bool:
    return s.vendor is not None or s.third_party


def _pass_rank(name: str) -> tuple[int, str]:
    return (CONSENT_PASSES.index(name) if name in CONSENT_PASSES else len(CONSENT_PASSES), name)


def _action(page: Page) -> tuple[str, float] | None:
    record = page.consent if isinstance(page.consent, dict) else {}
    action, at = record.get("action"), record.get("action_at")
    if action in ACTIONS and _number(at):
        return str(action), float(at)
    return None


def with_timeline(result: ScanResult) -> ScanResult:
    """``result`` with ``ms`` on its requests, cookies and storage and the ``timeline`` block."""
    zeros = page_zeros(result)

    def ms_of(pass_: str, page_url: str, at: Any) -> int | None:
        zero = zeros.get((pass_, page_url))
        return offset_ms(at, zero[0]) if zero is not None else None

    requests = tuple(
        r if r.ms == (ms := ms_of(r.consent_pass, r.page_url, r.timestamp)) else _copy(r, ms=ms)
        for r in result.requests
    )
    cookies = tuple(
        c if c.ms == (ms := ms_of(c.consent_pass, c.page_url, c.set_at)) else replace(c, ms=ms)
        for c in result.cookies
    )
    storage = tuple(
        s if s.ms == (ms := ms_of(s.consent_pass, s.page_url, s.written_at)) else replace(s, ms=ms)
        for s in result.storage
    )
    timed = replace(result, requests=requests, cookies=cookies, storage=storage)
    return replace(timed, timeline=build_timeline(timed, zeros))


def events(result: ScanResult) -> list[tuple[Key, str, str | None, int | None, str, str | None]]:
    """Every tracker event: ((pass, page URL), kind, vendor, ms, what, consent phase), in record order."""
    out: list[tuple[Key, str, str | None, int | None, str, str | None]] = []
    for r in result.requests:
        if request_event(r):
            kind = "beacon" if r.is_beacon else "request"
            out.append(((r.consent_pass, r.page_url), kind, r.vendor, r.ms, r.url, r.consent_phase))
    for c in result.cookies:
        if cookie_event(c):
            what = f"{c.name}@{c.domain}"
            out.append(((c.consent_pass, c.page_url), "cookie", c.vendor, c.ms, what, c.consent_phase))
    for s in result.storage:
        if storage_event(s):
            what = f"{s.origin} {s.key}"
            out.append(((s.consent_pass, s.page_url), "storage", s.vendor, s.ms, what, s.consent_phase))
    return out


def build_timeline(result: ScanResult, zeros: dict[Key, tuple[float, str]] | None = None) -> Timeline:
    """The timeline block of ``result`` (whose records carry their ``ms``)."""
    zeros = page_zeros(result) if zeros is None else zeros
    order: dict[Key, int] = {}
    for i, p in enumerate(result.pages):
        order.setdefault((p.consent_pass, p.url), i)
    trackers = {
        str(v.get("name")): v.get("tracker") is not False
        for v in result.vendors
        if isinstance(v, dict) and v.get("name")
    }
    per_page: dict[Key, dict[str, Any]] = {}
    first: dict[tuple[str, str], tuple[tuple, VendorFirstSeen]] = {}  # (vendor, pass) -> (rank, row)
    for key, kind, vendor, ms, what, phase in events(result):
        stats = per_page.setdefault(key, {"n": 0, "lo": None, "hi": None, "vendors": set()})
        if ms is not None:
            stats["n"] += 1
            stats["lo"] = ms if stats["lo"] is None else min(stats["lo"], ms)
            stats["hi"] = ms if stats["hi"] is None else max(stats["hi"], ms)
            if vendor is not None:
                stats["vendors"].add(vendor)
        if vendor is None:
            continue
        # Earliest by the clock when both have one; an untimed record ranks after every timed one.
        zero = zeros.get(key)
        at = zero[0] + ms / 1000.0 if zero is not None and ms is not None else math.inf
        rank = (at, order.get(key, len(order)), ms if ms is not None else math.inf)
        ident = (vendor, key[0])
        if ident in first and first[ident][0] <= rank:
            continue
        first[ident] = (
            rank,
            VendorFirstSeen(
                vendor=vendor,
                consent_pass=key[0],
                page_url=key[1],
                ms=ms,
                kind=kind,  # type: ignore[arg-type]
                what=what[:WHAT_CHARS],
                tracker=trackers.get(vendor, True),
                after_action=None if phase is None else phase == "after_action",
            ),
        )
    pages = []
    seen: set[Key] = set()
    for p in result.pages:
        key = (p.consent_pass, p.url)
        if key in seen or key not in zeros:
            continue
        seen.add(key)
        zero, clock = zeros[key]
        stats = per_page.get(key, {"n": 0, "lo": None, "hi": None, "vendors": set()})
        action = _action(p)
        pages.append(
            TimelinePage(
                page_url=p.url,
                consent_pass=p.consent_pass,
                clock=clock,  # type: ignore[arg-type]
                started_at=zero,
                events=stats["n"],
                first_ms=stats["lo"],
                last_ms=stats["hi"],
                vendors=len(stats["vendors"]),
                consent_action=action[0] if action else None,
                consent_action_ms=offset_ms(action[1], zero) if action else None,
            )
        )
    vendors = sorted(
        (row for _, row in first.values()),
        key=lambda v: (_pass_rank(v.consent_pass), first[(v.vendor, v.consent_pass)][0], v.vendor),
    )
    return Timeline(pages=tuple(pages), vendors=tuple(vendors))
