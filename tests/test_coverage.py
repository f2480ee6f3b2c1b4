"""Coverage honesty (issue 14, point 6): scan.json and every report say how many pages the crawl discovered
and visited and why it stopped (max-pages, max-depth, crawl-trap bounds, an interruption, an error), also
for a killed scan rebuilt by `scanner report`, a resumed scan, and an old scan.json that has no coverage.

Real crawls of the fake internet: the demo shop (tests/coverage_scans.py, shared with
test_diff_coverage.py) and two small sites of this module."""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from dataclasses import replace
from xml.sax.saxutils import escape

import pytest
from conftest import run_cli
from coverage_scans import KILLED_AFTER, browser, max_pages_scan, scan_options, start_page_scan
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from report_schemas import junit_errors, sarif_errors

from scanner.api import read_scan
from scanner.assemble import read_meta
from scanner.commands.scan import report_summary
from scanner.crawl.frontier import Frontier, recovered_coverage, replay
from scanner.errors import BadInput, CannotScan
from scanner.fakenet import FakeInternet, Response, Site
from scanner.model import STOP_REASONS, Coverage, ScanMeta, from_jsonable, to_jsonable
from scanner.options import resume_options
from scanner.report import write_reports
from scanner.report.coverage_text import UNKNOWN, coverage_line, coverage_view
from scanner.report.markdown import md_escape
from scanner.scanning import scan
from scanner.schema import validation_errors
from scanner.scope import Scope
from scanner.shapes import ShapeError

TINY = "www.tiny-shop.com"
TRAP = "www.trap-shop.com"
# A sitemap entry the crawl holds back (its path repeats a segment: a trap bound), carrying markup: it
# is listed, as text, among the pages not visited.
HOSTILE = "https://www.trap-shop.com/x/x/x/x?q=<script>alert('q')</script>&r=\"><img src=x onerror=alert(1)>"


def _month(req) -> Response:
    n = int(req.arg("m", "0")) if req.arg("m", "0").isdigit() else 0
    return Response.html(f"<title>Month {n}</title><a href='/cal?m={n + 1}'>next month</a>")


def small_world() -> dict:
    sitemap = (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<url><loc>{escape(HOSTILE)}</loc></url></urlset>"
    )
    return {
        TINY: Site(
            {
                "/": Response.html(
                    "<title>Tiny</title><a href='/a'>a</a> <a href='/a#top'>a again</a> "
                    "<a href='/brochure.pdf'>brochure</a> <a href='https://www.elsewhere.org/'>elsewhere</a>"
                ),
                "/a": Response.html(
                    "<title>A</title><a href='/'>home</a> <a href='/b?utm_source=mail'>b</a>"
                ),
                "/b": Response.html("<title>B</title><a href='/'>home</a> <a href='/a'>a</a>"),
            }
        ),
        TRAP: Site({"/sitemap.xml": Response.text(sitemap, content_type="application/xml")}, fallback=_month),
    }


@pytest.fixture(scope="module")
def small_net():
    with FakeInternet(small_world()) as net:
        yield net


@pytest.fixture(scope="module")
def four(demo_net, tmp_path_factory):
    return max_pages_scan(demo_net, tmp_path_factory.getbasetemp())


@pytest.fixture(scope="module")
def tiny(small_net, tmp_path_factory):
    out = tmp_path_factory.mktemp("tiny")
    return scan(scan_options(small_net, small_net.url(TINY, "/"), out, use_sitemap=False)), out


@pytest.fixture(scope="module")
def trap(small_net, tmp_path_factory):
    out = tmp_path_factory.mktemp("trap")
    options = scan_options(small_net, small_net.url(TRAP, "/cal?m=0"), out, max_query_variants=2)
    return scan(options), out


def read(folder, name: str) -> str:
    return (folder / name).read_text(encoding="utf-8")


def junit_properties(xml_text: str) -> dict[str, str]:
    suite = ET.fromstring(xml_text).find("testsuite")
    return {p.get("name"): p.get("value") for p in suite.find("properties")}


# ---- a crawl stopped by --max-pages ----------------------------------------------------------------


