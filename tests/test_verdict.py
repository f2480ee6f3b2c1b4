"""The verdict in the terminal (scanner.report.verdict_text) on real pipeline results: FAIL / PASS /
PARTIAL / NOT GATED headlines, one line per failing finding with its reasons and first evidence, warnings
(--warn-on), waived and expired findings, unused waivers; GitHub annotations escaped so that hostile
vendor names, details and URLs (Hypothesis) can neither break a line nor start a workflow command."""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from report_factory import demo_scan, partial

from scanner.errors import EXIT_FINDINGS, EXIT_OK, EXIT_PARTIAL, BadInput
from scanner.gate import normalise_warn_on, verdict
from scanner.model import Evidence, ScanResult
from scanner.report.verdict_text import (
    annotation,
    escape_data,
    escape_property,
    github_annotations,
    print_verdict,
    verdict_lines,
)
from scanner.safetext import terminal_text
from scanner.waivers import apply_waivers, parse_waivers, unused_waivers

WAIVERS = """\
[[waiver]]
vendor = "Hotjar"
status = "undeclared"
reason = "Heatmaps for the checkout study"
owner = "web-team"
expires = 2026-03-31

[[waiver]]
vendor = "Criteo"
reason = "Retargeting test"
owner = "ads-team"
expires = 2025-11-01

[[waiver]]
vendor = "Bing"
status = "undeclared"
reason = "gone since October"
owner = "ads-team"
expires = 2026-01-01
"""


@pytest.fixture(scope="module")
def demo() -> ScanResult:
    return (
        demo_scan()
    )  # Criteo, Hotjar, unknown-metrics.io undeclared; Facebook mismatch; Capterra not observed


@pytest.fixture(scope="module")
def waived(demo):
    rules = parse_waivers(WAIVERS, "waivers.toml")
    result = apply_waivers(demo, rules)
    return result, unused_waivers(rules, result)


def test_fail_names_each_failing_vendor_status_and_why(demo):
    lines = verdict_lines(demo, verdict(demo))
    assert lines[0] == "FAIL: 3 findings fail the gate (--fail-on undeclared)"
    assert [line.split(" [")[0] for line in lines[1:]] == [
        "  - Criteo",
        "  - Hotjar",
        "  - unknown-metrics.io",
    ]
    criteo = lines[1]
    assert criteo.startswith("  - Criteo [undeclared]: Criteo (advertising) is not declared")
    assert "first evidence: cookie cto_bundle (.example.com) on https://www.example.com/shop" in criteo
    unknown = lines[3]
    assert unknown.startswith("  - unknown-metrics.io [undeclared, unknown vendor]: Unknown tracker")
    assert "reasons: unknown" in unknown
    assert (
        "first evidence: beacon https://px.unknown-metrics.io/p.gif?u=1 on https://www.example.com/shop"
        in unknown
    )


def test_pass_partial_and_not_gated(demo):
    assert verdict_lines(demo, verdict(demo, baseline=demo)) == [
        "PASS: no finding fails the gate (--fail-on undeclared; only findings new since the baseline)"
    ]
    assert verdict_lines(demo, verdict(demo, ["none"])) == [
        "NOT GATED: findings are reported, none can fail the build (--fail-on none)"
    ]
    cut = partial(demo)
    gate = verdict(cut, ["none"])
    assert gate.code == EXIT_PARTIAL and gate.label == "PARTIAL"
    assert verdict_lines(cut, gate) == [
        "PARTIAL: no finding fails the gate, but the scan is incomplete (interrupted after 3 pages) "
        "(--fail-on none)"
    ]
    # findings fail a partial scan: FAIL, and the block still says the scan is incomplete
    lines = verdict_lines(cut, verdict(cut, ["mismatch", "not_observed"]))
    assert lines[0] == "FAIL: 2 findings fail the gate (--fail-on mismatch,not-observed)"
    assert lines[-1].startswith("warning: partial scan: interrupted after 3 pages")


