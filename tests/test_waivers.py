"""Waivers (scanner.waivers): the TOML reader (every problem is one BadInput line naming file:line, never
a traceback: Hypothesis), and waivers applied to real pipeline results (report_factory, consent_factory,
behaviour_factory): which findings they accept, expiry against the scan's date, unused waivers, and the
Waiver in scan.json (schema 1.3)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, date, datetime

import behaviour_factory
import consent_factory
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_factory import demo_scan

from scanner.errors import BadInput
from scanner.gate import failing_findings, gate_exit_code, verdict
from scanner.model import SCHEMA_VERSION, ScanResult, Waiver
from scanner.schema import validation_errors
from scanner.waivers import apply_waivers, load_waivers, parse_waivers, scan_day, unused_waivers, waiver_text

GOOD = """\
# accepted findings
[[waiver]]
vendor = "Hotjar"
status = "undeclared"
reason = "Heatmaps for the checkout study"
owner = "web-team@example.com"
expires = 2026-03-31

[[waiver]]
vendor = "  unknown-METRICS.io "
reason = "A/B test vendor, contract in review"
owner = "Dana"
expires = "2025-11-24"

[[waiver]]
vendor = "Facebook"
status = "Not-Observed"
reason = "r"
owner = "o"
expires = 2025-01-01
reasons = ["purpose", "lifetime"]
"""


HEAD = '[[waiver]]\nvendor = "A"\nreason = "r"\nowner = "o"\n'  # lines 1-4 of an entry
DATE = "expires = 2025-01-01\n"


def rules_of(text: str):
    return parse_waivers(text, "waivers.toml")


def test_reads_entries_with_their_lines():
    hotjar, unknown, facebook = rules_of(GOOD)
    assert (hotjar.vendor, hotjar.status, hotjar.owner, hotjar.expires) == (
        "Hotjar",
        "undeclared",
        "web-team@example.com",
        date(2026, 3, 31),
    )
    assert hotjar.source == "waivers.toml:2" and unknown.source == "waivers.toml:9"
    assert unknown.status is None and unknown.status_text == "any" and unknown.vendor == "unknown-METRICS.io"
    assert unknown.expires == date(2025, 11, 24)  # a quoted ISO date is a date too
    assert facebook.status == "not_observed" and facebook.reasons == ("purpose", "lifetime")


def test_reads_a_file(tmp_path):
    path = tmp_path / "waivers.toml"
    path.write_text(GOOD, encoding="utf-8")
    assert [r.source for r in load_waivers(path)] == [f"{path}:2", f"{path}:9", f"{path}:15"]


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        ('[[waiver]]\nvendor = "A"\nreason = "r"\nowner = "o"\n', "waivers.toml:1", "no 'expires'"),
        (
            '[[waiver]]\nvendor = "A"\nreason = "r"\nowner = "o"\nexpires = "next week"\n',
            "waivers.toml:5",
            "'expires' must be a date",
        ),
        (
            '[[waiver]]\nvendor = "A"\nreason = "r"\nowner = "o"\nexpires = "2025-02-30"\n',
            "waivers.toml:5",
            "'expires' must be a date",
        ),
        (
            '[[waiver]]\nvendor = "A"\nreason = "r"\nowner = "o"\nexpires = 2025-01-01T10:00:00Z\n',
            "waivers.toml:5",
            "without a time",
        ),
        (
            HEAD + DATE + "\n" + HEAD + DATE + 'status = "undeclard"\n',
            "waivers.toml:12",
            "unknown status 'undeclard'",
        ),
        (
            HEAD + DATE + 'status = "declared"\n',
            "waivers.toml:6",
            "never fails the gate",
        ),
        (
            HEAD + DATE + 'owners = "x"\n',
            "waivers.toml:6",
            "unknown waiver key 'owners'",
        ),
        (
            '[[waiver]]\nvendor = ""\nreason = "r"\nowner = "o"\nexpires = 2025-01-01\n',
            "waivers.toml:2",
            "vendor",
        ),
        (
            HEAD + DATE + 'reasons = "purpose"\n',
            "waivers.toml:6",
            "'reasons' must be a list",
        ),
        ('[[waivers]]\nvendor = "A"\n', "waivers.toml:1", "unknown key 'waivers'"),
        ('waiver = "all of them"\n', "waivers.toml:1", "[[waiver]] tables"),
        ('[[waiver]]\nvendor = "A\nreason = "r"\n', "waivers.toml:2", "not valid TOML"),
        (
            'waiver = [{vendor = "A", reason = "r", owner = "o"}]\n',
            "waivers.toml: waiver 1",
            "no 'expires'",
        ),
    ],
)
def test_problems_are_one_line_naming_file_and_line(text, where, words):
    with pytest.raises(BadInput) as err:
        rules_of(text)
    message = str(err.value)
    assert message.startswith(where + ":") or message.startswith(where + " "), message
    assert words in message and "\n" not in message


def test_file_problems(tmp_path):
    with pytest.raises(BadInput, match="no such waivers file"):
        load_waivers(tmp_path / "missing.toml")
    with pytest.raises(BadInput, match="is a folder"):
        load_waivers(tmp_path)
    latin = tmp_path / "latin.toml"
    latin.write_bytes(b'[[waiver]]\nvendor = "Caf\xe9"\n')
    with pytest.raises(BadInput, match=r"latin.toml:2: not UTF-8"):
        load_waivers(latin)
    empty = tmp_path / "empty.toml"
    empty.write_text("# nothing accepted yet\n", encoding="utf-8")
    assert load_waivers(empty) == ()


def _one_line_or_rules(text: str) -> None:
    try:
        rules = parse_waivers(text, "w.toml")
    except BadInput as exc:
        message = str(exc)
        assert message.startswith("w.toml") and "\n" not in message and "\r" not in message
        return
    for rule in rules:
        assert rule.vendor and rule.reason and rule.owner and isinstance(rule.expires, date)
        assert rule.source.startswith("w.toml")


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=300))
def test_any_text_is_rules_or_one_line(text):
    _one_line_or_rules(text)


TOML_CHARS = st.sampled_from(list("[]=\"'\n#.,{}-:0123456789 waiverndostuxpyhcl\\"))


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(TOML_CHARS, max_size=200).map(lambda s: "[[waiver]]\n" + s))
def test_toml_like_text_is_rules_or_one_line(text):
    _one_line_or_rules(text)


VALUES = st.one_of(
    st.text(max_size=30),
    st.integers(),
    st.booleans(),
    st.dates().map(date.isoformat),
    st.lists(st.text(max_size=10), max_size=3),
)


def _toml_value(value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str) and len(value) == 10 and value[4:5] == "-" and value[:4].isdigit():
        return value  # a bare TOML date
    return json.dumps(value)  # JSON strings, numbers and arrays of strings are TOML too (mostly)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["vendor", "status", "reason", "owner", "expires", "reasons", "other"]),
            VALUES,
            max_size=7,
        ),
        max_size=4,
    )
)
def test_generated_entries_are_rules_or_one_line(entries):
    text = "".join(
        "[[waiver]]\n" + "".join(f"{k} = {_toml_value(v)}\n" for k, v in e.items()) + "\n" for e in entries
    )
    _one_line_or_rules(text)


# ---- applied to real pipeline results --------------------------------------------------------------


@pytest.fixture(scope="module")
def demo() -> ScanResult:
    return demo_scan()  # started 2025-11-24; Criteo, Hotjar, unknown-metrics.io undeclared; Facebook mismatch


def by_vendor(result: ScanResult, status: str | None = None) -> dict[str, Waiver | None]:
    return {f.vendor: f.waiver for f in result.findings if status is None or f.status == status}


def test_an_active_waiver_accepts_the_finding(demo):
    rules = rules_of(GOOD)
    waived = apply_waivers(demo, rules)
    marks = by_vendor(waived)
    assert marks["Hotjar"] == Waiver(
        vendor="Hotjar",
        status="undeclared",
        reason="Heatmaps for the checkout study",
        owner="web-team@example.com",
        expires="2026-03-31",
        source="waivers.toml:2",
        expired=False,
    )
    # case and spacing do not matter; a waiver expiring on the scan's own day still holds
    assert marks["unknown-metrics.io"] is not None and not marks["unknown-metrics.io"].expired
    assert marks["Criteo"] is None and marks["Google Analytics"] is None
    assert [f.vendor for f in failing_findings(waived)] == ["Criteo"]
    assert gate_exit_code(waived) == 1
    assert waiver_text(marks["Hotjar"]) == (
        "waived (Heatmaps for the checkout study, web-team@example.com, until 2026-03-31)"
    )


def test_an_expired_waiver_fails_again(demo):
    assert scan_day(demo) == date(2025, 11, 24)
    rules = rules_of(GOOD.replace("2026-03-31", "2025-11-23"))
    waived = apply_waivers(demo, rules)
    hotjar = by_vendor(waived)["Hotjar"]
    assert hotjar is not None and hotjar.expired
    assert waiver_text(hotjar) == (
        "waiver expired on 2025-11-23 (Heatmaps for the checkout study, web-team@example.com)"
    )
    assert [f.vendor for f in failing_findings(waived)] == ["Criteo", "Hotjar"]
    gate = verdict(waived)
    assert [f.vendor for f in gate.expired] == ["Hotjar"] and [f.vendor for f in gate.waived] == [
        "unknown-metrics.io"
    ]


def test_status_and_reasons_narrow_a_waiver(demo):
    base = '[[waiver]]\nvendor = "Facebook"\nreason = "r"\nowner = "o"\nexpires = 2030-01-01\n'
    assert by_vendor(apply_waivers(demo, rules_of(base)))["Facebook"] is not None  # any failing status
    assert by_vendor(apply_waivers(demo, rules_of(base + 'status = "undeclared"\n')))["Facebook"] is None
    covered = apply_waivers(demo, rules_of(base + 'status = "mismatch"\nreasons = ["purpose", "lifetime"]\n'))
    assert by_vendor(covered)["Facebook"] is not None
    assert failing_findings(covered, ["mismatch"]) == []
    # a mismatch for a reason the waiver does not name is not covered
    narrower = apply_waivers(demo, rules_of(base + 'reasons = ["lifetime"]\n'))
    assert by_vendor(narrower)["Facebook"] is None
    assert [f.vendor for f in failing_findings(narrower, ["mismatch"])] == ["Facebook"]
    # the declared name matches too (Facebook is declared as "Meta Pixel")
    alias = apply_waivers(demo, rules_of(base.replace('"Facebook"', '"meta pixel"')))
    assert by_vendor(alias)["Facebook"] is not None


def test_a_waiver_that_matches_nothing_is_unused(demo):
    text = (
        GOOD
        + '\n[[waiver]]\nvendor = "Google Analytics"\nreason = "r"\nowner = "o"\nexpires = 2030-01-01\n'
        + '\n[[waiver]]\nvendor = "Nobody"\nstatus = "undeclared"\nreason = "r"\nowner = "o"\n'
        + "expires = 2030-01-01\n"
    )
    rules = rules_of(text)
    waived = apply_waivers(demo, rules)
    # Google Analytics is declared and consistent: nothing to waive; Facebook's waiver is for not_observed
    assert by_vendor(waived)["Google Analytics"] is None
    assert [r.vendor for r in unused_waivers(rules, waived)] == ["Facebook", "Google Analytics", "Nobody"]


def test_waivers_replace_earlier_ones(demo):
    once = apply_waivers(demo, rules_of(GOOD))
    again = apply_waivers(once, ())
    assert all(f.waiver is None for f in again.findings)
    assert again.findings == demo.findings


def test_consent_and_behaviour_findings_are_waived_too():
    consent = consent_factory.scan(consent_factory.crawl_visits())
    rules = rules_of('[[waiver]]\nvendor = "criteo"\nreason = "r"\nowner = "o"\nexpires = 2030-01-01\n')
    waived = apply_waivers(consent, rules)
    marked = {(f.vendor, f.status): f.waiver is not None for f in waived.consent.findings}
    assert marked[("Criteo", "before_consent")] and marked[("Criteo", "despite_reject")]
    assert not marked[("Google Analytics", "before_consent")] and not marked[("Facebook", "consent_gated")]
    assert "Criteo" not in {f.vendor for f in failing_findings(waived, ["before_consent", "despite_reject"])}

    behaviour = behaviour_factory.behaviour_result()
    rules = rules_of(
        '[[waiver]]\nvendor = "Criteo"\nstatus = "fingerprinting"\nreason = "r"\nowner = "o"\n'
        "expires = 2099-01-01\n"
        '[[waiver]]\nvendor = "Facebook"\nreason = "r"\nowner = "o"\nexpires = 2099-01-01\n'
    )
    waived = apply_waivers(behaviour, rules)
    marked = {(f.vendor, f.status): f.waiver is not None for f in waived.behaviour.findings}
    assert marked[("Criteo", "fingerprinting")] and not marked[("Criteo", "id_sharing")]
    # an embed is information, never waived
    assert marked[("Facebook", "form_data_leak")] and not marked[("Facebook", "embed")]


def test_the_waiver_is_in_scan_json(demo):
    waived = apply_waivers(demo, rules_of(GOOD))
    data = json.loads(json.dumps(waived.to_dict()))
    assert data["schema_version"] == SCHEMA_VERSION == "1.4"
    assert validation_errors(data) == []
    hotjar = next(f for f in data["findings"] if f["vendor"] == "Hotjar")
    assert hotjar["waiver"]["source"] == "waivers.toml:2" and hotjar["waiver"]["expired"] is False
    assert ScanResult.from_dict(data) == waived
    # a scan.json of schema 1.2 (no waiver) still loads
    old = json.loads(json.dumps(demo.to_dict()))
    old["schema_version"] = "1.2"
    for f in old["findings"]:
        f.pop("waiver")
    assert ScanResult.from_dict(old).findings == demo.findings
    # a waiver of the wrong shape is refused by the reader, with its place
    data["findings"][1]["waiver"] = {"vendor": "Hotjar"}
    with pytest.raises(ValueError, match=r"findings\[1\]\.waiver: missing"):
        ScanResult.from_dict(data)


def test_scan_day_of_an_unreadable_start_is_today(demo):
    odd = replace(demo, meta=replace(demo.meta, started_at="yesterday"))
    assert scan_day(odd) == datetime.now(UTC).date()
    late = replace(demo, meta=replace(demo.meta, started_at="2025-11-24T23:30:00-05:00"))
    assert scan_day(late) == date(2025, 11, 25)  # the UTC day
