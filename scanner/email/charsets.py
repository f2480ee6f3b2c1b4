"""Bytes of a message part (or an .html file) to text, when the declared charset may be wrong or missing.

Mail in the wild declares ``iso-8859-1`` for Windows-1252 text, ``us-ascii`` for 8-bit text, ``utf-8`` for
text that is not, charsets Python does not know, or nothing at all. The rules, in order:

* a label Python does not know is noted and treated as missing;
* ``us-ascii``, ``iso-8859-1`` and ``windows-1252`` are read as Windows-1252, as browsers do (the WHATWG
  Encoding Standard maps all three labels to it), unless the bytes are valid UTF-8 with non-ASCII
  sequences: then the declaration is wrong and UTF-8 is used (random Latin-1 text is almost never valid
  UTF-8 beyond plain ASCII);
* any other declared charset is used when the bytes decode with it strictly; if not, UTF-8 is tried, and
  then the declared charset with replacement characters;
* with no usable declaration: a byte-order mark, then (for HTML) a ``<meta charset>`` in the first
  4 KB, then strict UTF-8, then Windows-1252.

Every choice that departs from the declaration is returned as a note, which the report shows.
"""

from __future__ import annotations

import codecs
import re

_WINDOWS_1252_LABELS = frozenset({"us-ascii", "ascii", "iso8859-1", "latin-1", "cp1252", "windows-1252"})
_META_CHARSET = re.compile(rb"""<meta[^>]{0,300}?charset\s*=\s*["']?\s*([A-Za-z0-9._:-]{1,40})""", re.I)
_BOMS = ((codecs.BOM_UTF8, "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))


def codec_name(label: str | None) -> str | None:
    """Python's name for a charset label ("ISO-8859-1" -> "iso8859-1"), None when it knows none."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    if not label or len(label) > 40:
        return None
    try:
        name = codecs.lookup(label).name
    except (LookupError, ValueError):
        return None
    # Codecs that are no text encodings of a mail body (base64_codec, rot13, ...) are refused.
    try:
        codecs.getincrementaldecoder(name)
        "a".encode(name)
    except (LookupError, TypeError, ValueError, UnicodeError):
        return None
    return name


def _strict(raw: bytes, name: str) -> str | None:
    try:
        return raw.decode(name)
    except (UnicodeError, LookupError, ValueError):
        return None


def _windows_1252(raw: bytes) -> str:
    return raw.decode("cp1252", errors="replace")


def _utf8_beyond_ascii(raw: bytes) -> str | None:
    if raw.isascii():
        return None
    return _strict(raw, "utf-8")


def meta_charset(raw: bytes) -> str | None:
    m = _META_CHARSET.search(raw[:4096])
    return m.group(1).decode("ascii", "replace") if m else None


def decode_text(raw: bytes, declared: str | None, *, html: bool = False) -> tuple[str, str, str | None]:
    """(text, charset used, note or None) for the bytes of a text part declared as ``declared``."""
    note = None
    name = codec_name(declared)
    if declared and name is None:
        note = f"unknown charset {declared.strip()[:40]!r}"
    if name in _WINDOWS_1252_LABELS:
        utf8 = _utf8_beyond_ascii(raw)
        if utf8 is not None:
            return utf8, "utf-8", f"declared {declared!s:.40} but the bytes are UTF-8"
        return _windows_1252(raw), "windows-1252", None
    if name is not None:
        text = _strict(raw, name)
        if text is not None:
            return text, name, None
        utf8 = _strict(raw, "utf-8")
        if utf8 is not None:
            return utf8, "utf-8", f"declared {declared!s:.40} but the bytes are UTF-8"
        return raw.decode(name, errors="replace"), name, f"bytes invalid in the declared {declared!s:.40}"
    text, used, sniff_note = sniff_decode(raw, html=html)
    return text, used, "; ".join(n for n in (note, sniff_note) if n) or None


def sniff_decode(raw: bytes, *, html: bool = True) -> tuple[str, str, str | None]:
    """(text, charset, note) of bytes with no declaration: BOM, meta charset (HTML), UTF-8, Windows-1252."""
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return raw.decode(name, errors="replace"), name.removesuffix("-sig"), None
    if html:
        meta = meta_charset(raw)
        name = codec_name(meta)
        if name is not None and name not in _WINDOWS_1252_LABELS:
            text = _strict(raw, name)
            if text is not None:
                return text, name, None
    utf8 = _strict(raw, "utf-8")
    if utf8 is not None:
        return utf8, "utf-8", None
    return _windows_1252(raw), "windows-1252", "no charset given and not UTF-8: read as Windows-1252"
