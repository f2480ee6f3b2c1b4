"""The vendor part of a finding's fingerprint, the same for every deployment of one site.

A finding's fingerprint (SARIF ``partialFingerprints``, GitLab Code Quality ``fingerprint``, the history
database's ``fingerprint`` and ``sarif_fingerprint``) hashes its kind and its vendor. The site's own
vendors are named after the site: "example.com (first party)" (the declared first-party cookies,
``scanner.compare``) or "www.example.com (first party)" / "metrics.example.com (first party)" (a script of
the site's own hosts, ``scanner.behaviour``). A preview deployment (``pr-7-shop.vercel.app``, a staging
host) names them after its own host, and its alerts would never match production's or each other's.
:func:`stable_vendor` names them by their place in the scanned site instead: ``<host>`` for a start URL's
host, ``<site>`` for its registrable domain, so "www.example.com (first party)" and
"pr-7-shop.vercel.app (first party)" are both "<host> (first party)", "metrics.example.com (first
party)" is "metrics.<site> (first party)". Every other vendor name is kept as it is.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from scanner.domains import host_of, registrable_domain

FIRST_PARTY = " (first party)"
HOST, SITE = "<host>", "<site>"


def site_names(start_urls: Iterable[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """The scanned site's hosts and registrable domains (case folded), each longest first."""
    hosts = {host_of(u).casefold().rstrip(".") for u in start_urls}
    hosts.discard("")
    domains = {registrable_domain(h) for h in hosts} - {""}

    def longest_first(names: set[str]) -> tuple[str, ...]:
        return tuple(sorted(names, key=lambda n: (-len(n), n)))

    return longest_first(hosts), longest_first(domains)


def stable_vendor(vendor: str, hosts: Iterable[str] = (), domains: Iterable[str] = ()) -> str:
    """``vendor`` (already case folded by the caller) with a first-party name's site host replaced by
    ``<host>`` and the site's registrable domain by ``<site>`` (a subdomain keeps its own labels:
    "metrics.<site>"); any other vendor unchanged."""
    if not vendor.endswith(FIRST_PARTY):
        return vendor
    name = vendor[: -len(FIRST_PARTY)]
    for token, names in ((HOST, hosts), (SITE, domains)):
        for n in names:
            if n and name == n:
                return token + FIRST_PARTY
            if n and name.endswith("." + n):
                return name[: -len(n)] + token + FIRST_PARTY
    return vendor


def sarif_fingerprint(kind: str, vendor: str, start_urls: Iterable[str] = ()) -> str:
    """results.sarif's ``partialFingerprints["vendorStatus/v1"]``: kind and case-folded vendor (the site's
    own vendors by :func:`stable_vendor`), 32 hex characters. Unchanged for every other vendor since v1."""
    key = stable_vendor(vendor.casefold(), *site_names(start_urls))
    return hashlib.sha256(f"{kind}|{key}".encode("utf-8", "surrogatepass")).hexdigest()[:32]
