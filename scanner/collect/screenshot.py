"""A viewport screenshot of each visited page (JPEG), and a small thumbnail of it for the report.

The thumbnail is the same viewport taken again by the browser at a fraction of its size (DevTools'
``Page.captureScreenshot`` with a scaled clip: nothing runs in the page and no image library is needed).
It is small enough (a few kB) for report.html to embed as a ``data:`` URI, so the report alone shows
every page's thumbnail wherever it is moved; the full screenshot stays a file of the scan folder.
"""

from __future__ import annotations

import asyncio
import base64
from pathlib import Path

from scanner.collect.base import Collector, Visit

QUALITY = 60  # the full screenshot
THUMB_WIDTH = 240  # px: the report shows 160 CSS px, so 1.5x for high-density screens
THUMB_QUALITY = 45
THUMB_TIMEOUT_S = 10.0


def thumbnail_name(name: str) -> str:
    """``0001.jpg`` -> ``0001-thumb.jpg``."""
    stem, dot, ext = name.rpartition(".")
    return f"{stem}-thumb.{ext}" if dot else f"{name}-thumb"


async def capture_thumbnail(cdp, viewport: dict | None, path: Path) -> None:
    """The current viewport scaled to THUMB_WIDTH px wide, as JPEG at ``path`` (over DevTools)."""
    width = float((viewport or {}).get("width") or 1366)
    height = float((viewport or {}).get("height") or 900)
    shot = await asyncio.wait_for(
        cdp.send(
            "Page.captureScreenshot",
            {
                "format": "jpeg",
                "quality": THUMB_QUALITY,
                "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": THUMB_WIDTH / width},
            },
        ),
        THUMB_TIMEOUT_S,
    )
    path.write_bytes(base64.b64decode(shot["data"]))


class ScreenshotCollector(Collector):
    name = "screenshot"

    def __init__(self, folder: Path, prefix: str = "") -> None:
        self.folder = Path(folder)
        self.prefix = prefix  # e.g. "accept-": a consent pass's visits count from 1 again

    async def finish(self, visit: Visit) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.prefix}{visit.index:04d}.jpg"
        await visit.page.evaluate("window.scrollTo(0, 0)")
        await visit.page.screenshot(path=str(self.folder / name), type="jpeg", quality=QUALITY, timeout=10000)
        visit.state[self.name] = f"{self.folder.name}/{name}"
        if visit.cdp is None:
            return
        thumb = thumbnail_name(name)
        try:
            await capture_thumbnail(visit.cdp, visit.page.viewport_size, self.folder / thumb)
        except Exception as exc:  # noqa: BLE001 - the full screenshot is there; the report falls back to it
            visit.fail(self.name, "thumbnail", exc)
            return
        visit.state[self.name + ".thumbnail"] = f"{self.folder.name}/{thumb}"

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        path = visit.state.get(self.name)
        if not path:
            return {}
        thumb = visit.state.get(self.name + ".thumbnail")
        return {"screenshot": [path], **({"thumbnail": [thumb]} if thumb else {})}
