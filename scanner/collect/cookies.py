"""Cookies from three sources: ``Set-Cookie`` response headers, ``document.cookie`` writes (in-page hook)
and the browser's cookie jar after the page settled. Headers alone over-report (the browser may refuse a
cookie), the jar alone cannot say who set a cookie; each observation keeps its source and
``scanner.assemble.merge_cookies`` folds them into one record per (name, domain, path).

The jar is one for the whole scan (one visitor), so after each visit only what changed since the
previous read is recorded, as evidence of the visit that changed it: a cookie is not re-observed on every
later page, and a cookie another tab's page is known to have set is left for that tab's visit."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from scanner.collect.base import Collector, Visit, value_hash
from scanner.collect.setcookie import parse_set_cookie

HEADERS = "cookies.headers"  # visit.state key of the visit's HeaderEvents
FLUSH_S = 0.5  # longest wait for Set-Cookie header events still due, before and after the jar read
EARLY_LIMIT = 500  # header events kept while their request is not known yet (per visit)


class HeaderEvents:
    """Set-Cookie headers from a page's DevTools events, each with the URL of the response it came on.

    Chromium sends ``Network.responseReceivedExtraInfo`` (the raw headers, from the network service) and
    ``Network.requestWillBeSent`` / ``responseReceived`` (from the renderer) on separate paths: the
    headers of a fast response can arrive *before* the event that names its request. Such early events
    are kept until their request is known (never dropped: their cookies would be taken for script-set
    ones). A redirect reuses its request id, so the n-th response of an id is its n-th URL.
    """

    def __init__(self, deliver: Callable[[str, str], None]) -> None:
        self.deliver = deliver  # (Set-Cookie value, response URL)
        self.urls: dict[str, list[str]] = {}
        self.answered: dict[str, int] = {}  # header events handled per request id
        self.expected: dict[str, int] = {}  # responses announced with extra info per request id
        self.early: dict[str, list[dict]] = {}  # header events whose hop is not known yet
        self.lost = 0  # early events dropped over EARLY_LIMIT

    def on_will_be_sent(self, event: dict) -> None:
        rid = event.get("requestId", "")
        if event.get("redirectResponse") is not None and event.get("redirectHasExtraInfo"):
            self.expected[rid] = self.expected.get(rid, 0) + 1
        url = event.get("request", {}).get("url")
        if url:
            self.urls.setdefault(rid, []).append(url)
            self._drain(rid)

    def on_response_received(self, event: dict) -> None:
        rid = event.get("requestId", "")
        if event.get("hasExtraInfo"):
            self.expected[rid] = self.expected.get(rid, 0) + 1
        url = (event.get("response") or {}).get("url")
        if url and rid not in self.urls:  # a response whose request was never announced
            self.urls[rid] = [url]
        self._drain(rid)

    def on_extra_info(self, event: dict) -> None:
        rid = event.get("requestId", "")
        if self.early.get(rid) or len(self.urls.get(rid, ())) <= self.answered.get(rid, 0):
            if sum(map(len, self.early.values())) >= EARLY_LIMIT:
                self.lost += 1
                return
            self.early.setdefault(rid, []).append(event)
            return
        self._handle(rid, event)

    def _drain(self, rid: str) -> None:
        waiting = self.early.get(rid)
        while waiting and len(self.urls.get(rid, ())) > self.answered.get(rid, 0):
            self._handle(rid, waiting.pop(0))
        if not waiting:
            self.early.pop(rid, None)

    def _handle(self, rid: str, event: dict) -> None:
        n = self.answered.get(rid, 0)
        self.answered[rid] = n + 1
        hops = self.urls[rid]
        url = hops[min(n, len(hops) - 1)]
        for name, value in (event.get("headers") or {}).items():
            if name.lower() == "set-cookie" and isinstance(value, str):
                self.deliver(value, url)

    def due(self) -> int:
        """Header events announced (or received) and not yet handled."""
        announced = sum(max(0, n - self.answered.get(rid, 0)) for rid, n in self.expected.items())
        return announced + sum(map(len, self.early.values()))

    async def settled(self, cap_s: float) -> None:
        """Wait until no header event is due, at most ``cap_s`` seconds."""
        deadline = time.monotonic() + cap_s
        while self.due() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)


class CookieCollector(Collector):
    name = "cookies"

    def __init__(self, *, keep_values: bool = False) -> None:
        self.keep_values = keep_values
        # What the jar held at the last read, per cookie key: (value hash, expiry, attributes).
        self._jar: dict[tuple[str, str, str], tuple] = {}
        # Keys of cookies each in-flight visit saw set by a header or a script, by visit index.
        self._active: dict[int, set[tuple[str, str, str]]] = {}

    async def start(self, visit: Visit) -> None:
        visit.state[self.name] = []
        self._active[visit.index] = set()
        if visit.cdp is None:
            return
        visit.state[HEADERS] = headers = HeaderEvents(
            lambda value, url: self._set_cookie_lines(visit, value, url)
        )
        visit.cdp.on("Network.requestWillBeSent", headers.on_will_be_sent)
        visit.cdp.on("Network.responseReceived", headers.on_response_received)
        visit.cdp.on("Network.responseReceivedExtraInfo", headers.on_extra_info)

    def _set_cookie_lines(self, visit: Visit, value: str, url: str) -> None:
        """Each line of a Set-Cookie header on its own: one the parser cannot read is that line's loss
        (recorded), never the others' (they would be taken for script-set cookies)."""
        now = time.time()
        for line in value.split("\n"):
            try:
                spec = parse_set_cookie(line, url, now)
            except Exception as exc:  # noqa: BLE001 - the parser never raises; if it did, keep the rest
                visit.fail(self.name, f"Set-Cookie line of {url[:200]}", exc)
                continue
            if spec is not None:
                self._observe(visit, spec, "set-cookie", url, now)

    def _observe(self, visit: Visit, spec, source: str, setter: str | None, ts: float) -> None:
        self._active.setdefault(visit.index, set()).add(jar_key(spec.name, spec.domain, spec.path))
        visit.state[self.name].append(
            {
                "name": spec.name,
                "domain": spec.domain,
                "host_only": spec.host_only,
                "path": spec.path,
                "expires": spec.expires,
                "declared_lifetime_days": spec.lifetime_days,
                "secure": spec.secure,
                "http_only": spec.http_only,
                "same_site": spec.same_site,
                "source": source,
                "setter_url": setter,
                "value_hash": value_hash(spec.value),
                "value": spec.value if self.keep_values else None,
                "page_url": visit.page_url,
                "ts": ts,
            }
        )

    async def on_response(self, visit: Visit, response: Any) -> None:
        """Set-Cookie of responses the DevTools session does not see (service workers, pop-ups): one
        driver round trip each."""
        if visit.covered_by_cdp(response):
            return
        try:
            headers = await response.headers_array()
        except Exception as exc:  # noqa: BLE001 - the response is gone: its cookies are unknown
            visit.fail(self.name, f"Set-Cookie headers of {response.url[:200]}", exc)
            return
        for header in headers:
            if header["name"].lower() == "set-cookie":
                self._set_cookie_lines(visit, header["value"], response.url)

    def on_report(self, visit: Visit, kind: str, data: dict) -> None:
        if kind != "cookie":
            return
        now = time.time()
        spec = parse_set_cookie(str(data.get("value", "")), str(data.get("url", "")), now)
        if spec is not None:
            at = write_time(data.get("ts"), now)
            self._observe(visit, spec, "document.cookie", data.get("script") or data.get("url"), at)

    async def finish(self, visit: Visit) -> None:
        """Read the jar; record the cookies that are new or changed since the previous read.

        The jar is read in the browser process, the Set-Cookie headers come as DevTools events of the
        page: a response's cookie can be in the jar before its header event arrived. Headers still due
        (a response announced with extra info that did not come yet) are waited for, boundedly, before
        and after the read, so the header of a cookie the read finds is this visit's evidence."""
        headers: HeaderEvents | None = visit.state.get(HEADERS)
        try:
            if headers is not None:
                await headers.settled(FLUSH_S)
            jar = await visit.page.context.cookies()
            if headers is not None:
                await headers.settled(FLUSH_S)
        finally:
            mine = self._active.pop(visit.index, set())
        others = set().union(*self._active.values()) if self._active else set()
        now = time.time()
        for c in jar:
            key = jar_key(c["name"], c["domain"], c.get("path", "/"))
            expires = c.get("expires", -1)
            expires = None if expires is None or expires < 0 else float(expires)
            state = (
                value_hash(c.get("value", "")),
                expires,
                bool(c.get("secure")),
                bool(c.get("httpOnly")),
                c.get("sameSite"),
            )
            if self._jar.get(key) == state:
                continue
            if key in others and key not in mine:
                continue  # set by a page still open in another tab: that visit records it
            self._jar[key] = state
            visit.state[self.name].append(
                {
                    "name": c["name"],
                    "domain": c["domain"],
                    "host_only": not c["domain"].startswith("."),
                    "path": c.get("path", "/"),
                    "expires": expires,
                    "declared_lifetime_days": None,
                    "secure": state[2],
                    "http_only": state[3],
                    "same_site": state[4],
                    "source": "jar",
                    "setter_url": None,
                    "value_hash": state[0],
                    "value": c.get("value") if self.keep_values else None,
                    "page_url": visit.page_url,
                    "ts": now,
                }
            )

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        return {"cookie_observations": list(visit.state.get(self.name, []))}


def write_time(hook_ms: object, received: float) -> float:
    """When a document.cookie write ran: the hook's reading of the browser's clock (``Date.now()`` taken
    before any page script, so the page cannot change it) when it is a plausible one, else when the
    report arrived (a few ms later)."""
    if isinstance(hook_ms, (int, float)) and not isinstance(hook_ms, bool):
        at = hook_ms / 1000.0
        if received - 60.0 <= at <= received + 1.0:  # NaN fails both comparisons
            return at
    return received


def jar_key(name: str, domain: str, path: str) -> tuple[str, str, str]:
    """How the jar tells cookies apart: name, domain (with its leading dot, lower case), path."""
    return (name, domain.lower(), path or "/")
