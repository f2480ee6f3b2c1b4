"""scan.har: the crawl as an HTTP Archive 1.2.

The crawler keeps no headers or bodies, so the archive says so honestly: header lists are
empty, unknown sizes and timings are ``-1``, an unknown status is ``0``. What the scanner
does know that HAR has no field for travels in underscore fields, as HAR allows:
``_resourceType``, ``_initiator``, ``_initiatorType``, ``_redirectChain``, ``_failure``,
``_vendor``, ``_isBeacon``, ``_thirdParty``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from scanner.model import Page, Request, ScanResult

_EPOCH_ISO = "1970-01-01T00:00:00.000Z"


def _iso(epoch: float | None, fallback: str | None) -> str:
    if epoch is not None:
        return datetime.fromtimestamp(epoch, tz=UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    return _normalise_iso(fallback) or _EPOCH_ISO


def _normalise_iso(text: str | None) -> str | None:
    if not text:
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _page_id(index: int) -> str:
    return f"page_{index + 1}"


def _har_page(index: int, page: Page, fallback_start: str) -> dict:
    entry = {
        "startedDateTime": _normalise_iso(page.started_at) or fallback_start,
        "id": _page_id(index),
        "title": page.title or page.final_url or page.url,
        "pageTimings": {"onContentLoad": -1, "onLoad": page.load_ms if page.load_ms is not None else -1},
        "_url": page.url,
        "_finalUrl": page.final_url,
        "_status": page.status,
    }
    if page.error:
        entry["_error"] = page.error
    return entry


def _query(url: str) -> list[dict]:
    return [{"name": k, "value": v} for k, v in parse_qsl(urlsplit(url).query, keep_blank_values=True)]


def _har_entry(req: Request, pageref: str | None, page_start: str | None) -> dict:
    size = req.body_size if req.body_size is not None else -1
    entry: dict = {
        "startedDateTime": _iso(req.timestamp, page_start),
        "time": 0,
        "request": {
            "method": req.method or "GET",
            "url": req.url,
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "queryString": _query(req.url),
            "headersSize": -1,
            "bodySize": -1,
        },
        "response": {
            "status": req.status or 0,
            "statusText": "",
            "httpVersion": "",
            "cookies": [],
            "headers": [],
            "content": {"size": size, "mimeType": req.content_type or ""},
            "redirectURL": "",
            "headersSize": -1,
            "bodySize": size,
        },
        "cache": {},
        "timings": {"send": -1, "wait": -1, "receive": -1},
        "_resourceType": req.resource_type,
        "_initiator": req.initiator,
        "_initiatorType": req.initiator_type,
        "_thirdParty": req.third_party,
        "_isBeacon": req.is_beacon,
        "_vendor": req.vendor,
    }
    if pageref:
        entry["pageref"] = pageref
    if req.redirect_chain:
        entry["_redirectChain"] = list(req.redirect_chain)
    if req.failure:
        entry["_failure"] = req.failure
    if req.frame_url:
        entry["_frameUrl"] = req.frame_url
    return entry


def build_har(result: ScanResult) -> dict:
    """The HAR 1.2 document (a dict ready for ``json.dump``)."""
    meta = result.meta
    fallback = _normalise_iso(meta.started_at) or _EPOCH_ISO
    pages = [_har_page(i, p, fallback) for i, p in enumerate(result.pages)]
    ref_of: dict[str, tuple[str, str]] = {}
    for har_page, page in zip(pages, result.pages, strict=True):
        for url in (page.url, page.final_url):
            if url:
                ref_of.setdefault(url, (har_page["id"], har_page["startedDateTime"]))
    entries = []
    for req in sorted(result.requests, key=lambda r: r.timestamp if r.timestamp is not None else 0.0):
        ref, start = ref_of.get(req.page_url, (None, fallback))
        entries.append(_har_entry(req, ref, start))
    browser = {"name": "Chromium", "version": meta.browser_version or ""}
    return {
        "log": {
            "version": "1.2",
            "creator": {"name": "scanner", "version": meta.tool_version},
            "browser": browser,
            "pages": pages,
            "entries": entries,
            "comment": "Recorded by scanner; headers and bodies are not kept (empty lists, -1 sizes).",
        }
    }


def write_har(result: ScanResult, out_dir: Path) -> Path:
    path = out_dir / "scan.har"
    path.write_text(json.dumps(build_har(result), ensure_ascii=False), encoding="utf-8")
    return path
