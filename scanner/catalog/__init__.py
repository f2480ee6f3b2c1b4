"""The vendor catalog: who is behind a host, a cookie or a storage key.

Layers, merged in order: ``data/third_party_web.json`` (domains and categories, generated from
the MIT-licensed third-party-web package by ``tools/build_catalog.py``), ``data/curated.json``
(aliases, former names, parents, cookie and storage patterns, pixel endpoints, written for this
project), then any ``--catalog FILE`` given by the user (same JSON format, or an Open Cookie
Database style CSV).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from scanner.catalog.entries import CookieRule, EndpointRule, Match, PathRule, VendorEntry
from scanner.catalog.layers import Merger, parse_entry, parse_layer
from scanner.catalog.lookup import Catalog, normalize_name
from scanner.catalog.ocd import looks_like_ocd, parse_ocd_csv
from scanner.textfile import parse_json, read_utf8

__all__ = [
    "Catalog",
    "CookieRule",
    "EndpointRule",
    "Match",
    "PathRule",
    "VendorEntry",
    "load_catalog",
    "normalize_name",
    "BUILTIN_LAYERS",
]

BUILTIN_LAYERS = ("third_party_web.json", "curated.json")


@lru_cache(maxsize=4)
def _builtin_layer(name: str) -> tuple[str | None, tuple[dict[str, Any], ...]]:
    text = resources.files("scanner.catalog").joinpath("data", name).read_text("utf-8")
    version, entries = parse_layer(json.loads(text), f"catalog {name}")
    return version, tuple(entries)


def _user_layer(path: Path) -> tuple[str, list[dict[str, Any]]]:
    where = str(path)
    raw, text = read_utf8(path, f"--catalog {where}")
    tag = f"{path.name}@{hashlib.sha256(raw).hexdigest()[:8]}"
    if path.suffix.lower() == ".csv" or looks_like_ocd(text):
        raw_entries = parse_ocd_csv(text, where)
        return tag, [parse_entry(e, f"{where}: platform {e['name']!r}") for e in raw_entries]
    doc = parse_json(text, f"--catalog {where}")
    _, entries = parse_layer(doc, where)
    return tag, entries


@lru_cache(maxsize=1)
def _builtin_catalog() -> Catalog:
    return _build(())


def _build(extra: Sequence[tuple[str, list[dict[str, Any]]]]) -> Catalog:
    merger = Merger()
    tags = []
    for name in BUILTIN_LAYERS:
        version, entries = _builtin_layer(name)
        source = name.removesuffix(".json")
        tags.append(f"{source.replace('_', '-')}-{version}")
        for entry in entries:
            merger.apply(entry, source)
    for tag, entries in extra:
        tags.append(tag)
        for entry in entries:
            merger.apply(entry, tag)
    return Catalog(merger.result(), "+".join(tags))


def load_catalog(extra: Sequence[Path | str] = ()) -> Catalog:
    """The shipped catalog, with the user's catalog files (JSON layer or OCD CSV) merged over it.

    Raises BadInput (one line, with the file and the problem) for an unreadable or invalid file.
    """
    if not extra:
        return _builtin_catalog()
    return _build([_user_layer(Path(p)) for p in extra])
