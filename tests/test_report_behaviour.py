"""Every report format carries the behaviour audit: report.html (a Behaviour section after consent, a
group per kind, embeds as information, blind spots), findings.csv + behaviour.csv, SARIF (TRK201...),
JUnit (suite "behaviour"), summary.md, and the gate (``--fail-on fingerprinting``, baseline). The results
come from the real pipeline (tests/behaviour_factory.py: raw visits -> assemble -> attribute ->
behaviour_report); script URLs and field names are the page's and hostile."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import lxml.html
import pandas as pd
import pytest
from behaviour_factory import (
    FP_SCRIPT,
    PAGES,
    SITE,
    behaviour_result,
    canvas_fingerprint,
    leak_row,
    navigator_sweep,
    request,
    scan,
    site_visits,
    visit,
)
from conftest import run_cli
from report_browser import browser, open_report
from report_schemas import junit_errors, sarif_errors

from scanner.errors import EXIT_BAD_INPUT, EXIT_FINDINGS, EXIT_OK
from scanner.gate import failing_findings, gate_exit_code
from scanner.model import BEHAVIOUR_KINDS, INFO_BEHAVIOUR_KINDS, ScanResult
from scanner.report import FORMATS, write_reports
from scanner.report.behaviour_text import console_line, kind_label
from scanner.report.junit import build_junit
from scanner.report.sarif import build_sarif

GATED = ["fingerprinting", "form-data-leak"]
# What a hostile page controls: the URL of its script, the name of a field, the parameter carrying it.
HOSTILE_SCRIPT = (
    'https://evil.example/fp.js?x="><script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>'
)
HOSTILE_FIELD = "<img src=x onerror=window.__pwned=3>"
HOSTILE_PARAM = '" onmouseover="window.__pwned=4" x="'
FORMULA_FIELD = '=HYPERLINK("http://evil.test","x")'


@pytest.fixture(scope="module")
def result() -> ScanResult:
    return behaviour_result()


@pytest.fixture(scope="module")
def written(tmp_path_factory, result):
    out = tmp_path_factory.mktemp("behaviour")
    write_reports(result, out, FORMATS, fail_on=GATED)
    return out


def kinds(result: ScanResult) -> dict[str, list]:
    out: dict[str, list] = {}
    for f in result.behaviour.findings:
        out.setdefault(f.status, []).append(f)
    return out


def test_the_fixture_has_every_behaviour_kind(result):
    assert set(kinds(result)) == set(BEHAVIOUR_KINDS)


# ---- the gate ----------------------------------------------------------------------------------------


def test_gate_fails_on_the_behaviour_kinds_it_is_given(result):
    by_kind = kinds(result)
    failing = failing_findings(result, ["fingerprinting"])
    assert [f for f in failing if f.status != "undeclared"] == by_kind["fingerprinting"]
    assert gate_exit_code(result, ["fingerprinting"]) == EXIT_FINDINGS
    assert {f.status for f in failing_findings(result, ["form-data-leak"])} == {"form_data_leak"}
    assert gate_exit_code(result, ["none"]) == EXIT_OK
    # a baseline with the same behaviour: nothing new
    assert gate_exit_code(result, GATED, baseline=result) == EXIT_OK


def test_gate_baseline_without_behaviour_makes_every_behaviour_finding_new(result):
    from dataclasses import replace

    old = replace(result, behaviour=None)
    fresh = failing_findings(result, ["session-recording", "id-sharing"], baseline=old)
    assert {f.status for f in fresh} == {"session_recording", "id_sharing"}


@pytest.fixture(scope="module")
def saved(tmp_path_factory, result):
    folder = tmp_path_factory.mktemp("saved")
    write_reports(result, folder, ["json"])
    return folder


@pytest.mark.parametrize(
    ("fail_on", "code"),
    [("fingerprinting", EXIT_FINDINGS), ("form-data-leak", EXIT_FINDINGS), ("none", EXIT_OK)],
)
def test_cli_report_exit_codes_for_behaviour_kinds(saved, tmp_path, fail_on, code):
    proc = run_cli("report", str(saved), "--out", str(tmp_path), "--format", "md", "--fail-on", fail_on)
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "behaviour: " in proc.stdout


def test_cli_refuses_fail_on_embed_and_passes_against_its_own_baseline(saved, tmp_path):
    proc = run_cli("report", str(saved), "--out", str(tmp_path), "--format", "md", "--fail-on", "embed")
    assert proc.returncode == EXIT_BAD_INPUT and "embed is information" in proc.stderr
    proc = run_cli(
        "report",
        str(saved),
        "--out",
        str(tmp_path),
        "--format",
        "md",
        "--fail-on",
        "fingerprinting,form-data-leak",
        "--baseline",
        str(saved / "scan.json"),
    )
    assert proc.returncode == EXIT_OK, proc.stdout + proc.stderr


# ---- report.html -------------------------------------------------------------------------------------


def _html(folder) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((folder / "report.html").read_text(encoding="utf-8"))


def test_html_behaviour_section_has_a_group_per_kind_and_embeds_as_information(written, result):
    doc = _html(written)
    ids = [s.get("id") for s in doc.xpath("//main/section")]
    assert ids.index("behaviour") == ids.index("findings") - 1
    assert doc.xpath("//nav/a[@href='#behaviour']")
    (section,) = doc.xpath("//section[@id='behaviour']")
    tables = {t.get("data-kind"): t for t in section.xpath(".//table[@data-kind]")}
    assert set(tables) == set(BEHAVIOUR_KINDS)
    for kind, findings in kinds(result).items():
        table = tables[kind]
        if kind in INFO_BEHAVIOUR_KINDS:
            rows = table.xpath("./tbody/tr")
            assert {r.xpath("./td[1]/b")[0].text_content() for r in rows} == {f.vendor for f in findings}
            continue
        units = table.xpath("./tbody[contains(@class,'unit')]")
        assert len(units) == len(findings), kind
        for unit, f in zip(units, findings, strict=True):  # most severe first, as the audit orders them
            assert unit.xpath(".//td[2]/b")[0].text_content() == f.vendor
            assert unit.get("data-severity") == f.severity
            badge = unit.xpath(".//span[contains(@class,'badge')]")[0]
            assert badge.text_content() == f.severity.capitalize()
            assert f"sev-{f.severity}" in badge.get("class")
    text = " ".join(section.text_content().split())
    assert "Blind spots" in text and "Not detected is not absent" in text
    for spot in result.behaviour.blind_spots:
        assert " ".join(spot.split()) in text


def test_html_fingerprinting_evidence_names_script_criterion_and_calls(written, result):
    doc = _html(written)
    (table,) = doc.xpath("//table[@data-kind='fingerprinting']")
    text = " ".join(table.text_content().split())
    for f in kinds(result)["fingerprinting"]:
        for o in f.evidence.behaviour:
            if o.get("script"):
                assert o["script"] in text
    assert "Englehardt & Narayanan 2016" in text  # the criterion met, in words
    assert "measureText ×" in text or "canvas " in text


def test_html_leaks_show_where_and_how_but_never_a_value(written, result):
    doc = _html(written)
    (table,) = doc.xpath("//table[@data-kind='form_data_leak']")
    text = " ".join(table.text_content().split())
    assert "the email field email sent as a SHA-256 hash in the URL, parameter udff[em]" in text
    assert "received by https://www.facebook.com/tr" in text
    (section,) = doc.xpath("//section[@id='behaviour']")
    shown = lxml.html.tostring(section, encoding="unicode")
    assert {leak.kind for leak in result.value_leaks} == {"form_data", "identifier"}
    for leak in result.value_leaks:
        # the query and the path parameters (DoubleClick's ;u1=GA1.1...) carry the value
        after = leak.url.split("?", 1)[1] if "?" in leak.url else leak.url.split(";", 1)[1]
        assert after not in shown
        assert leak.url.split("?", 1)[0].split(";", 1)[0].rsplit("/", 1)[0] in shown


def test_html_verdict_counts_behaviour_and_names_the_failing(written, result):
    (verdict,) = _html(written).xpath("//section[@id='verdict']")
    chips = [li.text_content() for li in verdict.xpath(".//ul[contains(@class,'behaviour-counts')]/li")]
    counts = result.behaviour.summary
    assert chips == [f"{counts[k]} {kind_label(k)}" for k in BEHAVIOUR_KINDS if counts.get(k)]
    text = " ".join(verdict.text_content().split())
    named = text.split("Behaviour findings that fail the gate: ")[1]
    for f in [*kinds(result)["fingerprinting"], *kinds(result)["form_data_leak"]]:
        assert f"{f.vendor} ({kind_label(f.status).lower()})" in named


def test_html_says_when_observations_are_a_sample(tmp_path):
    pages = [f"{SITE}/p/{i}" for i in range(30)]
    swept = scan([visit(p, [request(FP_SCRIPT, p)], api_calls=navigator_sweep(FP_SCRIPT, p)) for p in pages])
    (finding,) = swept.behaviour.findings
    assert finding.evidence.total("behaviour") == 30 > finding.evidence.listed("behaviour")
    write_reports(swept, tmp_path, ["html"])
    (table,) = _html(tmp_path).xpath("//table[@data-kind='fingerprinting']")
    rows = table.xpath(".//table[contains(@class,'inner')]/tbody/tr")
    assert len(rows) == finding.evidence.listed("behaviour")
    text = " ".join(table.text_content().split())
    assert f"showing {len(rows)} of 30 observations" in text
    assert table.xpath(".//tr[contains(@class,'row')]/td[@class='n']")[0].text_content() == "30"  # pages


# ---- CSV ---------------------------------------------------------------------------------------------


def test_findings_csv_has_behaviour_rows(written, result):
    frame = pd.read_csv(written / "findings.csv")
    rows = frame[frame["status"].isin(BEHAVIOUR_KINDS)]
    assert len(rows) == len(result.behaviour.findings)
    assert set(rows["severity"]) <= {"high", "medium", "low", "info"}
    assert (rows["observations"] >= 1).all()


def test_behaviour_csv_has_a_row_per_observation(written, result):
    frame = pd.read_csv(written / "behaviour.csv")
    expected = sum(max(1, len(d.evidence)) for d in result.behaviour.detections)
    assert len(frame) >= expected
    assert set(frame["kind"]) == set(BEHAVIOUR_KINDS)
    leaks = frame[frame["kind"] == "form_data_leak"]
    assert leaks["encoding"].notna().all() and leaks["location"].notna().all()
    assert not leaks["receiving_request"].str.contains("?", regex=False).any()


# ---- SARIF / JUnit / Markdown ------------------------------------------------------------------------


def test_sarif_has_a_rule_per_behaviour_kind_and_levels_from_severity(written, result):
    sarif = json.loads((written / "results.sarif").read_text(encoding="utf-8"))
    assert sarif_errors(sarif) == []
    run = sarif["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    behaviour_rules = [r for r in rules if "behaviour" in r["properties"]["tags"]]
    assert [r["id"] for r in behaviour_rules] == [f"TRK{201 + i}" for i in range(len(BEHAVIOUR_KINDS))]
    assert [r["properties"]["tags"][-1] for r in behaviour_rules] == list(BEHAVIOUR_KINDS)
    assert all(r["help"]["text"] for r in behaviour_rules)
    assert all(rules[r["ruleIndex"]]["id"] == r["ruleId"] for r in run["results"])
    results = [r for r in run["results"] if "behaviourKind" in r["properties"]]
    assert len(results) == len(result.behaviour.findings)
    levels = {"high": "error", "medium": "warning", "low": "note", "info": "none"}
    for r in results:
        assert r["level"] == levels[r["properties"]["severity"]]
        assert (r.get("kind") == "informational") == (r["level"] == "none")
    fingerprints = [r["partialFingerprints"]["vendorStatus/v1"] for r in run["results"]]
    assert len(set(fingerprints)) == len(fingerprints)
    again = build_sarif(behaviour_result())
    assert [r["partialFingerprints"] for r in again["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in run["results"]
    ]


def test_junit_behaviour_suite_fails_what_the_gate_fails(written, result):
    text = (written / "junit.xml").read_text(encoding="utf-8")
    assert junit_errors(text) == []
    root = ET.fromstring(text)
    (suite,) = [s for s in root.findall("testsuite") if s.get("name") == "behaviour"]
    cases = list(suite.iter("testcase"))
    assert len(cases) == len(result.behaviour.findings)
    failing = {c.get("name") for c in cases if c.find("failure") is not None}
    by_kind = kinds(result)
    assert failing == {
        f"{kind_label(f.status)}: {f.vendor}"
        for f in [*by_kind["fingerprinting"], *by_kind["form_data_leak"]]
    }
    embeds = len(by_kind["embed"])
    assert suite.get("failures") == str(len(failing))
    assert suite.get("skipped") == str(len(cases) - len(failing) - embeds)
    others = sum(int(s.get("failures")) for s in root.findall("testsuite") if s.get("name") != "behaviour")
    assert root.get("failures") == str(others + len(failing))
    assert int(root.get("tests")) == sum(int(s.get("tests")) for s in root.findall("testsuite"))
    assert junit_errors(build_junit(result, ["none"])) == []


def test_summary_md_has_the_behaviour_table(written, result):
    md = (written / "summary.md").read_text(encoding="utf-8")
    section = md.split("#### Behaviour")[1]
    assert "| Behaviour | Severity | Vendor | Criterion met | Scripts | Pages | Gate |" in section
    rows = [line for line in section.splitlines() if line.startswith("| ") and "---" not in line][1:]
    shown = [f for f in result.behaviour.findings if f.status not in INFO_BEHAVIOUR_KINDS]
    assert len(rows) == len(shown)
    assert sum(row.endswith("| fails |") for row in rows) == len(
        [f for f in shown if f.status in ("fingerprinting", "form_data_leak")]
    )
    assert "Embeds and widgets (information):" in section


def test_scan_console_prints_the_behaviour_line_after_the_summary(result, capsys):
    from scanner.commands.scan import report_summary

    report_summary(result, [])
    lines = capsys.readouterr().out.splitlines()
    assert lines[-1] == console_line(result.behaviour)
    assert lines[-1] == (
        "behaviour: 2 fingerprinting, 1 security fingerprinting, 1 session recording, "
        "1 possible session recording, 1 form-data leak, 2 identifier sharing, "
        "1 hidden tracker (first-party subdomain), 3 embeds (probe on)"
    )


def test_console_line_counts_the_kinds(result):
    line = console_line(result.behaviour)
    assert line.startswith("behaviour: ")
    counts = result.behaviour.summary
    assert f"{counts['fingerprinting']} fingerprinting" in line
    assert ("(probe on)" if result.behaviour.probe_forms else "(probe off)") in line


# ---- hostile page content ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hostile() -> ScanResult:
    """The site of behaviour_result with a fingerprinting script whose URL is markup, and a field whose
    name is markup (leaked) and a spreadsheet formula (leaked): all through the real pipeline."""
    visits = site_visits()
    home, checkout = PAGES[0], PAGES[2]
    visits[0]["requests"].append(request(HOSTILE_SCRIPT, home))
    visits[0]["api_calls"].extend(canvas_fingerprint(HOSTILE_SCRIPT, home))
    sink = "https://collect.evil.example/c?e=5d41402abc4b2a76b9719d911017c592"
    visits[2]["requests"].append(request(sink, checkout, "image"))
    visits[2]["value_leaks"] += [
        leak_row("form_data", checkout, sink, "text", HOSTILE_FIELD, param=HOSTILE_PARAM, encoding="md5"),
        leak_row("form_data", checkout, sink, "search", FORMULA_FIELD, param="e"),
    ]
    return scan(visits)


def test_hostile_content_reached_the_findings(hostile):
    text = json.dumps(hostile.behaviour.to_dict())
    assert json.dumps(HOSTILE_SCRIPT)[1:-1] in text and json.dumps(HOSTILE_FIELD)[1:-1] in text


def test_hostile_behaviour_content_in_text_formats(tmp_path, hostile):
    write_reports(hostile, tmp_path, FORMATS, fail_on=GATED)
    assert junit_errors((tmp_path / "junit.xml").read_text(encoding="utf-8")) == []
    assert sarif_errors(json.loads((tmp_path / "results.sarif").read_text(encoding="utf-8"))) == []
    md = (tmp_path / "summary.md").read_text(encoding="utf-8").split("#### Behaviour")[1]
    assert "evil\\.example" in md and not re.search(r"(?<!\\)[<>]", md), "unescaped angle bracket"
    html = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "<script>window.__pwned" not in html and "<img src=x" not in html
    frame = pd.read_csv(tmp_path / "behaviour.csv")
    assert "'" + FORMULA_FIELD in set(frame["source_name"].dropna())
    assert FORMULA_FIELD not in set(frame["source_name"].dropna())
    assert HOSTILE_SCRIPT in set(frame["script"].dropna())


@pytest.mark.browser
def test_hostile_behaviour_section_is_inert_in_chromium(tmp_path, hostile):
    (path,) = write_reports(hostile, tmp_path, ["html"], fail_on=GATED)
    with browser() as b, open_report(b, path) as opened:
        page = opened.page
        page.click("#behaviour table[data-kind='form_data_leak'] summary")
        page.click("#behaviour table[data-kind='fingerprinting'] th[data-sort='num']")  # sorting still works
        page.hover("#behaviour table[data-kind='form_data_leak'] .inner td")
        found = page.evaluate(
            """() => ({
            pwned: window.__pwned === undefined ? null : window.__pwned,
            handlers: document.querySelectorAll('[onmouseover], [onerror], [onload], [onclick]').length,
            imgs: document.querySelectorAll('img').length,
            scripts: document.scripts.length,
            text: document.getElementById('behaviour').innerText,
            sorted: document.querySelector("#behaviour table[data-kind='fingerprinting'] th.asc") !== null,
        })"""
        )
        assert found["pwned"] is None and found["handlers"] == 0
        assert found["imgs"] == 0 and found["scripts"] == 1 and found["sorted"]
        for payload in (HOSTILE_SCRIPT, HOSTILE_FIELD, HOSTILE_PARAM.strip()):
            assert payload in found["text"], payload
        page.emulate_media(media="print")  # auditors print it: the section and its filters-free tables show
        printed = page.evaluate(
            """() => ({
            section: document.getElementById('behaviour').getBoundingClientRect().height,
            rows: [...document.querySelectorAll('#behaviour tbody.unit')].filter(u => u.offsetHeight).length,
            units: document.querySelectorAll('#behaviour tbody.unit').length,
        })"""
        )
        assert printed["section"] > 0 and printed["rows"] == printed["units"] > 0
        assert opened.dialogs == [] and opened.errors == [] and opened.csp_violations == []
        assert opened.network == [], opened.network
