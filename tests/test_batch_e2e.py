"""`scanner batch` end to end on a real LocalCluster (one worker process, as in production) over several
independent fake sites: a failing one, a passing one with its own declaration (CSV), an unreachable one
(exit 3: retried twice, then given up) and one whose scan is killed (retried once with lighter settings).
The scans are real `scanner scan` subprocesses in real Chromium."""

from __future__ import annotations

import hashlib

import pytest
from batch_helpers import run_batch, scan_options, scan_pid_of, session_alive

from scanner.api import read_scan
from scanner.batch.sites import site_slug
from scanner.fakenet import FakeInternet
from scanner.fakenet.batch_world import ALPHA, BRAVO, CRASH_HOST, UNREACHABLE_HOST, batch_world

pytestmark = pytest.mark.browser

A, B, GONE, CRASH = (f"https://{h}/" for h in (ALPHA, BRAVO, UNREACHABLE_HOST, CRASH_HOST))


@pytest.fixture(scope="module")
def campaign(tmp_path_factory):
    folder = tmp_path_factory.mktemp("batch")
    (folder / "decl").mkdir()
    # bravo declares its two trackers: it passes; alpha declares nothing: its two trackers fail it
    (folder / "decl" / "bravo.csv").write_text(
        "name,purpose\nMicrosoft Advertising,advertising\nLinkedIn,advertising\n"
    )
    sites = folder / "sites.csv"
    sites.write_text(f"url,vendors,max_pages\n{A},,\n{B},decl/bravo.csv,3\n{GONE},,\n{CRASH},,\n")
    world = batch_world()
    with FakeInternet(world) as net:
        run = run_batch(
            str(sites),
            "--out",
            str(folder / "camp"),
            "--workers",
            "2",
            "--retry-backoff",
            "0.5",
            "--site-timeout",
            "120",
            "--history",
            str(folder / "history.db"),
            *scan_options(net),
        )
    return folder / "camp", run, world


def test_each_site_ends_as_its_scan_says(campaign):
    from batch_helpers import jobs

    folder, run, _ = campaign
    assert run.returncode == 1, run.stdout + run.stderr  # alpha's verdict is FAIL
    rows = jobs(folder)
    assert [r.site for r in rows.values()] == [A, B, GONE, CRASH]
    a, b, gone, crash = rows.values()
    assert (a.status, a.attempts, a.last_exit, a.summary["verdict"]) == ("done", 1, 1, "FAIL")
    assert a.summary["vendors"] == ["Facebook", "Google Analytics"] and a.summary["counts"] == {
        "undeclared": 2
    }
    assert (b.status, b.attempts, b.last_exit, b.summary["verdict"]) == ("done", 1, 0, "PASS")
    assert b.summary["vendors"] == ["LinkedIn", "Microsoft Advertising"] and b.summary["pages"] == 3
    assert (gone.status, gone.attempts, gone.last_exit) == ("gave_up", 3, 3)  # two retries after exit 3
    assert "ERR_NAME_NOT_RESOLVED" in gone.error
    assert (crash.status, crash.attempts, crash.last_exit, crash.error) == ("done", 2, 0, None)
    assert crash.options["lighter"] is True
    assert (
        f"campaign {folder}: 4 sites: 3 done (2 pass, 1 fail, 0 partial), 1 could not be scanned"
        in run.stdout
    )


def test_the_summary_is_the_saved_scan(campaign):
    from batch_helpers import jobs

    folder, _, _ = campaign
    for row in jobs(folder).values():
        if row.status != "done":
            continue
        path = folder / row.summary["scan_json"]
        assert row.summary["scan_json"] == f"{row.out_dir}/scan.json"
        assert row.summary["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        result = read_scan(path)
        assert row.summary["pages"] == len(result.pages) and row.summary["partial"] is False
        assert sorted(v["name"] for v in result.vendors) == row.summary["vendors"]
    alpha = jobs(folder)[A]
    assert alpha.summary["worst"] == [
        {"vendor": "Facebook", "status": "undeclared", "severity": "high"},
        {"vendor": "Google Analytics", "status": "undeclared", "severity": "high"},
    ]


def test_the_site_options_and_the_lighter_retry_reach_the_scan(campaign):
    folder, _, world = campaign
    bravo = read_scan(folder / "sites" / site_slug(B) / "attempt-1" / "scan.json")
    assert bravo.meta.options["max_pages"] == 3 and bravo.meta.declared_source.endswith("decl/bravo.csv")
    first, second = (folder / "sites" / site_slug(CRASH) / f"attempt-{n}" for n in (1, 2))
    assert "ended with -9" in (first / "scan.log").read_text()  # SIGKILL, before it wrote scan.json:
    killed = read_scan(first / "scan.json")  # the runner rebuilt it from the saved pages, partial
    assert killed.meta.interrupted and killed.meta.coverage.recovered
    assert "the scan was killed before it finished: evidence is partial" in killed.meta.errors
    assert (first / "report.html").is_file()  # and rendered its reports
    options = read_scan(second / "scan.json").meta.options
    assert (options["screenshots"], options["consent"], options["max_pages"]) == (False, "off", 1)
    crasher = world[CRASH_HOST].route_for("/")
    assert len(crasher.killed) == 1
    # the killed scan's process group (its Chromium) was killed with it
    assert session_alive(scan_pid_of(first)) == []


def test_the_campaign_folder_layout(campaign):
    folder, run, _ = campaign
    report = {"campaign.html", "campaign.csv", "campaign-junit.xml", "campaign.sarif"}  # the campaign report
    assert {p.name for p in folder.iterdir()} == {"campaign.sqlite", "campaign.lock", "sites", *report}
    for name in report:
        assert f"  wrote {folder / name}" in run.stdout
    sites = {p.name: sorted(q.name for q in p.iterdir()) for p in (folder / "sites").iterdir()}
    assert sites == {
        site_slug(A): ["attempt-1"],
        site_slug(B): ["attempt-1"],
        site_slug(GONE): ["attempt-1", "attempt-2", "attempt-3"],
        site_slug(CRASH): ["attempt-1", "attempt-2"],
    }
    done = folder / "sites" / site_slug(A) / "attempt-1"
    assert {"scan.json", "scan.log", "report.html", "findings.csv"} <= {p.name for p in done.iterdir()}
    assert "$ " in (done / "scan.log").read_text()


def test_finished_scans_are_in_the_history(campaign):
    from batch_helpers import jobs

    from scanner.history import list_scans

    folder, _, _ = campaign
    scans = list_scans(folder.parent / "history.db", campaign="camp")
    assert sorted(s.start_url for s in scans) == sorted([A, B, CRASH])
    verdicts = {s.start_url: (s.verdict, s.exit_code) for s in scans}
    assert verdicts[A] == ("FAIL", 1) and verdicts[B] == ("PASS", 0)
    rows = jobs(folder)
    for scan in scans:
        assert scan.scan_json.endswith(f"{rows[scan.start_url].out_dir}/scan.json")
