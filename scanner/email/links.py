"""What a URL in a message says: the redirect hops it wraps, the recipient's address in it, identifiers.

**Hops.** A tracked link is a redirector that holds, or only knows, the real destination. A URL whose
query (or path, or a base64 value) holds another absolute http(s) URL wraps it: that inner URL is the next
hop, and so on (at most :data:`MAX_HOPS`). Mail-system wrappers are unwrapped too and marked
``recipient_side`` (added by the recipient's mail system, not by the sender): Outlook Safe Links
(``*.safelinks.protection.outlook.com/?url=``), Gmail's image proxy
(``*.googleusercontent.com/...#<original>``) and Proofpoint URL Defense (v2 ``?u=``, v3 ``/v3/__<url>__``).
Google's redirect (``www.google.com/url?q=``) is unwrapped too, but it is in the message as sent (links
pasted from Google Docs): Google gets the click. When an ESP click redirect holds no destination
(Mailchimp's ``/track/click?...&e=``), the last hop is the tracker itself: only it knows where the click goes.

**Address leaks.** Every common form of each recipient address (``scanner.collect.encodings``: plain,
percent-encoded, base64 and URL-safe base64, md5 / sha1 / sha256 hex of the address and of its lower-cased
form) is searched in each hop's URL, in its percent-decoded forms and in base64 tokens of it, in one pass
(``scanner.collect.needles.Matcher``). A recipient-side wrapper's own parameters are not searched (Safe
Links puts the recipient's address in ``data=``: that is the recipient's own mail system).

**Identifiers.** A query parameter whose name ESPs use for the recipient (``esp.RECIPIENT_PARAMS``: ``e``,
``mc_eid``, ``_hsenc``, ``mkt_tok``...) with a value of 6+ characters, or any query value or path segment
that looks like a random token: 16+ characters of letters and digits (``-_.=~`` allowed), both letters and
digits, at least 3 bits of entropy per character, and the identifier rule of ``scanner.collect.needles``.

Values never reach a report: :func:`redact` replaces each leaked form by ``[address:<encoding>]`` and each
identifier by ``[id:<length>]``.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from urllib.parse import parse_qsl, quote, unquote, urlsplit

from scanner.collect.encodings import encoding_of, forms
from scanner.collect.needles import Matcher, Pattern, looks_like_identifier
from scanner.domains import ascii_host, registrable_domain
from scanner.email.esp import RECIPIENT_PARAMS

MAX_HOPS = 6
MAX_URL = 8192  # characters of a URL looked at
MIN_TOKEN = 16
MIN_RECIPIENT_PARAM = 6
MIN_ENTROPY = 3.0
_TOKEN = re.compile(r"^[A-Za-z0-9\-_.=~]+$")
_B64_URL = re.compile(r"^(?:aHR0c|aHR0cHM6)[A-Za-z0-9+/_=-]{8,}$")  # base64 of "http"
_B64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{12,}={0,2}")
_NOT_IDENTIFIER_PARAMS = re.compile(r"^(?:utm_[a-z_]+|lang|locale|hl|v|ver|version|format|size|w|h)$", re.I)


@dataclass(frozen=True)
class Hop:
    url: str
    host: str  # lower case, IDNA
    via: str | None = None  # how it was found inside the previous hop ("query url=", "Safe Links", ...)
    recipient_side: bool = False  # a wrapper of the recipient's mail system (its parameters are not searched)

    @property
    def registrable_domain(self) -> str:
        return registrable_domain(self.host) if self.host else ""


@dataclass(frozen=True)
class Identifier:
    hop: int
    where: str  # "query e", "path segment 2"
    length: int
    reason: str
    value: str  # kept in memory only, for redaction


@dataclass(frozen=True)
class Leak:
    hop: int
    encoding: str  # plain | url | base64 | md5 | sha1 | sha256
    where: str  # "query e", "path", "fragment"
    address: int  # index of the recipient address
    text: str  # the form as found, kept in memory only, for redaction


def absolute(url: str) -> str | None:
    """An http(s) URL as a client would request it ('//host/...' -> https), else None."""
    url = url.strip().replace("\n", "").replace("\r", "").replace("\t", "")
    if url.startswith("//"):
        url = "https:" + url
    low = url[:8].lower()
    if not (low.startswith("http://") or low.startswith("https://")):
        return None
    return url[:MAX_URL]


def _host(url: str) -> str:
    try:
        host = urlsplit(url).hostname or ""
    except ValueError:
        return ""
    return ascii_host(host) if host else ""


def _as_url(value: str) -> str | None:
    for _ in range(3):
        if value[:8].lower().startswith(("http://", "https://")):
            return absolute(value)
        decoded = unquote(value)
        if decoded == value:
            break
        value = decoded
    return None


def _b64_url(value: str) -> str | None:
    if not _B64_URL.match(value):
        return None
    token = value.replace("-", "+").replace("_", "/")
    token += "=" * (-len(token) % 4)
    try:
        text = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return _as_url(text)


def _query(url: str) -> list[tuple[str, str]]:
    try:
        return parse_qsl(urlsplit(url).query, keep_blank_values=True)[:200]
    except ValueError:
        return []


def _proofpoint_v2(value: str) -> str | None:
    return _as_url(value.replace("-", "%").replace("_", "/"))


def _inner(url: str, host: str) -> tuple[str, str, bool] | None:
    """(next hop, how it was found, recipient side?) of one hop, or None."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    params = _query(url)
    return _known_wrapper(url, host, parts, params) or _url_in_query(params) or _url_in_path(parts)


