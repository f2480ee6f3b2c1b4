"""attribute(): fill vendor / vendor_reason on requests, cookies and storage, and list the vendors; give
API calls the party and vendor of their script, and value leaks those of both ends."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from scanner.attribute.identifiers import ID_PARAM_NAMES, identifier_params
from scanner.catalog import Catalog, Match
from scanner.catalog.categories import TRACKING
from scanner.domains import ascii_host, cookie_registrable_domain, host_of, registrable_domain
from scanner.model import ApiCall, Cookie, Request, ScanResult, StorageItem, ValueLeak

# Resource types whose query values are read for identifiers. Static assets, images included,
# often carry content hashes and signatures; a tracking pixel is caught as a beacon instead.
_VALUE_CHECKED_TYPES = frozenset({"xhr", "fetch", "ping", "beacon", "other", "eventsource", "websocket"})


def _updated(obj: Any, **changes: Any) -> Any:
    """A copy of a frozen record with some fields changed; much cheaper than dataclasses.replace
    for the million-request case (the records have no __post_init__ to re-run)."""
    new = object.__new__(type(obj))
    state = dict(obj.__dict__)
    state.update(changes)
    object.__setattr__(new, "__dict__", state)
    return new


def first_party_domains(result: ScanResult) -> frozenset[str]:
    """Registrable domains of the site: start URLs, pages, requests the crawler marked first party."""
    # Pages are saved as visited, so a host may be Unicode ("bücher.de"); requests carry the punycode.
    found = {registrable_domain(ascii_host(host_of(u))) for u in result.meta.start_urls}
    for page in result.pages:
        found.add(registrable_domain(ascii_host(host_of(page.url))))
        if page.final_url:
            found.add(registrable_domain(ascii_host(host_of(page.final_url))))
    for r in result.requests:
        if not r.third_party:
            found.add(r.registrable_domain or registrable_domain(r.host))
    found.discard("")
    return frozenset(found)


def request_match(r: Request, catalog: Catalog) -> Match | None:
    """The catalog's answer for one request: endpoint, host or product file name for a third party;
    for a first-party request only a self-hosted product's file name (``/matomo.js``)."""
    if not r.third_party:
        return catalog.match_path(r.url)
    return catalog.match_url(r.url, r.host.lower())


class _RequestMatcher:
    """request_match with a per-host cache: hosts without endpoint rules never parse the URL."""

    def __init__(self, catalog: Catalog) -> None:
        self._catalog = catalog
        self._hosts: dict[str, tuple[bool, Match | None]] = {}

    def host_info(self, host: str) -> tuple[bool, Match | None]:
        info = self._hosts.get(host)
        if info is None:
            low = host.lower()
            m = self._catalog.match_host(low)
            # endpoint rules, or a host no tracker owns (a product file name may name it): per URL
            per_url = self._catalog.has_endpoints(low) or m is None or not m.vendor.tracker
            info = (per_url, m)
            self._hosts[host] = info
        return info

    def all(self, requests: Iterable[Request]) -> list[tuple[Request, Match | None]]:
        out: list[tuple[Request, Match | None]] = []
        append, hosts, host_info = out.append, self._hosts, self.host_info
        match_url, match_path = self._catalog.match_url, self._catalog.match_path
        for r in requests:
            if not r.third_party:
                append((r, match_path(r.url)))
                continue
            info = hosts.get(r.host) or host_info(r.host)
            append((r, match_url(r.url, r.host.lower()) if info[0] else info[1]))
        return out


def _setter_match(c: Cookie, catalog: Catalog, first_party: frozenset[str]) -> Match | None:
    """The vendor of the script (or response) that set a cookie: a third-party vendor's host or
    endpoint, or a self-hosted product's file name on any host."""
    if not c.setter_url:
        return None
    setter_host = host_of(c.setter_url)
    if not setter_host:
        return None
    own = registrable_domain(setter_host) in first_party
    return catalog.match_url(c.setter_url, setter_host, first_party=own)


def cookie_match(
    c: Cookie,
    catalog: Catalog,
    first_party: frozenset[str] = frozenset(),
    page_vendors: dict[str, set[str]] | None = None,
) -> Match | None:
    """The vendor of one cookie: the catalog's name and domain rules, else the setter's vendor. A
    cookie the browser refused is evidence of its setter only: its domain names nobody. A name
    several vendors share ("_pk_id.*") is resolved by the setter or by the one of them whose
    requests the cookie's pages carry; otherwise it keeps the pseudo-vendor that says so."""
    if c.in_jar:
        m = catalog.match_cookie(c.name, c.domain, c.first_party)
    else:  # its domain is whatever the script asked for: the name, then the setter, decide
        m = catalog.match_cookie(c.name, "", True)
    setter = None
    if m is None or m.vendor.either:
        setter = _setter_match(c, catalog, first_party)
    if m is None:
        if setter is not None:
            return Match(setter.vendor, f"set by a script of {setter.vendor.name} ({setter.reason})")
        return None
    if m.vendor.either:
        return _resolve_shared(c, m, setter, catalog, page_vendors)
    return m


