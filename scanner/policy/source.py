"""Read a policy SOURCE (local file or http(s) URL) into text plus the kind of markup it holds."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from scanner.errors import BadInput
from scanner.textfile import MB, read_limited

HTML_SUFFIXES = {".html", ".htm", ".xhtml", ".shtml", ".php", ".asp", ".aspx", ".jsp"}
MARKDOWN_SUFFIXES = {".md", ".markdown", ".mdown", ".mkd", ".txt", ".text", ""}
MAX_BYTES = 20 * MB  # a policy file (README, Limits)

FetchHtml = Callable[[str], str]


@dataclass(frozen=True)
class PolicyText:
    text: str
    kind: str  # "html" | "markdown" (plain text is read as Markdown)
    origin: str  # the SOURCE as given
    url: str | None = None  # set when the policy came from the web


def is_url(source: str) -> bool:
    return urlsplit(source.strip()).scheme.lower() in ("http", "https")


def sniff_kind(text: str) -> str:
    """Markdown unless the text is clearly an HTML document or fragment."""
    head = text.lstrip()[:4096].lower()
    if head.startswith(("<!doctype html", "<html", "<?xml")):
        return "html"
    lowered = text.lower()
    markers = sum(lowered.count(tag) for tag in ("<p>", "<p ", "<div", "<table", "<li>", "<h1", "<h2", "<br"))
    return "html" if markers >= 3 and lowered.count("<") > 2 * lowered.count("\n|") else "markdown"


def read_policy(source: str, fetch_html: FetchHtml | None = None) -> PolicyText:
    """Load SOURCE; raise BadInput with one clear line when it cannot be read."""
    if not source or not source.strip():
        raise BadInput("no policy SOURCE given")
    if is_url(source):
        return _fetch(source.strip(), fetch_html)
    path = Path(source).expanduser()
    if not path.exists():
        raise BadInput(f"policy file not found: {source}")
    if path.is_dir():
        raise BadInput(f"policy SOURCE is not a file: {source}")
    raw = read_limited(path, f"policy file {source}", MAX_BYTES)
    if b"\x00" in raw[:8192]:
        raise BadInput(f"policy file looks binary, expected Markdown, HTML or text: {source}")
    text = _decode(raw)
    suffix = path.suffix.lower()
    if suffix in HTML_SUFFIXES:
        kind = "html"
    elif suffix in (".md", ".markdown", ".mdown", ".mkd"):
        kind = "markdown"
    else:
        kind = sniff_kind(text)
    return PolicyText(text=text, kind=kind, origin=source)


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    return raw.decode("latin-1")


def _fetch(url: str, fetch_html: FetchHtml | None) -> PolicyText:
    if fetch_html is None:
        from scanner.browser import fetch_rendered_html

        fetch_html = fetch_rendered_html
    html = fetch_html(url)
    if not isinstance(html, str) or not html.strip():
        raise BadInput(f"the page at {url} is empty")
    if len(html) > MAX_BYTES:
        size, limit = len(html) // MB, MAX_BYTES // MB
        raise BadInput(f"the page at {url} is too large ({size} MB of HTML; the limit is {limit} MB)")
    plain = plain_text_page(html)
    if plain is not None:  # a text/plain or Markdown file, shown by the browser inside one <pre>
        return PolicyText(text=plain, kind="markdown", origin=url, url=url)
    return PolicyText(text=html, kind="html", origin=url, url=url)


def plain_text_page(html: str) -> str | None:
    """The text of a page that is nothing but one <pre> (how browsers show text/plain), else None."""
    from bs4 import BeautifulSoup

    if html.count("<pre") != 1:
        return None
    body = BeautifulSoup(html, "lxml").body
    if body is None:
        return None
    children = [c for c in body.children if getattr(c, "name", None) or str(c).strip()]
    if len(children) == 1 and getattr(children[0], "name", None) == "pre":
        return children[0].get_text()
    return None
