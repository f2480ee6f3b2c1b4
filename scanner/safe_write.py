"""Writing scan files so that a full disk (or any write error) leaves no half-written file behind.

``append_line`` adds one complete line to an open file or nothing (a failed write is cut back off);
``write_atomic`` replaces a file through a temporary file and a rename (the temporary file is removed
when the write fails). Both turn the OSError into :class:`~scanner.errors.CannotScan` with one line that
names the file, e.g. "no space left on device: cannot write reports/x/pages.jsonl".
"""

from __future__ import annotations

import contextlib
import errno
import os
from pathlib import Path

from scanner.errors import CannotScan

DISK_FULL = frozenset({errno.ENOSPC, getattr(errno, "EDQUOT", errno.ENOSPC)})


def write_failure(exc: OSError, path: Path | str) -> CannotScan:
    """The one-line error of a failed write of ``path``."""
    if exc.errno in DISK_FULL:
        return CannotScan(f"no space left on device: cannot write {path}")
    return CannotScan(f"cannot write {path}: {exc.strerror or exc}")


def append_line(fd: int, data: bytes, path: Path | str) -> None:
    """Append ``data`` (one line, newline included) to the file open as ``fd``, in one write call
    (repeated only for the rest of a short write), and fsync it. On failure the file is truncated back
    to where it was, so it never ends in a partial line, and CannotScan is raised."""
    start = os.lseek(fd, 0, os.SEEK_END)
    done = 0
    try:
        view = memoryview(data)
        while done < len(data):
            done += os.write(fd, view[done:])
        os.fsync(fd)
    except BaseException as exc:
        if done < len(data):
            with contextlib.suppress(OSError):
                os.ftruncate(fd, start)
        if isinstance(exc, OSError):
            raise write_failure(exc, path) from None
        raise


def write_atomic(path: Path, data: bytes | str) -> Path:
    """Replace ``path`` with ``data`` (str: UTF-8) through ``path.tmp`` and a rename."""
    path = Path(path)
    raw = data.encode("utf-8") if isinstance(data, str) else data
    tmp = path.with_name(path.name + ".tmp")
    try:
        with tmp.open("wb") as fh:
            fh.write(raw)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            raise write_failure(exc, path) from None
        raise
    return path