def test_max_pages_scan_says_it_visited_fewer_than_it_found(four):
    result, out, _ = four
    c = result.meta.coverage
    assert c.visited == len(result.pages) == 4 and c.failed == 0
    assert c.discovered > c.visited and c.not_visited == c.discovered - c.visited
    assert c.stopped_by == ("max_pages",) and c.not_visited_by == {"max_pages": c.not_visited}
    assert not c.recovered and not result.meta.interrupted
    # the sample lists every unvisited page here (fewer than 50): in scope, never one that was visited
    assert c.skipped_total == c.not_visited == len(c.skipped)
    skipped = {s["url"] for s in c.skipped}
    assert all(s["why"] == "max_pages" for s in c.skipped)
    assert not skipped & {p.url for p in result.pages}
    assert "https://www.example.com/sitemap-only" in skipped  # found in the sitemap only
    assert all(u.startswith(("https://www.example.com/", "https://blog.example.com/")) for u in skipped)
    # links not followed: wikipedia.org and the second first-party domain (not in scope without
    # --first-party); /brochure.pdf and /data.json are files, not pages
    assert c.out_of_scope == 2 and c.not_html == 2
    data = json.loads(read(out, "scan.json"))
    assert data["schema_version"] == "1.4" and validation_errors(data) == []
    assert read_scan(out).meta.coverage == c


def test_every_report_says_what_was_not_visited(four, capsys):
    result, out, _ = four
    c = result.meta.coverage
    line = f"visited 4 of {c.discovered} discovered pages — stopped by max-pages (4)"
    assert coverage_line(result) == line
    html = read(out, "report.html")
    assert f"<strong>Coverage:</strong> {line}." in html and 'class="coverage short"' in html
    assert f"(showing {len(c.skipped)} of {c.not_visited})" not in html  # nothing cut
    assert "<code>https://www.example.com/sitemap-only</code>" in html
    assert f"Coverage: {md_escape(line, 400)}." in read(out, "summary.md")
    junit = read(out, "junit.xml")
    assert junit_errors(junit) == []
    props = junit_properties(junit)
    assert props["coverage"] == line and props["coverage.stopped_by"] == "max_pages"
    assert (props["coverage.visited"], props["coverage.discovered"]) == ("4", str(c.discovered))
    sarif = json.loads(read(out, "results.sarif"))
    assert sarif_errors(sarif) == []
    coverage = sarif["runs"][0]["properties"]["coverage"]
    assert coverage["text"] == line and coverage["visited"] == 4 and coverage["stopped_by"] == ["max_pages"]
    report_summary(result, [])
    assert f"coverage: {line}\n" in capsys.readouterr().out


# ---- bounded by depth, by a trap bound; complete; stopped by an error -----------------------------


def test_max_depth_bounded_scan(demo_net, tmp_path_factory):
    result, out = start_page_scan(demo_net, tmp_path_factory.getbasetemp())
    c = result.meta.coverage
    assert c.visited == len(result.pages) == 1 and c.stopped_by == ("max_depth",)
    assert c.not_visited_by == {"max_depth": c.not_visited} and c.not_visited == c.discovered - 1 > 5
    assert {"url": "https://www.example.com/products", "why": "max_depth"} in c.skipped
    assert md_escape("stopped by max-depth (0)") in read(out, "summary.md")
    assert "linked only beyond --max-depth" in read(out, "report.html")


def test_small_site_crawled_completely(tiny):
    result, out = tiny
    c = result.meta.coverage
    # /a#top is /a; /b?utm_source=mail is /b; the PDF is a file and elsewhere.org is out of scope
    assert (c.discovered, c.visited, c.not_visited, c.failed) == (3, 3, 0, 0)
    assert c.stopped_by == ("complete",) and c.skipped == () and c.not_visited_by == {}
    assert (c.out_of_scope, c.not_html) == (1, 1)
    line = "visited 3 of 3 discovered pages — complete: every in-scope page found was visited"
    assert coverage_line(result) == line
    html = read(out, "report.html")
    assert f"<strong>Coverage:</strong> {line}." in html and 'class="coverage"' in html
    assert "1 link outside the scope" in html and "1 link to files that are not pages" in html


def test_trap_bound_and_hostile_urls_are_listed_as_text(trap):
    result, out = trap
    c = result.meta.coverage
    assert [p.url.rsplit("=", 1)[1] for p in result.pages] == ["0", "1", "2"]
    assert c.stopped_by == ("trap",) and c.not_visited_by == {"trap": 2}
    assert {s["url"] for s in c.skipped} == {"https://www.trap-shop.com/cal?m=3", HOSTILE}
    assert "stopped by crawl-trap bounds (2 query variants a path)" in coverage_line(result)
    html = read(out, "report.html")
    assert "<script>alert('q')" not in html and "<img src=x" not in html
    assert "&lt;script&gt;alert(&#39;q&#39;)&lt;/script&gt;" in html
    assert junit_errors(read(out, "junit.xml")) == []


