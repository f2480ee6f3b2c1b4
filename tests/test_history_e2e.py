"""The scan-history database on real scans: two campaigns of a small fake internet in which a tracker
disappears from a site and another appears (tests/history_world.py), scanned by `scanner scan` (the
first campaign recording itself with --history, three scans at once into one database), then ingested
as campaign folders; trend, matrix, compare and the Parquet export answer from it."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sqlite3
import subprocess
import sys
import threading
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import lxml.html
import pytest
from conftest import REPO, run_cli
from history_world import (
    ALPHA,
    BETA,
    FORMULA_VENDOR,
    HOSTILE,
    MARKUP_VENDOR,
    HistoryWorld,
    write_declarations,
)

from scanner.api import read_scan
from scanner.csvsafe import restore_cell
from scanner.fakenet import FakeInternet
from scanner.fakenet.hostile import PAYLOADS, SCRIPT_TAG
from scanner.history import compare, finding_fingerprint, matrix, record_scan, trend
from scanner.report.json_file import write_scan_json

SLUGS = {ALPHA: "alpha", BETA: "beta", HOSTILE: "hostile"}


@dataclass
class Campaigns:
    root: Path
    db: Path
    jan: Path
    feb: Path
    jan_procs: dict
    feb_procs: dict
    ingest_jan: object
    ingest_feb: object


def scan_args(
    net, host: str, out: Path, vendors: dict, *extra: str, formats: str = "json,sarif"
) -> list[str]:
    args = ["scan", f"https://{host}/", "--out", str(out), "--max-pages", "2", "--settle", "0.3"]
    args += ["--no-screenshots", "--quiet", "--timeout", "10", "--ignore-https-errors", "--no-sitemap"]
    args += ["--format", formats, *(f"--browser-arg={a}" for a in net.chromium_args())]
    if host in vendors:
        args += ["--vendors", str(vendors[host])]
    return [*args, *extra]


@pytest.fixture(scope="module")
def world_net():
    world = HistoryWorld()
    with FakeInternet(world.hosts()) as net:
        yield world, net


@pytest.fixture(scope="module")
def campaigns(world_net, tmp_path_factory) -> Campaigns:
    world, net = world_net
    root = tmp_path_factory.mktemp("history")
    db = root / "history.db"
    vendors = write_declarations(root / "declared")
    jan, feb = root / "jan", root / "feb"
    world.phase = "jan"
    jan_procs: dict = {}

    def jan_scan(host: str) -> None:
        out = jan / "sites" / SLUGS[host] / "attempt-1"
        jan_procs[host] = run_cli(*scan_args(net, host, out, vendors, "--history", str(db)))

    threads = [threading.Thread(target=jan_scan, args=(h,)) for h in (ALPHA, BETA, HOSTILE)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    ingest_jan = run_cli("history", "ingest", str(jan), "--db", str(db))
    world.phase = "feb"
    # alpha's first feb attempt left no scan.json (killed): the second is the site's scan
    (feb / "sites" / "alpha" / "attempt-1").mkdir(parents=True)
    (feb / "sites" / "alpha" / "attempt-1" / "pages.jsonl").write_text("{}\n")
    alpha_out = feb / "sites" / "alpha" / "attempt-2"
    feb_args = {
        ALPHA: scan_args(net, ALPHA, alpha_out, vendors, "--consent", "all", "--consent-sample", "1"),
        BETA: scan_args(net, BETA, feb / "sites" / "beta" / "attempt-1", vendors),
    }
    with ThreadPoolExecutor(max_workers=2) as pool:  # the two sites' scans at once, as a campaign runs them
        feb_procs = dict(zip(feb_args, pool.map(lambda args: run_cli(*args), feb_args.values()), strict=True))
    ingest_feb = run_cli("history", "ingest", str(feb), "--db", str(db))
    for proc in [*jan_procs.values(), *feb_procs.values(), ingest_jan, ingest_feb]:
        assert "Traceback" not in proc.stderr, proc.stderr
    return Campaigns(root, db, jan, feb, jan_procs, feb_procs, ingest_jan, ingest_feb)


def rows(db: Path, sql: str, *params) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(sql, params).fetchall()


def scan_json(c: Campaigns, campaign: str, host: str) -> Path:
    folder = (c.jan if campaign == "jan" else c.feb) / "sites" / SLUGS[host]
    return max(folder.glob("attempt-*/scan.json"))


def scan_id(c: Campaigns, campaign: str, host: str) -> int:
    found = rows(c.db, "SELECT id FROM scans WHERE scan_sha256 = ?", sha256(scan_json(c, campaign, host)))
    assert len(found) == 1
    return found[0][0]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def started_at(path: Path) -> str:
    return json.loads(path.read_text(encoding="utf-8"))["meta"]["started_at"]


def test_scans_record_themselves_at_once_into_one_database(campaigns):
    """Three `scanner scan --history` processes finishing together: each recorded, with its exit code."""
    c = campaigns
    ids = set()
    for host, proc in c.jan_procs.items():
        assert proc.returncode in (0, 1), proc.stderr
        assert "recorded as scan" in proc.stdout and proc.stderr == ""
        recorded = rows(
            c.db,
            "SELECT s.id, s.exit_code, s.verdict, t.site_key FROM scans s JOIN sites t ON t.id = s.site_id "
            "WHERE s.scan_sha256 = ?",
            sha256(scan_json(c, "jan", host)),
        )
        assert len(recorded) == 1
        sid, code, verdict, site = recorded[0]
        assert code == proc.returncode and verdict == ("PASS" if code == 0 else "FAIL")
        assert site == host.removeprefix("www.")
        assert f"recorded as scan {sid} in the history" in proc.stdout
        ids.add(sid)
    assert len(ids) == 3
    assert c.jan_procs[HOSTILE].returncode == 1  # nothing declared: its tracker is undeclared


def test_ingest_of_a_campaign_folder_fills_the_campaign_and_records_each_scan_once(campaigns):
    c = campaigns
    assert c.ingest_jan.returncode == 0 and c.ingest_jan.stderr == ""
    assert c.ingest_jan.stdout.count("already recorded as scan") == 3
    assert c.ingest_jan.stdout.count(", campaign jan)") == 3
    assert c.ingest_feb.returncode == 0 and c.ingest_feb.stdout.count("recorded scan") == 2
    campaigns_of = dict(rows(c.db, "SELECT scan_json, campaign FROM scans"))
    assert len(campaigns_of) == 5
    assert sorted(campaigns_of.values()) == ["feb", "feb", "jan", "jan", "jan"]
    # the site's last attempt with a scan.json is its scan; the killed attempt-1 is not
    assert str(scan_json(c, "feb", ALPHA).resolve()) in campaigns_of
    assert scan_json(c, "feb", ALPHA).parent.name == "attempt-2"

    def counts() -> list[int]:
        tables = ("sites", "scans", "vendor_obs", "cookie_obs", "host_obs", "findings")
        return [rows(c.db, f"SELECT COUNT(*) FROM {t}")[0][0] for t in tables]

    before = counts()
    again = run_cli("history", "ingest", str(c.feb), str(scan_json(c, "jan", BETA)), "--db", str(c.db))
    assert again.returncode == 0 and again.stdout.count("already recorded as scan") == 3
    assert record_scan(c.db, scan_json(c, "feb", BETA).parent) == scan_id(c, "feb", BETA)
    assert counts() == before and before[0] == 3


def test_concurrent_recorders_of_the_same_scan_record_it_once(campaigns, tmp_path):
    """Four processes record the same scan.json into a new database at once (migration included)."""
    db = tmp_path / "race.db"
    code = "import sys; from scanner.history import record_scan; print(record_scan(sys.argv[1], sys.argv[2]))"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, str(db), str(scan_json(campaigns, "jan", ALPHA))],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for _ in range(4)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    assert {out.strip() for out, _ in outputs} == {"1"}
    assert rows(db, "SELECT COUNT(*) FROM scans") == [(1,)]
    assert rows(db, "SELECT version FROM schema_version") == [(1,)]


def test_trend_says_when_each_vendor_cookie_and_finding_was_first_and_last_seen(campaigns):
    c = campaigns
    jan, feb = scan_json(c, "jan", ALPHA), scan_json(c, "feb", ALPHA)
    t = trend(c.db, "https://www.alpha-shop.com/some/page?x=1")  # any URL of the site
    assert t.site == "alpha-shop.com" and [s.id for s in t.scans] == [
        scan_id(c, "jan", ALPHA),
        scan_id(c, "feb", ALPHA),
    ]
    by = {(r.type, r.name, r.detail): r for r in t.rows}
    vendors = {r.name: r for r in t.rows if r.type == "vendor"}
    # Facebook disappeared: seen in jan only, not in the latest scan; its status then was "declared"
    fb = vendors["Facebook"]
    assert (fb.first_seen, fb.last_seen, fb.scans, fb.in_latest) == (
        started_at(jan),
        started_at(jan),
        1,
        False,
    )
    assert fb.detail == "declared" and fb.state == "gone"  # the complete feb scan did not see it
    # Criteo appeared in feb, undeclared on this site
    cr = vendors["Criteo"]
    assert (cr.first_seen, cr.last_seen, cr.scans, cr.in_latest) == (
        started_at(feb),
        started_at(feb),
        1,
        True,
    )
    assert cr.detail == "undeclared"
    ga = vendors["Google Analytics"]
    assert (ga.first_seen, ga.last_seen, ga.scans, ga.in_latest) == (
        started_at(jan),
        started_at(feb),
        2,
        True,
    )
    cookies = {r.name: r for r in t.rows if r.type == "cookie"}
    assert not cookies["_fbp"].in_latest and cookies["_fbp"].last_seen == started_at(jan)
    assert cookies["cto_bundle"].in_latest and cookies["cto_bundle"].first_seen == started_at(feb)
    assert cookies["_ga"].scans == 2
    assert not by[("finding", "declared", "Facebook")].in_latest
    assert by[("finding", "undeclared", "Criteo")].first_scan == scan_id(c, "feb", ALPHA)
    assert by[("finding", "not_observed", "Facebook")].first_seen == started_at(feb)
    assert by[("finding", "declared", "Google Analytics")].scans == 2


def test_trend_command_table_csv_and_json(campaigns):
    c = campaigns
    table = run_cli("history", "trend", "--site", "www.alpha-shop.com", "--db", str(c.db))
    assert table.returncode == 0, table.stderr
    line = next(ln for ln in table.stdout.splitlines() if ln.startswith("vendor") and "Facebook" in ln)
    assert line.split()[-2:] == ["1/2", "gone"]
    as_json = run_cli("history", "trend", "--site", ALPHA, "--db", str(c.db), "--format", "json")
    data = json.loads(as_json.stdout)
    assert data["site"] == "alpha-shop.com" and len(data["scans"]) == 2
    as_csv = run_cli("history", "trend", "--site", ALPHA, "--db", str(c.db), "--format", "csv")
    parsed = list(csv.DictReader(io.StringIO(as_csv.stdout)))
    assert len(parsed) == len(data["rows"])
    assert {(r["type"], r["name"], r["in_latest"]) for r in parsed} == {
        (r["type"], r["name"], str(r["in_latest"])) for r in data["rows"]
    }


def stopped_at_its_start(url: str, out: Path) -> Path:
    """A real partial scan of ``url`` with no page: the library's scan, interrupted (as Ctrl-C or a
    batch's site timeout would) while it was still starting."""
    import asyncio

    import scanner
    from scanner.errors import ScanInterrupted
    from scanner.scanning import scan_async

    async def run() -> None:
        task = asyncio.ensure_future(scan_async(scanner.ScanOptions(start_urls=(url,), out_dir=out)))
        await asyncio.sleep(0)  # the scan runs to its first wait: reading its declaration
        assert scanner.interrupt_scans()
        with pytest.raises(ScanInterrupted):
            await task

    asyncio.run(run())
    return out / "scan.json"


