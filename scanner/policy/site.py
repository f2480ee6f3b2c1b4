"""Who owns the policy? The site's own domains and names are first party, never vendors."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from bs4 import BeautifulSoup, NavigableString, Tag

from scanner.domains import host_of, registrable_domain

from .document import clean_text
from .links import domain_of, normalise_url
from .names import name_key

FREEMAIL = frozenset(
    {
        "gmail.com",
        "googlemail.com",
        "yahoo.com",
        "hotmail.com",
        "outlook.com",
        "aol.com",
        "icloud.com",
        "protonmail.com",
        "proton.me",
        "gmx.de",
        "gmx.net",
        "mail.com",
        "yandex.ru",
        "qq.com",
    }
)
_POLICY_TEXT = re.compile(r"^(?P<our>our\s+)?(?:privacy|cookie|cookies)\s+(?:policy|notice|statement)$", re.I)


@dataclass(frozen=True)
class Site:
    domains: frozenset[str] = frozenset()  # registrable domains of the site itself
    labels: frozenset[str] = frozenset()  # their first labels ("freshdesk" for freshdesk.com)

    def owns_url(self, url: str) -> bool:
        return bool(url) and domain_of(url) in self.domains

    def owns_name(self, name: str) -> bool:
        """The site's own name ("Freshdesk" for freshdesk.com) or one of its hosts ("www.shop.example")."""
        if not name:
            return False
        if re.fullmatch(r"\.?[\w-]+(?:\.[\w-]+)+", name.strip()):
            return registrable_domain(name.strip().lstrip(".")) in self.domains
        return name_key(name) in self.labels


def _is_own_policy_link(anchor: Tag) -> bool:
    """ "Our [Privacy Policy](...)" or "[our privacy policy](...)": a link to the site's own policy."""
    match = _POLICY_TEXT.match(clean_text(anchor.get_text()))
    if not match:
        return False
    if match.group("our"):
        return True
    before = anchor.previous_sibling
    return isinstance(before, NavigableString) and bool(re.search(r"\bour\s*$", str(before), re.I))


def _label(domain: str) -> str:
    return name_key(domain.split(".", 1)[0])


def detect_site(soup: BeautifulSoup, url: str | None = None) -> Site:
    """The site's own registrable domains: the page URL, canonical/og:url, the domains of its
    contact e-mail addresses, links titled plainly "Privacy Policy", and a domain that holds most
    of the links outside tables."""
    domains: set[str] = set()
    if url:
        domains.add(registrable_domain(host_of(url)))
    for link in soup.find_all("link", rel=lambda v: v and "canonical" in v):
        found = normalise_url(link.get("href") or "")
        if found:
            domains.add(domain_of(found))
    for meta in soup.find_all("meta", attrs={"property": "og:url"}):
        found = normalise_url(meta.get("content") or "")
        if found:
            domains.add(domain_of(found))
    counts: Counter[str] = Counter()
    for anchor in soup.find_all("a", href=True):
        href = anchor["href"].strip()
        if href.lower().startswith("mailto:"):
            address = href[7:].split("?", 1)[0]
            if "@" in address:
                domain = registrable_domain(address.rsplit("@", 1)[1])
                if domain and domain not in FREEMAIL:
                    domains.add(domain)
            continue
        absolute = normalise_url(href)
        if not absolute or anchor.find_parent("table") is not None:
            continue
        counts[domain_of(absolute)] += 1
        if _is_own_policy_link(anchor):
            domains.add(domain_of(absolute))
    total = sum(counts.values())
    if counts:
        top, n = counts.most_common(1)[0]
        if n >= 5 and n * 2 > total:
            domains.add(top)
    domains.discard("")
    return Site(frozenset(domains), frozenset(_label(d) for d in domains))
