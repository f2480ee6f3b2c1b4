"""Tolerant parser for one ``Set-Cookie`` header line or one ``document.cookie = ...`` assignment.

Browsers accept far more than RFC 6265's grammar; so does this parser (it never raises). Lifetimes are
taken as *sent* (Max-Age wins over Expires, as in browsers), before Chromium's 400-day cap (the jar
applies it: ``lifetime_days`` of a merged cookie comes from the jar), so a declared "session" cookie
that asks for two years is caught even though the jar shortens it. Values out of range saturate as in
Chromium (``scanner.collect.cookiedate``): expiry times stay within 1970..9999.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from urllib.parse import urlsplit

from scanner.collect.cookiedate import clamp_time, parse_cookie_date, parse_max_age

DAY = 86400.0


@dataclass(frozen=True)
class CookieSpec:
    name: str
    value: str
    domain: str  # ".example.com" for a Domain cookie, "www.example.com" when host-only
    host_only: bool
    path: str
    expires: float | None  # epoch seconds; None = session cookie
    lifetime_days: float | None  # as requested by the setter (negative = deletion)
    secure: bool
    http_only: bool
    same_site: str | None


def parse_expires(text: str) -> float | None:
    """Epoch seconds of an ``Expires`` value (clamped to 1970..9999), None when it is not a date."""
    return parse_cookie_date(text.strip().strip('"'))


def default_path(url: str) -> str:
    try:
        path = urlsplit(url).path or "/"
    except ValueError:
        return "/"
    if not path.startswith("/") or path == "/":
        return "/"
    directory = posixpath.dirname(path)
    return directory or "/"


def parse_set_cookie(line: str, url: str, now: float) -> CookieSpec | None:
    """Parse one cookie string as set for ``url`` at time ``now``; None when it has no name and value."""
    if not isinstance(line, str) or not line.strip():
        return None
    pair, _, attrs = line.partition(";")
    if "=" in pair:
        name, _, value = pair.partition("=")
    else:  # a nameless cookie: browsers store it with an empty name
        name, value = "", pair
    name, value = name.strip(), value.strip()
    if not name and not value:
        return None
    try:
        host = (urlsplit(url).hostname or "").lower()
    except ValueError:
        host = ""
    domain, path, max_age, expires = None, None, None, None
    secure = http_only = False
    same_site = None
    for attr in attrs.split(";"):
        key, _, val = attr.partition("=")
        key, val = key.strip().lower(), val.strip()
        if key == "domain" and val:
            domain = val.lower().lstrip(".")
        elif key == "path" and val.startswith("/"):
            path = val
        elif key == "max-age":
            seconds = parse_max_age(val)  # the last valid one wins; an invalid one is ignored
            max_age = max_age if seconds is None else seconds
        elif key == "expires":
            date = parse_expires(val)
            expires = expires if date is None else date
        elif key == "secure":
            secure = True
        elif key == "httponly":
            http_only = True
        elif key == "samesite":
            same_site = {"strict": "Strict", "lax": "Lax", "none": "None"}.get(val.lower(), val[:20] or None)
    if max_age is not None:
        when: float | None = clamp_time(now + max_age)
    else:
        when = expires
    lifetime = None if when is None else round((when - now) / DAY, 3)
    return CookieSpec(
        name=name[:4096],
        value=value[:4096],
        domain=("." + domain) if domain else host,
        host_only=not domain,
        path=path or default_path(url),
        expires=when,
        lifetime_days=lifetime,
        secure=secure,
        http_only=http_only,
        same_site=same_site,
    )