def test_a_partial_scan_is_no_evidence_that_a_tracker_is_gone(campaigns, tmp_path):
    """A third scan of alpha, cut short before its first page: it saw nothing, yet Google Analytics and
    Criteo are not "gone" (only a partial scan missed them), while Facebook is (the complete feb scan did
    not see it). The table, CSV, JSON, compare and the matrix page say so."""
    from scanner.history.files import matrix_html
    from scanner.history.queries import GONE, NOT_SEEN_PARTIAL, PRESENT
    from scanner.history.text import compare_text, trend_csv, trend_json

    c = campaigns
    db = tmp_path / "history.db"
    with sqlite3.connect(c.db) as source, sqlite3.connect(db) as copy:
        source.backup(copy)  # the module's database stays as the other tests expect it
    partial = record_scan(db, stopped_at_its_start(f"https://{ALPHA}/", tmp_path / "cut"), campaign="mar")
    t = trend(db, ALPHA)
    assert [s.id for s in t.scans][-1] == partial and t.latest.interrupted and t.latest.pages == 0
    state = {(r.type, r.name): r.state for r in t.rows}
    assert state[("vendor", "Google Analytics")] == state[("vendor", "Criteo")] == NOT_SEEN_PARTIAL
    assert state[("cookie", "_ga")] == state[("finding", "undeclared")] == NOT_SEEN_PARTIAL
    assert state[("vendor", "Facebook")] == state[("cookie", "_fbp")] == GONE
    assert PRESENT not in state.values() and not any(r.in_latest for r in t.rows)

    table = run_cli("history", "trend", "--site", ALPHA, "--db", str(db))
    assert table.returncode == 0, table.stderr
    lines = table.stdout.splitlines()
    assert lines[0].startswith("alpha-shop.com: 3 scan(s) (1 partial) from ")
    assert lines[0].endswith(f"latest scan {partial} (PARTIAL, partial)")
    # the scans it was in: of the complete scans, and of the partial ones, apart
    assert lines[2].split()[7:11] == ["complete", "scans", "partial", "scans"]
    ends = {ln.split()[1]: " ".join(ln.split()[-5:]) for ln in lines if ln.startswith("vendor ")}
    assert ends["Google"] == "2/2 0/1 not seen (partial)" and ends["Criteo"] == "1/2 0/1 not seen (partial)"
    assert ends["Facebook"].endswith("1/2 0/1 gone")
    assert lines[-1] == (
        "not seen (partial): missing only from partial (cut-short) scans since it was last seen, which "
        "are no evidence that it is gone"
    )
    # the other formats and answers, in process (the command only prints them)
    as_csv = csv.DictReader(io.StringIO(trend_csv(t)))
    assert {(r["name"], r["state"]) for r in as_csv if r["type"] == "vendor"} >= {
        ("Criteo", NOT_SEEN_PARTIAL),
        ("Facebook", GONE),
    }
    assert {r["state"] for r in json.loads(trend_json(t))["rows"]} == {NOT_SEEN_PARTIAL, GONE}
    diff = compare_text(compare(db, scan_id(c, "feb", ALPHA), partial))
    assert "B is a partial scan (cut short): what it did not see is no evidence that it was removed" in diff
    page = lxml.html.fromstring(matrix_html(matrix(db, "mar")))
    note = " ".join(page.get_element_by_id("partial-note").text_content().split())
    assert note.startswith("1 site marked partial (a scan cut short): an empty cell")

    # a partial scan that did see trackers (feb's scan of alpha, as if cut short after its pages):
    # the totals say how many of the scans that saw them were partial, in every format
    cut = read_scan(scan_json(c, "feb", ALPHA))
    cut = replace(cut, meta=replace(cut.meta, interrupted=True, errors=("interrupted; 1 page saved",)))
    (tmp_path / "seen").mkdir()
    record_scan(db, write_scan_json(cut, tmp_path / "seen"), campaign="apr")
    t = trend(db, ALPHA)
    google = next(r for r in t.rows if (r.type, r.name) == ("vendor", "Google Analytics"))
    assert (t.partial, len(t.scans), google.scans, google.scans_partial) == (2, 4, 3, 1)
    table = run_cli("history", "trend", "--site", ALPHA, "--db", str(db)).stdout.splitlines()
    google_line = next((ln for ln in table if ln.startswith("vendor") and "Google" in ln), table)
    assert [w for w in str(google_line).split() if re.fullmatch(r"\d+/\d+", w)] == ["2/2", "1/2"], table
    as_csv = {r["name"]: r for r in csv.DictReader(io.StringIO(trend_csv(t))) if r["type"] == "vendor"}
    counts = ("scans", "of_scans", "scans_complete", "of_scans_complete", "scans_partial", "of_scans_partial")
    assert [as_csv["Google Analytics"][k] for k in counts] == ["3", "4", "2", "2", "1", "2"]
    as_json = {r["name"]: r for r in json.loads(trend_json(t))["rows"] if r["type"] == "vendor"}
    assert [as_json["Google Analytics"][k] for k in counts] == [3, 4, 2, 2, 1, 2]
    m = matrix(db, "apr")
    assert {(v.name, v.sites, v.partial_sites) for v in m.vendors} >= {("Google Analytics", 1, 1)}
    page = lxml.html.fromstring(matrix_html(m))
    heads = [" ".join(th.text_content().split()) for th in page.xpath('//table[@id="matrix-table"]//th')]
    assert "Google Analytics1 site (1 partial)" in heads  # the name, then its count of sites
    columns = [th.text_content() for th in page.xpath('//table[@id="prevalence-table"]//th')]
    assert columns[2:4] == ["Sites seen", "of them partial"]


