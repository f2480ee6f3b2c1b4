"""Playwright storage-state files (``--storage-state``, ``scanner auth record``) and what a login put
into the browser before the first page.

A storage-state file is what ``BrowserContext.storage_state()`` writes: ``{"cookies": [...], "origins":
[{"origin", "localStorage": [{"name", "value"}], "indexedDB"?: [...]}]}``. It is read here, checked
(one-line errors that name the place, never a value: the file holds the session's secrets) and applied
with ``BrowserContext.set_storage_state`` before the first page of the scan.

:class:`Injected` is the browser's cookie jar and localStorage right after the login, before the first
page: the cookies and keys that the state file or the login put there. The crawl leaves them out of the
site's evidence (``Injected.drop_from``): a cookie that the jar already held, unchanged, when a page was
read is not a cookie that page set. What the site sets or rewrites during the scan (a ``Set-Cookie``, a
``document.cookie`` write, a new value or lifetime in the jar, a localStorage write) stays its
evidence. They are listed apart, without values, in ``scan.json`` ``meta.login.injected``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner.collect.base import value_hash
from scanner.collect.cookies import jar_key
from scanner.errors import BadInput
from scanner.textfile import MB, parse_json, read_limited

MAX_STATE_BYTES = 50 * MB
MAX_COOKIES = 10_000
MAX_ORIGINS = 1_000
MAX_ITEMS = 10_000  # localStorage items of one origin
SAME_SITE = ("Strict", "Lax", "None")


def read_storage_state(path: Path, label: str = "--storage-state") -> dict:
    """The storage state in ``path``, checked; BadInput (one line, no value shown) when it is not one."""
    where = f"{label} {path}"
    doc = parse_json(read_limited(Path(path), where, MAX_STATE_BYTES), where)
    return check_storage_state(doc, where)


def check_storage_state(doc: Any, where: str) -> dict:
    """``doc`` as ``set_storage_state`` takes it (cookies and origins; other keys, such as IndexedDB
    entries, passed on as they are); BadInput naming the place of the first problem."""
    if not isinstance(doc, dict):
        raise BadInput(f"{where}: not a Playwright storage state (expected a JSON object)")
    cookies = doc.get("cookies", [])
    origins = doc.get("origins", [])
    if "cookies" not in doc and "origins" not in doc:
        raise BadInput(f"{where}: not a Playwright storage state (no 'cookies' and no 'origins')")
    if not isinstance(cookies, list) or len(cookies) > MAX_COOKIES:
        raise BadInput(f"{where}: 'cookies' must be a list of at most {MAX_COOKIES} cookies")
    if not isinstance(origins, list) or len(origins) > MAX_ORIGINS:
        raise BadInput(f"{where}: 'origins' must be a list of at most {MAX_ORIGINS} origins")
    return {
        **doc,
        "cookies": [_cookie(c, f"{where}: cookies[{i}]") for i, c in enumerate(cookies)],
        "origins": [_origin(o, f"{where}: origins[{i}]") for i, o in enumerate(origins)],
    }


def _text(record: dict, key: str, where: str, *, empty: bool = True) -> str:
    value = record.get(key)
    if not isinstance(value, str) or (not empty and not value):
        raise BadInput(f"{where}.{key}: expected {'a' if empty else 'a non-empty'} string")
    return value


def _cookie(c: Any, where: str) -> dict:
    if not isinstance(c, dict):
        raise BadInput(f"{where}: expected an object")
    out = {
        "name": _text(c, "name", where),
        "value": _text(c, "value", where),
        "domain": _text(c, "domain", where, empty=False),
        "path": _text(c, "path", where, empty=False) if "path" in c else "/",
    }
    expires = c.get("expires", -1)
    if isinstance(expires, bool) or not isinstance(expires, (int, float)) or not math.isfinite(expires):
        raise BadInput(f"{where}.expires: expected a number (seconds since 1970, -1 for a session cookie)")
    if expires != -1 and expires < 0:
        raise BadInput(f"{where}.expires: expected -1 (a session cookie) or a time in seconds since 1970")
    out["expires"] = expires
    for key, name in (("httpOnly", "httpOnly"), ("secure", "secure")):
        value = c.get(key, False)
        if not isinstance(value, bool):
            raise BadInput(f"{where}.{key}: expected true or false")
        out[name] = value
    same_site = c.get("sameSite", "Lax")
    if same_site not in SAME_SITE:
        raise BadInput(f"{where}.sameSite: expected one of {', '.join(SAME_SITE)}")
    out["sameSite"] = same_site
    if any(ch in out["name"] + out["value"] for ch in ";\r\n\x00"):
        raise BadInput(f"{where}: a cookie name or value with ';', a line break or NUL")
    return out


def _origin(o: Any, where: str) -> dict:
    if not isinstance(o, dict):
        raise BadInput(f"{where}: expected an object")
    origin = _text(o, "origin", where, empty=False)
    try:
        parts = urlsplit(origin)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname)
    except ValueError:
        valid = False
    if not valid or parts.path not in ("", "/") or parts.query or parts.fragment:
        raise BadInput(f"{where}.origin: expected an http(s) origin such as https://www.example.com")
    items = o.get("localStorage", [])
    if not isinstance(items, list) or len(items) > MAX_ITEMS:
        raise BadInput(f"{where}.localStorage: expected a list of at most {MAX_ITEMS} items")
    storage = []
    for j, item in enumerate(items):
        spot = f"{where}.localStorage[{j}]"
        if not isinstance(item, dict):
            raise BadInput(f"{spot}: expected an object with 'name' and 'value'")
        storage.append({"name": _text(item, "name", spot), "value": _text(item, "value", spot)})
    return {**o, "origin": origin.rstrip("/"), "localStorage": storage}


# ---- what the login put into the browser ---------------------------------------------------------


def _jar_state(c: dict) -> tuple:
    """How the cookie collector tells a jar cookie's state (scanner.collect.cookies.CookieCollector)."""
    expires = c.get("expires", -1)
    expires = None if expires is None or expires < 0 else float(expires)
    return (
        value_hash(c.get("value", "")),
        expires,
        bool(c.get("secure")),
        bool(c.get("httpOnly")),
        c.get("sameSite"),
    )


