"""Opening the history database: the file given (``--db``, ``--history``) or ``$SCANNER_HISTORY``.

Commands that record (``history ingest``, ``scan --history``) create the file and its folder when
missing; commands that only read (``trend``, ``matrix``, ``export``, ``compare``) refuse a missing file
rather than answer from an empty database. Anything that is not a usable history database (a folder, a
file of another kind, a database of a newer scanner) is a one-line :class:`~scanner.errors.BadInput`.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from scanner.errors import BadInput
from scanner.history import dialect, schema

ENV_VAR = "SCANNER_HISTORY"


def database_path(given: str | Path | None) -> Path:
    """``given``, else ``$SCANNER_HISTORY``; BadInput when neither names a file."""
    value = str(given) if given not in (None, "") else os.environ.get(ENV_VAR, "")
    if not value.strip():
        raise BadInput(f"no history database: give --db FILE or set {ENV_VAR}")
    return Path(value)


def one_line(exc: BaseException) -> str:
    text = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    return text[:200] or type(exc).__name__


@contextlib.contextmanager
def open_history(path: str | Path, *, create: bool) -> Iterator[dialect.Connection]:
    """The database at ``path``, migrated to the current schema, closed on exit."""
    path = Path(path)
    if path.exists() and not path.is_file():
        raise BadInput(f"{path}: not a file (expected a history database)")
    if not path.exists():
        if not create:
            raise BadInput(f"no history database at {path}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise BadInput(f"cannot create the folder of {path}: {exc.strerror or exc}") from None
    try:
        conn = dialect.connect(path)
    except dialect.DATABASE_ERRORS as exc:
        raise BadInput(f"{path}: not a usable history database ({one_line(exc)})") from None
    try:
        try:
            schema.migrate(conn, str(path))
        except dialect.DATABASE_ERRORS as exc:
            raise BadInput(f"{path}: not a usable history database ({one_line(exc)})") from None
        yield conn
    finally:
        conn.close()
