"""Every request of a visit, from every frame and service worker: who asked for it, what came back."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scanner.collect.base import Collector, Visit
from scanner.domains import host_of, registrable_domain


def query_param_names(url: str) -> tuple[str, ...]:
    """Names of query parameters, plus ``;name=value`` matrix parameters some pixels put in the path."""
    parts = urlsplit(url)
    names = [k for k, _ in parse_qsl(parts.query, keep_blank_values=True)]
    for segment in parts.path.split(";")[1:]:
        if "=" in segment:
            names.append(segment.split("=", 1)[0])
    seen: dict[str, None] = {}
    for n in names:
        if n and len(seen) < 64:
            seen.setdefault(n[:100], None)
    return tuple(seen)


def redirect_chain(request: Any) -> list[str]:
    chain = []
    prev = request.redirected_from
    while prev is not None and len(chain) < 50:
        chain.append(prev.url)
        prev = prev.redirected_from
    return list(reversed(chain))


def frame_url(request: Any) -> tuple[str | None, bool]:
    """(frame URL, is service worker)."""
    if getattr(request, "service_worker", None) is not None:
        return request.service_worker.url, True
    try:
        return request.frame.url, False
    except Exception:  # noqa: BLE001 - frames of closed pages, workers
        return None, False


class RequestCollector(Collector):
    name = "requests"

    async def start(self, visit: Visit) -> None:
        visit.state[self.name] = {}

    def _row(self, visit: Visit, request: Any) -> dict:
        rows = visit.state[self.name]
        rid = visit.request_id(request)
        if rid not in rows:
            url = request.url
            host = host_of(url)
            f_url, is_sw = frame_url(request)
            rows[rid] = {
                "id": rid,
                "url": url,
                "method": request.method,
                "resource_type": request.resource_type,
                "host": host,
                "registrable_domain": registrable_domain(host) if host else "",
                "third_party": bool(host) and not visit.scope.contains_host(host),
                "page_url": visit.page_url,
                "frame_url": f_url,
                "service_worker": is_sw,
                "redirect_chain": redirect_chain(request),
                "query_params": list(query_param_names(url)),
                "timestamp": time.time(),
            }
        return rows[rid]

    async def on_request(self, visit: Visit, request: Any) -> None:
        if request.url.startswith(("data:", "blob:")):
            return
        self._row(visit, request)

    async def on_response(self, visit: Visit, response: Any) -> None:
        request = response.request
        if request.url.startswith(("data:", "blob:")):
            return
        row = self._row(visit, request)
        row["status"] = response.status
        headers = response.headers
        row["content_type"] = headers.get("content-type")
        length = headers.get("content-length")
        if length and length.isdigit():
            row["body_size"] = int(length)

    async def on_failed(self, visit: Visit, request: Any) -> None:
        if request.url.startswith(("data:", "blob:")):
            return
        self._row(visit, request)["failure"] = request.failure

    def on_report(self, visit: Visit, kind: str, data: dict) -> None:
        if kind in ("image", "beacon") and data.get("url") and data.get("script"):
            visit.initiators.setdefault(data["url"], (data["script"], "script"))

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        out = []
        for row in visit.state.get(self.name, {}).values():
            script, kind = visit.initiators.get(row["url"], (None, None))
            row = dict(row)
            row["initiator"] = script
            row["initiator_type"] = kind
            out.append(row)
        return {"requests": out}
