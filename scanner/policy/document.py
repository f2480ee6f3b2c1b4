"""Turn Markdown or HTML into one parsed tree, and answer "where in the document is this?".

Markdown is rendered to HTML with markdown-it-py (GFM tables, raw HTML kept), so tables, lists and
paragraphs are read the same way whatever the input format was.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString, Tag
from markdown_it import MarkdownIt

HEADING_TAGS = ("h1", "h2", "h3", "h4", "h5", "h6")
BLOCK_TAGS = ("p", "li", "td", "th", "tr", "div", "caption", "dt", "dd", "blockquote", *HEADING_TAGS)
_HEADING_RE = re.compile(r"^h[1-6]$")
# Site chrome and non-content elements: never part of the declaration.
NOISE_TAGS = ("script", "style", "noscript", "template", "svg", "nav", "iframe", "object")
# Page chrome, unless it sits inside the article itself.
CHROME_TAGS = ("header", "footer", "aside")

_FRONT_MATTER = re.compile(r"\A\ufeff?---[ \t]*\r?\n.*?\r?\n(?:---|\.\.\.)[ \t]*(?:\r?\n|\Z)", re.S)
_TEMPLATE_TAG = re.compile(r"\{%-?.*?-?%\}|\{\{.*?\}\}|\{#.*?#\}", re.S)
_KRAMDOWN_ATTR = re.compile(r"^[ \t]*\{:[^}\n]*\}[ \t]*$", re.M)

# Elements deeper than this are placed beside each other at this depth, as Chromium's HTML parser
# does (its limit is 512): every "which ancestor" question then costs a bounded walk, so a policy
# nested thousands of elements deep is read in time linear in its size.
MAX_DEPTH = 512

_MARKDOWN = MarkdownIt("commonmark", {"html": True}).enable("table").enable("strikethrough")


def strip_templating(text: str) -> str:
    """Drop YAML front matter, Liquid/Jinja tags and kramdown attribute lines."""
    text = _FRONT_MATTER.sub("", text, count=1)
    text = _TEMPLATE_TAG.sub(" ", text)
    return _KRAMDOWN_ATTR.sub("", text)


def markdown_to_html(text: str) -> str:
    return _MARKDOWN.render(text)


def parse(text: str, kind: str) -> BeautifulSoup:
    """Parsed, cleaned tree of a policy given as 'markdown' or 'html'."""
    text = strip_templating(text)
    html = markdown_to_html(text) if kind == "markdown" else text
    soup = BeautifulSoup(html, "lxml")
    cap_depth(soup, MAX_DEPTH)
    for tag in soup.find_all(NOISE_TAGS):
        tag.decompose()
    for tag in soup.find_all(CHROME_TAGS):
        if not tag.decomposed and tag.find_parent(["article", "main"]) is None:
            tag.decompose()
    for tag in soup.find_all(attrs={"aria-hidden": "true"}):
        if tag.name not in ("caption", "span"):
            tag.decompose()
    # Word boundaries that markup implies: <br> and the edges of block elements.
    for br in soup.find_all("br"):
        br.replace_with(" ")
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert(0, " ")
        tag.append(" ")
    index_headings(soup)
    return soup


def cap_depth(soup: BeautifulSoup, limit: int) -> None:
    """Move elements nested deeper than ``limit`` up beside each other at that depth (each keeps its
    own text), in one pass over the tree; a tree within the limit is left as it is."""
    tops: list[Tag] = []  # elements at depth `limit` with element children
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        tag, depth = stack.pop()
        children = [c for c in tag.contents if isinstance(c, Tag)]
        if depth == limit and children:
            tops.append(tag)
            continue
        stack.extend((c, depth + 1) for c in children)
    if not tops:
        return
    for top in tops:
        parent = top.parent
        moved = [top, *top.find_all(True)]  # document order
        for tag in moved:
            tag.contents = [c for c in tag.contents if not isinstance(c, Tag)]
            for c in tag.contents:
                c.parent = tag
        at = next(i for i, c in enumerate(parent.contents) if c is top)
        parent.contents[at : at + 1] = moved
        for tag in moved:
            tag.parent = parent
    _relink(soup)


def _relink(soup: BeautifulSoup) -> None:
    """Rebuild the sibling and document-order links of the whole tree from its contents lists (the
    BeautifulSoup object itself stays outside the document order, as after parsing)."""
    previous = None
    stack: list = [soup]
    while stack:
        node = stack.pop()
        if node is not soup:
            node.previous_element = previous
            if previous is not None:
                previous.next_element = node
            previous = node
        if isinstance(node, Tag):
            kids = node.contents
            for i, kid in enumerate(kids):
                kid.parent = node
                kid.previous_sibling = kids[i - 1] if i else None
                kid.next_sibling = kids[i + 1] if i + 1 < len(kids) else None
            stack.extend(reversed(kids))
    if previous is not None:
        previous.next_element = None


def clean_text(text: str) -> str:
    """Collapse whitespace (incl. non-breaking spaces) into single spaces."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


