"""localStorage and sessionStorage keys of every frame of the page (cross-origin iframes included).

Two sources: what each frame holds when the page settled (read at the end), and every write as it
happens (the page's DevTools ``DOMStorage`` events): a cookie-sync or ad iframe that writes, posts a
message and is removed at once is gone before the end, but its writes were seen. A key written and
removed again is still evidence that it was written. At most ``MAX_WRITES`` distinct keys per visit are
taken from the events (a page writing more is noted on the visit).
"""

from __future__ import annotations

import asyncio
import time
from urllib.parse import urlsplit

from scanner.collect.base import Collector, Visit, value_hash
from scanner.domains import registrable_domain

MAX_WRITES = 2000  # distinct (origin, kind, key) a visit's storage events may add


def event_origin(storage_id: dict) -> str | None:
    """The origin of a ``DOMStorage.StorageId``: ``securityOrigin``, else the origin its ``storageKey``
    starts with (a partitioned key reads ``https://frame.test/^0https://top.test``)."""
    origin = storage_id.get("securityOrigin")
    if not isinstance(origin, str) or not origin:
        key = storage_id.get("storageKey")
        if not isinstance(key, str):
            return None
        origin = key.split("^", 1)[0]
    origin = origin.rstrip("/")
    parts = urlsplit(origin)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    return f"{parts.scheme}://{parts.netloc}"


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


WRITES = "storage.writes"
WRITTEN_AT = "storage.written_at"  # (origin, kind, key) -> when its first write event came (epoch s)
DROPPED = "storage.dropped"


class StorageCollector(Collector):
    name = "storage"

    def __init__(self, *, keep_values: bool = False) -> None:
        self.keep_values = keep_values

    async def start(self, visit: Visit) -> None:
        visit.state[self.name] = []
        writes: dict[tuple[str, str, str], str] = {}  # (origin, kind, key) -> last value written
        visit.state[WRITES] = writes
        written_at: dict[tuple[str, str, str], float] = {}
        visit.state[WRITTEN_AT] = written_at
        if visit.cdp is None:
            return

        def written(event: dict) -> None:
            storage_id = event.get("storageId") or {}
            origin = event_origin(storage_id) if isinstance(storage_id, dict) else None
            key = event.get("key")
            if origin is None or not isinstance(key, str):
                return
            ident = (origin, "local" if storage_id.get("isLocalStorage") else "session", key[:1000])
            if ident not in writes and len(writes) >= MAX_WRITES:
                visit.state[DROPPED] = visit.state.get(DROPPED, 0) + 1
                return
            value = event.get("newValue")
            writes[ident] = value if isinstance(value, str) else ""
            written_at.setdefault(ident, time.time())

        visit.cdp.on("DOMStorage.domStorageItemAdded", written)
        visit.cdp.on("DOMStorage.domStorageItemUpdated", written)
        await visit.cdp.send("DOMStorage.enable")

    async def finish(self, visit: Visit) -> None:
        seen: set[tuple[str, str, str]] = set()
        try:
            await self._read_frames(visit, seen)
        finally:
            # Writes seen as they happened, by frames gone since (or keys removed since).
            for (origin, kind, key), value in visit.state.get(WRITES, {}).items():
                if (origin, kind, key) not in seen:
                    seen.add((origin, kind, key))
                    self._add(visit, origin, kind, key, value)
            if dropped := visit.state.get(DROPPED):
                visit.fail(
                    self.name,
                    "storage events",
                    f"{dropped} more written keys unrecorded (at most {MAX_WRITES})",
                )

    def _add(self, visit: Visit, origin: str, kind: str, key: str, value: str) -> None:
        host = urlsplit(origin).hostname or ""
        key = str(key)[:1000]
        visit.state[self.name].append(
            {
                "origin": origin,
                "kind": kind,
                "key": key,
                "written_at": visit.state.get(WRITTEN_AT, {}).get((origin, kind, key)),
                "page_url": visit.page_url,
                "registrable_domain": registrable_domain(host),
                "third_party": not visit.scope.contains_host(host),
                "value_hash": value_hash(value),
                "value_length": len(value),
                "value": value if self.keep_values else None,
            }
        )

    async def _read_frames(self, visit: Visit, seen: set[tuple[str, str, str]]) -> None:
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
            for kind in ("local", "session"):
                for key, value in dump.get(kind, []):
                    ident = (origin, kind, str(key)[:1000])
                    if ident in seen:
                        continue
                    seen.add(ident)
                    self._add(visit, origin, kind, key, value)

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        return {"storage": list(visit.state.get(self.name, []))}
