"""Vendors from sections: one heading per vendor ("### Stripe"), a paragraph about it, and links to
its website and legal pages ("Website", "Privacy Policy", "Terms", "Opt-out"), in a list or inline.

The heading is the vendor's name, the paragraph its purpose and the legal link its privacy page; the
link texts are labels of the vendor's pages, never vendor names themselves."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from .document import HEADING_TAGS, heading_level, inside_any, text_of
from .found import Extraction, Found
from .links import Link, choose_privacy_link, is_home_page, links_in, name_matches_domain, name_tokens
from .names import (
    TOPIC_WORDS,
    is_cookie_like,
    is_generic,
    link_label,
    looks_like_name,
    normalise_name,
    split_link_label,
)
from .site import Site

# A vendor's section is short: a paragraph or two and its links. Longer sections are topics.
MAX_BLOCKS = 12
MAX_ELEMENTS = 400  # elements looked at after one heading (bounds the walk on huge pages)
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*|[a-z]|[ivx]+)[.)]\s+|^\d+(?:\.\d+)+\s+", re.I)
# "Purpose: ...", "Used for: ..." items inside a vendor's section
_PURPOSE_FIELD = re.compile(
    r"^(?:purpose|purposes|usage|use|used for|what we use it for|why we use it|service|services|"
    r"service provided|type of service|description|role|function)\s*[:—–-]\s*(?P<text>\S.*)$",
    re.I,
)
_BLOCKS = ("p", "li", "dd", "dt", "blockquote")
# A qualifier after the vendor's name in its heading: "Sentry (GDPR Compliant)", "Stripe (payments)".
_QUALIFIER = re.compile(r"\s*\([^()]*\)\s*$")


def extract_sections(soup: BeautifulSoup, site: Site) -> tuple[Extraction, set[int]]:
    """Vendors from heading-per-vendor sections, and the ids of the list items (their link lists)
    that the list and prose readers must not read again."""
    out = Extraction()
    consumed: set[int] = set()
    for heading in soup.find_all([*HEADING_TAGS, "p"]):
        if heading.name == "h1" or inside_any(heading, ("table", "nav", "li")):
            continue
        if heading.name == "p" and not is_bold_line(heading):
            continue
        name = _heading_name(heading)
        if not name:
            continue
        body = _section_body(heading)
        if body is None:
            continue
        links = links_in(heading) + [link for block in body for link in _own_links(block)]
        mine = [link for link in links if _about(name, link)]
        labelled = [link for link in mine if link_label(link.text)]
        if not labelled and not any(name_matches_domain(name, link.url) for link in mine):
            continue
        privacy = choose_privacy_link(mine)
        if not labelled and not privacy:
            continue  # a bare link to a site of that name is a mention, not a declaration
        where = f"section '{name}'"
        if site.owns_name(name) or (privacy and site.owns_url(privacy)):
            out.skip(where, "first party (the site's own name or domain)")
            continue
        for block in body:
            if block.name == "li":
                consumed.add(id(block))
        out.found.append(Found(name, _purpose(body), privacy, where, "list"))
    return out, consumed


def _heading_name(heading: Tag) -> str:
    """The heading's text when it reads as one vendor's name ("Stripe", "3.2 Google Analytics"),
    without a qualifier in parentheses ("Sentry (GDPR Compliant)" names Sentry)."""
    name = normalise_name(_QUALIFIER.sub("", _NUMBERING.sub("", text_of(heading))))
    if not looks_like_name(name, max_words=5) or is_generic(name) or is_cookie_like(name):
        return ""
    if TOPIC_WORDS.search(name) or link_label(name):
        return ""
    return name


def is_bold_line(block: Tag) -> bool:
    """A paragraph that is nothing but bold text ("**Stripe**"): a heading in all but name."""
    text = text_of(block)
    if not text or len(text) > 80:
        return False
    bold = " ".join(
        text_of(b) for b in block.find_all(["strong", "b"]) if b.find_parent(["strong", "b"]) is None
    )
    return normalise_name(bold) == normalise_name(text)


def _level(heading: Tag) -> int:
    return heading_level(heading) if heading.name in HEADING_TAGS else 7


def _section_body(heading: Tag) -> list[Tag] | None:
    """The blocks between a heading (or a bold line) and the next heading of its level or above, or
    the next bold line; None when the section holds a table (the table reader owns it), a
    sub-heading, or more than a vendor's section would."""
    level = _level(heading)
    blocks: list[Tag] = []
    taken: set[int] = set()
    seen = 0
    for element in heading.find_all_next(True, limit=MAX_ELEMENTS):
        seen += 1
        if any(id(parent) in taken for parent in element.parents):
            continue
        if element.name in HEADING_TAGS:
            return blocks if blocks and heading_level(element) <= level else None
        if element.name == "p" and is_bold_line(element):
            return blocks or None  # a bold line starts the next vendor's section
        if element.name == "table":
            return None
        if element.name not in _BLOCKS:
            continue
        blocks.append(element)
        taken.add(id(element))
        if len(blocks) > MAX_BLOCKS:
            return None
    if seen >= MAX_ELEMENTS:
        return None  # not a short vendor section
    return blocks or None  # the last section of the page


def _own_links(block: Tag) -> list[Link]:
    return links_in(block, skip_nested_lists=block.name == "li")


def _about(name: str, link: Link) -> bool:
    """Is this link one of the vendor's pages: labelled "Website"/"Privacy Policy"/..., naming the
    vendor, or on the vendor's own domain?"""
    label = split_link_label(link.text)
    if label is not None and (not label[0] or _same_vendor(label[0], name)):
        return True  # "Privacy Policy", "Mailchimp Privacy Policy" under "Mailchimp"
    if name_matches_domain(name, link.url):
        return True
    tokens = [t for t in name_tokens(name) if len(t) >= 3]
    words = set(name_tokens(link.text))
    return bool(tokens) and all(t in words for t in tokens) and not is_home_page(link.url)


def _same_vendor(owner: str, name: str) -> bool:
    """ "Microsoft" ~ "Microsoft Clarity", "Cloudflare" ~ "Cloudflare, Inc.", "Google" ~ "Google"."""
    a, b = set(name_tokens(owner)), set(name_tokens(name))
    return bool(a) and bool(b) and (a <= b or b <= a)


def _purpose(body: list[Tag]) -> str:
    """A "Purpose: ..." field of the section, else its first paragraph that is mostly its own words
    (not its links), else its first paragraph that says more than its links."""
    for block in body:
        match = _PURPOSE_FIELD.match(text_of(block, skip_nested_lists=True))
        if match:
            return _clip(match.group("text"))
    described = []  # (own words, link words, text) of blocks that say more than their links
    for block in body:
        if block.name == "li" and block.find_parent("li") is not None:
            continue
        text = text_of(block, skip_nested_lists=True)
        link_words = len(re.findall(r"\w+", " ".join(text_of(a) for a in block.find_all("a"))))
        own_words = len(re.findall(r"\w+", text)) - link_words
        if own_words >= 3:
            described.append((own_words, link_words, text))
    # a sentence mostly made of its links ("We comply with [X's Terms of Use]") describes less than
    # one in its own words: the first block mostly in its own words wins, else the first at all
    for own_words, link_words, text in described:
        if own_words >= link_words:
            return _clip(text)
    return _clip(described[0][2]) if described else ""


def _clip(text: str, limit: int = 300) -> str:
    if len(text) <= limit:
        return text
    cut = text.rfind(". ", 0, limit)
    return text[: cut + 1] if cut > 40 else text[:limit].rstrip() + "…"
