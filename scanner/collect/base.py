"""The one interface every collector implements, and the per-visit state they share.

Life cycle (per browser context, then per page visit):

1. ``install(context)`` once per browser context.
2. ``await start(visit)`` before the page is navigated.
3. ``on_request`` / ``on_response`` / ``on_finished`` / ``on_failed`` / ``on_report`` while it loads; the
   crawler routes each browser event to the visit of the page it belongs to.
4. ``await finish(visit)`` after the page settled: read what only the finished page can tell.
5. ``records(visit)`` returns this collector's evidence as plain dicts, keyed by kind.

A collector keeps its per-visit state in ``visit.state[self.name]``: adding one touches no other.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from dataclasses import dataclass, field
from typing import Any

from scanner.scope import Scope, Target

log = logging.getLogger("scanner.collect")


def value_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


@dataclass
class Visit:
    """One top-level page visit: the Playwright page plus what collectors learn about it."""

    target: Target
    page: Any  # playwright.async_api.Page
    scope: Scope
    index: int
    state: dict[str, Any] = field(default_factory=dict)
    initiators: dict[str, tuple[str | None, str | None]] = field(
        default_factory=dict
    )  # url -> (script, type)
    # Chromium DevTools session of the page with the Network domain on (None when unavailable): collectors
    # subscribe to its events, which cost no round trips, instead of asking the driver per request. The
    # in-page hooks' hidden channel runs over it too (Page and Runtime on: ``scanner.collect.hooks``).
    cdp: Any = None
    busy: int = 0  # event handlers of this visit still running
    # Evidence that could not be read, one {collector, stage, error} each (saved on the page record).
    errors: list[dict[str, str]] = field(default_factory=list)
    _ids: dict[int, int] = field(default_factory=dict)
    _counter: Any = field(default_factory=itertools.count)

    @property
    def page_url(self) -> str:
        return self.target.url

    def covered_by_cdp(self, response: Any) -> bool:
        """True when this response's events arrive on ``cdp``: the visit's own page, not a worker or popup."""
        if self.cdp is None or getattr(response.request, "service_worker", None) is not None:
            return False
        try:
            return response.frame.page is self.page
        except Exception:  # noqa: BLE001 - navigation without a frame yet
            return False

    def fail(self, collector: str, stage: str, error: BaseException | str) -> None:
        """Record that ``collector`` lost evidence at ``stage``; the visit and the crawl go on."""
        if isinstance(error, BaseException):
            text = next((ln.strip() for ln in str(error).splitlines() if ln.strip()), "")
            error = f"{type(error).__name__}: {text}" if text else type(error).__name__
        if len(self.errors) < 100:
            self.errors.append({"collector": collector, "stage": stage, "error": str(error)[:300]})
        log.warning("%s: %s lost evidence at %s: %s", self.page_url, collector, stage, error)

    def request_id(self, request: Any) -> int:
        """Stable number for a Playwright request within this visit (shared join key for collectors)."""
        key = id(request)
        if key not in self._ids:
            self._ids[key] = next(self._counter)
        return self._ids[key]


class Collector:
    name = "collector"

    async def install(self, context: Any) -> None:  # noqa: B027 - optional hook
        """Once per browser context."""

    async def start(self, visit: Visit) -> None:  # noqa: B027
        """Before navigation."""

    async def on_request(self, visit: Visit, request: Any) -> None:  # noqa: B027
        pass

    async def on_response(self, visit: Visit, response: Any) -> None:  # noqa: B027
        pass

    async def on_finished(self, visit: Visit, request: Any) -> None:  # noqa: B027
        pass

    async def on_failed(self, visit: Visit, request: Any) -> None:  # noqa: B027
        pass

    def on_report(self, visit: Visit, kind: str, data: dict) -> None:  # noqa: B027
        """A report from the in-page hooks (kind "cookie": a document.cookie write, "beacon": a sendBeacon
        call, "image": an <img> src set by script), already checked by its page's channel
        (``scanner.collect.hooks``): the page cannot forge one."""

    async def finish(self, visit: Visit) -> None:  # noqa: B027
        """After the page settled."""

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        return {}
