"""Type checks of JSON records against the annotations of the ``scanner.model`` dataclasses.

``scanner.model.from_jsonable`` runs them on every record it builds, so a scan.json (or a saved page) with
a list where an object belongs, a string for a number, a null for a required text or a NaN is a
:class:`ShapeError` naming the place ("findings[3].evidence.pages[0]: expected a string, got int"),
which readers turn into one line (BadInput, exit 2), never a crash further down. Free-form objects
(``meta.options``, evidence samples, vendor rows) may hold any JSON but no deeper than
:data:`MAX_FREE_DEPTH` levels.
"""

from __future__ import annotations

import dataclasses
import math
import types
import typing
from functools import cache
from typing import Any, Literal, Union

MAX_FREE_DEPTH = 16
INT_LIMIT = 2**63 - 1  # integers beyond int64 fit neither a double's range of exact values nor pandas/Parquet

_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false", dict: "an object"}


class ShapeError(ValueError):
    """A JSON value of the wrong shape; ``str()`` names where and what."""


@cache
def field_types(cls: type) -> dict[str, Any]:
    """Resolved annotations of a dataclass's fields."""
    return typing.get_type_hints(cls)


@cache
def required_fields(cls: type) -> tuple[str, ...]:
    return tuple(
        f.name
        for f in dataclasses.fields(cls)
        if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING
    )


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    return {list: "list", dict: "object", str: "string", bool: "boolean"}.get(
        type(value), type(value).__name__
    )


def _fail(where: str, wanted: str, value: Any) -> typing.NoReturn:
    raise ShapeError(f"{where or '(root)'}: expected {wanted}, got {_kind(value)}")


def check_record(cls: type, data: Any, where: str) -> None:
    """Raise ShapeError unless ``data`` is a JSON object fit to build ``cls`` (unknown keys are allowed)."""
    if not isinstance(data, dict):
        _fail(where, "an object", data)
    for name in required_fields(cls):
        if name not in data:
            raise ShapeError(f"{where or '(root)'}: missing {name!r}")
    for name, annotation in field_types(cls).items():
        if name in data:
            check_value(annotation, data[name], f"{where}.{name}" if where else name)


def check_value(annotation: Any, value: Any, where: str) -> None:
    """Raise ShapeError unless the JSON ``value`` fits the type ``annotation``."""
    origin = typing.get_origin(annotation)
    if annotation is Any:
        check_free(value, where)
    elif origin in (Union, types.UnionType):
        options = typing.get_args(annotation)
        if value is None and type(None) in options:
            return
        inner = [o for o in options if o is not type(None)]
        if len(inner) != 1:
            raise TypeError(f"unsupported annotation {annotation!r}")
        check_value(inner[0], value, where)
    elif origin is Literal:
        allowed = typing.get_args(annotation)
        if not isinstance(value, (str, type(None))) or value not in allowed:
            raise ShapeError(f"{where}: expected one of {', '.join(map(repr, allowed))}, got {value!r:.40}")
    elif origin is tuple:
        _check_list(typing.get_args(annotation), value, where)
    elif origin is dict or annotation is dict:
        if not isinstance(value, dict):
            _fail(where, "an object", value)
        check_free(value, where)
    elif dataclasses.is_dataclass(annotation):
        check_record(annotation, value, where)
    else:
        _check_scalar(annotation, value, where)


def _check_list(args: tuple, value: Any, where: str) -> None:
    if not isinstance(value, list):
        _fail(where, "a list", value)
    if len(args) == 2 and args[1] is Ellipsis:
        for i, item in enumerate(value):
            check_value(args[0], item, f"{where}[{i}]")
        return
    if len(value) != len(args):
        raise ShapeError(f"{where}: expected a list of {len(args)}, got {len(value)} items")
    for i, (item_type, item) in enumerate(zip(args, value, strict=True)):
        check_value(item_type, item, f"{where}[{i}]")


def _check_scalar(annotation: Any, value: Any, where: str) -> None:
    if annotation is bool:
        ok = isinstance(value, bool)
    elif annotation is int:
        ok = isinstance(value, int) and not isinstance(value, bool) and abs(value) <= INT_LIMIT
    elif annotation is float:
        ok = is_json_number(value)
    elif annotation is str:
        ok = isinstance(value, str)
    else:
        raise TypeError(f"unsupported annotation {annotation!r}")
    if not ok:
        _fail(where, _NAMES[annotation], value)


def check_free(value: Any, where: str, max_depth: int = MAX_FREE_DEPTH) -> None:
    """Any JSON (no NaN or infinity), nested at most ``max_depth`` levels."""
    todo: list[tuple[Any, int]] = [(value, 0)]
    while todo:
        item, depth = todo.pop()
        if isinstance(item, (int, float)) and not isinstance(item, bool) and not is_json_number(item):
            raise ShapeError(f"{where}: not a finite number in range ({item!r:.40})")
        if isinstance(item, (dict, list)):
            if depth >= max_depth:
                raise ShapeError(f"{where}: nested deeper than {max_depth} levels")
            todo.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))


def is_json_number(value: Any) -> bool:
    """A JSON number the pipeline can compute with: finite, and an integer no wider than int64."""
    if isinstance(value, bool):
        return False
    if isinstance(value, int):
        return abs(value) <= INT_LIMIT
    return isinstance(value, float) and math.isfinite(value)