@dataclass
class Injected:
    """The cookies and localStorage keys in the browser before the scan's first page, and what put
    each there (``by``: storage_state, login_script or login_steps)."""

    cookies: dict[tuple[str, str, str], tuple] = field(default_factory=dict)  # jar key -> state
    storage: dict[tuple[str, str], str] = field(default_factory=dict)  # (origin, key) -> value hash
    listed: list[dict] = field(default_factory=list)  # meta.login.injected, without values

    def add(self, jar: list[dict], state: dict, by: str, first_party) -> None:
        """Note what ``jar`` (``context.cookies()``) and ``state`` (``context.storage_state()``) hold
        that is not noted yet or changed since: put there by ``by``."""
        for c in jar:
            key = jar_key(c["name"], c["domain"], c.get("path", "/"))
            now = _jar_state(c)
            if self.cookies.get(key) == now:
                continue
            self.cookies[key] = now
            self._list(("cookie", *key))
            self.listed.append(
                {
                    "type": "cookie",
                    "name": c["name"][:1000],
                    "domain": c["domain"][:1000],
                    "path": (c.get("path") or "/")[:1000],
                    "session": now[1] is None,
                    "expires": now[1],
                    "secure": now[2],
                    "http_only": now[3],
                    "same_site": now[4],
                    "first_party": bool(first_party(c["domain"].lstrip("."))),
                    "by": by,
                }
            )
        for origin in state.get("origins") or ():
            name = str(origin.get("origin", "")).rstrip("/")
            for item in origin.get("localStorage") or ():
                key = (name, str(item.get("name", ""))[:1000])
                digest = value_hash(str(item.get("value", "")))
                if self.storage.get(key) == digest:
                    continue
                self.storage[key] = digest
                self._list(("storage", *key))
                host = urlsplit(name).hostname or ""
                self.listed.append(
                    {
                        "type": "storage",
                        "origin": name[:1000],
                        "kind": "local",
                        "key": key[1],
                        "first_party": bool(first_party(host)),
                        "by": by,
                    }
                )

    def _list(self, ident: tuple) -> None:
        """Forget an earlier listing of the same cookie or key (the login changed what the file set)."""

        def same(entry: dict) -> bool:
            if ident[0] == "cookie":
                key = jar_key(entry.get("name", ""), entry.get("domain", ""), entry.get("path", "/"))
                return entry["type"] == "cookie" and key == ident[1:]
            return entry["type"] == "storage" and (entry.get("origin"), entry.get("key")) == ident[1:]

        self.listed[:] = [e for e in self.listed if not same(e)]

    def drop_from(self, saved: dict, writes: dict | None) -> int:
        """Take the injected cookies and keys out of one saved visit: jar reads of an injected cookie in
        its injected state, and localStorage reads of an injected key with its injected value that the
        page did not write (``writes``: the storage collector's (origin, kind, key) -> value of this
        visit). Returns how many rows were taken out."""
        dropped = 0
        kept = []
        for row in saved.get("cookie_observations") or ():
            key = jar_key(str(row.get("name", "")), str(row.get("domain", "")), str(row.get("path") or "/"))
            state = (
                row.get("value_hash"),
                row.get("expires"),
                row.get("secure"),
                row.get("http_only"),
                row.get("same_site"),
            )
            if row.get("source") == "jar" and key in self.cookies and self.cookies[key] == state:
                dropped += 1
                continue
            kept.append(row)
        if "cookie_observations" in saved:
            saved["cookie_observations"] = kept
        written = writes or {}
        kept = []
        for row in saved.get("storage") or ():
            ident = (str(row.get("origin", "")), str(row.get("key", "")))
            if (
                row.get("kind") == "local"
                and self.storage.get(ident) == row.get("value_hash")
                and (ident[0], "local", ident[1]) not in written
            ):
                dropped += 1
                continue
            kept.append(row)
        if "storage" in saved:
            saved["storage"] = kept
        return dropped
