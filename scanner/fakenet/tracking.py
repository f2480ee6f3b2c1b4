"""Trackers as data: the cookies, storage and hits a tag produces, and the endpoints that answer.

The same records generate the served JavaScript/handlers (``tag_script``, ``endpoint_handler``)
and the documentation table (``scanner.fakenet.docs``), so the two cannot drift apart.

URL, value and body templates use placeholders filled in the browser (``fill`` in the JS):
``{page}`` url-encoded location.href, ``{ref}`` referrer, ``{title}`` document.title,
``{cookie:NAME}`` a cookie's current value, ``{hex:N}`` N random hex digits, ``{rand:N}`` N random
digits, ``{ts}`` epoch milliseconds, ``{now}`` epoch seconds, ``{id}`` one hex id per script run,
``{uuid}`` a random UUID.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import dataclass
from typing import Literal

from scanner.fakenet.site import RequestInfo, Response, set_cookie

MINUTE = 60
DAY = 86_400


@dataclass(frozen=True)
class CookieSpec:
    """A cookie a fake site or tracker sets.

    ``domain``: ``".doubleclick.net"`` sends a Domain attribute; a name without a leading dot
    (``"www.example.com"``) is a host-only cookie; ``".{site}"`` (JS cookies) means the
    registrable domain of the page the script runs on.
    """

    name: str
    max_age: int | None  # seconds; None = session cookie
    set_by: Literal["http", "js"]
    domain: str = ".{site}"
    value: str = "{hex:32}"
    secure: bool = True
    http_only: bool = False
    same_site: str | None = "Lax"

    def header(self) -> str:
        """The Set-Cookie header value (HTTP cookies), with a fresh random value."""
        return set_cookie(
            self.name,
            fill_on_server(self.value),
            domain=self.domain if self.domain.startswith(".") else None,
            max_age=self.max_age,
            secure=self.secure,
            http_only=self.http_only,
            same_site=self.same_site,
        )


def fill_on_server(template: str) -> str:
    """Fill ``{hex:N}``, ``{rand:N}``, ``{now}`` and ``{ts}`` in an HTTP cookie value template."""

    def one(match: re.Match[str]) -> str:
        key, arg = match.group(1), match.group(2)
        if key == "hex":
            return secrets.token_hex(int(arg or 16) // 2 + 1)[: int(arg or 16)]
        if key == "rand":
            return "".join(secrets.choice("0123456789") for _ in range(int(arg or 10)))
        if key == "now":
            return str(int(time.time()))
        if key == "ts":
            return str(int(time.time() * 1000))
        return match.group(0)

    return re.sub(r"\{(\w+)(?::([^}]*))?\}", one, template)


@dataclass(frozen=True)
class StorageSpec:
    kind: Literal["local", "session"]
    key: str
    value: str  # template


@dataclass(frozen=True)
class Hit:
    """A request a tag's script makes. ``image``: new Image(); ``beacon``: navigator.sendBeacon;
    ``xhr``: XMLHttpRequest POST (text/plain body)."""

    kind: Literal["image", "beacon", "xhr"]
    url: str  # template
    body: str | None = None  # template (beacon/xhr)

    @property
    def method(self) -> str:
        return "GET" if self.kind == "image" else "POST"


@dataclass(frozen=True)
class Endpoint:
    """A URL the tracker's servers answer (beyond the tag itself)."""

    url: str  # https://host/path; a trailing * matches any path with that prefix
    answer: Literal["pixel", "no_content", "redirect", "json", "font", "html"]
    cookies: tuple[CookieSpec, ...] = ()
    location: str = ""  # for redirects
    method: str | None = None  # only answer this method (others get 204 without cookies)
    body: str = ""

    @property
    def host(self) -> str:
        return self.url.split("/")[2]

    @property
    def path(self) -> str:
        return "/" + self.url.split("/", 3)[3]


