"""codequality.json (``--format codequality``): GitLab Code Quality issues from the real pipeline's results
(a real crawl of the demo shop; the consent and behaviour audits of tests/consent_factory.py and
tests/behaviour_factory.py), checked against the fields GitLab documents, placed on the vendors.csv line of
the declared vendor, with fingerprints that name only status, vendor and reason."""

from __future__ import annotations

import csv
import json
from collections import Counter

import jsonschema
import pytest
from behaviour_factory import behaviour_result
from conftest import REPO, scan
from consent_factory import crawl_visits
from consent_factory import scan as consent_scan
from report_factory import demo_scan, partial
from test_report_xss import hostile_result

from scanner.declared import parse_declared_csv
from scanner.gate import all_findings
from scanner.model import ScanResult
from scanner.pipeline import analyse
from scanner.report import FILES, FORMATS, parse_formats, write_reports
from scanner.report.codequality import DESCRIPTION_LIMIT, build_codequality, fingerprint, vendor_key

# GitLab's Code Quality report format (https://docs.gitlab.com/ci/testing/code_quality/, "Code Quality report
# format"; a subset of the Code Climate issue spec): a JSON array; each issue has a human-readable
# `description`, a `check_name` (the rule), a `fingerprint` that identifies this violation, a `severity`
# (info, minor, major, critical or blocker), `location.path` (a path relative to the repository, not prefixed
# with ./) and the line in `location.lines.begin` (or `location.positions.begin.line`). GitLab compares the
# fingerprints of the source and target branches to tell new issues from resolved ones.
GITLAB_CODE_QUALITY = {
    "type": "array",
    "items": {
        "type": "object",
        "required": ["description", "check_name", "fingerprint", "severity", "location"],
        "properties": {
            "description": {"type": "string", "minLength": 1},
            "check_name": {"type": "string", "minLength": 1},
            "fingerprint": {"type": "string", "minLength": 1},
            "severity": {"enum": ["info", "minor", "major", "critical", "blocker"]},
            "location": {
                "type": "object",
                "required": ["path", "lines"],
                "properties": {
                    "path": {"type": "string", "minLength": 1, "not": {"pattern": r"^(\./|/)"}},
                    "lines": {
                        "type": "object",
                        "required": ["begin"],
                        "properties": {"begin": {"type": "integer", "minimum": 1}},
                    },
                },
            },
        },
    },
}
PASSED = {"declared", "consent_gated", "gpc_honoured"}
VENDORS = REPO / "vendors.csv"


def gitlab_errors(issues: list) -> list[str]:
    validator = jsonschema.Draft202012Validator(GITLAB_CODE_QUALITY)
    return [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(issues)]


@pytest.fixture(scope="module")
def crawl(demo_net, tmp_path_factory) -> ScanResult:
    """A real crawl of the demo shop, compared with the repository's vendors.csv by the real pipeline."""
    raw, _ = scan(
        demo_net, [demo_net.url("www.example.com", "/")], tmp_path_factory.mktemp("cq"), max_pages=8
    )
    declared = parse_declared_csv(VENDORS.read_text(encoding="utf-8"), str(VENDORS))
    return analyse(raw, declared=declared, declared_source=str(VENDORS))


@pytest.fixture(scope="module")
def consent() -> ScanResult:
    return consent_scan(crawl_visits())


@pytest.fixture(scope="module")
def behaviour() -> ScanResult:
    return behaviour_result()


def expected_counts(result: ScanResult) -> Counter:
    """Issues per check name: one per finding that is not a passed check, a mismatch once per reason."""
    counts: Counter = Counter()
    for f in all_findings(result):
        if f.status not in PASSED:
            counts["tracker-audit/" + f.status.replace("_", "-")] += (
                len(f.reasons) if f.status == "mismatch" and f.reasons else 1
            )
    return counts


def issues_of(result: ScanResult, **kw) -> list[dict]:
    issues = build_codequality(result, **kw)
    assert gitlab_errors(issues) == []
    assert len({i["fingerprint"] for i in issues}) == len(issues)  # GitLab keeps one issue per fingerprint
    return issues


def by_fingerprint(issues: list[dict]) -> dict[str, dict]:
    return {i["fingerprint"]: i for i in issues}


def test_the_crawl_has_what_the_demo_shop_holds(crawl):
    found = {(f.vendor, f.status, f.reasons) for f in crawl.findings}
    assert {("Hotjar", "undeclared", ()), ("Facebook", "mismatch", ("purpose",))} <= found
    assert ("example.com (first party)", "mismatch", ("lifetime", "cookie-name")) in found
    assert any(f.status == "declared" for f in crawl.findings)


def test_one_issue_per_problem_and_none_for_passed_checks(crawl, consent, behaviour):
    assert any(f.status in PASSED for f in consent.consent.findings)
    assert any(f.status == "embed" for f in behaviour.behaviour.findings)
    for result in (crawl, consent, behaviour):
        issues = issues_of(result)
        assert Counter(i["check_name"] for i in issues) == expected_counts(result)


