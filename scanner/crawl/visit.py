"""Visit one page like a person: load, wait for the network to go quiet, scroll to the bottom so lazy
content loads, then let late tags fire (settle).

Every browser call of a visit has a deadline (:class:`VisitBudget`, from ``--timeout``): a page whose
renderer stops answering (an endless script loop, in the page or in one of its frames) is recorded as
``unresponsive`` and left alone; the crawl goes on. The crawler adds a hard cap on the whole visit.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from scanner.collect.base import Collector, Visit
from scanner.crawl.errors import classify_navigation_error
from scanner.crawl.urls import is_html_content_type


@dataclass(frozen=True)
class VisitTiming:
    settle_s: float = 2.0  # --settle: quiet time after scrolling so late tags fire
    quiet_ms: int = 500  # network counts as quiet after this long without a request starting or ending
    quiet_cap_s: float = 5.0  # never wait longer than this for quiet
    scroll_steps: int = 12


@dataclass(frozen=True)
class VisitBudget:
    """Deadlines of one visit. ``call_s`` bounds any one browser call (navigation included: that is
    ``--timeout``); ``visit_s`` the whole visit: navigation, two quiet waits, scrolling, settle, reading
    the evidence, and a margin."""

    call_s: float
    visit_s: float

    @classmethod
    def of(cls, timeout_s: float, timing: VisitTiming) -> VisitBudget:
        scrolling = timing.scroll_steps * 0.1 + timeout_s
        return cls(
            call_s=timeout_s,
            visit_s=2 * timeout_s + 2 * timing.quiet_cap_s + scrolling + timing.settle_s + 2.0 + timeout_s,
        )


class PageStalled(Exception):
    """A browser call of the visit did not answer within its deadline."""


async def bounded(awaitable: Any, seconds: float, what: str) -> Any:
    try:
        return await asyncio.wait_for(awaitable, seconds)
    except TimeoutError:
        raise PageStalled(f"{what} did not answer within {seconds:g} s") from None


SCROLL_STEP = """() => {
  const before = window.scrollY;
  window.scrollBy(0, Math.max(200, Math.floor(window.innerHeight * 0.9)));
  const el = document.scrollingElement || document.documentElement;
  const bottom = window.scrollY + window.innerHeight >= el.scrollHeight - 2;
  return { moved: window.scrollY !== before, bottom };
}"""

# HTML anchors and areas give a resolved string; SVG anchors an SVGAnimatedString (resolved here).
LINKS = """() => {
  const out = [];
  for (const a of document.querySelectorAll('a[href], area[href], a[*|href]')) {
    let href = a.href;
    if (href && typeof href === "object") {
      try { href = new URL(String(href.baseVal || ""), document.baseURI).href; } catch (e) { href = null; }
    }
    if (typeof href === "string" && href) out.push(href);
    if (out.length >= 5000) break;
  }
  return out;
}"""


class NetworkActivity:
    """In-flight request count and last activity time of one visit (fed by the crawler's router)."""

    def __init__(self) -> None:
        self.inflight = 0
        self.last = time.monotonic()

    def started(self) -> None:
        self.inflight += 1
        self.last = time.monotonic()

    def ended(self) -> None:
        self.inflight = max(0, self.inflight - 1)
        self.last = time.monotonic()

    async def wait_quiet(self, quiet_ms: int, cap_s: float) -> None:
        deadline = time.monotonic() + cap_s
        while time.monotonic() < deadline:
            idle = (time.monotonic() - self.last) * 1000
            if self.inflight == 0 and idle >= quiet_ms:
                return
            await asyncio.sleep(0.05)


async def scroll_to_bottom(page: Any, steps: int, call_s: float) -> None:
    for _ in range(steps):
        try:
            state = await bounded(page.evaluate(SCROLL_STEP), call_s, "scrolling")
        except PageStalled:
            raise
        except Exception:  # noqa: BLE001 - page navigated away or closed
            return
        if state.get("bottom") or not state.get("moved"):
            return
        await asyncio.sleep(0.1)


def _note_document(page: Any, response: Any, documents: list[Any]) -> None:
    try:
        if response.frame is page.main_frame and response.request.is_navigation_request():
            documents.append(response)
    except Exception:  # noqa: BLE001 - a detached frame: not the page's document
        pass


async def run_visit(
    visit: Visit,
    collectors: list[Collector],
    activity: NetworkActivity,
    timing: VisitTiming,
    budget: VisitBudget,
) -> tuple[dict, list[str]]:
    """Navigate, wait, collect. Returns (page record, links found). Never raises for page problems.

    The record is built in ``visit.state["record"]`` as the visit goes, so a visit stopped by the
    crawler's hard cap still leaves what it had."""
    page = visit.page
    call_s = budget.call_s
    started = datetime.now(UTC)
    t0 = time.monotonic()
    record: dict = {
        "url": visit.target.url,
        "depth": visit.target.depth,
        "referrer": visit.target.referrer,
        "source": visit.target.source,
        "started_at": started.isoformat(timespec="seconds").replace("+00:00", "Z"),
    }
    visit.state["record"] = record
    page.on("crash", lambda _page: visit.state.__setitem__("crashed", True))
    for c in collectors:
        try:
            await bounded(c.start(visit), call_s, f"{c.name} start")
        except Exception as exc:  # noqa: BLE001 - this collector misses this page; the visit goes on
            visit.fail(c.name, "start", exc)
    links: list[str] = []
    response = None
    documents: list[Any] = []  # the main frame's document responses, for a load that never ends
    page.on("response", lambda r: _note_document(page, r, documents))
    record["nav_started_at"] = time.time()  # the zero of the page's timeline (scanner.timeline)
    try:
        # Playwright's own navigation timeout is --timeout; the outer bound catches a hung driver.
        response = await bounded(page.goto(visit.target.url, wait_until="load"), call_s + 5, "navigation")
    except Exception as exc:  # noqa: BLE001 - recorded on the page, the crawl goes on
        kind, explanation = classify_navigation_error(exc)
        record["error"] = explanation
        record["error_kind"] = kind
        if kind == "timeout" and documents:  # the document came, its load event did not
            response = documents[-1]
    record["load_ms"] = int((time.monotonic() - t0) * 1000)
    if response is not None:
        record["status"] = response.status
        record["content_type"] = response.headers.get("content-type")
        if response.status >= 400:
            record.setdefault("error", f"HTTP {response.status}")
            record.setdefault("error_kind", "http_status")
        elif not is_html_content_type(record["content_type"]):
            record.setdefault("error", f"not an HTML page ({record['content_type']})")
            record.setdefault("error_kind", "not_html")
    record["final_url"] = page.url if page.url not in ("", "about:blank") else None
    try:
        if "error_kind" not in record or record["error_kind"] in ("timeout", "http_status"):
            await activity.wait_quiet(timing.quiet_ms, timing.quiet_cap_s)
            if "error_kind" not in record:
                await scroll_to_bottom(page, timing.scroll_steps, call_s)
                await activity.wait_quiet(timing.quiet_ms, timing.quiet_cap_s)
            if timing.settle_s > 0:
                await asyncio.sleep(timing.settle_s)
        try:
            record["title"] = (await bounded(page.title(), call_s, "reading the title"))[:1000]
        except PageStalled:
            raise
        except Exception as exc:  # noqa: BLE001
            visit.fail("visit", "title", exc)
        if "error_kind" not in record:
            try:
                found = await bounded(page.evaluate(LINKS), call_s, "reading the links")
                links = [u for u in found if isinstance(u, str)]
            except PageStalled:
                raise
            except Exception as exc:  # noqa: BLE001 - no links from this page; its evidence stays
                visit.fail("visit", "links", exc)
    except PageStalled as stalled:
        mark_unresponsive(visit, record, str(stalled))
    if visit.state.get("crashed"):
        record["error"] = "the page's renderer crashed (out of memory, or a browser bug the page hit)"
        record["error_kind"] = "crashed"
    # Let event handlers still reading bodies or headers finish (bounded), so no evidence is dropped.
    deadline = time.monotonic() + 2.0
    while visit.busy and time.monotonic() < deadline:
        await asyncio.sleep(0.02)
    # Collectors read independent things (jar, frames' storage, pixels): ask for them all at once,
    # each within the call deadline (a stalled renderer cannot answer storage reads or screenshots).
    # Those that still act on the page (the consent driver answering a banner) finish first, so the
    # others read what the page became.
    for group in finish_groups(collectors):
        finishing = [bounded(c.finish(visit), call_s, f"{c.name} finish") for c in group]
        results = await asyncio.gather(*finishing, return_exceptions=True)
        for c, outcome in zip(group, results, strict=True):
            if isinstance(outcome, BaseException):
                visit.fail(c.name, "finish", outcome)
    record["total_ms"] = int((time.monotonic() - t0) * 1000)
    return record, links


def finish_groups(collectors: list[Collector]) -> list[list[Collector]]:
    """Collectors in the order their ``finish`` runs: those that act on the page first, in their stage
    order (``finish_first``: the consent driver answers the banner at stage 0, then ``--probe-forms``
    types at stage 1, so a banner click never takes the focus from a field being typed), then together
    every collector that only reads the page."""
    stages: dict[int, list[Collector]] = {}
    for c in collectors:
        stage = getattr(c, "finish_stage", 0) if getattr(c, "finish_first", False) else 1_000
        stages.setdefault(stage, []).append(c)
    return [stages[s] for s in sorted(stages)]


def mark_unresponsive(visit: Visit, record: dict, why: str) -> None:
    """The page stopped answering (a script keeps its renderer busy): an error of this page."""
    visit.state["stalled"] = True
    record["error"] = f"the page stopped responding: {why} (a script kept the page busy?)"
    record["error_kind"] = "unresponsive"
