"""URL hygiene for the crawl frontier: validation, the URL to visit, the de-duplication key, non-HTML targets.

A URL is visited exactly as it was given; the key (``url_key``) only decides what counts as seen.
"""

from __future__ import annotations

import ipaddress
import re
import string
from urllib.parse import unquote_plus, urljoin, urlsplit, urlunsplit

from w3lib.url import safe_url_string

from scanner.domains import ascii_host
from scanner.errors import BadInput

# Query parameters that only tag a visit's origin; dropping them keeps one page one URL.
TRACKING_PARAMS = frozenset(
    {"gclid", "dclid", "fbclid", "msclkid", "mc_cid", "mc_eid", "_ga", "_gl", "igshid", "yclid", "ref_src"}
)
TRACKING_PREFIXES = ("utm_",)

# Targets a browser would download or show raw rather than render as a page.
NON_HTML_EXTENSIONS = frozenset(
    [
        "pdf",
        "zip",
        "gz",
        "tgz",
        "bz2",
        "xz",
        "7z",
        "rar",
        "tar",
        "exe",
        "dmg",
        "msi",
        "pkg",
        "deb",
        "rpm",
        "apk",
        "iso",
        "bin",
        "jpg",
        "jpeg",
        "png",
        "gif",
        "webp",
        "avif",
        "bmp",
        "ico",
        "svg",
        "tif",
        "tiff",
        "heic",
        "mp3",
        "mp4",
        "m4a",
        "m4v",
        "mov",
        "avi",
        "wmv",
        "webm",
        "ogg",
        "ogv",
        "wav",
        "flac",
        "mkv",
        "doc",
        "docx",
        "xls",
        "xlsx",
        "ppt",
        "pptx",
        "odt",
        "ods",
        "odp",
        "rtf",
        "csv",
        "tsv",
        "json",
        "xml",
        "rss",
        "atom",
        "txt",
        "css",
        "js",
        "mjs",
        "map",
        "woff",
        "woff2",
        "ttf",
        "otf",
        "eot",
    ]
)

ALLOWED_SCHEMES = ("http", "https")
DEFAULT_PORTS = {"http": 80, "https": 443}

# What a browser strips from both ends of a URL (C0 controls and space, URL Standard).
_C0_AND_SPACE = "".join(chr(i) for i in range(0x21))
_UNRESERVED = frozenset(string.ascii_letters + string.digits + "-._~")
_PERCENT = re.compile(r"%([0-9A-Fa-f]{2})")


def validate_start_url(url: str) -> str:
    """The start URL to visit, as given (``https://`` put in front of a bare host name), or BadInput with
    one line saying what is wrong."""
    text = url.strip(_C0_AND_SPACE)
    if "://" not in text and not text.startswith(("mailto:", "javascript:", "data:", "file:")):
        text = "https://" + text
    try:
        parts = urlsplit(text)
        _ = parts.port  # raises ValueError for a bad port
    except ValueError as exc:
        raise BadInput(f"invalid URL {url!r}: {exc}") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise BadInput(f"invalid URL {url!r}: only http and https can be scanned, not {parts.scheme}:")
    host = parts.hostname or ""
    if not host or any(c in host for c in " \t<>\"'{}|\\^`"):
        raise BadInput(f"invalid URL {url!r}: no valid host name")
    if visit_url(text) is None or url_key(text) is None:
        raise BadInput(f"invalid URL {url!r}")
    return text


def visit_url(url: str, base: str | None = None) -> str | None:
    """The URL to navigate to: ``url`` exactly as given, resolved against ``base`` when it is relative,
    without its fragment (a browser never sends it). None when it is not crawlable http(s).

    Nothing else is touched: ``?run`` stays ``?run``, ``%2F`` stays ``%2F``, the order of the query
    parameters and tracking parameters stay, a Unicode host stays Unicode (Chromium converts it).
    """
    text = url.strip(_C0_AND_SPACE)
    try:
        if base and not urlsplit(text).scheme:
            text = urljoin(base.strip(_C0_AND_SPACE), text)
        text = text.split("#", 1)[0]
        parts = urlsplit(text)
        _ = parts.port  # ValueError for a port that is not a number in range
    except ValueError:
        return None
    if parts.scheme.lower() not in ALLOWED_SCHEMES or not parts.hostname:
        return None
    return text


