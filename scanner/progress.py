"""Progress of a crawl: a rich progress bar on a terminal, plain lines in CI and logs."""

from __future__ import annotations

import os
import sys
from typing import Any


class PlainProgress:
    def __init__(self, stream: Any = None) -> None:
        self.stream = stream or sys.stderr

    def __call__(self, event: dict) -> None:
        if event["event"] != "done":
            return
        r = event["record"]
        status = r.get("status") or "---"
        note = f"  [{r['error']}]" if r.get("error") else ""
        secs = (r.get("total_ms") or 0) / 1000
        print(
            f"[{event['index']:>3}] {status} d{r['depth']} {r['url']} "
            f"({secs:.1f} s, {event['queued']} queued){note}",
            file=self.stream,
            flush=True,
        )

    def close(self) -> None:
        pass


class RichProgress:
    def __init__(self, max_pages: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(stderr=True)
        self.bar = Progress(
            TextColumn("[bold]scanning"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.description}", style="dim"),
            console=self.console,
            transient=False,
        )
        self.task = self.bar.add_task("", total=max_pages)
        self.bar.start()

    def __call__(self, event: dict) -> None:
        if event["event"] == "start":
            self.bar.update(self.task, description=event["url"][-80:])
        elif event["event"] == "done":
            r = event["record"]
            done = event["index"]
            total = max(done + event["queued"], done)
            self.bar.update(self.task, completed=done, total=min(total, self.bar.tasks[0].total or total))
            if r.get("error"):
                self.bar.console.print(f"[yellow]{r['url']}: {r['error']}")

    def close(self) -> None:
        self.bar.stop()


def make_progress(max_pages: int, quiet: bool = False):
    if quiet:
        return None
    interactive = sys.stderr.isatty() and not os.environ.get("CI")
    return RichProgress(max_pages) if interactive else PlainProgress()
