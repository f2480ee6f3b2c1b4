"""The third-party tags of the demo world: imitations of real vendors' network behaviour.

Script URLs, cookie names, pixel endpoints and lifetimes follow what the real vendors do
(as publicly documented / commonly observed); the JavaScript is our own and tiny.
"""

from __future__ import annotations

from scanner.fakenet.tracking import DAY, MINUTE, CookieSpec, Endpoint, Hit, StorageSpec, Tag

YEAR = 365 * DAY
MONTHS_13 = 396 * DAY  # "13 months"


def _tp(
    name: str, domain: str, max_age: int | None, http_only: bool = False, value: str = "{hex:32}"
) -> CookieSpec:
    """A third-party HTTP cookie as ad/analytics servers set it: Secure; SameSite=None."""
    return CookieSpec(
        name, max_age, "http", domain, value, secure=True, http_only=http_only, same_site="None"
    )


def _js(name: str, max_age: int | None, value: str = "{hex:32}") -> CookieSpec:
    """A first-party cookie written by a script with document.cookie on the page's registrable domain."""
    return CookieSpec(name, max_age, "js", ".{site}", value)


GA4 = Tag(
    key="ga4",
    vendor="Google Analytics",
    url="https://www.googletagmanager.com/gtag/js?id=G-DEMO1234",
    js_cookies=(
        _js("_ga", 2 * 365 * DAY, "GA1.1.{rand:10}.{now}"),
        _js("_ga_DEMO1234", 2 * 365 * DAY, "GS1.1.{now}.1.0.{now}.0.0.0"),
    ),
    hits=(
        Hit(
            "beacon",
            "https://region1.google-analytics.com/g/collect?v=2&tid=G-DEMO1234&gtm=45je5&_p={ts}"
            "&cid={cookie:_ga}&ul=en-us&sr=1280x720&sid={now}&sct=1&seg=0&dl={page}&dr={ref}&dt={title}"
            "&en=page_view",
        ),
    ),
    endpoints=(Endpoint("https://region1.google-analytics.com/g/collect", "no_content"),),
)

GOOGLE_ADS = Tag(
    key="google_ads",
    vendor="Google Ads",
    url="https://www.googleadservices.com/pagead/conversion.js",
    js_cookies=(_js("_gcl_au", 90 * DAY, "1.1.{rand:10}.{now}"),),
    hits=(
        Hit(
            "image",
            "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123456/?random={rand:10}"
            "&cv=11&fst={ts}&num=1&guid=ON&u_h=720&u_w=1280&url={page}&ref={ref}&tiba={title}",
        ),
    ),
    endpoints=(
        Endpoint(
            "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/*",
            "pixel",
            (_tp("IDE", ".doubleclick.net", 390 * DAY, http_only=True, value="AHWqTU{hex:32}"),),
        ),
    ),
)

FACEBOOK = Tag(
    key="facebook_pixel",
    vendor="Facebook",
    url="https://connect.facebook.net/en_US/fbevents.js",
    js_cookies=(_js("_fbp", 90 * DAY, "fb.1.{ts}.{rand:10}"),),
    hits=(
        Hit(
            "image",
            "https://www.facebook.com/tr/?id=1234567890&ev=PageView&dl={page}&rl={ref}&if=false&ts={ts}"
            "&fbp={cookie:_fbp}&v=2.9.180",
        ),
    ),
    endpoints=(
        Endpoint(
            "https://www.facebook.com/tr*",
            "pixel",
            (_tp("fr", ".facebook.com", 90 * DAY, http_only=True, value="0{hex:16}.{hex:16}..Bm{hex:8}"),),
        ),
    ),
)

