"""A browser that stops answering (frozen) or goes away (killed) mid-crawl is replaced: the page being
visited is recorded with its error, the crawl goes on in a new browser, the restart is said in the
scan's errors, and the old browser is gone."""

from __future__ import annotations

import os
import signal

import psutil
import pytest
from conftest import scan

from scanner.fakenet import FakeInternet
from scanner.fakenet.site import RequestInfo, Response, Site

HOST = "www.restart-example.com"
GOOD = ("/a", "/b", "/c")


def _page(title: str, links: tuple[str, ...] = ()) -> Response:
    anchors = "".join(f'<a href="{href}">{href}</a> ' for href in links)
    return Response.html(f"<!doctype html><title>{title}</title><h1>{title}</h1><p>{anchors}</p>")


def _scan_browser() -> psutil.Process:
    """The newest Chromium browser process (not a renderer or helper) started by this test process."""
    browsers = [
        p
        for p in psutil.Process().children(recursive=True)
        if "chrom" in p.name() and not any(a.startswith("--type=") for a in p.cmdline())
    ]
    return max(browsers, key=lambda p: p.create_time())


class Saboteur:
    """Serves /break by stopping (SIGSTOP) or killing (SIGKILL) the browser that asked, once."""

    def __init__(self, sig: int) -> None:
        self.sig = sig
        self.victims: list[psutil.Process] = []

    def __call__(self, request: RequestInfo) -> Response:
        if not self.victims:
            victim = _scan_browser()
            self.victims.append(victim)
            os.kill(victim.pid, self.sig)
        return _page("Break", GOOD)


@pytest.mark.timeout(150)
@pytest.mark.parametrize("sig", [signal.SIGSTOP, signal.SIGKILL], ids=["frozen", "killed"])
def test_the_crawl_goes_on_in_a_new_browser(tmp_path, sig):
    saboteur = Saboteur(sig)
    routes = {"/": _page("Home", ("/break", *GOOD)), "/break": saboteur}
    routes.update({path: _page(f"Good {path}") for path in GOOD})
    with FakeInternet({HOST: Site(routes)}) as net:
        result, crawl = scan(
            net, [net.url(HOST, "/")], tmp_path / "o", timeout_s=3.0, concurrency=1, use_sitemap=False
        )
    pages = {p.url.removeprefix(f"https://{HOST}"): p for p in result.pages}
    assert set(pages) == {"/", "/break", *GOOD}
    assert pages["/"].status == 200 and pages["/"].error_kind is None
    assert pages["/break"].error_kind is not None and pages["/break"].error, pages["/break"]
    for path in GOOD:  # visited by the new browser
        assert pages[path].status == 200 and pages[path].error_kind is None, pages[path]
    assert crawl.restarts == 1
    restarts = [e for e in result.meta.errors if "restarted" in e]
    assert len(restarts) == 1 and "fresh profile" in restarts[0], result.meta.errors
    assert not saboteur.victims[0].is_running() or saboteur.victims[0].status() == psutil.STATUS_ZOMBIE
