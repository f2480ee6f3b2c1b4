"""Every CSV the scanner writes is safe to open in a spreadsheet and parses back to the same rows: hostile
text (formula prefixes, CR, LF, NUL, quotes, lone surrogates) from a site or a policy cannot run or split
a row."""

from __future__ import annotations

import csv
import io
from dataclasses import replace

import pandas as pd
from hypothesis import example, given, settings
from hypothesis import strategies as st
from report_factory import demo_scan

from scanner.csvsafe import FORMULA_START, csv_text, restore_cell, safe_cell, write_csv
from scanner.declared import parse_declared_csv
from scanner.model import Declared
from scanner.policy.csv_out import vendors_csv
from scanner.report.csv_files import write_csv_files

_pieces = st.sampled_from(
    ["=", "+", "-", "@", "\t", "\r", "\n", "\r\n", "\x00", '"', "'", ",", ";", "\ud800", "\udfff", " ", "1"]
)
_formulas = st.sampled_from(["=1+1", "=cmd|' /C calc'!A0", "@SUM(A1)", "+1+1", "-2+3", '=HYPERLINK("x")'])
HOSTILE = st.one_of(
    st.text(max_size=20),
    st.text(st.characters(codec=None, categories=("Cs", "Cc", "Zs", "P", "S", "L")), max_size=12),
    st.lists(st.one_of(_pieces, _formulas, st.text(max_size=4)), max_size=8).map("".join),
)


def assert_safe(cell: str) -> None:
    assert "\r" not in cell and "\x00" not in cell
    cell.encode("utf-8")  # no lone surrogate
    for line in cell.split("\n"):
        if line.startswith(FORMULA_START):
            float(line)  # only a plain number may start with + or -


def parse_back(text: str) -> tuple[list[list[str]], pd.DataFrame]:
    rows = list(csv.reader(io.StringIO(text, newline=""), strict=True))
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    return rows, frame


@given(HOSTILE)
def test_a_safe_cell_cannot_run_and_gives_the_text_back(text):
    cell = safe_cell(text)
    assert_safe(cell)
    one_line = not any(c in "\r\n\x00" or "\ud800" <= c <= "\udfff" for c in text)
    if one_line:
        assert restore_cell(cell) == text


@settings(max_examples=200)
@example([[" "]])  # a row of blanks must not become a blank line that readers skip
@example([["", " "], ["\t", ""]])
@given(st.integers(1, 4).flatmap(lambda n: st.lists(st.lists(HOSTILE, min_size=n, max_size=n), max_size=6)))
def test_csv_of_hostile_cells_parses_back_to_the_same_rows(rows):
    width = len(rows[0]) if rows else 1
    header = [f"c{i}" for i in range(width)]
    text = csv_text(header, rows)
    parsed, frame = parse_back(text)
    expected = [[safe_cell(v) for v in row] for row in rows]
    assert parsed == [header, *expected]
    assert frame.shape == (len(rows), width)
    assert frame.values.tolist() == expected
    for row in parsed:
        for cell in row:
            assert_safe(cell)


@settings(max_examples=60, deadline=None)
@example(names=["\ud800\ud800\udfff"], titles=[""])  # a lone surrogate, then a pair: one character
@given(st.lists(HOSTILE, min_size=1, max_size=6), st.lists(HOSTILE, min_size=1, max_size=6))
def test_report_csvs_keep_one_row_per_record(tmp_path_factory, names, titles):
    result = demo_scan()
    cookies = tuple(
        replace(c, name=names[i % len(names)], page_url=titles[i % len(titles)])
        for i, c in enumerate(result.cookies)
    )
    requests = tuple(replace(r, url=r.url + titles[i % len(titles)]) for i, r in enumerate(result.requests))
    findings = tuple(replace(f, detail=names[i % len(names)]) for i, f in enumerate(result.findings))
    result = replace(result, cookies=cookies, requests=requests, findings=findings)
    out = tmp_path_factory.mktemp("csv")
    behaviour = result.behaviour  # the pipeline's behaviour audit: behaviour.csv, one row per observation
    counts = {
        "cookies.csv": len(cookies),
        "requests.csv": len(requests),
        "findings.csv": len(findings) + len(behaviour.findings),
        "behaviour.csv": sum(max(1, len(d.evidence)) for d in behaviour.detections),
    }
    for path in write_csv_files(result, out):
        text = path.read_text(encoding="utf-8")
        rows, frame = parse_back(text)
        assert len(rows) == counts[path.name] + 1 and len({len(r) for r in rows}) == 1, path.name
        assert frame.shape == (counts[path.name], len(rows[0]))
        for row in rows:
            for cell in row:
                assert_safe(cell)
    cookie_names = pd.read_csv(out / "cookies.csv", dtype=str, keep_default_na=False)["name"].tolist()
    assert cookie_names == [safe_cell(c.name) for c in cookies]


def test_a_cr_in_a_cookie_name_no_longer_splits_the_row(tmp_path):
    names = ['a\r=HYPERLINK("http://evil")', "=1+1", "-5", "@x", None]
    path = write_csv(tmp_path / "x.csv", ["name", "n"], [[name, n] for n, name in enumerate(names, 1)])
    rows, parsed = parse_back(path.read_text(encoding="utf-8"))
    assert rows == [
        ["name", "n"],
        ['a\n\'=HYPERLINK("http://evil")', "1"],
        ["'=1+1", "2"],
        ["-5", "3"],
        ["'@x", "4"],
        ["", "5"],  # None: an empty cell
    ]
    assert parsed.shape == (5, 2)


def _unique_names(texts: list[str]) -> list[str]:
    seen, names = set(), []
    for text in texts:
        name = " ".join(text.split())
        if name and name.casefold() not in seen:
            seen.add(name.casefold())
            names.append(name)
    return names


@settings(max_examples=150)
@given(st.lists(HOSTILE, min_size=1, max_size=8), HOSTILE)
def test_policy_import_csv_is_safe_and_reads_back_as_the_same_vendors(texts, purpose):
    names = _unique_names([safe_cell(t).replace("\n", " ") for t in texts])
    rows = [Declared(name=n, purpose=purpose, source=f"table row {i}") for i, n in enumerate(names)]
    text = vendors_csv(rows)
    parsed, frame = parse_back(text)
    assert len(parsed) == len(rows) + 1 and frame.shape[0] == len(rows)
    for row in parsed:
        for cell in row:
            assert_safe(cell)
    again = parse_declared_csv(text)
    assert [r.name for r in again] == names
    written = safe_cell(" ".join(purpose.split()))
    assert {r.purpose for r in again} <= {" ".join(restore_cell(written).split())}