def test_warn_on_reports_without_failing(demo):
    gate = verdict(demo, ["none"], warn_on=["mismatch", "not-observed"])
    assert gate.code == EXIT_OK and [f.vendor for f in gate.warnings] == ["Facebook", "Capterra"]
    lines = verdict_lines(demo, gate)
    assert lines[1] == "WARN: 2 findings reported as warnings (--warn-on mismatch,not-observed)"
    assert lines[2].startswith("  - Facebook [mismatch]: Declared as 'Meta Pixel' (alias)")
    assert "reasons: purpose" in lines[2] and lines[3].startswith("  - Capterra [not-observed]: ")
    # a status in both lists fails, and is no warning
    both = verdict(demo, ["mismatch"], warn_on=["mismatch"])
    assert (
        both.code == EXIT_FINDINGS and [f.vendor for f in both.failing] == ["Facebook"] and not both.warnings
    )
    assert normalise_warn_on(None) == frozenset() and normalise_warn_on(["none"]) == frozenset()
    with pytest.raises(BadInput, match="--warn-on 'embed'"):
        normalise_warn_on(["embed"])
    with pytest.raises(BadInput, match="--warn-on 'bogus'"):
        normalise_warn_on(["bogus"])


def test_waived_expired_and_unused(waived):
    result, unused = waived
    gate = verdict(result)
    assert [f.vendor for f in gate.failing] == ["Criteo", "unknown-metrics.io"]
    lines = verdict_lines(result, gate, unused=unused)
    assert lines[0] == "FAIL: 2 findings fail the gate (--fail-on undeclared)"
    assert lines[1].startswith("  - Criteo [undeclared]: ") and lines[1].endswith(
        "; waiver expired on 2025-11-01 [waivers.toml:8]"
    )
    assert lines[3:] == [
        "WAIVED: 1 finding accepted by a waiver (not failing)",
        "  - Hotjar [undeclared]: waived (Heatmaps for the checkout study, web-team, until 2026-03-31) "
        "[waivers.toml:1]",
        "warning: the waiver for Criteo [undeclared] expired on 2025-11-01 (owner ads-team, waivers.toml:8): "
        "the finding counts again; renew or remove the waiver",
        'warning: unused waiver for "Bing" [undeclared] (waivers.toml:14): it matched no finding; remove it',
    ]


def test_annotations_point_at_the_declaration_and_the_waiver(waived, demo):
    result, unused = waived
    notes = github_annotations(result, verdict(result, warn_on=["mismatch"]), unused=unused)
    assert [n.split("::")[1] for n in notes] == [
        "error title=tracker audit%3A Criteo (undeclared)",
        "error title=tracker audit%3A unknown-metrics.io (undeclared)",
        "warning file=vendors.csv,line=3,title=tracker audit warning%3A Facebook (mismatch)",
        "warning file=waivers.toml,line=8,title=waiver expired%3A Criteo (undeclared)",
        "warning file=waivers.toml,line=14,title=unused waiver%3A Bing",
    ]
    assert notes[0].endswith("(fails the gate: --fail-on undeclared)")
    assert "Criteo [undeclared]: Criteo (advertising) is not declared" in notes[0]
    cut = partial(demo)
    assert github_annotations(cut, verdict(cut, ["none"]))[-1].startswith(
        "::warning title=partial scan::partial scan: interrupted after 3 pages"
    )


def test_annotations_only_in_github_actions(demo):
    gate = verdict(demo)
    for env, expected in (({}, 0), ({"GITHUB_ACTIONS": "false"}, 0), ({"GITHUB_ACTIONS": "true"}, 3)):
        out = io.StringIO()
        print_verdict(demo, gate, out=out, environ=env)
        text = out.getvalue()
        assert text.startswith("FAIL: 3 findings") and text.endswith("\n")
        assert sum(line.startswith("::error ") for line in text.splitlines()) == expected


def test_escapes():
    assert escape_data("100%\r\nnext") == "100%25%0D%0Anext"
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
    assert annotation("error", "x", title="t:1", file="dir,1/vendors.csv", line=3) == (
        "::error file=dir%2C1/vendors.csv,line=3,title=t%3A1::x"
    )
    with pytest.raises(ValueError):
        annotation("debug", "x")


def unescape(text: str) -> str:
    return (
        text.replace("%0D", "\r")
        .replace("%0A", "\n")
        .replace("%3A", ":")
        .replace("%2C", ",")
        .replace("%25", "%")
    )


@given(st.text(max_size=200))
def test_escaping_round_trips_and_leaves_no_separator(text):
    data, prop = escape_data(text), escape_property(text)
    assert "\r" not in data and "\n" not in data and unescape(data) == text
    assert not set(":,\r\n") & set(prop) and unescape(prop) == text