def test_a_scan_stopped_by_an_error_says_so(small_net, tmp_path):
    options = scan_options(small_net, small_net.url(TINY, "/missing"), tmp_path / "out", formats=("json",))
    with pytest.raises(CannotScan) as caught:
        scan(options)
    c = caught.value.result.meta.coverage
    assert (c.visited, c.failed, c.stopped_by) == (1, 1, ("errors",))
    assert (
        coverage_line(caught.value.result)
        == "visited 1 of 1 discovered page (1 failed) — stopped by an error"
    )


# ---- killed, recovered, resumed ---------------------------------------------------------------------


def test_killed_scan_recovered_by_report_keeps_its_coverage_and_is_partial(four, tmp_path):
    folder = tmp_path / "killed"
    shutil.copytree(four[2], folder)
    assert read_meta(folder)[0].coverage is None  # the crawl had not recorded it yet
    proc = run_cli("report", str(folder), "--format", "json,html,md,junit,sarif", "--fail-on", "none")
    assert proc.returncode == 4, proc.stdout + proc.stderr
    result = read_scan(folder)
    c = result.meta.coverage
    assert result.meta.interrupted and c.recovered and len(result.pages) == KILLED_AFTER
    assert c.visited == KILLED_AFTER and c.discovered > c.visited
    assert c.stopped_by == ("interrupted",) and c.not_visited_by == {"interrupted": c.not_visited}
    line = coverage_line(result)
    assert line.startswith(
        f"visited {KILLED_AFTER} of {c.discovered} discovered pages — stopped by an interruption"
    )
    assert "rebuilt from the saved pages" in line
    assert f"coverage: {line}\n" in proc.stdout  # the terminal says it too
    md = read(folder, "summary.md")
    assert md.startswith("> ⚠️ **Partial scan") and f"Coverage: {md_escape(line, 400)}." in md
    assert "rebuilt from the saved pages" in read(folder, "report.html")
    sarif = json.loads(read(folder, "results.sarif"))
    run = sarif["runs"][0]
    assert (
        run["invocations"][0]["executionSuccessful"] is False and run["properties"]["coverage"]["recovered"]
    )


def test_resumed_scan_counts_both_runs(four, demo_net, tmp_path):
    folder = tmp_path / "resumed"
    shutil.copytree(four[2], folder)
    options = resume_options(folder, browser=browser(demo_net), formats=("json",), consent="off")
    result = scan(options)
    c, first = result.meta.coverage, four[0].meta.coverage
    assert len(result.meta.resumed_at) == 1 and not result.meta.interrupted
    assert {p.url for p in result.pages} == {p.url for p in four[0].pages}
    assert c.visited == 4 and c.stopped_by == ("max_pages",) and not c.recovered
    assert (c.discovered, c.out_of_scope, c.not_html) == (
        first.discovered,
        first.out_of_scope,
        first.not_html,
    )


# ---- an old scan.json has no coverage ----------------------------------------------------------------


def test_old_scan_json_reports_coverage_unknown(four, tmp_path):
    data = json.loads(read(four[1], "scan.json"))
    del data["meta"]["coverage"]
    data["schema_version"] = "1.2"
    folder = tmp_path / "old"
    folder.mkdir()
    (folder / "scan.json").write_text(json.dumps(data), encoding="utf-8")
    result = read_scan(folder)
    assert result.meta.coverage is None and coverage_line(result) == UNKNOWN
    out = tmp_path / "reports"
    write_reports(result, out, ["html", "md", "junit", "sarif"])
    assert UNKNOWN in read(out, "report.html") and md_escape(UNKNOWN, 400) in read(out, "summary.md")
    assert junit_properties(read(out, "junit.xml")) == {"coverage": UNKNOWN}
    assert json.loads(read(out, "results.sarif"))["runs"][0]["properties"]["coverage"] == {
        "text": UNKNOWN,
        "known": False,
    }
    proc = run_cli("report", str(folder), "--format", "md", "--fail-on", "none")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr


# ---- the record's shape: a bad coverage is one line, never a crash --------------------------------

JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4),
    max_leaves=12,
)
FIELDS = ("discovered", "visited", "failed", "not_visited_by", "stopped_by", "skipped", "recovered")


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(field=st.sampled_from(FIELDS), value=JSON, whole=st.none() | JSON)
def test_coverage_of_any_shape_loads_or_is_one_error(four, field, value, whole):
    """scan.json's meta as ``ScanResult.from_dict`` reads it, with any JSON in its coverage."""
    meta = json.loads(json.dumps(to_jsonable(four[0].meta)))
    meta["coverage"][field] = value
    if whole is not None:
        meta["coverage"] = whole
    try:
        loaded = from_jsonable(ScanMeta, meta, "meta")
    except ShapeError as exc:
        assert str(exc).startswith("meta.coverage") and "\n" not in str(exc)
        return
    assert loaded.coverage is None or isinstance(loaded.coverage, Coverage)
    coverage_line(replace(four[0], meta=loaded))  # whatever loads can be said
    coverage_view(replace(four[0], meta=loaded))


