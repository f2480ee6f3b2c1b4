"""The shape of what a scan saves (a ``pages.jsonl`` line, ``scan-meta.json``) and its check.

Anything read back from a scan folder may be cut off, edited or corrupted. Before a saved visit is
folded into a result (``scanner.assemble``) or continued (``--resume``), :func:`check_visit` makes sure
every value has the type the records need (from the record classes of ``scanner.model`` plus the raw
keys only a saved visit has), so a bad line is skipped with a reason instead of crashing a later stage.
Numbers must be finite; clock readings (``ts``, ``timestamp``) must be dates a calendar can show; URLs
must be parseable.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from functools import cache
from typing import Any, Literal, Union
from urllib.parse import urlsplit

from scanner.model import ApiCall, Page, Request, ScanMeta, StorageItem, ValueLeak
from scanner.shapes import is_json_number


class ShapeError(ValueError):
    """A saved record does not have the shape the scanner writes; ``str()`` says where and why."""


# Year 1 .. year 9999 in epoch seconds: what datetime (and so every report) can show.
MIN_EPOCH, MAX_EPOCH = -62135596800, 253402300799
CLOCK_FIELDS = frozenset(
    {"ts", "timestamp", "ws_opened_at", "ws_closed_at", "nav_started_at", "written_at", "set_at"}
)
URL_FIELDS = frozenset(
    {"url", "final_url", "page_url", "frame_url", "referrer", "setter_url", "origin", "script"}
)

MARK = {"id": (int | str, True), "reason": (str, True), "size": (tuple[int, int] | None, False)}
OBSERVATION = {
    "name": (str, True),
    "domain": (str, True),
    "path": (str, True),
    "source": (str, True),
    "host_only": (bool, True),
    "expires": (float | None, True),
    "declared_lifetime_days": (float | None, True),
    "secure": (bool, True),
    "http_only": (bool, True),
    "same_site": (str | None, True),
    "setter_url": (str | None, True),
    "value_hash": (str | None, True),
    "value": (str | None, True),
    "page_url": (str, True),
    "ts": (float, True),
}
COLLECTOR_ERROR = {"collector": (str, True), "stage": (str, True), "error": (str, True)}


MAX_DEPTH = 64  # free-form objects (meta.options): every writer and reader can nest this deep


def _free_form_problem(value: Any, limit: int) -> str | None:
    """Why a free-form JSON value cannot be written back as it is (nesting, NaN), or None."""
    level, todo = 0, [value]
    while todo:
        level += 1
        if level > limit:
            return f"nested deeper than {limit} levels"
        items = [c for item in todo for c in (item.values() if isinstance(item, dict) else item)]
        numbers = (c for c in items if isinstance(c, (int, float)) and not isinstance(c, bool))
        if not all(map(is_json_number, numbers)):
            return "number out of range"
        todo = [c for c in items if isinstance(c, (dict, list, tuple))]
    return None


def _kind(value: Any) -> str:
    return "null" if value is None else type(value).__name__


def _number_problem(value: Any, hint: type, name: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"expected a number, got {_kind(value)}"
    if hint is int and not isinstance(value, int):
        return "expected an integer"
    if not is_json_number(value):
        return "number out of range"
    as_float = float(value)
    if name in CLOCK_FIELDS and not MIN_EPOCH <= as_float <= MAX_EPOCH:
        return "not a date"
    return None


def problem(value: Any, hint: Any, name: str = "") -> str | None:
    """Why ``value`` (as read from JSON) does not fit the type ``hint``, or None when it does."""
    origin = typing.get_origin(hint)
    if hint is Any:
        return None
    if hint is type(None):
        return None if value is None else f"expected null, got {_kind(value)}"
    if origin in (Union, types.UnionType):
        reasons = [problem(value, arg, name) for arg in typing.get_args(hint)]
        if None in reasons:
            return None
        return next((r for r in reasons if not r.startswith("expected")), None) or (
            f"unexpected {_kind(value)}"
        )
    if origin is Literal:
        return None if value in typing.get_args(hint) and isinstance(value, str) else "unexpected value"
    if hint is str:
        if not isinstance(value, str):
            return f"expected a string, got {_kind(value)}"
        if name in URL_FIELDS:
            try:
                urlsplit(value)
            except ValueError as exc:
                return f"not a URL ({exc})"
        return None
    if hint is bool:
        return None if isinstance(value, bool) else f"expected true or false, got {_kind(value)}"
    if hint in (int, float):
        return _number_problem(value, hint, name)
    if origin is tuple or hint is tuple:
        if not isinstance(value, (list, tuple)):
            return f"expected a list, got {_kind(value)}"
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            args = (args[0],) * len(value)
        elif args and len(args) != len(value):
            return f"expected {len(args)} items, got {len(value)}"
        for i, (item, arg) in enumerate(zip(value, args, strict=False)):
            if (why := problem(item, arg, name)) is not None:
                return f"item {i}: {why}"
        return None
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            return f"expected an object, got {_kind(value)}"
        return _free_form_problem(value, MAX_DEPTH)
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):  # a record inside a record (meta.coverage)
        try:
            check_record(hint, value, hint.__name__)
        except ShapeError as exc:
            return str(exc)
        return None
    raise TypeError(f"no check for {hint!r}")  # a model field of a new kind: add it here


@cache
def _fields(cls: type) -> dict[str, tuple[Any, bool]]:
    hints = typing.get_type_hints(cls)
    return {
        f.name: (
            hints[f.name],
            f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING,
        )
        for f in dataclasses.fields(cls)
    }


def check_fields(data: Any, fields: dict[str, tuple[Any, bool]], where: str) -> None:
    """``data`` is an object whose listed keys have their types (required ones present)."""
    if not isinstance(data, dict):
        raise ShapeError(f"{where}: expected an object, got {_kind(data)}")
    for name, (hint, required) in fields.items():
        if name not in data:
            if required:
                raise ShapeError(f"{where}.{name}: missing")
            continue
        if (why := problem(data[name], hint, name)) is not None:
            raise ShapeError(f"{where}.{name}: {why}")


def check_record(cls: type, data: Any, where: str) -> None:
    """``data`` can become a ``cls`` record (``scanner.model.from_jsonable``) with the right types."""
    check_fields(data, _fields(cls), where)


def _check_rows(visit: dict, key: str, check) -> None:
    rows = visit.get(key, [])
    if not isinstance(rows, list):
        raise ShapeError(f"{key}: expected a list, got {_kind(rows)}")
    for i, row in enumerate(rows):
        check(row, f"{key}[{i}]")


def _check_request(row: Any, where: str) -> None:
    check_record(Request, row, where)
    if (why := problem(row.get("id"), int | str | None)) is not None:
        raise ShapeError(f"{where}.id: {why}")


def _check_page(page: Any) -> None:
    check_record(Page, page, "page")
    for i, note in enumerate(page.get("collector_errors") or ()):
        check_fields(note, COLLECTOR_ERROR, f"page.collector_errors[{i}]")


# Rows of the behaviour collectors: a visit keeps its page when one of them is malformed
# (:func:`salvage_rows` drops the row and notes it); :func:`check_visit` rejects them.
BEHAVIOUR_ROWS: dict[str, type] = {"api_calls": ApiCall, "value_leaks": ValueLeak}


def salvage_rows(visit: dict) -> dict:
    """``visit`` without the rows of ``api_calls`` / ``value_leaks`` that do not have the shape of their
    record; each dropped row is a ``collector_errors`` note on the page (its evidence is incomplete),
    so one bad row costs that row, not the page. Anything else is left to :func:`check_visit`."""
    if not isinstance(visit, dict) or not isinstance(visit.get("page"), dict):
        return visit
    notes: list[dict] = []
    fixed = dict(visit)
    for key, cls in BEHAVIOUR_ROWS.items():
        rows = visit.get(key)
        if key not in visit:
            continue
        if not isinstance(rows, list):
            notes.append(
                {"collector": key, "stage": "assemble", "error": f"expected a list, got {_kind(rows)}"}
            )
            fixed[key] = []
            continue
        kept = []
        for i, row in enumerate(rows):
            try:
                check_record(cls, row, f"{key}[{i}]")
            except ShapeError as exc:
                if len(notes) < 20:
                    notes.append(
                        {"collector": key, "stage": "assemble", "error": f"row dropped: {exc}"[:300]}
                    )
                continue
            kept.append(row)
        fixed[key] = kept
    if not notes:
        return visit
    page = dict(visit["page"])
    old = page.get("collector_errors")
    page["collector_errors"] = [*(old if isinstance(old, list) else []), *notes]
    fixed["page"] = page
    return fixed


def check_visit(visit: Any) -> None:
    """A raw visit as the crawl saves it (see ``scanner.assemble``); ShapeError names the first bad value."""
    if not isinstance(visit, dict):
        raise ShapeError(f"expected an object, got {_kind(visit)}")
    if "page" not in visit:
        raise ShapeError("page: missing")
    _check_page(visit["page"])
    _check_rows(visit, "requests", _check_request)
    _check_rows(visit, "beacon_marks", lambda row, where: check_fields(row, MARK, where))
    _check_rows(visit, "cookie_observations", lambda row, where: check_fields(row, OBSERVATION, where))
    _check_rows(visit, "storage", lambda row, where: check_record(StorageItem, row, where))
    for key, cls in BEHAVIOUR_ROWS.items():
        _check_rows(visit, key, lambda row, where, cls=cls: check_record(cls, row, where))
    for key in ("links", "sitemap_links"):
        if key in visit and (why := problem(visit[key], tuple[str, ...], "url")) is not None:
            raise ShapeError(f"{key}: {why}")


def check_meta(data: Any) -> None:
    """The content of ``scan-meta.json``: ``{"meta": ScanMeta, "first_party_domains": [str]}``."""
    if not isinstance(data, dict):
        raise ShapeError(f"expected an object, got {_kind(data)}")
    if "meta" not in data:
        raise ShapeError("meta: missing")
    check_record(ScanMeta, data["meta"], "meta")
    domains = data.get("first_party_domains", [])
    if (why := problem(domains, tuple[str, ...])) is not None:
        raise ShapeError(f"first_party_domains: {why}")