def test_hostile_cookie_names_in_trend_are_exact_in_json_and_safe_in_csv_and_on_the_terminal(campaigns):
    c = campaigns
    as_json = json.loads(
        run_cli("history", "trend", "--site", HOSTILE, "--db", str(c.db), "--format", "json").stdout
    )
    names = {r["name"] for r in as_json["rows"] if r["type"] == "cookie"}
    assert SCRIPT_TAG in names and "${7*7}" in names and any("\u202e" in n for n in names)
    as_csv = run_cli("history", "trend", "--site", HOSTILE, "--db", str(c.db), "--format", "csv").stdout
    cells = [cell for row in csv.reader(io.StringIO(as_csv)) for cell in row]
    assert not any(cell.startswith(("=", "+", "@")) for cell in cells)
    assert {restore_cell(cell) for cell in cells} >= names
    table = run_cli("history", "trend", "--site", HOSTILE, "--db", str(c.db)).stdout
    assert "\u202e" not in table and "\\u202e" in table


def test_finding_fingerprints_are_stable_per_site_and_align_with_sarif(campaigns):
    c = campaigns
    jan, feb = scan_id(c, "jan", ALPHA), scan_id(c, "feb", ALPHA)
    sql = "SELECT kind, vendor, fingerprint, sarif_fingerprint FROM findings WHERE scan_id = ?"
    fp_jan = {(k, v): f for k, v, f, _ in rows(c.db, sql, jan)}
    fp_feb = {(k, v): f for k, v, f, _ in rows(c.db, sql, feb)}
    ga = ("declared", "Google Analytics")
    assert fp_jan[ga] == fp_feb[ga] == finding_fingerprint("alpha-shop.com", *ga)
    assert fp_jan[("declared", "Facebook")] != fp_feb[("not_observed", "Facebook")]  # another kind
    beta_ga = dict(((k, v), f) for k, v, f, _ in rows(c.db, sql, scan_id(c, "feb", BETA)))[ga]
    assert beta_ga != fp_feb[ga]  # the same finding on another site is another finding
    for campaign, sid in (("jan", jan), ("feb", feb)):
        sarif = json.loads(
            (scan_json(c, campaign, ALPHA).parent / "results.sarif").read_text(encoding="utf-8")
        )
        results = sarif["runs"][0]["results"]
        expected = sorted(
            (
                r["properties"]["status"],
                r["properties"]["vendor"],
                r["partialFingerprints"]["vendorStatus/v1"],
            )
            for r in results
        )
        assert sorted((k, v, s) for k, v, _, s in rows(c.db, sql, sid)) == expected