def test_issues_sit_on_the_declaring_line_of_vendors_csv(crawl):
    lines = VENDORS.read_text(encoding="utf-8").splitlines()
    issues = issues_of(crawl)
    assert {i["location"]["path"] for i in issues} == {"vendors.csv"}  # relative to the checkout
    for issue in issues:
        line = issue["location"]["lines"]["begin"]
        if issue["check_name"] == "tracker-audit/undeclared":
            assert line == 1, issue  # no row declares it: the header
        elif line > 1:
            declared_name = next(csv.reader([lines[line - 1]]))[0]
            assert declared_name.casefold() in issue["description"].casefold(), (line, issue)
    facebook = by_fingerprint(issues)[fingerprint("mismatch", "facebook", "purpose")]
    assert facebook["location"]["lines"]["begin"] == next(
        n for n, text in enumerate(lines, 1) if text.startswith("Facebook,")
    )


def test_fingerprints_name_status_vendor_and_reason_only(crawl):
    """The crawl and the factory's demo shop differ in every page, URL, cookie value, count and date; the
    issues they share have the same fingerprints, which are hashes of status, vendor and reason."""
    real = by_fingerprint(issues_of(crawl))
    made = by_fingerprint(issues_of(demo_scan(start="2031-05-05T05:05:05Z")))
    hotjar = fingerprint("undeclared", "hotjar")
    assert hotjar in real and hotjar in made
    assert real[hotjar]["description"] != made[hotjar]["description"]  # other evidence, same issue
    facebook_purpose = fingerprint("mismatch", "facebook", "purpose")
    assert facebook_purpose in real
    # a mismatch is one issue per reason; the site's own domain is not part of a first-party vendor's key
    first_party = [i for i in real.values() if "(first party)" in i["description"]]
    assert sorted(i["fingerprint"] for i in first_party) == sorted(
        fingerprint("mismatch", "<site> (first party)", reason) for reason in ("lifetime", "cookie-name")
    )
    again = by_fingerprint(issues_of(crawl))
    assert again.keys() == real.keys()


def test_first_party_vendor_key_drops_the_site(crawl):
    (finding,) = [f for f in crawl.findings if f.vendor.endswith("(first party)")]
    assert vendor_key(finding, ["example.com"]) == "<site> (first party)"
    assert vendor_key(finding, ["preview-7.example.net"]) == "example.com (first party)"
    (hotjar,) = [f for f in crawl.findings if f.vendor == "Hotjar"]
    assert vendor_key(hotjar, ["example.com"]) == "hotjar"


def test_severity_follows_the_gate_then_the_level(crawl, behaviour):
    def severities(result: ScanResult, **kw) -> dict[str, set[str]]:
        out: dict[str, set[str]] = {}
        for issue in issues_of(result, **kw):
            out.setdefault(issue["check_name"], set()).add(issue["severity"])
        return out

    gated = severities(crawl)  # default --fail-on: undeclared
    assert gated["tracker-audit/undeclared"] == {"blocker"}
    assert gated["tracker-audit/mismatch"] == {"minor"} and gated["tracker-audit/not-observed"] == {"info"}
    assert severities(crawl, fail_on=["mismatch"])["tracker-audit/mismatch"] == {"blocker"}
    assert severities(crawl, fail_on=["none"])["tracker-audit/undeclared"] == {"major"}
    # with the same scan as baseline nothing is new: nothing blocks
    assert "blocker" not in set().union(*severities(crawl, baseline=crawl).values())
    audit = severities(behaviour, fail_on=["none"])
    assert audit["tracker-audit/embed"] == {"info"}
    assert audit["tracker-audit/fingerprinting"] <= {"major", "minor", "info"}
    assert severities(behaviour, fail_on=["fingerprinting"])["tracker-audit/fingerprinting"] == {"blocker"}


def test_consent_kinds_keep_their_level(consent):
    issues = issues_of(consent, fail_on=["none"])
    severity = {i["check_name"]: i["severity"] for i in issues}
    assert severity["tracker-audit/before-consent"] == "major"  # SARIF error
    assert severity["tracker-audit/gpc-ignored"] == "minor"  # SARIF warning
    failing = issues_of(consent, fail_on=["before-consent"])
    assert {i["severity"] for i in failing if i["check_name"] == "tracker-audit/before-consent"} == {
        "blocker"
    }


def test_a_partial_scan_is_a_blocker_first():
    issues = issues_of(partial(demo_scan(), "browser crashed"), fail_on=["none"])
    assert issues[0]["check_name"] == "tracker-audit/partial-scan" and issues[0]["severity"] == "blocker"
    assert "partial scan" in issues[0]["description"]


def test_hostile_text_stays_one_bounded_line(tmp_path):
    (path,) = write_reports(hostile_result(), tmp_path, ["codequality"])
    issues = json.loads(path.read_text(encoding="utf-8"))
    assert gitlab_errors(issues) == [] and issues
    for issue in issues:
        assert len(issue["description"]) <= DESCRIPTION_LIMIT
        assert not any(c in issue["description"] for c in "\n\r\t")


def test_the_format_is_registered():
    assert "codequality" in FORMATS and FILES["codequality"] == ("codequality.json",)
    assert parse_formats(["html,codequality"]) == ["html", "codequality"]
    assert "codequality" in parse_formats(["all"])