@dataclass(frozen=True)
class Tag:
    """What a page embeds: a script, a stylesheet or an iframe, plus what it does."""

    key: str
    vendor: str
    url: str  # the tag's URL as written in the page
    kind: Literal["script", "stylesheet", "iframe", "inline"] = "script"  # inline: the site's own <script>
    js_cookies: tuple[CookieSpec, ...] = ()
    storage: tuple[StorageSpec, ...] = ()
    hits: tuple[Hit, ...] = ()
    endpoints: tuple[Endpoint, ...] = ()
    http_cookies: tuple[CookieSpec, ...] = ()  # set by the tag's own response (iframes)
    body: str = ""  # extra content of the tag's own response (CSS, library code)
    note: str = ""
    # Stays silent in a browser that looks automated, as session-replay tags do (Hotjar: "not
    # launching due to suspicious userAgent"): HeadlessChrome in the user agent or the client hints,
    # or navigator.webdriver.
    refuses_robots: bool = False

    @property
    def host(self) -> str:
        return self.url.split("/")[2]

    @property
    def path(self) -> str:
        return "/" + self.url.split("/", 3)[3].split("?")[0]

    def html(self) -> str:
        """The markup that embeds this tag in a page."""
        url = self.url.replace("&", "&amp;")
        if self.kind == "inline":
            script = behaviour_js(self.js_cookies, self.storage, self.hits, self.refuses_robots)
            return "<script>\n" + script + "</script>"
        if self.kind == "stylesheet":
            return f'<link rel="stylesheet" href="{url}">'
        if self.kind == "iframe":
            return f'<iframe src="{url}" width="560" height="315" title="{self.vendor}"></iframe>'
        return f'<script async src="{url}"></script>'


# -- JavaScript ------------------------------------------------------------------------------------

JS_HELPERS = r"""
  var parts = location.hostname.split('.');
  var site = parts.length > 2 ? parts.slice(-2).join('.') : location.hostname;
  var secure = location.protocol === 'https:';
  function digits(n) { var s = ''; while (s.length < n) s += Math.floor(Math.random() * 10); return s; }
  function hex(n) {
    var s = '';
    while (s.length < n) s += Math.floor(Math.random() * 16).toString(16);
    return s;
  }
  var runId = hex(16);
  function getCookie(name) {
    var all = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < all.length; i++) {
      if (all[i].indexOf(name + '=') === 0) return all[i].slice(name.length + 1);
    }
    return '';
  }
  function fill(template) {
    return template.replace(/\{(\w+)(?::([^}]*))?\}/g, function (_, key, arg) {
      if (key === 'page') return encodeURIComponent(location.href);
      if (key === 'ref') return encodeURIComponent(document.referrer);
      if (key === 'title') return encodeURIComponent(document.title);
      if (key === 'cookie') return encodeURIComponent(getCookie(arg));
      if (key === 'hex') return hex(+arg || 16);
      if (key === 'rand') return digits(+arg || 10);
      if (key === 'ts') return String(Date.now());
      if (key === 'now') return String(Math.floor(Date.now() / 1000));
      if (key === 'id') return runId;
      if (key === 'uuid') return hex(8) + '-' + hex(4) + '-4' + hex(3) + '-a' + hex(3) + '-' + hex(12);
      return '';
    });
  }
  function setCookie(name, template, maxAge) {
    var value = getCookie(name) || fill(template);
    document.cookie = name + '=' + value + '; path=/; domain=.' + site +
      (maxAge === null ? '' : '; max-age=' + maxAge) + '; SameSite=Lax' + (secure ? '; Secure' : '');
  }
  function image(url) { var img = new Image(1, 1); img.src = fill(url); }
  function beacon(url, body) { navigator.sendBeacon(fill(url), body === null ? null : fill(body)); }
  function xhr(url, body) {
    var req = new XMLHttpRequest();
    req.open('POST', fill(url));
    req.setRequestHeader('Content-Type', 'text/plain;charset=UTF-8');
    req.send(body === null ? null : fill(body));
  }
"""


