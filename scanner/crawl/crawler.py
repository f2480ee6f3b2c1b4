"""Run a scan: launch the browser, visit seeds, then breadth-first in-scope links with N tabs in parallel.

All tabs share one browser context, i.e. one visitor with one cookie jar, as a person opening a site's
pages in several tabs. Every browser event is routed to the visit of the page it belongs to, and each
finished visit goes to the scan's ``VisitSink`` (``pages.jsonl`` by default) and is not kept here: the
result is assembled from the sink at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from scanner import __version__
from scanner.browser import ResolvedBrowser, open_context
from scanner.collect import default_collectors
from scanner.collect.base import Collector, Visit
from scanner.collect.hooks import channels, install_hooks, note_losses
from scanner.crawl import sitemap
from scanner.crawl.errors import HTTP_AUTH_HINT
from scanner.crawl.exclude import Exclusions
from scanner.crawl.frontier import Frontier, replay
from scanner.crawl.visit import NetworkActivity, PageStalled, VisitBudget, bounded, run_visit
from scanner.errors import BadInput, CannotScan
from scanner.login.session import LoginSession, login_wanted
from scanner.model import ScanMeta
from scanner.options import ScanOptions
from scanner.scope import Scope, Target
from scanner.sink import VisitSink
from scanner.visitor import Presentation, present

log = logging.getLogger("scanner.crawl")

# Start-page failures that mean the user pointed us at the wrong thing (exit 2); the rest mean the
# site could not be scanned (exit 3).
BAD_INPUT_KINDS = {"not_html", "bad_url"}
MAX_POPUPS = 20  # windows one visit may open that are kept as its evidence
MAX_RESTARTS = 3  # browser restarts in one crawl before it stops (a browser that keeps dying)


class BrowserGone(Exception):
    """The browser stopped answering (no new tab within the call deadline) or went away (crashed,
    killed): the crawl starts a new one and goes on."""


class Router:
    """Sends each browser event to the visit (and its collectors) of the page it came from."""

    def __init__(self, collectors: list[Collector], *, api_hooks: bool = False) -> None:
        self.presentation: Presentation | None = None  # the visitor every page is shown as
        self.collectors = collectors
        self.api_hooks = api_hooks  # the behaviour hooks in every page (scanner.collect.api_calls)
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
                try:
                    await getattr(c, f"on_{event}")(visit, payload)
                except Exception as exc:  # noqa: BLE001 - one collector's loss, recorded on the page
                    visit.fail(c.name, f"on_{event}", exc)
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
            popups = entry[0].state.setdefault("popups", [])
            if len(popups) >= MAX_POPUPS:  # a pop-up flood: the rest are closed unseen, and counted
                entry[0].state["popups_closed"] = entry[0].state.get("popups_closed", 0) + 1
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(page.close(run_before_unload=False), 5)
                return
            self.visits[page] = entry
            popups.append(page)
            await self.hook(entry[0], page, None)
            for event, payload in held:
                await self._deliver(entry, event, payload)

    async def hook(self, visit: Visit, page: Any, session: Any) -> None:
        """In-page hooks for ``page`` (the visit's page, or a pop-up it opened) over its CDP ``session``
        (a new one when None); their reports go to ``visit``. A page that cannot be hooked is noted."""
        try:
            if session is None:
                session = await page.context.new_cdp_session(page)
            await present(session, self.presentation)
            channel = await install_hooks(
                session, lambda kind, data: self.report(page, kind, data), api_hooks=self.api_hooks
            )
        except Exception as exc:  # noqa: BLE001 - closed already, or not Chromium
            visit.fail("hooks", "install", exc)
            return
        channels(visit).append(channel)

    def report(self, page: Any, kind: str, data: dict) -> None:
        """A genuine report of the hooks in ``page`` (checked by its channel): to every collector."""
        entry = self.visits.get(page)
        if entry is None:
            return
        for c in self.collectors:
            try:
                c.on_report(entry[0], kind, data)
            except Exception as exc:  # noqa: BLE001
                entry[0].fail(c.name, f"on_report {kind[:40]}", exc)


class Crawl:
    """One crawl: hands every finished visit to ``sink``; ``meta`` and ``scope`` describe it.

    ``resume(visits)`` (before ``run``) continues a crawl from the visits an earlier run saved: their
    pages are not visited again and the links they found are queued as they were.
    """

    def __init__(
        self,
        options: ScanOptions,
        sink: VisitSink,
        progress: Callable[[dict], None] | None = None,
        browser: ResolvedBrowser | None = None,
        *,
        consent_pass: str = "none",
        consent_mode: str | None = None,
        sample: tuple[str, ...] = (),
    ) -> None:
        """``consent_mode`` (none | accept | reject) runs the consent driver (``scanner.consent``): in the
        crawl itself (pass "none") on its first ``options.consent_sample`` visits, to detect the banner;
        in a consent pass on every visit. A pass (``consent_pass`` other than "none") visits its start
        URL, then the ``sample`` URLs, and follows no link."""
        self.options = options
        self.consent_pass = consent_pass
        self.sample = tuple(sample)
        self.browser = browser  # None: looked up when the crawl starts
        self.sink = sink
        self.progress = progress or (lambda event: None)
        self.scope = Scope(list(options.start_urls), list(options.first_party))
        self.frontier = Frontier(
            self.scope,
            max_depth=options.max_depth,
            max_pages=options.max_pages,
            max_query_variants=options.max_query_variants,
            exclude=Exclusions(options.exclude),
        )
        for url in dict.fromkeys(options.start_urls):  # discovered from the start (true totals when
            self.frontier.found(url)  # the scan is stopped before or during its first visit)
        # A logged-in audit (scanner.login): logs every new browser in, judges every page.
        self.login = (
            LoginSession(options.login, timeout_s=options.browser.timeout_s)
            if login_wanted(options)
            else None
        )
        self.collectors: list[Collector] = default_collectors(
            keep_values=options.keep_values,
            screenshots_dir=options.screenshots_dir,
            api_hooks=options.api_hooks,
            probe_forms=options.probe_forms,
            probe_budget_s=max(2.0, min(8.0, options.browser.timeout_s - 2.0)),
        )
        if consent_pass != "none":  # its visits count from 1 again: screenshots of their own
            from scanner.collect.screenshot import ScreenshotCollector

            for collector in self.collectors:
                if isinstance(collector, ScreenshotCollector):
                    collector.prefix = f"{consent_pass}-"
        if consent_mode is not None:
            from scanner.consent.driver import ConsentCollector
            from scanner.consent.passes import FirstVisits

            # Its waits stay within one browser call's deadline (--timeout).
            budget = max(2.0, min(25.0, options.browser.timeout_s - 2.0))
            driver = ConsentCollector(
                mode=consent_mode, screenshots_dir=options.screenshots_dir, budget_s=budget
            )
            driver.prefix = f"{consent_pass}-" if consent_pass != "none" else ""
            self.collectors.append(
                FirstVisits(driver, options.consent_sample) if consent_pass == "none" else driver
            )
        self.router = Router(self.collectors, api_hooks=options.api_hooks)
        self.saved = 0  # visits handed to the sink by this run
        self.index = 0  # number of the last visit (continues across a resume)
        self.tabs = max(1, options.tabs)
        self.budget = VisitBudget.of(options.browser.timeout_s, options.timing)
        self._discoveries: set[asyncio.Task] = set()  # sitemap discovery, out of band, in the background
        self._sitemap_links: list[str] = []  # found and not yet saved with a visit (for --resume)
        self._sitemap_known = False  # an earlier run's visits already carry its sitemap links
        self.busy_tabs = 0  # visits in flight
        self.peak_tabs = 0
        self._more = asyncio.Condition()
        self._resumed = False
        self._seeded = False  # the seeds were visited (not again after a browser restart)
        self._gone: BrowserGone | None = None  # set when the browser went away: the workers stop
        self.restarts = 0
        self._discovering: set[str] = set()  # sitemap discovery started and not finished
        self.meta = ScanMeta(
            tool_version=__version__,
            start_urls=tuple(options.start_urls),
            started_at=now_iso(),
            options=options_summary(options, self.tabs),
        )

    def resume(self, meta: ScanMeta, visits: Iterable[dict]) -> int:
        """Continue the crawl saved with ``meta``: skip its visited pages, queue its unvisited links (and
        start URLs). Returns the number of earlier visits; the coverage counts them too."""
        count, sitemap_known = replay(self.frontier, visits, self.options.start_urls)
        self._sitemap_known = self._sitemap_known or sitemap_known
        self.index = count
        self.meta = replace(
            meta,
            finished_at=None,
            interrupted=False,
            coverage=None,
            resumed_at=(*meta.resumed_at, now_iso()),
        )
        self._resumed = bool(count)  # killed during the first seed: start over with the seeds
        return count

    async def run(self) -> None:
        self.sink.open(self.meta, self.scope)
        stopped: str | None = "errors"  # what the coverage says, unless the crawl ends by itself
        try:
            while True:
                try:
                    await self._run_browser()
                    stopped = None
                    return
                except BrowserGone as gone:
                    self._restarted(gone)
        except (asyncio.CancelledError, KeyboardInterrupt):
            stopped = "interrupted"
            self.meta = replace(self.meta, interrupted=True)
            raise
        finally:
            coverage = self.frontier.coverage(stopped)
            self.meta = replace(self.meta, finished_at=now_iso(), coverage=coverage)
            self.sink.update_meta(self.meta)
            self.sink.close()

    async def _run_browser(self) -> None:
        """One browser for the crawl, until the crawl ends or the browser goes away (BrowserGone)."""
        async with open_context(self.options.browser, self.browser) as session:
            self.browser = session.browser
            self.meta = replace(
                self.meta,
                browser=session.browser.executable_path,
                browser_source=session.browser.source,
                browser_version=session.version,
                user_agent=session.user_agent or self.options.browser.user_agent,
                presented=session.presented,
            )
            self.sink.update_meta(self.meta)
            self.router.presentation = session.presentation
            self._gone = None
            if self.login is not None:  # before the first page, and again in every new browser
                await self.login.prepare(session.context, session.presentation, self.scope.contains_host)
                self.meta = self.login.meta(self.meta)
                self.sink.update_meta(self.meta)
            await self._crawl(session.context)

    def _restarted(self, gone: BrowserGone) -> None:
        """Note a browser that went away; stop the scan (exit 3, evidence kept) when it keeps going."""
        self.restarts += 1
        if self.restarts > MAX_RESTARTS:
            raise CannotScan(
                f"the browser stopped answering {self.restarts} times, last: {gone}; the scan stopped "
                f"after {self.saved} page(s), evidence kept"
            )
        problem = (
            f"the browser stopped answering ({gone}) after {self.index} visit(s) and was restarted "
            f"({self.restarts} of at most {MAX_RESTARTS}) with a fresh profile: later pages were visited "
            "without the cookies and storage set before"
        )
        log.warning("%s", problem)
        self.meta = replace(self.meta, errors=(*self.meta.errors, problem))
        self.sink.update_meta(self.meta)

    async def _install(self, context: Any) -> None:
        # The in-page hooks are set up per page (Router.hook), over the page's own DevTools session.
        working = []
        for c in self.collectors:
            try:
                await c.install(context)
            except Exception as exc:  # noqa: BLE001 - the scan goes on without this kind of evidence
                log.error("collector %s could not start: %s", c.name, exc)
                problem = (
                    f"collector {c.name} could not start ({type(exc).__name__}: {exc}); none of its evidence"
                )
                self.meta = replace(self.meta, errors=(*self.meta.errors, problem[:400]))
                continue
            working.append(c)
        self.collectors[:] = working
        context.on("request", self.router.request)
        context.on("response", self.router.response)
        context.on("requestfinished", self.router.finished)
        context.on("requestfailed", self.router.failed)
        context.on("page", self.router.popup)

    async def _crawl(self, context: Any) -> None:
        await self._install(context)
        if not self._resumed and not self._seeded:
            await self._seeds(context)
        elif self._discovering:  # the browser went away while looking
            for url in list(self._discovering):
                self._discover(context, url)
        elif self._resumed and self.options.use_sitemap and not self._sitemap_known:
            for url in dict.fromkeys(self.options.start_urls):  # killed before discovery finished
                self._discover(context, url)
        self._seeded = True
        workers = [asyncio.create_task(self._worker(context)) for _ in range(self.tabs)]
        try:
            await asyncio.gather(*workers)
        finally:
            for task in [*workers, *self._discoveries]:
                task.cancel()
            self._discoveries.clear()
        if self._gone is not None:
            raise self._gone

    def _discover(self, context: Any, url: str) -> None:
        """Sitemap seeds of ``url``'s site, looked up in the background while the crawl goes on."""

        async def run() -> None:
            try:
                found = await sitemap.discover(context, url, 1000, self.router.presentation)
            finally:
                async with self._more:
                    self._discoveries.discard(task)
                    self._more.notify_all()
            self._discovering.discard(url)
            added = [u for u in found if self.frontier.add(u, 1, referrer=None, source="sitemap")]
            self._sitemap_links.extend(found)
            log.debug("sitemap of %s: %d URLs, %d new", url, len(found), len(added))
            async with self._more:
                self._more.notify_all()

        self._discovering.add(url)
        task = asyncio.create_task(run())
        self._discoveries.add(task)

    async def _seeds(self, context: Any) -> None:
        """Seeds first, one at a time: a start page that cannot be scanned stops the scan with one line."""
        seeds = [u for u in dict.fromkeys(self.options.start_urls) if self.frontier.add(u, 0, source="seed")]
        for url in self.sample:  # a consent pass: the crawl's first pages, after its start page
            self.frontier.add(url, 1, referrer=None, source="sample")
        failures, visited = [], 0
        self._seeded = True  # a browser restart from here on goes on with the workers
        for _ in seeds:  # the queue is FIFO: the first pops are the seeds
            target = self.frontier.pop()
            if target is None:  # more start URLs than --max-pages
                break
            visited += 1
            record = await self._visit(context, target, discover_sitemap=self.options.use_sitemap)
            if record.get("status") is None or record.get("error_kind") not in (None, "timeout"):
                failures.append(record)
        if visited and len(failures) == visited:
            first = failures[0]
            message = f"{first['url']}: {first.get('error') or 'no response'}"
            if first.get("error_kind") == "http_status":
                message = f"{first['url']}: the start page returned HTTP {first.get('status')}"
                if first.get("status") == 401:
                    message += f" (it asks for HTTP authentication: {HTTP_AUTH_HINT})"
            if first.get("error_kind") in BAD_INPUT_KINDS:
                raise BadInput(message)
            raise CannotScan(message)

    async def _worker(self, context: Any) -> None:
        """Take the next target; while none is queued but visits are in flight (they may find links),
        wait for one of them to finish."""
        while True:
            async with self._more:
                while self._gone is None and (target := self.frontier.pop()) is None:
                    if self.busy_tabs == 0 and not self._discoveries:
                        self._more.notify_all()
                        return
                    await self._more.wait()
                if self._gone is not None:
                    return
                self.busy_tabs += 1
                self.peak_tabs = max(self.peak_tabs, self.busy_tabs)
            try:
                await self._visit(context, target)
            except BrowserGone as gone:
                self._gone = self._gone or gone
                return
            finally:
                async with self._more:
                    self.busy_tabs -= 1
                    self._more.notify_all()

    async def _new_tab(self, context: Any, target: Target) -> tuple[Any, Any]:
        """A new tab and its DevTools session, within the call deadline; when the browser cannot give
        one, ``target`` goes back to the frontier and BrowserGone is raised."""
        page = None
        try:
            async with asyncio.timeout(self.budget.call_s):
                page = await context.new_page()
                return page, await network_session(page)
        except Exception as exc:  # noqa: BLE001 - a timeout, or the browser closed under us
            self.frontier.give_back(target)
            if page is not None:
                await self._close(page)
            why = "no new tab within --timeout" if isinstance(exc, TimeoutError) else _first_line(exc)
            raise BrowserGone(why) from None

    async def _visit(self, context: Any, target: Target, discover_sitemap: bool = False) -> dict:
        page, cdp = await self._new_tab(context, target)
        self.index += 1
        index = self.index
        visit = Visit(target=target, page=page, scope=self.scope, index=index, cdp=cdp)
        activity = NetworkActivity()
        self.router.visits[page] = (visit, activity)
        if visit.cdp is None:
            visit.fail("hooks", "install", "no DevTools session: no in-page hooks (setter scripts unknown)")
        else:
            try:
                await asyncio.wait_for(self.router.hook(visit, page, visit.cdp), self.budget.call_s)
            except TimeoutError:
                visit.fail("hooks", "install", f"no answer within {self.budget.call_s:g} s")
        self.progress({"event": "start", "url": target.url, "index": index})
        log.debug("visit %d: %s", index, target.url)
        try:
            visiting = run_visit(visit, self.collectors, activity, self.options.timing, self.budget)
            record, links = await asyncio.wait_for(visiting, self.budget.visit_s)
            if self.login is not None and await self.login.judge(page, record, index, self.budget.call_s):
                self.meta = self.login.meta(self.meta)
                self.sink.update_meta(self.meta)
        except TimeoutError:  # the hard cap: keep what the visit had recorded
            record, links = dict(visit.state.get("record") or {"url": target.url}), []
            record["error"] = f"the visit took longer than its limit of {self.budget.visit_s:g} s; stopped"
            record["error_kind"] = "visit_timeout"
        finally:
            for opened in [page, *visit.state.get("popups", [])]:
                self.router.visits.pop(opened, None)
                await self._close(opened)
        note_losses(visit)
        if closed := visit.state.get("popups_closed"):
            visit.fail(
                "popups", "open", f"{closed} more pop-up(s) closed unseen (at most {MAX_POPUPS} a page)"
            )
        if discover_sitemap and "error_kind" not in record:  # out of band: never this visit's evidence
            self._discover(context, record.get("final_url") or target.url)
        final = record.get("final_url")
        if final:  # where a redirect led: seen (by its key) as well
            self.frontier.mark_seen(final)
        if self.consent_pass == "none":  # a consent pass visits its sample only
            for link in links:
                self.frontier.add(link, target.depth + 1, referrer=final or target.url)
        else:
            record["consent_pass"] = self.consent_pass
        saved: dict[str, Any] = {"page": record}
        for c in self.collectors:
            try:
                kinds = c.records(visit)
            except Exception as exc:  # noqa: BLE001
                visit.fail(c.name, "records", exc)
                continue
            for kind, rows in kinds.items():
                if kind in ("screenshot", "thumbnail"):
                    record[kind] = rows[0]
                else:
                    saved.setdefault(kind, []).extend(rows)
        if self.login is not None:  # what the login put into the browser is not this page's evidence
            self.login.drop_injected(saved, visit.state)
        if visit.errors:
            record["collector_errors"] = list(visit.errors)
        saved["links"] = links  # to continue an interrupted crawl (--resume)
        if self._sitemap_links:  # found since the last save (kept for --resume)
            saved["sitemap_links"], self._sitemap_links = self._sitemap_links, []
        self.sink.add(saved)
        self.saved += 1
        self.frontier.done(target.url, failed=record.get("error") is not None)
        self.progress({"event": "done", "record": record, "index": index, "queued": len(self.frontier)})
        return record

    async def _close(self, page: Any) -> None:
        """Close a tab; one whose renderer hangs is abandoned after the call deadline (the browser
        ends the renderer once nothing else uses it)."""
        try:
            await bounded(page.close(run_before_unload=False), self.budget.call_s, "closing the tab")
        except PageStalled as exc:
            log.warning("%s", exc)
        except Exception:  # noqa: BLE001 - closed already
            pass


async def network_session(page: Any) -> Any:
    """A DevTools session of the page with the Network domain enabled, or None (not Chromium, closed)."""
    try:
        session = await page.context.new_cdp_session(page)
        await session.send("Network.enable")
    except Exception:  # noqa: BLE001 - collectors fall back to Playwright's own events
        return None
    return session


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return (text[0] if text else type(exc).__name__)[:200]


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def options_summary(options: ScanOptions, tabs: int) -> dict:
    b = options.browser
    return {
        "first_party": list(options.first_party),
        "max_depth": options.max_depth,
        "max_pages": options.max_pages,
        "max_query_variants": options.max_query_variants,
        "sitemap": options.use_sitemap,
        "concurrency": tabs,
        "settle_s": options.timing.settle_s,
        "keep_cookie_values": options.keep_values,
        "screenshots": options.screenshots,
        "ignore_https_errors": b.ignore_https_errors,
        "block_third_party_cookies": b.block_third_party_cookies,
        "browser_args": list(b.extra_args),
        "timeout_s": b.timeout_s,
        "user_agent": b.user_agent,
        "locale": b.locale,
        "timezone": b.timezone,
        "consent": options.consent,
        "consent_sample": options.consent_sample,
        "gpc": options.gpc,
        "dnt": b.dnt,
        "api_hooks": options.api_hooks,
        "probe_forms": options.probe_forms,
        "exclude": list(options.exclude),
        "http_credentials": b.http_credentials is not None,  # whether given; never what
    }
