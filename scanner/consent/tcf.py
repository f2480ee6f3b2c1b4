"""IAB Transparency & Consent Framework v2 "TC strings": decode and encode.

A TC string is one or more base64url segments joined by ``.``. The first is the core segment
(version 2, dates, CMP, purposes, vendor consents and legitimate interests, publisher
restrictions); each later one starts with a 3-bit segment type: 1 Disclosed Vendors (every vendor
the CMP showed the user; mandatory from TCF policy version 5), 2 Allowed Vendors, 3 Publisher TC.
Numbers are big-endian bit fields, vendor sets are a bit field or a list of ranges.

The decoder is written for hostile input: the text, the number of segments, vendor ids and the
total number of vendor ids a string may expand to are capped, and every problem is a
``TCStringError`` (a ``ValueError``), never another exception. ``encode`` writes what ``decode``
reads (as the official library does: range encoding when shorter, zero padding to whole 24-bit
groups); it exists for test fixtures and round-trip properties.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

MAX_LENGTH = 16_384  # characters of a whole TC string (real ones are a few hundred)
MAX_SEGMENTS = 4  # core + disclosed + allowed + publisher TC
MAX_VENDOR_ID = 65_535  # the 16-bit field's own limit; GVL ids are in the low thousands today
MAX_EXPANDED_IDS = 200_000  # vendor ids all sets of one string may hold together

SEGMENT_CORE = 0
SEGMENT_DISCLOSED_VENDORS = 1
SEGMENT_ALLOWED_VENDORS = 2
SEGMENT_PUBLISHER_TC = 3

# Publisher restriction types (TCF v2 spec, "Publisher Purposes Restrictions").
RESTRICTION_NOT_ALLOWED = 0
RESTRICTION_REQUIRE_CONSENT = 1
RESTRICTION_REQUIRE_LI = 2
RESTRICTION_NAMES = {0: "not_allowed", 1: "require_consent", 2: "require_legitimate_interest", 3: "undefined"}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_DECISECOND = timedelta(milliseconds=100)
_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
_BITS = {c: format(i, "06b") for i, c in enumerate(_ALPHABET)}
_SEGMENT_RX = re.compile(r"[A-Za-z0-9_-]+")


class TCStringError(ValueError):
    """The text is not a TC string this decoder accepts (malformed, truncated, too large, not v2)."""


@dataclass(frozen=True)
class PublisherRestriction:
    """The publisher restricts ``purpose_id`` for ``vendors`` (type: ``RESTRICTION_NAMES``)."""

    purpose_id: int
    restriction_type: int
    vendors: frozenset[int] = frozenset()

    @property
    def kind(self) -> str:
        return RESTRICTION_NAMES.get(self.restriction_type, "undefined")


@dataclass(frozen=True)
class PublisherTC:
    """Segment type 3: the publisher's own purposes and custom purposes."""

    purpose_consents: frozenset[int] = frozenset()
    purpose_legitimate_interests: frozenset[int] = frozenset()
    num_custom_purposes: int = 0
    custom_purpose_consents: frozenset[int] = frozenset()
    custom_purpose_legitimate_interests: frozenset[int] = frozenset()


@dataclass(frozen=True)
class TCString:
    """A decoded TC string. Purpose, feature and vendor sets hold the ids whose bit is set.
    ``disclosed_vendors`` / ``allowed_vendors`` / ``publisher_tc`` are None when the segment is
    absent (an empty set means the segment is there and lists nobody)."""

    created: datetime  # UTC, 1/10 s resolution
    last_updated: datetime
    cmp_id: int
    cmp_version: int
    consent_screen: int
    consent_language: str  # two letters, upper case ("EN")
    vendor_list_version: int
    policy_version: int  # TCF policy version: 2 (TCF 2.0/2.1), 4 (2.2), 5 (2.3)
    is_service_specific: bool = False
    use_non_standard_texts: bool = False
    special_feature_optins: frozenset[int] = frozenset()  # ids 1..12
    purpose_consents: frozenset[int] = frozenset()  # ids 1..24
    purpose_legitimate_interests: frozenset[int] = frozenset()
    purpose_one_treatment: bool = False
    publisher_country_code: str = "AA"
    vendor_consents: frozenset[int] = frozenset()
    vendor_legitimate_interests: frozenset[int] = frozenset()
    publisher_restrictions: tuple[PublisherRestriction, ...] = ()
    disclosed_vendors: frozenset[int] | None = None
    allowed_vendors: frozenset[int] | None = None
    publisher_tc: PublisherTC | None = None
    version: int = field(default=2)

    @property
    def disclosed_vendors_required(self) -> bool:
        """TCF 2.3 (policy version 5) makes the Disclosed Vendors segment mandatory."""
        return self.policy_version >= 5