def _js(value: object) -> str:
    # json.dumps escapes quotes; "</" is broken up so the text is safe inside an inline <script>.
    return json.dumps(value).replace("</", "<\\/")


ROBOT_CHECK = r"""
  var brands = (navigator.userAgentData && navigator.userAgentData.brands) || [];
  var robot = /HeadlessChrome/.test(navigator.userAgent) || navigator.webdriver === true ||
    brands.some(function (b) { return /HeadlessChrome/.test(b.brand); });
  if (robot) { console.warn('not launching due to suspicious userAgent'); return; }
"""


def behaviour_js(
    js_cookies: tuple[CookieSpec, ...] = (),
    storage: tuple[StorageSpec, ...] = (),
    hits: tuple[Hit, ...] = (),
    refuses_robots: bool = False,
) -> str:
    """A self-contained script that sets the cookies and storage, then fires the hits (after a look
    at the browser, with ``refuses_robots``)."""
    lines = ["(function () {"]
    if refuses_robots:
        lines.append(ROBOT_CHECK.strip("\n"))
    lines.append(JS_HELPERS.strip("\n"))
    for cookie in js_cookies:
        lines.append(f"  setCookie({_js(cookie.name)}, {_js(cookie.value)}, {_js(cookie.max_age)});")
    for item in storage:
        area = "localStorage" if item.kind == "local" else "sessionStorage"
        # Storage may be blocked (third-party iframes): carry on like real tags do.
        lines.append(f"  try {{ {area}.setItem({_js(item.key)}, fill({_js(item.value)})); }} catch (e) {{}}")
    for hit in hits:
        lines.append(f"  {hit.kind}({_js(hit.url)}, {_js(hit.body)});")
    lines.append("})();")
    return "\n".join(lines) + "\n"


def tag_script(tag: Tag) -> str:
    header = f"/* {tag.vendor} ({tag.key}) - an imitation for tests */\n"
    return header + tag.body + behaviour_js(tag.js_cookies, tag.storage, tag.hits, tag.refuses_robots)


# -- server side -----------------------------------------------------------------------------------


def tag_response(tag: Tag) -> Response:
    cookies = tuple(c.header() for c in tag.http_cookies)
    if tag.kind == "stylesheet":
        return Response(200, [("Content-Type", "text/css; charset=utf-8")], tag.body.encode())
    if tag.kind == "iframe":
        script = behaviour_js(tag.js_cookies, tag.storage, tag.hits, tag.refuses_robots)
        page = f"<!doctype html><title>{tag.vendor}</title><body>{tag.body}<script>\n{script}</script>"
        return Response.html(page, cookies=cookies)
    return Response(
        200,
        [
            ("Content-Type", "application/javascript; charset=utf-8"),
            ("Cache-Control", "public, max-age=3600"),
        ],
        tag_script(tag).encode(),
    )


def endpoint_response(endpoint: Endpoint, request: RequestInfo) -> Response:
    if endpoint.method and request.method != endpoint.method:
        return Response.no_content()
    cookies = tuple(c.header() for c in endpoint.cookies)
    if endpoint.answer == "pixel":
        return Response.pixel(cookies)
    if endpoint.answer == "no_content":
        return Response.no_content(cookies)
    if endpoint.answer == "redirect":
        return Response.redirect(endpoint.location, 302, cookies)
    if endpoint.answer == "json":
        return Response(
            200,
            [("Content-Type", "application/json"), *(("Set-Cookie", c) for c in cookies)],
            (endpoint.body or "{}").encode(),
        )
    if endpoint.answer == "font":
        # Not a real font: the browser fetches it (the request is what matters) and drops it.
        return Response(
            200,
            [("Content-Type", "font/woff2"), ("Cache-Control", "public, max-age=86400")],
            b"wOF2" + bytes(60),
        )
    return Response.html(endpoint.body or "<!doctype html><title>ok</title>", cookies=cookies)
