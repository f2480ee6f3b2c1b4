"""The timeline world: a shop whose trackers fire one after the other, at known delays, behind a
consent banner; for the tests of what happened when (``scanner.timeline``, tests/test_timeline_scan.py).

``https://www.timeline-shop.com/`` (OneTrust imitation of the consent world: "accept all" loads LinkedIn
Insight, which then sends its pixel) embeds, in this order:

========  ==========================================================================================
when      what
========  ==========================================================================================
parsing   ``www.googletagmanager.com/gtag/js?id=G-TIMELINE`` (Google Analytics), which writes the
          ``_ga`` cookie with ``document.cookie`` as soon as it runs
+300 ms   ``localStorage._gcl_ls`` (a Google Ads key) written by the page
+700 ms   ``navigator.sendBeacon`` to ``region1.google-analytics.com/g/collect`` (Google Analytics)
+500 ms   the Facebook pixel ``www.facebook.com/tr/`` as an image; its answer sets the ``fr`` cookie
          on ``.facebook.com`` (``Set-Cookie``)
========  ==========================================================================================

Each step is scheduled when the one before it has run, so the order is certain and every gap is at
least its delay (``DELAYS``). ``/hostile`` (linked from ``/``) runs the same chain without the tag, with
the hostile world's payloads (``scanner.fakenet.hostile``) in its title, a ``document.cookie`` name, a
storage key (``_hj…``: Hotjar's) and the URL of a pixel on ``px.timeline-metrics.net`` (an unknown
tracker).
"""

from __future__ import annotations

import html
import json

from scanner.fakenet.consent import ConsentSite, Placement, consent_head, consent_routes
from scanner.fakenet.demo_tags import LINKEDIN
from scanner.fakenet.hostile import BIDI, IMG_ONERROR, SCRIPT_TAG, TEMPLATES, TITLE
from scanner.fakenet.site import RequestInfo, Response, Site, set_cookie

HOST = "www.timeline-shop.com"
GTAG = "https://www.googletagmanager.com/gtag/js?id=G-TIMELINE"
BEACON = "https://region1.google-analytics.com/g/collect?v=2&tid=G-TIMELINE&en=page_view"
PIXEL = "https://www.facebook.com/tr/?id=4242&ev=PageView"
STORAGE_KEY = "_gcl_ls"
# Delays (ms) of the chained steps after the tag ran: storage, beacon, pixel.
DELAYS = (300, 700, 500)

HOSTILE_HOST = "px.timeline-metrics.net"  # an unknown tracker: named by its domain, sets no cookie
HOSTILE_PIXEL = f"https://{HOSTILE_HOST}/p.gif?ev={SCRIPT_TAG}&cd[x]={TEMPLATES}"
HOSTILE_COOKIE = "<b>tl</b>" + BIDI
HOSTILE_KEY = f"_hj{SCRIPT_TAG}{IMG_ONERROR}"  # a Hotjar key (_hj*): attributed, so on the timeline

CONSENT = ConsentSite(
    HOST,
    "Timeline Shop",
    "onetrust",
    "Onetrust",
    True,
    (Placement(LINKEDIN, "gated", "marketing", declared_as="marketing"),),
)

GTAG_JS = """(function () {
  document.cookie = "_ga=GA1.1." + Date.now() + "; path=/; max-age=63072000; SameSite=Lax; Secure";
})();"""


def _js(value: str) -> str:
    """A JS string literal that cannot end the inline script it is in."""
    return json.dumps(value).replace("</", "<\\/")


def _chain(storage_key: str, pixel: str, cookie: str | None = None) -> str:
    """The page's inline script: each step scheduled once the previous one ran."""
    first, second, third = DELAYS
    write = f"document.cookie = {_js(cookie + '=1; path=/')};" if cookie else ""
    return f"""<script>
  const after = (ms, step) => new Promise((done) => setTimeout(() => {{ step(); done(); }}, ms));
  (async () => {{
    {write}
    await after({first}, () => localStorage.setItem({_js(storage_key)}, "1"));
    await after({second}, () => navigator.sendBeacon({_js(BEACON)}, "v=2"));
    await after({third}, () => {{ new Image(1, 1).src = {_js(pixel)}; }});
  }})();
</script>"""


def page(title: str, body: str, tag: bool = True) -> str:
    script = f'<script src="{GTAG}"></script>\n' if tag else ""
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
        f"<title>{html.escape(title)}</title>\n{consent_head(CONSENT)}\n"
        f"{script}</head><body>\n{body}\n</body></html>\n"
    )


HOME = page(
    "Timeline Shop",
    '<h1>Timeline Shop</h1><p><a href="/hostile">More</a></p>\n' + _chain(STORAGE_KEY, PIXEL),
)
HOSTILE = page(TITLE, "<h1>hostile</h1>\n" + _chain(HOSTILE_KEY, HOSTILE_PIXEL, HOSTILE_COOKIE), tag=False)


def _pixel(_request: RequestInfo) -> Response:
    return Response.pixel(
        cookies=(
            set_cookie(
                "fr", "0tl.1", domain=".facebook.com", max_age=90 * 86400, secure=True, same_site="None"
            ),
        )
    )


def timeline_world() -> dict[str, Site]:
    """The shop, its consent manager and LinkedIn (consent_routes), and the tags it embeds."""
    world: dict[str, Site] = {
        HOST: Site({"/": Response.html(HOME), "/hostile": Response.html(HOSTILE)}),
        "www.googletagmanager.com": Site({"/gtag/js": Response.script(GTAG_JS)}),
        "region1.google-analytics.com": Site({"/g/collect": Response.no_content()}),
        "www.facebook.com": Site({"/tr/": _pixel, "/tr": _pixel}),
        HOSTILE_HOST: Site({"/p.gif": Response.pixel()}),
    }
    for host, routes in consent_routes(CONSENT).items():
        site = world.setdefault(host, Site())
        for path, handler in routes.items():
            site.add(path, handler)
    return world
