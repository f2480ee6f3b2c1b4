"""``scanner.scan(options)``: one audit as a library call.

browser -> crawl -> collectors -> sink -> assemble (from the sink) -> attribute -> compare -> reports.
The CLI's ``scanner scan`` only turns its arguments into :class:`~scanner.options.ScanOptions`, calls
this and prints. A scan that stops early (start page unusable, browser gone, Ctrl-C) still assembles,
analyses and saves what it captured, marked ``meta.interrupted``, and raises a
:class:`~scanner.errors.ScannerError` whose ``result`` is that partial result.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

from scanner.errors import BadInput, CannotScan, ScanInterrupted, ScannerError
from scanner.model import Declared, ScanResult
from scanner.options import CALLER_DECLARATION, ScanOptions
from scanner.out_folder import check_out_dir, clear_scan, remove_partial_outputs
from scanner.report.pdf import PdfNotPrinted
from scanner.safe_write import write_failure
from scanner.sink import JsonlSink, MemorySink, VisitSink

log = logging.getLogger("scanner")

Progress = Callable[[dict], None]


def scan(
    options: ScanOptions, *, sink: VisitSink | None = None, progress: Progress | None = None
) -> ScanResult:
    """Run one scan and return its analysed result (see the module doc for the errors).

    ``sink`` receives every finished visit as it happens (default: ``pages.jsonl`` in
    ``options.out_dir``, or memory without one); ``progress`` receives events
    ``{"event": "start"|"done"|"wrote", ...}``. Works from plain code and from a running event loop
    (a notebook): there it runs in a thread of its own; use :func:`scan_async` to await it instead.
    """
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(scan_async(options, sink=sink, progress=progress))
    outcome: dict = {}

    def in_thread() -> None:
        try:
            outcome["result"] = asyncio.run(scan_async(options, sink=sink, progress=progress))
        except BaseException as exc:  # noqa: BLE001 - handed back to the caller's thread
            outcome["error"] = exc

    thread = threading.Thread(target=in_thread, name="scanner-scan")
    thread.start()
    thread.join()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["result"]


# Scans running in this process (their task and its loop), for interrupt_scans; and those it stopped.
_running: dict[asyncio.Task, asyncio.AbstractEventLoop] = {}
_interrupted: set[asyncio.Task] = set()
# stop_next_scan: the next scan to start stops before its first page; scans started so far (a count)
_stop_next = threading.Event()
_started = 0


def scans_started() -> int:
    """How many scans this process has started (a host compares it before and after a stop request)."""
    return _started


def stop_next_scan(stop: bool = True) -> None:
    """The next scan this process starts stops at once, before its first page, as :func:`interrupt_scans`
    stops one before the crawl began (a new scan folder gets its 0-page partial scan.json, saying why).
    For a host whose stop arrives while a scan is being prepared (the ``scanner scan`` command between
    installing its SIGTERM handler and the scan's start); safe from a signal handler or any thread.
    ``stop=False`` withdraws the request (the host is done without starting a scan)."""
    if stop:
        _stop_next.set()
    else:
        _stop_next.clear()


def interrupt_scans() -> bool:
    """Stop every scan running in this process as Ctrl-C would: what was captured is saved, the scan is
    marked interrupted and :class:`~scanner.errors.ScanInterrupted` is raised to its caller. Safe to call
    from a signal handler or any thread; returns whether a scan was running.

    The library never installs a signal handler (a host application keeps its own); the ``scanner`` CLI
    calls this on SIGTERM. A host can do the same, e.g.
    ``loop.add_signal_handler(signal.SIGTERM, scanner.scanning.interrupt_scans)``.
    """
    running = list(_running.items())
    for task, loop in running:
        if task not in _interrupted:
            _interrupted.add(task)
            loop.call_soon_threadsafe(task.cancel)
    return bool(running)


async def scan_async(
    options: ScanOptions, *, sink: VisitSink | None = None, progress: Progress | None = None
) -> ScanResult:
    """:func:`scan` for callers already inside an asyncio event loop."""
    task = asyncio.current_task()
    if task is None:  # not in a task (a bare coroutine step): nothing interrupt_scans could cancel
        return await _scan_async(options, sink, progress)
    global _started
    _running[task] = asyncio.get_running_loop()
    _started += 1
    if _stop_next.is_set():  # asked to stop while it was being prepared: at its first wait
        _stop_next.clear()
        _interrupted.add(task)
        task.cancel()
    try:
        return await _scan_async(options, sink, progress)
    except asyncio.CancelledError:
        if task in _interrupted:  # stopped by interrupt_scans before the crawl began
            raise _stopped_before_the_crawl(options) from None
        raise
    finally:
        _running.pop(task, None)
        _interrupted.discard(task)


async def _abandonable(function: Callable, *args):
    """``function(*args)`` in a daemon thread of its own, awaited: a cancelled caller stops waiting at
    once and the thread is left to end (or to die with the process) without anyone waiting for it."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(outcome: tuple[bool, object]) -> None:
        if not future.done():
            ok, value = outcome
            future.set_result(value) if ok else future.set_exception(value)  # type: ignore[arg-type]

    def run() -> None:
        try:
            outcome = (True, function(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to the awaiting task
            outcome = (False, exc)
        with contextlib.suppress(RuntimeError):  # the loop is closed: nobody waits any more
            loop.call_soon_threadsafe(settle, outcome)

    threading.Thread(target=run, name="scanner-declaration", daemon=True).start()
    return await future


def _stopped_before_the_crawl(options: ScanOptions) -> ScanInterrupted:
    """Interrupted while the declaration or the browser was still being looked up: no page was visited.
    A new scan folder still gets what an interrupted crawl leaves (scan-meta.json, an empty pages.jsonl,
    a scan.json with no page, partial, saying why; ``--resume`` continues it); a folder holding an
    earlier scan (resume, overwrite) is left as it was."""
    from scanner.crawl.crawler import Crawl, now_iso
    from scanner.crawl.urls import validate_start_url
    from scanner.out_folder import holds_scan

    error = ScanInterrupted("interrupted before the first page; no page was visited")
    if options.out_dir is None or options.resume or holds_scan(options.out_dir):
        return ScanInterrupted("interrupted before the first page; nothing saved")
    try:
        options = replace(options, start_urls=tuple(validate_start_url(u) for u in options.start_urls))
        sink = JsonlSink(options.out_dir)
        crawl = Crawl(options, sink)
        coverage = crawl.frontier.coverage("interrupted")
        crawl.meta = replace(crawl.meta, interrupted=True, finished_at=now_iso(), coverage=coverage)
        sink.open(crawl.meta, crawl.scope)
        sink.close()
        result = _assemble(crawl, sink)
        result = replace(result, meta=replace(result.meta, errors=(*result.meta.errors, str(error))))
        result = _analyse(result, None, None, options)
        _write(result, options, ("json",), None)
    except Exception as exc:  # noqa: BLE001 - e.g. a full disk: the interruption is the news, not this
        log.debug("no scan.json for the interrupted scan", exc_info=True)
        first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
        return ScanInterrupted(f"interrupted before the first page; nothing saved ({first[:200]})")
    error.result = result
    return error


async def _scan_async(options: ScanOptions, sink: VisitSink | None, progress: Progress | None) -> ScanResult:
    from scanner.crawl.crawler import Crawl
    from scanner.crawl.urls import validate_start_url

    if not options.start_urls:
        raise BadInput("no start URL given")
    if not 0 < options.browser.timeout_s <= 3600:
        raise BadInput(f"timeout must be more than 0 and at most 3600 s, not {options.browser.timeout_s}")
    options = replace(options, start_urls=tuple(validate_start_url(u) for u in options.start_urls))
    from scanner.consent.passes import check_consent_options, driver_mode

    check_consent_options(options.consent, options.consent_sample)
    if options.declared_from not in (None, "cmp"):
        raise BadInput(f"declared_from {options.declared_from!r}: only 'cmp' is known")
    if options.declared_from == "cmp" and options.consent == "off":
        raise BadInput(
            "--declared-from cmp reads the consent banner: it needs the consent driver (not --consent off)"
        )
    check_out_dir(options.out_dir, resume=options.resume, overwrite=options.overwrite)
    _check_history(options)
    # A policy given as a URL is rendered in its own browser: a thread, out of this event loop, which an
    # interrupted scan leaves behind (not the loop's executor: asyncio.run would wait for its --timeout).
    declared, declared_source = await _abandonable(_declaration, options)
    waivers = _waivers(options)
    baseline = _baseline(options)
    _check_catalog(options)
    _check_login(options)
    if options.resume and options.out_dir is None:
        raise BadInput("resume needs the folder of the scan to continue (out_dir)")
    # No browser: fail before anything is written. Found once, here; the crawl launches this one.
    from scanner.browser import locate_browser

    browser = await locate_browser(options.browser.executable)
    if options.overwrite and options.out_dir is not None:
        clear_scan(options.out_dir)  # only now: a scan that cannot start leaves the earlier one alone
    if sink is None:
        sink = JsonlSink(options.out_dir, resume=options.resume) if options.out_dir else MemorySink()
    report = progress or (lambda event: None)
    crawl = Crawl(options, sink, report, browser=browser, consent_mode=driver_mode(options.consent))
    if options.resume:
        from scanner.assemble import read_meta

        meta, _ = read_meta(options.out_dir)
        earlier = crawl.resume(meta, sink.visits())
        log.info("resuming %s after %d saved pages", options.out_dir, earlier)
    crawl.meta = replace(crawl.meta, declared_source=declared_source)
    error: ScannerError | None = None
    try:
        await crawl.run()
    except ScannerError as exc:  # the start page failed: keep what was captured, then report the error
        error = exc
    except (KeyboardInterrupt, asyncio.CancelledError):
        error = ScanInterrupted(f"interrupted; {crawl.saved} finished page(s) saved")
    except Exception as exc:  # noqa: BLE001 - e.g. the browser crashed mid-crawl: keep the finished pages
        log.debug("the scan stopped", exc_info=True)
        first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
        error = CannotScan(f"the scan stopped after {crawl.saved} page(s): {first[:300]}")
    passes: list = []  # filled as each pass ends (also when one is interrupted): none of it is lost
    if error is None:
        try:
            await _consent_passes(options, sink, report, crawl.browser, passes)
        except (KeyboardInterrupt, asyncio.CancelledError):
            error = ScanInterrupted(f"interrupted during the consent passes; {crawl.saved} page(s) saved")
        if passes:
            crawl.meta = replace(crawl.meta, consent_passes=tuple(kept for *_, kept in passes))
            sink.update_meta(crawl.meta)
    result = _assemble(crawl, sink, passes)
    if error is not None:
        meta = replace(result.meta, interrupted=True, errors=(*result.meta.errors, str(error)))
        result = replace(result, meta=meta)
    if declared is None and options.declared_from == "cmp":
        from scanner.catalog import load_catalog
        from scanner.consent.declaration import cmp_declared

        declared, declared_source = cmp_declared(result, load_catalog(list(options.catalog_files)))
    result = _analyse(result, declared, declared_source, options, waivers)
    formats = options.formats if error is None else ("json",)
    if options.out_dir is not None and formats:
        try:
            written = _write(result, options, formats, baseline)
        except PdfNotPrinted:  # the scan and its other outputs are complete: the history records it
            if error is None and options.history is not None:
                report(_record_history(result, options, baseline))
            raise
        except CannotScan as failure:  # e.g. the disk is full: say so, with what was captured
            meta = replace(result.meta, interrupted=True, errors=(*result.meta.errors, str(failure)))
            if isinstance(sink, JsonlSink) and result.pages:
                failure = CannotScan(
                    f"{failure} (the finished pages are saved: make room, then `scanner report "
                    f"{options.out_dir}`)"
                )
            failure.result = replace(result, meta=meta)
            raise failure from None
        report({"event": "wrote", "paths": written})
        if error is None and options.history is not None:
            report(_record_history(result, options, baseline))
    if error is not None:
        error.result = result
        raise error
    return result


async def _consent_passes(
    options: ScanOptions, sink: VisitSink, report: Progress, browser, done: list
) -> list:
    """Run the consent passes the crawl calls for (``scanner.consent.passes``) into ``done``: (name, sink,
    error, meta) per pass."""
    from scanner.consent.passes import look, plan, run_passes

    if options.consent == "off" and not options.gpc:
        return []
    banner, pages = look(sink.visits(), options.consent_sample)  # one read of pages.jsonl
    names = plan(options.consent, options.gpc, banner)
    if not names or not pages:
        return []

    def sink_for(name: str) -> VisitSink:
        if options.out_dir is None:
            return MemorySink()
        from scanner.assemble import pass_visits_file

        return JsonlSink(options.out_dir, visits_file=pass_visits_file(name), write_meta=False)

    return await run_passes(options, names, pages, sink_for, report, browser, done)


def _assemble(crawl, sink: VisitSink, passes: list = ()) -> ScanResult:
    from scanner.assemble import assemble

    sinks = [sink, *(pass_sink for _, pass_sink, *_ in passes)]
    result = assemble(crawl.meta, crawl.scope, (visit for s in sinks for visit in s.visits()))
    problems = [p for s in sinks for p in (getattr(s, "problems", ()) or ())]  # lines not read back
    notes = [n for s in sinks for n in (getattr(s, "notes", ()) or ())]
    problems += [why for _, _, why, _ in passes if why]  # a pass that stopped: the consent audit is partial
    if problems or notes:
        meta = replace(
            result.meta,
            interrupted=result.meta.interrupted or bool(problems),
            errors=(*result.meta.errors, *notes, *problems),
        )
        result = replace(result, meta=meta)
    return result


def _declaration(options: ScanOptions) -> tuple[list[Declared] | None, str | None]:
    from scanner.pipeline import load_declaration

    if options.declared is not None:
        return list(options.declared), CALLER_DECLARATION

    def fetch(url: str) -> str:
        from scanner.browser import fetch_rendered_html

        b = options.browser
        return fetch_rendered_html(
            url,
            ignore_https_errors=b.ignore_https_errors,
            browser_args=list(b.extra_args),
            timeout_s=b.timeout_s,
            executable=b.executable,
        )

    return load_declaration(
        str(options.vendors) if options.vendors else None, options.policy, fetch_html=fetch
    )


def _baseline(options: ScanOptions) -> ScanResult | None:
    if options.baseline is None:
        return None
    from scanner.api import read_scan

    return read_scan(options.baseline)


def _check_history(options: ScanOptions) -> None:
    """A history database the scan cannot record into is bad input, found before the browser starts."""
    if options.history is None:
        return
    if options.out_dir is None or "json" not in options.formats:
        raise BadInput("--history records the saved scan.json: it needs an output folder and the json format")
    if options.history.exists():
        from scanner.history import open_history

        with open_history(options.history, create=False):
            pass  # a file that is not a history database fails here, with one line


def _record_history(result: ScanResult, options: ScanOptions, baseline) -> dict:
    """Record the finished scan into ``options.history``: the progress event ``history`` with the scan id,
    or with ``error`` (also logged as a warning) when it could not be recorded; never raises."""
    from scanner.gate import gate_exit_code

    event: dict = {"event": "history", "db": options.history}
    try:
        from scanner.history.record import record

        code = gate_exit_code(result, options.fail_on, baseline)
        done = record(options.history, options.out_dir / "scan.json", exit_code=code)
        event.update(scan_id=done.id, new=done.new)
    except Exception as exc:  # noqa: BLE001 - the scan is saved; the history is a copy of it
        first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
        event["error"] = first[:300]
        log.warning("the scan was not recorded in the history %s: %s", options.history, event["error"])
    return event


def _check_catalog(options: ScanOptions) -> None:
    """A bad extra catalog fails now, before the browser starts."""
    from scanner.catalog import load_catalog

    load_catalog(list(options.catalog_files))


def _check_login(options: ScanOptions) -> None:
    """Bad login options (files, steps, variables, the check, --exclude) fail now, before the browser."""
    from scanner.crawl.exclude import Exclusions
    from scanner.login.session import login_wanted, validate

    Exclusions(options.exclude)
    if login_wanted(options):
        validate(options.login)


def _waivers(options: ScanOptions):
    """The waivers file's entries (None without one); a bad file fails now, before the browser starts."""
    if options.waivers is None:
        return None
    from scanner.waivers import load_waivers

    return load_waivers(options.waivers)


def _analyse(result: ScanResult, declared, declared_source, options: ScanOptions, waivers=None) -> ScanResult:
    from scanner.pipeline import analyse

    return analyse(
        result,
        declared=declared,
        declared_source=declared_source,
        catalog_files=options.catalog_files,
        waivers=waivers,
    )


def _write(result: ScanResult, options: ScanOptions, formats, baseline) -> list[Path]:
    """The reports; a failed write (a full disk) leaves no partial report or temp file: CannotScan."""
    import time

    from scanner.report import write_reports

    started = time.time()
    try:
        return write_reports(
            result,
            options.out_dir,
            list(formats),
            fail_on=options.fail_on,
            baseline=baseline,
            warn_on=options.warn_on,
            self_contained=options.self_contained,
            browser=options.browser.executable,
        )
    except OSError as exc:
        remove_partial_outputs(options.out_dir, since=started)
        raise write_failure(exc, exc.filename or f"the reports in {options.out_dir}") from None
