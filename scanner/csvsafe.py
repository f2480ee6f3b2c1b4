"""CSV cells that a spreadsheet cannot run, and that parse back to the same rows.

Text from a scanned site or a policy (cookie names, titles, URLs, vendor names) may start with what a
spreadsheet takes for a formula: ``=``, ``+``, ``-``, ``@``, a tab or a carriage return. Such a cell gets
a leading apostrophe, the usual neutraliser (numbers such as ``-5`` are left alone). A line break inside
a cell is written as ``\\n`` within a quoted cell (a bare ``\\r`` would otherwise split the row for some
readers and put the rest of the cell at the start of a row), and every line of such a cell is neutralised
on its own. NUL and lone surrogates, which some readers refuse and UTF-8 cannot hold, become U+FFFD.
:func:`restore_cell` undoes the apostrophe for the scanner's own reader of vendors.csv.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_BREAK = re.compile(r"\r\n|\r|\n")
_UNWRITABLE = re.compile("[\x00\ud800-\udfff]")


def _defuse_line(line: str) -> str:
    # Apostrophes already in front of a formula get one more, so that restore_cell gives the text back.
    if line.lstrip(NEUTRALISER).startswith(FORMULA_START) and not _NUMBER.fullmatch(line):
        return NEUTRALISER + line
    return line


def safe_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet when it is text; other values unchanged."""
    if not isinstance(value, str):
        return value
    text = _BREAK.sub("\n", _UNWRITABLE.sub("\ufffd", value))
    if "\n" not in text:
        return _defuse_line(text)
    return "\n".join(_defuse_line(line) for line in text.split("\n"))


def restore_cell(text: str) -> str:
    """The text a cell held before :func:`safe_cell` added its apostrophe (at the start only)."""
    if text.startswith(NEUTRALISER) and text.lstrip(NEUTRALISER).startswith(FORMULA_START):
        return text[1:]
    return text


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """CSV (``\\n`` line ends, minimal quoting: a cell with a line break is quoted) of safe cells.

    A row of nothing but blanks is written quoted: unquoted, it would be a blank line that readers
    (pandas, spreadsheets) skip.
    """
    import io

    buffer = io.StringIO()
    plain = csv.writer(buffer, lineterminator="\n")
    quoted = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in ([safe_cell(h) for h in header], *([safe_cell(v) for v in r] for r in rows)):
        (quoted if _blank(row) else plain).writerow(row)
    return buffer.getvalue()


def _blank(row: Sequence[Any]) -> bool:
    return all(isinstance(v, str) and not v.strip() for v in row)


def write_frame(frame, path: Path) -> Path:
    """A pandas DataFrame as a UTF-8 CSV file with every text cell (and column name) made safe."""
    out = frame.copy()
    out.columns = [safe_cell(str(c)) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or _is_string_dtype(out[col].dtype):
            out[col] = out[col].map(safe_cell)
    # One column: a blank cell would be a blank line, which readers skip; quote text then.
    quoting = csv.QUOTE_NONNUMERIC if len(out.columns) == 1 else csv.QUOTE_MINIMAL
    out.to_csv(path, index=False, encoding="utf-8", lineterminator="\n", quoting=quoting)
    return path


def _is_string_dtype(dtype) -> bool:
    import pandas as pd

    return pd.api.types.is_string_dtype(dtype)
