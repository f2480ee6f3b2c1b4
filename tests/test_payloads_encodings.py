"""The pure parts of value-leak detection: the encodings a value is searched in, the identifier rule,
and the multi-pattern matcher (property tests)."""

from __future__ import annotations

import base64
import hashlib
import secrets
from urllib.parse import unquote, unquote_plus

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from scanner.collect import needles
from scanner.collect.encodings import CASELESS, ENCODINGS, encoding_of, forms, normalise
from scanner.collect.needles import Matcher, Pattern, identifier_candidates, looks_like_identifier

values = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), min_size=1, max_size=80)
ascii_ids = st.text(
    alphabet="abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789@._-+ ", min_size=8
)
filler = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=200)


def b64decode_any(text: str) -> bytes:
    text = text.replace("-", "+").replace("_", "/")
    return base64.b64decode(text + "=" * (-len(text) % 4))


@given(values)
def test_forms_round_trip(value):
    data = value.encode("utf-8", "surrogatepass")
    out = forms(value)
    assert out["plain"] == value
    assert len(set(out.values())) == len(out)  # each string once
    for variant, text in out.items():
        assert encoding_of(variant) in ENCODINGS
        source = normalise(value) if variant.endswith("_norm") else value
        if variant.startswith("url_plus"):
            assert unquote_plus(text) == source
        elif variant.startswith("url"):
            assert unquote(text) == source
        elif variant.startswith("base64"):
            assert b64decode_any(text) == source.encode("utf-8", "surrogatepass")
        elif variant.startswith(("md5", "sha1", "sha256")):
            algorithm = variant.split("_")[0]
            assert text == hashlib.new(algorithm, source.encode("utf-8", "surrogatepass")).hexdigest()
            assert variant in CASELESS
    # the hashes of the value are always there; of the normalised value when normalising changes it
    assert {"md5", "sha1", "sha256"} <= set(out)
    assert hashlib.sha256(data).hexdigest() == out["sha256"]
    if normalise(value) not in (value, ""):
        assert (
            out["sha256_norm"]
            == hashlib.sha256(normalise(value).encode("utf-8", "surrogatepass")).hexdigest()
        )


@settings(max_examples=150, deadline=None)
@given(ascii_ids, filler, filler, st.booleans())
def test_each_form_is_found_where_a_payload_embeds_it(value, before, after, upper):
    patterns = [Pattern(0, v, t, v in CASELESS) for v, t in forms(value).items()]
    matcher = Matcher(patterns)
    for variant, text in forms(value).items():
        if len(text) < needles.MIN_LEN:
            continue
        sent = text.upper() if upper and variant in CASELESS else text  # an upper-case hex digest
        payload = before + sent + after
        found = {(p.variant, s, e) for p, s, e in matcher.find(payload)}
        assert (variant, len(before), len(before) + len(text)) in found


def naive(patterns: list[Pattern], text: str) -> set[tuple[int, int, int]]:
    out = set()
    lowered = text.translate(str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz"))
    for i, p in enumerate(patterns):
        hay = lowered if p.caseless else text
        needle = p.text.lower() if p.caseless else p.text
        start = hay.find(needle)
        while start != -1:
            out.add((i, start, start + len(needle)))
            start = hay.find(needle, start + 1)
    return out


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.text(alphabet="abAB01.", min_size=8, max_size=12), st.booleans()), min_size=1, max_size=8
    ),
    st.text(alphabet="abAB01.xyz", max_size=300),
    st.booleans(),
)
def test_matcher_finds_every_occurrence_overlapping_included(specs, text, accelerate):
    assume(len({t for t, _ in specs}) == len(specs))
    patterns = [Pattern(i, "plain", t, caseless) for i, (t, caseless) in enumerate(specs)]
    matcher = Matcher(patterns, accelerate=accelerate)
    found = {(patterns.index(p), s, e) for p, s, e in matcher.find(text)}
    # the patterns themselves, glued together, make overlaps likely
    glued = text + "".join(t for t, _ in specs) + text
    found_glued = {(patterns.index(p), s, e) for p, s, e in matcher.find(glued)}
    assert found == naive(patterns, text)
    assert found_glued == naive(patterns, glued)