# --- bits ------------------------------------------------------------------------------------------


class _Reader:
    """Reads big-endian unsigned fields from the bits of one base64url segment."""

    def __init__(self, segment: str) -> None:
        self.bits = "".join(_BITS[ch] for ch in segment)
        self.pos = 0

    def take(self, n: int, what: str) -> str:
        if self.pos + n > len(self.bits):
            raise TCStringError(f"truncated: {what} needs {n} bits at bit {self.pos} of {len(self.bits)}")
        chunk = self.bits[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def int(self, n: int, what: str) -> int:
        return int(self.take(n, what), 2) if n else 0

    def bool(self, what: str) -> bool:
        return self.take(1, what) == "1"

    def ids(self, n: int, what: str) -> frozenset[int]:
        """A fixed-length bit field: bit i (from 0) set means id i + 1."""
        chunk = self.take(n, what)
        return frozenset(i + 1 for i, bit in enumerate(chunk) if bit == "1")


class _Budget:
    """How many vendor ids one string may still expand to."""

    def __init__(self) -> None:
        self.left = MAX_EXPANDED_IDS

    def spend(self, n: int) -> None:
        self.left -= n
        if self.left < 0:
            raise TCStringError(f"more than {MAX_EXPANDED_IDS} vendor ids in one TC string")


def _ranges(r: _Reader, budget: _Budget, what: str) -> frozenset[int]:
    count = r.int(12, f"{what} number of entries")
    ids: set[int] = set()
    for _ in range(count):
        is_range = r.bool(f"{what} range flag")
        start = r.int(16, f"{what} vendor id")
        end = r.int(16, f"{what} range end") if is_range else start
        if start < 1 or end < start:
            raise TCStringError(f"{what}: invalid vendor range {start}-{end}")
        budget.spend(end - start + 1)
        ids.update(range(start, end + 1))
    return frozenset(ids)


def _vendor_set(r: _Reader, budget: _Budget, what: str) -> frozenset[int]:
    max_id = r.int(16, f"{what} max vendor id")
    if r.bool(f"{what} encoding type"):
        # Ranges above max_id are kept: the ids still say who was listed.
        return _ranges(r, budget, what)
    ids = r.ids(max_id, f"{what} bit field")
    budget.spend(len(ids))
    return ids


def _letters(r: _Reader, what: str) -> str:
    a, b = r.int(6, what), r.int(6, what)
    if a > 25 or b > 25:
        raise TCStringError(f"{what}: not two letters A-Z")
    return chr(65 + a) + chr(65 + b)


def _date(r: _Reader, what: str) -> datetime:
    return _EPOCH + r.int(36, what) * _DECISECOND


def _segments(text: object) -> list[str]:
    if not isinstance(text, str):
        raise TCStringError("a TC string is text")
    if len(text) > MAX_LENGTH:
        raise TCStringError(f"longer than {MAX_LENGTH} characters")
    parts = text.strip().split(".")
    if len(parts) > MAX_SEGMENTS:
        raise TCStringError(f"more than {MAX_SEGMENTS} segments")
    for part in parts:
        if not _SEGMENT_RX.fullmatch(part):
            raise TCStringError("a segment is empty or has characters outside base64url")
    return parts


def _core(r: _Reader, budget: _Budget) -> dict:
    version = r.int(6, "version")
    if version != 2:
        raise TCStringError(f"TC string version {version}: only version 2 is read")
    out: dict = {
        "version": version,
        "created": _date(r, "created"),
        "last_updated": _date(r, "last updated"),
        "cmp_id": r.int(12, "CMP id"),
        "cmp_version": r.int(12, "CMP version"),
        "consent_screen": r.int(6, "consent screen"),
        "consent_language": _letters(r, "consent language"),
        "vendor_list_version": r.int(12, "vendor list version"),
        "policy_version": r.int(6, "policy version"),
        "is_service_specific": r.bool("is service specific"),
        "use_non_standard_texts": r.bool("use non-standard texts"),
        "special_feature_optins": r.ids(12, "special feature opt-ins"),
        "purpose_consents": r.ids(24, "purpose consents"),
        "purpose_legitimate_interests": r.ids(24, "purpose legitimate interests"),
        "purpose_one_treatment": r.bool("purpose one treatment"),
        "publisher_country_code": _letters(r, "publisher country code"),
        "vendor_consents": _vendor_set(r, budget, "vendor consents"),
        "vendor_legitimate_interests": _vendor_set(r, budget, "vendor legitimate interests"),
    }
    restrictions = []
    for _ in range(r.int(12, "number of publisher restrictions")):
        purpose = r.int(6, "restriction purpose id")
        kind = r.int(2, "restriction type")
        vendors = _ranges(r, budget, "publisher restriction")
        restrictions.append(PublisherRestriction(purpose, kind, vendors))
    out["publisher_restrictions"] = tuple(restrictions)
    return out


def _publisher_tc(r: _Reader) -> PublisherTC:
    consents = r.ids(24, "publisher purpose consents")
    interests = r.ids(24, "publisher purpose legitimate interests")
    n = r.int(6, "number of custom purposes")
    return PublisherTC(
        consents,
        interests,
        n,
        r.ids(n, "custom purpose consents"),
        r.ids(n, "custom purpose legitimate interests"),
    )


def decode(text: str) -> TCString:
    """Decode a TC string (core segment plus any optional segments); ``TCStringError`` if malformed."""
    parts = _segments(text)
    budget = _Budget()
    fields = _core(_Reader(parts[0]), budget)
    seen: set[int] = set()
    for part in parts[1:]:
        r = _Reader(part)
        kind = r.int(3, "segment type")
        if kind in seen:
            raise TCStringError(f"segment type {kind} appears twice")
        seen.add(kind)
        if kind == SEGMENT_DISCLOSED_VENDORS:
            fields["disclosed_vendors"] = _vendor_set(r, budget, "disclosed vendors")
        elif kind == SEGMENT_ALLOWED_VENDORS:
            fields["allowed_vendors"] = _vendor_set(r, budget, "allowed vendors")
        elif kind == SEGMENT_PUBLISHER_TC:
            fields["publisher_tc"] = _publisher_tc(r)
        else:
            raise TCStringError(f"unknown segment type {kind}")
    return TCString(**fields)


def try_decode(text: object) -> TCString | None:
    """``decode``, or None for anything that is not a valid TC string."""
    try:
        return decode(text)  # type: ignore[arg-type]
    except TCStringError:
        return None


# --- encoding --------------------------------------------------------------------------------------


class _Writer:
    def __init__(self) -> None:
        self.value = 0
        self.size = 0

    def int(self, value: int, bits: int, what: str) -> None:
        if not 0 <= value < (1 << bits):
            raise TCStringError(f"{what}: {value} does not fit in {bits} bits")
        self.value = (self.value << bits) | value
        self.size += bits

    def bool(self, value: bool) -> None:
        self.int(1 if value else 0, 1, "flag")

    def ids(self, ids: Iterable[int], bits: int, what: str) -> None:
        value = 0
        for i in ids:
            if not 1 <= i <= bits:
                raise TCStringError(f"{what}: id {i} outside 1..{bits}")
            value |= 1 << (bits - i)
        self.int(value, bits, what)

    def text(self) -> str:
        pad = -self.size % 24  # whole base64 groups, as the official library writes them
        value, size = self.value << pad, self.size + pad
        return "".join(_ALPHABET[(value >> (size - 6 * (i + 1))) & 63] for i in range(size // 6))


def _runs(ids: Iterable[int]) -> list[tuple[int, int]]:
    runs: list[tuple[int, int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][1] + 1:
            runs[-1] = (runs[-1][0], i)
        else:
            runs.append((i, i))
    return runs


def _write_ranges(w: _Writer, ids: Iterable[int], what: str) -> None:
    runs = _runs(ids)
    w.int(len(runs), 12, f"{what} number of entries")
    for start, end in runs:
        if start < 1 or end > MAX_VENDOR_ID:
            raise TCStringError(f"{what}: vendor id outside 1..{MAX_VENDOR_ID}")
        w.bool(start != end)
        w.int(start, 16, what)
        if start != end:
            w.int(end, 16, what)


def _write_vendor_set(w: _Writer, ids: frozenset[int], what: str) -> None:
    max_id = max(ids, default=0)
    w.int(max_id, 16, f"{what} max vendor id")
    runs = _runs(ids)
    range_bits = 12 + sum(33 if a != b else 17 for a, b in runs)
    if range_bits < max_id:
        w.bool(True)
        _write_ranges(w, ids, what)
    else:
        w.bool(False)
        w.ids(ids, max_id, what)


def _write_letters(w: _Writer, text: str, what: str) -> None:
    if len(text) != 2 or not all("A" <= c <= "Z" for c in text):
        raise TCStringError(f"{what}: two upper-case letters A-Z")
    for c in text:
        w.int(ord(c) - 65, 6, what)


def _write_date(w: _Writer, when: datetime, what: str) -> None:
    if when.tzinfo is None:
        raise TCStringError(f"{what}: a timezone-aware datetime")
    w.int((when - _EPOCH) // _DECISECOND, 36, what)


def encode(tc: TCString) -> str:
    """The TC string of ``tc``: core segment, then Disclosed Vendors, Allowed Vendors and Publisher
    TC when present. ``TCStringError`` when a field does not fit its bits."""
    if tc.version != 2:
        raise TCStringError("only version 2 is written")
    w = _Writer()
    w.int(tc.version, 6, "version")
    _write_date(w, tc.created, "created")
    _write_date(w, tc.last_updated, "last updated")
    w.int(tc.cmp_id, 12, "CMP id")
    w.int(tc.cmp_version, 12, "CMP version")
    w.int(tc.consent_screen, 6, "consent screen")
    _write_letters(w, tc.consent_language, "consent language")
    w.int(tc.vendor_list_version, 12, "vendor list version")
    w.int(tc.policy_version, 6, "policy version")
    w.bool(tc.is_service_specific)
    w.bool(tc.use_non_standard_texts)
    w.ids(tc.special_feature_optins, 12, "special feature opt-ins")
    w.ids(tc.purpose_consents, 24, "purpose consents")
    w.ids(tc.purpose_legitimate_interests, 24, "purpose legitimate interests")
    w.bool(tc.purpose_one_treatment)
    _write_letters(w, tc.publisher_country_code, "publisher country code")
    _write_vendor_set(w, tc.vendor_consents, "vendor consents")
    _write_vendor_set(w, tc.vendor_legitimate_interests, "vendor legitimate interests")
    w.int(len(tc.publisher_restrictions), 12, "number of publisher restrictions")
    for pr in tc.publisher_restrictions:
        w.int(pr.purpose_id, 6, "restriction purpose id")
        w.int(pr.restriction_type, 2, "restriction type")
        _write_ranges(w, pr.vendors, "publisher restriction")
    segments = [w.text()]
    for kind, ids in (
        (SEGMENT_DISCLOSED_VENDORS, tc.disclosed_vendors),
        (SEGMENT_ALLOWED_VENDORS, tc.allowed_vendors),
    ):
        if ids is not None:
            w = _Writer()
            w.int(kind, 3, "segment type")
            _write_vendor_set(w, ids, "vendor segment")
            segments.append(w.text())
    if tc.publisher_tc is not None:
        p = tc.publisher_tc
        w = _Writer()
        w.int(SEGMENT_PUBLISHER_TC, 3, "segment type")
        w.ids(p.purpose_consents, 24, "publisher purpose consents")
        w.ids(p.purpose_legitimate_interests, 24, "publisher purpose legitimate interests")
        w.int(p.num_custom_purposes, 6, "number of custom purposes")
        w.ids(p.custom_purpose_consents, p.num_custom_purposes, "custom purpose consents")
        w.ids(p.custom_purpose_legitimate_interests, p.num_custom_purposes, "custom purpose LI")
        segments.append(w.text())
    return ".".join(segments)
