"""Cookies from three sources: ``Set-Cookie`` response headers, ``document.cookie`` writes (in-page hook)
and the browser's cookie jar after the page settled. Headers alone over-report (the browser may refuse a
cookie), the jar alone cannot say who set a cookie; each observation keeps its source and
``merge_cookies`` folds them into one record per (name, domain, path)."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from scanner.collect.base import Collector, Visit, value_hash
from scanner.collect.setcookie import DAY, parse_set_cookie
from scanner.crawl.urls import Scope
from scanner.domains import cookie_registrable_domain
from scanner.model import Cookie


class CookieCollector(Collector):
    name = "cookies"

    def __init__(self, *, keep_values: bool = False) -> None:
        self.keep_values = keep_values

    async def start(self, visit: Visit) -> None:
        visit.state[self.name] = []
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
        now = time.time()
        for line in value.split("\n"):
            spec = parse_set_cookie(line, url, now)
            if spec is not None:
                self._observe(visit, spec, "set-cookie", url, now)

    def _observe(self, visit: Visit, spec, source: str, setter: str | None, ts: float) -> None:
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
        with contextlib.suppress(Exception):
            for header in await response.headers_array():
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
        with contextlib.suppress(Exception):
            jar = await visit.page.context.cookies()
            now = time.time()
            for c in jar:
                expires = c.get("expires", -1)
                expires = None if expires is None or expires < 0 else float(expires)
                visit.state[self.name].append(
                    {
                        "name": c["name"],
                        "domain": c["domain"],
                        "host_only": not c["domain"].startswith("."),
                        "path": c.get("path", "/"),
                        "expires": expires,
                        "declared_lifetime_days": None,
                        "secure": bool(c.get("secure")),
                        "http_only": bool(c.get("httpOnly")),
                        "same_site": c.get("sameSite"),
                        "source": "jar",
                        "setter_url": None,
                        "value_hash": value_hash(c.get("value", "")),
                        "value": c.get("value") if self.keep_values else None,
                        "page_url": visit.page_url,
                        "ts": now,
                    }
                )

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        return {"cookie_observations": list(visit.state.get(self.name, []))}


def _key(obs: dict) -> tuple[str, str, str]:
    return (obs["name"], obs["domain"].lower(), obs["path"])


def _alive(lifetime_days: float | None) -> bool:
    """A write with no expiry (session) or a future one; Max-Age=0 or a past date deletes."""
    return lifetime_days is None or lifetime_days > 0


def merge_cookies(observations: list[dict], scope: Scope) -> list[Cookie]:
    """One Cookie per (name, domain, path) from all observations of a scan, oldest first.

    Attributes come from the jar when the browser stored the cookie (that is what it keeps), else from
    the header. ``set_by`` is "http" when any Set-Cookie header set it, else "js" (a cookie in the jar that
    no response header set can only come from script). A header observation the jar never confirmed is
    kept with ``in_jar = False`` (e.g. a third-party cookie the browser blocked). Deletions (expiry in the
    past) do not create cookies.
    """
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for obs in sorted(observations, key=lambda o: o.get("ts") or 0):
        groups.setdefault(_key(obs), []).append(obs)
    cookies = []
    for (name, domain, path), group in groups.items():
        jar = [o for o in group if o["source"] == "jar"]
        setters = [o for o in group if o["source"] != "jar"]
        live_setters = [
            o for o in setters if (o["declared_lifetime_days"] is None or o["declared_lifetime_days"] > 0)
        ]
        if not jar and not live_setters:
            continue  # only deletions or expired writes
        base = jar[-1] if jar else live_setters[-1]
        first = group[0]
        http = [o for o in setters if o["source"] == "set-cookie"]
        origin = http[0] if http else (setters[0] if setters else None)
        declared = [
            o["declared_lifetime_days"] for o in live_setters if o["declared_lifetime_days"] is not None
        ]
        if base["expires"] is None:
            lifetime = None
        else:
            lifetime = round(max(0.0, (base["expires"] - base["ts"]) / DAY), 3)
        pages: dict[str, None] = {}
        for o in group:
            pages.setdefault(o["page_url"], None)
        reg = cookie_registrable_domain(domain)
        cookies.append(
            Cookie(
                name=name,
                domain=base["domain"],
                path=path,
                expires=base["expires"],
                secure=base["secure"],
                http_only=base["http_only"],
                same_site=base["same_site"],
                first_party=reg in scope.domains,
                set_by="http" if http else "js",
                page_url=first["page_url"],
                registrable_domain=reg,
                host_only=base["host_only"],
                in_jar=bool(jar),
                declared_lifetime_days=max(declared)
                if declared
                else (None if base["expires"] is None else lifetime),
                lifetime_days=lifetime,
                setter_url=origin["setter_url"] if origin else None,
                value_hash=base["value_hash"],
                value=base["value"],
                pages=tuple(pages),
            )
        )
    return cookies
