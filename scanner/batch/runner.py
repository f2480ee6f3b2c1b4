"""One site, one attempt: a ``scanner scan`` subprocess with a hard wall-clock limit (the Dask task).

Why a subprocess and not ``scanner.scan()`` in the worker: a browser tree that leaks, hangs or crashes
takes only its own process group down, never the worker; a hang is ended by the clock, not by hoping
the page's timeouts hold. The scan runs in a new session (its own process group, Chromium included):

- on the site timeout, or when the driver stops the campaign (:func:`stop_scans`), the scan gets SIGTERM
  (it saves what it captured as a partial scan and closes its browser), then after ``grace_s`` the
  whole group gets SIGKILL; the group is also SIGKILLed after every normal end, so a browser process
  left behind by a scan that was killed never outlives its attempt;
- it is asked to die with its parent (Linux ``PR_SET_PDEATHSIG``): a worker killed with SIGKILL, or
  a LocalCluster whose driver died, does not leave scans running for nobody.

A scan that ends without a verdict (stopped by the site timeout, or on an error after it began) saves
only scan.json; the runner then renders the site's other formats from it (:func:`write_reports`, a
``scanner report`` of the folder, with the batch's --format, --fail-on and --warn-on), so the campaign
page links a report.html for that site too, which says the scan is partial and why. A scan killed hard
(SIGKILL after the grace period; its worker lost, :func:`finish_attempt` from the driver) saved no
scan.json, only its pages (``pages.jsonl``, ``scan-meta.json``): ``scanner report`` rebuilds scan.json
from them, marked partial, and the reports. When the batch cut the scan (its site timeout, the
campaign's stop) the scan cannot know it: the runner adds why to the saved meta's errors
(:func:`stop_note`), which the reports print ("interrupted after 0 pages, stopped by the batch's site
timeout of 8 s").

Only a small summary travels back through the scheduler (:func:`summarise`), never scan.json. This
module is imported by the Dask workers: keep it light and everything in it picklable and top level.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.batch.sites import site_slug

LOG_FILE = "scan.log"
GRACE_S = 15.0
REPORT_TIMEOUT_S = 300.0  # rendering the reports of a partial scan (no browser, but for --format pdf)
# exit code of ``scanner scan`` stopped by SIGTERM/Ctrl-C (it saved a partial scan)
EXIT_INTERRUPTED = 130
VERDICTS = {0: "PASS", 1: "FAIL", 4: "PARTIAL"}
# what a scan folder holds (scanner.assemble's names; not imported: workers import this module)
SCAN_JSON, VISITS_FILE, META_FILE = "scan.json", "pages.jsonl", "scan-meta.json"
# how a note of why the batch stopped a scan begins (scanner.report.text.partial_reason shows it)
STOPPED_BY_BATCH = "stopped by the batch's "

# The scans this worker process runs now: Popen by campaign, for stop_scans.
_running: dict[str, set[subprocess.Popen]] = {}
_running_lock = threading.Lock()


def attempt_dir(site: str, attempt: int) -> str:
    """The attempt's scan folder, relative to the campaign folder."""
    return f"sites/{site_slug(site)}/attempt-{attempt}"


def run_site(
    site: str,
    *,
    campaign_dir: str,
    attempt: int,
    scan_args: Sequence[str] = (),
    site_timeout: float = 1800.0,
    grace_s: float = GRACE_S,
    campaign_id: str = "",
    report_args: Sequence[str] = (),
) -> dict[str, Any]:
    """Scan ``site`` into ``CAMPAIGN/sites/<slug>/attempt-<attempt>/`` and return the outcome (a scan
    that ended without a verdict but saved scan.json gets its reports rendered, with ``report_args``):

    ``{"site", "attempt", "out_dir", "exit" (None when killed by a signal), "signal", "timed_out",
    "stopped" (by stop_scans), "seconds", "error" (one line or None), "summary" (see summarise; None
    without a readable scan.json)}``.
    """
    rel = attempt_dir(site, attempt)
    out = Path(campaign_dir) / rel
    out.mkdir(parents=True, exist_ok=True)
    command = [
        sys.executable,
        "-m",
        "scanner",
        "--no-config",
        "scan",
        site,
        "--out",
        str(out),
        "--quiet",
        *scan_args,
    ]
    if (out / "scan.json").exists() or (out / "pages.jsonl").exists():
        # The same task run again by a scheduler that re-ran it after a worker died (a cluster with
        # allowed-failures > 0): this attempt starts over in its own folder.
        command.append("--overwrite")
    started = time.monotonic()
    proc, timed_out = _run_logged(
        command, out / LOG_FILE, campaign_id, site_timeout, grace_s, "scan pid {} (its process group killed)"
    )
    code = proc.returncode
    stopped = getattr(proc, "stopped_by_driver", False)
    outcome: dict[str, Any] = {
        "site": site,
        "attempt": attempt,
        "out_dir": rel,
        "exit": code if code is not None and code >= 0 else None,
        "signal": -code if code is not None and code < 0 else None,
        "timed_out": timed_out,
        "stopped": stopped,
        "seconds": round(time.monotonic() - started, 1),
        "error": None,
        "summary": None,
    }
    if timed_out:
        outcome["error"] = f"site timeout: still running after {site_timeout:g} s, stopped"
    elif stopped:
        outcome["error"] = "stopped with the campaign"
    elif code is not None and code < 0:
        outcome["error"] = f"the scan was killed by signal {_signal_name(-code)}"
    elif code not in VERDICTS:
        outcome["error"] = last_error(out / LOG_FILE) or f"the scan ended with exit code {code}"
    if code not in VERDICTS:  # the log's last lines are the report's from here on
        note = stop_note(timed_out=timed_out, stopped=stopped, site_timeout=site_timeout)
        # a campaign being stopped renders nothing more: --resume scans the site again
        finish_attempt(
            out, report_args, note=note, render=not stopped, campaign_id=campaign_id, grace_s=grace_s
        )
    with contextlib.suppress(Exception):  # an unreadable scan.json is simply no summary
        outcome["summary"] = summarise(Path(campaign_dir), rel, code if code is not None else -1)
    return outcome