def test_accelerated_and_pure_matchers_agree_on_a_large_payload():
    pytest.importorskip("ahocorasick_rs")
    ids = [secrets.token_hex(secrets.randbelow(20) + 4) for _ in range(300)]
    patterns = [
        Pattern(i, v, t, v in CASELESS) for i, value in enumerate(ids) for v, t in forms(value).items()
    ]
    text = "&".join(f"k{i}={secrets.token_urlsafe(24)}" for i in range(2000))
    text += "&x=" + forms(ids[7])["base64"] + "&y=" + forms(ids[99])["sha256"].upper() + "&z=" + ids[150]

    def run(accelerate):
        return sorted(
            (p.needle, p.variant, s, e) for p, s, e in Matcher(patterns, accelerate=accelerate).find(text)
        )

    fast, pure = run(True), run(False)
    assert fast == pure
    assert {(7, "base64"), (99, "sha256"), (150, "plain")} <= {(n, v) for n, v, _, _ in fast}


# -- the identifier rule -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "name", "expected"),
    [
        ("GA1.1.1234567890.1700000000", "_ga", ["GA1.1.1234567890.1700000000", "1234567890.1700000000"]),
        (
            "fb.1.1700000000000.1234567890",
            "_fbp",
            ["fb.1.1700000000000.1234567890", "1700000000000.1234567890"],
        ),
        ("3f2c9a1e-4b7d-4e2a-9c1f-8d7e6a5b4c3d", "uid", None),  # a UUID: whole, and its long parts
        ("true", "flag", []),
        ("dark", "theme", []),
        ("1700000000", "ts", []),
        ("1700000000123", "ts_ms", []),
        ("en-GB", "lang", []),
        ("2024-01-31T10:00:00Z", "seen", []),
        ("accepted_all_categories", "consent_state", []),
        (
            "CPx1AAAPx1AAAAHABBENCFCsAP_AAH_AAAqIJNNf_X",
            "euconsent-v2",
            [],
        ),  # a TCF string: consent, not an id
        ("https://www.example.com/landing", "ref", []),
        ('{"uid":"a8f3k2m9q7x1","n":3,"ok":true}', "state", ["a8f3k2m9q7x1"]),
        ("id%3Da8f3k2m9q7x1", "wrapped", ["a8f3k2m9q7x1"]),
        ("12345", "count", []),
    ],
)
def test_identifier_candidates(value, name, expected):
    found = identifier_candidates(value, name)
    if expected is None:
        assert found[0] == value and "8d7e6a5b4c3d" in found and "4b7d" not in found
    else:
        assert found == expected


@given(st.text(max_size=300), st.text(max_size=20))
def test_every_candidate_passes_the_rule_and_comes_from_the_value(value, name):
    for candidate in identifier_candidates(value, name):
        assert looks_like_identifier(candidate)
        assert needles.MIN_LEN <= len(candidate) <= needles.MAX_LEN


@given(st.integers(min_value=needles.TS_S[0], max_value=needles.TS_S[1] - 1), st.booleans())
def test_timestamps_are_not_identifiers(seconds, millis):
    assert not looks_like_identifier(str(seconds * 1000 if millis else seconds))


@given(st.binary(min_size=8, max_size=48).map(bytes.hex), st.text("abcdefghijklmnopqrstuvwxyz", max_size=3))
def test_random_hex_ids_are_identifiers_whole_and_after_a_prefix(token, prefix):
    assume(any(c.isdigit() for c in token) and len(set(token)) >= 8)
    assert looks_like_identifier(token)
    assert token in identifier_candidates(f"{prefix}.1.{token}" if prefix else token, "id")
