"""Reading the user's UTF-8 input files (vendors.csv, --catalog) with one-line, located errors."""

from __future__ import annotations

from pathlib import Path

from scanner.errors import BadInput


def read_utf8(path: Path, label: str) -> tuple[bytes, str]:
    """(raw bytes, text) of a UTF-8 file; BadInput naming ``label`` (and the line of a bad byte)."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise BadInput(f"{label}: cannot read ({err.strerror or err})") from None
    try:
        return raw, raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise BadInput(
            f"{label}:{line}: not UTF-8 (byte 0x{raw[err.start]:02x}); save the file as UTF-8"
        ) from None