def _resolve_shared(
    c: Cookie,
    m: Match,
    setter: Match | None,
    catalog: Catalog,
    page_vendors: dict[str, set[str]] | None,
) -> Match:
    either = m.vendor.either
    if setter is not None and setter.vendor.name in either:
        return Match(setter.vendor, f"{m.reason}, set by a script of {setter.vendor.name} ({setter.reason})")
    if page_vendors:
        seen: set[str] = set()
        for page in (c.page_url, *c.pages):
            seen |= page_vendors.get(page, set()) & set(either)
        if len(seen) == 1:
            name = next(iter(seen))
            vendor = catalog.vendor(name)
            if vendor is not None:
                return Match(vendor, f"{m.reason}, with {name} on the page", category=m.category)
    return m


def storage_match(s: StorageItem, catalog: Catalog) -> Match | None:
    return catalog.match_storage(s.key, host_of(s.origin), s.third_party)


def evidence_category(item: Request | Cookie | StorageItem, catalog: Catalog) -> str | None:
    """The narrower purpose a catalog rule gives this item (a Meta Pixel hit: advertising), if any."""
    if isinstance(item, Request):
        m = request_match(item, catalog)
    elif isinstance(item, Cookie):
        m = catalog.match_cookie(item.name, item.domain, item.first_party) if item.in_jar else None
    else:
        m = storage_match(item, catalog)
    return m.category if m is not None and m.vendor.name == item.vendor else None


class _Tally:
    def __init__(self) -> None:
        self.hosts: set[str] = set()
        self.pages: set[str] = set()
        self.requests = self.beacons = self.cookies = self.storage = 0
        self.reasons: dict[str, None] = {}
        self.categories: set[str] = set()

    def note(self, reason: str | None, category: str | None, page: str | None) -> None:
        if reason and len(self.reasons) < 8:
            self.reasons.setdefault(reason, None)
        if category:
            self.categories.add(category)
        if page:
            self.pages.add(page)


def _carries_identifier(r: Request) -> bool:
    if any(n.lower() in ID_PARAM_NAMES for n in r.query_params):
        return True
    checked = r.resource_type in _VALUE_CHECKED_TYPES and "?" in r.url
    return checked and bool(identifier_params(r.url, r.query_params))


def _unknown_signals(
    requests: Iterable[tuple[Request, Match | None]],
    cookies: Iterable[tuple[Cookie, Match | None]],
    fp: frozenset[str],
) -> dict[str, set[str]]:
    """Registrable domain -> why it looks like a tracker, for third parties no catalog entry claims."""
    signals: dict[str, set[str]] = defaultdict(set)
    with_identifier: set[str] = set()
    for r, m in requests:
        if m is not None or not r.third_party:
            continue
        dom = r.registrable_domain or registrable_domain(r.host)
        if dom in fp:
            continue
        if r.is_beacon:
            signals[dom].add(f"beacon ({r.beacon_reason or 'pixel'})")
        if dom not in with_identifier and _carries_identifier(r):
            with_identifier.add(dom)
            signals[dom].add("identifier in URL")
    for c, m in cookies:
        if m is not None:
            continue
        if c.in_jar:
            dom = "" if c.first_party else c.registrable_domain or cookie_registrable_domain(c.domain)
        else:  # a refused Set-Cookie still shows its sender tried; a refused script write shows nothing
            dom = _refused_domain(c, fp) if c.set_by == "http" else ""
        if dom and dom not in fp:
            signals[dom].add("third-party cookie")
    return signals


def _refused_domain(c: Cookie, fp: frozenset[str]) -> str:
    """Registrable domain of the third party that sent a cookie the browser refused ("" when the
    setter is unknown or first party). The cookie's own domain may be anything a script asked for
    (".co.uk", ".de": a probe for the top-level domain), so only the setter speaks for it."""
    host = host_of(c.setter_url) if c.setter_url else ""
    dom = registrable_domain(host) if host else ""
    return "" if dom in fp else dom


def attribute(result: ScanResult, catalog: Catalog) -> ScanResult:
    """Fill vendor / vendor_reason on every request, cookie and storage item; mark known pixel
    endpoints as beacons; list observed vendors (unknown trackers and harmless hosts included)."""
    # Building a million new records makes the cycle collector rescan them again and again;
    # the records hold no cycles, so it is paused for the duration.
    paused = gc.isenabled()
    gc.disable()
    try:
        return _attribute(result, catalog)
    finally:
        if paused:
            gc.enable()