def _known_wrapper(url: str, host: str, parts, params: list[tuple[str, str]]) -> tuple[str, str, bool] | None:
    """The next hop of a link wrapper known by its host: the recipient's own (Safe Links, Gmail's image
    proxy, Proofpoint) or Google's redirect."""
    named = {k.lower(): v for k, v in params}
    if host.endswith(".safelinks.protection.outlook.com") and (inner := _as_url(named.get("url", ""))):
        return inner, "Outlook Safe Links", True
    if (host in ("www.google.com", "google.com") and parts.path == "/url") and (
        inner := _as_url(named.get("q", "") or named.get("url", ""))
    ):
        return inner, "Google redirect", False  # in the message as sent (a link pasted from Google Docs)
    if host.endswith(".googleusercontent.com") and (inner := _as_url(parts.fragment)):
        return inner, "Gmail image proxy", True
    if host == "urldefense.proofpoint.com" and (inner := _proofpoint_v2(named.get("u", ""))):
        return inner, "Proofpoint URL Defense", True
    if host == "urldefense.com" and parts.path.startswith("/v3/__"):
        inner = _as_url(url.split("/v3/__", 1)[1].split("__;", 1)[0].rstrip("_"))
        if inner:
            return inner, "Proofpoint URL Defense", True
    return None


def _url_in_query(params: list[tuple[str, str]]) -> tuple[str, str, bool] | None:
    """A URL as a query value, plain (first) or base64-encoded."""
    for key, value in params:
        if inner := _as_url(value):
            return inner, f"query {key[:40]}=", False
    for key, value in params:
        if inner := _b64_url(value):
            return inner, f"base64 in query {key[:40]}=", False
    return None


def _url_in_path(parts) -> tuple[str, str, bool] | None:
    """A URL inside the path ("/r/https://..."), plain or as a base64 segment."""
    path = unquote(parts.path)
    for marker in ("/https://", "/http://", "/https:/", "/http:/"):
        at = path.find(marker)
        if at > 0 or (at == 0 and len(path) > len(marker)):
            rest = path[at + 1 :]
            rest = rest.replace(":/", "://", 1) if "://" not in rest[:8] else rest
            if parts.query and "?" not in rest:
                rest += "?" + parts.query
            if inner := absolute(rest):
                return inner, "path", False
    for segment in parts.path.split("/"):
        if inner := _b64_url(segment):
            return inner, "base64 in the path", False
    return None


def hops(url: str) -> list[Hop]:
    """The chain of URLs one URL leads through, as far as its own text tells (first: the URL itself)."""
    first = absolute(url)
    if first is None:
        return []
    chain = [Hop(first, _host(first))]
    seen = {first}
    while len(chain) < MAX_HOPS:
        found = _inner(chain[-1].url, chain[-1].host)
        if found is None or found[0] in seen:
            break
        inner, via, recipient_side = found
        seen.add(inner)
        chain.append(Hop(inner, _host(inner), via=via, recipient_side=recipient_side))
    return chain


