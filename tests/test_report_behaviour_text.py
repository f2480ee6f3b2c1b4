"""The behaviour audit in words (scanner.report.behaviour_text) and the gate's behaviour kinds, and every
report format on a scan made before behaviour audits (no ``behaviour`` block in scan.json)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from report_factory import demo_scan
from report_schemas import junit_errors, sarif_errors

from scanner.errors import BadInput
from scanner.gate import BEHAVIOUR_FAIL_ON, FAIL_ON_CHOICES, add_gate_options, normalise_fail_on
from scanner.model import BEHAVIOUR_KINDS, INFO_BEHAVIOUR_KINDS, ScanResult
from scanner.report import FORMATS, write_reports
from scanner.report.behaviour_text import (
    SECRET_KEYS,
    calls_text,
    number,
    observation_text,
    request_without_query,
    short_api,
    where_text,
)

# ---- the gate's behaviour kinds ----------------------------------------------------------------------


def test_fail_on_takes_every_behaviour_kind_but_embed_with_dashes():
    assert set(BEHAVIOUR_FAIL_ON) == set(BEHAVIOUR_KINDS) - INFO_BEHAVIOUR_KINDS
    for kind in BEHAVIOUR_FAIL_ON:
        assert normalise_fail_on([kind.replace("_", "-")]) == {kind}
    assert normalise_fail_on(["fingerprinting,form-data-leak", "ID-Sharing"]) == {
        "fingerprinting",
        "form_data_leak",
        "id_sharing",
    }


@pytest.mark.parametrize("value", ["embed", "fingerprinting,embed"])
def test_fail_on_embed_is_refused_as_information(value):
    with pytest.raises(BadInput, match="'embed': an embed is information"):
        normalise_fail_on([value])


def test_fail_on_help_names_the_behaviour_kinds_as_typed():
    import argparse

    parser = argparse.ArgumentParser()
    add_gate_options(parser)
    (action,) = [a for a in parser._actions if "--fail-on" in a.option_strings]
    for kind in BEHAVIOUR_FAIL_ON:
        assert kind.replace("_", "-") in action.help
    assert "embed" not in FAIL_ON_CHOICES and "embed" not in action.help
    with pytest.raises(BadInput, match="choose from .*form-data-leak"):
        normalise_fail_on(["fingerprint"])


# ---- words -------------------------------------------------------------------------------------------


def test_calls_in_words():
    obs = {
        "calls": [
            {"api": "CanvasRenderingContext2D.measureText", "count": 20000},
            {"api": "CanvasRenderingContext2D.font", "count": 64, "args_total": 64},
            {"api": "EventTarget.addEventListener:keydown", "count": 2},
            {"api": "Navigator.userAgent", "count": 1},
        ]
    }
    assert calls_text(obs) == (
        "measureText × 20\u202f000, font × 64 (64 distinct fonts), keydown listener × 2, "
        "navigator.userAgent × 1"
    )
    assert short_api("OfflineAudioContext") == "OfflineAudioContext"
    assert number(1234567) == "1\u202f234\u202f567" and number("x") == "x"


def test_where_a_value_went_in_words_without_the_value():
    obs = {
        "source": "email",
        "name": "email",
        "url": "https://www.facebook.com/tr/?id=1&ud[em]=5e884898da28047151d0e56f8dc6292773603d0d#frag",
        "location": "url",
        "param": "ud[em]",
        "encoding": "sha256",
    }
    lines = observation_text(obs, "form_data_leak")
    assert "the email field email sent as a SHA-256 hash in the URL, parameter ud[em]" in lines
    assert "received by https://www.facebook.com/tr/" in lines
    assert not any("5e884898" in line or "frag" in line for line in lines)
    assert where_text({"location": "websocket", "encoding": "base64"}) == "base64 text in a WebSocket frame"


def test_cloaked_subdomain_names_the_host_and_the_vendor_it_hides():
    lines = observation_text(
        {"first_party_host": "metrics.shop.example", "hidden_vendor": "Adobe", "cname": "shop.sc.omtrdc.net"},
        "cname_cloaked",
    )
    assert "metrics.shop.example hides Adobe (CNAME → shop.sc.omtrdc.net)" in lines


_page_text = st.text(alphabet=st.characters(blacklist_characters="ZQ"), max_size=30)  # never the secret
_scalars = st.one_of(_page_text, st.integers(), st.booleans(), st.none())
_observations = st.dictionaries(
    st.one_of(st.sampled_from(sorted(SECRET_KEYS)), _page_text),
    st.one_of(_scalars, st.lists(_scalars, max_size=20), st.dictionaries(_page_text, _scalars)),
    max_size=12,
)


@given(obs=_observations, secret=st.text(alphabet="ZQ", min_size=12, max_size=20))
def test_an_observation_never_prints_a_value_and_stays_short(obs, secret):
    for key in SECRET_KEYS:
        obs[key] = secret
    lines = observation_text(obs, "id_sharing")
    assert all(isinstance(line, str) for line in lines)
    assert not any(secret in line for line in lines)
    assert all(len(line) < 3000 for line in lines)


@given(
    scheme=st.sampled_from(["https", "http", "wss", ""]),
    host=st.from_regex(r"[a-z]{1,10}(\.[a-z]{2,5}){1,2}", fullmatch=True),
    path=st.text(alphabet="ghijklmnopqrstuvwxyz/._-", max_size=40),
    secret=st.text(alphabet="0123456789abcdef", min_size=16, max_size=40),
    where=st.sampled_from(["?u={}", "?a=1&b={}", "#{}", "?x=1#{}", "/src=1;u1={}", ";u={}/x", "/a,{}"]),
)
def test_a_receiving_request_never_keeps_its_query(scheme, host, path, secret, where):
    url = (f"{scheme}://" if scheme else "") + host + "/" + path.lstrip("/") + where.format(secret)
    shown = request_without_query(url)
    assert secret not in shown
    assert not set("?#;=,&") & set(shown)


# ---- a scan made before behaviour audits ---------------------------------------------------------------


def _without_behaviour_block() -> ScanResult:
    data = demo_scan().to_dict()
    for key in ("behaviour", "api_calls", "value_leaks"):
        data.pop(key, None)
    data["schema_version"] = "1.1"
    return ScanResult.from_dict(data)


def test_every_format_renders_a_scan_without_behaviour(tmp_path):
    result = _without_behaviour_block()
    assert result.behaviour is None and result.api_calls == () and result.value_leaks == ()
    written = {p.name for p in write_reports(result, tmp_path, FORMATS, fail_on=["fingerprinting"])}
    assert "behaviour.csv" not in written and "findings.csv" in written
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert 'id="behaviour"' not in html and 'href="#behaviour"' not in html
    assert "Behaviour findings" not in html
    md = (tmp_path / "summary.md").read_text(encoding="utf-8")
    assert "Behaviour" not in md
    junit = (tmp_path / "junit.xml").read_text(encoding="utf-8")
    assert junit_errors(junit) == [] and 'name="behaviour"' not in junit
    sarif = json.loads((tmp_path / "results.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(sarif) == []
    rules = [r["id"] for r in sarif["runs"][0]["tool"]["driver"]["rules"]]
    assert not [r for r in rules if r.startswith("TRK2")]
    assert "behaviour" not in sarif["runs"][0]["properties"]


def test_an_empty_behaviour_audit_says_nothing_was_found(tmp_path):
    from scanner.model import BehaviourReport

    result = replace(demo_scan(), behaviour=BehaviourReport(hooks=False, probe_forms=False))
    written = {p.name for p in write_reports(result, tmp_path, FORMATS)}
    assert "behaviour.csv" in written
    import lxml.html

    (section,) = lxml.html.fromstring((tmp_path / "report.html").read_text(encoding="utf-8")).xpath(
        "//section[@id='behaviour']"
    )
    text = " ".join(section.text_content().split())
    assert "API hooks were OFF (--behaviour off)" in text
    assert "Form probe was off: form-data leaks are only found with --probe-forms" in text
    assert "No fingerprinting, session recording, form-data leak" in text
    assert "Not detected is not absent" in text
    assert junit_errors((tmp_path / "junit.xml").read_text(encoding="utf-8")) == []
