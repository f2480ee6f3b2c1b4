"""Run a scan: launch the browser, visit seeds, then breadth-first in-scope links with N tabs in parallel.

All tabs share one browser context, i.e. one visitor with one cookie jar, as a person opening a site's
pages in several tabs. Every browser event is routed to the visit of the page it belongs to, and each
finished visit is saved to ``pages.jsonl`` before the next one is handed out.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner import __version__
from scanner.browser import BrowserOptions, open_context
from scanner.collect import default_collectors
from scanner.collect.base import Collector, Visit
from scanner.crawl import sitemap
from scanner.crawl.frontier import Frontier, Target
from scanner.crawl.urls import Scope, normalize
from scanner.crawl.visit import NetworkActivity, VisitTiming, run_visit
from scanner.errors import BadInput, CannotScan
from scanner.model import ScanMeta, ScanResult
from scanner.store import VisitLog, assemble

# Start-page failures that mean the user pointed us at the wrong thing (exit 2); the rest mean the
# site could not be scanned (exit 3).
BAD_INPUT_KINDS = {"not_html", "bad_url"}


@dataclass(frozen=True)
class CrawlOptions:
    start_urls: tuple[str, ...]
    out_dir: Path
    first_party: tuple[str, ...] = ()
    max_depth: int = 3
    max_pages: int = 50
    max_query_variants: int = 5
    use_sitemap: bool = True
    concurrency: int = 2
    keep_values: bool = False
    screenshots: bool = True
    timing: VisitTiming = field(default_factory=VisitTiming)
    browser: BrowserOptions = field(default_factory=BrowserOptions)


def hook_script() -> str:
    return resources.files("scanner.collect").joinpath("page_hooks.js").read_text(encoding="utf-8")


class Router:
    """Sends each browser event to the visit (and its collectors) of the page it came from."""

    def __init__(self, collectors: list[Collector]) -> None:
        self.collectors = collectors
        self.visits: dict[Any, tuple[Visit, NetworkActivity]] = {}
        # Events of navigations with no frame yet: a popup's first document (and its redirects) loads
        # before Playwright hands out its page. A few are kept and replayed when the popup shows up.
        self.pending: dict[Any, list[tuple[str, Any]]] = {}

    @staticmethod
    def _page(request: Any) -> Any:
        try:
            return request.frame.page
        except Exception:  # noqa: BLE001 - service workers, frames of closed pages
            return None

    def _for_request(self, request: Any) -> tuple[Visit, NetworkActivity] | None:
        worker = getattr(request, "service_worker", None)
        if worker is not None:
            origin = "{0.scheme}://{0.netloc}".format(urlsplit(worker.url))
            for entry in self.visits.values():
                if entry[0].page_url.startswith(origin):
                    return entry
            return next(iter(self.visits.values()), None)
        return self.visits.get(self._page(request))

    async def _route(self, event: str, request: Any, payload: Any) -> None:
        entry = self._for_request(request)
        if entry is None:
            if getattr(request, "service_worker", None) is None:
                self._hold(request, event, payload)
            return
        await self._deliver(entry, event, payload)

    async def _deliver(self, entry: tuple[Visit, NetworkActivity], event: str, payload: Any) -> None:
        visit, activity = entry
        if event == "request":
            activity.started()
        elif event in ("finished", "failed"):
            activity.ended()
        visit.busy += 1  # handlers that await the driver (pixel bodies, headers) finish before records
        try:
            for c in self.collectors:
                await getattr(c, f"on_{event}")(visit, payload)
        finally:
            visit.busy -= 1

    def _hold(self, request: Any, event: str, payload: Any) -> None:
        """Keep events of a navigation that has no frame yet (a popup's first document)."""
        if not request.is_navigation_request():
            return
        self.pending.setdefault(request, []).append((event, payload))
        while len(self.pending) > 50:
            self.pending.pop(next(iter(self.pending)))  # the oldest unclaimed navigation

    async def request(self, request: Any) -> None:
        await self._route("request", request, request)

    async def response(self, response: Any) -> None:
        await self._route("response", response.request, response)

    async def finished(self, request: Any) -> None:
        await self._route("finished", request, request)

    async def failed(self, request: Any) -> None:
        await self._route("failed", request, request)

    async def popup(self, page: Any) -> None:
        """Every new page: a window a visited page opened (window.open, pop-unders) is part of that
        visit's evidence, including what it loaded while its opener was being looked up."""
        try:
            opener = await page.opener()
        except Exception:  # noqa: BLE001 - closed already
            opener = None
        entry = self.visits.get(opener) if opener is not None else None
        held = []
        for request in list(self.pending):
            last = request
            while last.redirected_to is not None:
                last = last.redirected_to
            if last.url == page.url:
                held.extend(self.pending.pop(request))
        if entry is not None:
            self.visits[page] = entry
            entry[0].state.setdefault("popups", []).append(page)
            for event, payload in held:
                await self._deliver(entry, event, payload)

    def report(self, source: dict, kind: str, data: Any) -> None:
        entry = self.visits.get(source.get("page"))
        if entry and isinstance(kind, str) and isinstance(data, dict):
            for c in self.collectors:
                with contextlib.suppress(Exception):
                    c.on_report(entry[0], kind, data)


class Crawl:
    def __init__(self, options: CrawlOptions, progress: Callable[[dict], None] | None = None) -> None:
        self.options = options
        self.progress = progress or (lambda event: None)
        self.scope = Scope(list(options.start_urls), list(options.first_party))
        self.frontier = Frontier(
            self.scope,
            max_depth=options.max_depth,
            max_pages=options.max_pages,
            max_query_variants=options.max_query_variants,
        )
        shots = options.out_dir / "screenshots" if options.screenshots else None
        self.collectors: list[Collector] = default_collectors(
            keep_values=options.keep_values, screenshots_dir=shots
        )
        self.router = Router(self.collectors)
        self.log: VisitLog | None = None
        self.visits: list[dict] = []
        self.index = 0
        self.meta = ScanMeta(
            tool_version=__version__,
            start_urls=tuple(options.start_urls),
            started_at=now_iso(),
            options=options_summary(options),
        )

    async def run(self) -> ScanResult:
        self.log = VisitLog(self.options.out_dir)
        self.log.write_meta(self.meta, self.scope)
        try:
            async with open_context(self.options.browser) as session:
                self.meta = replace(
                    self.meta,
                    browser=session.executable or "playwright-chromium",
                    browser_version=session.version,
                    user_agent=self.options.browser.user_agent or session.user_agent,
                )
                self.log.write_meta(self.meta, self.scope)
                await self._crawl(session.context)
        except (asyncio.CancelledError, KeyboardInterrupt):
            self.meta = replace(self.meta, interrupted=True)
            raise
        finally:
            self.meta = replace(self.meta, finished_at=now_iso())
            self.log.write_meta(self.meta, self.scope)
            self.log.close()
        return self.result()

    def result(self) -> ScanResult:
        return assemble(self.meta, self.scope, self.visits)

    async def _crawl(self, context: Any) -> None:
        await context.expose_binding("__scannerReport", self.router.report)
        await context.add_init_script(script=hook_script())
        for c in self.collectors:
            await c.install(context)
        context.on("request", self.router.request)
        context.on("response", self.router.response)
        context.on("requestfinished", self.router.finished)
        context.on("requestfailed", self.router.failed)
        context.on("page", self.router.popup)

        # Seeds first, one at a time: a start page that cannot be scanned stops the scan with one line.
        seeds = [u for u in dict.fromkeys(self.options.start_urls) if self.frontier.add(u, 0, source="seed")]
        failures = []
        for _ in seeds:  # the queue is FIFO: the first pops are the seeds
            target = self.frontier.pop()
            record = await self._visit(context, target, discover_sitemap=self.options.use_sitemap)
            if record.get("status") is None or record.get("error_kind") not in (None, "timeout"):
                failures.append(record)
        if seeds and len(failures) == len(seeds):
            first = failures[0]
            message = f"{first['url']}: {first.get('error') or 'no response'}"
            if first.get("error_kind") == "http_status":
                message = f"{first['url']}: the start page returned HTTP {first.get('status')}"
            if first.get("error_kind") in BAD_INPUT_KINDS:
                raise BadInput(message)
            raise CannotScan(message)

        n = max(1, self.options.concurrency)
        workers = [asyncio.create_task(self._worker(context)) for _ in range(n)]
        try:
            await asyncio.gather(*workers)
        finally:
            for w in workers:
                w.cancel()

    async def _worker(self, context: Any) -> None:
        idle_rounds = 0
        while True:
            target = self.frontier.pop()
            if target is None:
                # Other workers may still add links: wait while any visit is in flight.
                if not self.router.visits or idle_rounds > 6000:
                    return
                idle_rounds += 1
                await asyncio.sleep(0.05)
                continue
            idle_rounds = 0
            await self._visit(context, target)

    async def _visit(self, context: Any, target: Target, discover_sitemap: bool = False) -> dict:
        self.index += 1
        index = self.index
        page = await context.new_page()
        visit = Visit(
            target=target, page=page, scope=self.scope, index=index, cdp=await network_session(page)
        )
        activity = NetworkActivity()
        self.router.visits[page] = (visit, activity)
        self.progress({"event": "start", "url": target.url, "index": index})
        try:
            record, links = await run_visit(visit, self.collectors, activity, self.options.timing)
            if discover_sitemap and "error_kind" not in record:
                for url in await sitemap.discover(page, record.get("final_url") or target.url, 1000):
                    self.frontier.add(url, 1, referrer=None, source="sitemap")
        finally:
            for opened in [page, *visit.state.get("popups", [])]:
                self.router.visits.pop(opened, None)
                with contextlib.suppress(Exception):
                    await opened.close()
        final = record.get("final_url")
        if final and normalize(final) != target.url:
            self.frontier.mark_seen(final)
        for link in links:
            self.frontier.add(link, target.depth + 1, referrer=final or target.url)
        saved = {"page": record}
        for c in self.collectors:
            for kind, rows in c.records(visit).items():
                if kind == "screenshot":
                    record["screenshot"] = rows[0]
                else:
                    saved.setdefault(kind, []).extend(rows)
        self.visits.append(saved)
        if self.log:
            self.log.append(saved)
        self.progress({"event": "done", "record": record, "index": index, "queued": len(self.frontier)})
        return record


async def network_session(page: Any) -> Any:
    """A DevTools session of the page with the Network domain enabled, or None (not Chromium, closed)."""
    try:
        session = await page.context.new_cdp_session(page)
        await session.send("Network.enable")
    except Exception:  # noqa: BLE001 - collectors fall back to Playwright's own events
        return None
    return session


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def options_summary(options: CrawlOptions) -> dict:
    b = options.browser
    return {
        "first_party": list(options.first_party),
        "max_depth": options.max_depth,
        "max_pages": options.max_pages,
        "max_query_variants": options.max_query_variants,
        "sitemap": options.use_sitemap,
        "concurrency": options.concurrency,
        "settle_s": options.timing.settle_s,
        "keep_cookie_values": options.keep_values,
        "screenshots": options.screenshots,
        "ignore_https_errors": b.ignore_https_errors,
        "block_third_party_cookies": b.block_third_party_cookies,
        "browser_args": list(b.extra_args),
        "timeout_s": b.timeout_s,
        "user_agent": b.user_agent,
    }
