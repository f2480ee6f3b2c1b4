"""Every remote reference of a message, statically: what a mail client fetches when it shows the message
(images, CSS backgrounds, style sheets, @import, VML images for Outlook) and what the reader may click
(links, image maps, forms), plus the List-Unsubscribe header's URIs and the links of the plain-text part.

The HTML is parsed with beautifulsoup4 (lxml) as data: nothing runs. Outlook's conditional comments
(``<!--[if mso]> ... <![endif]-->``) are parsed too, since Outlook renders what they hold. An image is a
*pixel* when it is tiny (``width``/``height`` attribute or CSS of at most 2 px, zero included), hidden
(``display:none``, ``visibility:hidden``, ``opacity:0``, ``max-height:0``/``max-width:0``, ``hidden``
attribute, on itself or an ancestor), or when its URL has the shape of an ESP's open pixel
(``scanner.email.esp``). ``cid:`` and ``data:`` images are inline parts of the message, never fetched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from bs4 import BeautifulSoup, Comment, Tag

from scanner.email.links import absolute
from scanner.email.message import Message

MAX_REFERENCES = 5000  # per message
MAX_ANCESTORS = 30
_URL_IN_CSS = re.compile(r"""url\(\s*(["']?)([^"')\s][^"')]*?)\1\s*\)""", re.I)
_IMPORT = re.compile(r"""@import\s+(?:url\(\s*)?["']?([^"')\s;]+)""", re.I)
_TEXT_URL = re.compile(r"""(?:https?://|www\.)[^\s<>"'\])]+""", re.I)
_PX = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:px)?\s*$", re.I)
_HIDING = (
    (re.compile(r"display\s*:\s*none", re.I), "display:none"),
    (re.compile(r"visibility\s*:\s*hidden", re.I), "visibility:hidden"),
    (re.compile(r"(?<![-\w])opacity\s*:\s*0(?:\.0+)?\s*(?:;|$|!)", re.I), "opacity:0"),
    (re.compile(r"max-height\s*:\s*0(?:px)?\s*(?:;|$|!)", re.I), "max-height:0"),
    (re.compile(r"max-width\s*:\s*0(?:px)?\s*(?:;|$|!)", re.I), "max-width:0"),
)
_CSS_SIZE = re.compile(r"(?<![-\w])(width|height)\s*:\s*(\d+(?:\.\d+)?)\s*(px)?\s*(?:;|$|!)", re.I)
TINY = 2  # px: an image this small or smaller is a pixel


@dataclass(frozen=True)
class RawReference:
    """One URL of a message and where it was found, before analysis."""

    kind: str  # image | background | stylesheet | css_import | media | frame | link | form | list_unsubscribe
    source: str  # where: "<img src>", "style attribute", "<style> block", "List-Unsubscribe header", ...
    url: str  # as written (entities decoded)
    auto_load: bool  # a mail client showing remote content fetches it without a click
    tiny: str | None = None  # "1x1", "width 0": why the image is tiny
    hidden: str | None = None  # "display:none (ancestor <div>)": why it is hidden
    inline: bool = False  # cid: / data: (part of the message, never fetched)


def _size(value: str | None) -> float | None:
    if value is None:
        return None
    m = _PX.match(str(value))
    return float(m.group(1)) if m else None


def _tiny(tag: Tag) -> str | None:
    width, height = _size(tag.get("width")), _size(tag.get("height"))
    style = str(tag.get("style") or "")
    for m in _CSS_SIZE.finditer(style):
        value = float(m.group(2))
        if m.group(1).lower() == "width":
            width = value
        else:
            height = value
    small = [(n, v) for n, v in (("width", width), ("height", height)) if v is not None and v <= TINY]
    if width is not None and height is not None and width <= TINY and height <= TINY:
        return f"{width:g}x{height:g}"
    if small:
        n, v = small[0]
        return f"{n} {v:g}"
    return None


def _hidden_style(tag: Tag) -> str | None:
    style = str(tag.get("style") or "")
    for pattern, label in _HIDING:
        if pattern.search(style):
            return label
    if tag.has_attr("hidden"):
        return "hidden attribute"
    return None


def _hidden(tag: Tag) -> str | None:
    own = _hidden_style(tag)
    if own:
        return own
    node = tag.parent
    for _ in range(MAX_ANCESTORS):
        if not isinstance(node, Tag) or node.name in ("[document]", "html", "body"):
            break
        why = _hidden_style(node)
        if why:
            return f"{why} (ancestor <{str(node.name)[:20]}>)"
        node = node.parent
    return None


def _srcset(value: str) -> list[str]:
    return [item.strip().split()[0] for item in value.split(",") if item.strip()][:20]


def _css_urls(css: str) -> Iterable[tuple[str, str]]:
    """(kind, url) of url(...) and @import in a piece of CSS."""
    css = css[:1_000_000]
    imports = []
    for m in _IMPORT.finditer(css):
        imports.append(m.span())
        yield "css_import", m.group(1)
    for m in _URL_IN_CSS.finditer(css):
        if not any(lo <= m.start() < hi for lo, hi in imports):
            yield "background", m.group(2)


def _soups(html: str) -> list[BeautifulSoup]:
    """The document, then each Outlook conditional comment's content as a document of its own."""
    try:
        soup = BeautifulSoup(html, "lxml")
    except Exception:  # noqa: BLE001 - lxml refuses some inputs (NUL bytes, huge trees)
        soup = BeautifulSoup(html.replace("\x00", ""), "html.parser")
    out = [soup]
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment))[:200]:
        text = str(comment)
        if text.lstrip().lower().startswith("[if") and "<" in text:
            body = text.split("]>", 1)[-1].rsplit("<![endif]", 1)[0]
            try:
                out.append(BeautifulSoup(body, "lxml"))
            except Exception:  # noqa: BLE001
                continue
    return out