def stop_note(*, timed_out: bool, stopped: bool, site_timeout: float) -> str | None:
    """Why the batch stopped a scan, as its scan.json's errors and its reports say it (None: it did not)."""
    if timed_out:
        return f"{STOPPED_BY_BATCH}site timeout of {site_timeout:g} s"
    if stopped:
        return (
            f"{STOPPED_BY_BATCH}stop: the campaign was stopped (scanner batch --resume scans the site again)"
        )
    return None


def finish_attempt(
    out: Path,
    report_args: Sequence[str],
    *,
    note: str | None = None,
    render: bool = True,
    campaign_id: str = "",
    grace_s: float = GRACE_S,
) -> int | None:
    """What an attempt that ended without a verdict left in ``out``: ``note`` (why the batch stopped it)
    added to its saved meta's errors, then (``render``) its reports, scan.json rebuilt from the saved
    pages when the scan was killed before writing it. Returns the report's exit code (see write_reports)."""
    if note:
        try:
            _add_note(out, note)
        except Exception as exc:  # noqa: BLE001 - an unreadable scan: the report says what is wrong
            with open(out / LOG_FILE, "ab") as log:
                log.write(f"# could not note why the scan stopped: {type(exc).__name__}: {exc}\n".encode())
    return write_reports(out, report_args, campaign_id=campaign_id, grace_s=grace_s) if render else None


def _add_note(out: Path, note: str) -> None:
    """``note`` as the last of the saved scan's ``meta.errors`` (scan.json, else scan-meta.json)."""
    from dataclasses import replace

    if (out / SCAN_JSON).is_file():
        from scanner.api import read_scan
        from scanner.report.json_file import write_scan_json

        result = read_scan(out / SCAN_JSON)
        if note not in result.meta.errors:
            meta = replace(result.meta, interrupted=True, errors=(*result.meta.errors, note))
            write_scan_json(replace(result, meta=meta), out)
    elif (out / META_FILE).is_file():  # killed: scanner report rebuilds scan.json with this meta
        from scanner.assemble import read_meta
        from scanner.sink import write_meta

        meta, scope = read_meta(out)
        if note not in meta.errors:
            write_meta(out, replace(meta, errors=(*meta.errors, note)), scope)


def write_reports(
    out: Path, report_args: Sequence[str], *, campaign_id: str = "", grace_s: float = GRACE_S
) -> int | None:
    """Render the reports of the partial scan saved in ``out`` (``scanner report``, its output in the
    attempt's log): from its scan.json, or (a scan killed before it wrote one) rebuilt from its saved
    pages; returns its exit code (None: nothing saved, or it did not end in time)."""
    if not (out / SCAN_JSON).is_file() and not (out / VISITS_FILE).is_file():
        return None
    command = [sys.executable, "-m", "scanner", "--no-config", "report", str(out), *report_args]
    proc, _ = _run_logged(command, out / LOG_FILE, campaign_id, REPORT_TIMEOUT_S, grace_s, "report pid {}")
    return proc.returncode if proc.returncode is not None and proc.returncode >= 0 else None


def _run_logged(
    command: list[str], log_path: Path, campaign_id: str, timeout: float, grace_s: float, label: str
) -> tuple[subprocess.Popen, bool]:
    """Run ``command`` in its own process group, its output appended to ``log_path`` after the command
    line; stopped with the campaign (registered) or after ``timeout`` s (stopped, then its group killed:
    a killed scan's browser may still be there). Returns the process and whether it timed out."""
    timed_out = False
    with open(log_path, "ab") as log:
        log.write(f"$ {' '.join(command)}\n".encode())
        log.flush()
        proc = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            env=_scan_env(),
            preexec_fn=_die_with_parent,  # noqa: PLW1509 - only calls prctl, prepared beforehand
        )
        _register(campaign_id, proc)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            stop_group(proc, grace_s)
        finally:
            _unregister(campaign_id, proc)
            _kill_group(proc)
            log.write(f"# {label.format(proc.pid)} ended with {proc.returncode}\n".encode())
    return proc, timed_out


