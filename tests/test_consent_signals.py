"""Consent state in cookies and gpc.json (scanner.consent.signals): real-shaped values, hostile
values, and properties (never an exception)."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from urllib.parse import quote

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.consent import signals, tcf
from scanner.consent.signals import CookiebotConsent, GpcSupport, OneTrustConsent, UsPrivacy

VECTORS = json.loads((Path(__file__).parent / "data" / "tcf_vectors.json").read_text())["vectors"]

ONETRUST = (
    "isGpcEnabled=1&datestamp=Mon+Dec+07+2026+10%3A00%3A00+GMT%2B0100&version=202409.1.0&browserGpcFlag=1"
    "&isIABGlobal=false&hosts=&consentId=0d7f3c1e-1234-4bcd-9f00-abcdefabcdef&interactionCount=1"
    "&isAnonUser=1&landingPath=NotLandingPage&groups=C0001%3A1%2CC0002%3A0%2CC0003%3A1%2CC0004%3A0"
    "&AwaitingReconsent=false&geolocation=DE%3BBE"
)
COOKIEBOT = quote(
    "{stamp:'x9Yc0pQ+ABCdef==',necessary:true,preferences:false,statistics:true,marketing:false,"
    "method:'explicit',ver:3,utc:1796637600000,region:'de'}"
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("1YNN", UsPrivacy(1, True, False, False)),
        ("1YYY", UsPrivacy(1, True, True, True)),
        ("1NYN", UsPrivacy(1, False, True, False)),
        ("1---", UsPrivacy(1, None, None, None)),
        ("1yyn", UsPrivacy(1, True, True, False)),
        ("1Y-N", UsPrivacy(1, True, None, False)),
    ],
)
def test_us_privacy(text, expected):
    assert signals.us_privacy(text) == expected
    assert str(expected) == text.upper()


def test_us_privacy_meaning_and_errors():
    assert signals.us_privacy("1YYN").opted_out and signals.us_privacy("1YYN").applies
    assert not signals.us_privacy("1---").applies and not signals.us_privacy("1---").opted_out
    for bad in ("", "1YN", "1YNNN", "0YNN", "XYNN", "1ABC", None, 1, "1" * 10_000):
        assert signals.us_privacy(bad) is None


def test_onetrust_cookie_keeps_signals_not_identifiers():
    record = signals.onetrust_consent(ONETRUST)
    assert record == OneTrustConsent(
        groups=(("C0001", True), ("C0002", False), ("C0003", True), ("C0004", False)),
        gpc_enabled=True,
        interaction_count=1,
        awaiting_reconsent=False,
        version="202409.1.0",
        geolocation="DE;BE",
        datestamp="Mon Dec 07 2026 10:00:00 GMT+0100",
    )
    assert record.granted_groups == ("C0001", "C0003") and record.denied_groups == ("C0002", "C0004")
    assert "0d7f3c1e" not in repr(record)


def test_onetrust_cookie_hostile():
    assert signals.onetrust_consent("hello") is None
    assert signals.onetrust_consent("") is None
    assert signals.onetrust_consent(None) is None
    many = "groups=" + quote(",".join(f"C{i:04}:1" for i in range(5000)))
    assert len(signals.onetrust_consent(many).groups) == signals.MAX_GROUPS
    junk = signals.onetrust_consent(
        "groups=" + quote("<script>:1,C0002:2,:1,C0003:1") + "&interactionCount=9" * 9
    )
    assert junk.groups == (("C0003", True),) and junk.interaction_count == 9
    assert signals.onetrust_consent("isGpcEnabled=maybe&interactionCount=99999999999").gpc_enabled is None


def test_cookiebot_cookie_keeps_signals_not_the_stamp():
    record = signals.cookiebot_consent(COOKIEBOT)
    assert record == CookiebotConsent(
        necessary=True,
        preferences=False,
        statistics=True,
        marketing=False,
        method="explicit",
        version=3,
        utc_ms=1796637600000,
        region="de",
    )
    assert record.granted_categories == ("necessary", "statistics")
    assert "x9Yc0pQ" not in repr(record)


def test_cookiebot_cookie_codes_and_hostile():
    assert signals.cookiebot_consent("-2") == CookiebotConsent(special="-2")
    assert signals.cookiebot_consent("-2").granted_categories == ()
    for bad in ("", "{}", "{stamp:'a'}", "necessary:true", "[1,2]", None, "{" * 9000 + "}"):
        assert signals.cookiebot_consent(bad) is None
    weird = signals.cookiebot_consent("{necessary:1,marketing:'yes',region:'" + "x" * 150 + "'}")
    assert weird.necessary is True and weird.marketing is None and len(weird.region) == 16


def test_euconsent_cookie():
    text = VECTORS[3]["tc_string"]
    assert signals.euconsent_v2(text) == tcf.decode(text)
    assert signals.euconsent_v2(quote(text)) == tcf.decode(text)
    assert signals.euconsent_v2('"' + text + '"') == tcf.decode(text)
    assert signals.euconsent_v2("nonsense!") is None
    assert signals.euconsent_v2(None) is None


def test_consent_cookies_picks_the_known_names():
    found = signals.consent_cookies(
        [
            ("_ga", "GA1.1.1.1"),
            ("OptanonConsent", "junk"),
            ("OptanonConsent", ONETRUST),
            ("CookieConsent", COOKIEBOT),
            ("euconsent-v2", VECTORS[0]["tc_string"]),
            ("usprivacy", "1YYN"),
        ]
    )
    assert set(found) == {"OptanonConsent", "CookieConsent", "euconsent-v2", "usprivacy"}
    assert isinstance(found["OptanonConsent"], OneTrustConsent)
    assert isinstance(found["euconsent-v2"], tcf.TCString)


@pytest.mark.parametrize(
    "body, content_type, expected",
    [
        (b'{"gpc": true, "lastUpdate": "2026-04-01"}', "application/json", GpcSupport(True, "2026-04-01")),
        ('{"gpc": false}', None, GpcSupport(False)),
        (b'\xef\xbb\xbf{"gpc": true}', "application/json; charset=utf-8", GpcSupport(True)),
        (b'{"gpc": "true"}', None, GpcSupport(None, None, ('"gpc" is missing or not true/false',))),
        (
            b'{"gpc": true, "lastUpdate": "2026-02-30"}',
            None,
            GpcSupport(True, None, ('"lastUpdate" is not a real date',)),
        ),
        (
            b'{"gpc": true, "lastUpdate": 20260401}',
            None,
            GpcSupport(True, None, ('"lastUpdate" is not a date YYYY-MM-DD',)),
        ),
        (b"[true]", None, GpcSupport(problems=("not a JSON object",))),
        (
            b"<html>404</html>",
            "text/html",
            GpcSupport(problems=("content type is 'text/html', not JSON", "not valid JSON")),
        ),
        (b"\xff\xfe", None, GpcSupport(problems=("not valid JSON",))),
        (None, None, GpcSupport(problems=("no body",))),
        (b" " * 70_000, None, GpcSupport(problems=("larger than 65536 bytes",))),
        (b"[" * 50_000, None, GpcSupport(problems=("not valid JSON",))),
    ],
)
def test_gpc_json(body, content_type, expected):
    result = signals.gpc_json(body, content_type)
    assert result == expected
    assert result.claims_support == (expected.valid and expected.gpc is True)


# --- properties ------------------------------------------------------------------------------------


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_cookie_readers_never_raise(text):
    """Any cookie value is read or refused (None); a gpc.json body that is not valid says why."""
    for reader in signals.COOKIE_READERS.values():
        value = reader(text)
        assert value is None or dataclasses.is_dataclass(value)
    support = signals.gpc_json(text)
    assert support.valid or support.problems


@settings(max_examples=200, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            ["groups", "isGpcEnabled", "interactionCount", "consentId", "version", "geolocation"]
        ),
        st.text(max_size=60),
    )
)
def test_onetrust_never_keeps_the_consent_id(fields):
    from urllib.parse import urlencode

    record = signals.onetrust_consent(urlencode(fields))
    if record is not None:
        assert "consentId" not in repr(record)
        assert all(isinstance(g, str) and isinstance(on, bool) for g, on in record.groups)


@settings(max_examples=200, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=20),
        lambda c: st.lists(c) | st.dictionaries(st.text(max_size=8), c),
        max_leaves=20,
    )
)
def test_gpc_json_of_any_json(doc):
    result = signals.gpc_json(json.dumps(doc))
    if not isinstance(doc, dict) or not isinstance(doc.get("gpc"), bool):
        assert not result.valid and not result.claims_support
    elif "lastUpdate" not in doc:
        assert result.valid and result.gpc is doc["gpc"]
