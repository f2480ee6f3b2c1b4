"""What a scan covers: the first-party domains (``Scope``) and one page to visit (``Target``).

Shared by the crawl, the collectors and the assembly step, so none of them imports another's module.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from scanner.domains import ascii_host, registrable_domain
from scanner.errors import BadInput


@dataclass(frozen=True)
class Target:
    """One page to visit.

    ``url`` is what the browser navigates to and what the page's records carry: the URL exactly as it was
    given (a start URL, a link's ``href`` resolved against its page, a sitemap entry), without the fragment,
    which a browser never sends. ``key`` is only the crawl's de-duplication key
    (``scanner.crawl.urls.url_key``); nothing is ever fetched by it.
    """

    url: str
    depth: int
    referrer: str | None = None
    source: str = "link"  # seed | link | sitemap
    key: str = ""  # set by the frontier; "" for a target made by hand


class Scope:
    """First-party registrable domains: the start URLs' plus any --first-party DOMAIN."""

    def __init__(self, start_urls: list[str], extra_domains: list[str] = ()) -> None:
        domains = {registrable_domain(ascii_host(_host(u))) for u in start_urls}
        for d in extra_domains:
            d = d.strip().lower().lstrip(".")
            if "://" in d:
                d = urlsplit(d).hostname or ""
            if not d or " " in d:
                raise BadInput(f"--first-party {d!r}: not a domain name")
            domains.add(registrable_domain(ascii_host(d)))
        self.domains = frozenset(d for d in domains if d)

    @classmethod
    def from_domains(cls, domains: list[str]) -> Scope:
        scope = cls([])
        scope.domains = frozenset(domains)
        return scope

    def contains_host(self, host: str) -> bool:
        """``host`` (punycode as the browser reports it, or Unicode) is first party."""
        return registrable_domain(ascii_host(host)) in self.domains

    def contains(self, url: str) -> bool:
        host = _host(url)
        return bool(host) and self.contains_host(host)


def _host(url: str) -> str:
    try:
        return urlsplit(url).hostname or ""
    except ValueError:
        return ""
