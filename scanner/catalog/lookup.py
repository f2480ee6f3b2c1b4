"""The merged vendor catalog and its fast lookups: host, URL endpoint, cookie, storage key, name."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from urllib.parse import urlsplit

from scanner.catalog.entries import CookieRule, EndpointRule, Match, PathRule, VendorEntry
from scanner.catalog.patterns import NamePatternIndex, glob_regex, specificity


def normalize_name(name: str) -> str:
    """Case-, punctuation- and space-insensitive form of a vendor name ("Bing  Ads." -> "bing ads")."""
    cleaned = re.sub(r"[^0-9a-z&+]+", " ", name.casefold())
    return " ".join(cleaned.split())


def _suffixes(host: str) -> Iterable[str]:
    """a.b.c -> a.b.c, b.c, c"""
    while True:
        yield host
        dot = host.find(".")
        if dot < 0:
            return
        host = host[dot + 1 :]


class _Endpoint:
    __slots__ = ("vendor", "rule", "path_rx", "query_rx", "weight")

    def __init__(self, vendor: VendorEntry, rule: EndpointRule) -> None:
        _, _, rest = rule.url.partition("/")
        path, _, query = ("/" + rest).partition("?")
        self.vendor = vendor
        self.rule = rule
        self.path_rx = glob_regex(path, anchored_end=False)
        self.query_rx = (
            re.compile(r"(?:^|&)" + glob_regex(query, anchored_end=False).pattern[1:]) if query else None
        )
        self.weight = specificity(rule.url)

    def matches(self, path: str, query: str) -> bool:
        if not self.path_rx.match(path):
            return False
        return self.query_rx is None or bool(self.query_rx.search(query))


class Catalog:
    """Vendors plus indexes. Every lookup returns a Match (vendor, reason) or None."""

    def __init__(self, vendors: Sequence[VendorEntry], version: str) -> None:
        self.vendors: tuple[VendorEntry, ...] = tuple(vendors)
        self.version = version
        self._by_name: dict[str, VendorEntry] = {v.name: v for v in self.vendors}
        self._names: dict[str, tuple[VendorEntry, str]] = {}
        for how in ("former-name", "alias", "exact"):  # later wins: exact beats alias beats former name
            for v in self.vendors:
                names = {"exact": (v.name,), "alias": v.aliases, "former-name": v.former_names}[how]
                for n in names:
                    self._names[normalize_name(n)] = (v, how)
        self._parents: dict[str, list[VendorEntry]] = {}
        for v in self.vendors:
            if v.parent:
                self._parents.setdefault(normalize_name(v.parent), []).append(v)
        self._exact_hosts: dict[str, tuple[VendorEntry, str]] = {}
        self._wild_hosts: dict[str, tuple[VendorEntry, str]] = {}
        for v in self.vendors:
            for d in v.domains:
                if d.startswith("*."):
                    self._wild_hosts.setdefault(d[2:], (v, d))
                else:
                    self._exact_hosts.setdefault(d, (v, d))
        self._endpoints: dict[str, list[_Endpoint]] = {}
        for v in self.vendors:
            for rule in v.endpoints:
                base = rule.url.partition("/")[0].lower().removeprefix("*.")
                self._endpoints.setdefault(base, []).append(_Endpoint(v, rule))
        self._cookies: NamePatternIndex[tuple[VendorEntry, CookieRule]] = NamePatternIndex(
            (r.pattern, (v, r)) for v in self.vendors for r in v.cookies
        )
        self._paths: NamePatternIndex[tuple[VendorEntry, PathRule]] = NamePatternIndex(
            (rule.name, (v, rule)) for v in self.vendors for rule in v.paths
        )
        self._has_paths = any(v.paths for v in self.vendors)
        self._storage: NamePatternIndex[VendorEntry] = NamePatternIndex(
            (p, v) for v in self.vendors for p in v.storage
        )
        self._host_cache: dict[str, Match | None] = {}
        self._endpoint_cache: dict[str, list[_Endpoint]] = {}
        self._cookie_cache: dict[tuple[str, str, bool | None], Match | None] = {}

    # ---- names -----------------------------------------------------------------------------

    def vendor(self, name: str) -> VendorEntry | None:
        """The vendor with this canonical name (exactly as in the catalog)."""
        return self._by_name.get(name)

    def find_name(self, name: str) -> tuple[VendorEntry, str] | None:
        """(vendor, how) for a canonical name, alias or former name; how is exact|alias|former-name."""
        return self._names.get(normalize_name(name))

    def children_of(self, parent: str) -> list[VendorEntry]:
        """Vendors whose parent company has this name (case- and punctuation-insensitive)."""
        return list(self._parents.get(normalize_name(parent), ()))

    # ---- hosts and URLs ------------------------------------------------------------------------

    def match_host(self, host: str) -> Match | None:
        host = host.lower().rstrip(".").lstrip(".")
        try:
            return self._host_cache[host]
        except KeyError:
            pass
        found: Match | None = None
        hit = self._exact_hosts.get(host)
        if hit is not None:
            found = Match(hit[0], f"domain {hit[1]}")
        else:
            for suffix in _suffixes(host):
                hit = self._wild_hosts.get(suffix)
                if hit is not None:
                    found = Match(hit[0], f"domain {hit[1]}")
                    break
        if len(self._host_cache) < 200_000:
            self._host_cache[host] = found
        return found

    def vendor_for_host(self, host: str) -> tuple[VendorEntry | None, str]:
        m = self.match_host(host)
        return (m.vendor, m.reason) if m else (None, "no catalog entry")

    def _endpoints_for(self, host: str) -> list[_Endpoint]:
        cached = self._endpoint_cache.get(host)
        if cached is None:
            cached = [e for s in _suffixes(host) for e in self._endpoints.get(s, ())]
            cached.sort(key=lambda e: -e.weight)
            self._endpoint_cache[host] = cached
        return cached

    def has_endpoints(self, host: str) -> bool:
        return bool(self._endpoints_for(host.lower()))

    def match_endpoint(self, url: str) -> Match | None:
        """A known pixel / script endpoint of a vendor (most specific rule first)."""
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        host = (parts.hostname or "").lower()
        for ep in self._endpoints_for(host):
            if ep.matches(parts.path or "/", parts.query):
                r = ep.rule
                return Match(
                    ep.vendor, f"endpoint {r.url}", category=r.category, beacon=r.beacon, label=r.label
                )
        return None

    def match_path(self, url: str) -> Match | None:
        """A self-hosted product recognised by its script or endpoint file name ("/matomo.js",
        "/ruxitagentjs_ICA27NVfqrux_10263230921131557.js"), on whatever host serves it."""
        if not self._has_paths:
            return None
        end = len(url)
        for stop in ("?", "#"):
            at = url.find(stop)
            if 0 <= at < end:
                end = at
        scheme = url.find("://")
        start = url.find("/", scheme + 3 if scheme >= 0 else 0)
        if start < 0 or start >= end:
            return None
        name = url[url.rfind("/", start, end) + 1 : end]
        if not name:
            return None
        hits = self._paths.lookup(name)
        if not hits:
            return None
        pattern, (vendor, rule) = hits[0]
        what = rule.label or f"self-hosted {vendor.name}"
        return Match(vendor, f"path /{pattern} ({what})", category=rule.category, beacon=rule.beacon)

    def match_url(self, url: str, host: str | None = None, *, first_party: bool = False) -> Match | None:
        """Endpoint rule first (it can name a sibling vendor on a shared host), then the host; a
        product's own file name (``paths``) names it on a host that no tracker owns. On a first-party
        host only the file name counts (self-hosted analytics)."""
        if first_party:
            return self.match_path(url)
        if host is None:
            try:
                host = (urlsplit(url).hostname or "").lower()
            except ValueError:
                return None
        if self._endpoints_for(host):
            m = self.match_endpoint(url)
            if m is not None:
                return m
        m = self.match_host(host)
        if m is None or not m.vendor.tracker:
            return self.match_path(url) or m
        return m

    # ---- cookies and storage ----------------------------------------------------------------------

    def match_cookie(self, name: str, domain: str = "", first_party: bool | None = None) -> Match | None:
        """Vendor of a cookie: a domain-bound name rule, else (third party) the cookie's domain, else a
        name rule that applies anywhere (first-party cookies written by a vendor's script). A generic
        rule ("test_cookie") counts only on its vendor's domain; elsewhere the setter must decide."""
        key = (name, domain.lower(), first_party)
        try:
            return self._cookie_cache[key]
        except KeyError:
            pass
        cdom = domain.lower().lstrip(".").rstrip(".")
        rules = self._cookies.lookup(name)
        found: Match | None = None
        for pattern, (vendor, rule) in rules:
            if rule.domains and cdom and any(cdom == d or cdom.endswith("." + d) for d in rule.domains):
                found = Match(vendor, f"cookie {pattern} on {rule.domains[0]}", category=rule.category)
                break
        if found is None and cdom and first_party is not True:
            host_match = self.match_host(cdom)
            if host_match is not None:
                own = [(p, r) for p, (v, r) in rules if v is host_match.vendor and not r.domains]
                if own:
                    pattern, rule = own[0]
                    reason = f"cookie {pattern} on {host_match.reason.removeprefix('domain ')}"
                    found = Match(host_match.vendor, reason, category=rule.category)
                else:
                    found = Match(host_match.vendor, f"cookie domain ({host_match.reason})")
        if found is None:
            for pattern, (vendor, rule) in rules:
                if not rule.domains and not rule.generic:
                    found = Match(vendor, f"cookie name {pattern}", category=rule.category)
                    break
        if len(self._cookie_cache) < 200_000:
            self._cookie_cache[key] = found
        return found

    def vendor_for_cookie(self, name: str, domain: str = "") -> tuple[VendorEntry | None, str]:
        m = self.match_cookie(name, domain)
        return (m.vendor, m.reason) if m else (None, "no catalog entry")

    def match_storage(self, key: str, origin_host: str = "", third_party: bool = False) -> Match | None:
        """Vendor of a storage key: a third-party origin names its owner; otherwise the key pattern."""
        if third_party and origin_host:
            m = self.match_host(origin_host)
            if m is not None:
                return Match(m.vendor, f"storage origin ({m.reason})")
        hits = self._storage.lookup(key)
        if hits:
            pattern, vendor = hits[0]
            return Match(vendor, f"storage key {pattern}")
        return None

    def vendor_for_storage(self, key: str, origin_host: str = "") -> tuple[VendorEntry | None, str]:
        m = self.match_storage(key, origin_host, third_party=bool(origin_host))
        return (m.vendor, m.reason) if m else (None, "no catalog entry")
