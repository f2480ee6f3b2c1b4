"""Google Consent Mode and the other consent parameters kept from request URLs
(scanner.consent.consent_mode)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.consent import consent_mode as cm
from scanner.consent.consent_mode import ConsentModeState, SignalState

GA = "https://region1.google-analytics.com/g/collect?v=2&tid=G-XYZ&cid=123.456&_p=99"


def test_only_allow_listed_values_are_kept():
    url = GA + "&gcs=G100&gcd=13p3p3p3p5l1&npa=1&dma=1&dma_cps=syphamo&pscdl=noapi&uid=u-123&_fid=abc&gcu=1"
    assert cm.consent_params(url) == {
        "gcs": "G100",
        "gcd": "13p3p3p3p5l1",
        "npa": "1",
        "dma": "1",
        "dma_cps": "syphamo",
        "pscdl": "noapi",
        "gcu": "1",
    }


def test_iab_and_meta_signals_and_matrix_parameters():
    url = (
        "https://ad.doubleclick.net/activity;src=1;type=x;gdpr=1;gdpr_consent=CQabc-_;ord=12345"
        "?us_privacy=1YYN&gpp=DBABMA~CQ&gpp_sid=2,7&dpo=LDU&dpoco=1&dpost=1000&fbp=fb.1.2.3"
    )
    assert cm.consent_params(url) == {
        "us_privacy": "1YYN",
        "gpp": "DBABMA~CQ",
        "gpp_sid": "2,7",
        "dpo": "LDU",
        "dpoco": "1",
        "dpost": "1000",
        "gdpr": "1",
        "gdpr_consent": "CQabc-_",
    }


def test_values_are_capped_and_cleaned():
    params = cm.consent_params(
        GA + "&gcs=" + "G" * 500 + "&gdpr_consent=" + "C" * 9000 + "&npa=1%0A%E2%80%AE2"
    )
    assert len(params["gcs"]) == cm.MAX_VALUE
    assert len(params["gdpr_consent"]) == cm.MAX_LONG_VALUE
    assert params["npa"] == "12"


def test_first_value_wins_and_bad_urls_give_nothing():
    assert cm.consent_params(GA + "&npa=1&npa=0") == {"npa": "1"}
    assert cm.consent_params("http://[::1") == {}
    assert cm.consent_params(None) == {}  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "value, ad, analytics",
    [("G100", False, False), ("G101", False, True), ("G110", True, False), ("G111", True, True)],
)
def test_gcs(value, ad, analytics):
    state = cm.decode_gcs(value)
    assert state is not None and state.source == "gcs"
    assert state.ad_storage.granted is ad and state.analytics_storage.granted is analytics
    assert state.ad_user_data is None and state.ad_personalization is None
    assert cm.claims_granted(state) is (ad or analytics)


def test_gcs_not_set_and_malformed():
    state = cm.decode_gcs("G1--")
    assert state is not None and state.ad_storage is None and not cm.claims_granted(state)
    for bad in ("", "G1", "G12", "G1111", "g111", "G211", "G1x1"):
        assert cm.decode_gcs(bad) is None


LETTERS = {
    "l": (None, None),
    "p": (False, None),
    "q": (False, False),
    "t": (True, None),
    "r": (False, True),
    "m": (None, False),
    "n": (None, True),
    "u": (True, False),
    "v": (True, True),
}


@pytest.mark.parametrize("letter", sorted(LETTERS))
def test_gcd_letters(letter):
    default, update = LETTERS[letter]
    assert cm.decode_gcd_letter(letter) == SignalState(default, update)


def test_gcd_positions():
    state = cm.decode_gcd("11t1r1p1q5")
    assert state == ConsentModeState(
        "gcd",
        SignalState(True, None),
        SignalState(False, True),
        SignalState(False, None),
        SignalState(False, False),
    )
    assert cm.granted_signals(state) == ("ad_storage", "analytics_storage")
    assert cm.granted_by_default(state) == ("ad_storage",)
    # newer tags: other separators and a tail
    assert cm.decode_gcd("13r3r3r3r5l1") == ConsentModeState("gcd", *[SignalState(False, True)] * 4)


def test_gcd_malformed():
    for bad in ("", "11p1p1p", "21p1p1p1p5", "11p1p1p1z5", "11pxp1p1p5", "1" * 100, "11A1p1p1p5"):
        assert cm.decode_gcd(bad) is None


def test_state_prefers_gcd_and_fills_from_gcs():
    both = cm.consent_mode_state({"gcs": "G111", "gcd": "11l1q1p1p5"})
    assert both is not None and both.source == "gcd+gcs"
    assert both.ad_storage == SignalState(update=True)  # gcd says "not set": gcs fills in
    assert both.analytics_storage == SignalState(False, False)
    assert cm.consent_mode_state({"gcs": "G100"}).source == "gcs"
    assert cm.consent_mode_state({"gcd": "11p1p1p1p5"}).source == "gcd"
    assert cm.consent_mode_state({"gcd": "junk"}) is None
    assert cm.consent_mode_state({}) is None
    assert not cm.claims_granted(None) and cm.granted_by_default(None) == ()


def test_denied_everywhere_claims_nothing():
    state = cm.consent_mode_state(cm.consent_params(GA + "&gcs=G100&gcd=11q1q1q1q5"))
    assert not cm.claims_granted(state)


# --- properties ------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_decoders_never_raise(text):
    for decoder in (cm.decode_gcs, cm.decode_gcd):
        result = decoder(text)
        assert result is None or isinstance(result, ConsentModeState)
    cm.claims_granted(cm.decode_gcd(text))


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(sorted(LETTERS)), min_size=4, max_size=4), st.text("0123456789", max_size=4))
def test_gcd_reads_every_letter_combination(letters, tail):
    value = "11" + "1".join(letters) + "5" + tail
    state = cm.decode_gcd(value)
    assert state is not None
    for name, letter in zip(cm.SIGNALS, letters, strict=True):
        assert state.signal(name) == SignalState(*LETTERS[letter])
    assert cm.claims_granted(state) == any(
        LETTERS[x][1] or (LETTERS[x][1] is None and LETTERS[x][0]) for x in letters
    )


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), st.text(max_size=300))
def test_consent_params_of_any_url(path, query):
    params = cm.consent_params(f"https://h.example/{path}?{query}")
    assert set(params) <= cm.CONSENT_PARAMS
    assert all(len(v) <= cm.MAX_LONG_VALUE and "\n" not in v for v in params.values())
