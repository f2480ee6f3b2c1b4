"""Several independent websites for ``scanner batch`` (tests/test_batch_*.py, bench/bench_batch.py).

Each good site has its own first-party domain and its own trackers (imitations from
scanner/fakenet/demo_tags.py) on a few pages linking to each other. Beside them:

- :data:`UNREACHABLE_HOST` is not in the world: with ``net.chromium_args()`` (``MAP * ~NOTFOUND``) its
  start page fails with ``ERR_NAME_NOT_RESOLVED``, so its scan ends with exit 3 (could not scan);
- :data:`HANG_HOST` accepts the connection and never answers its start page: only the batch's site
  timeout ends that job;
- :data:`CRASH_HOST`'s start page makes its scan die: the server, when it answers the page, kills the
  ``scanner scan`` process that is scanning this host with SIGKILL (what the kernel's OOM killer does
  to a scan that outgrew the machine). A page cannot do that from inside this Chromium: a renderer
  that crashes (out of memory, see chaos.py) is a page error the scan records, and a browser that dies
  is replaced (tests/test_browser_restart.py), so the scan ends normally; the batch's crash path (a scan
  killed by a signal, retried once with lighter settings) needs the scan process itself to die.
  It kills ``crashes`` times (default once), so the lighter retry finds the site working.

``variant="b"`` is the same world a month later: www.alpha-news.com dropped the Facebook pixel and
added Criteo, the other sites are unchanged (for the history's trend and matrix across campaigns).
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import replace
from pathlib import Path

from scanner.fakenet.demo import PageSpec, build_world
from scanner.fakenet.demo_tags import BING, CRITEO, FACEBOOK, GA4, GOOGLE_ADS, LINKEDIN, QUANTCAST
from scanner.fakenet.site import Handler, RequestInfo, Response
from scanner.fakenet.tracking import Tag

ALPHA = "www.alpha-news.com"
BRAVO = "www.bravo-shop.com"
CHARLIE = "www.charlie-blog.com"
UNREACHABLE_HOST = "www.delta-gone.com"
HANG_HOST = "www.echo-hangs.com"
CRASH_HOST = "www.foxtrot-crash.com"

# The trackers of each good site, per variant.
SITE_TAGS: dict[str, dict[str, tuple[Tag, ...]]] = {
    "a": {ALPHA: (GA4, FACEBOOK), BRAVO: (BING, LINKEDIN), CHARLIE: (GOOGLE_ADS, QUANTCAST)},
    "b": {ALPHA: (GA4, CRITEO), BRAVO: (BING, LINKEDIN), CHARLIE: (GOOGLE_ADS, QUANTCAST)},
}
# For the bench: the tag sets its generated sites take in turn.
BENCH_TAGS: tuple[tuple[Tag, ...], ...] = (
    (GA4, FACEBOOK),
    (BING, LINKEDIN),
    (GOOGLE_ADS, QUANTCAST),
    (CRITEO,),
)
HANG_S = 3600.0


def site_pages(host: str, tags: tuple[Tag, ...], pages: int) -> tuple[PageSpec, ...]:
    """``pages`` pages of one site: the home page links to every other page, each links home."""
    paths = ["/", *(f"/page-{i}" for i in range(1, pages))]
    specs = []
    for path in paths:
        links = tuple((p, f"Page {p}") for p in paths if p != path) if path == "/" else (("/", "Home"),)
        title = f"{host} {path}"
        specs.append(PageSpec(f"https://{host}{path}", title, tags, links, f"A page of {host}."))
    return tuple(specs)


class Crasher:
    """The start page of :data:`CRASH_HOST`: kills the scan of this host (SIGKILL) the first
    ``crashes`` times it is asked for, then serves an ordinary page."""

    def __init__(self, crashes: int = 1) -> None:
        self.crashes = crashes
        self.killed: list[int] = []  # pids of the scans it killed
        self.lock = threading.Lock()

    def __call__(self, request: RequestInfo) -> Response:
        with self.lock:
            if len(self.killed) < self.crashes:
                for pid in scan_processes(CRASH_HOST):
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        continue
                    self.killed.append(pid)
                    return Response.html("<title>crash</title>", status=500)
        return Response.html(f"<!doctype html><title>{CRASH_HOST}</title><h1>Back again</h1>")


def scan_processes(host: str, under: str | None = None) -> list[int]:
    """Pids of the ``scanner scan`` processes on this machine whose start URL is on ``host`` (and, with
    ``under``, whose command line names that folder, e.g. their campaign's); Linux: /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            argv = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        words = [a.decode("utf-8", "replace") for a in argv]
        if under is not None and not any(under in w for w in words):
            continue
        if "scanner" in words and "scan" in words and any(f"://{host}/" in w for w in words):
            found.append(int(entry.name))
    return found


def batch_world(variant: str = "a", pages: int = 3, crashes: int = 1) -> dict[str, Handler]:
    """The three good sites (``pages`` pages each), the hanging host and the crashing host."""
    if variant not in SITE_TAGS:
        raise ValueError(f"variant must be one of {', '.join(SITE_TAGS)}")
    specs = tuple(spec for host, tags in SITE_TAGS[variant].items() for spec in site_pages(host, tags, pages))
    hang = replace(Response.html("<title>never</title>"), delay_s=HANG_S)
    world = build_world(specs, {HANG_HOST: {"*": hang}, CRASH_HOST: {"/": Crasher(crashes)}})
    return dict(world)


def bench_world(sites: int = 20, pages: int = 5) -> dict[str, Handler]:
    """``sites`` good sites ``www.bench-site-<i>.com`` of ``pages`` pages each (bench/bench_batch.py)."""
    specs = tuple(
        spec
        for i in range(sites)
        for spec in site_pages(bench_host(i), BENCH_TAGS[i % len(BENCH_TAGS)], pages)
    )
    return dict(build_world(specs, {}))


def bench_host(i: int) -> str:
    return f"www.bench-site-{i:02d}.com"


def good_sites(variant: str = "a") -> list[str]:
    return [f"https://{host}/" for host in SITE_TAGS[variant]]
