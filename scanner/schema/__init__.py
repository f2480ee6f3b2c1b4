"""The JSON Schema of scan.json (``scan.schema.json``), and a validator for it."""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def scan_schema() -> dict:
    return json.loads(resources.files(__name__).joinpath("scan.schema.json").read_text(encoding="utf-8"))


def validation_errors(data: dict) -> list[str]:
    """Human-readable schema violations of a scan.json document (empty when valid)."""
    import jsonschema

    validator = jsonschema.Draft202012Validator(scan_schema())
    return [
        f"{'/'.join(str(p) for p in err.absolute_path) or '(root)'}: {err.message}"
        for err in sorted(validator.iter_errors(data), key=lambda e: list(e.absolute_path))
    ]
