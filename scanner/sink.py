"""Where finished visits go as a scan runs: the ``VisitSink`` interface and its two implementations.

The crawl hands every finished visit (a raw visit, see ``scanner.assemble``) to ``sink.add`` and keeps
nothing of it; the result is assembled at the end from ``sink.visits()``. ``JsonlSink`` (the default)
writes ``pages.jsonl`` and ``scan-meta.json`` into the scan folder, line by line and fsynced, so an
interrupted or killed scan keeps every finished page. ``MemorySink`` keeps them in a list (tests,
notebooks). Anything else (a database, a queue) implements the same five methods.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from scanner.assemble import META_FILE, VISITS_FILE
from scanner.model import ScanMeta, to_jsonable
from scanner.scope import Scope


@runtime_checkable
class VisitSink(Protocol):
    def open(self, meta: ScanMeta, scope: Scope) -> None:
        """Before the first visit: the scan's meta (started, options) and first-party scope."""

    def add(self, visit: dict[str, Any]) -> None:
        """One finished visit, as it happens. Must not keep a reference the caller mutates later."""

    def update_meta(self, meta: ScanMeta) -> None:
        """The meta changed (browser known, finished, interrupted)."""

    def visits(self) -> Iterator[dict[str, Any]]:
        """Every visit added so far (for a resumed scan: also the earlier run's), in order."""

    def close(self) -> None:
        """No more visits."""


class MemorySink:
    """Visits kept in memory."""

    def __init__(self) -> None:
        self.meta: ScanMeta | None = None
        self.scope: Scope | None = None
        self._visits: list[dict[str, Any]] = []

    def open(self, meta: ScanMeta, scope: Scope) -> None:
        self.meta, self.scope = meta, scope

    def add(self, visit: dict[str, Any]) -> None:
        self._visits.append(visit)

    def update_meta(self, meta: ScanMeta) -> None:
        self.meta = meta

    def visits(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._visits))

    def close(self) -> None:
        pass


class JsonlSink:
    """``pages.jsonl`` (one visit a line, flushed and fsynced) and ``scan-meta.json`` in ``folder``.

    ``resume=True`` appends to the visits already there (``scanner scan --resume``); otherwise the
    folder's pages.jsonl starts empty. Reading back, a line that is not a JSON object is skipped and
    described in ``problems`` (a line cut off by a crash is expected after a kill; it is still a loss).
    In a resumed scan such lines of the earlier run are only ``notes``: the crawl did not count their
    pages as visited, so it visited them again.
    """

    def __init__(self, folder: Path, *, resume: bool = False) -> None:
        self.folder = Path(folder)
        self.path = self.folder / VISITS_FILE
        self.resume = resume
        self.problems: list[str] = []
        self.notes: list[str] = []
        self._fh: Any = None
        self._earlier_lines: int | None = None  # lines of the run being resumed (known once opened)

    def open(self, meta: ScanMeta, scope: Scope) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.resume and self.path.exists():
            self._terminate_last_line()
            with self.path.open("rb") as fh:
                self._earlier_lines = sum(1 for _ in fh)
        self._fh = self.path.open("a" if self.resume else "w", encoding="utf-8")
        self._scope = scope
        self.update_meta(meta)

    def _terminate_last_line(self) -> None:
        """A killed scan may have left half a line: start the next one on a line of its own."""
        with self.path.open("rb") as fh:
            fh.seek(0, os.SEEK_END)
            if fh.tell() == 0:
                return
            fh.seek(-1, os.SEEK_END)
            ends_cleanly = fh.read(1) == b"\n"
        if not ends_cleanly:
            with self.path.open("ab") as fh:
                fh.write(b"\n")

    def add(self, visit: dict[str, Any]) -> None:
        self._fh.write(json.dumps(visit, ensure_ascii=False, default=str) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def update_meta(self, meta: ScanMeta) -> None:
        scope = getattr(self, "_scope", None)
        data = {"meta": to_jsonable(meta), "first_party_domains": sorted(scope.domains if scope else ())}
        tmp = self.folder / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(tmp, self.folder / META_FILE)

    def visits(self) -> Iterator[dict[str, Any]]:
        self.problems, self.notes = [], []
        if not self.path.exists():
            return
        with self.path.open(encoding="utf-8", errors="replace") as fh:
            for n, line in enumerate(fh, 1):
                line = line.strip()
                if not line:
                    continue
                try:
                    visit = json.loads(line)
                except ValueError as exc:
                    visit, why = None, f"is not readable ({exc})"
                else:
                    why = "is not a saved visit"
                if isinstance(visit, dict):
                    yield visit
                    continue
                message = f"{VISITS_FILE} line {n} {why}; skipped"
                if self._of_resumed_run(n):
                    self.notes.append(f"{message} (a page of the interrupted run, visited again)")
                else:
                    self.problems.append(message)

    def _of_resumed_run(self, line: int) -> bool:
        if not self.resume:
            return False
        return self._earlier_lines is None or line <= self._earlier_lines

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()
            self._fh = None
