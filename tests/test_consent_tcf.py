"""The TC string decoder (scanner.consent.tcf) against the official library's vectors, hand-made
malformed strings, and properties: any text decodes or raises TCStringError; encode/decode round trip."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.consent import tcf
from scanner.consent.tcf import PublisherRestriction, PublisherTC, TCString, TCStringError

VECTORS = json.loads((Path(__file__).parent / "data" / "tcf_vectors.json").read_text())["vectors"]
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _fields(tc: TCString) -> dict:
    """``tc`` in the vector file's vocabulary (written by tools/make_tcf_vectors.mjs)."""
    pub = tc.publisher_tc or PublisherTC()
    return {
        "version": tc.version,
        "created_ds": (tc.created - EPOCH) // timedelta(milliseconds=100),
        "last_updated_ds": (tc.last_updated - EPOCH) // timedelta(milliseconds=100),
        "cmp_id": tc.cmp_id,
        "cmp_version": tc.cmp_version,
        "consent_screen": tc.consent_screen,
        "consent_language": tc.consent_language,
        "vendor_list_version": tc.vendor_list_version,
        "policy_version": tc.policy_version,
        "is_service_specific": tc.is_service_specific,
        "use_non_standard_texts": tc.use_non_standard_texts,
        "special_feature_optins": sorted(tc.special_feature_optins),
        "purpose_consents": sorted(tc.purpose_consents),
        "purpose_legitimate_interests": sorted(tc.purpose_legitimate_interests),
        "purpose_one_treatment": tc.purpose_one_treatment,
        "publisher_country_code": tc.publisher_country_code,
        "vendor_consents": sorted(tc.vendor_consents),
        "vendor_legitimate_interests": sorted(tc.vendor_legitimate_interests),
        "publisher_restrictions": sorted(
            (
                {
                    "purpose_id": p.purpose_id,
                    "restriction_type": p.restriction_type,
                    "vendors": sorted(p.vendors),
                }
                for p in tc.publisher_restrictions
            ),
            key=lambda r: (r["purpose_id"], r["restriction_type"]),
        ),
        "vendors_disclosed": sorted(tc.disclosed_vendors or ()),
        "vendors_allowed": sorted(tc.allowed_vendors or ()),
        "publisher_consents": sorted(pub.purpose_consents),
        "publisher_legitimate_interests": sorted(pub.purpose_legitimate_interests),
        "num_custom_purposes": pub.num_custom_purposes,
        "publisher_custom_consents": sorted(pub.custom_purpose_consents),
        "publisher_custom_legitimate_interests": sorted(pub.custom_purpose_legitimate_interests),
    }


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_decodes_like_the_official_library(vector):
    tc = tcf.decode(vector["tc_string"])
    assert _fields(tc) == vector["fields"]


@pytest.mark.parametrize("vector", VECTORS, ids=[v["name"] for v in VECTORS])
def test_encodes_the_same_string_as_the_official_library(vector):
    assert tcf.encode(tcf.decode(vector["tc_string"])) == vector["tc_string"]


def test_vectors_cover_every_segment_and_both_vendor_encodings():
    decoded = [tcf.decode(v["tc_string"]) for v in VECTORS]
    assert any(t.disclosed_vendors for t in decoded)
    assert any(t.allowed_vendors for t in decoded)
    assert any(t.publisher_tc and t.publisher_tc.num_custom_purposes for t in decoded)
    assert any(t.publisher_restrictions for t in decoded)
    assert any(t.policy_version == 4 for t in decoded) and any(t.policy_version == 5 for t in decoded)
    # range encoding: a string far shorter than the bit field it stands for
    assert any(len(v["tc_string"]) < 150 and len(v["fields"]["vendor_consents"]) > 1000 for v in VECTORS)


def test_disclosed_vendors_segment_of_a_reject_all_string():
    vector = next(v for v in VECTORS if v["name"].startswith("reject all"))
    tc = tcf.decode(vector["tc_string"])
    assert not tc.vendor_consents and not tc.purpose_consents
    disclosed = tc.disclosed_vendors
    assert disclosed is not None and 302 not in disclosed and 897 in disclosed
    assert tc.disclosed_vendors_required
    assert tc.allowed_vendors is None and tc.publisher_tc is None


def test_restriction_kinds_are_named():
    vector = next(v for v in VECTORS if v["fields"]["publisher_restrictions"])
    kinds = {r.purpose_id: r.kind for r in tcf.decode(vector["tc_string"]).publisher_restrictions}
    assert kinds == {2: "not_allowed", 7: "require_consent", 9: "require_legitimate_interest"}


BASE = tcf.decode(VECTORS[1]["tc_string"])


def _bits(value: int, n: int) -> str:
    return format(value, f"0{n}b")


def _b64(bits: str) -> str:
    bits += "0" * (-len(bits) % 6)
    return "".join(tcf._ALPHABET[int(bits[i : i + 6], 2)] for i in range(0, len(bits), 6))


def _core_prefix() -> str:
    """Bits of a valid core segment up to (not including) the vendor consent section."""
    return tcf._Reader(tcf.encode(BASE).split(".")[0]).bits[:213]


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("CPc+QsAPc", "base64url"),
        ("CPcQsAPc..IAAA", "empty"),
        ("BOEFEAyOEFEAyAHABDENAI4AAAB9vABAASA", "version 1"),  # a TCF v1 consent string
        ("CQ", "truncated"),
        (tcf.encode(BASE) + ".IAAA.IAAA", "twice"),
        (tcf.encode(BASE) + ".4AAA", "unknown segment type"),
        (tcf.encode(BASE) + ".IAAA.QAAA.cAAAAAAAAAA.IAAA", "more than 4 segments"),
        ("C" * (tcf.MAX_LENGTH + 1), "longer than"),
    ],
)
def test_malformed_strings_raise_a_clear_error(text, message):
    with pytest.raises(TCStringError, match=message):
        tcf.decode(text)


