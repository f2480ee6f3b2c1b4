"""Small sites whose shape tests the crawl itself (not the trackers): see each function."""

from __future__ import annotations

from scanner.fakenet.site import Handler, RequestInfo, Response, Site, set_cookie

CHAIN_HOST = "chain.example.net"
JAR_HOST = "jar.example.net"


def _page(title: str, links: list[str], extra: str = "", cookies: tuple[str, ...] = ()) -> Response:
    items = "".join(f'<li><a href="{href}">{href}</a></li>' for href in links)
    return Response.html(
        f"<!doctype html><meta charset=utf-8><title>{title}</title><h1>{title}</h1><ul>{items}</ul>{extra}",
        cookies=cookies,
    )


def chain_fanout_world(chain: int = 3, fanout: int = 12) -> dict[str, Handler]:
    """https://chain.example.net/: ``/`` links only to ``/c/1``, which links only to ``/c/2`` ... up to
    ``/c/{chain}``, which links to ``fanout`` leaves ``/leaf/N``. Links appear only once the pages before
    them are finished, so a crawler that gives up on an empty queue falls back to one tab."""

    def chain_page(request: RequestInfo) -> Response:
        n = int(request.path.rsplit("/", 1)[1])
        if n < chain:
            return _page(f"Chain {n}", [f"/c/{n + 1}"])
        return _page(f"Chain {n}", [f"/leaf/{i}" for i in range(1, fanout + 1)])

    def leaf(request: RequestInfo) -> Response:
        return _page(f"Leaf {request.path.rsplit('/', 1)[1]}", [])

    return {CHAIN_HOST: Site({"/": _page("Start", ["/c/1"]), "/c/*": chain_page, "/leaf/*": leaf})}


def jar_world(pages: int = 6) -> dict[str, Handler]:
    """https://jar.example.net/: ``/`` sets ``first`` by header (30 days) and links to ``/p/1`` ...
    ``/p/{pages}``; ``/p/2`` sets ``late`` from script (1 day); no other page sets anything. Every cookie
    has exactly one page that set it."""
    script = "<script>document.cookie = 'late=1; max-age=86400; path=/';</script>"

    def sub(request: RequestInfo) -> Response:
        n = request.path.rsplit("/", 1)[1]
        return _page(f"Page {n}", ["/"], script if n == "2" else "")

    home = _page(
        "Home",
        [f"/p/{i}" for i in range(1, pages + 1)],
        cookies=(set_cookie("first", "1", max_age=30 * 86400),),
    )
    return {JAR_HOST: Site({"/": home, "/p/*": sub})}
