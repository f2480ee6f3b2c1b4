"""Vendors named in running text (lower confidence): sentences that say the site uses a service and
link to it or to its privacy policy."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from bs4 import BeautifulSoup, Tag

from .document import heading_chain, inside_any, text_of
from .found import Extraction, Found
from .links import (
    Link,
    choose_privacy_link,
    is_home_page,
    is_opt_out,
    links_in,
    name_matches_domain,
    name_tokens,
    privacy_score,
)
from .names import NAME_PATTERN, TOPIC_WORDS, is_generic, looks_like_name, normalise_name
from .site import Site

HEADINGS = ("h2", "h3", "h4", "h5", "h6")
BLOCKS = ("p", "li", "dd", "blockquote", *HEADINGS)
_USAGE = re.compile(
    r"\b(?:uses?|using|used|utili[sz]es?|employs?|relies on|rely on|partners? with|vendors?|providers?|"
    r"processors?|services?|third[- ]part(?:y|ies)|hosted (?:on|by)|powered by|embed)\b",
    re.I,
)
_USES_NAME = re.compile(
    rf"\b(?i:uses|use|using|utili[sz]es?|employs?|relies on|rely on)\s+(?:the\s+)?(?P<name>{NAME_PATTERN})"
)
# "the privacy policy of X", "X's Privacy Notice", "X's Cookie Policy"
_POLICY_OF = re.compile(
    rf"^(?i:the\s+)?(?i:(?:privacy|cookies?)\s+(?:and\s+security\s+)?(?:policy|notice|statement))\s+"
    rf"(?i:for|of)\s+(?P<a>{NAME_PATTERN})|"
    rf"^(?P<b>{NAME_PATTERN}?)(?:['’]s)?\s+(?i:(?:privacy|cookies?)\s+(?:policy|notice|statement))"
)


def extract_prose(soup: BeautifulSoup, site: Site, taken: set[int]) -> Extraction:
    """Candidates from paragraphs and list items not already read as tables or vendor lists."""
    out = Extraction()
    rejected = 0
    for block in soup.find_all(BLOCKS):
        if id(block) in taken or inside_any(block, ("table", "nav")):
            continue
        if any(id(parent) in taken for parent in block.parents):
            continue
        if block.name == "li" and block.find("p", recursive=False) is not None:
            continue  # a loose list item: its paragraphs are read one by one
        text = text_of(block, skip_nested_lists=True)
        if not text:
            continue
        enumerated = _enumerated_names(block, text)
        if not enumerated and not _USAGE.search(text) and "privacy" not in text.lower():
            continue
        links = links_in(block, skip_nested_lists=True)
        headings = heading_chain(block, limit=1)
        section = headings[0] if headings and block.name not in HEADINGS else ""
        candidates = _candidates(text, links, section)
        known = {name.lower() for name, _ in candidates}
        candidates += [(name, _privacy_for(name, links)) for name in enumerated if name.lower() not in known]
        for name, privacy in candidates:
            if site.owns_name(name) or (privacy and site.owns_url(privacy)):
                rejected += 1
                continue
            where = f"prose (low confidence) in '{headings[0]}'" if headings else "prose (low confidence)"
            out.found.append(Found(name, _sentence_with(text, name), privacy, where, "prose"))
    if rejected:
        out.skip(f"prose: {rejected} mention(s)", "first party (the site's own name or domain)")
    return out


_NAME_SERIES = rf"{NAME_PATTERN}(?:\s*,\s*{NAME_PATTERN})*(?:,?\s+(?:and|or)\s+{NAME_PATTERN})?"
# "We use:" / "including:" ending the text that introduces a list
_INTRO_USE = re.compile(r"\b(?:use|uses|using|include|includes|including|following)\s*:\s*$", re.I)
# a list item opening with the names it is about: "Convert.com and ShareProgress, which place ..."
_LEADING_NAMES = re.compile(
    rf"^(?P<names>{_NAME_SERIES})(?:\s*,|\s+(?i:which|that|to|for|is|are|each|uses?|helps?)\b)"
)
# "... third party vendor for processing (e.g., Braintree, PayPal, Bitpay, Stripe)"
_EXAMPLES = re.compile(rf"\((?i:e\.g\.|for example|such as|including)[,:]?\s+(?P<names>{_NAME_SERIES})\)")
_VENDOR_WORDS = re.compile(r"vendor|provider|processor|third[- ]part", re.I)


def _enumerated_names(block: Tag, text: str) -> list[str]:
    """Names a block lists without links: the items of a list introduced by "We use:", or the
    examples in brackets after "third party vendor" and the like."""
    found: list[str] = []
    if block.name == "li" and _INTRO_USE.search(_list_intro(block)):
        match = _LEADING_NAMES.match(text)
        if match:
            found += _split_names(match.group("names"))
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if _VENDOR_WORDS.search(sentence):
            for match in _EXAMPLES.finditer(sentence):
                found += _split_names(match.group("names"))
    return list(dict.fromkeys(found))


def _list_intro(item: Tag) -> str:
    """The text that introduces the list an item belongs to (its parent item, or the paragraph before)."""
    lst = item.parent
    if lst is None:
        return ""
    parent_item = lst.find_parent("li")
    if parent_item is not None:
        return text_of(parent_item, skip_nested_lists=True)
    previous = lst.find_previous_sibling()
    return text_of(previous) if previous is not None and previous.name == "p" else ""


def _split_names(series: str) -> list[str]:
    names = []
    for part in re.split(r"\s*,\s*|\s+(?:and|or)\s+", series):
        name = _clean(part)
        if name and looks_like_name(name, max_words=5) and not is_generic(name):
            names.append(name)
    return names


def _candidates(text: str, links: list[Link], section: str = "") -> list[tuple[str, str]]:
    """(name, privacy link) pairs a block supports. A section heading that is a name ("Hotjar")
    counts as a mention when the block links to that vendor's privacy page."""
    names: dict[str, str] = {}  # lower name -> name as written
    heading_name = _clean(section)
    if (
        heading_name
        and looks_like_name(heading_name, max_words=4)
        and not is_generic(heading_name)
        and not TOPIC_WORDS.search(heading_name)
    ):
        names[heading_name.lower()] = heading_name
    linked: dict[str, Link] = {}
    has_usage = bool(_USAGE.search(text))
    for link in links:
        label = normalise_name(link.text)
        policy_of = _POLICY_OF.match(label)
        if policy_of and re.search(rf"\bour\s+{re.escape(label)}", text, re.I):
            continue  # "our Privacy Policy": the site's own
        if policy_of:
            named = _clean(policy_of.group("a") or policy_of.group("b") or "")
            if named and looks_like_name(named, max_words=5) and not is_generic(named):
                names.setdefault(named.lower(), named)
            continue
        if (
            has_usage
            and looks_like_name(label, max_words=5)
            and not is_opt_out(link)
            and name_matches_domain(label, link.url)
            and not _bare_site_mention(label, link)
        ):
            names.setdefault(label.lower(), label)
            linked.setdefault(label.lower(), link)
    for match in _USES_NAME.finditer(text):
        for part in re.split(r"\s+(?:and|&)\s+", match.group("name")):
            named = _clean(part)
            if named and looks_like_name(named, max_words=5) and not is_generic(named):
                names.setdefault(named.lower(), named)
    # "Google" next to "Google Cloud Platform" in the same block is the same vendor, said shorter
    for key in list(names):
        if any(other != key and other.startswith(key + " ") for other in names):
            del names[key]
    results = []
    for key, name in names.items():
        privacy = _privacy_for(name, links)
        if not privacy and key in linked:
            own = linked[key]
            privacy = own.url if privacy_score(own) > 0 else ""
            results.append((name, privacy))
        elif privacy:
            results.append((name, privacy))
    return results


def _clean(name: str) -> str:
    name = normalise_name(name)
    return re.sub(r"['’]s$", "", name).strip()


def _bare_site_mention(label: str, link: Link) -> bool:
    """ "[npm.community](https://npm.community)": a web address written out, not a vendor's name."""
    host = urlsplit(link.url).hostname or ""
    return label.lower() == host.removeprefix("www.") and is_home_page(link.url)


def _privacy_for(name: str, links: list[Link]) -> str:
    """A privacy-looking link of the block that belongs to this vendor (its text names the vendor,
    or it points to the vendor's own domain)."""
    tokens = [t for t in name_tokens(name) if len(t) >= 3]
    initials = "".join(t[0] for t in name_tokens(name))
    mine = []
    for link in links:
        words = set(name_tokens(link.text))
        names_it = (bool(tokens) and all(t in words for t in tokens)) or (
            len(initials) >= 2 and initials in words
        )
        if names_it or name_matches_domain(name, link.url):
            mine.append(link)
    return choose_privacy_link(mine)


def _sentence_with(text: str, name: str) -> str:
    for sentence in re.split(r"(?<=[.!?])\s+", text):
        if name.lower() in sentence.lower():
            return sentence.strip()[:300]
    return text[:300]
