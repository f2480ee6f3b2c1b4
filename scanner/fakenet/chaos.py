"""A site that tries to hang, stop or flood the audit, one page per trick, each next to good pages.

``https://www.chaos-example.com/`` links to every case, ``/start/CASE`` (e.g. ``/start/drip``) to one
case and the good pages; each case page links to ``/good-N`` pages that a scan must still visit. Used
by the chaos tests (tests/test_chaos_visits.py).
"""

from __future__ import annotations

from scanner.fakenet.site import Handler, RequestInfo, Response, Site

HOST = "www.chaos-example.com"
FRAME_HOST = "frame.chaos-other.net"  # a cross-origin iframe's site

GOOD = ("/good-1", "/good-2")


def _page(title: str, body: str, links: tuple[str, ...] = GOOD) -> Response:
    anchors = "".join(f'<a href="{href}">{href}</a> ' for href in links)
    return Response.html(f"<!doctype html><title>{title}</title>{body}<p>{anchors}</p>")


# Each trick: path -> (what it does, page). Pages must stay small and quick to serve.
CASES: dict[str, tuple[str, Response]] = {
    "/loop-after-load": (
        "an endless JS loop that starts right after the load event",
        _page(
            "Loop", "<script>addEventListener('load', () => setTimeout(() => { for (;;) {} }, 50));</script>"
        ),
    ),
    "/loop-in-iframe": (
        "an endless JS loop in a cross-origin iframe",
        _page("Loop in frame", f'<iframe src="https://{FRAME_HOST}/loop"></iframe>'),
    ),
    "/drip": (
        "a server sending its answer one byte a second",
        Response(200, [("Content-Type", "text/html")], b"<title>Drip</title>" + b"x" * 200, drip_s=1.0),
    ),
    "/popups-and-frames": (
        "300 pop-ups and 300 iframes",
        _page(
            "Flood",
            "<script>for (let i = 0; i < 300; i++) {"
            "  window.open('/good-1?popup=' + i, '_blank');"
            "  const f = document.createElement('iframe'); f.src = 'about:blank';"
            "  document.documentElement.append(f);"
            "}</script>",
        ),
    ),
    "/out-of-memory": (
        "a script that allocates until the renderer runs out of memory",
        _page(
            "OOM",
            "<script>setTimeout(() => { const a = []; for (;;) a.push(new Array(1e6).fill(7)); }, 50);"
            "</script>",
        ),
    ),
    "/svg-link": (
        "a link inside inline SVG (its href is an SVGAnimatedString, not a string)",
        _page(
            "SVG",
            '<svg width="100" height="20"><a href="/svg-only"><text y="15">svg link</text></a></svg>',
            (),
        ),
    ),
    "/hook-flood": (
        "a million document.cookie writes",
        _page(
            "Cookie flood",
            "<script>for (let i = 0; i < 1000000; i++) document.cookie = 'f' + (i % 50) + '=1';</script>",
        ),
    ),
}


def _start(request: RequestInfo) -> Response:
    case = "/" + request.path.split("?")[0].removeprefix("/start/")
    if case not in CASES:
        return Response.not_found()
    return _page(f"Start {case}", "<p>one case</p>", (case, *GOOD))


def chaos_world() -> dict[str, Handler]:
    routes: dict[str, Response | Handler] = {path: page for path, (_, page) in CASES.items()}
    routes["/start/*"] = _start
    routes["/"] = _page("Chaos", "<h1>Chaos</h1>", tuple(CASES))
    for path in (*GOOD, "/svg-only"):
        routes[path] = _page(f"Good {path}", "<p>a good page</p>", ())
    routes["/robots.txt"] = Response(
        200, [("Content-Type", "text/plain")], b"Sitemap: /sitemap.xml\n", delay_s=60.0
    )
    frame = Site(
        {
            "/loop": Response.html(
                "<title>frame</title><script>setTimeout(() => { for (;;) {} }, 50);</script>"
            )
        }
    )
    return {HOST: Site(routes), FRAME_HOST: frame}