def test_observations_per_pass(campaigns):
    c = campaigns
    jan, feb = scan_id(c, "jan", ALPHA), scan_id(c, "feb", ALPHA)
    # both pages of alpha embed Google Analytics
    ga = rows(
        c.db, "SELECT pages, status FROM vendor_obs WHERE scan_id = ? AND vendor = ?", jan, "Google Analytics"
    )
    assert ga == [(2, "declared")]
    assert rows(c.db, "SELECT passes FROM scans WHERE id = ?", feb) == [("none,accept,reject",)]
    passes = {p for (p,) in rows(c.db, "SELECT DISTINCT consent_pass FROM vendor_obs WHERE scan_id = ?", feb)}
    assert passes == {"none", "accept", "reject"}
    data = json.loads(scan_json(c, "feb", ALPHA).read_text(encoding="utf-8"))
    for consent_pass in ("none", "accept", "reject"):
        expected = {
            (k["name"], k["domain"], k["path"]) for k in data["cookies"] if k["consent_pass"] == consent_pass
        }
        got = rows(
            c.db,
            "SELECT name, domain, path, before_consent FROM cookie_obs "
            "WHERE scan_id = ? AND consent_pass = ?",
            feb,
            consent_pass,
        )
        assert {r[:3] for r in got} == expected and expected
        assert all(r[3] == 1 for r in got)  # no banner on alpha: nothing was after a consent choice
    hosts = dict(
        rows(c.db, "SELECT host, vendor FROM host_obs WHERE scan_id = ? AND consent_pass = 'none'", feb)
    )
    assert hosts["static.criteo.net"] == "Criteo" and hosts[ALPHA] is None