def summarise(campaign: Path, rel: str, exit_code: int) -> dict[str, Any] | None:
    """The small summary of the scan saved in ``campaign/rel`` (None when it saved no scan.json)."""
    from scanner.api import read_scan
    from scanner.gate import all_findings

    path = campaign / rel / "scan.json"
    if not path.is_file():
        return None
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    result = read_scan(path)
    findings = all_findings(result)
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.status] = counts.get(f.status, 0) + 1
    partial = bool(result.meta.interrupted)
    return {
        "exit": exit_code,
        "verdict": VERDICTS.get(exit_code, "PARTIAL"),
        "partial": partial or exit_code not in VERDICTS,
        "pages": len(result.pages),
        "counts": counts,
        "vendors": sorted({str(v.get("name")) for v in result.vendors if v.get("name")}),
        "scan_json": f"{rel}/scan.json",
        "sha256": digest,
        "worst": worst_findings(findings),
    }


def worst_findings(findings, limit: int = 5) -> list[dict[str, str]]:
    """Up to ``limit`` problems (:func:`scanner.severity.is_problem`), most severe first (one per vendor
    and status), each with its severity on the campaign's scale (:mod:`scanner.severity`)."""
    from scanner.severity import SEVERITY_RANK, finding_severity, is_problem

    ranked = []
    seen = set()
    for order, f in enumerate(findings):
        if not is_problem(f) or (f.vendor, f.status) in seen:
            continue
        seen.add((f.vendor, f.status))
        severity = finding_severity(f)
        ranked.append(
            (
                SEVERITY_RANK.get(severity, 3),
                order,
                {"vendor": f.vendor, "status": f.status, "severity": severity},
            )
        )
    return [item for *_, item in sorted(ranked, key=lambda t: (t[0], t[1]))[:limit]]


def last_error(log: Path) -> str | None:
    """The scan's own one-line error (``scanner: error: ...``) from its log, else its last line."""
    try:
        lines = [ln.strip() for ln in log.read_text("utf-8", "replace").splitlines() if ln.strip()]
    except OSError:
        return None
    lines = [ln for ln in lines if not ln.startswith("$ ")]
    errors = [ln for ln in lines if ln.startswith("scanner: ")]
    line = (errors or lines or [None])[-1]
    return line[:300] if line else None


# -- stopping -------------------------------------------------------------------------------------


def stop_group(proc: subprocess.Popen, grace_s: float = GRACE_S) -> None:
    """SIGTERM to the scan (it saves what it has), then after ``grace_s`` SIGKILL to its whole group."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=grace_s)
    except subprocess.TimeoutExpired:
        pass
    _kill_group(proc)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(timeout=grace_s)


def _kill_group(proc: subprocess.Popen) -> None:
    # start_new_session: the scan leads its own group, whose id is its pid (also once it has exited).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)


def stop_scans(campaign_id: str, grace_s: float = GRACE_S) -> int:
    """Stop every scan of ``campaign_id`` running in this process (``client.run`` calls it on every
    worker when the driver is stopped). Returns how many were stopped."""
    with _running_lock:
        procs = list(_running.get(campaign_id, ()))
    threads = []
    for proc in procs:
        proc.stopped_by_driver = True  # type: ignore[attr-defined]
        thread = threading.Thread(target=stop_group, args=(proc, grace_s), daemon=True)
        thread.start()
        threads.append(thread)
    for thread in threads:
        thread.join(grace_s * 2 + 5)
    return len(procs)


def _register(campaign_id: str, proc: subprocess.Popen) -> None:
    with _running_lock:
        _running.setdefault(campaign_id, set()).add(proc)


def _unregister(campaign_id: str, proc: subprocess.Popen) -> None:
    with _running_lock:
        _running.get(campaign_id, set()).discard(proc)


# -- the subprocess's environment -----------------------------------------------------------------


def _scan_env() -> dict[str, str]:
    """The worker's environment, with this very scanner package first on the path (a source checkout
    runs its own code, not another installed copy) and no progress bars."""
    env = dict(os.environ, CI="true")
    root = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH", "")) if p)
    return env


def _load_prctl():
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        return ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):
        return None


_PRCTL = _load_prctl()
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    """In the child, before exec: SIGTERM when the worker thread that started it dies."""
    if _PRCTL is not None:
        _PRCTL(_PR_SET_PDEATHSIG, int(signal.SIGTERM))


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return str(number)