# ---- identifiers ----------------------------------------------------------------------------------------


def entropy(text: str) -> float:
    counts = Counter(text)
    n = len(text)
    return -sum(c / n * math.log2(c / n) for c in counts.values()) if n else 0.0


def random_token(value: str) -> bool:
    """A value that looks like a random per-recipient token (see the module docstring)."""
    if len(value) < MIN_TOKEN or len(value) > 2048 or not _TOKEN.match(value):
        return False
    if not (any(c.isdigit() for c in value) and any(c.isalpha() for c in value)):
        return False
    return entropy(value) >= MIN_ENTROPY and looks_like_identifier(value[:256])


def identifiers(chain: Sequence[Hop]) -> list[Identifier]:
    """Identifier-like values in the hops' query parameters and path segments (wrappers' own excluded)."""
    found: list[Identifier] = []
    for i, hop in enumerate(chain):
        if hop_is_wrapper(chain, i):
            continue
        for key, value in _query(hop.url):
            if _as_url(value) or _b64_url(value) or _NOT_IDENTIFIER_PARAMS.match(key):
                continue
            name = key.lower()
            if name in RECIPIENT_PARAMS and len(value) >= MIN_RECIPIENT_PARAM:
                reason = RECIPIENT_PARAMS[name]
            elif random_token(value):
                reason = "random token"
            else:
                continue
            found.append(Identifier(i, f"query {key[:40]}", len(value), reason, value))
        try:
            path = urlsplit(hop.url).path
        except ValueError:
            continue
        for n, segment in enumerate(path.split("/")):
            if random_token(segment) and not _b64_url(segment):
                found.append(Identifier(i, f"path segment {n}", len(segment), "random token", segment))
    return found[:50]


def mailto_identifiers(uri: str) -> list[Identifier]:
    """Identifier-like pieces of a mailto: URI's local part (``unsubscribe-9f1c2e7a44@lists.example``)."""
    local = uri[7:].split("?", 1)[0].split("@", 1)[0]
    out = []
    for piece in re.split(r"[-+._=]", unquote(local))[:20]:
        has_both = any(c.isdigit() for c in piece) and any(c.isalpha() for c in piece)
        if has_both and looks_like_identifier(piece):
            out.append(Identifier(0, "mailto local part", len(piece), "identifier in the address", piece))
    return out


def hop_is_wrapper(chain: Sequence[Hop], i: int) -> bool:
    """Hop ``i`` is a recipient-side wrapper: the next hop was unwrapped from it by a mail system."""
    return i + 1 < len(chain) and chain[i + 1].recipient_side


# ---- address leaks -------------------------------------------------------------------------------------


