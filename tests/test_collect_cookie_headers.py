"""Set-Cookie headers from DevTools events whatever order they come in, and set_by from what
browsers allow: a script cannot write an HttpOnly cookie (issue 10, point 3)."""

from __future__ import annotations

import asyncio

from scanner.assemble import merge_cookies
from scanner.collect.cookies import EARLY_LIMIT, HeaderEvents
from scanner.scope import Scope


def events():
    seen: list[tuple[str, str]] = []
    return HeaderEvents(lambda value, url: seen.append((value, url))), seen


def sent(rid, url, redirect=False):
    event = {"requestId": rid, "request": {"url": url}}
    if redirect:
        event.update(redirectResponse={"url": "x"}, redirectHasExtraInfo=True)
    return event


def extra(rid, cookie):
    return {"requestId": rid, "headers": {"Set-Cookie": cookie, "Content-Type": "text/plain"}}


def test_headers_that_come_before_their_request_are_kept_until_it_is_known():
    h, seen = events()
    h.on_extra_info(extra("1", "a=1; HttpOnly"))  # the network service was faster than the renderer
    assert seen == [] and h.due() == 1
    h.on_will_be_sent(sent("1", "https://api.test/login"))
    assert seen == [("a=1; HttpOnly", "https://api.test/login")]
    assert h.due() == 0


def test_a_response_names_a_request_that_was_never_announced():
    h, seen = events()
    h.on_extra_info(extra("7", "b=2"))
    h.on_response_received({"requestId": "7", "hasExtraInfo": True, "response": {"url": "https://x.test/b"}})
    assert seen == [("b=2", "https://x.test/b")] and h.due() == 0


def test_each_redirect_hop_gets_its_own_url_in_any_order():
    h, seen = events()
    h.on_will_be_sent(sent("r", "https://a.test/1"))
    h.on_extra_info(extra("r", "one=1"))
    h.on_extra_info(extra("r", "two=2"))  # hop 2's headers before hop 2's request event
    h.on_will_be_sent(sent("r", "https://b.test/2", redirect=True))
    h.on_response_received({"requestId": "r", "hasExtraInfo": True, "response": {"url": "https://b.test/2"}})
    assert seen == [("one=1", "https://a.test/1"), ("two=2", "https://b.test/2")]
    assert h.due() == 0


def test_announced_headers_are_waited_for_boundedly():
    h, seen = events()
    h.on_will_be_sent(sent("1", "https://a.test/"))
    h.on_response_received({"requestId": "1", "hasExtraInfo": True, "response": {"url": "https://a.test/"}})
    assert h.due() == 1  # the response is here, its raw headers are not yet

    async def late_headers():
        await asyncio.sleep(0.05)
        h.on_extra_info(extra("1", "late=1"))

    async def main():
        task = asyncio.create_task(late_headers())
        await h.settled(5.0)
        await task

    asyncio.run(main())
    assert seen == [("late=1", "https://a.test/")]
    asyncio.run(asyncio.wait_for(h.settled(0.05), 1))  # nothing due: returns at once


def test_early_headers_are_bounded():
    h, _ = events()
    for n in range(EARLY_LIMIT + 10):
        h.on_extra_info(extra(str(n), "c=1"))
    assert h.due() == EARLY_LIMIT and h.lost == 10


def obs(name, source, ts, *, http_only, setter=None):
    return {
        "name": name,
        "domain": "www.example.com",
        "host_only": True,
        "path": "/",
        "expires": ts + 3600.0,
        "declared_lifetime_days": 0.042,
        "secure": False,
        "http_only": http_only,
        "same_site": None,
        "source": source,
        "setter_url": setter,
        "value_hash": "0" * 16,
        "value": None,
        "page_url": "https://www.example.com/",
        "ts": float(ts),
    }


def test_an_httponly_cookie_is_never_set_by_js():
    scope = Scope(["https://www.example.com/"])
    observations = [
        # only the jar saw it (its header event never came: the tab closed first)
        obs("sid", "jar", 2, http_only=True),
        # a script wrote the name of an HttpOnly cookie: the browser ignores that write
        obs("auth", "set-cookie", 1, http_only=True, setter="https://www.example.com/api/login"),
        obs("auth", "document.cookie", 2, http_only=False, setter="https://www.example.com/app.js"),
        obs("auth", "jar", 3, http_only=True),
        # a script asking for HttpOnly sets nothing
        obs("fake", "document.cookie", 1, http_only=True, setter="https://www.example.com/app.js"),
        # a plain script cookie stays a script cookie
        obs("pref", "document.cookie", 1, http_only=False, setter="https://www.example.com/app.js"),
        obs("pref", "jar", 2, http_only=False),
    ]
    cookies = {c.name: c for c in merge_cookies(observations, scope)}
    assert set(cookies) == {"sid", "auth", "pref"}
    assert (cookies["sid"].set_by, cookies["sid"].setter_url) == ("http", None)
    assert (cookies["auth"].set_by, cookies["auth"].setter_url) == (
        "http",
        "https://www.example.com/api/login",
    )
    assert (cookies["pref"].set_by, cookies["pref"].setter_url) == ("js", "https://www.example.com/app.js")
