"""Evidence is saved page by page as the crawl goes (``pages.jsonl``), so an interrupted or crashed scan
keeps every finished page, and ``scan.json`` can be assembled from what was saved."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from scanner.collect.cookies import merge_cookies
from scanner.crawl.urls import Scope
from scanner.errors import BadInput
from scanner.model import Page, Request, ScanMeta, ScanResult, StorageItem, from_jsonable, to_jsonable

VISITS_FILE = "pages.jsonl"
META_FILE = "scan-meta.json"


class VisitLog:
    """Append-only JSON lines, flushed and fsynced after every page."""

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.path = self.folder / VISITS_FILE
        self._fh = self.path.open("a", encoding="utf-8")

    def write_meta(self, meta: ScanMeta, scope: Scope) -> None:
        data = {"meta": to_jsonable(meta), "first_party_domains": sorted(scope.domains)}
        tmp = self.folder / (META_FILE + ".tmp")
        tmp.write_text(json.dumps(data, indent=2), encoding="utf-8")
        os.replace(tmp, self.folder / META_FILE)

    def append(self, visit: dict[str, Any]) -> None:
        self._fh.write(json.dumps(visit, ensure_ascii=False, default=str) + "\n")
        self._fh.flush()
        os.fsync(self._fh.fileno())

    def close(self) -> None:
        self._fh.close()


def read_visits(folder: Path) -> list[dict]:
    """Every complete line of pages.jsonl (a line cut off by a crash is skipped)."""
    path = Path(folder) / VISITS_FILE
    visits = []
    if not path.exists():
        return visits
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            line = line.strip()
            if not line:
                continue
            try:
                visits.append(json.loads(line))
            except json.JSONDecodeError:
                continue
    return visits


def _fields(cls: type, row: dict) -> Any:
    return from_jsonable(cls, row)


def assemble(meta: ScanMeta, scope: Scope, visits: list[dict]) -> ScanResult:
    """ScanResult from saved visits: pages in visit order, beacons marked, cookies merged, storage deduped."""
    pages, requests, observations, storage = [], [], [], []
    seen_storage: set[tuple[str, str, str]] = set()
    for visit in visits:
        pages.append(_fields(Page, visit["page"]))
        marks = {m["id"]: m for m in visit.get("beacon_marks", [])}
        for row in visit.get("requests", []):
            mark = marks.get(row.get("id"))
            row = {k: v for k, v in row.items() if k != "id"}
            if mark:
                row["is_beacon"] = True
                row["beacon_reason"] = mark["reason"]
                row["image_size"] = mark.get("size")
            requests.append(_fields(Request, row))
        observations.extend(visit.get("cookie_observations", []))
        for item in visit.get("storage", []):
            ident = (item["origin"], item["kind"], item["key"])
            if ident not in seen_storage:
                seen_storage.add(ident)
                storage.append(_fields(StorageItem, item))
    return ScanResult(
        meta=meta,
        pages=tuple(pages),
        requests=tuple(requests),
        cookies=tuple(merge_cookies(observations, scope)),
        storage=tuple(storage),
    )


def recover(folder: Path) -> ScanResult:
    """Assemble the scan saved in ``folder`` (for a scan that was interrupted before writing scan.json)."""
    folder = Path(folder)
    meta_path = folder / META_FILE
    if not meta_path.exists():
        raise BadInput(f"{folder}: no {META_FILE}; not a scan folder")
    try:
        data = json.loads(meta_path.read_text(encoding="utf-8"))
        meta = from_jsonable(ScanMeta, data["meta"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise BadInput(f"{meta_path}: unreadable ({exc})") from None
    scope = Scope.from_domains(data.get("first_party_domains", []))
    return assemble(meta, scope, read_visits(folder))
