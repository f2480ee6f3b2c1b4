"""Hidden trackers: a first-party subdomain that behaves as a known tracker (``cname_cloaked``).

CNAME cloaking points a subdomain of the site (``metrics.shop.example``) at a tracker's servers, so the
tracker's requests and cookies look first party and escape third-party blocking. This scan cannot
resolve DNS (the browser does not expose a CNAME or IP to the page, and the fake internet has no DNS):
it recognises the tracker by what it does instead.

A host is reported when it is first party (its registrable domain is the site's), is not a host of a
page or start URL (the site itself), and

- a request to it follows a tracking vendor's own endpoint path (the path part of the catalog's
  ``endpoints``: Adobe's ``/b/ss/``, Google Analytics' ``/g/collect``, Yandex's ``/metrika/tag.js``),
  when that path is distinctive (two or more literal segments, or a file name with a dot, dash or
  underscore of six characters or more; ``/collect`` or ``/tr`` alone are far too common), or
- a response from it set (``Set-Cookie``) a first-party cookie whose name is a tracking vendor's.

Self-hosted software is not cloaking: a request the catalog gives to a product's own file name
(``paths``: ``/matomo.js``, ``/ppms.php``) is the site running that product itself, on any host.
Tracking served from the page's own host through a reverse proxy (``/collect`` on ``www``) is a blind
spot, and so is a cloaked host whose paths and cookies are not the vendor's usual ones.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.behaviour.classify import MAX_EVIDENCE, MAX_PAGES
from scanner.catalog import Catalog, VendorEntry
from scanner.catalog.patterns import glob_regex
from scanner.domains import ascii_host, host_of
from scanner.model import Cookie, Detection, Request

_SEGMENT = re.compile(r"[^/]+")


def distinctive(path: str) -> bool:
    """Is an endpoint's path specific enough to name its vendor on a host of the site's?"""
    literal = [s for s in _SEGMENT.findall(path) if s.replace("*", "")]
    if len(literal) >= 2:
        return True
    last = literal[-1].replace("*", "") if literal else ""
    return len(last) >= 6 and any(c in last for c in ".-_")


class PathIndex:
    """The distinctive endpoint paths of the catalog's tracking vendors."""

    def __init__(self, catalog: Catalog) -> None:
        self.rules: list[tuple[re.Pattern[str], VendorEntry, str]] = []
        for vendor in catalog.vendors:
            if not vendor.tracker:
                continue
            for rule in vendor.endpoints:
                _, _, rest = rule.url.partition("/")
                path = "/" + rest.partition("?")[0]
                if distinctive(path):
                    self.rules.append((glob_regex(path, anchored_end=False), vendor, rule.url))
        self.rules.sort(key=lambda r: -len(r[2]))

    def match(self, url: str) -> tuple[VendorEntry, str] | None:
        try:
            path = url.split("://", 1)[-1].partition("/")[2]
        except ValueError:
            return None
        path = "/" + path.partition("?")[0].partition("#")[0]
        for rx, vendor, rule in self.rules:
            if rx.match(path):
                return vendor, rule
        return None


def site_hosts(page_urls: Iterable[str]) -> set[str]:
    return {ascii_host(host_of(u)).lower() for u in page_urls if u}


def cloaked(
    requests: Iterable[Request], cookies: Iterable[Cookie], page_urls: Iterable[str], catalog: Catalog
) -> list[Detection]:
    """``cname_cloaked`` detections, one per (first-party host, hidden vendor)."""
    own = site_hosts(page_urls)
    index = PathIndex(catalog)
    hits: dict[tuple[str, str, str], dict] = {}

    def note(host: str, vendor: VendorEntry, observation: dict, page: str) -> None:
        key = (host, vendor.name, observation["technique"])
        hit = hits.setdefault(key, {"vendor": vendor, "pages": {}, "evidence": [], "n": 0})
        hit["pages"].setdefault(page, None)
        hit["n"] += 1
        if len(hit["evidence"]) < MAX_EVIDENCE:
            hit["evidence"].append(observation)

    for r in requests:
        host = r.host.lower()
        if r.third_party or host in own or not host:
            continue
        if catalog.match_url(r.url, host, first_party=True) is not None:
            continue  # a self-hosted product's own file
        found = index.match(r.url)
        if found is not None:
            vendor, rule = found
            note(
                host,
                vendor,
                {
                    "technique": "cloaked_path",
                    "host": host,
                    "url": r.url[:500],
                    "rule": rule,
                    "page_url": r.page_url,
                },
                r.page_url,
            )
    for c in cookies:
        if not c.first_party or c.set_by != "http" or not c.setter_url:
            continue
        host = ascii_host(host_of(c.setter_url)).lower()
        if not host or host in own:
            continue
        if catalog.match_url(c.setter_url, host, first_party=True) is not None:
            continue
        m = catalog.match_cookie(c.name, "", True)
        if m is None or not m.vendor.tracker:
            continue
        note(
            host,
            m.vendor,
            {
                "technique": "cloaked_cookie",
                "host": host,
                "cookie": c.name,
                "domain": c.domain,
                "setter_url": c.setter_url[:500],
                "rule": m.reason,
                "page_url": c.page_url,
            },
            c.page_url,
        )
    out = []
    what = {"cloaked_path": "its endpoint paths", "cloaked_cookie": "its cookies, set by HTTP"}
    for (host, name, technique), hit in sorted(hits.items()):
        vendor = hit["vendor"]
        out.append(
            Detection(
                kind="cname_cloaked",
                technique=technique,
                criterion=(
                    f"first-party host {host} behaves as {name}: {what[technique]} "
                    "(CNAME/IP not resolved offline)"
                ),
                script=None,
                vendor=name,
                category=vendor.category,
                pages=tuple(list(hit["pages"])[:MAX_PAGES]),
                evidence=tuple(hit["evidence"]),
                observations=hit["n"],
                subject=host,
            )
        )
    return out
