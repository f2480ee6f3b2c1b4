"""Every input file the user names is read with a size limit, a nesting limit and only when it is a
regular file: /dev/zero, a FIFO, a huge or deeply nested file is one line and exit 2, at once."""

from __future__ import annotations

import json
import os
import sys

import pytest
from conftest import run_cli

from scanner.api import read_scan
from scanner.catalog import load_catalog
from scanner.declared import load_declared_csv
from scanner.errors import BadInput
from scanner.policy.source import MAX_BYTES as MAX_POLICY_BYTES
from scanner.policy.source import read_policy
from scanner.textfile import MAX_JSON_DEPTH, MAX_SCAN_BYTES, MAX_TEXT_BYTES, parse_json, read_limited

READERS = {
    "vendors": load_declared_csv,
    "catalog": lambda p: load_catalog([p]),
    "policy": lambda p: read_policy(str(p)),
    "scan": read_scan,
}
LIMITS = {
    "vendors": MAX_TEXT_BYTES,
    "catalog": MAX_TEXT_BYTES,
    "policy": MAX_POLICY_BYTES,
    "scan": MAX_SCAN_BYTES,
}


def one_line_bad_input(read, path, match: str) -> None:
    with pytest.raises(BadInput, match=match) as err:
        read(path)
    assert "\n" not in str(err.value)


@pytest.mark.skipif(not os.path.exists("/dev/zero"), reason="no /dev/zero")
@pytest.mark.parametrize("kind", sorted(READERS))
def test_a_device_is_not_read(kind):
    one_line_bad_input(READERS[kind], "/dev/zero", "not a regular file")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
@pytest.mark.parametrize("kind", sorted(READERS))
def test_a_fifo_is_not_waited_for(tmp_path, kind):
    fifo = tmp_path / ("scan.json" if kind == "scan" else "input.csv")
    os.mkfifo(fifo)  # no writer: opening it for reading would block forever
    one_line_bad_input(READERS[kind], fifo, "not a regular file")


@pytest.mark.parametrize("kind", sorted(READERS))
def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path, kind):
    big = tmp_path / ("scan.json" if kind == "scan" else "input.csv")
    with big.open("wb") as fh:
        fh.truncate(LIMITS[kind] + 1)  # sparse: no disk used, nothing read
    one_line_bad_input(READERS[kind], big, "too large")


def test_a_file_that_grows_past_the_limit_is_cut_off(tmp_path):
    path = tmp_path / "x"
    path.write_bytes(b"x" * 101)
    with pytest.raises(BadInput, match="too large"):
        read_limited(path, "x", 100)
    assert read_limited(path, "x", 101) == b"x" * 101


@pytest.mark.parametrize(
    "text",
    [
        "[" * 100_000 + "]" * 100_000,  # the C parser's RecursionError
        "[" * (MAX_JSON_DEPTH + 1) + "]" * (MAX_JSON_DEPTH + 1),
        '{"a":' * (MAX_JSON_DEPTH + 1) + "1" + "}" * (MAX_JSON_DEPTH + 1),
    ],
)
def test_deeply_nested_json_is_bad_input(tmp_path, text):
    with pytest.raises(BadInput, match="nested too deeply"):
        parse_json(text, "x.json")
    path = tmp_path / "catalog.json"
    path.write_text(text, encoding="utf-8")
    one_line_bad_input(lambda p: load_catalog([p]), path, "nested too deeply")
    scan = tmp_path / "scan.json"
    scan.write_text(text, encoding="utf-8")
    one_line_bad_input(read_scan, scan, "nested too deeply")


def test_json_at_the_depth_limit_is_read():
    text = "[" * MAX_JSON_DEPTH + "]" * MAX_JSON_DEPTH
    assert parse_json(text, "x.json") is not None
    assert parse_json(json.dumps({"a": "\ud800"}), "x.json") == {"a": "\ufffd"}


@pytest.mark.skipif(not os.path.exists("/dev/zero") or sys.platform == "win32", reason="no /dev/zero")
@pytest.mark.parametrize(
    "args",
    [
        ("report", "/dev/zero"),
        ("diff", "/dev/zero", "/dev/zero"),
        ("scan", "https://www.example.com/", "--vendors", "/dev/zero"),
        ("scan", "https://www.example.com/", "--catalog", "/dev/zero"),
        ("scan", "https://www.example.com/", "--baseline", "/dev/zero"),
        ("policy", "import", "/dev/zero"),
    ],
)
def test_cli_refuses_a_device_with_one_line_and_exit_2(args, tmp_path):
    out = {"scan": ("--out", str(tmp_path / "out")), "policy": ("-o", str(tmp_path / "v.csv"))}
    proc = run_cli(*args, *out.get(args[0], ()), timeout=60)
    assert proc.returncode == 2, proc.stderr
    lines = [ln for ln in proc.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "not a regular file" in lines[0], proc.stderr
    assert "Traceback" not in proc.stderr
