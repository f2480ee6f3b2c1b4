"""scan.har: the crawl as an HTTP Archive 1.2.

Entries carry the headers as the browser sent and received them (bounded and redacted at capture:
``scanner.collect.httpdata``; cookie values only with ``--keep-cookie-values``), the cookies those
headers name, and the timings the browser measured. HAR 1.2 rules hold: ``send``/``wait``/``receive``
are never negative (0 when unknown), only ``blocked``/``dns``/``connect``/``ssl`` may be ``-1``, and
``time`` is the sum of the timings that apply. Bodies are not kept (``content.size`` is the announced
length or -1); an unknown status is ``0``. What the scanner knows that HAR has no field for travels in
underscore fields, as HAR allows: ``_resourceType``, ``_initiator`` (Chrome's shape, ``{type, url}``,
only when known), ``_initiatorType``, ``_redirectChain``, ``_failure``, ``_vendor``, ``_isBeacon``,
``_thirdParty``, ``_frameUrl`` and, for a WebSocket, ``_webSocket`` (messages and bytes each way,
opened/closed). Chrome DevTools' HAR importer and Playwright's ``route_from_har`` read these files
(tests/test_har_consumers.py).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from scanner.collect.httpdata import har_time
from scanner.collect.setcookie import parse_set_cookie
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


def _http_version(protocol: str | None) -> str:
    """HAR's spelling of the browser's protocol name ("h2" -> "HTTP/2"); "" when unknown."""
    if not protocol:
        return ""
    known = {"h2": "HTTP/2", "h3": "HTTP/3", "http/2.0": "HTTP/2", "spdy": "HTTP/2"}
    return known.get(protocol.lower(), protocol.upper() if protocol.lower().startswith("http/") else protocol)


def _headers(rows: tuple[dict, ...]) -> list[dict]:
    return [{"name": str(h.get("name", "")), "value": str(h.get("value", ""))} for h in rows]


def _request_cookies(headers: list[dict]) -> list[dict]:
    out = []
    for h in headers:
        if h["name"].lower() == "cookie":
            for pair in h["value"].split(";"):
                name, _, value = pair.strip().partition("=")
                if name:
                    out.append({"name": name, "value": value})
    return out


def _response_cookies(headers: list[dict], url: str, when: float) -> list[dict]:
    out = []
    for h in headers:
        if h["name"].lower() != "set-cookie":
            continue
        spec = parse_set_cookie(h["value"], url, when)
        if spec is None:
            continue
        cookie = {
            "name": spec.name,
            "value": spec.value,
            "path": spec.path,
            "domain": spec.domain,
            "httpOnly": spec.http_only,
            "secure": spec.secure,
        }
        if spec.expires is not None:
            cookie["expires"] = _iso(spec.expires, None)
        out.append(cookie)
    return out


def _timings(req: Request) -> dict:
    raw = req.timings or {}
    timings = {}
    for key in ("blocked", "dns", "connect", "ssl"):
        value = raw.get(key)
        timings[key] = value if isinstance(value, (int, float)) and value >= 0 else -1
    for key in ("send", "wait", "receive"):  # HAR 1.2: never negative
        value = raw.get(key)
        timings[key] = value if isinstance(value, (int, float)) and value >= 0 else 0
    if timings["connect"] < 0:
        timings["ssl"] = -1  # ssl is part of connect
    return timings


def _initiator(req: Request) -> dict:
    """Chrome's ``_initiator`` shape (CDP ``Network.Initiator``: an object with ``type`` and ``url``),
    which Chrome DevTools' HAR importer reads; it rejects any other non-string value, ``null`` too."""
    initiator: dict = {"type": req.initiator_type or ("script" if req.initiator else "other")}
    if req.initiator:
        initiator["url"] = req.initiator
    return initiator


def _har_entry(req: Request, pageref: str | None, page_start: str | None) -> dict:
    size = req.body_size if req.body_size is not None else -1
    request_headers = _headers(req.request_headers)
    response_headers = _headers(req.response_headers)
    location = next((h["value"] for h in response_headers if h["name"].lower() == "location"), "")
    version = _http_version(req.http_version)
    timings = _timings(req)
    entry: dict = {
        "startedDateTime": _iso(req.timestamp, page_start),
        "time": har_time(timings),
        "request": {
            "method": req.method or "GET",
            "url": req.url,
            "httpVersion": version,
            "cookies": _request_cookies(request_headers),
            "headers": request_headers,
            "queryString": _query(req.url),
            "headersSize": -1,
            "bodySize": -1,
        },
        "response": {
            "status": req.status or 0,
            "statusText": req.status_text or "",
            "httpVersion": version,
            "cookies": _response_cookies(response_headers, req.url, req.timestamp or 0.0),
            "headers": response_headers,
            "content": {"size": size, "mimeType": req.content_type or ""},
            "redirectURL": location,
            "headersSize": -1,
            "bodySize": size,
        },
        "cache": {},
        "timings": timings,
        "_resourceType": req.resource_type,
        "_initiatorType": req.initiator_type,
        "_thirdParty": req.third_party,
        "_isBeacon": req.is_beacon,
        "_vendor": req.vendor,
    }
    if pageref:
        entry["pageref"] = pageref
    if req.initiator or req.initiator_type:
        entry["_initiator"] = _initiator(req)
    if req.redirect_chain:
        entry["_redirectChain"] = list(req.redirect_chain)
    if req.failure:
        entry["_failure"] = req.failure
    if req.frame_url:
        entry["_frameUrl"] = req.frame_url
    if req.resource_type == "websocket":
        entry["_webSocket"] = {
            "framesSent": req.ws_frames_sent or 0,
            "framesReceived": req.ws_frames_received or 0,
            "bytesSent": req.ws_bytes_sent or 0,
            "bytesReceived": req.ws_bytes_received or 0,
            "opened": _iso(req.ws_opened_at, None) if req.ws_opened_at is not None else None,
            "closed": _iso(req.ws_closed_at, None) if req.ws_closed_at is not None else None,
        }
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
            "comment": "Recorded by scanner; headers bounded and redacted, bodies not kept (-1 sizes).",
        }
    }


def write_har(result: ScanResult, out_dir: Path) -> Path:
    path = out_dir / "scan.har"
    path.write_text(json.dumps(build_har(result), ensure_ascii=False), encoding="utf-8")
    return path
