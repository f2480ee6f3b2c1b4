"""The campaign report's bookkeeping without a browser: paths from the job table never lead out of the
campaign folder, an empty or unfinished campaign still gives four valid files, the severity scale is the
SARIF levels', a site listed twice is one row, and findings of a real (analysed) scan are ranked and
counted as the report says."""

from __future__ import annotations

import csv
import io
import json
import os
from dataclasses import replace
from pathlib import Path

import pytest
from consent_factory import crawl_visits
from consent_factory import scan as consent_scan
from hypothesis import example, given
from hypothesis import strategies as st
from report_factory import demo_scan
from report_schemas import junit_errors, sarif_errors

from scanner.api import read_scan
from scanner.batch.campaign import write_campaign_report
from scanner.batch.campaign_data import UNUSED_RECORDS, inside, order_jobs, read_for_campaign, site_row
from scanner.batch.model import JobRecord
from scanner.batch.runner import summarise, worst_findings
from scanner.errors import BadInput
from scanner.gate import all_findings
from scanner.model import BEHAVIOUR_KINDS, Finding
from scanner.report.json_file import write_scan_json
from scanner.report.sarif import RULES, build_sarif
from scanner.severity import LEVEL_SEVERITY, SEVERITY_RANK, finding_severity

ROOT = Path("/campaign/root")


@example("../x")
@example("sites/../../x")
@example("/etc/passwd")
@example("C:\\Windows\\x")
@example("sites\\..\\..\\x")
@example("file:///etc/passwd")
@example("sites/a\x00b")
@given(st.text(alphabet=st.sampled_from(list("ab./\\:~\x00 ")), max_size=24) | st.text(max_size=24))
def test_a_path_from_the_job_table_stays_in_the_campaign_folder(relative):
    path = inside(ROOT, relative)
    if path is None:
        return
    resolved = os.path.normpath(path)
    assert resolved == str(ROOT) or resolved.startswith(str(ROOT) + os.sep), (relative, resolved)


def test_a_job_whose_paths_lead_out_of_the_campaign_is_shown_not_followed(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "report.html").write_text("<p>not the campaign's</p>")
    campaign = tmp_path / "campaign"
    campaign.mkdir()
    summary = {
        "exit": 1,
        "verdict": "FAIL",
        "pages": 2,
        "counts": {"undeclared": 1},
        "scan_json": "../outside/scan.json",
    }
    job = JobRecord("https://a.example/", "done", 1, 1, None, "../outside", None, None, {}, summary)
    row, result = site_row(campaign, job)
    assert result is None and row.report is None
    assert row.scan_problem == "scan.json path is not inside the campaign folder"
    assert row.from_summary and row.count("undeclared") == 1 and row.pages == 2


def test_an_empty_or_unstarted_campaign_gives_four_valid_files(tmp_path):
    for jobs in ([], [JobRecord("https://a.example/"), JobRecord("https://b.example/", "running", 1)]):
        paths = write_campaign_report(tmp_path, jobs)
        assert [p.name for p in paths] == [
            "campaign.html",
            "campaign.csv",
            "campaign-junit.xml",
            "campaign.sarif",
        ]
        sarif = json.loads(paths[3].read_text(encoding="utf-8"))
        assert sarif_errors(sarif) == [] and sarif["runs"][0]["results"] == []
        assert junit_errors(paths[2].read_text(encoding="utf-8")) == []
        rows = list(csv.DictReader(io.StringIO(paths[1].read_text(encoding="utf-8"), newline="")))
        assert [r["verdict"] for r in rows] == ["NOT SCANNED"] * len(jobs)
        assert "Content-Security-Policy" in paths[0].read_text(encoding="utf-8")


def test_a_site_listed_twice_is_one_row_in_its_first_place():
    first, other = JobRecord("https://a.example/"), JobRecord("https://b.example/")
    again = JobRecord("https://a.example/", "gave_up", 3, 3, "unreachable")
    assert order_jobs([first, other, again]) == [again, other]


def test_severity_is_the_sarif_level_of_every_kind():
    """Declaration and consent kinds take their rule's level; a behaviour finding its own severity."""
    for status, rule in RULES.items():
        expected = LEVEL_SEVERITY[rule["level"]]
        assert finding_severity(Finding(vendor="V", status=status)) == expected, status
        if status in BEHAVIOUR_KINDS:
            assert finding_severity(Finding(vendor="V", status=status, severity="low")) == "low"


def test_the_runner_summary_uses_the_campaign_scale_for_every_kind():
    """The worst findings the runner sends back with a site's summary (what the campaign shows when the
    site's scan.json cannot be read) rank every kind on the same scale: a consent signal the site ignored
    (gpc_ignored, not_in_cmp, cmp_mismatch) is medium, no banner low, a passed check no problem."""
    for status in RULES:
        severity = finding_severity(Finding(vendor="V", status=status))
        worst = worst_findings([Finding(vendor="V", status=status)])
        assert worst == (
            [] if severity == "info" else [{"vendor": "V", "status": status, "severity": severity}]
        )


