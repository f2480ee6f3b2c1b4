"""Seed URLs from robots.txt ``Sitemap:`` lines and ``/sitemap.xml`` (sitemap indexes followed, bounded).

The scanner's own fetches are out of band, never evidence: they run in a tab of their own that no visit
owns (so nothing it loads is recorded), whose document is a blank one the scanner supplies for the
site's origin (so no site script runs there and none can see or answer the fetches), with the site's
service workers bypassed, no cookies sent or stored, and the HTTP cache left alone. Each file is read
up to MAX_BYTES within FETCH_TIMEOUT_S; the whole discovery stops after TOTAL_TIMEOUT_S.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import deque
from collections.abc import Iterable
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

from scanner.visitor import Presentation, present

log = logging.getLogger("scanner.crawl")

MAX_SITEMAPS = 10
MAX_BYTES = 5_000_000
FETCH_TIMEOUT_S = 15.0
TOTAL_TIMEOUT_S = 40.0
BLANK_PATH = "/.well-known/scanner-blank-document"  # answered by the scanner, never sent to the site

# Reads a same-origin text file: no cookies, no cache, aborted after `ms`, at most `max` bytes
# (a longer file is cut there and parsed as far as it goes).
FETCH_TEXT = """async ([url, ms, max]) => {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), ms);
  try {
    const r = await fetch(url, { credentials: "omit", redirect: "follow", cache: "no-store",
                                 signal: abort.signal });
    if (!r.ok || !r.body) return null;
    const reader = r.body.getReader();
    const chunks = [];
    let size = 0;
    while (size < max) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      size += value.length;
    }
    reader.cancel().catch(() => {});
    const bytes = new Uint8Array(Math.min(size, max));
    let at = 0;
    for (const c of chunks) {
      const part = c.subarray(0, bytes.length - at);
      bytes.set(part, at);
      at += part.length;
      if (at >= bytes.length) break;
    }
    return new TextDecoder().decode(bytes);
  } catch (e) {
    return null;
  } finally {
    clearTimeout(timer);
  }
}"""


def sitemaps_from_robots(robots: str, base: str) -> list[str]:
    out = []
    for line in robots.splitlines():
        m = re.match(r"\s*sitemap\s*:\s*(\S+)", line, re.IGNORECASE)
        if m:
            out.append(urljoin(base, m.group(1)))
    return out


def parse_sitemap(xml: str) -> tuple[list[str], list[str]]:
    """(page URLs, nested sitemap URLs) of a sitemap or sitemap index; tolerant of bad XML."""
    soup = BeautifulSoup(xml, "xml")
    pages, nested = [], []
    for loc in soup.find_all("loc"):
        url = loc.get_text(strip=True)
        if not url:
            continue
        parent = loc.parent.name.lower() if loc.parent is not None and loc.parent.name else ""
        (nested if parent == "sitemap" else pages).append(url)
    return pages, nested


async def discover(context: Any, start_url: str, limit: int, who: Presentation | None = None) -> list[str]:
    """Page URLs listed by the site's sitemaps (same origin only: the browser enforces CORS), fetched
    out of band in ``context`` (see the module's docstring). Never raises; [] when nothing is found."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start_url))
    page = None
    try:
        page = await context.new_page()
        async with asyncio.timeout(TOTAL_TIMEOUT_S):
            await _blank_origin(page, origin, who)
            return await _walk(page, origin, limit)
    except Exception as exc:  # noqa: BLE001 - no sitemap seeds is not an error of the scan
        log.info("sitemap discovery for %s stopped: %s", origin, exc or type(exc).__name__)
        return []
    finally:
        if page is not None:
            with contextlib.suppress(Exception):
                await page.close()


async def _blank_origin(page: Any, origin: str, who: Presentation | None = None) -> None:
    """Give ``page`` an empty document of ``origin`` without asking the site for it; its fetches
    present the scan's visitor (``who``)."""
    with contextlib.suppress(Exception):  # not Chromium: the route below still keeps the site out
        cdp = await page.context.new_cdp_session(page)
        await cdp.send("Network.setBypassServiceWorker", {"bypass": True})
        await present(cdp, who)

    async def blank(route: Any) -> None:
        await route.fulfill(status=200, content_type="text/html", body="<!doctype html><title></title>")

    await page.route(origin + BLANK_PATH, blank)
    await page.goto(origin + BLANK_PATH, wait_until="commit", timeout=FETCH_TIMEOUT_S * 1000)


class SitemapWalk:
    """Which sitemaps to fetch next and which page URLs were found, each kept once.

    Lookups are in sets and the queue is a deque, so a chain of sitemap indexes or a sitemap of many
    repeated URLs costs time linear in what was read. At most ``max_sitemaps`` files are fetched and at
    most ``limit`` distinct page URLs kept.
    """

    def __init__(self, limit: int, max_sitemaps: int = MAX_SITEMAPS) -> None:
        self.limit = limit
        self.max_sitemaps = max_sitemaps
        self.fetched = 0
        self._queue: deque[str] = deque()
        self._queued: set[str] = set()
        self._pages: dict[str, None] = {}

    @property
    def pages(self) -> list[str]:
        return list(self._pages)

    def add_sitemaps(self, urls: Iterable[str]) -> None:
        for url in urls:
            if url not in self._queued:
                self._queued.add(url)
                self._queue.append(url)

    def add_pages(self, urls: Iterable[str]) -> None:
        for url in urls:
            if len(self._pages) >= self.limit:
                return
            self._pages.setdefault(url, None)

    def next_sitemap(self) -> str | None:
        if not self._queue or self.fetched >= self.max_sitemaps or len(self._pages) >= self.limit:
            return None
        self.fetched += 1
        return self._queue.popleft()

    def read(self, xml: str | None) -> None:
        """Take in one fetched sitemap (or index); anything that is not one is ignored."""
        if not xml or "<loc" not in xml:
            return
        pages, nested = parse_sitemap(xml)
        self.add_pages(pages)
        self.add_sitemaps(nested)


async def _walk(page: Any, origin: str, limit: int) -> list[str]:
    async def fetch(url: str) -> str | None:
        if not url.startswith(origin + "/"):
            return None
        with contextlib.suppress(Exception):
            args = [url, int(FETCH_TIMEOUT_S * 1000), MAX_BYTES]
            return await page.evaluate(FETCH_TEXT, args)
        return None

    walk = SitemapWalk(limit)
    robots = await fetch(origin + "/robots.txt")
    if robots:
        walk.add_sitemaps(sitemaps_from_robots(robots, origin + "/"))
    walk.add_sitemaps([origin + "/sitemap.xml"])
    while (url := walk.next_sitemap()) is not None:
        walk.read(await fetch(url))
    return walk.pages