def _attribute(result: ScanResult, catalog: Catalog) -> ScanResult:
    fp = first_party_domains(result)
    req_matches = _RequestMatcher(catalog).all(result.requests)
    page_vendors: dict[str, set[str]] = defaultdict(set)
    for r, m in req_matches:
        if m is not None:
            page_vendors[r.page_url].add(m.vendor.name)
    cookie_matches = [(c, cookie_match(c, catalog, fp, page_vendors)) for c in result.cookies]
    signals = _unknown_signals(req_matches, cookie_matches, fp)
    unknown_reason = {dom: "unknown tracker: " + ", ".join(sorted(s)) for dom, s in signals.items()}

    tallies: dict[str, _Tally] = defaultdict(_Tally)
    entries: dict[str, Any] = {}  # vendor name -> VendorEntry, or None for unknown domains
    other_hosts: dict[str, set[str]] = defaultdict(set)
    other_counts: dict[str, int] = defaultdict(int)

    requests: list[Request] = []
    append = requests.append
    for r, m in req_matches:
        if m is not None:
            name, reason = m.vendor.name, m.reason
            entries[name] = m.vendor
            if m.beacon and not r.is_beacon:
                new = _updated(
                    r, vendor=name, vendor_reason=reason, is_beacon=True, beacon_reason="known_endpoint"
                )
            elif r.vendor != name or r.vendor_reason != reason:
                new = _updated(r, vendor=name, vendor_reason=reason)
            else:
                new = r
            category = m.category
        else:
            dom = r.registrable_domain or registrable_domain(r.host) if r.third_party else ""
            if dom in unknown_reason:
                name, reason, category = dom, unknown_reason[dom], None
                entries[name] = None
                new = r if r.vendor == name else _updated(r, vendor=name, vendor_reason=reason)
            else:
                if dom:
                    other_hosts[dom].add(r.host)
                    other_counts[dom] += 1
                append(r if r.vendor is None else _updated(r, vendor=None, vendor_reason=None))
                continue
        append(new)
        t = tallies[name]
        t.requests += 1
        if new.is_beacon:
            t.beacons += 1
        t.hosts.add(r.host)
        t.pages.add(r.page_url)
        if reason not in t.reasons and len(t.reasons) < 8:
            t.reasons[reason] = None
        if category:
            t.categories.add(category)

    cookies: list[Cookie] = []
    for c, m in cookie_matches:
        if c.in_jar:
            dom = "" if c.first_party else c.registrable_domain or cookie_registrable_domain(c.domain)
        else:
            dom = _refused_domain(c, fp)
        if m is not None:
            name, reason, category = m.vendor.name, m.reason, m.category
            entries[name] = m.vendor
        elif dom in unknown_reason:
            name, reason, category = dom, unknown_reason[dom], None
            entries[name] = None
        else:
            cookies.append(c if c.vendor is None else replace(c, vendor=None, vendor_reason=None))
            continue
        cookies.append(replace(c, vendor=name, vendor_reason=reason))
        t = tallies[name]
        t.cookies += 1
        t.note(reason, category, c.page_url)

    storage: list[StorageItem] = []
    for s in result.storage:
        m = storage_match(s, catalog)
        dom = s.registrable_domain or registrable_domain(host_of(s.origin))
        if m is not None:
            name, reason = m.vendor.name, m.reason
            entries[name] = m.vendor
        elif s.third_party and dom in unknown_reason:
            name, reason = dom, unknown_reason[dom] + " (storage of its frame)"
            entries[name] = None
        else:
            storage.append(s if s.vendor is None else replace(s, vendor=None, vendor_reason=None))
            continue
        storage.append(replace(s, vendor=name, vendor_reason=reason))
        t = tallies[name]
        t.storage += 1
        t.note(reason, None, s.page_url)

    api_calls = _attribute_calls(result.api_calls, catalog, fp, unknown_reason)
    value_leaks = _attribute_leaks(result.value_leaks, catalog, fp, unknown_reason, cookies, storage)

    vendors = [_vendor_row(name, entries[name], tallies[name]) for name in tallies]
    vendors += [
        {
            "name": dom,
            "category": None,
            "categories": [],
            "parent": None,
            "tracker": False,
            "unknown": True,
            "third_party_host": True,
            "hosts": sorted(hosts),
            "requests": other_counts[dom],
            "beacons": 0,
            "cookies": 0,
            "storage": 0,
            "pages": 0,
            "reasons": ["third-party host with no tracking behaviour"],
        }
        for dom, hosts in other_hosts.items()
        if dom not in tallies
    ]
    vendors.sort(key=lambda v: (not v["tracker"], v["unknown"], v["name"].lower()))
    return replace(
        result,
        requests=tuple(requests),
        cookies=tuple(cookies),
        storage=tuple(storage),
        vendors=tuple(vendors),
        api_calls=tuple(api_calls),
        value_leaks=tuple(value_leaks),
    )


