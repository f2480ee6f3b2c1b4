"""A viewport screenshot of each visited page (JPEG, small enough to embed as a thumbnail)."""

from __future__ import annotations

from pathlib import Path

from scanner.collect.base import Collector, Visit


class ScreenshotCollector(Collector):
    name = "screenshot"

    def __init__(self, folder: Path, prefix: str = "") -> None:
        self.folder = Path(folder)
        self.prefix = prefix  # e.g. "accept-": a consent pass's visits count from 1 again

    async def finish(self, visit: Visit) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = f"{self.prefix}{visit.index:04d}.jpg"
        await visit.page.evaluate("window.scrollTo(0, 0)")
        await visit.page.screenshot(path=str(self.folder / name), type="jpeg", quality=60, timeout=10000)
        visit.state[self.name] = f"{self.folder.name}/{name}"

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        path = visit.state.get(self.name)
        return {"screenshot": [path]} if path else {}
