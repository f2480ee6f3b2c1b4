"""localStorage and sessionStorage keys of every frame of the page (cross-origin iframes included)."""

from __future__ import annotations

import asyncio
from urllib.parse import urlsplit

from scanner.collect.base import Collector, Visit, value_hash
from scanner.domains import registrable_domain

READ_STORAGE = """() => {
  const dump = (store) => {
    const out = [];
    try {
      for (let i = 0; i < store.length && i < 1000; i++) {
        const key = store.key(i);
        out.push([key, String(store.getItem(key))]);
      }
    } catch (e) {}
    return out;
  };
  let local = [], session = [];
  try { local = dump(window.localStorage); } catch (e) {}
  try { session = dump(window.sessionStorage); } catch (e) {}
  return { origin: location.origin, local, session };
}"""


class StorageCollector(Collector):
    name = "storage"

    def __init__(self, *, keep_values: bool = False) -> None:
        self.keep_values = keep_values

    async def start(self, visit: Visit) -> None:
        visit.state[self.name] = []

    async def finish(self, visit: Visit) -> None:
        seen: set[tuple[str, str, str]] = set()
        frames = [f for f in visit.page.frames if f.url.startswith(("http://", "https://"))]
        dumps = await asyncio.gather(*(f.evaluate(READ_STORAGE) for f in frames), return_exceptions=True)
        for frame, dump in zip(frames, dumps, strict=True):
            if isinstance(dump, BaseException):
                if not frame.is_detached():
                    visit.fail(self.name, f"storage of frame {frame.url[:200]}", dump)
                continue
            if not isinstance(dump, dict) or not str(dump.get("origin", "")).startswith("http"):
                continue
            origin = dump["origin"]
            host = urlsplit(origin).hostname or ""
            for kind in ("local", "session"):
                for key, value in dump.get(kind, []):
                    ident = (origin, kind, key)
                    if ident in seen:
                        continue
                    seen.add(ident)
                    visit.state[self.name].append(
                        {
                            "origin": origin,
                            "kind": kind,
                            "key": str(key)[:1000],
                            "page_url": visit.page_url,
                            "registrable_domain": registrable_domain(host),
                            "third_party": not visit.scope.contains_host(host),
                            "value_hash": value_hash(value),
                            "value_length": len(value),
                            "value": value if self.keep_values else None,
                        }
                    )

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        return {"storage": list(visit.state.get(self.name, []))}
