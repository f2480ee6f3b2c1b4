"""The batch driver: hands one task per site to Dask, decides retries, keeps the job table.

The driver is the only writer of the campaign (job table, history, campaign report); workers only run
:func:`scanner.batch.runner.run_site`, which writes the site's own attempt folder. Dask does not retry
anything (``allowed-failures`` 0 on the embedded cluster, no ``retries=``): the scan's exit code says
what a retry could help with, so the driver decides:

=====================================  ==========================================================
attempt ended with                     then
=====================================  ==========================================================
exit 0, 1 or 4 (a verdict)             done
exit 2 (bad input)                     gave up: the same input fails the same way
exit 3 (could not scan)                retried up to 2 times, after a back-off (30 s, 60 s)
timeout, signal, lost worker, other    retried once with lighter settings (no screenshots, half
                                       the pages, no consent passes), then gave up
=====================================  ==========================================================

At most as many tasks are in flight as the cluster has worker threads, so ``running`` rows are the
sites being scanned now; the rest wait in the job table, which is what makes a campaign of 10,000
sites resumable.
"""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from scanner.api import one_line
from scanner.batch.jobs import CampaignLock, JobTable
from scanner.batch.model import JobRecord
from scanner.batch.runner import GRACE_S, attempt_dir, finish_attempt, run_site, stop_scans, summarise
from scanner.batch.sites import site_slug
from scanner.errors import EXIT_BAD_INPUT, EXIT_CANNOT_SCAN, EXIT_FINDINGS, EXIT_OK, EXIT_PARTIAL, BadInput

log = logging.getLogger("scanner.batch")

BROWSER_MEMORY = 1536 * 1024 * 1024  # a scan's browser tree at its peak (README: 1.3-1.45 GB)
RETRIES_CANNOT_SCAN = 2
LIGHT_CONSENT = "off"
EXIT_INTERRUPTED = 130
# the declaration options a site's own vendors/policy replaces
DECLARATION_DESTS = ("vendors", "policy", "declared_from")
# the scan options `scanner report` takes too: how the reports of a scan that saved only scan.json (a
# site timeout, an error after it began) are rendered by the runner
REPORT_DESTS = ("format", "fail_on", "warn_on", "self_contained", "browser")

# (dest, command-line tokens) of each scan option given to the batch, in command-line order
ScanTokens = list[tuple[str, list[str]]]


@dataclass
class BatchConfig:
    """One ``scanner batch`` run."""

    campaign: Path
    sites: list = field(default_factory=list)  # SiteJob records from the SITES file ([] on --resume)
    scan_tokens: ScanTokens | None = None  # as given (None: none); on --resume see campaign_options
    workers: int | None = None
    scheduler: str | None = None
    resume: bool = False
    history: Path | None = None
    site_timeout: float = 1800.0
    retry_backoff_s: float = 30.0
    grace_s: float = GRACE_S
    default_max_pages: int = 50
    quiet: bool = False
    debug: bool = False


@dataclass
class Outcome:
    """The driver's decision on one finished attempt."""

    status: str  # done | failed (retry) | gave_up | pending (stopped with the campaign)
    retry_at: float | None = None  # monotonic time of the retry (failed)
    lighter: bool = False


def default_workers(cores: int | None = None, available_memory: int | None = None) -> int:
    """Browser trees this machine runs side by side: one a core, each with about 1.5 GB."""
    from scanner.options import _available_memory

    cores = cores or os.cpu_count() or 1
    if available_memory is None:
        available_memory = _available_memory()
    by_memory = available_memory // BROWSER_MEMORY if available_memory else cores
    return int(max(1, min(cores, by_memory)))


