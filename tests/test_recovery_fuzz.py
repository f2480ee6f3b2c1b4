"""`scanner report DIR` rebuilds a killed scan from pages.jsonl + scan-meta.json whatever the files hold:
a line of the wrong shape is skipped and named in meta.errors (the result is partial), every good line is
kept, and nothing raises but BadInput. The lines are real saved visits of a real scan, mutated."""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import pytest
from conftest import REPO, scan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.assemble import META_FILE, VISITS_FILE, read_meta, recover
from scanner.errors import BadInput
from scanner.options import resume_options
from scanner.pipeline import analyse, load_declaration
from scanner.report import write_reports

pytestmark = pytest.mark.browser

FUZZ = settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Each example of the pages.jsonl property runs the whole later pipeline (analysis, every report format, a
# resume): about 10 times the cost of a meta example, and CPU-bound, so it slows the workers' browsers.
FUZZ_PIPELINE = settings(FUZZ, max_examples=40)


@pytest.fixture(scope="module")
def saved_scan(demo_net, tmp_path_factory):
    """(pages.jsonl lines, scan-meta.json content) of a real crawl of the demo shop, as if killed."""
    out = tmp_path_factory.mktemp("fuzz-source")
    scan(demo_net, [demo_net.url("www.example.com", "/")], out, max_pages=4, use_sitemap=False)
    lines = (out / VISITS_FILE).read_text(encoding="utf-8").splitlines()
    meta = json.loads((out / META_FILE).read_text(encoding="utf-8"))
    meta["meta"]["finished_at"] = None  # killed: recoverable and resumable
    assert len(lines) == 4
    return lines, meta


@pytest.fixture(scope="module")
def declared():
    return load_declaration(str(REPO / "vendors.csv"), None)[0]


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**20), max_value=10**400)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
    max_leaves=12,
)


