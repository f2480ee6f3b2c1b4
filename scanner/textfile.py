"""Reading the user's input files with one-line, located errors and a size limit.

Every file the user names (vendors.csv, ``--catalog``, a policy file, a saved scan.json) is read
through :func:`read_limited`: it must be a regular file (``/dev/zero`` or a FIFO would never end) no
larger than the limit of its kind, else BadInput (exit 2). JSON goes through :func:`parse_json`, which
also refuses nesting deeper than :data:`MAX_JSON_DEPTH` and replaces lone surrogates by U+FFFD. The
limits are listed in README ("Limits").
"""

from __future__ import annotations

import json
import os
import re
import stat
from pathlib import Path
from typing import Any

from scanner.errors import BadInput

MB = 1024 * 1024
MAX_TEXT_BYTES = 50 * MB  # vendors.csv, --catalog
MAX_SCAN_BYTES = 1024 * MB  # scan.json (--baseline, scanner report, scanner diff)
MAX_JSON_DEPTH = 64  # arrays and objects inside each other; scan.json itself needs fewer than 10


def describe_size(n: int) -> str:
    return f"{n / MB:.0f} MB" if n >= MB else f"{n} bytes"


def read_limited(path: Path, label: str, limit: int) -> bytes:
    """The bytes of a regular file of at most ``limit`` bytes; BadInput naming ``label`` otherwise."""
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            raise BadInput(f"{label}: not a regular file")
        if info.st_size > limit:
            raise BadInput(
                f"{label}: too large ({describe_size(info.st_size)}; the limit is {describe_size(limit)})"
            )
        # O_NONBLOCK: should the path have become a FIFO since, opening it does not wait for a writer.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
                raise BadInput(f"{label}: not a regular file")
            raw = fh.read(limit + 1)  # a file that grows while read is cut here, never read forever
    except OSError as err:
        raise BadInput(f"{label}: cannot read ({err.strerror or err})") from None
    if len(raw) > limit:
        size = max(info.st_size, len(raw))
        raise BadInput(f"{label}: too large ({describe_size(size)}; the limit is {describe_size(limit)})")
    return raw


def read_utf8(path: Path, label: str, limit: int = MAX_TEXT_BYTES) -> tuple[bytes, str]:
    """(raw bytes, text) of a UTF-8 file; BadInput naming ``label`` (and the line of a bad byte)."""
    raw = read_limited(path, label, limit)
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise BadInput(
            f"{label}:{line}: not UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8"
        ) from None


def parse_json(text: str | bytes, label: str, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """A JSON document nested at most ``max_depth`` deep; BadInput (with the line) otherwise."""
    try:
        doc = json.loads(text)
    except json.JSONDecodeError as err:
        raise BadInput(f"{label}:{err.lineno}: invalid JSON ({err.msg})") from None
    except RecursionError:
        raise BadInput(f"{label}: JSON nested too deeply (the limit is {max_depth} levels)") from None
    except UnicodeDecodeError as err:
        raise BadInput(f"{label}: not UTF-8 JSON ({err.reason})") from None
    if json_depth(doc, max_depth) > max_depth:
        raise BadInput(f"{label}: JSON nested too deeply (the limit is {max_depth} levels)")
    if _SURROGATE_ESCAPE.search(text if isinstance(text, str) else text.decode("utf-8", "replace")):
        doc = valid_unicode(doc)
    return doc


_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def valid_unicode(value: Any) -> Any:
    """``value`` with every lone surrogate (a JSON ``\\ud800`` escape) in its texts and keys replaced by
    U+FFFD, so that it can be written as UTF-8 again."""
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [valid_unicode(v) for v in value]
    if isinstance(value, dict):
        return {valid_unicode(k): valid_unicode(v) for k, v in value.items()}
    return value


def json_depth(doc: Any, stop: int) -> int:
    """How deeply arrays and objects nest in ``doc`` (a scalar is 0); counting stops past ``stop``."""
    deepest = 0
    todo: list[tuple[Any, int]] = [(doc, 1)]
    while todo:
        value, depth = todo.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if deepest > stop:
            return deepest
        todo.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return deepest