def test_matrix_of_each_campaign(campaigns):
    c = campaigns
    jan = matrix(c.db, "jan")
    assert [s.site for s in jan.sites] == ["alpha-shop.com", "beta-news.org", "hostile-example.com"]
    status = {k: cell.status for k, cell in jan.cells.items()}
    assert status[("alpha-shop.com", "Facebook")] == "declared"
    assert status[("beta-news.org", "Criteo")] == "declared"
    assert ("alpha-shop.com", "Criteo") not in status and ("beta-news.org", "Facebook") not in status
    assert status[("alpha-shop.com", FORMULA_VENDOR)] == "not_observed"
    feb = matrix(c.db, "feb")
    assert [s.id for s in feb.sites] == [scan_id(c, "feb", ALPHA), scan_id(c, "feb", BETA)]
    alpha_criteo = feb.cell("alpha-shop.com", "Criteo")
    assert alpha_criteo.status == "undeclared" and "before_consent" in alpha_criteo.kinds
    assert set(alpha_criteo.passes) == {"none", "accept", "reject"}
    assert feb.cell("alpha-shop.com", "Facebook").status == "not_observed"
    top = {v.name: v for v in feb.vendors}
    assert top["Criteo"].sites == 2 and top["Criteo"].undeclared == 1 and top["Facebook"].sites == 0
    assert feb.vendors[0].name in ("Criteo", "Google Analytics") and feb.vendors[0].sites == 2