class AddressFinder:
    """Finds the recipient's addresses, in every common form, in URLs (see the module docstring)."""

    def __init__(self, addresses: Sequence[str]) -> None:
        self.addresses = [a for a in dict.fromkeys(a.strip() for a in addresses) if "@" in a]
        patterns = []
        for n, address in enumerate(self.addresses):
            for variant, text in forms(address).items():
                caseless = variant.split("_", 1)[0] in ("md5", "sha1", "sha256")
                patterns.append(Pattern(n, variant, text, caseless))
        self.matcher = Matcher(patterns) if patterns else None

    def find(self, chain: Sequence[Hop]) -> list[Leak]:
        if self.matcher is None:
            return []
        leaks: dict[tuple[int, str, str], Leak] = {}
        for i, hop in enumerate(chain):
            if hop_is_wrapper(chain, i):
                continue
            found_at: set[str] = set()  # places of this hop already explained by a shallower view
            for text, where_of in _views(hop.url):
                here: set[str] = set()
                for pattern, start, end in self.matcher.find(text):
                    where = where_of(start)
                    if where in found_at:
                        continue  # the same value seen through one more decoding: not another form
                    here.add(where)
                    encoding = encoding_of(pattern.variant)
                    leaks.setdefault(
                        (i, encoding, where), Leak(i, encoding, where, pattern.needle, text[start:end])
                    )
                found_at |= here
        return list(leaks.values())[:50]

    def _forms(self) -> list[tuple[str, str]]:
        """(text, label) of every form of every address, also percent-encoded once and twice more (a URL
        nested in a query), longest first."""
        out: dict[str, str] = {}
        found = [
            (text, f"[address:{encoding_of(variant)}]")
            for address in self.addresses
            for variant, text in forms(address).items()
        ]
        for text, label in found:
            out.setdefault(text, label)
        level = found
        for _ in range(3):  # in a URL nested in a query the url form is percent-encoded again: url still
            level = [(quote(text, safe=""), label) for text, label in level]
            for text, label in level:
                out.setdefault(text, label)
        return sorted(out.items(), key=lambda p: -len(p[0]))

    def _found(self, text: str) -> bool:
        return self.matcher is not None and any(
            True for view, _ in _views(text) for _hit in self.matcher.find(view)
        )

    def scrub(self, text: str) -> str:
        """``text`` with every form of the addresses replaced by ``[address:<encoding>]``; a base64 token
        that holds one is replaced whole; should a form still be readable through some decoding, the
        query and fragment go (``?[redacted]``)."""
        if self.matcher is None:
            return text
        out = text
        for form, label in self._forms():
            if len(form) >= 4:
                out = _replace_caseless(out, form, label) if _is_hex(form) else out.replace(form, label)
        if not self._found(out):
            return out
        for m in reversed(list(_B64_TOKEN.finditer(out))[:200]):
            decoded = _b64_text(m.group())
            if decoded and any(True for _ in self.matcher.find(decoded)):
                out = out[: m.start()] + "[address:base64]" + out[m.end() :]
        if self._found(out):
            cut = min((i for i in (out.find("?"), out.find("#")) if i >= 0), default=-1)
            out = (out[:cut] if cut >= 0 else out.split("://", 1)[0] + "://") + "?[redacted]"
        return out


def _b64_text(token: str) -> str | None:
    token = token.rstrip("=").replace("-", "+").replace("_", "/")
    token += "=" * (-len(token) % 4)
    try:
        decoded = base64.b64decode(token, validate=True).decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    return decoded if decoded.isprintable() else None


def _where(url: str):
    try:
        parts = urlsplit(url)
    except ValueError:
        return lambda start: "url"
    query_at = url.find("?")
    fragment_at = url.find("#")
    pairs = []
    if query_at >= 0:
        pos = query_at + 1
        end = fragment_at if fragment_at > query_at else len(url)
        for piece in url[pos:end].split("&"):
            pairs.append((pos, pos + len(piece), unquote(piece.split("=", 1)[0])[:40]))
            pos += len(piece) + 1
    del parts

    def where(start: int) -> str:
        for lo, hi, name in pairs:
            if lo <= start <= hi:
                return f"query {name}"
        if fragment_at >= 0 and start > fragment_at:
            return "fragment"
        if query_at >= 0 and start > query_at:
            return "query"
        return "path"

    return where


def _views(url: str):
    """(text, position -> where) views of a URL, shallowest first: as written, percent-decoded up to three
    times, and the text of base64 tokens in it."""
    out = [(url, _where(url))]
    text = url
    for _ in range(3):  # a URL nested in a URL nested in a URL
        decoded = unquote(text)
        if decoded == text:
            break
        out.append((decoded, _where(decoded)))
        text = decoded
    where_raw = _where(url)
    for m in list(_B64_TOKEN.finditer(url))[:50]:
        decoded = _b64_text(m.group())
        if decoded:
            spot = where_raw(m.start())
            out.append((decoded, lambda _s, spot=spot: spot))
    return out


def redact(url: str, finder: AddressFinder | None, ids: Sequence[Identifier] = ()) -> str:
    """``url`` with the recipient's address in any form replaced (:meth:`AddressFinder.scrub`) and every
    identifier by ``[id:<length>]`` (also when percent-encoded), for the reports."""
    out = finder.scrub(url) if finder is not None else url
    for ident in sorted(ids, key=lambda x: -len(x.value)):
        if len(ident.value) >= 4:
            label = f"[id:{ident.length}]"
            out = out.replace(ident.value, label).replace(quote(ident.value, safe=""), label)
    return out


def _is_hex(text: str) -> bool:
    return len(text) in (32, 40, 64) and all(c in "0123456789abcdef" for c in text)


def _replace_caseless(text: str, needle: str, label: str) -> str:
    return re.sub(re.escape(needle), label, text, flags=re.I)
