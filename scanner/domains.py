"""Registrable domains and first/third party, offline (tldextract's bundled suffix list)."""

from __future__ import annotations

from functools import lru_cache
from urllib.parse import urlsplit

import idna
import tldextract

# suffix_list_urls=() and cache_dir=None: never fetch the Public Suffix List, never write a cache.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def host_of(url: str) -> str:
    """Lower-case host of a URL ('' when it has none)."""
    try:
        return (urlsplit(url).hostname or "").lower().rstrip(".")
    except ValueError:
        return ""


@lru_cache(maxsize=65536)
def ascii_host(host: str) -> str:
    """The host as the browser puts it on the wire: lower case, no trailing dot, IDNA (punycode) labels.

    "Bücher.de" -> "xn--bcher-kva.de". UTS #46 non-transitional processing, as Chromium does ("ß" stays a
    letter of its own). A label IDNA refuses (an underscore, a symbol) is punycoded as is; an IP address
    or an all-ASCII host is only lower-cased.
    """
    host = host.strip().rstrip(".")
    if host.isascii():
        return host.lower()
    try:
        return idna.encode(host, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError, ValueError):
        pass
    labels = []
    for label in host.lower().split("."):
        if label.isascii():
            labels.append(label)
            continue
        try:
            labels.append(idna.encode(label, uts46=True, transitional=False).decode("ascii"))
        except (idna.IDNAError, UnicodeError, ValueError):
            labels.append("xn--" + label.encode("punycode").decode("ascii"))
    return ".".join(labels)


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """eTLD+1 of a host ("www.google-analytics.com" -> "google-analytics.com").

    IP addresses and single-label hosts (localhost) are their own registrable domain.
    """
    host = host.lower().strip().rstrip(".")
    if host.startswith("[") or not host:
        return host
    parts = _EXTRACT(host)
    domain = parts.top_domain_under_public_suffix
    return domain or host


def cookie_registrable_domain(cookie_domain: str) -> str:
    return registrable_domain(cookie_domain.lstrip("."))


def domain_matches(host: str, pattern: str) -> bool:
    """host equals pattern or is a subdomain of it ("a.b.example.com" ~ "example.com")."""
    host = host.lower().lstrip(".")
    pattern = pattern.lower().lstrip(".").removeprefix("*.")
    return host == pattern or host.endswith("." + pattern)
