"""Breadth-first frontier with de-duplication, depth/page limits and crawl-trap bounds, and the account of
what the crawl covered (``Frontier.coverage``)."""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable
from urllib.parse import urlsplit

from scanner.crawl.exclude import Exclusions
from scanner.crawl.urls import looks_like_non_html, url_key, visit_url
from scanner.errors import BadInput
from scanner.model import STOP_REASONS, Coverage
from scanner.scope import Scope, Target

MAX_SKIPPED_SAMPLE = 50  # unvisited pages listed in Coverage.skipped (the counts are totals)


class Frontier:
    """Decides which URLs get visited, in breadth-first order.

    A URL is seen once per de-duplication key (``url_key``); the target handed out carries the URL as it
    was given (``visit_url``), which is what the browser navigates to.

    Traps are bounded two ways: at most ``max_query_variants`` distinct query strings per path (endless
    calendars, search pages, session ids in URLs), and no path whose segments repeat more than
    ``max_repeated_segment`` times (``/a/b/a/b/a/b``) or that is deeper than ``max_path_segments``.

    It also keeps the crawl's coverage: every in-scope page discovered (queued, or held back by the depth
    limit or a trap bound), which of them were visited (``done``), and the distinct links outside the
    scope or to files that are not pages; ``coverage()`` sums it up.
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
        exclude: Exclusions | None = None,
    ) -> None:
        self.scope = scope
        self.exclude = exclude if exclude is not None else Exclusions()  # logout links and --exclude
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
        # Coverage, by key: in-scope pages discovered (key -> URL as given), those held back and why
        # (max_depth | trap), those visited and which of them failed; links outside the scope and to files.
        self._found: dict[str, str] = {}
        self._held: dict[str, str] = {}
        self._done: set[str] = set()
        self._failed: set[str] = set()
        self._outside: set[str] = set()
        self._files: set[str] = set()
        self._excluded: set[str] = set()
        self._out: set[str] = set()  # handed out (in flight when a crawl stops: not left by --max-pages)

    def add(self, url: str, depth: int, referrer: str | None = None, source: str = "link") -> bool:
        visit = visit_url(url, referrer)
        normal = url_key(visit) if visit is not None else None
        if visit is None or normal is None:
            self.skipped["not http(s)"] += 1
            return False
        if normal in self._seen:
            return False
        if not self.scope.contains(normal):
            self.skipped["out of scope"] += 1
            self._outside.add(normal)
            return False
        if source != "seed" and self.exclude.matches(visit):  # never followed (scanner.crawl.exclude)
            self._seen.add(normal)
            self._excluded.add(normal)
            self.skipped["excluded"] += 1
            return False
        if source != "seed" and looks_like_non_html(normal):
            self._seen.add(normal)
            self._files.add(normal)
            self.skipped["not HTML"] += 1
            return False
        if depth > self.max_depth:  # not seen: a shorter path may still lead to it
            self.skipped["beyond max depth"] += 1
            self._found.setdefault(normal, visit)
            self._held.setdefault(normal, "max_depth")
            return False
        if source != "seed" and self._is_trap(normal):  # the user asked for a seed: visit it
            self._seen.add(normal)
            self._found.setdefault(normal, visit)
            self._held[normal] = "trap"
            self.skipped["crawl trap"] += 1
            return False
        self._seen.add(normal)
        self._found.setdefault(normal, visit)
        self._held.pop(normal, None)
        self._queue.append(Target(visit, depth, referrer, source, key=normal))
        return True

    def found(self, url: str) -> None:
        """A start URL: discovered before the crawl hands anything out, so a scan stopped before (or
        during) its first visit still counts the pages it was asked for. Not queued (``add`` does that)."""
        visit = visit_url(url, None)
        normal = url_key(visit) if visit is not None else None
        if normal is not None and self.scope.contains(normal):
            self._found.setdefault(normal, visit)

    def mark_seen(self, url: str) -> None:
        """A URL reached by redirect: do not visit it again."""
        normal = url_key(url)
        if normal:
            self._seen.add(normal)

    def mark_visited(self, url: str, *, failed: bool = False) -> None:
        """A page an earlier run of this crawl visited (``--resume``): seen, and counted as handed out."""
        self.mark_seen(url)
        self.handed_out += 1
        self.done(url, failed=failed)

    def done(self, url: str, *, failed: bool = False) -> None:
        """The visit of ``url`` (a target's URL) finished and was saved; ``failed``: it ended in an error."""
        normal = url_key(url)
        if not normal:
            return
        self._found.setdefault(normal, url)
        self._held.pop(normal, None)
        self._done.add(normal)
        if failed:
            self._failed.add(normal)
        else:
            self._failed.discard(normal)

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
        target = self._queue.popleft()
        self._out.add(target.key or "")
        return target

    def give_back(self, target: Target) -> None:
        """A target handed out but never visited (the browser went away first): it is next again."""
        self.handed_out -= 1
        self._out.discard(target.key or "")
        self._queue.appendleft(target)

    def __len__(self) -> int:
        return len(self._queue)

    def coverage(self, stopped: str | None = None, *, recovered: bool = False) -> Coverage:
        """What the crawl covered so far. ``stopped``: "interrupted" or "errors" when the crawl did not end
        by itself; a page left queued is then unvisited for that reason, unless --max-pages was reached."""
        if stopped not in (None, "interrupted", "errors"):
            raise ValueError(f"not a reason a crawl is stopped: {stopped!r}")
        limit_reached = self.handed_out >= self.max_pages
        why: dict[str, list[str]] = {}
        for key, url in self._found.items():
            if key in self._done:
                continue
            cut = limit_reached and key not in self._out
            reason = self._held.get(key) or ("max_pages" if cut else stopped or "interrupted")
            why.setdefault(reason, []).append(url)
        reasons = set(why) | ({stopped} if stopped else set())
        stopped_by = tuple(r for r in STOP_REASONS if r in reasons) or ("complete",)
        total = sum(map(len, why.values()))
        visited = len(self._done)
        return Coverage(
            discovered=visited + total,
            visited=visited,
            failed=len(self._failed),
            not_visited=total,
            not_visited_by={r: len(why[r]) for r in STOP_REASONS if r in why},
            out_of_scope=len(self._outside),
            not_html=len(self._files),
            excluded=len(self._excluded),
            stopped_by=stopped_by,
            skipped=tuple(_sample(why, MAX_SKIPPED_SAMPLE)),
            skipped_total=total,
            recovered=recovered,
        )


def _sample(why: dict[str, list[str]], limit: int) -> list[dict]:
    """Up to ``limit`` of the unvisited pages, taken in turn from each reason (so every reason shows),
    each reason's in the order they were found."""
    lists = [(r, why[r]) for r in STOP_REASONS if r in why]
    out: list[dict] = []
    index = 0
    while len(out) < limit and any(index < len(urls) for _, urls in lists):
        for reason, urls in lists:
            if index < len(urls) and len(out) < limit:
                out.append({"url": urls[index], "why": reason})
        index += 1
    return out


def replay(frontier: Frontier, visits: Iterable[dict], seeds: Iterable[str] = ()) -> tuple[int, bool]:
    """Put a crawl's saved visits (``pages.jsonl``, in order) back into ``frontier`` as the crawl had them:
    their pages visited (a page saved with an error counted as failed), then the ``seeds`` (start URLs)
    not visited yet, the sitemap entries and the links each page found, queued at the depth the crawl gave
    them. ``--resume`` continues from there; ``scanner report`` of a killed scan sums up its coverage.
    Seeds are queued only when a visit was replayed (without one, the crawl starts over from them).
    Returns (visits replayed, whether they carry the sitemap's entries)."""
    done: list[tuple[dict, list, list]] = []
    sitemap_known = False
    for visit in visits:
        page = visit.get("page") if isinstance(visit, dict) else None
        if not isinstance(page, dict) or not isinstance(page.get("url"), str):
            continue
        done.append((page, list(visit.get("links") or []), list(visit.get("sitemap_links") or [])))
        sitemap_known = sitemap_known or "sitemap_links" in visit
    for page, _, _ in done:
        frontier.mark_visited(page["url"], failed=page.get("error") is not None)
        if page.get("final_url"):
            frontier.mark_seen(page["final_url"])
    if done:
        for url in dict.fromkeys(seeds):
            frontier.add(url, 0, source="seed")
    for page, links, sitemap_links in done:
        for url in sitemap_links:
            frontier.add(url, 1, referrer=None, source="sitemap")
        depth = int(page.get("depth") or 0) + 1
        for link in links:
            frontier.add(link, depth, referrer=page.get("final_url") or page["url"])
    return len(done), sitemap_known


def recovered_coverage(
    start_urls: Iterable[str], scope: Scope, options: dict, visits: Iterable[dict], stopped: str | None
) -> Coverage:
    """The coverage of a crawl that stopped before saving it, rebuilt from its saved ``visits`` with the
    limits it ran with (``options``: ``scan-meta.json``'s ``meta.options``). Marked ``recovered``."""
    limits = {
        name: value
        for name in ("max_depth", "max_pages", "max_query_variants")
        if isinstance(value := options.get(name), int) and not isinstance(value, bool)
    }
    saved = options.get("exclude")
    patterns = [p for p in saved if isinstance(p, str)] if isinstance(saved, list) else []
    try:
        exclude = Exclusions(patterns)
    except BadInput:  # a saved pattern that no longer compiles: the default exclusions only
        exclude = Exclusions()
    frontier = Frontier(scope, **limits, exclude=exclude)
    replay(frontier, visits, start_urls)
    for url in dict.fromkeys(start_urls):  # no visit was saved: the start URLs are all it had found
        frontier.add(url, 0, source="seed")
    return frontier.coverage(stopped, recovered=True)
