"""Seed URLs from robots.txt ``Sitemap:`` lines and ``/sitemap.xml`` (sitemap indexes followed, bounded).

Fetched from inside the scan's own page (so the browser's host resolution and TLS settings apply) with
``credentials: "omit"``: the fetches neither send nor store cookies, so they leave no trace in the audit.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any
from urllib.parse import urljoin, urlsplit

from bs4 import BeautifulSoup

FETCH_TEXT = """async (url) => {
  try {
    const r = await fetch(url, { credentials: "omit", redirect: "follow", cache: "no-store" });
    if (!r.ok) return null;
    const text = await r.text();
    return text.slice(0, 5000000);
  } catch (e) { return null; }
}"""

MAX_SITEMAPS = 10


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


async def discover(page: Any, start_url: str, limit: int) -> list[str]:
    """Page URLs listed by the site's sitemaps (same origin only: the browser enforces CORS)."""
    origin = "{0.scheme}://{0.netloc}".format(urlsplit(start_url))

    async def fetch(url: str) -> str | None:
        if not url.startswith(origin + "/"):
            return None
        with contextlib.suppress(Exception):
            return await page.evaluate(FETCH_TEXT, url)
        return None

    queue = []
    robots = await fetch(origin + "/robots.txt")
    if robots:
        queue.extend(sitemaps_from_robots(robots, origin + "/"))
    if origin + "/sitemap.xml" not in queue:
        queue.append(origin + "/sitemap.xml")
    found: list[str] = []
    fetched = 0
    while queue and fetched < MAX_SITEMAPS and len(found) < limit:
        url = queue.pop(0)
        fetched += 1
        xml = await fetch(url)
        if not xml or "<loc" not in xml:
            continue
        pages, nested = parse_sitemap(xml)
        found.extend(pages[: limit - len(found)])
        queue.extend(n for n in nested if n not in queue)
    return found