def text_of(tag: Tag, *, skip_nested_lists: bool = False) -> str:
    """Visible text of an element; <br> and block boundaries become spaces.

    With skip_nested_lists, text inside lists nested in the element is left out (a list item's own
    words without its sub-items)."""
    if not skip_nested_lists:
        return clean_text(tag.get_text())
    parts = []
    for piece in visible_strings(tag):
        if _in_nested_list(piece, tag):
            continue
        parts.append(str(piece))
    return clean_text("".join(parts))


def visible_strings(tag: Tag) -> list[NavigableString]:
    """Text nodes of an element, without comments, CDATA, doctype or processing instructions."""
    return [piece for piece in tag.find_all(string=True) if type(piece) is NavigableString]


def in_nested_list(node, ancestor: Tag) -> bool:
    """Is node inside a list that is itself inside ancestor?"""
    return _in_nested_list(node, ancestor)


def _in_nested_list(node, ancestor: Tag) -> bool:
    for parent in node.parents:
        if parent is ancestor:
            return False
        if parent.name in ("ul", "ol"):
            return True
    return False


def _inside(node: Tag, ancestor: Tag) -> bool:
    return any(parent is ancestor for parent in node.parents)


def index_headings(soup: BeautifulSoup) -> None:
    """Record, for every element, the headings it sits under (one pass, so lookups are O(1))."""
    stack: list[Tag] = []
    chains: dict[int, tuple[Tag, ...]] = {}
    current: tuple[Tag, ...] = ()
    for element in soup.find_all(True):
        chains[id(element)] = current
        if element.name in HEADING_TAGS:
            level = heading_level(element)
            while stack and heading_level(stack[-1]) >= level:
                stack.pop()
            stack.append(element)
            current = tuple(reversed(stack))
    soup.policy_headings = chains


def _headings_of(tag: Tag) -> tuple[Tag, ...] | None:
    root = tag
    while root.parent is not None:
        root = root.parent
    chains = getattr(root, "policy_headings", None)
    if not isinstance(chains, dict):
        return None
    return chains.get(id(tag), ())


def heading_before(tag: Tag) -> Tag | None:
    """The nearest heading above a node (any level)."""
    chain = _headings_of(tag)
    if chain is None:
        return tag.find_previous(_HEADING_RE)
    return chain[0] if chain else None


def heading_level(tag: Tag) -> int:
    return int(tag.name[1])


def heading_chain(tag: Tag, limit: int = 6) -> list[str]:
    """Texts of the headings a node sits under, nearest first (h4, then its h3, its h2, ...)."""
    chain = _headings_of(tag)
    if chain is None:
        chain = tuple(_walk_headings(tag))
    texts = [text for text in (text_of(h) for h in chain) if text]
    return texts[:limit]


def _walk_headings(tag: Tag):
    current = tag.find_previous(_HEADING_RE)
    level = 7
    while current is not None:
        lvl = heading_level(current)
        if lvl < level:
            yield current
            level = lvl
            if lvl == 1:
                return
        current = current.find_previous(_HEADING_RE)


def preceding_text(tag: Tag, max_blocks: int = 2) -> str:
    """Text of the paragraphs just before a node (up to the previous heading)."""
    texts: list[str] = []
    node = tag
    while len(texts) < max_blocks:
        node = node.find_previous(["p", *HEADING_TAGS, "table", "ul", "ol"])
        if node is None or node.name in HEADING_TAGS or node.name in ("table", "ul", "ol"):
            break
        if _inside(tag, node):
            continue
        texts.append(text_of(node))
    return " ".join(reversed(texts))


def inside_any(tag: Tag, names: tuple[str, ...]) -> bool:
    return any(parent.name in names for parent in tag.parents)
