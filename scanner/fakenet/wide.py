"""A site wider than the evidence lists: one unknown tracker on every one of N pages (default 65).

``https://www.wide-shop.com/`` links to ``/p/1`` … ``/p/N-1``; every page (home included) loads
``https://px.widetrack.net/t.js?p=I`` (a script, no cookie) and the 1×1 pixel
``https://px.widetrack.net/p.gif?p=I&uid=…``, whose answer sets a third-party cookie ``wt_pI``
on ``.widetrack.net`` (1 year, ``SameSite=None; Secure``). No catalog entry knows widetrack.net,
so the scanner names it by its domain: one undeclared unknown tracker seen on N pages with N
cookies, N requests and N beacons, more than the 50 pages / 50 cookies / 20 requests a finding's
evidence lists keep. Reports must print N, not the length of a list.
"""

from __future__ import annotations

from scanner.fakenet.site import Handler, RequestInfo, Response, Site, set_cookie

HOST = "www.wide-shop.com"
TRACKER = "px.widetrack.net"
TRACKER_DOMAIN = "widetrack.net"
PAGES = 65


def page_path(i: int) -> str:
    return "/" if i == 0 else f"/p/{i}"


def _page(i: int, pages: int) -> Response:
    links = (
        "".join(f'<li><a href="{page_path(c)}">Product {c}</a></li>' for c in range(1, pages))
        if i == 0
        else ""
    )
    body = (
        f"<!doctype html><html><head><meta charset=utf-8><title>Wide shop {i}</title>"
        f'<script src="https://{TRACKER}/t.js?p={i}"></script></head>'
        f"<body><h1>Wide shop page {i}</h1>"
        f'<img src="https://{TRACKER}/p.gif?p={i}&amp;uid=5f2b9c81d04e7a36" width=1 height=1 alt="">'
        f"<ul>{links}</ul></body></html>\n"
    )
    return Response.html(body)


def _pixel(request: RequestInfo) -> Response:
    i = request.arg("p", "0")
    cookie = set_cookie(
        f"wt_p{i}",
        "5f2b9c81d04e7a36",
        domain="." + TRACKER_DOMAIN,
        max_age=365 * 86_400,
        secure=True,
        same_site="None",
    )
    return Response.pixel((cookie,))


def wide_world(pages: int = PAGES) -> dict[str, Handler]:
    """``pages`` pages on www.wide-shop.com, each with the widetrack.net script and pixel."""

    def page(request: RequestInfo) -> Response:
        path = request.path
        tail = path.rsplit("/", 1)[1]
        i = 0 if path == "/" else int(tail) if path.startswith("/p/") and tail.isdigit() else -1
        if not 0 <= i < pages:
            return Response.not_found()
        return _page(i, pages)

    return {
        HOST: Site({"/": page, "/p/*": page}),
        TRACKER: Site(
            {
                "/t.js": Response.script("/* widetrack */ window.__wt = (window.__wt || 0) + 1;\n"),
                "/p.gif": _pixel,
            }
        ),
    }
