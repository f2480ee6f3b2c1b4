"""The campaign's job table (SQLite, WAL, one writer), the campaign-folder rule, the driver's retry
decisions and the batch command's bad input: all without a browser or a cluster."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import REPO

from scanner.batch.campaign_options import RUN_DESTS
from scanner.batch.driver import (
    BatchConfig,
    batch_exit_code,
    decide,
    default_workers,
    run_batch,
    site_arguments,
)
from scanner.batch.jobs import JOBS_FILE, CampaignLock, JobTable
from scanner.batch.model import JobRecord, SiteJob
from scanner.errors import BadInput

SITES = [
    SiteJob("https://a.com/", line=1),
    SiteJob("https://b.com/", vendors="/v/b.csv", first_party=("b-cdn.com",), max_pages=7, line=2),
    SiteJob("https://c.com/", line=3),
]


def table(tmp_path, resume=False) -> JobTable:
    return JobTable.open_campaign(tmp_path / "camp", resume=resume)


def test_rows_are_kept_in_sites_order_with_their_options(tmp_path):
    t = table(tmp_path)
    assert t.add_sites(SITES) == 3
    assert t.add_sites(SITES[1:]) == 0  # already there: left alone
    rows = t.list()
    assert [r.site for r in rows] == [s.url for s in SITES]
    assert all(r.status == "pending" and r.attempts == 0 for r in rows)
    assert rows[1].options == {"vendors": "/v/b.csv", "first_party": ["b-cdn.com"], "max_pages": 7, "line": 2}
    assert (tmp_path / "camp" / "sites").is_dir()
    mode = sqlite3.connect(tmp_path / "camp" / JOBS_FILE).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_site_goes_through_its_attempts(tmp_path):
    t = table(tmp_path)
    t.add_sites(SITES)
    running = t.mark_running("https://a.com/", 1, "sites/a/attempt-1")
    assert running.status == "running" and running.attempts == 1 and running.started_at
    failed = t.mark_failed("https://a.com/", 3, "DNS lookup failed")
    assert (failed.status, failed.last_exit, failed.error) == ("failed", 3, "DNS lookup failed")
    t.mark_running("https://a.com/", 2, "sites/a/attempt-2")
    done = t.mark_done("https://a.com/", 1, {"exit": 1, "verdict": "FAIL"})
    assert done.status == "done" and done.error is None and done.out_dir == "sites/a/attempt-2"
    assert done.summary == {"exit": 1, "verdict": "FAIL"} and done.started_at == running.started_at
    gave_up = t.mark_gave_up("https://b.com/", 2, "x" * 2000)
    assert gave_up.status == "gave_up" and len(gave_up.error) == 500
    assert t.counts() == {"pending": 1, "running": 0, "done": 1, "failed": 0, "gave_up": 1}
    t.close()
    again = table(tmp_path, resume=True)  # everything was committed as it happened
    assert again.get("https://a.com/") == done
    assert [r.site for r in again.list(["pending"])] == ["https://c.com/"]


def test_resume_redoes_only_unfinished_sites(tmp_path):
    t = table(tmp_path)
    t.add_sites(SITES)
    t.mark_running("https://a.com/", 1, "sites/a/attempt-1")
    t.mark_done("https://a.com/", 0, {"exit": 0})
    t.mark_running("https://b.com/", 1, "sites/b/attempt-1")  # the driver died here
    t.mark_running("https://c.com/", 1, "sites/c/attempt-1")
    t.mark_failed("https://c.com/", 3, "timeout")
    t.close()
    with pytest.raises(BadInput, match="already holds a campaign: use --resume"):
        table(tmp_path)
    again = table(tmp_path, resume=True)
    assert again.reset_unfinished() == 2
    rows = {r.site: r for r in again.list()}
    assert rows["https://a.com/"].status == "done"
    assert rows["https://b.com/"].status == "pending" and rows["https://b.com/"].attempts == 1
    assert rows["https://c.com/"].status == "pending" and rows["https://c.com/"].last_exit == 3


def test_the_campaign_folder_rule(tmp_path):
    with pytest.raises(BadInput, match="holds no campaign"):
        table(tmp_path, resume=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(BadInput, match="is not a folder"):
        JobTable.open_campaign(tmp_path / "file", resume=False)


def test_one_driver_per_campaign(tmp_path):
    t = table(tmp_path)
    first = CampaignLock(t.folder)
    first.acquire()
    code = (
        "import sys; from pathlib import Path; from scanner.batch.jobs import CampaignLock\n"
        "try:\n    CampaignLock(Path(sys.argv[1])).acquire()\nexcept Exception as e:\n    print(e)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(t.folder)], capture_output=True, text=True, cwd=REPO
    )
    assert f"another scanner batch is running this campaign (pid {os.getpid()})" in run.stdout
    first.release()  # released (also when a driver dies: the kernel drops the flock)
    run = subprocess.run(
        [sys.executable, "-c", code, str(t.folder)], capture_output=True, text=True, cwd=REPO
    )
    assert run.stdout == ""


def record(**options) -> JobRecord:
    return JobRecord(site="https://a.com/", attempts=1, options=options)


def test_retries_are_decided_by_exit_codes():
    for code in (0, 1, 4):
        assert decide(record(), {"exit": code}, 30).status == "done"
    assert decide(record(), {"exit": 2}, 30).status == "gave_up"
    t0 = time.monotonic()
    first = decide(record(), {"exit": 3}, 30)
    second = decide(record(cannot_scan_tries=1), {"exit": 3}, 30)
    assert first.status == second.status == "failed" and not first.lighter
    assert first.retry_at >= t0 + 30 and second.retry_at >= t0 + 60  # back-off doubles
    assert decide(record(cannot_scan_tries=2), {"exit": 3}, 30).status == "gave_up"
    for crash in (
        {"exit": None, "signal": 9},
        {"exit": 130, "timed_out": True},
        {"exit": None},
        {"exit": 70},
    ):
        retry = decide(record(), crash, 30)
        assert retry.status == "failed" and retry.lighter
        assert decide(record(lighter=True), crash, 30).status == "gave_up"
    assert decide(record(), {"exit": 0, "timed_out": True}, 30).lighter  # killed by the clock: a crash
    assert decide(record(), {"exit": 130, "stopped": True}, 30).status == "pending"


def test_each_site_gets_the_batch_options_then_its_own():
    tokens = [("policy", ["--policy", "/p.md"]), ("max_pages", ["--max-pages", "10"]), ("gpc", ["--gpc"])]
    plain = site_arguments(tokens, record(), 50)
    assert plain == ["--policy", "/p.md", "--max-pages", "10", "--gpc", "--concurrency", "2"]
    own = site_arguments(tokens, record(vendors="/v.csv", first_party=["x.com", "y.com"], max_pages=6), 50)
    assert "/p.md" not in own and own[-8:] == [
        "--vendors", "/v.csv", "--first-party", "x.com", "--first-party", "y.com", "--max-pages", "6"
    ]  # fmt: skip
    light = site_arguments(tokens, record(lighter=True), 50)
    assert light == [*plain, "--no-screenshots", "--max-pages", "5", "--consent", "off"]  # half of 10
    assert site_arguments([], record(lighter=True, max_pages=3), 50)[-4:] == [
        "--max-pages",
        "1",
        "--consent",
        "off",
    ]
    assert "--concurrency" not in site_arguments([("concurrency", ["--concurrency", "4"])], record(), 50)[2:]


def test_the_batch_exit_code():
    def job(status, verdict=None):
        return JobRecord(site="s", status=status, summary={"verdict": verdict} if verdict else None)

    assert batch_exit_code([job("done", "PASS"), job("done", "PASS")]) == 0
    assert batch_exit_code([job("done", "PASS"), job("done", "PARTIAL")]) == 4
    assert batch_exit_code([job("done", "PARTIAL"), job("gave_up")]) == 3
    assert batch_exit_code([job("done", "FAIL"), job("gave_up")]) == 1


def test_workers_fit_the_machine():
    gb = 1024**3
    assert default_workers(cores=2, available_memory=21 * gb) == 2
    assert default_workers(cores=16, available_memory=6 * gb) == 4
    assert default_workers(cores=4, available_memory=gb) == 1


def batch(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scanner", "batch", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=dict(os.environ, CI="true", **(env or {})),
        timeout=120,
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["missing.txt"], "missing.txt: cannot read"),
        (["{sites}", "--fail-on", "nonsense"], "--fail-on 'nonsense'"),
        (["{sites}", "--max-pages", "0"], "argument --max-pages: must be at least 1"),
        (["{sites}", "--consent", "maybe"], "argument --consent: invalid choice"),
        (["{sites}", "--workers", "2", "--scheduler", "tcp://x:8786"], "not allowed with argument"),
        (["--resume"], "holds no campaign"),
        ([], "give the SITES file"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(tmp_path, args, message):
    sites = tmp_path / "sites.txt"
    sites.write_text("https://a.com/\n")
    run = batch(*(a.format(sites=sites) for a in args), "--out", str(tmp_path / "camp"))
    assert run.returncode == 2, run.stderr
    assert message in run.stderr and "Traceback" not in run.stderr
    assert not (tmp_path / "camp" / JOBS_FILE).exists() or args == ["--resume"]


def begun(camp, *options: str) -> list:
    """A campaign begun as `scanner batch SITES --out CAMP OPTIONS` begins one (the command's parsing of
    the scan options, the driver's bookkeeping), every site of it finished; returns its saved options."""
    from scanner.cli import build_parser
    from scanner.commands.batch import scan_tokens

    args = build_parser().parse_args(["batch", "--out", str(camp), *options])
    tokens, _ = scan_tokens(args)
    config = BatchConfig(
        campaign=camp, scan_tokens=tokens, history=Path(args.history) if args.history else None
    )
    assert run_batch(config, out=lambda line: None) == 0
    return saved_options(camp)


def saved_options(camp) -> list:
    t = JobTable(camp)
    try:
        return t.get_meta("scan_tokens")
    finally:
        t.close()


def test_a_resume_judges_the_rest_of_the_campaign_by_the_options_it_began_with(tmp_path):
    """--waivers, --fail-on, --warn-on (and every option that shapes results) stay the campaign's: a resume
    that gives none keeps them, one that gives others is refused (one line, exit 2, nothing changed); run
    options (browser, timeouts, parallelism) are the resume's own when it gives some."""
    camp, waivers = tmp_path / "camp", tmp_path / "waivers.toml"
    waivers.write_text(
        '[[waiver]]\nvendor = "Hotjar"\nreason = "study"\nowner = "me"\nexpires = 2099-01-01\n'
    )
    gate = ["--waivers", str(waivers), "--fail-on", "undeclared,mismatch", "--warn-on", "not-observed"]
    began = begun(camp, *gate, "--max-pages", "3", "--timeout", "7", "--history", str(tmp_path / "h.db"))
    campaign = [[d, w] for d, w in began if d not in RUN_DESTS]
    assert [d for d, _ in campaign] == ["waivers", "fail_on", "warn_on", "max_pages"]

    dropped = batch("--resume", "--out", str(camp), "--fail-on", "undeclared", "--max-pages", "3")
    assert dropped.returncode == 2 and "Traceback" not in dropped.stderr
    line = dropped.stderr.strip()
    assert "\n" not in line and line.startswith("scanner: error: --resume: ")
    assert "--fail-on (mismatch,undeclared when it began, the default now)" in line
    assert "--warn-on (not_observed when it began, the default now)" in line
    shown = str(waivers) if len(str(waivers)) <= 80 else str(waivers)[:79] + "…"  # long values are clipped
    assert f"--waivers ({shown} when it began, the default now)" in line
    assert saved_options(camp) == began  # a refused resume changes nothing

    same = batch(
        *("--resume", "--out", str(camp), "--max-pages", "3", "--fail-on", "mismatch", "--fail-on"),
        *("undeclared", "--warn-on", "not_observed", "--waivers", str(waivers), "--concurrency", "1"),
    )
    assert same.returncode == 0, same.stderr  # the same meaning, in other words and order
    assert saved_options(camp) == [*campaign, ["concurrency", ["--concurrency", "1"]]]

    run_only = batch("--resume", "--out", str(camp), "--timeout", "9")  # a run option only
    assert run_only.returncode == 0, run_only.stderr
    assert saved_options(camp) == [*campaign, ["timeout", ["--timeout", "9"]]]
    assert (
        f"resuming: recording into the history {tmp_path / 'h.db'}, as the campaign began" in run_only.stdout
    )


def test_a_campaign_is_not_started_twice_in_one_folder(tmp_path):
    sites = tmp_path / "sites.txt"
    sites.write_text("https://a.com/\n")
    table(tmp_path).close()
    run = batch(str(sites), "--out", str(tmp_path / "camp"))
    assert run.returncode == 2 and "already holds a campaign: use --resume" in run.stderr


def test_without_dask_the_command_says_which_extra(tmp_path):
    sites = tmp_path / "sites.txt"
    sites.write_text("https://a.com/\n")
    code = (
        "import sys; sys.modules['distributed'] = None\n"
        "from scanner.cli import main\n"
        f"sys.exit(main(['batch', {str(sites)!r}, '--out', {str(tmp_path / 'c')!r}]))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 2
    assert (
        run.stderr.strip()
        == "scanner: error: scanner batch needs the batch extra: pip install 'tracker-audit[batch]'"
    )