CRITEO = Tag(
    key="criteo",
    vendor="Criteo",
    url="https://static.criteo.net/js/ld/publishertag.js",
    js_cookies=(_js("cto_bundle", MONTHS_13, "{hex:32}{hex:32}"),),
    hits=(Hit("image", "https://gum.criteo.com/sync?c=72&r=1&a=1&u={page}"),),
    endpoints=(
        Endpoint(
            "https://gum.criteo.com/sync",
            "redirect",
            (_tp("uid", ".criteo.com", MONTHS_13, value="{hex:32}"),),
            location="https://dis.criteo.com/dis/usersync.aspx?r=7&p=3&cp=gum&cu=1",
        ),
        Endpoint(
            "https://dis.criteo.com/dis/usersync.aspx",
            "pixel",
            (_tp("uid", ".criteo.com", MONTHS_13, value="{hex:32}"),),
        ),
    ),
)

BING = Tag(
    key="bing_uet",
    vendor="Microsoft Advertising",
    url="https://bat.bing.com/bat.js",
    js_cookies=(_js("_uetsid", 1 * DAY), _js("_uetvid", 390 * DAY)),
    hits=(
        Hit(
            "image",
            "https://bat.bing.com/action/0?ti=5555555&tm=bat.js&Ver=2&mid={uuid}&sid={cookie:_uetsid}"
            "&vid={cookie:_uetvid}&evt=pageLoad&p={page}&r={ref}&lt={ts}",
        ),
    ),
    endpoints=(
        Endpoint(
            "https://bat.bing.com/action/*",
            "no_content",
            (_tp("MUID", ".bing.com", 390 * DAY, value="{hex:32}"),),
        ),
    ),
    note="the pixel answers 204 No Content, as the real one does",
)

LINKEDIN = Tag(
    key="linkedin_insight",
    vendor="LinkedIn",
    url="https://snap.licdn.com/li.lms-analytics/insight.min.js",
    hits=(Hit("image", "https://px.ads.linkedin.com/collect?v=2&fmt=gif&pid=98765&time={ts}&url={page}"),),
    endpoints=(
        Endpoint(
            "https://px.ads.linkedin.com/collect*",
            "pixel",
            (
                _tp("bcookie", ".linkedin.com", YEAR, value='"v=2&{hex:32}"'),
                _tp("li_sugr", ".linkedin.com", 90 * DAY, value="{hex:32}"),
            ),
        ),
    ),
)

QUANTCAST = Tag(
    key="quantcast",
    vendor="Quantcast",
    url="https://secure.quantserve.com/quant.js",
    js_cookies=(_js("__qca", 390 * DAY, "P0-{rand:10}-{ts}"),),
    hits=(
        Hit(
            "image",
            "https://pixel.quantserve.com/pixel;r={rand:9};a=p-DEMO;labels=_fp.event.Default;fpan=0;"
            "fpa={cookie:__qca};ns=0;ce=1;je=0;sr=1280x720x24;enc=n;et={ts};ref={ref};url={page}",
        ),
    ),
    endpoints=(
        Endpoint(
            "https://pixel.quantserve.com/pixel*",
            "pixel",
            (_tp("mc", ".quantserve.com", 390 * DAY, value="{hex:8}-{hex:5}-{hex:5}"),),
        ),
    ),
)

HOTJAR = Tag(
    key="hotjar",
    vendor="Hotjar",
    url="https://static.hotjar.com/c/hotjar-3210.js?sv=6",
    refuses_robots=True,
    js_cookies=(
        _js("_hjSessionUser_3210", YEAR, "eyJpZCI6I{hex:32}"),
        _js("_hjSession_3210", 30 * MINUTE, "eyJpZCI6I{hex:32}"),
    ),
    storage=(
        StorageSpec("local", "_hjLocalStorageTest", "{ts}"),
        StorageSpec("session", "hjViewportId", "{uuid}"),
    ),
    hits=(
        Hit(
            "xhr",
            "https://in.hotjar.com/api/v2/client/sites/3210/visit-data?sv=6",
            '{"r_value":1,"is_vpv":false,"user_id":"{id}","url":"{page}"}',
        ),
    ),
    endpoints=(
        Endpoint(
            "https://in.hotjar.com/api/v2/client/sites/3210/visit-data", "json", body='{"success":true}'
        ),
    ),
)

