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
from scanner.safe_write import append_line, write_atomic
from scanner.safetext import repair_visit
from scanner.saved_visit import ShapeError, check_visit
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
        self._visits.append(repair_visit(visit))

    def update_meta(self, meta: ScanMeta) -> None:
        self.meta = meta

    def visits(self) -> Iterator[dict[str, Any]]:
        return iter(list(self._visits))

    def close(self) -> None:
        pass


class JsonlSink:
    """``pages.jsonl`` (one visit a line, flushed and fsynced) and ``scan-meta.json`` in ``folder``.

    ``resume=True`` appends to the visits already there (``scanner scan --resume``); otherwise the
    folder's pages.jsonl starts empty. Each visit is written as one complete line or not at all (a failed
    write, e.g. a full disk, is cut back off and raises CannotScan naming the file), with its text made
    valid UTF-8 first (``scanner.safetext``). Reading back, a line that is not a saved visit (cut off,
    not JSON, the wrong shape: see ``scanner.saved_visit``, or longer than ``MAX_LINE_BYTES``) is skipped
    and described in ``problems`` (a line cut off by a crash is expected after a kill; it is still a
    loss). In a resumed scan such lines of the earlier run are only ``notes``: the crawl did not count
    their pages as visited, so it visited them again.
    """

    MAX_LINE_BYTES = 64 * 2**20

    def __init__(
        self, folder: Path, *, resume: bool = False, visits_file: str = VISITS_FILE, write_meta: bool = True
    ) -> None:
        self.folder = Path(folder)
        self.path = self.folder / visits_file
        self.resume = resume
        self.write_meta = write_meta  # False for a consent pass: its visits only (the scan's meta is one)
        self.problems: list[str] = []
        self.notes: list[str] = []
        self._fd: int | None = None
        self._earlier_lines: int | None = None  # lines of the run being resumed (known once opened)

    def open(self, meta: ScanMeta, scope: Scope) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        if self.resume and self.path.exists():
            self._terminate_last_line()
            with self.path.open("rb") as fh:
                self._earlier_lines = sum(1 for _ in fh)
        flags = os.O_WRONLY | os.O_CREAT | (os.O_APPEND if self.resume else os.O_TRUNC)
        self._fd = os.open(self.path, flags | getattr(os, "O_BINARY", 0), 0o666)
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
        text = json.dumps(repair_visit(visit), ensure_ascii=False, default=str)
        append_line(self._fd, (text + "\n").encode("utf-8", "replace"), self.path)

    def update_meta(self, meta: ScanMeta) -> None:
        if self.write_meta:
            write_meta(self.folder, meta, getattr(self, "_scope", None))

    def visits(self) -> Iterator[dict[str, Any]]:
        self.problems, self.notes = [], []
        if not self.path.exists():
            return
        with self.path.open("rb") as fh:
            for n, raw in enumerate(_lines(fh, self.MAX_LINE_BYTES), 1):
                visit, why = _parse(raw)
                if why is None:
                    yield repair_visit(visit)
                    continue
                if why == "":
                    continue  # an empty line
                message = f"{self.path.name} line {n} {why}; skipped"
                if self._of_resumed_run(n):
                    self.notes.append(f"{message} (a page of the interrupted run, visited again)")
                else:
                    self.problems.append(message)

    def _of_resumed_run(self, line: int) -> bool:
        if not self.resume:
            return False
        return self._earlier_lines is None or line <= self._earlier_lines

    def close(self) -> None:
        if self._fd is not None:
            os.close(self._fd)
            self._fd = None


def _lines(fh: Any, limit: int) -> Iterator[bytes | None]:
    """The file's lines; None for a line longer than ``limit`` bytes (read past, never held)."""
    while chunk := fh.readline(limit + 1):
        if len(chunk) > limit:
            while (rest := fh.readline(2**20)) and not rest.endswith(b"\n"):
                pass
            yield None
        else:
            yield chunk


JSON_WHITESPACE = " \t\r\n"


def _parse(raw: bytes | None) -> tuple[Any, str | None]:
    """(visit, None) for a usable line, else (None, why it is not); why is "" for an empty line."""
    if raw is None:
        return None, "is too long to be a saved visit"
    # Only JSON's own whitespace makes a line empty: a line of other control characters (a file
    # separator, a form feed) is damage to be named, not a blank line.
    text = raw.decode("utf-8", "replace").strip(JSON_WHITESPACE)
    if not text:
        return None, ""
    try:
        visit = json.loads(text)
    except (ValueError, RecursionError) as exc:
        return None, f"is not readable ({str(exc)[:200]})"
    try:
        check_visit(visit)
    except ShapeError as exc:
        return None, f"is not a saved visit ({str(exc)[:200]})"
    return visit, None


def write_meta(folder: Path, meta: ScanMeta, scope: Scope | None) -> None:
    """``folder``'s scan-meta.json (what ``scanner.assemble.read_meta`` reads back), replaced whole."""
    data = {"meta": to_jsonable(meta), "first_party_domains": sorted(scope.domains if scope else ())}
    write_atomic(folder / META_FILE, json.dumps(data, indent=2))
