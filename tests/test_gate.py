"""The CI gate: --fail-on statuses, none, --baseline (only new findings fail), and partial scans
(never pass: exit 4, unless findings fail the gate: 1)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from report_factory import demo_scan as demo_result
from report_factory import partial

from scanner.errors import EXIT_BAD_INPUT, EXIT_CANNOT_SCAN, EXIT_FINDINGS, EXIT_OK, EXIT_PARTIAL, BadInput
from scanner.gate import failing_findings, gate_exit_code, new_since, normalise_fail_on, verdict
from scanner.model import Finding


@pytest.fixture(scope="module")
def result():
    return demo_result()


def test_default_fails_on_undeclared(result):
    assert gate_exit_code(result, ["undeclared"]) == EXIT_FINDINGS
    assert gate_exit_code(result) == EXIT_FINDINGS
    assert [f.vendor for f in failing_findings(result)] == ["Criteo", "Hotjar", "unknown-metrics.io"]


@pytest.mark.parametrize(
    ("fail_on", "vendors"),
    [
        (["mismatch"], ["Facebook"]),
        (["not_observed"], ["Capterra"]),
        (["mismatch", "not_observed"], ["Facebook", "Capterra"]),
        (["undeclared,mismatch"], ["Criteo", "Hotjar", "unknown-metrics.io", "Facebook"]),
        (["none"], []),
        ([], []),
    ],
)
def test_fail_on_selects_statuses(result, fail_on, vendors):
    assert [f.vendor for f in failing_findings(result, fail_on)] == vendors
    assert gate_exit_code(result, fail_on) == (EXIT_FINDINGS if vendors else EXIT_OK)


def test_clean_scan_passes(result):
    clean = replace(result, findings=tuple(f for f in result.findings if f.status == "declared"))
    assert gate_exit_code(clean, ["undeclared", "mismatch", "not_observed"]) == EXIT_OK


@pytest.mark.parametrize("bad", [["declared"], ["undeclard"], ["none", "undeclared"]])
def test_bad_fail_on_is_bad_input(result, bad):
    with pytest.raises(BadInput):
        gate_exit_code(result, bad)


def test_fail_on_spelling_is_forgiving():
    assert normalise_fail_on(["Not-Observed", " mismatch "]) == {"not_observed", "mismatch"}


def test_baseline_fails_only_on_new_findings(result):
    assert gate_exit_code(result, ["undeclared"], baseline=result) == EXIT_OK
    newer = demo_result(extra_undeclared=True)
    assert [f.vendor for f in failing_findings(newer, ["undeclared"], baseline=result)] == ["TikTok"]
    assert gate_exit_code(newer, ["undeclared"], baseline=result) == EXIT_FINDINGS
    # a tracker that was fixed is not a failure; the baseline direction matters
    assert gate_exit_code(result, ["undeclared"], baseline=newer) == EXIT_OK


def test_baseline_matches_vendor_names_loosely_and_status_strictly(result):
    renamed = replace(
        result, findings=tuple(replace(f, vendor=f"  {f.vendor.upper()} ") for f in result.findings)
    )
    assert new_since(renamed, result) == []
    # Hotjar was undeclared before; now declared but mismatching: a new mismatch
    moved = replace(
        result,
        findings=(*result.findings, Finding(vendor="Hotjar", status="mismatch", reasons=("lifetime",))),
    )
    assert [f.vendor for f in failing_findings(moved, ["mismatch"], baseline=result)] == ["Hotjar"]


def test_baseline_mismatch_with_a_new_reason_is_new(result):
    fb = next(f for f in result.findings if f.status == "mismatch")
    also_lifetime = replace(result, findings=(replace(fb, reasons=("purpose", "lifetime")),))
    assert failing_findings(also_lifetime, ["mismatch"], baseline=result) == [also_lifetime.findings[0]]
    same = replace(result, findings=(fb,))
    assert failing_findings(same, ["mismatch"], baseline=result) == []


# ---- partial scans ---------------------------------------------------------------------------------


def test_partial_scan_never_passes(result):
    cut = partial(result)
    assert gate_exit_code(cut, ["none"]) == EXIT_PARTIAL
    assert gate_exit_code(cut, ["mismatch"], baseline=result) == EXIT_PARTIAL  # nothing new fails
    clean = replace(cut, findings=tuple(f for f in cut.findings if f.status == "declared"))
    assert gate_exit_code(clean, ["undeclared", "mismatch", "not_observed"]) == EXIT_PARTIAL
    v = verdict(clean)
    assert (v.word, v.partial, v.passed, v.failing) == ("PARTIAL", True, False, ())


def test_failing_findings_take_precedence_over_partial(result):
    """Findings seen before the cut are real: exit 1 says more than 4 (README, exit codes)."""
    cut = partial(result)
    assert gate_exit_code(cut) == EXIT_FINDINGS
    assert verdict(cut).word == "FAIL" and verdict(cut).partial
    assert gate_exit_code(result, ["none"]) == EXIT_OK  # the same scan, complete


def test_exit_codes_are_distinct():
    assert len({EXIT_OK, EXIT_FINDINGS, EXIT_BAD_INPUT, EXIT_CANNOT_SCAN, EXIT_PARTIAL}) == 5
    assert EXIT_PARTIAL == 4
