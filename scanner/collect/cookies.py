"""Cookies from three sources: ``Set-Cookie`` response headers, ``document.cookie`` writes (in-page hook)
and the browser's cookie jar after the page settled. Headers alone over-report (the browser may refuse a
cookie), the jar alone cannot say who set a cookie; each observation keeps its source and
``scanner.assemble.merge_cookies`` folds them into one record per (name, domain, path).

The jar is one for the whole scan (one visitor), so after each visit only what changed since the
previous read is recorded, as evidence of the visit that changed it: a cookie is not re-observed on every
later page, and a cookie another tab's page is known to have set is left for that tab's visit."""

from __future__ import annotations

import time
from typing import Any

from scanner.collect.base import Collector, Visit, value_hash
from scanner.collect.setcookie import parse_set_cookie


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
        # Raw response headers arrive on the DevTools session anyway; reading Set-Cookie there costs no
        # round trip. A redirect reuses its request id, so the n-th response of an id is its n-th URL.
        urls: dict[str, list[str]] = {}
        answered: dict[str, int] = {}

        def on_will_be_sent(event: dict) -> None:
            url = event.get("request", {}).get("url")
            if url:
                urls.setdefault(event.get("requestId", ""), []).append(url)

        def on_extra_info(event: dict) -> None:
            rid = event.get("requestId", "")
            hops = urls.get(rid)
            if not hops:
                return
            n = answered.get(rid, 0)
            answered[rid] = n + 1
            url = hops[min(n, len(hops) - 1)]
            headers = event.get("headers") or {}
            for name, value in headers.items():
                if name.lower() == "set-cookie" and isinstance(value, str):
                    self._set_cookie_lines(visit, value, url)

        visit.cdp.on("Network.requestWillBeSent", on_will_be_sent)
        visit.cdp.on("Network.responseReceivedExtraInfo", on_extra_info)

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
            self._observe(visit, spec, "document.cookie", data.get("script") or data.get("url"), now)

    async def finish(self, visit: Visit) -> None:
        """Read the jar; record the cookies that are new or changed since the previous read."""
        try:
            jar = await visit.page.context.cookies()
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


def jar_key(name: str, domain: str, path: str) -> tuple[str, str, str]:
    """How the jar tells cookies apart: name, domain (with its leading dot, lower case), path."""
    return (name, domain.lower(), path or "/")