PIXELMETRICS = Tag(
    key="pixelmetrics",
    vendor="(unknown) pixelmetrics-demo.io",
    url="https://cdn.pixelmetrics-demo.io/pm.js",
    hits=(
        Hit(
            "image",
            "https://t.pixelmetrics-demo.io/collect?uid={id}&sid={hex:8}&ts={ts}&ev=pageview&u={page}",
        ),
        Hit(
            "beacon",
            "https://t.pixelmetrics-demo.io/collect?uid={id}&sid={hex:8}&ts={ts}&ev=engagement",
            '{"ev":"engagement","u":"{page}","uid":"{id}"}',
        ),
    ),
    endpoints=(
        Endpoint(
            "https://t.pixelmetrics-demo.io/collect",
            "pixel",
            (_tp("pm_uid", ".pixelmetrics-demo.io", YEAR, value="{hex:16}"),),
            method="GET",
        ),
    ),
    note="a tracker no catalog knows; GET sets pm_uid, the POST beacon gets 204 without cookies",
)

JQUERY = Tag(
    key="jquery_cdn",
    vendor="Cloudflare CDNJS",
    url="https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js",
    body=(
        "window.jQuery = window.$ = function (selector) { return document.querySelectorAll(selector); };\n"
        'window.jQuery.fn = { jquery: "3.7.1" };\n'
    ),
    note="harmless library, no cookies",
)

FONTS = Tag(
    key="google_fonts",
    vendor="Google Fonts",
    url="https://fonts.googleapis.com/css2?family=Inter&display=swap",
    kind="stylesheet",
    body=(
        "@font-face {\n  font-family: 'Inter';\n  font-style: normal;\n  font-weight: 400;\n"
        "  src: url(https://fonts.gstatic.com/s/inter/v13/UcCO3FwrK3iLTeHuS_fvQtMwCp50KnMw2boKoduKmMEVuLyfMZg.woff2)"
        " format('woff2');\n}\nbody { font-family: 'Inter', sans-serif; }\n"
    ),
    endpoints=(Endpoint("https://fonts.gstatic.com/s/inter/*", "font"),),
    note="web font CSS plus the font file, no cookies",
)

YOUTUBE = Tag(
    key="youtube_embed",
    vendor="YouTube",
    url="https://www.youtube.com/embed/dQw4w9WgXcQ",
    kind="iframe",
    http_cookies=(
        _tp("VISITOR_INFO1_LIVE", ".youtube.com", 180 * DAY, http_only=True, value="{hex:11}"),
        _tp("YSC", ".youtube.com", None, http_only=True, value="{hex:11}"),
    ),
    storage=(
        StorageSpec("local", "yt-player-bandwidth", '{"data":"{rand:7}","expiration":{ts},"creation":{ts}}'),
        StorageSpec("local", "yt-remote-device-id", '{"data":"{uuid}","expiration":{ts},"creation":{ts}}'),
    ),
    body="<div id=player>video player</div>",
    note="cross-origin iframe: its document sets the cookies and writes localStorage in its own origin",
)

ALL_TAGS: tuple[Tag, ...] = (
    GA4,
    GOOGLE_ADS,
    FACEBOOK,
    CRITEO,
    BING,
    LINKEDIN,
    QUANTCAST,
    HOTJAR,
    PIXELMETRICS,
    JQUERY,
    FONTS,
    YOUTUBE,
)


# Loaded only once the visitor accepts marketing cookies in the demo's consent banner (its tag manager
# asks OneTrust, as real sites wire their tags): the demo's consent-gated vendor.
BIZIBLE = Tag(
    key="bizible",
    vendor="Bizible",
    url="https://cdn.bizible.com/scripts/bizible.js",
    js_cookies=(_js("_biz_uid", YEAR), _js("_biz_nA", YEAR, "1")),
    hits=(
        Hit("image", "https://cdn.bizibly.com/u?mapType=ga&_biz_u={cookie:_biz_uid}&_biz_l={page}&rnd={ts}"),
    ),
    endpoints=(Endpoint("https://cdn.bizibly.com/u*", "pixel"),),
    note="loaded by the demo's tag manager only after 'accept all' in the consent banner",
)