# ---- hostile text ----------------------------------------------------------------------------------

HOSTILE = st.one_of(
    st.text(max_size=60),
    st.sampled_from(
        [
            "\n::error title=pwned::injected",
            "x\r::warning::injected",
            "::stop-commands::token",
            "##[error]old style",
            "\x1b[2J\x1b[31mred",
            "line\u2028separator\u0085next",
            "right\u202eto left",
            "100%0A::error::escaped already",
            ", : %",
        ]
    ),
)
COMMAND = re.compile(r"^::(error|warning)( [a-z]+=[^:,\r\n]*(,[a-z]+=[^:,\r\n]*)*)?::[^\r\n]*$")


def _printable(line: str) -> bool:
    return all(unicodedata.category(c) not in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in line)


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(vendor=HOSTILE, detail=HOSTILE, url=HOSTILE, reason=HOSTILE, owner=HOSTILE)
@example(
    vendor="evil\n::error title=pwned::injected",
    detail="\x1b[2J",
    url="https://t.example/?q=%0A::warning::x",
    reason="r\r\n::error::y",
    owner=", : %",
)
def test_hostile_text_cannot_break_a_line_or_inject_a_command(demo, vendor, detail, url, reason, owner):
    """Whatever the page and the waivers file hold: each verdict line is one printable line that starts
    with our own text, and each annotation is exactly one well-formed ``::`` command."""
    findings = list(demo.findings)
    findings[0] = replace(
        findings[0],
        vendor=vendor if vendor.strip() else "v",
        detail=detail,
        evidence=Evidence(pages=(url,), requests=({"url": url, "page_url": url},)),
    )
    findings[3] = replace(findings[3], vendor=vendor if vendor.strip() else "v", reasons=(detail,))
    result = replace(demo, findings=tuple(findings))

    def value(text: str, default: str) -> str:
        return _toml_string(text if text.strip() else default)

    toml_text = (
        f"[[waiver]]\nvendor = {value(vendor, 'v')}\nreason = {value(reason, 'r')}\n"
        f"owner = {value(owner, 'o')}\nexpires = 2020-01-01\n"
        f"[[waiver]]\nvendor = {value(vendor + 'x', 'x')}\nreason = 'r'\nowner = 'o'\n"
        "expires = 2099-01-01\n"
    )
    rules = parse_waivers(toml_text, "waivers.toml")
    result = apply_waivers(result, rules)
    gate = verdict(result, ["undeclared", "mismatch"], warn_on=["not_observed"])
    unused = unused_waivers(rules, result)
    out = io.StringIO()
    print_verdict(result, gate, unused=unused, out=out, environ={"GITHUB_ACTIONS": "true"})
    lines = out.getvalue().split("\n")
    assert lines[-1] == ""
    lines = lines[:-1]
    notes = github_annotations(result, gate, unused=unused)
    assert lines[len(lines) - len(notes) :] == notes
    text_lines = lines[: len(lines) - len(notes)]
    for line in text_lines:
        assert _printable(line) and "\r" not in line
        assert not line.lstrip().startswith(("::", "##[")), line
        assert line.startswith(("FAIL: ", "PASS: ", "WARN: ", "WAIVED: ", "  - ", "warning: ")), line
    assert sum(line.lstrip().startswith("::") for line in lines) == len(notes)
    assert len(notes) == len(gate.failing) + len(gate.warnings) + len(gate.expired) + len(unused)
    for note in notes:
        assert COMMAND.match(note), note
        assert _printable(note)


def _toml_string(text: str) -> str:
    """``text`` as a TOML basic string (escapes for every control character)."""
    out = []
    for ch in text:
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif unicodedata.category(ch) in ("Cc", "Cs") or ch == "\x7f":
            out.append(f"\\u{ord(ch):04x}" if not 0xD800 <= ord(ch) <= 0xDFFF else "?")
        else:
            out.append(ch)
    return '"' + "".join(out) + '"'


def test_terminal_text():
    assert terminal_text("\x1b[2Jhi\n") == "\\u001b[2Jhi\\u000a"
    assert terminal_text("a\u202eb\u2028c") == "a\\u202eb\\u2028c"
    assert terminal_text("x" * 10, 5) == "xxxx…" and terminal_text(None) == ""
    assert terminal_text("plain text, ünïcode") == "plain text, ünïcode"
