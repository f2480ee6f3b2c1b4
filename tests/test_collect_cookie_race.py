"""set_by comes from the response that set a cookie: an HttpOnly cookie a ``fetch()`` response sets is
``http`` every time, however its Set-Cookie header and the jar read race (issue 10, point 3).

Every page keeps calling ``fetch()`` (a heartbeat, same site and cross site) until the tab closes, so
responses land in the jar while their DevTools events are still on the way: at the jar read, around
the tab's close, and between visits in two tabs.
"""

from __future__ import annotations

import pytest
from conftest import scan  # noqa: I001

from scanner.crawl.visit import VisitTiming
from scanner.fakenet import FakeInternet, Response, Site, set_cookie

SITE = "www.race-shop.test"
SYNC = "api.race-sync.test"
PAGES = 6

HEARTBEAT = f"""<title>p</title>
<script>
  const page = location.pathname.replace(/\\W/g, "") || "home";
  fetch("/api/login?n=" + page, {{ credentials: "include" }});
  fetch("https://{SYNC}/set?n=" + page, {{ credentials: "include" }});
  let i = 0;
  setInterval(() => {{
    i += 1;
    if (i > 60) return;
    const n = page + "_" + i;
    fetch((i % 2 ? "/api/tick?n=" : "https://{SYNC}/tick?n=") + n, {{ credentials: "include" }});
  }}, 60);
</script>"""


def cookie_answer(prefix: str, third_party: bool):
    def answer(request):
        name = prefix + request.arg("n", "x")
        value = set_cookie(
            name,
            "v",
            max_age=3600,
            http_only=True,
            secure=third_party,
            same_site="None" if third_party else "Lax",
        )
        return Response(200, [("Content-Type", "application/json"), ("Set-Cookie", value)], b"{}")

    return answer


def world() -> dict:
    links = "".join(f'<a href="/p{n}">p{n}</a>' for n in range(1, PAGES))
    pages = {f"/p{n}": Response.html(HEARTBEAT) for n in range(1, PAGES)}
    return {
        SITE: Site(
            {
                "/": Response.html(HEARTBEAT + links),
                **pages,
                "/api/login": cookie_answer("sess_", False),
                "/api/tick": cookie_answer("tick_", False),
            }
        ),
        SYNC: Site({"/set": cookie_answer("sync_", True), "/tick": cookie_answer("synctick_", True)}),
    }


@pytest.mark.browser
def test_fetch_set_httponly_cookies_are_set_by_http_every_time(tmp_path):
    timing = VisitTiming(settle_s=0.2, quiet_ms=200, quiet_cap_s=0.8, scroll_steps=2)
    with FakeInternet(world()) as net:
        result, _ = scan(net, [net.url(SITE, "/")], tmp_path, max_depth=1, max_pages=PAGES, timing=timing)
    assert len(result.pages) == PAGES
    ours = [c for c in result.cookies if c.name.startswith(("sess_", "sync_", "tick_", "synctick_"))]
    assert {c.name for c in ours} >= {f"sess_p{n}" for n in range(1, PAGES)} | {"sess_home", "sync_home"}
    assert len(ours) > 100  # the heartbeat ran through every visit
    wrong = [(c.name, c.set_by, c.in_jar, c.page_url) for c in ours if c.set_by != "http"]
    assert wrong == []
    assert all(c.http_only for c in ours if c.in_jar)
    # the response that set it, whenever its header was seen
    for c in ours:
        if c.setter_url is not None:
            assert f"n={c.name.split('_', 1)[1]}" in c.setter_url, c
