"""A generated site for speed measurements: N pages in a tree, each loading many third parties."""

from __future__ import annotations

from scanner.fakenet.site import Handler, RequestInfo, Response, Site, set_cookie
from scanner.fakenet.tracking import DAY, CookieSpec, Hit, behaviour_js

HOST = "bench.example.org"
FANOUT = 10  # each page links to this many next pages
RESOURCE_KINDS = ("script", "pixel", "xhr", "image")


def tracker_host(k: int) -> str:
    return f"t.bench-tracker-{k}.net"


def page_path(i: int) -> str:
    return "/" if i == 0 else f"/page/{i}"


def resources(i: int, per_page: int, hosts: int) -> list[tuple[str, str]]:
    """(kind, url) of every third-party resource page ``i`` loads; deterministic."""
    out = []
    for j in range(per_page):
        k = (i + j) % hosts
        kind = RESOURCE_KINDS[j % len(RESOURCE_KINDS)]
        base = f"https://{tracker_host(k)}"
        if kind == "script":
            out.append((kind, f"{base}/s/{j}.js"))
        elif kind == "pixel":
            out.append((kind, f"{base}/p.gif?page={i}&r={j}"))
        elif kind == "xhr":
            out.append((kind, f"{base}/x?page={i}&r={j}"))
        else:
            out.append((kind, f"{base}/img.gif?page={i}&r={j}"))
    return out


def _page(i: int, pages: int, per_page: int, hosts: int) -> Response:
    children = [c for c in range(i * FANOUT + 1, i * FANOUT + FANOUT + 1) if c < pages]
    links = "".join(f'<li><a href="{page_path(c)}">Page {c}</a></li>' for c in children)
    tags, xhrs = [], []
    for kind, url in resources(i, per_page, hosts):
        if kind == "script":
            tags.append(f'<script async src="{url}"></script>')
        elif kind == "xhr":
            xhrs.append(Hit("xhr", url, '{"page":"{page}"}'))
        else:
            tags.append(f'<img src="{url.replace("&", "&amp;")}" width=1 height=1 alt="">')
    inline = f"<script>\n{behaviour_js(hits=tuple(xhrs))}</script>" if xhrs else ""
    body = (
        f"<!doctype html><html><head><meta charset=utf-8><title>Bench page {i}</title>\n"
        + "\n".join(tags)
        + f"\n{inline}\n</head><body><h1>Bench page {i}</h1><ul>{links}</ul></body></html>\n"
    )
    return Response.html(body)


def _tracker_site(k: int) -> Site:
    cookie_domain = "." + tracker_host(k).split(".", 1)[1]
    first_party_cookie = CookieSpec(f"_bt{k}", 30 * DAY, "js", ".{site}", "{hex:16}")

    def script(_request: RequestInfo) -> Response:
        cookies = (first_party_cookie,) if k % 3 == 0 else ()
        return Response.script(f"/* bench tracker {k} */\n" + behaviour_js(js_cookies=cookies))

    def pixel(_request: RequestInfo) -> Response:
        if k % 2 == 0:
            return Response.pixel(
                (
                    set_cookie(
                        "btid",
                        f"{k:02d}",
                        domain=cookie_domain,
                        max_age=365 * DAY,
                        secure=True,
                        same_site="None",
                    ),
                )
            )
        return Response.pixel()

    return Site(
        {
            "/s/*": script,
            "/p.gif": pixel,
            "/img.gif": Response.pixel(),
            "/x": Response(200, [("Content-Type", "application/json")], b'{"ok":true}'),
        }
    )


def bench_world(pages: int = 100, third_party_per_page: int = 20, hosts: int = 10) -> dict[str, Handler]:
    """https://bench.example.org/ with ``pages`` pages (``/`` and ``/page/1`` ...), each linking to up
    to 10 next pages and loading ``third_party_per_page`` resources spread over ``hosts`` tracker
    hosts ``t.bench-tracker-K.net``: scripts (every third host's script sets a first-party ``_btK``
    cookie, 30 days), 1x1 pixels (even hosts set ``btid`` on ``.bench-tracker-K.net``, 1 year),
    XHR POSTs and plain 1x1 images."""

    def page(request: RequestInfo) -> Response:
        path = request.path
        i = 0 if path == "/" else int(path.rsplit("/", 1)[1]) if path.rsplit("/", 1)[1].isdigit() else -1
        if not 0 <= i < pages:
            return Response.not_found()
        return _page(i, pages, third_party_per_page, hosts)

    world: dict[str, Handler] = {HOST: Site({"/": page, "/page/*": page})}
    for k in range(hosts):
        world[tracker_host(k)] = _tracker_site(k)
    return world
