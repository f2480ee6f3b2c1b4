"""CSV cells that a spreadsheet cannot run, and that parse back to the same rows.

Text from a scanned site or a policy (cookie names, titles, URLs, vendor names) may start with what a
spreadsheet takes for a formula: ``=``, ``+``, ``-``, ``@``, a tab or a carriage return. Such a cell gets
a leading apostrophe, the usual neutraliser (numbers such as ``-5`` are left alone). A line break inside
a cell is written as ``\\n`` within a quoted cell (a bare ``\\r`` would otherwise split the row for some
readers and put the rest of the cell at the start of a row), and every line of such a cell is neutralised
on its own. NUL and lone surrogates, which some readers refuse and UTF-8 cannot hold, become U+FFFD; a
surrogate pair becomes the character it encodes (as :mod:`scanner.safetext` repairs page text).
:func:`restore_cell` undoes the apostrophe for the scanner's own reader of vendors.csv.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, TextIO

from scanner.safetext import repair_string

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
NEUTRALISER = "'"
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", re.ASCII)
_BREAK = re.compile(r"\r\n|\r|\n")
_NUL = re.compile("\x00")


def _defuse_line(line: str) -> str:
    # Apostrophes already in front of a formula get one more, so that restore_cell gives the text back.
    if line.lstrip(NEUTRALISER).startswith(FORMULA_START) and not _NUMBER.fullmatch(line):
        return NEUTRALISER + line
    return line


def safe_cell(value: Any) -> Any:
    """``value`` made safe for a spreadsheet when it is text; other values unchanged."""
    if not isinstance(value, str):
        return value
    text = _BREAK.sub("\n", _NUL.sub("\ufffd", repair_string(value)[0]))
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
    buffer = io.StringIO()
    write_rows(buffer, header, rows)
    return buffer.getvalue()


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Path:
    """A UTF-8 CSV file of safe cells, as :func:`csv_text` writes them (None is an empty cell)."""
    with path.open("w", encoding="utf-8", newline="") as out:
        write_rows(out, header, rows)
    return path


def write_rows(out: TextIO, header: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    plain = csv.writer(out, lineterminator="\n")
    quoted = csv.writer(out, lineterminator="\n", quoting=csv.QUOTE_ALL)
    for row in itertools.chain([header], rows):
        cells = [safe_cell(v) for v in row]
        (quoted if _blank(cells) else plain).writerow(cells)


def _blank(row: Sequence[Any]) -> bool:
    return all(isinstance(v, str) and not v.strip() for v in row)
