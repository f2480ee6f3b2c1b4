"""Records of the vendor catalog: a vendor and the rules that recognise its traces."""

from __future__ import annotations

from dataclasses import dataclass

from scanner.catalog.categories import TRACKING


@dataclass(frozen=True)
class CookieRule:
    pattern: str  # exact name, or with "*" wildcards: "_ga_*", "_hjSession_*", "intercom-id-*"
    domains: tuple[str, ...] = ()  # only when the cookie's domain is one of these (or a subdomain)
    category: str | None = None  # when the cookie serves a narrower purpose than the vendor
    lifetime_days: float | None = None  # the vendor's documented lifetime, when the catalog knows it
    # A name many sites or products use too ("test_cookie"): it names this vendor only together with
    # the vendor's host (the cookie's domain) or script (the setter), never on its own.
    generic: bool = False


@dataclass(frozen=True)
class EndpointRule:
    url: str  # "host/path-prefix[?query-glob]"; host matches subdomains; "*" is a wildcard
    beacon: bool = False  # a hit on it is a tracking beacon / pixel
    category: str | None = None
    label: str | None = None  # what it is, for people ("Meta Pixel event")


@dataclass(frozen=True)
class PathRule:
    """A script or endpoint of a product sites host themselves ("matomo.js", "ruxitagentjs_*.js"): the
    last segment of a URL path, on any host, first party included."""

    name: str  # the path's last segment, "*" a wildcard within it
    beacon: bool = False
    category: str | None = None
    label: str | None = None


@dataclass(frozen=True)
class VendorEntry:
    name: str
    categories: tuple[str, ...] = ("other",)
    parent: str | None = None
    aliases: tuple[str, ...] = ()
    former_names: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # "*.x.com" = x.com and all its subdomains; "a.x.com" = that host only
    cookies: tuple[CookieRule, ...] = ()
    storage: tuple[str, ...] = ()  # storage-key patterns, same wildcard syntax as cookies
    endpoints: tuple[EndpointRule, ...] = ()
    paths: tuple[PathRule, ...] = ()  # self-hosted product scripts, recognised on any host
    # A pseudo-vendor for evidence that fits several vendors equally ("_pk_*": Matomo or Piwik PRO):
    # attribution picks one of these when a host or script says which, else keeps this entry.
    either: tuple[str, ...] = ()
    homepage: str | None = None
    privacy_policy: str | None = None
    sources: tuple[str, ...] = ()  # which catalog layers contributed to this entry

    @property
    def category(self) -> str:
        return self.categories[0] if self.categories else "other"

    @property
    def tracker(self) -> bool:
        return any(c in TRACKING for c in self.categories)

    def all_names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases, *self.former_names)


@dataclass(frozen=True)
class Match:
    """The answer of a catalog lookup: which vendor, and why."""

    vendor: VendorEntry
    reason: str  # e.g. "domain *.doubleclick.net", "cookie _ga_*", "endpoint facebook.com/tr"
    category: str | None = None  # rule-level category when narrower than the vendor's
    beacon: bool = False
    label: str | None = None
