"""What a scan covers: the first-party domains (``Scope``) and one page to visit (``Target``).

Shared by the crawl, the collectors and the assembly step, so none of them imports another's module.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from scanner.domains import registrable_domain
from scanner.errors import BadInput


@dataclass(frozen=True)
class Target:
    url: str
    depth: int
    referrer: str | None = None
    source: str = "link"  # seed | link | sitemap


class Scope:
    """First-party registrable domains: the start URLs' plus any --first-party DOMAIN."""

    def __init__(self, start_urls: list[str], extra_domains: list[str] = ()) -> None:
        domains = {registrable_domain(urlsplit(u).hostname or "") for u in start_urls}
        for d in extra_domains:
            d = d.strip().lower().lstrip(".")
            if "://" in d:
                d = urlsplit(d).hostname or ""
            if not d or " " in d:
                raise BadInput(f"--first-party {d!r}: not a domain name")
            domains.add(registrable_domain(d))
        self.domains = frozenset(d for d in domains if d)

    @classmethod
    def from_domains(cls, domains: list[str]) -> Scope:
        scope = cls([])
        scope.domains = frozenset(domains)
        return scope

    def contains_host(self, host: str) -> bool:
        return registrable_domain(host) in self.domains

    def contains(self, url: str) -> bool:
        try:
            host = urlsplit(url).hostname or ""
        except ValueError:
            return False
        return bool(host) and self.contains_host(host)
