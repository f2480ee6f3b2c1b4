"""Links in a piece of a policy: which ones there are, and which one is a vendor's privacy page."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from bs4 import Tag

from scanner.domains import host_of, registrable_domain

from .document import clean_text, in_nested_list, visible_strings

# Plain-text URLs (also "www.example.com/path"); trailing punctuation is trimmed afterwards.
_URL_IN_TEXT = re.compile(r"(?:https?://|www\.)[^\s<>\"'()\[\]{}|,]+", re.I)
_TRAILING = ".,;:!?)]}'\"’”"

_OPT_OUT = re.compile(
    r"opt[-_ ]?out|optout|unsubscribe|ad[-_ ]?settings|adchoices|ad[-_ ]interest|preferences?[-_ /]|"
    r"gaoptout|do[-_ ]not[-_ ]track|choices|/aim/|manage[-_ ]?cookies",
    re.I,
)
_PRIVACY = re.compile(r"privacy|privacidad|datenschutz|confidentialit|gdpr|data[-_ ]?protection|dsgvo", re.I)


@dataclass(frozen=True)
class Link:
    url: str  # absolute http(s) URL
    text: str  # link text ('' for a plain-text URL)


def normalise_url(raw: str) -> str | None:
    """Absolute http(s) URL or None (relative links, mailto:, javascript:, fragments)."""
    url = raw.strip().strip("<>").rstrip(_TRAILING).strip()
    if url.lower().startswith("www."):
        url = "https://" + url
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or "." not in parts.hostname:
        return None
    return url


def urls_in_text(text: str) -> list[str]:
    found = []
    for match in _URL_IN_TEXT.finditer(text):
        url = normalise_url(match.group(0))
        if url:
            found.append(url)
    return found


def links_in(tag: Tag, *, skip_nested_lists: bool = False) -> list[Link]:
    """Anchors with an absolute http(s) href, then URLs written as plain text, in document order.

    A link whose text is itself a different URL counts twice (href and text), so a typo in either
    cannot hide which site the link points to. With skip_nested_lists, links in lists nested in the
    element (a list item's sub-items) are left out."""
    links: list[Link] = []
    seen: set[str] = set()

    def add(url: str | None, text: str) -> None:
        if url and url not in seen:
            seen.add(url)
            links.append(Link(url, text))

    for anchor in tag.find_all("a"):
        if skip_nested_lists and in_nested_list(anchor, tag):
            continue
        text = clean_text(anchor.get_text())
        add(normalise_url(anchor.get("href") or ""), text)
        for url in urls_in_text(text):
            add(url, text)
    for piece in visible_strings(tag):
        if piece.find_parent("a") is not None or (skip_nested_lists and in_nested_list(piece, tag)):
            continue
        for url in urls_in_text(str(piece)):
            add(url, "")
    return links


def domain_of(url: str) -> str:
    return registrable_domain(host_of(url))


def is_opt_out(link: Link) -> bool:
    return bool(_OPT_OUT.search(link.url) or _OPT_OUT.search(link.text))


def is_home_page(url: str) -> bool:
    parts = urlsplit(url)
    return parts.path in ("", "/") and not parts.query


_POLICY = re.compile(r"polic|cookie|statement|notice", re.I)
_LEGAL = re.compile(r"legal|terms|agreement|compliance|security|w3c|trust", re.I)


def privacy_score(link: Link) -> int:
    """> 0: looks like a privacy or legal page (privacy > policy/notice > legal/terms);
    <= 0: home page, opt-out page or anything else."""
    parts = urlsplit(link.url)
    target = f"{parts.netloc} {parts.path} {parts.query} {link.text}"
    score = 0
    if _PRIVACY.search(target):
        score += 4
    if _POLICY.search(target):
        score += 2
    elif _LEGAL.search(target):
        score += 1
    if is_opt_out(link):
        score -= 10 if score < 4 else 3
    if is_home_page(link.url):
        score -= 5
    return score


def choose_privacy_link(links: list[Link], *, fallback_to_any: bool = False) -> str:
    """The first link with the best privacy/legal score; with fallback_to_any, a lone link that is
    not an opt-out page is taken even when nothing about it says 'privacy'."""
    best: Link | None = None
    best_score = 0
    for link in links:
        score = privacy_score(link)
        if score > best_score:
            best, best_score = link, score
    if best is not None:
        return best.url
    if fallback_to_any:
        usable = [link for link in links if privacy_score(link) > -3 and not is_home_page(link.url)]
        if usable:
            return usable[0].url
    return ""


_NAME_WORD = re.compile(r"[a-z0-9]+")
_NAME_STOP = {"inc", "ltd", "llc", "gmbh", "co", "corp", "the", "and", "of", "for", "in", "com", "io", "net"}


def name_tokens(name: str) -> list[str]:
    return _NAME_WORD.findall(name.lower())


def name_matches_domain(name: str, url: str) -> bool:
    """Does a vendor name fit the site a link points to? ("Send in Blue" ~ sendinblue.com,
    "Amazon Web Services" ~ aws.amazon.com, "Fluxx.io" ~ fluxx.io)."""
    host = host_of(url)
    if not host:
        return False
    labels = [label for label in host.split(".") if label not in ("www", "com", "org", "net", "io", "co")]
    labels = [label.replace("-", "") for label in labels if len(label) >= 2]
    tokens = name_tokens(name)
    if not tokens or not labels:
        return False
    joined = "".join(tokens)
    initials = "".join(token[0] for token in tokens if token not in _NAME_STOP)
    for label in labels:
        if joined == label or (len(joined) >= 4 and joined in label) or (len(label) >= 4 and label in joined):
            return True
        if len(initials) >= 2 and initials == label:
            return True
        if any(len(token) >= 4 and token not in _NAME_STOP and token in label for token in tokens):
            return True
    return False