def _party(url: str, fp: frozenset[str]) -> tuple[str, str, bool]:
    """(host, registrable domain, third party) of a URL as the crawl judges requests: a registrable
    domain of the site's is first party."""
    host = ascii_host(host_of(url)).lower()
    dom = registrable_domain(host) if host else ""
    return host, dom, bool(dom) and dom not in fp


def _url_vendor(
    url: str, host: str, dom: str, third: bool, catalog: Catalog, unknown: dict[str, str]
) -> tuple[str | None, str | None]:
    """Vendor of a script or receiving URL, as for a request: a third party's endpoint or host (else
    its domain when attribution named it an unknown tracker); on a first-party host only a self-hosted
    product's file name."""
    m = catalog.match_url(url, host, first_party=not third) if host else None
    if m is not None:
        return m.vendor.name, m.reason
    if third and dom in unknown:
        return dom, unknown[dom]
    return None, None


def _attribute_calls(
    calls: Iterable[ApiCall], catalog: Catalog, fp: frozenset[str], unknown: dict[str, str]
) -> list[ApiCall]:
    """Each call gets the host, party and vendor of its calling script. A call whose script is unknown
    (``script`` None: no URL on the stack, e.g. code run from an event-handler attribute or eval) has
    no host and no vendor and counts as first party (``third_party`` False means "not known to be a
    third party"): the classifier judges it, but never names a vendor for it."""
    out = []
    cache: dict[str, dict] = {}
    for call in calls:
        if not call.script:
            out.append(
                _updated(
                    call,
                    host=None,
                    registrable_domain=None,
                    third_party=False,
                    vendor=None,
                    vendor_reason=None,
                )
            )
            continue
        fields = cache.get(call.script)
        if fields is None:
            host, dom, third = _party(call.script, fp)
            name, reason = _url_vendor(call.script, host, dom, third, catalog, unknown)
            fields = {
                "host": host or None,
                "registrable_domain": dom or None,
                "third_party": third,
                "vendor": name,
                "vendor_reason": reason,
            }
            if len(cache) < 20_000:
                cache[call.script] = fields
        out.append(_updated(call, **fields))
    return out


def _attribute_leaks(
    leaks: Iterable[ValueLeak],
    catalog: Catalog,
    fp: frozenset[str],
    unknown: dict[str, str],
    cookies: list[Cookie],
    storage: list[StorageItem],
) -> list[ValueLeak]:
    """Each leak gets the party and vendor of the request that carried it, and ``source_vendor``: the
    vendor attribution gave the cookie (by name and domain) or storage key (by origin and key) it came
    from, else the catalog's answer for that name alone. An input field has no source vendor."""
    by_cookie = {(c.name, c.domain.lstrip(".").lower()): c.vendor for c in cookies if c.vendor}
    by_key = {(s.origin, s.key): s.vendor for s in storage if s.vendor}
    out = []
    for leak in leaks:
        host, dom, third = _party(leak.url, fp)
        name, reason = _url_vendor(leak.url, host, dom, third, catalog, unknown)
        source_vendor = None
        sdom = (leak.source_domain or "").lower()
        if leak.source == "cookie":
            source_vendor = by_cookie.get((leak.name, sdom.lstrip(".")))
            if source_vendor is None:
                m = catalog.match_cookie(leak.name, sdom, leak.source_first_party)
                source_vendor = m.vendor.name if m is not None else None
        elif leak.source in ("local", "session"):
            source_vendor = by_key.get((leak.source_domain or "", leak.name))
            if source_vendor is None:
                m = catalog.match_storage(
                    leak.name, host_of(sdom) if "://" in sdom else sdom, not leak.source_first_party
                )
                source_vendor = m.vendor.name if m is not None else None
        out.append(
            _updated(
                leak,
                host=host,
                registrable_domain=dom,
                third_party=third,
                vendor=name,
                vendor_reason=reason,
                source_vendor=source_vendor,
            )
        )
    return out


def _vendor_row(name: str, entry: Any, t: _Tally) -> dict[str, Any]:
    if entry is None:
        categories: list[str] = []
        tracker, unknown, parent, category = True, True, None, None
    else:
        categories = list(entry.categories)
        categories += sorted(c for c in t.categories if c not in categories)
        tracker = entry.tracker or any(c in TRACKING for c in t.categories)
        unknown, parent, category = False, entry.parent, entry.category
    return {
        "name": name,
        "category": category,
        "categories": categories,
        "parent": parent,
        "tracker": tracker,
        "unknown": unknown,
        "third_party_host": not tracker,
        "hosts": sorted(t.hosts),
        "requests": t.requests,
        "beacons": t.beacons,
        "cookies": t.cookies,
        "storage": t.storage,
        "pages": len(t.pages),
        "reasons": list(t.reasons),
    }