def test_a_summary_and_its_scan_json_give_a_site_the_same_worst_findings(tmp_path):
    """A real consent audit (analysed by the pipeline; no banner, GPC ignored): the runner's summary and
    the campaign's reading of the same scan.json agree on every problem and its severity."""
    result = consent_scan(crawl_visits(cmp=None))
    assert {"gpc_ignored", "no_banner", "before_consent"} <= {f.status for f in all_findings(result)}
    folder = tmp_path / "sites" / "shop" / "attempt-1"
    folder.mkdir(parents=True)
    write_scan_json(result, folder)
    summary = summarise(tmp_path, "sites/shop/attempt-1", 1)
    job = JobRecord(
        "https://www.shop.test/", "done", 1, 1, None, "sites/shop/attempt-1", None, None, {}, summary
    )
    row, read = site_row(tmp_path, job)
    assert read is not None and not row.from_summary
    every = worst_findings(all_findings(result), limit=100)
    assert {(w["vendor"], w["status"], w["severity"]) for w in every} == {
        (w.vendor, w.status, w.severity) for w in row.problems
    }
    assert [w["severity"] for w in summary["worst"]] == [w.severity for w in row.worst]


def test_a_real_scan_is_ranked_and_counted_as_its_sarif_says(tmp_path):
    """The demo scan (a real crawl, analysed): each finding's severity is its SARIF result's level, the
    worst five are the most severe, and every problem is counted once."""
    result = demo_scan()
    campaign = tmp_path / "c"
    folder = campaign / "sites" / "demo" / "attempt-1"
    folder.mkdir(parents=True)
    write_scan_json(result, folder)
    job = JobRecord(
        "https://www.example.com/", "done", 1, 1, None, "sites/demo/attempt-1", None, None, {}, None
    )
    row, read = site_row(campaign, job)
    assert read is not None and not row.from_summary and row.scan_problem is None
    levels = {
        (r["properties"]["vendor"], r["properties"]["status"]): r["level"]
        for r in build_sarif(result)["runs"][0]["results"]
    }
    for f in all_findings(result):
        assert LEVEL_SEVERITY[levels[(f.vendor, f.status)]] == finding_severity(f), (f.vendor, f.status)
    ranks = [SEVERITY_RANK[w.severity] for w in row.worst]
    assert ranks == sorted(ranks) and len(row.worst) == min(5, len(row.problems))
    everything = [SEVERITY_RANK[w.severity] for w in row.problems]
    assert ranks == sorted(everything)[: len(ranks)]
    assert row.count("undeclared") == result.summary["undeclared"]
    assert row.pages == len(result.pages)


def test_the_campaign_reader_is_read_scan_without_the_records_it_does_not_use(tmp_path):
    result = demo_scan()
    path = write_scan_json(result, tmp_path)
    assert read_for_campaign(path) == replace(read_scan(path), **dict.fromkeys(UNUSED_RECORDS, ()))
    data = json.loads(path.read_text(encoding="utf-8"))
    data["findings"][0]["evidence"] = "not an object"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BadInput, match="malformed scan result"):
        read_for_campaign(path)
    data["schema_version"] = "9.0"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(BadInput, match="schema_version 9.0"):
        read_for_campaign(path)


def test_a_finding_accepted_by_a_waiver_is_not_a_campaign_problem(tmp_path):
    """A waiver that holds takes the finding off the site's problem list (the site's gate passes it too);
    an expired one puts it back. The per-status counts stay what was seen."""
    from scanner.waivers import apply_waivers, parse_waivers

    result = demo_scan()
    undeclared = next(f for f in result.findings if f.status == "undeclared")
    campaign = tmp_path / "c"
    rows = {}
    for label, expires in (("holds", "2999-01-01"), ("expired", "2000-01-01")):
        rules = parse_waivers(
            f'[[waiver]]\nvendor = "{undeclared.vendor}"\nstatus = "undeclared"\nreason = "contract"\n'
            f'owner = "dpo@example.com"\nexpires = {expires}\n'
        )
        folder = campaign / "sites" / label / "attempt-1"
        folder.mkdir(parents=True)
        write_scan_json(apply_waivers(result, rules), folder)
        job = JobRecord(
            "https://www.example.com/", "done", 1, 1, None, f"sites/{label}/attempt-1", None, None, {}, None
        )
        rows[label], _ = site_row(campaign, job)
    listed = {label: {(w.vendor, w.status) for w in row.problems} for label, row in rows.items()}
    assert (undeclared.vendor, "undeclared") not in listed["holds"]
    assert (undeclared.vendor, "undeclared") in listed["expired"]
    assert listed["expired"] - listed["holds"] == {(undeclared.vendor, "undeclared")}
    assert (
        rows["holds"].count("undeclared")
        == rows["expired"].count("undeclared")
        == result.summary["undeclared"]
    )
