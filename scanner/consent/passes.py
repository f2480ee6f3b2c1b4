"""The passes of a consent audit, run after the crawl: which, over which pages, in which profile.

The crawl itself is the pre-consent pass ("none"): nobody touches the banner, and the consent driver
only looks for one on its first pages. When a banner was shown (or ``--consent accept|reject|all`` asks
for it), an "accept" and a "reject" pass each visit a sample of the crawl's pages (its start page, then
the next pages in crawl order) in a FRESH browser profile, answering the banner on their first page; the
later pages show what the stored choice does. ``--gpc`` adds a "gpc" pass over the same sample, sending
Global Privacy Control and answering nothing, as a visitor of an opt-out regime would.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from scanner.collect.base import Collector, Visit
from scanner.errors import BadInput

log = logging.getLogger("scanner.consent")

CONSENT_CHOICES: tuple[str, ...] = ("auto", "none", "accept", "reject", "all", "off")
MAX_SAMPLE = 50


def check_consent_options(consent: str, sample: int) -> None:
    """BadInput for a ``--consent`` choice or ``--consent-sample`` that cannot be run."""
    if consent not in CONSENT_CHOICES:
        raise BadInput(f"--consent {consent!r}: choose from {', '.join(CONSENT_CHOICES)}")
    if not isinstance(sample, int) or not 1 <= sample <= MAX_SAMPLE:
        raise BadInput(f"--consent-sample must be a whole number from 1 to {MAX_SAMPLE}, not {sample!r}")


def driver_mode(consent: str) -> str | None:
    """The consent driver's mode in the crawl itself: look, never click (None: no driver)."""
    return None if consent == "off" else "none"


def look(visits: Iterable[dict], size: int) -> tuple[bool, list[str]]:
    """One read of the crawl's saved visits: did the consent driver find a consent manager or its banner
    on any of them, and the first ``size`` pages that loaded as HTML pages, in visit order (the start
    page first): the pages every pass visits."""
    banner = False
    chosen: dict[str, None] = {}
    for visit in visits:
        if not isinstance(visit, dict):
            continue
        for record in visit.get("consent") or ():
            banner = banner or (
                isinstance(record, dict) and bool(record.get("cmp") or record.get("popup_found"))
            )
        page = visit.get("page")
        if len(chosen) >= size or not isinstance(page, dict) or not isinstance(page.get("url"), str):
            continue
        if page.get("consent_pass", "none") != "none" or page.get("error") or page.get("status") is None:
            continue
        if 200 <= int(page["status"]) < 400:
            chosen.setdefault(page["url"], None)
    return banner, list(chosen)


def plan(consent: str, gpc: bool, banner: bool) -> list[str]:
    """The passes to run after the crawl, in order."""
    passes: list[str] = []
    if consent in ("accept", "all") or (consent == "auto" and banner):
        passes.append("accept")
    if consent in ("reject", "all") or (consent == "auto" and banner):
        passes.append("reject")
    if gpc:
        passes.append("gpc")
    return passes


def pass_options(options: Any, name: str, pages: list[str]) -> Any:
    """The ScanOptions of one pass: its sample only, no sitemap, a browser that sends GPC in "gpc"."""
    browser = replace(options.browser, gpc=options.browser.gpc or name == "gpc")
    return replace(
        options,
        start_urls=(pages[0],),
        max_pages=len(pages),
        max_depth=1,
        use_sitemap=False,
        resume=False,
        overwrite=False,
        browser=browser,
    )


async def run_passes(
    options: Any,
    names: list[str],
    pages: list[str],
    sink_for: Callable[[str], Any],
    progress: Callable[[dict], None],
    browser: Any,
    done: list | None = None,
) -> list[tuple[str, Any, str | None, dict]]:
    """Run each pass in a browser of its own (a fresh profile); returns ``done`` with, per pass, (name,
    sink, error or None, what ``meta.consent_passes`` keeps of it). A pass that fails keeps what it saved
    and says why; the other passes still run. Interrupted (Ctrl-C, SIGTERM), the pass in progress is
    added to ``done`` as interrupted before the interruption goes on, so its saved visits are kept."""
    from scanner.crawl.crawler import Crawl
    from scanner.errors import ScannerError

    done = [] if done is None else done
    for name in names:
        sink = sink_for(name)
        mode = "accept" if name == "accept" else "reject" if name == "reject" else "none"
        crawl = Crawl(
            pass_options(options, name, pages),
            sink,
            lambda event, name=name: progress({**event, "consent_pass": name}),
            browser=browser,
            consent_pass=name,
            consent_mode=mode,
            sample=tuple(pages[1:]),
        )
        progress({"event": "consent_pass", "name": name, "pages": len(pages)})
        log.info("consent pass %s over %d page(s)", name, len(pages))
        error = None
        started = crawl.meta.started_at
        try:
            await crawl.run()
        except (KeyboardInterrupt, asyncio.CancelledError):
            done.append(
                (name, sink, f"consent pass {name} interrupted", {"name": name, "error": "interrupted"})
            )
            raise
        except ScannerError as exc:
            error = f"consent pass {name} stopped: {exc}"
        except Exception as exc:  # noqa: BLE001 - a pass that fails is noted; the scan keeps its evidence
            log.debug("consent pass %s failed", name, exc_info=True)
            error = f"consent pass {name} stopped: {type(exc).__name__}: {str(exc)[:200]}"
        seen = crawl.meta.presented or {}
        done.append(
            (
                name,
                sink,
                error,
                {
                    "name": name,
                    "pages": list(pages),
                    "started_at": started,
                    "finished_at": crawl.meta.finished_at,
                    "gpc_presented": bool(seen.get("global_privacy_control")),
                    "dnt_presented": bool(seen.get("do_not_track")),
                    "error": error,
                },
            )
        )
    return done


class FirstVisits(Collector):
    """A collector that runs on the first ``limit`` visits of a crawl only (the consent driver looks
    for a banner on the crawl's first pages: it is shown on the first page a visitor opens)."""

    def __init__(self, inner: Collector, limit: int) -> None:
        self.inner = inner
        self.limit = limit
        self.name = inner.name
        self.finish_first = getattr(inner, "finish_first", False)

    def _on(self, visit: Visit) -> bool:
        return visit.index <= self.limit

    async def install(self, context: Any) -> None:
        await self.inner.install(context)

    async def start(self, visit: Visit) -> None:
        if self._on(visit):
            await self.inner.start(visit)

    async def on_request(self, visit: Visit, request: Any) -> None:
        if self._on(visit):
            await self.inner.on_request(visit, request)

    async def on_response(self, visit: Visit, response: Any) -> None:
        if self._on(visit):
            await self.inner.on_response(visit, response)

    async def on_finished(self, visit: Visit, request: Any) -> None:
        if self._on(visit):
            await self.inner.on_finished(visit, request)

    async def on_failed(self, visit: Visit, request: Any) -> None:
        if self._on(visit):
            await self.inner.on_failed(visit, request)

    def on_report(self, visit: Visit, kind: str, data: dict) -> None:
        if self._on(visit):
            self.inner.on_report(visit, kind, data)

    async def finish(self, visit: Visit) -> None:
        if self._on(visit):
            await self.inner.finish(visit)

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        return self.inner.records(visit) if self._on(visit) else {}
