"""The ways a value is commonly put on the wire, so a payload can be searched for a value it carries
in any of them (``scanner.collect.payloads``).

Trackers rarely send a value as typed: an advanced-matching pixel trims, lower-cases and SHA-256-hashes
the e-mail address; a cookie-sync URL percent-encodes it; a JSON beacon is base64-encoded. ``forms``
returns each form keyed by a *variant* name; ``encoding_of`` maps a variant to the coarse label a
``ValueLeak`` carries (plain | url | base64 | md5 | sha1 | sha256). Forms that come out identical to an
earlier one (a value with nothing to percent-encode) are listed once, under the earlier variant.
"""

from __future__ import annotations

import base64
import hashlib
from urllib.parse import quote, quote_plus

ENCODINGS: tuple[str, ...] = ("plain", "url", "base64", "md5", "sha1", "sha256")

# Variants a sender may write in either case: hex digests (some libraries upper-case them). Searched
# case-insensitively. (Percent-encoding is upper-case hex in every common encoder, and its other
# letters are the value's own, whose case matters.)
CASELESS: frozenset[str] = frozenset({"md5", "sha1", "sha256", "md5_norm", "sha1_norm", "sha256_norm"})


def normalise(value: str) -> str:
    """What ad pixels hash instead of the value as typed: trimmed and lower-cased (Meta's and TikTok's
    advanced matching, Google's enhanced conversions normalise an e-mail address this way)."""
    return value.strip().lower()


def _digests(data: bytes, suffix: str) -> dict[str, str]:
    return {
        f"md5{suffix}": hashlib.md5(data, usedforsecurity=False).hexdigest(),
        f"sha1{suffix}": hashlib.sha1(data, usedforsecurity=False).hexdigest(),
        f"sha256{suffix}": hashlib.sha256(data).hexdigest(),
    }


def forms(value: str) -> dict[str, str]:
    """Every common form of ``value``, variant name -> the string as it would appear in a payload.

    plain; percent-encoded as ``encodeURIComponent`` / ``quote`` (``url``) and as a form field
    (``url_plus``: spaces as ``+``); base64 standard, URL-safe, and both without padding; md5, sha1 and
    sha256 hex of the UTF-8 bytes; and, when trimming and lower-casing changes the value, the same of
    the normalised value (``*_norm``). Identical strings are kept once (first variant wins)."""
    data = value.encode("utf-8", "surrogatepass")
    candidates: dict[str, str] = {
        "plain": value,
        "url": quote(value, safe=""),
        "url_plus": quote_plus(value, safe=""),
    }
    b64 = base64.b64encode(data).decode("ascii")
    b64url = base64.urlsafe_b64encode(data).decode("ascii")
    candidates |= {
        "base64": b64,
        "base64url": b64url,
        "base64_nopad": b64.rstrip("="),
        "base64url_nopad": b64url.rstrip("="),
    }
    candidates |= _digests(data, "")
    norm = normalise(value)
    if norm != value and norm:
        norm_data = norm.encode("utf-8", "surrogatepass")
        candidates |= {
            "plain_norm": norm,
            "url_norm": quote(norm, safe=""),
            "url_plus_norm": quote_plus(norm, safe=""),
        }
        candidates |= _digests(norm_data, "_norm")
    out: dict[str, str] = {}
    for variant, text in candidates.items():
        if text and text not in out.values():
            out[variant] = text
    return out


def encoding_of(variant: str) -> str:
    """The ValueLeak ``encoding`` label of a variant name of ``forms``."""
    head = variant.split("_", 1)[0]
    return "base64" if head == "base64url" else head
