"""Vendors from lists: bullet or numbered lists of vendor links, or of "Vendor — purpose" items,
under a heading (or after a sentence) about third parties, processors, partners or cookies."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Tag

from .document import heading_chain, inside_any, preceding_text, text_of
from .found import Extraction, Found
from .links import choose_privacy_link, links_in, name_matches_domain, normalise_url
from .names import is_cookie_like, looks_like_name, normalise_name
from .site import Site

RELEVANT_CONTEXT = re.compile(
    r"third[- ]part|sub-?processor|processor|partner|vendor|provider|services?\b|cookie|tracking|"
    r"analytic|advertis|recipient|share .*with|disclos",
    re.I,
)
# Bare names are read as vendors only in lists that are plainly about them.
STRICT_CONTEXT = re.compile(r"third[- ]part|sub-?processor|processor|partner|vendor|provider", re.I)
_DASH_ITEM = re.compile(r"^(?P<name>[^—–:]{2,60}?)\s+[—–-]{1,2}\s+(?P<purpose>\S.*)$")
_COLON_ITEM = re.compile(r"^(?P<name>[^:—–]{2,60}?)\s*:\s+(?P<purpose>\S.*)$")
_LEAD_PUNCT = re.compile(r"^[\s.,:;–—-]+")


def list_context(lst: Tag) -> str:
    """The heading(s) above a list, the sentence introducing it and, for a nested list, its parent item."""
    parts = heading_chain(lst, limit=3)
    parts.append(preceding_text(lst, max_blocks=1))
    parent_item = lst.find_parent("li")
    if parent_item is not None:
        parts.append(text_of(parent_item, skip_nested_lists=True))
    return " | ".join(p for p in parts if p)


def extract_lists(
    soup: BeautifulSoup, site: Site, taken: frozenset[int] | set[int] = frozenset()
) -> tuple[Extraction, set[int]]:
    """Vendors from qualifying lists, and the ids of the <li> elements they came from. Lists whose
    items another reader took (a vendor section's links, ``taken``) are left alone."""
    out = Extraction()
    consumed: set[int] = set()
    used: dict[str, int] = {}
    for lst in soup.find_all(["ul", "ol"]):
        if inside_any(lst, ("table", "nav")):
            continue
        items = lst.find_all("li", recursive=False)
        if not items or all(id(item) in taken for item in items):
            continue
        context = list_context(lst)
        if not RELEVANT_CONTEXT.search(context):
            continue
        headings = heading_chain(lst, limit=1)
        where = f"list under '{headings[0]}'" if headings else "list"
        used[where] = used.get(where, 0) + 1
        if used[where] > 1:
            where = f"{where} ({used[where]})"
        parsed = [_read_item(item, site) for item in items]
        hits = [(i, p) for i, p in enumerate(parsed, start=1) if p is not None]
        if not hits and STRICT_CONTEXT.search(context):
            hits = _bare_names(items, site)
        if not hits:
            continue
        if len(hits) * 2 < len(items):
            out.skip(where, f"only {len(hits)} of {len(items)} items read as vendors; not a vendor list")
            continue
        for index, (name, purpose, privacy, first_party) in hits:
            consumed.add(id(items[index - 1]))
            if first_party:
                out.skip(f"{where} item {index} '{name}'", "first party (the site's own name or domain)")
                continue
            out.found.append(Found(name, purpose, privacy, f"{where} item {index}", "list"))
    return out, consumed


def _bare_names(items: list[Tag], site: Site) -> list[tuple[int, tuple[str, str, str, bool]]]:
    """Items that are nothing but a name ("* Google Analytics"), in a list about third parties or
    processors; most items of the list must read so."""
    hits = []
    for index, item in enumerate(items, start=1):
        name = normalise_name(text_of(item, skip_nested_lists=True))
        if looks_like_name(name, max_words=5) and not is_cookie_like(name):
            hits.append((index, (name, "", "", site.owns_name(name))))
    return hits if len(hits) >= 2 and len(hits) * 3 >= len(items) * 2 else []


def extract_definition_lists(soup: BeautifulSoup, site: Site) -> Extraction:
    """Vendors from <dl> lists about third parties: <dt>Vendor</dt><dd>purpose, links</dd>."""
    out = Extraction()
    for number, dl in enumerate(soup.find_all("dl"), start=1):
        if inside_any(dl, ("table", "nav")) or not RELEVANT_CONTEXT.search(list_context(dl)):
            continue
        headings = heading_chain(dl, limit=1)
        where = f"list under '{headings[0]}'" if headings else f"definition list {number}"
        for index, term in enumerate(dl.find_all("dt"), start=1):
            name = normalise_name(text_of(term))
            if not looks_like_name(name) or is_cookie_like(name):
                continue
            detail = term.find_next_sibling("dd")
            purpose = text_of(detail) if detail is not None else ""
            links = links_in(term) + (links_in(detail) if detail is not None else [])
            own = [link for link in links if name_matches_domain(name, link.url)]
            privacy = choose_privacy_link(links_in(term), fallback_to_any=True) or choose_privacy_link(own)
            if site.owns_name(name) or (privacy and site.owns_url(privacy)):
                out.skip(f"{where} item {index} '{name}'", "first party (the site's own name or domain)")
                continue
            out.found.append(Found(name, purpose, privacy, f"{where} item {index}", "list"))
    return out


def _read_item(item: Tag, site: Site) -> tuple[str, str, str, bool] | None:
    """(name, purpose, privacy link, first party?) for an item that declares a vendor, else None."""
    text = text_of(item, skip_nested_lists=True)
    if not text:
        return None
    links = links_in(item, skip_nested_lists=True)
    anchor = _leading_anchor(item, text)
    if anchor is not None:
        name = normalise_name(text_of(anchor))
        url = normalise_url(anchor.get("href") or "")
        if not looks_like_name(name) or not url:
            return None
        purpose = _LEAD_PUNCT.sub("", text[text.find(text_of(anchor)) + len(text_of(anchor)) :])
        own = [link for link in links if link.url == url]
        privacy = choose_privacy_link(own, fallback_to_any=True) or choose_privacy_link(
            [link for link in links if name_matches_domain(name, link.url)]
        )
        first_party = site.owns_name(name) or site.owns_url(url)
        return name, purpose.strip(), privacy, first_party
    match = _DASH_ITEM.match(text)
    if match:
        name = normalise_name(match.group("name"))
        if not looks_like_name(name) or is_cookie_like(name):
            return None
        privacy = choose_privacy_link([link for link in links if name_matches_domain(name, link.url)])
        return name, match.group("purpose").strip(), privacy, site.owns_name(name)
    match = _COLON_ITEM.match(text)
    if match:
        # "Label: text" items are usually topics ("Metrics: we use ..."); a vendor only when the item
        # links to that vendor's own privacy page
        name = normalise_name(match.group("name"))
        if not looks_like_name(name) or is_cookie_like(name):
            return None
        privacy = choose_privacy_link([link for link in links if name_matches_domain(name, link.url)])
        if privacy:
            return name, match.group("purpose").strip(), privacy, site.owns_name(name)
    return None


def _leading_anchor(item: Tag, text: str) -> Tag | None:
    """The link the item starts with (possibly inside bold/italic), e.g. "**[Vendor](url)**. ..."."""
    anchor = item.find("a")
    if anchor is None:
        return None
    label = text_of(anchor)
    if not label:
        return None
    stripped = text.lstrip('*_ "“')
    return anchor if stripped.startswith(label) else None