def paths(value, prefix=()):
    """Every path (keys and indices) into a JSON value."""
    yield prefix
    if isinstance(value, dict):
        for key, item in value.items():
            yield from paths(item, (*prefix, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            yield from paths(item, (*prefix, i))


def at(value, path):
    for step in path:
        value = value[step]
    return value


def flip(value):
    """The same datum as the other JSON kind: numbers as strings, strings as numbers, ..."""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, str):
        return len(value)
    if isinstance(value, list):
        return {str(i): v for i, v in enumerate(value)}
    if isinstance(value, dict):
        return list(value.values())
    return "null"


@st.composite
def mutated_line(draw, line: str) -> str | bytes:
    kind = draw(st.sampled_from(["replace", "delete", "flip", "null", "whole", "cut", "bytes", "deep"]))
    if kind == "cut":
        return line[: draw(st.integers(0, len(line) - 1))]
    if kind == "bytes":
        return draw(st.binary(max_size=40))
    if kind == "whole":
        return json.dumps(draw(json_values), allow_nan=True)
    if kind == "deep":
        depth = draw(st.sampled_from([70, 5000, 200000]))
        return '{"page": ' + "[" * depth + "]" * depth + "}"
    visit = json.loads(line)
    all_paths = list(paths(visit))
    path = all_paths[draw(st.integers(0, len(all_paths) - 1))]
    if not path:
        return json.dumps(draw(json_values) if kind == "replace" else flip(visit))
    parent, last = at(visit, path[:-1]), path[-1]
    if kind == "delete":
        del parent[last]
    elif kind == "replace":
        parent[last] = draw(json_values)
    elif kind == "flip":
        parent[last] = flip(parent[last])
    else:
        parent[last] = None
    return json.dumps(visit, allow_nan=True, ensure_ascii=draw(st.booleans()))


@st.composite
def pages_file(draw, lines: list[str]) -> tuple[list[str | bytes], set[int]]:
    """The real lines with 1-3 of them mutated; returns (lines, 0-based indices of mutated ones)."""
    chosen = draw(st.sets(st.integers(0, len(lines) - 1), min_size=1, max_size=3))
    out: list[str | bytes] = list(lines)
    for i in chosen:
        out[i] = draw(mutated_line(lines[i]))
    return out, chosen


def write_folder(folder: Path, lines, meta) -> None:
    (folder / META_FILE).write_text(json.dumps(meta), encoding="utf-8")
    with (folder / VISITS_FILE).open("wb") as fh:
        for line in lines:
            raw = line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")
            fh.write(raw.replace(b"\n", b" ") + b"\n")


@given(data=st.data())
@FUZZ_PIPELINE
def test_recover_keeps_good_lines_and_names_bad_ones(saved_scan, declared, data):
    real, meta = saved_scan
    lines, mutated = data.draw(pages_file(real))
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        write_folder(folder, lines, meta)
        result = recover(folder)  # never raises: the meta is good
        errors = " ".join(result.meta.errors)
        skipped = {i for i in range(len(lines)) if f"{VISITS_FILE} line {i + 1} " in errors}
        assert skipped <= mutated
        blank = {i for i in mutated if not bytes_of(lines[i]).strip(b" \t\r\n")}
        assert len(result.pages) == len(lines) - len(skipped) - len(blank)
        kept_urls = [p.url for p in result.pages]
        for i in set(range(len(lines))) - mutated:
            assert json.loads(real[i])["page"]["url"] in kept_urls
        assert result.meta.interrupted is True  # killed, and maybe lines lost
        # Every later stage takes the result: analysis, every report, a resume.
        analysed = analyse(result, declared=declared)
        json.dumps(analysed.to_dict(), allow_nan=False, ensure_ascii=False).encode("utf-8")
        write_reports(analysed, folder / "reports", ["all"])
        options = resume_options(folder)
        from scanner.crawl.crawler import Crawl
        from scanner.sink import JsonlSink

        sink = JsonlSink(folder, resume=True)
        Crawl(options, sink).resume(read_meta(folder)[0], sink.visits())


def bytes_of(line) -> bytes:
    return line if isinstance(line, bytes) else line.encode("utf-8", "surrogatepass")


@given(data=st.data())
@FUZZ
def test_a_malformed_meta_is_bad_input(saved_scan, data):
    real, meta = saved_scan
    mutated = data.draw(mutated_line(json.dumps(meta)))
    with tempfile.TemporaryDirectory(prefix="fuzz-") as tmp:
        folder = Path(tmp)
        write_folder(folder, real, {})
        (folder / META_FILE).write_bytes(bytes_of(mutated))
        try:
            result = recover(folder)
        except BadInput as exc:
            assert "\n" not in str(exc) and META_FILE in str(exc)
            return
        assert len(result.pages) == len(real)
        json.dumps(result.to_dict(), allow_nan=False)
        try:
            resume_options(folder)
        except BadInput:
            pass


def test_report_command_on_a_garbled_folder(saved_scan, tmp_path):
    """The CLI end to end: bad lines between good ones, one line each, exit 4 (partial), no traceback."""
    from conftest import run_cli

    real, meta = saved_scan
    lines = [real[0], "[1, 2]", '"just a string"', '{"page": 5}', real[1], '{"page": {"url": 7}}', real[2]]
    lines += ['{"page": {"url": "https://x.example/", "depth": "1"}}', real[3], '{"pa']
    write_folder(tmp_path, lines, meta)
    proc = run_cli("report", str(tmp_path), "--format", "json,html", "--fail-on", "none")
    assert proc.returncode == 4, proc.stderr
    assert "Traceback" not in proc.stderr
    data = json.loads((tmp_path / "scan.json").read_text())
    assert [p["url"] for p in data["pages"]] == [json.loads(line)["page"]["url"] for line in real]
    for n in (2, 3, 4, 6, 8, 10):
        assert any(f"{VISITS_FILE} line {n} " in e for e in data["meta"]["errors"]), n
    shutil.rmtree(tmp_path / "screenshots", ignore_errors=True)


@pytest.mark.parametrize(
    "path", [("requests", 0, "timings", "dns"), ("requests", 0, "timestamp"), ("page", "load_ms")]
)
def test_a_number_beyond_int64_skips_its_line(saved_scan, declared, tmp_path, path):
    """Found by the fuzz test above in CI: 10**400 in a request's timings crashed the HAR writer."""
    real, meta = saved_scan
    visit = json.loads(real[0])
    at(visit, path[:-1])[path[-1]] = 10**400
    write_folder(tmp_path, [json.dumps(visit), *real[1:]], meta)
    result = recover(tmp_path)
    assert [p.url for p in result.pages] == [json.loads(line)["page"]["url"] for line in real[1:]]
    assert any(f"{VISITS_FILE} line 1 " in e and "range" in e for e in result.meta.errors), result.meta.errors
    write_reports(analyse(result, declared=declared), tmp_path / "reports", ["all"])