def decide(record: JobRecord, outcome: dict[str, Any], backoff_s: float) -> Outcome:
    """What to do after an attempt (see the module doc's table)."""
    code = outcome.get("exit")
    if outcome.get("stopped"):
        return Outcome("pending")
    if not outcome.get("timed_out") and code in (0, 1, 4):
        return Outcome("done")
    if code == EXIT_BAD_INPUT:
        return Outcome("gave_up")
    if code == EXIT_CANNOT_SCAN and not outcome.get("timed_out"):
        tries = record.options.get("cannot_scan_tries", 0)
        if tries < RETRIES_CANNOT_SCAN:
            return Outcome("failed", retry_at=time.monotonic() + backoff_s * 2**tries)
        return Outcome("gave_up")
    if not record.options.get("lighter"):
        return Outcome("failed", retry_at=time.monotonic(), lighter=True)
    return Outcome("gave_up")


def site_arguments(tokens: ScanTokens, record: JobRecord, default_max_pages: int) -> list[str]:
    """The ``scanner scan`` options of this site's next attempt: the batch's, then the site's own
    (its declaration replaces the batch's), then the lighter settings of a retry after a crash."""
    o = record.options
    own_declaration = bool(o.get("vendors") or o.get("policy"))
    args = [t for dest, words in tokens if not (own_declaration and dest in DECLARATION_DESTS) for t in words]
    if not any(dest == "concurrency" for dest, _ in tokens):
        args += ["--concurrency", "2"]  # a browser per core: its tabs need not fight for more
    if o.get("vendors"):
        args += ["--vendors", o["vendors"]]
    if o.get("policy"):
        args += ["--policy", o["policy"]]
    for domain in o.get("first_party") or ():
        args += ["--first-party", domain]
    max_pages = o.get("max_pages") or _last_int(tokens, "max_pages") or default_max_pages
    if o.get("max_pages"):
        args += ["--max-pages", str(max_pages)]
    if o.get("lighter"):
        args += ["--no-screenshots", "--max-pages", str(max(1, max_pages // 2)), "--consent", LIGHT_CONSENT]
    return args


def report_arguments(tokens: ScanTokens) -> list[str]:
    """The ``scanner report`` options that render a partial scan's reports as its scan would have."""
    return [word for dest, words in tokens if dest in REPORT_DESTS for word in words]


def _last_int(tokens: ScanTokens, dest: str) -> int | None:
    values = [words[-1] for d, words in tokens if d == dest]
    return int(values[-1]) if values else None


class Driver:
    """Runs one campaign (see :func:`run_batch`)."""

    def __init__(
        self,
        config: BatchConfig,
        table: JobTable,
        client: Any,
        progress: Any,
        record_history: Callable[[str, dict], None] | None = None,
    ) -> None:
        self.config = config
        self.table = table
        self.client = client
        self.progress = progress
        self.campaign_id = uuid.uuid4().hex
        self.campaign_dir = str(config.campaign.resolve())
        self.tokens: ScanTokens = table.get_meta("scan_tokens", [])
        self.in_flight: dict[Any, str] = {}  # future -> site
        self.delayed: list[tuple[float, str]] = []  # (monotonic time, site) of retries after a back-off
        self.record_history = record_history

    def capacity(self) -> int:
        try:
            return max(1, sum(self.client.nthreads().values()))
        except Exception:  # noqa: BLE001 - a scheduler that does not answer: one at a time
            return 1

    def submit(self, site: str) -> None:
        record = self.table.get(site)
        assert record is not None
        attempt = record.attempts + 1
        args = site_arguments(self.tokens, record, self.config.default_max_pages)
        future = self.client.submit(
            run_site,
            site,
            campaign_dir=self.campaign_dir,
            attempt=attempt,
            scan_args=args,
            site_timeout=self.config.site_timeout,
            grace_s=self.config.grace_s,
            campaign_id=self.campaign_id,
            report_args=report_arguments(self.tokens),
            key=f"scan-{site_slug(site)}-{attempt}",
            pure=False,
        )
        self.table.mark_running(site, attempt, attempt_dir(site, attempt))
        self.in_flight[future] = site
        self.ac.add(future)
        self._started(site, attempt)

    def run(self) -> None:
        from distributed import as_completed

        self.ac = as_completed()
        queue = [r.site for r in self.table.list(["pending"])]
        queue.reverse()  # pop() from the end: SITES order
        while queue or self.in_flight or self.delayed:
            now = time.monotonic()
            due = [site for at, site in self.delayed if at <= now]
            self.delayed = [(at, site) for at, site in self.delayed if at > now]
            queue.extend(reversed(due))
            while queue and len(self.in_flight) < self.capacity():
                self.submit(queue.pop())
            finished = self.ac.next_batch(block=False)
            if not finished:
                time.sleep(0.2)
                continue
            for future in finished:
                site = self.in_flight.pop(future)
                self.finish(site, _outcome(future, site))

    def finish(self, site: str, outcome: dict[str, Any]) -> None:
        record = self.table.get(site)
        assert record is not None
        decision = decide(record, outcome, self.config.retry_backoff_s)
        options = dict(record.options)
        if decision.lighter:
            options["lighter"] = True
        if decision.status == "failed" and not decision.lighter:
            options["cannot_scan_tries"] = options.get("cannot_scan_tries", 0) + 1
        if options != record.options:
            self.table.upsert(replace(record, options=options))
        code, error, summary = outcome.get("exit"), outcome.get("error"), outcome.get("summary")
        if decision.status == "done":
            self.table.mark_done(site, code, summary or {"exit": code})
            if summary and self.record_history:
                self.record_history(site, summary)
        elif decision.status == "failed":
            self.table.mark_failed(site, code, error or f"exit {code}")
            self.delayed.append((decision.retry_at or time.monotonic(), site))
        elif decision.status == "gave_up":
            if summary is None and "out_dir" not in outcome and record.out_dir:  # its worker was lost
                summary = self.recover(record.out_dir)
            self.table.mark_gave_up(site, code, error or f"exit {code}", summary)
        else:
            self.table.mark_pending(site, error)
        if self.progress:
            self.progress.finished(site, decision.status, outcome, self.table.counts())

    def recover(self, out_dir: str) -> dict[str, Any] | None:
        """The last attempt of a site whose task was lost (its worker died, the runner with it): what its
        scan saved becomes a partial scan.json (rebuilt from its pages when it was killed before writing
        one) and reports, as the runner makes them. Its summary, None when nothing was saved."""
        campaign = Path(self.campaign_dir)
        try:
            finish_attempt(campaign / out_dir, report_arguments(self.tokens), grace_s=self.config.grace_s)
            return summarise(campaign, out_dir, -1)
        except Exception as exc:  # noqa: BLE001 - an attempt folder that cannot be read: no summary
            log.debug("recovering %s: %s", out_dir, exc)
            return None

    def _started(self, site: str, attempt: int) -> None:
        if self.progress:
            self.progress.started(site, attempt, self.table.counts())

    def stop(self) -> None:
        """Ctrl-C / SIGTERM: cancel the tasks, stop their scans on the workers (they save partial
        scans), and put their sites back to pending for --resume."""
        futures = list(self.in_flight)
        try:
            self.client.cancel(futures, force=True)
            self.client.run(stop_scans, self.campaign_id, self.config.grace_s)
        except Exception as exc:  # noqa: BLE001 - a cluster already gone stops its scans itself
            log.debug("stopping the scans: %s", exc)
        for site in self.in_flight.values():
            self.table.mark_pending(site, "stopped with the campaign")
        for _, site in self.delayed:
            self.table.mark_pending(site)
        self.in_flight.clear()
        self.delayed.clear()


def _outcome(future: Any, site: str) -> dict[str, Any]:
    """The runner's outcome, or what a lost task amounts to (a killed worker: a crash)."""
    try:
        return future.result()
    except Exception as exc:  # KilledWorker, CancelledError, a worker that could not run the task
        name = type(exc).__name__
        why = "its worker died" if name == "KilledWorker" else f"{name}: {one_line(exc)}"
        return {"site": site, "exit": None, "signal": None, "error": f"the task was lost ({why})"}


def history_recorder(history: Path | None, campaign: Path) -> Callable[[str, dict], None] | None:
    """What records a finished site's scan into the ``--history`` database (None without one). The
    campaign's name in the history is its folder's name."""
    if history is None:
        return None
    try:
        from scanner.history import record_scan
    except ImportError as exc:
        raise BadInput(f"--history: the history database is not available in this scanner ({exc})") from None
    name = campaign.resolve().name

    def record(site: str, summary: dict) -> None:
        scan_json = campaign / summary["scan_json"]
        try:
            record_scan(history, scan_json, campaign=name, site=site, exit_code=summary.get("exit"))
        except Exception as exc:  # noqa: BLE001 - the scan is done; the history's problem is one line
            print(f"scanner: warning: --history: could not record {site}: {one_line(exc)}", flush=True)

    return record


def start_client(config: BatchConfig):
    """A Dask client: on the cluster at ``config.scheduler``, else on a LocalCluster sized to this
    machine (``config.workers`` worker processes of one thread each, no dashboard)."""
    import dask
    from distributed import Client, LocalCluster

    quiet = logging.DEBUG if config.debug else logging.ERROR
    logging.getLogger("distributed").setLevel(quiet)
    if config.scheduler:
        try:
            return Client(config.scheduler, timeout=30), None
        except (OSError, TimeoutError) as exc:
            raise BadInput(f"--scheduler {config.scheduler}: cannot connect ({exc})") from None
    workers = config.workers or default_workers()
    from scanner.options import _available_memory

    memory = _available_memory()
    dask.config.set({"distributed.scheduler.allowed-failures": 0})
    cluster = LocalCluster(
        n_workers=workers,
        threads_per_worker=1,
        processes=True,
        dashboard_address=None,
        memory_limit=max(BROWSER_MEMORY, memory // workers) if memory else "auto",
        silence_logs=quiet,
    )
    return Client(cluster), cluster


def check_workers_can_write(client: Any, campaign_dir: str) -> None:
    """Every worker must see the campaign folder at the same path and write into it (a shared file
    system on a cluster): BadInput naming the first worker that cannot."""
    results = client.run(_can_write, campaign_dir)
    for worker, problem in sorted(results.items()):
        if problem:
            raise BadInput(
                f"worker {worker} cannot write the campaign folder {campaign_dir} ({problem}): on a cluster "
                "the folder must be shared, at the same path, by the driver and every worker"
            )


def _can_write(campaign_dir: str) -> str | None:
    probe = Path(campaign_dir) / "sites" / f".probe-{os.getpid()}-{uuid.uuid4().hex[:8]}"
    try:
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return exc.strerror or str(exc)
    return None


def batch_exit_code(jobs: list[JobRecord]) -> int:
    """1 when a site's verdict is FAIL; else 3 when a site could not be scanned; else 4 when a site's
    scan is partial; else 0 (every site done and passing)."""
    verdicts = {(j.summary or {}).get("verdict") for j in jobs if j.status == "done"}
    if "FAIL" in verdicts:
        return EXIT_FINDINGS
    if any(j.status != "done" for j in jobs):
        return EXIT_CANNOT_SCAN
    if "PARTIAL" in verdicts:
        return EXIT_PARTIAL
    return EXIT_OK


def run_batch(config: BatchConfig, *, out=print) -> int:
    """Run (or continue) the campaign of ``config``; returns the batch's exit code."""
    from scanner.batch.progress import make_batch_progress

    table = JobTable.open_campaign(config.campaign, resume=config.resume)
    lock = CampaignLock(config.campaign)
    try:
        lock.acquire()
        tokens, history = _campaign_options(config, table, out)  # a refused resume changes nothing
        table.set_meta("scan_tokens", tokens)
        if history is not None:
            table.set_meta("history", str(history.resolve()))
        if config.resume:
            reset = table.reset_unfinished()
            if reset:
                out(f"resuming: {reset} unfinished site(s) to scan again")
        else:
            table.set_meta("created_at", time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()))
        added = table.add_sites(config.sites)
        if config.resume and added:
            out(f"resuming: {added} new site(s) from the SITES file")
        recorder = history_recorder(history, config.campaign)
        return _run(config, table, make_batch_progress, out, recorder)
    finally:
        lock.release()
        table.close()


def _campaign_options(config: BatchConfig, table: JobTable, out) -> tuple[ScanTokens, Path | None]:
    """The scan options and the history database of this run: a new campaign's as given; a resumed one
    keeps the options that shape its results (scanner.batch.campaign_options: BadInput when this command
    gives others) and, without --history, the history it was recording into."""
    if not config.resume:
        return config.scan_tokens or [], config.history
    from scanner.batch.campaign_options import resume_tokens

    saved = table.get_meta("scan_tokens")
    tokens = (config.scan_tokens or []) if saved is None else resume_tokens(saved, config.scan_tokens)
    history = config.history
    if history is None and (kept := table.get_meta("history")):
        history = Path(kept)
        out(f"resuming: recording into the history {history}, as the campaign began")
    return tokens, history


def _run(config: BatchConfig, table: JobTable, make_progress, out, recorder) -> int:
    counts = table.counts()
    if counts["pending"]:
        interrupted = _scan_pending(config, table, make_progress, out, recorder, sum(counts.values()))
        if interrupted is not None:
            return interrupted
    else:
        out(f"{config.campaign}: every site is finished; nothing to scan")
    return _conclude(config, table, out)


def _scan_pending(
    config: BatchConfig, table: JobTable, make_progress, out, recorder, total: int
) -> int | None:
    """Scan the pending sites on the cluster; the exit code when Ctrl-C / SIGTERM stopped it, else None."""
    counts = table.counts()
    client, cluster = start_client(config)
    progress = None
    driver = None
    try:
        check_workers_can_write(client, str(config.campaign.resolve()))
        progress = make_progress(total, counts["done"] + counts["gave_up"], config.quiet)
        driver = Driver(config, table, client, progress, recorder)
        driver.run()
    except KeyboardInterrupt:
        if driver is not None:
            driver.stop()
        _close(progress)
        progress = None
        out(
            f"scanner: interrupted; the unfinished sites are pending: scanner batch --resume --out "
            f"{config.campaign} continues the campaign"
        )
        return EXIT_INTERRUPTED
    finally:
        _close(progress)
        client.close()
        if cluster is not None:
            cluster.close()
    return None


def _conclude(config: BatchConfig, table: JobTable, out) -> int:
    """The campaign report, the closing line and the batch's exit code."""
    jobs = table.list()
    for path in _campaign_report(config.campaign, jobs):
        out(f"  wrote {path}")
    counts = table.counts()
    verdicts = [(j.summary or {}).get("verdict") for j in jobs if j.status == "done"]
    shares = ", ".join(f"{verdicts.count(v)} {v.lower()}" for v in ("PASS", "FAIL", "PARTIAL"))
    out(
        f"campaign {config.campaign}: {len(jobs)} sites: {counts['done']} done ({shares}), "
        f"{counts['gave_up']} could not be scanned"
    )
    return batch_exit_code(jobs)


def _close(progress) -> None:
    if progress is not None:
        progress.close()


def _campaign_report(campaign: Path, jobs: list[JobRecord]) -> list[Path]:
    """The campaign report (scanner.batch.campaign): HTML, CSV, JUnit and SARIF of the whole campaign."""
    from scanner.batch.campaign import write_campaign_report

    return list(write_campaign_report(campaign, jobs))
