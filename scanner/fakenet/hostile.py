"""A hostile site: every captured string (title, URL, cookie, storage, link text, host) carries
an injection payload, so reports can be tested for escaping."""

from __future__ import annotations

import html
import json

from scanner.fakenet.site import Handler, RequestInfo, Response, Site, set_cookie
from scanner.fakenet.tracking import DAY

HOST = "www.hostile-example.com"
TRACKER_HOST = "t.hostile-tracker.net"
HOMOGRAPH_HOST = "cdn.xn--80ak6aa92e.com"  # "аррӏе.com" in Cyrillic look-alike letters

SCRIPT_TAG = "<script>alert(1)</script>"
IMG_ONERROR = '"><img src=x onerror=alert(1)>'
TITLE_BREAK = "</title><script>alert(document.domain)</script>"
JS_URL = "javascript:alert(1)"
TEMPLATES = "{{7*7}} ${7*7} <%= 7*7 %>"
BIDI = "\u202eevil\u202c"  # right-to-left override
ZERO_WIDTH = "zero\u200bwidth\u200d\ufeff"
LONG = (SCRIPT_TAG + IMG_ONERROR) * (4000 // len(SCRIPT_TAG + IMG_ONERROR))  # ~4 KB

# Every payload string a report must show as text, never as markup.
PAYLOADS: tuple[str, ...] = (SCRIPT_TAG, IMG_ONERROR, TITLE_BREAK, JS_URL, TEMPLATES, BIDI, ZERO_WIDTH)

TITLE = f"{TITLE_BREAK} {IMG_ONERROR} {TEMPLATES} {BIDI} {ZERO_WIDTH}"

# HTTP cookies must be ASCII (header bytes); names cannot hold "=", ";" or spaces.
HTTP_COOKIES: tuple[tuple[str, str], ...] = (
    (SCRIPT_TAG, IMG_ONERROR),
    ("{{7*7}}", "${7*7}"),
    ("xss_long", LONG),
    ("xss_js", JS_URL),
)
JS_COOKIES: tuple[tuple[str, str], ...] = (
    ("<b>xss</b>", SCRIPT_TAG),
    ("bidi" + BIDI, ZERO_WIDTH),
    ("${7*7}", TITLE_BREAK),
)
STORAGE: tuple[tuple[str, str], ...] = (
    (SCRIPT_TAG, IMG_ONERROR),
    (TITLE_BREAK, TEMPLATES),
    (BIDI + ZERO_WIDTH, JS_URL),
    ("xss_long", LONG),
)
LINKS: tuple[tuple[str, str], ...] = (
    ('/x/"><img src=x onerror=alert(1)>?q=<script>alert(1)</script>&t={{7*7}}', SCRIPT_TAG),
    ("/x/%3Cscript%3Ealert(2)%3C%2Fscript%3E", IMG_ONERROR),
    (JS_URL, "javascript link " + TEMPLATES),
    ("/x/" + BIDI + ZERO_WIDTH, BIDI + ZERO_WIDTH),
    ("/feed.xml", "RSS " + TITLE_BREAK),
)

TRACKER_PIXEL = f"https://{TRACKER_HOST}/p/%22%3E%3Cimg%20src=x%3E?ev=<script>alert(1)</script>&v={{{{7*7}}}}"
TRACKER_SCRIPT = f"https://{HOMOGRAPH_HOST}/lib.js?cb=%22onload=alert(1)//"

FEED_XML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel>'
    "<title>&lt;script&gt;alert(1)&lt;/script&gt;"
    "</title><item><title>{{7*7}}</title></item></channel></rss>\n"
)


def _js(value: str) -> str:
    return json.dumps(value).replace("</", "<\\/")


def _page_script() -> str:
    lines = ["(function () {"]
    for name, value in JS_COOKIES:
        lines.append(f"  document.cookie = {_js(name + '=' + value + '; path=/; max-age=' + str(30 * DAY))};")
    for key, value in STORAGE:
        lines.append(f"  try {{ localStorage.setItem({_js(key)}, {_js(value)}); }} catch (e) {{}}")
    lines.append(f"  try {{ sessionStorage.setItem({_js(IMG_ONERROR)}, {_js(SCRIPT_TAG)}); }} catch (e) {{}}")
    lines.append(f"  var img = new Image(1, 1); img.src = {_js(TRACKER_PIXEL)};")
    lines.append("})();")
    return "\n".join(lines)


def _page(request: RequestInfo) -> Response:
    links = "\n".join(f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for h, t in LINKS)
    body = (
        "<!doctype html>\n<html><head><meta charset=utf-8>\n"
        f"<title>{html.escape(TITLE)}</title>\n"
        f'<script src="{html.escape(TRACKER_SCRIPT)}"></script>\n'
        f"<script>\n{_page_script()}\n</script>\n</head><body>\n"
        f"<h1>{html.escape(TITLE)}</h1>\n<ul>\n{links}\n</ul>\n</body></html>\n"
    )
    cookies = tuple(
        set_cookie(name, value, max_age=30 * DAY, secure=True, same_site="Lax")
        for name, value in HTTP_COOKIES
    )
    return Response.html(body, cookies=cookies)


def _tracker_pixel(request: RequestInfo) -> Response:
    cookie = set_cookie(
        SCRIPT_TAG,
        IMG_ONERROR,
        domain="." + TRACKER_HOST.split(".", 1)[1],
        max_age=365 * DAY,
        secure=True,
        same_site="None",
    )
    return Response.pixel((cookie,))


def hostile_world() -> dict[str, Handler]:
    """https://www.hostile-example.com/ (any path) plus its tracker hosts and /feed.xml."""
    site = Site(
        {
            "/feed.xml": Response.text(FEED_XML, "application/rss+xml; charset=utf-8"),
            "/favicon.ico": Response(404, [("Content-Type", "text/plain")], b""),
        },
        fallback=_page,
    )
    return {
        HOST: site,
        TRACKER_HOST: Site({"/p/*": _tracker_pixel}),
        HOMOGRAPH_HOST: Site({"/lib.js": Response.script("/* look-alike host */ window.__lookalike = 1;\n")}),
    }
