"""The privacy signals a scan's browser sends when asked: Do Not Track (the profile's own setting) and
Global Privacy Control (Chromium's own implementation), on every request of the page and its
third parties, and what the page sees (meta.presented); neither without being asked."""

from __future__ import annotations

import pytest

import scanner
from scanner.browser import BrowserOptions
from scanner.fakenet import FakeInternet, Response, Site

PAGE = """<title>shop</title><img src="https://px.other.test/p.gif">
<script>fetch("https://api.other.test/v", {method: "POST", body: "x"})</script>"""


@pytest.fixture(scope="module")
def net():
    world = {
        "www.shop.test": Site({"/": Response.html(PAGE)}),
        "px.other.test": Site({"/p.gif": Response.pixel()}),
        "api.other.test": Site({"/v": Response.text("ok")}),
    }
    with FakeInternet(world) as net:
        yield net


def run(net: FakeInternet, **signals) -> scanner.ScanResult:
    net.log.clear()
    options = scanner.ScanOptions(
        start_urls=("https://www.shop.test/",),
        consent="off",
        formats=(),
        max_pages=1,
        use_sitemap=False,
        declared=(),
        browser=BrowserOptions(ignore_https_errors=True, extra_args=tuple(net.chromium_args()), **signals),
    )
    return scanner.scan(options)


@pytest.mark.parametrize(
    ("signals", "header", "seen"),
    [
        ({}, None, {"do_not_track": False, "global_privacy_control": False}),
        ({"dnt": True}, ("dnt", "1"), {"do_not_track": True, "global_privacy_control": False}),
        ({"gpc": True}, ("sec-gpc", "1"), {"do_not_track": False, "global_privacy_control": True}),
    ],
)
def test_the_signal_reaches_every_host_and_the_page(net, signals, header, seen):
    result = run(net, **signals)
    presented = result.meta.presented or {}
    assert {k: presented.get(k) for k in seen} == seen
    hosts = {r.host for r in net.log}
    assert {"www.shop.test", "px.other.test", "api.other.test"} <= hosts
    for name in ("dnt", "sec-gpc"):
        sent = {r.headers.get(name) for r in net.log}
        assert sent == ({header[1]} if header and header[0] == name else {None}), name
    # a signal sent by the browser itself adds no CORS preflight to the cross-origin POST
    assert not [r for r in net.log if r.method == "OPTIONS"]
