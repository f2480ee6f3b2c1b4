"""Text from a page made valid Unicode before anything writes it.

JavaScript strings are UTF-16 and may hold lone surrogates (``"\\uD800"``): a page title, a storage key,
a ``document.cookie`` name or a link text. Python receives them as they are and its UTF-8 writers refuse
them, so one hostile page would stop every writer of the scan. :func:`repair_text` replaces each lone
surrogate with U+FFFD (REPLACEMENT CHARACTER) in any JSON-like value (dict keys included), keeps proper
surrogate pairs as the character they encode, and counts what it replaced so the change can be flagged.
"""

from __future__ import annotations

import re
from typing import Any

REPLACEMENT = "\ufffd"
_SURROGATE = re.compile("[\ud800-\udfff]")


def repair_string(text: str) -> tuple[str, int]:
    """(valid text, lone surrogates replaced)."""
    if not _SURROGATE.search(text):
        return text, 0
    # Through UTF-16: a surrogate pair becomes its character again, a lone surrogate U+FFFD.
    fixed = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")
    return fixed, fixed.count(REPLACEMENT) - text.count(REPLACEMENT)


def repair_text(value: Any) -> tuple[Any, int]:
    """(``value`` with every string valid Unicode, lone surrogates replaced). Containers are copied
    only when something in them changed; other values are returned as they are."""
    if isinstance(value, str):
        return repair_string(value)
    if isinstance(value, dict):
        total, out = 0, {}
        for key, item in value.items():
            if isinstance(key, str):
                key, n = repair_string(key)
                total += n
            item, n = repair_text(item)
            total += n
            out[key] = item
        return (out, total) if total else (value, 0)
    if isinstance(value, (list, tuple)):
        total, items = 0, []
        for item in value:
            item, n = repair_text(item)
            total += n
            items.append(item)
        return (type(value)(items), total) if total else (value, 0)
    return value, 0


TEXT_NOTE_COLLECTOR = "text"


def repair_visit(visit: dict) -> dict:
    """A raw visit (see ``scanner.assemble``) with valid text; when something was replaced, the page
    says so in its ``collector_errors`` (its text is not exactly what the page held)."""
    fixed, count = repair_text(visit)
    if not count:
        return visit
    page = fixed.get("page")
    if isinstance(page, dict):
        notes = page.get("collector_errors")
        notes = list(notes) if isinstance(notes, list) else []
        notes.append(
            {
                "collector": TEXT_NOTE_COLLECTOR,
                "stage": "save",
                "error": f"{count} lone surrogate(s) in the page's text replaced with U+FFFD",
            }
        )
        fixed = {**fixed, "page": {**page, "collector_errors": notes}}
    return fixed


_INVISIBLE = frozenset(("Cc", "Cf", "Cs", "Zl", "Zp"))


def terminal_text(value: object, limit: int | None = None) -> str:
    """``value`` as one line a terminal or CI log prints as it is: every control, format or line-separator
    character (an ANSI escape's ESC, CR, LF, U+0085, U+2028, a right-to-left override) is shown as a
    ``\\u`` escape, so page-controlled text cannot move the cursor, recolour or clear the screen, start a
    new log line or reorder what follows it. Text longer than ``limit`` is cut with "…"."""
    import unicodedata

    text = "" if value is None else str(value)
    if not text.isprintable():
        out = []
        for ch in text:
            if unicodedata.category(ch) in _INVISIBLE:
                out.append(f"\\u{ord(ch):04x}" if ord(ch) <= 0xFFFF else f"\\U{ord(ch):08x}")
            else:
                out.append(ch)
        text = "".join(out)
    if limit is not None and len(text) > limit:
        text = text[: max(0, limit - 1)] + "…"
    return text
