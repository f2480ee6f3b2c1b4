"""Breadth-first frontier with de-duplication, depth/page limits and crawl-trap bounds."""

from __future__ import annotations

from collections import Counter, deque
from urllib.parse import urlsplit

from scanner.crawl.urls import looks_like_non_html, url_key, visit_url
from scanner.scope import Scope, Target


class Frontier:
    """Decides which URLs get visited, in breadth-first order.

    A URL is seen once per de-duplication key (``url_key``); the target handed out carries the URL as it
    was given (``visit_url``), which is what the browser navigates to.

    Traps are bounded two ways: at most ``max_query_variants`` distinct query strings per path (endless
    calendars, search pages, session ids in URLs), and no path whose segments repeat more than
    ``max_repeated_segment`` times (``/a/b/a/b/a/b``) or that is deeper than ``max_path_segments``.
    """

    def __init__(
        self,
        scope: Scope,
        *,
        max_depth: int = 3,
        max_pages: int = 50,
        max_query_variants: int = 5,
        max_repeated_segment: int = 3,
        max_path_segments: int = 20,
    ) -> None:
        self.scope = scope
        self.max_depth = max_depth
        self.max_pages = max_pages
        self.max_query_variants = max_query_variants
        self.max_repeated_segment = max_repeated_segment
        self.max_path_segments = max_path_segments
        self._queue: deque[Target] = deque()
        self._seen: set[str] = set()
        self._variants: Counter[tuple[str, str]] = Counter()
        self.handed_out = 0
        self.skipped: Counter[str] = Counter()

    def add(self, url: str, depth: int, referrer: str | None = None, source: str = "link") -> bool:
        visit = visit_url(url, referrer)
        normal = url_key(visit) if visit is not None else None
        if visit is None or normal is None:
            self.skipped["not http(s)"] += 1
            return False
        if normal in self._seen:
            return False
        if depth > self.max_depth:
            self.skipped["beyond max depth"] += 1
            return False
        if not self.scope.contains(normal):
            self.skipped["out of scope"] += 1
            return False
        if source == "seed":  # the user asked for it: visit it and say what it is
            self._seen.add(normal)
            self._queue.append(Target(visit, depth, referrer, source, key=normal))
            return True
        if looks_like_non_html(normal):
            self._seen.add(normal)
            self.skipped["not HTML"] += 1
            return False
        if self._is_trap(normal):
            self._seen.add(normal)
            self.skipped["crawl trap"] += 1
            return False
        self._seen.add(normal)
        self._queue.append(Target(visit, depth, referrer, source, key=normal))
        return True

    def mark_seen(self, url: str) -> None:
        """A URL reached by redirect: do not visit it again."""
        normal = url_key(url)
        if normal:
            self._seen.add(normal)

    def mark_visited(self, url: str) -> None:
        """A page an earlier run of this crawl visited (``--resume``): seen, and counted as handed out."""
        self.mark_seen(url)
        self.handed_out += 1

    def _is_trap(self, url: str) -> bool:
        parts = urlsplit(url)
        segments = [s for s in parts.path.split("/") if s]
        if len(segments) > self.max_path_segments:
            return True
        if segments and max(Counter(segments).values()) > self.max_repeated_segment:
            return True
        if parts.query:
            key = (parts.netloc, parts.path)
            if self._variants[key] >= self.max_query_variants:
                return True
            self._variants[key] += 1
        return False

    def pop(self) -> Target | None:
        if self.handed_out >= self.max_pages or not self._queue:
            return None
        self.handed_out += 1
        return self._queue.popleft()

    def give_back(self, target: Target) -> None:
        """A target handed out but never visited (the browser went away first): it is next again."""
        self.handed_out -= 1
        self._queue.appendleft(target)

    def __len__(self) -> int:
        return len(self._queue)