def url_key(url: str, base: str | None = None) -> str | None:
    """The crawl's de-duplication key of ``url`` (resolved against ``base``), or None when it is not
    crawlable http(s). Never fetched: the visit takes ``visit_url``.

    Two URLs get one key only when a browser would fetch the same resource for both:

    * what the URL Standard makes of both is the same (w3lib's ``safe_url_string``: characters that a
      URL may not hold are percent-encoded as UTF-8, a backslash in the path is ``/``, tabs and newlines
      go);
    * RFC 3986 section 6.2.2 and 6.2.3: scheme and host in lower case, the host in IDNA (punycode)
      without a trailing dot, no default port, an empty path is ``/``, ``.`` and ``..`` segments
      resolved, percent-encoded unreserved characters (``%7E``, ``%41``) decoded and the hex digits of
      the others in upper case. A reserved character and its encoding stay apart: ``%2F`` is not ``/``,
      ``%3D`` not ``=``; ``%25`` stays;
    * an empty query is no query; ``?a`` and ``?a=`` stay apart, so do ``+`` and ``%20``.

    Beyond that, two assumptions about servers (the heuristics of every crawler): the order of
    parameters with different names does not matter (they are sorted by name; values of one name keep
    their order), and tracking parameters (``utm_*``, ``gclid``, ``fbclid``…) do not change the page.
    """
    visit = visit_url(url, base)
    if visit is None:
        return None
    try:
        given = urlsplit(visit)
        safe = urlsplit(safe_url_string(visit))
        port = given.port
    except (ValueError, UnicodeError):
        return None
    scheme = given.scheme.lower()
    host = _host_key(given.hostname or "")
    if not host:
        return None
    netloc = host if port in (None, DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    userinfo = safe.netloc.rpartition("@")[0] if "@" in safe.netloc else ""
    if userinfo:
        netloc = f"{_percent_key(userinfo)}@{netloc}"
    path = remove_dot_segments(_percent_key(safe.path)) or "/"
    return urlunsplit((scheme, netloc, path, _query_key(safe.query), ""))


def normalize(url: str, base: str | None = None) -> str | None:
    """Old name of ``url_key``: the de-duplication key, never a URL to visit."""
    return url_key(url, base)


def _host_key(host: str) -> str:
    if ":" in host:  # IPv6 (urlsplit took the brackets off): one spelling of the address
        try:
            return f"[{ipaddress.IPv6Address(host).compressed}]"
        except ValueError:
            return f"[{host.lower()}]"
    return ascii_host(host)


def _percent_key(text: str) -> str:
    """RFC 3986 6.2.2.1-2: decode percent-encoded unreserved characters, upper-case the other escapes."""

    def one(match: re.Match[str]) -> str:
        char = chr(int(match.group(1), 16))
        return char if char in _UNRESERVED else "%" + match.group(1).upper()

    return _PERCENT.sub(one, text) if "%" in text else text


def _query_key(query: str) -> str:
    if not query:
        return ""
    params = []
    for piece in query.split("&"):
        piece = _percent_key(piece)
        name = piece.split("=", 1)[0]
        bare = unquote_plus(name)
        if bare in TRACKING_PARAMS or bare.startswith(TRACKING_PREFIXES):
            continue
        params.append((name, piece))
    params.sort(key=lambda param: param[0])  # stable: values of one name keep their order
    return "&".join(piece for _, piece in params)


def remove_dot_segments(path: str) -> str:
    """RFC 3986 section 5.2.4 (what browsers do): ``/a/./b/../c`` -> ``/a/c``; ``//`` stays."""
    if "." not in path:
        return path
    segments = path.split("/")
    out: list[str] = []
    for i, segment in enumerate(segments):
        last = i == len(segments) - 1
        if segment == ".":
            if last:
                out.append("")
        elif segment == "..":
            if len(out) > 1:
                out.pop()
            if last:
                out.append("")
        else:
            out.append(segment)
    return "/".join(out)


def looks_like_non_html(url: str) -> bool:
    path = urlsplit(url).path.lower()
    name = path.rsplit("/", 1)[-1]
    if "." not in name:
        return False
    return name.rsplit(".", 1)[-1] in NON_HTML_EXTENSIONS


def is_html_content_type(content_type: str | None) -> bool:
    if not content_type:
        return True  # servers that send none are usually serving HTML; the browser decides
    mime = content_type.split(";", 1)[0].strip().lower()
    return mime in ("text/html", "application/xhtml+xml") or mime.endswith("+html")
