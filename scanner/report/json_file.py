"""scan.json: the full result, re-readable by ``scanner report`` and ``scanner.load_scan``."""

from __future__ import annotations

import json
from pathlib import Path

from scanner.model import ScanResult


def write_scan_json(result: ScanResult, out_dir: Path) -> Path:
    path = out_dir / "scan.json"
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(result.to_dict(), fh, indent=2, ensure_ascii=False)
        fh.write("\n")
    tmp.replace(path)
    return path