def test_not_text_is_an_error():
    with pytest.raises(TCStringError):
        tcf.decode(None)  # type: ignore[arg-type]
    assert tcf.try_decode(b"CQ") is None


def test_backwards_range_is_an_error():
    bits = _core_prefix() + _bits(10, 16) + "1" + _bits(1, 12) + "1" + _bits(9, 16) + _bits(3, 16)
    with pytest.raises(TCStringError, match="invalid vendor range 9-3"):
        tcf.decode(_b64(bits))


def test_vendor_id_zero_is_an_error():
    bits = _core_prefix() + _bits(10, 16) + "1" + _bits(1, 12) + "0" + _bits(0, 16)
    with pytest.raises(TCStringError, match="invalid vendor range 0-0"):
        tcf.decode(_b64(bits))


def test_hostile_ranges_are_bounded():
    """2000 ranges of 1..65535 would be 131 million ids: the budget stops the string early."""
    entry = "1" + _bits(1, 16) + _bits(65535, 16)
    bits = _core_prefix() + _bits(65535, 16) + "1" + _bits(2000, 12) + entry * 2000
    text = _b64(bits)
    assert len(text) <= tcf.MAX_LENGTH
    with pytest.raises(TCStringError, match="more than 200000 vendor ids"):
        tcf.decode(text)


def test_letters_outside_a_to_z_are_an_error():
    bits = tcf._Reader(tcf.encode(BASE).split(".")[0]).bits
    # consent language starts at bit 6+36+36+12+12+6 = 108
    bad = bits[:108] + _bits(40, 6) + bits[114:]
    with pytest.raises(TCStringError, match="consent language"):
        tcf.decode(_b64(bad))


def test_encode_refuses_what_does_not_fit():
    with pytest.raises(TCStringError, match="CMP id"):
        tcf.encode(replace(BASE, cmp_id=5000))
    with pytest.raises(TCStringError, match="purpose consents"):
        tcf.encode(replace(BASE, purpose_consents=frozenset({25})))
    with pytest.raises(TCStringError, match="letters"):
        tcf.encode(replace(BASE, publisher_country_code="fr"))
    with pytest.raises(TCStringError, match="timezone"):
        tcf.encode(replace(BASE, created=datetime(2026, 1, 1)))


# --- properties ------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=400))
def test_any_text_is_a_tc_string_or_a_tc_string_error(text):
    try:
        assert isinstance(tcf.decode(text), TCString)
    except TCStringError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=tcf._ALPHABET + ".", min_size=1, max_size=600))
def test_any_base64url_text_is_a_tc_string_or_a_tc_string_error(text):
    try:
        assert isinstance(tcf.decode(text), TCString)
    except TCStringError:
        pass


@settings(max_examples=300, deadline=None)
@given(st.binary(min_size=10, max_size=400))
def test_random_bits_behind_a_version_2_header(data):
    bits = "000010" + "".join(format(b, "08b") for b in data)
    try:
        tc = tcf.decode(_b64(bits))
    except TCStringError:
        return
    assert tc.version == 2


def _ids(limit: int, max_size: int = 40):
    return st.frozensets(st.integers(1, limit), max_size=max_size)


vendor_sets = st.one_of(
    _ids(2000),
    st.builds(lambda a, n: frozenset(range(a, a + n)), st.integers(1, 3000), st.integers(0, 700)),
)
letters = st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZ", min_size=2, max_size=2)
dates = st.integers(0, 2**36 - 1).map(lambda ds: EPOCH + ds * timedelta(milliseconds=100))


@st.composite
def publisher_tcs(draw):
    n = draw(st.integers(0, 63))
    custom = st.frozensets(st.integers(1, n)) if n else st.just(frozenset())
    return PublisherTC(draw(_ids(24)), draw(_ids(24)), n, draw(custom), draw(custom))


tc_strings = st.builds(
    TCString,
    created=dates,
    last_updated=dates,
    cmp_id=st.integers(0, 4095),
    cmp_version=st.integers(0, 4095),
    consent_screen=st.integers(0, 63),
    consent_language=letters,
    vendor_list_version=st.integers(0, 4095),
    policy_version=st.integers(0, 63),
    is_service_specific=st.booleans(),
    use_non_standard_texts=st.booleans(),
    special_feature_optins=_ids(12),
    purpose_consents=_ids(24),
    purpose_legitimate_interests=_ids(24),
    purpose_one_treatment=st.booleans(),
    publisher_country_code=letters,
    vendor_consents=vendor_sets,
    vendor_legitimate_interests=vendor_sets,
    publisher_restrictions=st.lists(
        st.builds(PublisherRestriction, st.integers(0, 63), st.integers(0, 3), vendor_sets), max_size=4
    ).map(tuple),
    disclosed_vendors=st.none() | vendor_sets,
    allowed_vendors=st.none() | vendor_sets,
    publisher_tc=st.none() | publisher_tcs(),
)


@settings(max_examples=200, deadline=None)
@given(tc_strings)
def test_encode_then_decode_gives_the_same_record(tc):
    text = tcf.encode(tc)
    assert tcf.decode(text) == tc
    assert tcf.encode(tcf.decode(text)) == text


@settings(max_examples=200, deadline=None)
@given(tc_strings, st.data())
def test_every_truncation_is_an_error_or_a_prefix_reading(tc, data):
    text = tcf.encode(tc)
    cut = data.draw(st.integers(1, len(text) - 1))
    try:
        tcf.decode(text[:cut])
    except TCStringError:
        pass
