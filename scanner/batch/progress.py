"""Progress of a campaign: a live rich display on a terminal (sites done, failed, running, ETA), one plain
line per event in CI and logs (``CI`` set or stderr not a terminal), as scanner/progress.py does for a
single scan."""

from __future__ import annotations

import os
import sys
import time
from typing import Any


def outcome_text(outcome: dict[str, Any], status: str) -> str:
    """``done FAIL 3 pages 12.0 s`` / ``retry exit 3: DNS lookup failed ...``: what one attempt gave."""
    summary = outcome.get("summary") or {}
    secs = outcome.get("seconds")
    took = f", {secs:.0f} s" if isinstance(secs, int | float) else ""
    if status == "done":
        return f"{summary.get('verdict', '?')}, {summary.get('pages', 0)} pages{took}"
    code = outcome.get("exit")
    why = outcome.get("error") or (f"exit {code}" if code is not None else "no exit code")
    return f"{why}{took}"


class PlainBatchProgress:
    """One line per started and finished attempt (CI logs)."""

    def __init__(self, total: int, stream: Any = None) -> None:
        self.total = total
        self.stream = stream or sys.stderr

    def started(self, site: str, attempt: int, counts: dict[str, int]) -> None:
        print(
            f"[{self._finished(counts):>4}/{self.total}] start   {site} (attempt {attempt})",
            file=self.stream,
            flush=True,
        )

    def finished(self, site: str, status: str, outcome: dict[str, Any], counts: dict[str, int]) -> None:
        word = {"done": "done", "failed": "retry", "gave_up": "gave up", "pending": "stopped"}.get(
            status, status
        )
        line = f"[{self._finished(counts):>4}/{self.total}] {word:<7} {site}: {outcome_text(outcome, status)}"
        print(line, file=self.stream, flush=True)

    def _finished(self, counts: dict[str, int]) -> int:
        return counts.get("done", 0) + counts.get("gave_up", 0)

    def close(self) -> None:
        pass


class RichBatchProgress:
    """A live bar: finished sites of all, with done / gave up / running / retrying counts and an ETA
    from the finished sites' pace."""

    def __init__(self, total: int, already: int = 0) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True)
        self.total = total
        self.already = already  # finished before this run (--resume): not part of the pace
        self.t0 = time.monotonic()
        self.bar = Progress(
            TextColumn("[bold]sites"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}"),
            console=self.console,
            transient=False,
        )
        self.task = self.bar.add_task("", total=total, completed=already)
        self.bar.start()

    def _update(self, counts: dict[str, int]) -> None:
        finished = counts.get("done", 0) + counts.get("gave_up", 0)
        pace = (time.monotonic() - self.t0) / max(1, finished - self.already)
        left = self.total - finished
        eta = f", ETA {_duration(pace * left)}" if finished > self.already and left else ""
        text = (
            f"[green]{counts.get('done', 0)} done[/] · [red]{counts.get('gave_up', 0)} gave up[/] · "
            f"{counts.get('running', 0)} running · {counts.get('failed', 0)} to retry{eta}"
        )
        self.bar.update(self.task, completed=finished, description=text)

    def started(self, site: str, attempt: int, counts: dict[str, int]) -> None:
        self._update(counts)

    def finished(self, site: str, status: str, outcome: dict[str, Any], counts: dict[str, int]) -> None:
        self._update(counts)
        if status != "done":
            colour = "red" if status == "gave_up" else "yellow"
            self.bar.console.print(f"[{colour}]{site}: {status}: {outcome_text(outcome, status)}")

    def close(self) -> None:
        self.bar.stop()


def _duration(seconds: float) -> str:
    seconds = int(seconds)
    if seconds >= 3600:
        return f"{seconds // 3600} h {seconds % 3600 // 60:02d} min"
    if seconds >= 60:
        return f"{seconds // 60} min {seconds % 60:02d} s"
    return f"{seconds} s"


def make_batch_progress(total: int, already: int = 0, quiet: bool = False):
    if quiet:
        return None
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    return RichBatchProgress(total, already) if interactive else PlainBatchProgress(total)
