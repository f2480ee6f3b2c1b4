"""Does a URL carry something that looks like a visitor identifier?"""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

# Query parameter names that carry a visitor, client or click identifier.
ID_PARAM_NAMES: frozenset[str] = frozenset(
    {
        "uid",
        "uuid",
        "user_id",
        "userid",
        "cid",
        "client_id",
        "clientid",
        "vid",
        "visitor_id",
        "visitorid",
        "did",
        "device_id",
        "deviceid",
        "anon_id",
        "anonymous_id",
        "guid",
        "puid",
        "fbclid",
        "gclid",
        "msclkid",
        "ttclid",
        "twclid",
        "dclid",
        "_id",
        "sid",
        "session_id",
    }
)

_HEX_ID = re.compile(r"^[0-9a-fA-F]{16,}$")
_UUID = re.compile(r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$")
_TOKEN = re.compile(r"^[A-Za-z0-9_\-.]{20,}$")
_GA_STYLE = re.compile(r"^\d{6,}\.\d{6,}$")  # 1234567890.1700000000


def looks_like_identifier(value: str) -> bool:
    """Long hex, UUIDs, "random.timestamp" client ids, long mixed-case tokens with digits."""
    if _HEX_ID.match(value) or _UUID.match(value) or _GA_STYLE.match(value):
        return True
    if _TOKEN.match(value):
        has_digit = any(c.isdigit() for c in value)
        has_alpha = any(c.isalpha() for c in value)
        return has_digit and has_alpha and not value.isalpha()
    return False


def identifier_params(url: str, names: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Names of query parameters that carry an identifier (by name or by the look of the value)."""
    found: list[str] = [n for n in names if n.lower() in ID_PARAM_NAMES]
    try:
        parts = urlsplit(url)
    except ValueError:
        return tuple(found)
    query = parts.query
    if ";" in parts.path:  # matrix parameters: /pixel;r=1;a=p-X
        query = parts.path.split(";", 1)[1] + "&" + query
    for name, value in parse_qsl(query.replace(";", "&"), keep_blank_values=False):
        if name in found:
            continue
        if name.lower() in ID_PARAM_NAMES and value or looks_like_identifier(value):
            found.append(name)
    return tuple(found)
