"""Consent signals carried in request URLs: Google Consent Mode (``gcs``, ``gcd``) and the other
consent parameters tags pass to vendors (IAB ``gdpr_consent``, ``us_privacy``, ``gpp``, Meta ``dpo``...).

Request rows keep only parameter *names* (``scanner.collect.requests.query_param_names``): values
may be identifiers. The parameters below are consent signals, not identifiers, so their *values*
may be kept, each capped in length and stripped of control characters: ``consent_params(url)``.

Google Consent Mode v2 puts two of them on GA4 / Google Ads hits:

* ``gcs=G1xy``: x is ad_storage, y analytics_storage; ``1`` granted, ``0`` denied, ``-`` not set.
* ``gcd=1<d>A<d>B<d>C<d>D<d>...``: one letter each for ad_storage (A), analytics_storage (B),
  ad_user_data (C) and ad_personalization (D), separated by digits (``11p1p1p1p5``, newer tags also
  ``13r3r3r3r5l1``). Each letter is a 6-bit value in the alphabet ``0-9a-zA-Z-_``: bits 2-3 hold the
  *default* state and bits 0-1 the *update* state, each 1 = not set, 2 = denied, 3 = granted. That
  gives the nine letters seen on real hits: ``l`` neither set, ``p`` denied by default (no update),
  ``q`` denied by default and by update, ``t`` granted by default (no update), ``r`` denied by default
  then granted by update, ``m`` denied by update (no default), ``n`` granted by update (no default),
  ``u`` granted by default then denied by update, ``v`` granted by default and by update.
  Sources (checked against each other): the letter table in pietromingotti.com/consent-mode-parameters
  and giancampo.com (as summarised in shared/notes/research-consent-scale-behaviour.md §1.6), and the
  bit layout documented in the README of Analytics Debugger's "Google Consent Parser" server-side
  GTM template (2025, MIT): ``default = (v >> 2) & 3``, ``update = v & 3``. Google does not document
  ``gcd``; treat it as observed behaviour.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import parse_qsl, urlsplit

# Consent signals whose values a request row may keep. Google: gcs gcd gcu gcut npa dma dma_cps pscdl
# rdp ltd; IAB TCF/US/GPP: gdpr gdpr_consent addtl_consent us_privacy gpp gpp_sid; Meta Limited Data
# Use: dpo dpoco dpost.
CONSENT_PARAMS: frozenset[str] = frozenset(
    {
        "gcs",
        "gcd",
        "gcu",
        "gcut",
        "npa",
        "dma",
        "dma_cps",
        "pscdl",
        "rdp",
        "ltd",
        "gdpr",
        "gdpr_consent",
        "addtl_consent",
        "us_privacy",
        "gpp",
        "gpp_sid",
        "dpo",
        "dpoco",
        "dpost",
    }
)
# Values that carry a whole consent string are longer than flags.
_LONG = frozenset({"gdpr_consent", "addtl_consent", "gpp"})
MAX_VALUE = 64
MAX_LONG_VALUE = 4096
MAX_URL = 65_536  # URLs longer than this are read only up to here

SIGNALS: tuple[str, ...] = ("ad_storage", "analytics_storage", "ad_user_data", "ad_personalization")

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
_GCS = re.compile(r"G1([01-])([01-])")
_GCD_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_"
_GCD_STATE = {1: None, 2: False, 3: True}  # 0 does not occur: unreadable


def _clean(name: str, value: str) -> str:
    cap = MAX_LONG_VALUE if name in _LONG else MAX_VALUE
    return _CONTROL.sub("", value[: cap * 2])[:cap]


def consent_params(url: str) -> dict[str, str]:
    """The allow-listed consent parameters of ``url`` and their (capped) values: query parameters,
    plus ``;name=value`` matrix parameters in the path (DoubleClick style). The first value of a
    repeated name wins."""
    if not isinstance(url, str):
        return {}
    try:
        parts = urlsplit(url[:MAX_URL])
    except ValueError:
        return {}
    pairs = parse_qsl(parts.query, keep_blank_values=True)
    for segment in parts.path.split(";")[1:]:
        if "=" in segment:
            name, value = segment.split("=", 1)
            pairs.append((name, value))
    out: dict[str, str] = {}
    for name, value in pairs:
        if name in CONSENT_PARAMS and name not in out:
            out[name] = _clean(name, value)
    return out


@dataclass(frozen=True)
class SignalState:
    """One consent signal: its default and update states (None: not set; True granted, False denied)."""

    default: bool | None = None
    update: bool | None = None

    @property
    def granted(self) -> bool | None:
        """The state in force: the update if any, else the default; None when neither is set."""
        return self.update if self.update is not None else self.default


@dataclass(frozen=True)
class ConsentModeState:
    """Google Consent Mode as one hit reports it. A signal is None when the hit says nothing of it
    (``gcs`` alone carries no default/update split: its value is put in ``update``)."""

    source: str  # "gcd", "gcs" or "gcd+gcs"
    ad_storage: SignalState | None = None
    analytics_storage: SignalState | None = None
    ad_user_data: SignalState | None = None
    ad_personalization: SignalState | None = None

    def signal(self, name: str) -> SignalState | None:
        return getattr(self, name) if name in SIGNALS else None


def decode_gcs(value: str) -> ConsentModeState | None:
    """``G1xy`` -> ad_storage / analytics_storage; None if the value is not of that form."""
    if not isinstance(value, str):
        return None
    m = _GCS.fullmatch(value.strip())
    if not m:
        return None
    states = [None if c == "-" else c == "1" for c in m.groups()]
    return ConsentModeState(
        source="gcs",
        ad_storage=None if states[0] is None else SignalState(update=states[0]),
        analytics_storage=None if states[1] is None else SignalState(update=states[1]),
    )


def decode_gcd_letter(letter: str) -> SignalState | None:
    """One ``gcd`` letter as default/update states; None for a character that is not one."""
    if len(letter) != 1 or letter not in _GCD_ALPHABET:
        return None
    v = _GCD_ALPHABET.index(letter)
    default, update = (v >> 2) & 3, v & 3
    if default == 0 or update == 0:
        return None
    return SignalState(default=_GCD_STATE[default], update=_GCD_STATE[update])


def decode_gcd(value: str) -> ConsentModeState | None:
    """``gcd`` -> the four Consent Mode v2 signals; None if the value is not of the known form
    (a leading ``1``, then digit+letter pairs for the four signals, then anything)."""
    if not isinstance(value, str) or len(value) > MAX_VALUE:
        return None
    value = value.strip()
    if len(value) < 9 or value[0] != "1" or not all(value[i] in "0123456789" for i in (1, 3, 5, 7)):
        return None
    letters = [decode_gcd_letter(value[i]) for i in (2, 4, 6, 8)]
    if any(s is None for s in letters):
        return None
    return ConsentModeState("gcd", *letters)


def consent_mode_state(params: dict[str, str]) -> ConsentModeState | None:
    """The Consent Mode state of one hit from its consent parameters (``consent_params``): ``gcd``
    when readable, with ``gcs`` filling ad_storage / analytics_storage it leaves unset."""
    gcd = decode_gcd(params.get("gcd", "")) if "gcd" in params else None
    gcs = decode_gcs(params.get("gcs", "")) if "gcs" in params else None
    if gcd is None:
        return gcs
    if gcs is None:
        return gcd
    return ConsentModeState(
        "gcd+gcs",
        gcd.ad_storage if gcd.ad_storage and gcd.ad_storage.granted is not None else gcs.ad_storage,
        (
            gcd.analytics_storage
            if gcd.analytics_storage and gcd.analytics_storage.granted is not None
            else gcs.analytics_storage
        ),
        gcd.ad_user_data,
        gcd.ad_personalization,
    )


def granted_signals(state: ConsentModeState | None) -> tuple[str, ...]:
    """The signals ``state`` reports as granted (update, else default), in ``SIGNALS`` order."""
    if state is None:
        return ()
    return tuple(name for name in SIGNALS if (s := state.signal(name)) is not None and s.granted)


def claims_granted(state: ConsentModeState | None) -> bool:
    """True when the hit claims any storage or ad signal is granted: before any choice, that is a
    default of "granted"; after a rejection, a CMP that did not pass the choice on."""
    return bool(granted_signals(state))


def granted_by_default(state: ConsentModeState | None) -> tuple[str, ...]:
    """The signals whose *default* is granted (``gcd`` letters t, u, v): a site that grants before
    the visitor chose anything."""
    if state is None:
        return ()
    return tuple(name for name in SIGNALS if (s := state.signal(name)) is not None and s.default is True)
