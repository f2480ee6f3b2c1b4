"""Every request of a visit, from every frame and service worker: who asked for it, what came back."""

from __future__ import annotations

import time
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from scanner.collect.base import Collector, Visit
from scanner.collect.httpdata import har_timings, header_list
from scanner.consent.consent_mode import consent_params
from scanner.domains import host_of, registrable_domain

RAW = "requests.raw"  # visit.state key: the page's DevTools header events, for records()


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


def request_row(visit: Visit, rid: str, url: str, method: str, resource_type: str) -> dict:
    """The fields every request record has, for a request of ``visit`` (frame, redirects and the
    like are added by the collector that saw it)."""
    host = host_of(url)
    return {
        "id": rid,
        "url": url,
        "method": method,
        "resource_type": resource_type,
        "host": host,
        "registrable_domain": registrable_domain(host) if host else "",
        "third_party": bool(host) and not visit.scope.contains_host(host),
        "page_url": visit.page_url,
        "frame_url": None,
        "service_worker": False,
        "redirect_chain": [],
        "query_params": list(query_param_names(url)),
        # consent signals' values (allow-listed: gcs, gcd, us_privacy, gdpr, ...), never identifiers
        "consent_params": consent_params(url) or None,  # never raises: bounded, tolerant reader
        "timestamp": time.time(),
    }


class RawHeaders:
    """The real headers of each hop, from the page's DevTools session: ``requestWillBeSentExtraInfo``
    (with ``Cookie``) and ``responseReceivedExtraInfo`` (with ``Set-Cookie``), which Playwright's
    event objects do not carry without a round trip each. A redirect reuses its request id: the n-th
    event of an id belongs to its n-th hop. Hops are matched to Playwright's requests by URL, in order."""

    LIMIT = 5000  # hops kept per visit

    def __init__(self) -> None:
        self.hops: dict[str, list[str]] = {}  # request id -> URL of each hop
        self.order: dict[str, list[tuple[str, int]]] = {}  # URL -> (request id, hop) in sending order
        self.sent: dict[str, list[dict]] = {}
        self.received: dict[str, list[dict]] = {}
        self.protocol: dict[tuple[str, int], str] = {}
        self.taken: dict[str, int] = {}  # URL -> hops handed out by ``take``

    def on_will_be_sent(self, event: dict) -> None:
        url = (event.get("request") or {}).get("url")
        rid = str(event.get("requestId", ""))
        if isinstance(url, str) and sum(map(len, self.hops.values())) < self.LIMIT:
            hops = self.hops.setdefault(rid, [])
            self.order.setdefault(url, []).append((rid, len(hops)))
            hops.append(url)

    def on_sent_extra(self, event: dict) -> None:
        self._keep(self.sent, event)

    def on_received_extra(self, event: dict) -> None:
        self._keep(self.received, event)

    def on_response(self, event: dict) -> None:
        rid = str(event.get("requestId", ""))
        protocol = (event.get("response") or {}).get("protocol")
        if isinstance(protocol, str) and rid in self.hops:
            self.protocol[(rid, len(self.hops[rid]) - 1)] = protocol[:20]

    def _keep(self, into: dict[str, list[dict]], event: dict) -> None:
        rid = str(event.get("requestId", ""))
        headers = event.get("headers")
        if isinstance(headers, dict) and len(into.get(rid, ())) < 50:
            into.setdefault(rid, []).append(headers)

    def take(self, url: str) -> tuple[dict | None, dict | None, str | None]:
        """(request headers, response headers, protocol) of the next hop sent to ``url``."""
        n = self.taken.get(url, 0)
        order = self.order.get(url, [])
        if n >= len(order):
            return None, None, None
        self.taken[url] = n + 1
        rid, hop = order[n]
        sent, received = self.sent.get(rid, []), self.received.get(rid, [])
        return (
            sent[hop] if hop < len(sent) else None,
            received[hop] if hop < len(received) else None,
            self.protocol.get((rid, hop)),
        )


class RequestCollector(Collector):
    name = "requests"

    def __init__(self, *, keep_values: bool = False) -> None:
        self.keep_values = keep_values  # cookie values in Cookie / Set-Cookie headers

    async def start(self, visit: Visit) -> None:
        visit.state[self.name] = {}
        if visit.cdp is None:
            return
        raw = visit.state[RAW] = RawHeaders()
        visit.cdp.on("Network.requestWillBeSent", raw.on_will_be_sent)
        visit.cdp.on("Network.requestWillBeSentExtraInfo", raw.on_sent_extra)
        visit.cdp.on("Network.responseReceivedExtraInfo", raw.on_received_extra)
        visit.cdp.on("Network.responseReceived", raw.on_response)

    def _row(self, visit: Visit, request: Any) -> dict:
        rows = visit.state[self.name]
        rid = visit.request_id(request)
        if rid not in rows:
            f_url, is_sw = frame_url(request)
            rows[rid] = {
                **request_row(visit, rid, request.url, request.method, request.resource_type),
                "frame_url": f_url,
                "service_worker": is_sw,
                "redirect_chain": redirect_chain(request),
                # what Playwright has without a round trip; the raw headers replace them in records()
                "request_headers": header_list(request.headers.items(), keep_values=self.keep_values),
            }
        return rows[rid]

    async def on_request(self, visit: Visit, request: Any) -> None:
        if request.url.startswith(("data:", "blob:")):
            return
        self._row(visit, request)

    def _timing(self, row: dict, request: Any) -> None:
        timing = request.timing
        timings = har_timings(timing)
        if timings is not None:
            row["timings"] = timings
            start = timing.get("startTime")
            if isinstance(start, (int, float)) and start > 0:
                row["timestamp"] = start / 1000.0  # when the browser started it

    async def on_finished(self, visit: Visit, request: Any) -> None:
        if request.url.startswith(("data:", "blob:")):
            return
        self._timing(self._row(visit, request), request)

    async def on_response(self, visit: Visit, response: Any) -> None:
        request = response.request
        if request.url.startswith(("data:", "blob:")):
            return
        row = self._row(visit, request)
        row["status"] = response.status
        row["status_text"] = str(response.status_text or "")[:200]
        headers = response.headers
        row["response_headers"] = header_list(headers.items(), keep_values=self.keep_values)
        row["content_type"] = headers.get("content-type")
        length = headers.get("content-length")
        if length and length.isdigit():
            row["body_size"] = int(length)

    async def on_failed(self, visit: Visit, request: Any) -> None:
        if request.url.startswith(("data:", "blob:")):
            return
        row = self._row(visit, request)
        row["failure"] = request.failure
        self._timing(row, request)

    def on_report(self, visit: Visit, kind: str, data: dict) -> None:
        if kind in ("image", "beacon") and data.get("url") and data.get("script"):
            visit.initiators.setdefault(data["url"], (data["script"], "script"))

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        out = []
        raw: RawHeaders | None = visit.state.get(RAW)
        for row in visit.state.get(self.name, {}).values():
            script, kind = visit.initiators.get(row["url"], (None, None))
            row = dict(row)
            if raw is not None and not row.get("service_worker"):
                sent, received, protocol = raw.take(row["url"])
                if sent is not None:
                    row["request_headers"] = header_list(sent.items(), keep_values=self.keep_values)
                if received is not None:
                    row["response_headers"] = header_list(received.items(), keep_values=self.keep_values)
                if protocol:
                    row["http_version"] = protocol
            row["initiator"] = script
            row["initiator_type"] = kind
            out.append(row)
        return {"requests": out}