def test_bad_coverage_in_scan_meta_is_bad_input(four, tmp_path):
    folder = tmp_path / "meta"
    shutil.copytree(four[2], folder)
    saved = json.loads(read(folder, "scan-meta.json"))
    saved["meta"]["coverage"] = {"discovered": "many", "visited": 1}
    (folder / "scan-meta.json").write_text(json.dumps(saved), encoding="utf-8")
    with pytest.raises(BadInput, match="coverage"):
        read_meta(folder)


# ---- the frontier's account, without a browser ------------------------------------------------------


def test_frontier_counts_distinct_pages_and_why_they_were_left():
    f = Frontier(Scope(["https://www.example.com/"]), max_depth=1, max_pages=2, max_query_variants=1)
    assert f.add("https://www.example.com/", 0, source="seed")
    for _ in range(2):  # the same links on two pages count once
        f.add("https://www.wikipedia.org/", 1)
        f.add("https://www.example.com/deep", 2)  # beyond max depth, for now
        f.add("https://www.example.com/file.pdf", 1)
        f.add("https://www.example.com/search?q=a", 1)
        f.add("https://www.example.com/search?q=b", 1)  # the second variant: a trap
    assert f.coverage().not_visited_by == {"max_depth": 1, "trap": 1, "interrupted": 2}
    assert f.add("https://www.example.com/deep", 1)  # a shorter path: queued after all
    visited = []
    while (t := f.pop()) is not None:
        visited.append(t.url)
        f.done(t.url, failed=t.url.endswith("q=a"))
    assert visited == ["https://www.example.com/", "https://www.example.com/search?q=a"]
    c = f.coverage()
    assert (c.discovered, c.visited, c.failed, c.out_of_scope, c.not_html) == (4, 2, 1, 1, 1)
    assert c.not_visited_by == {"max_pages": 1, "trap": 1} and c.stopped_by == ("max_pages", "trap")
    assert set(STOP_REASONS) >= set(c.stopped_by)
    stopped = f.coverage("interrupted")
    assert stopped.stopped_by == ("max_pages", "trap", "interrupted")


def test_a_crawl_stopped_before_its_first_visit_counts_its_start_urls(tmp_path):
    """Stopped while the browser starts (no visit handed out yet): the start URLs were discovered."""
    from scanner.crawl.crawler import Crawl
    from scanner.options import ScanOptions
    from scanner.sink import MemorySink

    starts = ("https://www.example.com/", "https://www.example.com/b", "https://www.example.com/")
    crawl = Crawl(ScanOptions(start_urls=starts), MemorySink())
    c = crawl.frontier.coverage("interrupted")
    assert (c.discovered, c.visited, c.not_visited_by) == (2, 0, {"interrupted": 2})
    assert c.stopped_by == ("interrupted",)
    # --max-pages 1, stopped during that first visit: the page in flight was cut by the interruption,
    # the other one by --max-pages
    one = Crawl(ScanOptions(start_urls=starts, max_pages=1), MemorySink()).frontier
    one.add(starts[0], 0, source="seed")
    assert one.pop() is not None and one.pop() is None
    c = one.coverage("interrupted")
    assert (c.discovered, c.not_visited_by) == (2, {"max_pages": 1, "interrupted": 1})


def test_replayed_coverage_matches_the_crawl(tiny, four):
    """What `scanner report` rebuilds from a crawl's pages.jsonl is what the crawl recorded; only sitemap
    entries found after the last page was saved can be missing (a killed scan never saved them)."""
    for out, live in ((tiny[1], tiny[0].meta.coverage), (four[1], four[0].meta.coverage)):
        visits = [json.loads(line) for line in read(out, "pages.jsonl").splitlines()]
        meta, scope = read_meta(out)
        rebuilt = recovered_coverage(meta.start_urls, scope, meta.options, visits, None)
        assert rebuilt.recovered and (rebuilt.visited, rebuilt.stopped_by) == (live.visited, live.stopped_by)
        assert {s["url"] for s in rebuilt.skipped} <= {s["url"] for s in live.skipped}
        if out == tiny[1]:  # no sitemap: nothing can be missing
            assert replace(rebuilt, recovered=False) == live
        f = Frontier(scope, max_pages=int(meta.options["max_pages"]))
        assert replay(f, visits, meta.start_urls)[0] == live.visited
        assert f.pop() is None  # nothing left (tiny) or --max-pages reached (four): a resume visits no more
