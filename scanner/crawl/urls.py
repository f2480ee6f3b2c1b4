"""URL hygiene for the crawl frontier: validation, normalisation and non-HTML targets."""

from __future__ import annotations

import posixpath
from urllib.parse import parse_qsl, quote, unquote, urlencode, urljoin, urlsplit, urlunsplit

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


def validate_start_url(url: str) -> str:
    """Normalised start URL, or BadInput with one line saying what is wrong."""
    text = url.strip()
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
    normal = normalize(text)
    if normal is None:
        raise BadInput(f"invalid URL {url!r}")
    return normal


def normalize(url: str, base: str | None = None) -> str | None:
    """Canonical form used for de-duplication, or None when the URL is not crawlable http(s).

    Lower-case scheme and host, default port removed, dot segments resolved, fragment removed,
    tracking parameters dropped, remaining query parameters sorted, empty path -> "/".
    """
    try:
        absolute = urljoin(base, url.strip()) if base else url.strip()
        parts = urlsplit(absolute)
        scheme = parts.scheme.lower()
        if scheme not in ALLOWED_SCHEMES or not parts.hostname:
            return None
        host = parts.hostname.lower().rstrip(".")
        port = parts.port
    except ValueError:
        return None
    netloc = host if port in (None, 80 if scheme == "http" else 443) else f"{host}:{port}"
    if ":" in host and not host.startswith("["):
        netloc = f"[{host}]" if port is None else f"[{host}]:{port}"
    path = parts.path or "/"
    trailing = path.endswith("/")
    path = posixpath.normpath(unquote(path)) if path != "/" else "/"
    if path in (".", "//"):
        path = "/"
    if trailing and not path.endswith("/"):
        path += "/"
    path = quote(path, safe="/:@!$&'()*+,;=-._~%")
    query_pairs = [
        (k, v)
        for k, v in parse_qsl(parts.query, keep_blank_values=True)
        if k not in TRACKING_PARAMS and not k.startswith(TRACKING_PREFIXES)
    ]
    query = urlencode(sorted(query_pairs), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


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
