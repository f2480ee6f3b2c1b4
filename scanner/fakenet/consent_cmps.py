"""The consent managers of the consent world: our own small imitations of the markup, globals, events
and storage of OneTrust, Cookiebot, Quantcast Choice (IAB TCF v2) and Didomi.

Only the shapes are imitated (element ids and classes, API names and return shapes, cookie names and
formats), as facts that the real ``@duckduckgo/autoconsent`` rules and real tags rely on; the code
(``consent_js/*.js``) is written for these tests. Each script stores the visitor's choice the way the
real one does, so the next page of the same site shows no banner and applies the stored choice.

- ``onetrust.js`` (https://cdn.cookielaw.org/scripttemplates/otSDKStub.js, ``data-domain-script``):
  fetches ``/consent/<id>/<id>.json`` (what ``OneTrust.GetDomainData()`` returns), shows
  ``#onetrust-banner-sdk`` unless ``OptanonAlertBoxClosed`` is set, keeps ``OptanonConsent``
  (``groups=C0001:1,C0002:0,...``, ``isGpcEnabled=``), publishes ``OnetrustActiveGroups``, calls
  ``OptanonWrapper`` and fires ``OneTrustGroupsUpdated``; with ``navigator.globalPrivacyControl`` the
  targeting group C0004 stays off.
- ``cookiebot_uc.js`` (https://consent.cookiebot.com/uc.js, ``data-cbid``): ``window.Cookiebot``
  (``consent``, ``consented``, ``declined``, ``hasResponse``, ``dialog.visible``, ``withdraw()``,
  ``hide()``...), the ``CookieConsent`` cookie, the ``CookiebotOn*`` events; loads ``/<cbid>/cc.js``
  (``cookiebot_cc_js``: ``CookieConsentDialog.cookieTable*`` and ``#CybotCookiebotDialog``).
- ``tcf_stub.js`` + ``quantcast_choice.js`` (https://quantcast.mgr.consensu.org/choice/...): the IAB
  ``__tcfapi`` (``ping``, ``addEventListener``, ``removeEventListener``, ``getTCData``,
  ``getVendorList``), the GVL download, ``#qc-cmp2-container``/``#qc-cmp2-ui`` and the
  ``euconsent-v2`` cookie holding one of two TC strings made by ``encode_tc_string``.
- ``didomi.js`` (https://sdk.privacy-center.org/<key>/loader.js): ``#didomi-host``/``#didomi-notice``,
  ``window.Didomi`` (``getCurrentUserStatus``, ``getUserConsentStatusForAll``,
  ``setUserAgreeToAll``/``setUserDisagreeToAll``, ``shouldConsentBeCollected``, ``getVendors``, ``on``),
  ``didomiOnReady``/``didomiEventListeners``, the ``didomi_token`` cookie and localStorage copy.
"""

from __future__ import annotations

import base64
import json
from functools import cache
from pathlib import Path

JS_DIR = Path(__file__).with_name("consent_js")


@cache
def js(name: str) -> str:
    """A script of ``consent_js``, with the shared cookie/DOM helpers put in place of ``/*@helpers*/``."""
    text = (JS_DIR / name).read_text(encoding="utf-8")
    return text.replace("/*@helpers*/", (JS_DIR / "helpers.js").read_text(encoding="utf-8").strip())


def _js(value: object) -> str:
    return json.dumps(value).replace("</", "<\\/")


ONETRUST_VERSION = "202409.1.0"

ONETRUST_GROUPS = (
    ("C0001", "Strictly Necessary Cookies", "necessary"),
    ("C0002", "Performance Cookies", "statistics"),
    ("C0003", "Functional Cookies", "preferences"),
    ("C0004", "Targeting Cookies", "marketing"),
)


def onetrust_js() -> str:
    return js("onetrust.js").replace("__VERSION__", ONETRUST_VERSION)


def cookiebot_cc_js(tables: dict[str, list[list[str]]], texts: dict[str, str]) -> str:
    """https://consent.cookiebot.com/<cbid>/cc.js: the declared cookie tables and the dialog."""
    lines = ["/* Cookiebot-like dialog and cookie declaration - an imitation for tests */"]
    lines.append("window.CookieConsentDialog = window.CookieConsentDialog || {};")
    for key, rows in tables.items():
        lines.append(f"window.CookieConsentDialog.{key} = {_js(rows)};")
    lines.append(f"window.Cookiebot && window.Cookiebot.__dialogLoaded({_js(texts)});")
    return "\n".join(lines) + "\n"


QUANTCAST_CMP_ID = 10
QUANTCAST_CMP_VERSION = 31
TCF_POLICY_VERSION = 5
GVL_VERSION = 142


def quantcast_choice_js(config: dict) -> str:
    return js("quantcast_choice.js").replace("__CONFIG__", _js(config))


def didomi_js(config: dict) -> str:
    return js("didomi.js").replace("__CONFIG__", _js(config))


def _bits(value: int, width: int) -> str:
    if value < 0 or value >= 1 << width:
        raise ValueError(f"{value} does not fit in {width} bits")
    return format(value, f"0{width}b")


def _letters(code: str) -> str:
    return "".join(_bits(ord(c) - ord("A"), 6) for c in code.upper())


def _bitfield(ids: set[int], size: int) -> str:
    return "".join("1" if i in ids else "0" for i in range(1, size + 1))


def _segment(bits: str) -> str:
    bits += "0" * (-len(bits) % 8)
    raw = int(bits, 2).to_bytes(len(bits) // 8, "big") if bits else b""
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def encode_tc_string(
    *,
    created_ds: int,
    cmp_id: int,
    cmp_version: int,
    vendor_list_version: int,
    purposes: set[int],
    vendors: set[int],
    disclosed: set[int],
    policy_version: int = TCF_POLICY_VERSION,
    language: str = "EN",
    publisher_cc: str = "DE",
) -> str:
    """A TCF v2 TC string: the core segment (bitfield vendor sections, no LI, no publisher
    restrictions) and a Disclosed Vendors segment. Private to the fixture: the package's decoder is
    tested against the strings this produces, not against this code. ``created_ds`` is deciseconds."""
    max_vendor = max(vendors, default=0)
    core = "".join(
        (
            _bits(2, 6),  # Version
            _bits(created_ds, 36),  # Created
            _bits(created_ds, 36),  # LastUpdated
            _bits(cmp_id, 12),
            _bits(cmp_version, 12),
            _bits(1, 6),  # ConsentScreen
            _letters(language),
            _bits(vendor_list_version, 12),
            _bits(policy_version, 6),
            "0",  # IsServiceSpecific
            "0",  # UseNonStandardTexts
            "0" * 12,  # SpecialFeatureOptIns
            _bitfield(purposes, 24),  # PurposesConsent
            "0" * 24,  # PurposesLITransparency
            "0",  # PurposeOneTreatment
            _letters(publisher_cc),
            _bits(max_vendor, 16),
            "0",  # IsRangeEncoding: bitfield
            _bitfield(vendors, max_vendor),
            _bits(0, 16),  # vendor legitimate interests: MaxVendorId 0
            "0",
            _bits(0, 12),  # NumPubRestrictions
        )
    )
    max_disclosed = max(disclosed, default=0)
    disclosed_segment = _bits(1, 3) + _bits(max_disclosed, 16) + "0" + _bitfield(disclosed, max_disclosed)
    return _segment(core) + "." + _segment(disclosed_segment)
