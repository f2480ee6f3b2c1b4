"""Malformed scan.json documents (Hypothesis mutations of a real one): reading them for `scanner report`,
`--baseline`, `scanner diff` or ``scanner.load_scan`` either works end to end or is BadInput, never a
crash or a traceback."""

from __future__ import annotations

import copy
import json
import math
from functools import cache
from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from report_factory import DEMO_VENDORS_CSV, demo_scan

from scanner.api import load_scan, read_scan
from scanner.cli import build_parser
from scanner.diff import diff_scans, diff_text
from scanner.errors import BadInput, ScannerError
from scanner.report.diff_files import write_diff

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=20),
    st.sampled_from(["", "0", "1.5", "null", "true", "undeclared", "http", "local", "https://x.test/"]),
)
_json = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _like(value) -> st.SearchStrategy:
    """Another value of the same JSON type: odd but well-typed (empty, huge, negative, hostile text)."""
    if isinstance(value, bool):
        return st.booleans()
    if isinstance(value, int):
        return st.integers(min_value=-(2**63), max_value=2**63)
    if isinstance(value, float):
        return st.floats(allow_nan=False, allow_infinity=False)
    if isinstance(value, str):
        return st.one_of(
            st.text(max_size=30),
            st.sampled_from(["", "=cmd|' /C calc'!A0", "a\rb", "\ud800", "x" * 5000, "http://[", "/", "."]),
        )
    if isinstance(value, list):
        return st.one_of(st.just([]), st.just(value * 3), st.permutations(value).map(list))
    if isinstance(value, dict):
        keys = sorted(value)
        return st.sets(st.sampled_from(keys) if keys else st.nothing()).map(
            lambda drop: {k: v for k, v in value.items() if k not in drop}
        )
    return st.none()


@cache
def demo_document() -> str:
    return json.dumps(demo_scan().to_dict())


def _mutate(doc, data) -> object:
    """One change somewhere in ``doc``: a value replaced, a key dropped, or a value wrapped in a list."""
    path = []
    node = doc
    while isinstance(node, (dict, list)) and node and data.draw(st.integers(0, 7), label="deeper") > 0:
        key = data.draw(st.sampled_from(sorted(node) if isinstance(node, dict) else range(len(node))))
        path.append(key)
        node = node[key]
    action = data.draw(
        st.sampled_from(["same type", "same type", "replace", "drop", "wrap", "stringify"]), label="action"
    )
    if not path:
        return data.draw(_json, label="root")
    parent = doc
    for key in path[:-1]:
        parent = parent[key]
    last = path[-1]
    if action == "drop":
        del parent[last]
    elif action == "wrap":
        parent[last] = [parent[last]]
    elif action == "stringify":
        parent[last] = json.dumps(parent[last])
    elif action == "same type":
        parent[last] = data.draw(_like(parent[last]), label="like")
    else:
        parent[last] = data.draw(_json, label="value")
    return doc


def malformed(data) -> str:
    doc = json.loads(demo_document())
    for _ in range(data.draw(st.integers(1, 3), label="changes")):
        doc = _mutate(doc, data)
    return json.dumps(doc)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_malformed_scan_json_reads_or_is_bad_input(tmp_path, data):
    path = tmp_path / "scan.json"
    path.write_text(malformed(data), encoding="utf-8")
    try:
        scan = load_scan(path)
    except BadInput as err:
        assert "\n" not in str(err) and len(str(err)) < 600
        event("bad input")
        return
    event("read")
    # What reads must be usable: the pandas views and a diff against itself.
    for frame in (scan.cookies, scan.requests, scan.findings, scan.pages, scan.storage, scan.vendors):
        assert frame is not None
    assert diff_text(diff_scans(scan.result, scan.result)) is not None


def _report(path: Path, out: Path, *extra: str) -> int:
    args = build_parser().parse_args(["report", str(path), "--out", str(out), "--format", "all", *extra])
    try:
        code = args._run(args)
        event(f"report exit {code}")
        return code
    except ScannerError as err:
        assert err.exit_code == 2, err
        assert "\n" not in str(err)
        return 2


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_scanner_report_of_malformed_scan_json_is_every_format_or_exit_2(tmp_path, data):
    path = tmp_path / "scan.json"
    path.write_text(malformed(data), encoding="utf-8")
    good = tmp_path / "good.json"
    good.write_text(demo_document(), encoding="utf-8")
    assert _report(path, tmp_path / "out", "--fail-on", "undeclared,mismatch,not_observed") in (0, 1, 2, 4)
    # Attributed and compared again (a new declaration): the records go through the whole pipeline.
    vendors = tmp_path / "vendors.csv"
    vendors.write_text(DEMO_VENDORS_CSV, encoding="utf-8")
    assert _report(path, tmp_path / "out3", "--vendors", str(vendors)) in (0, 1, 2, 4)
    # The same document as the --baseline of a good scan, and on either side of `scanner diff`.
    assert _report(good, tmp_path / "out2", "--baseline", str(path)) in (0, 1, 2, 4)
    try:
        old, new = read_scan(path), read_scan(good)
    except BadInput:
        return
    write_diff(diff_scans(old, new), tmp_path / "diff")
    write_diff(diff_scans(new, old), tmp_path / "diff")


def test_nan_and_deep_nesting_in_scan_json_are_bad_input(tmp_path):
    doc = json.loads(demo_document())
    doc["cookies"][0]["expires"] = math.nan
    nested = copy.deepcopy(doc)
    nested["meta"]["options"]["x"] = json.loads("[" * 40 + "]" * 40)
    deeper = "[" * 200_000 + "]" * 200_000
    for i, text in enumerate([json.dumps(doc), json.dumps(nested), deeper]):
        path = tmp_path / f"{i}.json"
        path.write_text(text, encoding="utf-8")
        try:
            read_scan(path)
        except BadInput as err:
            assert "\n" not in str(err)
        else:
            raise AssertionError(f"document {i} was read")