def _image(tag: Tag, url: str, source: str, kind: str = "image") -> RawReference:
    return RawReference(
        kind=kind,
        source=source,
        url=url,
        auto_load=True,
        tiny=_tiny(tag),
        hidden=_hidden(tag),
        inline=url.strip().lower().startswith(("cid:", "data:")),
    )


def html_references(html: str) -> list[RawReference]:
    """The references of an HTML body, in document order (each soup in turn)."""
    refs: list[RawReference] = []
    for n, soup in enumerate(_soups(html)):
        where = "" if n == 0 else " (Outlook conditional comment)"
        for tag in soup.find_all(True):
            if len(refs) >= MAX_REFERENCES:
                return refs
            name = str(tag.name).lower()
            refs.extend(_tag_references(tag, name, where))
    return refs[:MAX_REFERENCES]


def _tag_references(tag: Tag, name: str, where: str) -> list[RawReference]:
    out: list[RawReference] = []

    def attr(key: str) -> str | None:
        value = tag.get(key)
        if isinstance(value, list):
            value = " ".join(value)
        return str(value).strip() if value else None

    if name in ("img", "image") or (name == "input" and (attr("type") or "").lower() == "image"):
        if src := attr("src"):
            out.append(_image(tag, src, f"<{name} src>{where}"))
        if srcset := attr("srcset"):
            out.extend(_image(tag, u, f"<{name} srcset>{where}") for u in _srcset(srcset))
    elif name == "source" and (srcset := attr("srcset") or attr("src")):
        out.extend(_image(tag, u, f"<source>{where}") for u in _srcset(srcset))
    elif name in ("v:image", "v:fill", "v:imagedata") and (src := attr("src")):
        out.append(_image(tag, src, f"<{name} src> (VML){where}"))
    elif name == "link" and (href := attr("href")):
        rel = (attr("rel") or "").lower()
        if "stylesheet" in rel or "preload" in rel or "icon" in rel:
            out.append(RawReference("stylesheet", f"<link rel={rel[:30]}>{where}", href, auto_load=True))
    elif name in ("video", "audio") and (src := attr("src") or attr("poster")):
        out.append(RawReference("media", f"<{name}>{where}", src, auto_load=True))
    elif name in ("iframe", "frame", "embed", "object") and (src := attr("src") or attr("data")):
        out.append(RawReference("frame", f"<{name}>{where}", src, auto_load=True))
    elif name == "style":
        out.extend(
            RawReference(kind, f"<style> block{where}", url, auto_load=True)
            for kind, url in _css_urls(tag.get_text())
        )
    elif name in ("a", "area") and (href := attr("href")):
        out.append(RawReference("link", f"<{name} href>{where}", href, auto_load=False))
    elif name == "form" and (action := attr("action")):
        out.append(RawReference("form", f"<form action>{where}", action, auto_load=False))
    if background := attr("background"):
        out.append(_image(tag, background, f"<{name} background>{where}", kind="background"))
    if style := attr("style"):
        for kind, url in _css_urls(style):
            out.append(
                RawReference(kind, f"style attribute of <{name}>{where}", url, auto_load=True, hidden=None)
            )
    return out


def text_references(text: str) -> list[RawReference]:
    """Links of a plain-text part (clicked, never fetched by themselves)."""
    out = []
    for m in list(_TEXT_URL.finditer(text[:2_000_000]))[:MAX_REFERENCES]:
        url = m.group().rstrip(".,;:!?")
        if url.lower().startswith("www."):
            url = "http://" + url
        out.append(RawReference("link", "plain-text part", url, auto_load=False))
    return out


def message_references(msg: Message) -> list[RawReference]:
    """Every reference of a message: its HTML, its plain text, its List-Unsubscribe URIs; duplicates (same
    kind, source and URL) once."""
    refs = html_references(msg.html) if msg.html else []
    if msg.text:
        refs.extend(text_references(msg.text))
    for uri in msg.list_unsubscribe:
        refs.append(RawReference("list_unsubscribe", "List-Unsubscribe header", uri, auto_load=False))
    unique: dict[tuple[str, str, str], RawReference] = {}
    for r in refs:
        unique.setdefault((r.kind, r.source, r.url), r)
    return list(unique.values())[:MAX_REFERENCES]


def is_remote(url: str) -> bool:
    return absolute(url) is not None