def test_matrix_files_are_self_contained_escaped_and_csv_safe(campaigns, tmp_path):
    c = campaigns
    proc = run_cli("history", "matrix", "--campaign", "jan", "--db", str(c.db), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("campaign jan: 3 site(s) × ")
    page = (tmp_path / "matrix.html").read_text(encoding="utf-8")
    for payload in (*PAYLOADS[:3], MARKUP_VENDOR):
        assert payload not in page
    doc = lxml.html.fromstring(page)
    assert not doc.xpath("//img") and len(doc.xpath("//script")) == 1
    assert not doc.xpath("//*[@src]") and not doc.xpath("//link")
    csp = doc.xpath("//meta[@http-equiv='Content-Security-Policy']/@content")[0]
    assert "default-src 'none'" in csp
    headings = [th.text_content() for th in doc.xpath("//table[@id='matrix-table']/thead/tr/th")]
    assert any(h.startswith(MARKUP_VENDOR) for h in headings)
    assert any(h.startswith(FORMULA_VENDOR) for h in headings)
    site_rows = doc.xpath("//table[@id='matrix-table']/tbody/tr")
    assert [r.xpath("td[1]/b")[0].text for r in site_rows] == [
        "alpha-shop.com",
        "beta-news.org",
        "hostile-example.com",
    ]
    raw = list(csv.reader(io.StringIO((tmp_path / "matrix.csv").read_text(encoding="utf-8"))))
    header = raw[0]
    assert f"'{FORMULA_VENDOR}" in header and not any(h.startswith("=") for h in header)
    table = {r[0]: dict(zip([restore_cell(h) for h in header], r, strict=True)) for r in raw[1:]}
    assert table["alpha-shop.com"]["Facebook"] == "declared"
    assert table["beta-news.org"]["Facebook"] == ""
    assert table["hostile-example.com"]["verdict"] == "FAIL"


def test_compare_two_scans(campaigns):
    c = campaigns
    a, b = scan_id(c, "jan", ALPHA), scan_id(c, "feb", ALPHA)
    diff = compare(c.db, a, b)
    vendors = {ch.name: (ch.before, ch.after) for ch in diff.vendors}
    assert vendors["Facebook"] == ("declared", None) and vendors["Criteo"] == (None, "undeclared")
    assert "Google Analytics" not in vendors
    cookies = {ch.name: (ch.before, ch.after) for ch in diff.cookies}
    assert cookies["_fbp"] == ("present", None) and cookies["cto_bundle"] == (None, "present")
    proc = run_cli("history", "compare", str(a), str(b), "--db", str(c.db), "--format", "json")
    assert proc.returncode == 0 and json.loads(proc.stdout)["a"]["id"] == a
    same = run_cli("history", "compare", str(b), str(b), "--db", str(c.db))
    assert "No change" in same.stdout


def test_export_to_parquet_is_readable_by_pyarrow_and_pandas(campaigns, tmp_path):
    import pandas as pd
    import pyarrow.dataset as ds

    c = campaigns
    out = tmp_path / "parquet"
    proc = run_cli("history", "export", "--parquet", str(out), "--db", str(c.db))
    assert proc.returncode == 0, proc.stderr
    for table in ("vendor_obs", "cookie_obs", "host_obs", "findings", "scans"):
        n = rows(c.db, f"SELECT COUNT(*) FROM {table}")[0][0]
        data = ds.dataset(out / table, format="parquet", partitioning="hive").to_table()
        assert data.num_rows == n and n > 0, table
        assert set(data.column("campaign").to_pylist()) == {"jan", "feb"}
        assert f"  wrote {out / table}/ ({n} rows)" in proc.stdout
    assert sorted(p.name for p in (out / "findings").iterdir()) == ["campaign=feb", "campaign=jan"]
    scans = pd.read_parquet(out / "scans")
    assert sorted(scans["id"]) == [r[0] for r in rows(c.db, "SELECT id FROM scans ORDER BY id")]
    assert scans["interrupted"].dtype == bool and scans["pages"].dtype == "int64"
    assert set(scans["date"].astype(str)) == {r[0][:10] for r in rows(c.db, "SELECT started_at FROM scans")}
    findings = pd.read_parquet(out / "findings")
    assert MARKUP_VENDOR in set(findings["vendor"])
    sites = pd.read_parquet(out / "sites")
    assert sorted(sites["site_key"]) == ["alpha-shop.com", "beta-news.org", "hostile-example.com"]


def test_scan_with_an_unusable_history_file_is_bad_input_before_the_browser(world_net, tmp_path):
    _, net = world_net
    bad = tmp_path / "notes.txt"
    bad.write_text("not a database, just some notes\n" * 50)
    out = tmp_path / "out"
    proc = run_cli(*scan_args(net, BETA, out, {}, "--history", str(bad)))
    assert proc.returncode == 2 and not out.exists()
    assert proc.stderr.count("\n") == 1 and "not a usable history database" in proc.stderr
    no_json = run_cli(*scan_args(net, BETA, out, {}, "--history", str(tmp_path / "h.db"), formats="html,csv"))
    assert no_json.returncode == 2 and "needs an output folder and the json format" in no_json.stderr
    assert not out.exists() and not (tmp_path / "h.db").exists()


def test_a_scan_that_cannot_record_keeps_its_result_and_its_exit_code(world_net, tmp_path):
    """The database is fine when the scan starts and ruined while it runs: one warning, the scan stays."""
    from scanner.api import read_scan
    from scanner.gate import gate_exit_code
    from scanner.history import open_history

    world, net = world_net
    db = tmp_path / "history.db"
    with open_history(db, create=True):
        pass

    def ruin(request) -> None:
        for suffix in ("", "-wal", "-shm"):
            Path(str(db) + suffix).unlink(missing_ok=True)
        db.write_bytes(b"garbage " * 512)

    world.on_request = ruin
    try:
        out = tmp_path / "out"
        proc = run_cli(*scan_args(net, ALPHA, out, {}, "--history", str(db)))
    finally:
        world.on_request = None
    assert (out / "scan.json").is_file()
    assert proc.returncode == gate_exit_code(read_scan(out)) == 1  # nothing declared: undeclared trackers
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith(
        "scanner: warning: the scan was not recorded in the history"
    )
    assert "recorded as scan" not in proc.stdout
