"""Consent state that consent managers and sites leave in cookies and files: the IAB US Privacy
string, OneTrust's ``OptanonConsent``, Cookiebot's ``CookieConsent``, the TCF ``euconsent-v2``
cookie, and a site's ``/.well-known/gpc.json``.

Every reader takes a value a hostile page may have chosen: it is length-capped, nothing raises,
and a value that is not of the expected form reads as None (``gpc_json`` returns its problems
instead, because "the file is there but invalid" is itself a finding). Identifiers in these
values (OneTrust's ``consentId``, Cookiebot's ``stamp``) are never kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from urllib.parse import parse_qsl, unquote

from scanner.consent import tcf

MAX_COOKIE = 8192  # characters of a cookie value read
MAX_GROUPS = 100  # OneTrust groups kept
MAX_GPC_JSON = 65_536  # bytes of a gpc.json body read

_WORD = re.compile(r"[A-Za-z0-9_.:;-]{1,64}")


# --- IAB US Privacy (CCPA) string ------------------------------------------------------------------


@dataclass(frozen=True)
class UsPrivacy:
    """The four characters of an IAB US Privacy string (``1YNN``): version, then notice given,
    opted out of sale, covered by the LSPA; each True (Y), False (N) or None (``-``: not applicable)."""

    version: int
    notice: bool | None
    opt_out_sale: bool | None
    lspa: bool | None

    @property
    def applies(self) -> bool:
        """False for ``1---``: the CCPA does not apply (per the publisher)."""
        return not (self.notice is None and self.opt_out_sale is None and self.lspa is None)

    @property
    def opted_out(self) -> bool:
        return self.opt_out_sale is True

    def __str__(self) -> str:
        flag = {True: "Y", False: "N", None: "-"}
        return f"{self.version}{flag[self.notice]}{flag[self.opt_out_sale]}{flag[self.lspa]}"


_USP = re.compile(r"([1-9])([YN-])([YN-])([YN-])", re.IGNORECASE)


def us_privacy(value: object) -> UsPrivacy | None:
    """Parse a US Privacy string (``__uspapi`` ``uspString``, the ``usprivacy`` cookie, the
    ``us_privacy`` URL parameter); None unless it is exactly version digit + three of Y/N/-."""
    if not isinstance(value, str) or len(value) > 16:
        return None
    m = _USP.fullmatch(unquote(value).strip())
    if not m:
        return None
    flags = [None if c == "-" else c.upper() == "Y" for c in m.groups()[1:]]
    return UsPrivacy(int(m.group(1)), *flags)


# --- OneTrust --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OneTrustConsent:
    """The ``OptanonConsent`` cookie without its identifiers. ``groups``: (group id, consented)
    pairs in the cookie's order ("C0001" strictly necessary, "C0002" performance ... as the site
    configured them)."""

    groups: tuple[tuple[str, bool], ...] = ()
    gpc_enabled: bool | None = None  # isGpcEnabled: the CMP saw a GPC signal
    interaction_count: int | None = None  # 0: the visitor never touched the banner
    awaiting_reconsent: bool | None = None
    version: str | None = None  # of the OneTrust script
    geolocation: str | None = None  # "DE;BE": the region OneTrust placed the visitor in
    datestamp: str | None = None  # when the cookie was written, as the browser formatted it

    @property
    def granted_groups(self) -> tuple[str, ...]:
        return tuple(g for g, on in self.groups if on)

    @property
    def denied_groups(self) -> tuple[str, ...]:
        return tuple(g for g, on in self.groups if not on)


def _bool_word(value: str | None) -> bool | None:
    if value is None:
        return None
    v = value.strip().lower()
    return True if v in ("1", "true") else False if v in ("0", "false") else None


def _int_word(value: str | None, digits: int = 9) -> int | None:
    if value is None or not re.fullmatch(rf"[0-9]{{1,{digits}}}", value.strip()):
        return None
    return int(value.strip())


def _short(value: str | None, cap: int = 64) -> str | None:
    if value is None:
        return None
    value = "".join(c for c in value if c.isprintable())[:cap]
    return value or None


def onetrust_consent(value: object) -> OneTrustConsent | None:
    """Parse an ``OptanonConsent`` cookie value (a URL-encoded query string). None unless it has at
    least one of ``groups`` / ``isGpcEnabled`` / ``interactionCount``. ``consentId`` is dropped."""
    if not isinstance(value, str) or not value:
        return None
    fields: dict[str, str] = {}
    for name, v in parse_qsl(value[:MAX_COOKIE], keep_blank_values=True):
        fields.setdefault(name, v)
    if not {"groups", "isGpcEnabled", "interactionCount"} & fields.keys():
        return None
    groups: list[tuple[str, bool]] = []
    for item in fields.get("groups", "").split(","):
        gid, sep, flag = item.partition(":")
        gid = gid.strip()
        if sep and _WORD.fullmatch(gid) and flag.strip() in ("0", "1") and len(groups) < MAX_GROUPS:
            groups.append((gid, flag.strip() == "1"))
    return OneTrustConsent(
        groups=tuple(groups),
        gpc_enabled=_bool_word(fields.get("isGpcEnabled")),
        interaction_count=_int_word(fields.get("interactionCount")),
        awaiting_reconsent=_bool_word(fields.get("AwaitingReconsent")),
        version=_short(fields.get("version"), 32),
        geolocation=_short(fields.get("geolocation"), 16),
        datestamp=_short(fields.get("datestamp"), 80),
    )


# --- Cookiebot -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CookiebotConsent:
    """The ``CookieConsent`` cookie without its ``stamp`` (a per-visitor consent id). Categories are
    None when the cookie holds a bare code (``-1``, ``-2``) instead of a choice: Cookiebot writes
    those when it asks for no consent (``special`` keeps the code; its meaning is Cookiebot's)."""

    necessary: bool | None = None
    preferences: bool | None = None
    statistics: bool | None = None
    marketing: bool | None = None
    method: str | None = None  # "explicit" (a click) or "implied"
    version: int | None = None
    utc_ms: int | None = None  # when consent was given, epoch milliseconds
    region: str | None = None
    special: str | None = None

    @property
    def granted_categories(self) -> tuple[str, ...]:
        return tuple(
            c for c in ("necessary", "preferences", "statistics", "marketing") if getattr(self, c) is True
        )


_CB_PAIR = re.compile(r"([A-Za-z_]{1,20})\s*:\s*('([^']{0,200})'|\"([^\"]{0,200})\"|true|false|-?\d{1,16})")


def cookiebot_consent(value: object) -> CookiebotConsent | None:
    """Parse a ``CookieConsent`` cookie value: a URL-encoded JavaScript object literal
    (``{stamp:'…',necessary:true,preferences:false,…,method:'explicit',ver:1,utc:…,region:'de'}``),
    or a bare code such as ``-2``. None for anything else."""
    if not isinstance(value, str) or not value:
        return None
    text = unquote(value[:MAX_COOKIE]).strip()
    if re.fullmatch(r"-?\d{1,3}", text):
        return CookiebotConsent(special=text)
    if not (text.startswith("{") and text.endswith("}")):
        return None
    pairs: dict[str, str] = {}
    for m in _CB_PAIR.finditer(text):
        quoted = m.group(3) if m.group(3) is not None else m.group(4)
        pairs.setdefault(m.group(1), quoted if quoted is not None else m.group(2))
    if not {"necessary", "preferences", "statistics", "marketing"} & pairs.keys():
        return None
    return CookiebotConsent(
        necessary=_bool_word(pairs.get("necessary")),
        preferences=_bool_word(pairs.get("preferences")),
        statistics=_bool_word(pairs.get("statistics")),
        marketing=_bool_word(pairs.get("marketing")),
        method=_short(pairs.get("method"), 16),
        version=_int_word(pairs.get("ver")),
        utc_ms=_int_word(pairs.get("utc"), 16),
        region=_short(pairs.get("region"), 16),
    )


# --- TCF cookie ------------------------------------------------------------------------------------


def euconsent_v2(value: object) -> tcf.TCString | None:
    """The TC string stored in the ``euconsent-v2`` cookie (percent-decoded); None if invalid."""
    if not isinstance(value, str) or len(value) > tcf.MAX_LENGTH:
        return None
    return tcf.try_decode(unquote(value).strip().strip('"'))


# --- Any consent cookie ----------------------------------------------------------------------------

COOKIE_READERS = {
    "OptanonConsent": onetrust_consent,
    "CookieConsent": cookiebot_consent,
    "euconsent-v2": euconsent_v2,
    "usprivacy": us_privacy,
}


def consent_cookies(
    cookies: Iterable[tuple[str, str]],
) -> dict[str, OneTrustConsent | CookiebotConsent | tcf.TCString | UsPrivacy]:
    """Read the consent cookies among ``(name, value)`` pairs: ``{cookie name: record}``, the first
    readable value of each name."""
    out: dict = {}
    for name, value in cookies:
        reader = COOKIE_READERS.get(name)
        if reader is not None and name not in out:
            record = reader(value)
            if record is not None:
                out[name] = record
    return out


# --- /.well-known/gpc.json -------------------------------------------------------------------------


@dataclass(frozen=True)
class GpcSupport:
    """What a site's ``/.well-known/gpc.json`` says (GPC spec: a JSON object with a boolean ``gpc``
    and an optional ``lastUpdate`` date ``YYYY-MM-DD``). ``valid`` only when ``problems`` is empty."""

    gpc: bool | None = None
    last_update: str | None = None
    problems: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return not self.problems

    @property
    def claims_support(self) -> bool:
        return self.valid and self.gpc is True


def gpc_json(body: bytes | str | None, content_type: str | None = None) -> GpcSupport:
    """Validate a ``/.well-known/gpc.json`` response body. ``content_type`` (if given) should be JSON."""
    problems: list[str] = []
    if body is None:
        return GpcSupport(problems=("no body",))
    raw = body.encode("utf-8", "replace") if isinstance(body, str) else bytes(body)
    if len(raw) > MAX_GPC_JSON:
        return GpcSupport(problems=(f"larger than {MAX_GPC_JSON} bytes",))
    if content_type is not None and "json" not in content_type.lower():
        problems.append(f"content type is {_short(content_type, 80)!r}, not JSON")
    try:
        doc = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return GpcSupport(problems=(*problems, "not valid JSON"))
    if not isinstance(doc, dict):
        return GpcSupport(problems=(*problems, "not a JSON object"))
    gpc = doc.get("gpc")
    if not isinstance(gpc, bool):
        problems.append('"gpc" is missing or not true/false')
        gpc = None
    last = doc.get("lastUpdate")
    last_update = None
    if last is not None:
        if isinstance(last, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", last):
            try:
                date.fromisoformat(last)
                last_update = last
            except ValueError:
                problems.append('"lastUpdate" is not a real date')
        else:
            problems.append('"lastUpdate" is not a date YYYY-MM-DD')
    return GpcSupport(gpc=gpc, last_update=last_update, problems=tuple(problems))
