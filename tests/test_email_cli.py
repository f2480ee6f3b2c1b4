"""`scanner email` on the command line: exit codes (0, 1, 2), the gate's options, every output format
valid against its schema (email.json: the package's own JSON Schema; SARIF 2.1.0; JUnit)."""

from __future__ import annotations

import csv
import json
from importlib import resources

import jsonschema
import pytest
from conftest import run_cli
from email_messages import newsletter, simple
from report_schemas import junit_errors, sarif_errors

from scanner.cli import main

CLEAN = simple(
    '<p>Hello</p><img src="https://cdn.shop-demo.com/logo.png" width="120"><a href="https://www.shop-demo.com/">Shop</a>'
)


@pytest.fixture(scope="module")
def inbox(tmp_path_factory):
    folder = tmp_path_factory.mktemp("inbox")
    (folder / "news.eml").write_bytes(newsletter())
    (folder / "clean.eml").write_bytes(CLEAN)
    (folder / "vendors.csv").write_text("name,purpose\nMailchimp,newsletter delivery\nHotjar,heatmaps\n")
    return folder


def _main(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["--no-config", "email", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_findings_fail_the_default_gate_and_every_format_is_valid(inbox, tmp_path, capsys):
    out_dir = tmp_path / "out"
    code, out, _ = _main(
        capsys,
        str(inbox / "news.eml"),
        "--vendors",
        str(inbox / "vendors.csv"),
        "--out",
        str(out_dir),
        "--format",
        "all",
    )
    assert code == 1
    assert "FAIL: " in out and "(--fail-on address-leak,undeclared)" in out
    assert "findings: 8 address leak, 8 undeclared, 0 mismatch, 1 not observed, 1 declared" in out
    files = sorted(p.name for p in out_dir.iterdir())
    assert files == [
        "email.json",
        "findings.csv",
        "junit.xml",
        "references.csv",
        "report.html",
        "results.sarif",
        "summary.md",
    ]
    doc = json.loads((out_dir / "email.json").read_text(encoding="utf-8"))
    schema = json.loads(resources.files("scanner.email").joinpath("email.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator(schema).validate(doc)
    assert doc["rendered"] is False and doc["summary"]["address_leak"] == 8
    assert sarif_errors(json.loads((out_dir / "results.sarif").read_text(encoding="utf-8"))) == []
    assert junit_errors((out_dir / "junit.xml").read_text(encoding="utf-8")) == []
    sarif = json.loads((out_dir / "results.sarif").read_text(encoding="utf-8"))
    leak = next(r for r in sarif["runs"][0]["results"] if r["ruleId"] == "EML001")
    assert leak["locations"][0]["physicalLocation"]["artifactLocation"]["uri"].endswith("news.eml")
    with (out_dir / "findings.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    assert {(r["status"], r["vendor"]) for r in rows} >= {
        ("declared", "Mailchimp"),
        ("not_observed", "Hotjar"),
    }
    md = (out_dir / "summary.md").read_text(encoding="utf-8")
    assert md.startswith("### E-mail tracking audit") and "FAIL" in md


def test_gate_options(inbox, tmp_path, capsys):
    news = str(inbox / "news.eml")
    code, out, _ = _main(capsys, news, "--out", str(tmp_path / "a"), "--fail-on", "none")
    assert code == 0 and "NOT GATED" in out
    code, out, _ = _main(
        capsys, news, "--out", str(tmp_path / "b"), "--fail-on", "not-observed", "--warn-on", "address-leak"
    )
    assert code == 0 and "PASS" in out and "WARN: 8 findings reported as warnings" in out
    code, out, _ = _main(capsys, str(inbox / "clean.eml"), "--out", str(tmp_path / "c"))
    assert code == 0 and "PASS: no finding fails the gate" in out


def test_a_folder_gives_one_report(inbox, tmp_path, capsys):
    code, _, err = _main(capsys, str(inbox), "--out", str(tmp_path / "out"), "--fail-on", "none")
    assert code == 0 and err == ""  # vendors.csv in the folder is not a message suffix: not even skipped
    doc = json.loads((tmp_path / "out" / "email.json").read_text(encoding="utf-8"))
    assert [m["key"] for m in doc["messages"]] == [f"{inbox.name}/clean.eml", f"{inbox.name}/news.eml"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--fail-on", "fingerprinting"], "--fail-on 'fingerprinting': choose from"),
        (["--fail-on", "none,undeclared"], "none cannot be combined"),
        (["--format", "har"], "unknown report format 'har'"),
        (["--recipient", "not an address"], "not an e-mail address"),
    ],
)
def test_bad_options_exit_2(inbox, tmp_path, capsys, args, message):
    code, _, err = _main(capsys, str(inbox / "news.eml"), "--out", str(tmp_path), *args)
    assert code == 2 and message in err and err.count("\n") == 1


def test_not_a_message_exits_2_with_one_line(tmp_path):
    junk = tmp_path / "notes.eml"
    junk.write_text("Dear diary, no headers here.\n")
    proc = run_cli("--no-config", "email", str(junk), "--out", str(tmp_path / "out"), timeout=60)
    assert proc.returncode == 2
    assert (
        proc.stderr.strip() == f"scanner: error: {junk}: not an e-mail message (.eml, mbox) or an HTML file"
    )
    assert not (tmp_path / "out").exists()
    missing = run_cli("--no-config", "email", str(tmp_path / "nope.eml"), timeout=60)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr
