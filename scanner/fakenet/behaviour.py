"""The behaviour world: one shop, one page per thing a script can DO to a visitor, and pages that look
alike but must not be flagged.

``https://www.behave-shop.com/`` (registrable domain ``behave-shop.com``) links every case page; each
page embeds imitations of real scripts on the real vendors' hosts (``behaviour_js/*.js``) that really
do, in the browser, what the real ones do: draw and read a canvas, measure fonts, read the unmasked
WebGL renderer, render audio offline, gather ICE candidates, sweep navigator properties, stream DOM
mutations over a WebSocket, hash a typed e-mail address into a pixel URL, hand identifiers to ad
networks, collect under a first-party subdomain, embed social widgets. The false-positive pages use
the same APIs the way ordinary scripts do (an emoji support check, a WebGL map, a video player with a
realtime AudioContext, a page counter reading two navigator properties).

The ground truth is data: ``BEHAVIOUR_TRUTH`` (page path -> ``PageTruth``) says, per page, which
behaviour findings (``Expect``: kind, technique, script, host, vendor and, for value leaks, where the
value comes from and how it travels) must be found and which (``Absent``) must not. Kinds are
``scanner.model.BEHAVIOUR_KINDS``; a kind named in neither list of a page is not asserted there.

Rules the truth encodes (the classifier's contract, written down so the detectors' tests can be
driven from the table):

* Fingerprinting is a finding about a script: ``script`` is the exact URL of the script whose calls
  meet the criterion, ``host`` its host. Canvas: Englehardt & Narayanan (2016) - canvas >= 16x16, text
  of >= 10 distinct characters or >= 2 colours, no save/restore/addEventListener on it, read with
  toDataURL or one getImageData of >= 16x16. Canvas font: >= 50 distinct ``font`` values and >= 50
  ``measureText`` calls. WebGL: ``getParameter`` of UNMASKED_VENDOR_WEBGL (37445) or
  UNMASKED_RENDERER_WEBGL (37446). Audio: OfflineAudioContext + oscillator + dynamics compressor +
  ``startRendering``/``getChannelData``. WebRTC: RTCPeerConnection with ``createDataChannel``,
  ``createOffer``, ``setLocalDescription`` and an ``onicecandidate`` handler, no media. Navigator
  sweep: >= 15 distinct navigator/screen properties read by one script.
* The same techniques by a captcha are ``security_fingerprinting`` (not ``fingerprinting``).
* Session replay counts as ``session_recording`` only with recording traffic to the vendor (here:
  WebSocket frames); a sampled-out recorder (script loaded, nothing sent) is neither recording nor
  possible recording. A third-party script with no catalog entry that observes DOM mutations and
  listens to input and mouse events is ``possible_session_recording``.
* ``form_data_leak`` needs ``--probe-forms`` (``PageTruth.probe_forms``): the typed value reaches a
  third party before any submit. First-party search-as-you-type is not a leak.
* ``id_sharing``: a cookie or storage value reaches a party other than the one it belongs to - a site
  identifier (no vendor) reaching a third party, or vendor A's identifier reaching vendor B (cookie
  sync). A vendor's own identifier sent to the same vendor (Facebook's ``_fbp`` to facebook.com) is
  not sharing.
* Cookie-sync identifiers travel in ``Set-Cookie`` headers of redirects: a browser that refuses
  third-party cookies never stores them, so a detector must take the value from the response header.

* The fingerprinting techniques are each on a page of their own, by an unknown third party
  (``cdn.devicetrace.net``: plain ``fingerprinting``, vendor None), so every technique has a tracking
  case. The Fingerprint-like agent (``/fp/pro``) does four of them in one script; the catalog files
  FingerprintJS under ``security``, so its findings are ``security_fingerprinting`` like
  the captcha's. Should the catalog move it to a tracking category, only that page's truth changes.

Deviations from the real scripts, for testability: the Fingerprint-like agent collects four sources
(the real one collects dozens); the reCAPTCHA-like signals are JSON, not protobuf; the Hotjar-like
recorder records in any browser (the demo world's Hotjar refuses robots).

Tests: ``tests/test_fakenet_behaviour.py`` (plain Playwright: each imitation does what it claims).
``BehaviourInbox`` keeps what the world received (bodies, WebSocket messages, form submits), which
``FakeInternet.log`` does not.
"""

from __future__ import annotations

import base64
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import NamedTuple
from urllib.parse import quote

from scanner.fakenet.site import Handler, RequestInfo, Response, Site, set_cookie
from scanner.fakenet.websocket import WebSocket

SITE = "www.behave-shop.com"
DOMAIN = "behave-shop.com"
METRICS = "smetrics.behave-shop.com"  # the first-party-subdomain tracker (Adobe-like data collection)
ORIGIN = f"https://{SITE}"

DAY = 86_400
YEAR = 365 * DAY


@cache
def js(name: str) -> str:
    """A script of ``behaviour_js`` (package data, so it ships in the wheel)."""
    return resources.files("scanner.fakenet.behaviour_js").joinpath(name).read_text(encoding="utf-8")


def _json(value: object) -> str:
    return json.dumps(value).replace("</", "<\\/")


def _configured(name: str, config: object) -> str:
    return js(name).replace("__CONFIG__", _json(config))


# -- the ground truth ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expect:
    """One behaviour finding that must be made on a page.

    ``script``: exact URL of the script whose behaviour it is (None where no script acts: an HTTP
    redirect chain, an embed frame). ``host``: the host the finding is about - the script's for API
    techniques (fingerprinting, DOM observation), the receiving request's for traffic and value leaks
    (replay traffic, form data, identifiers), the subdomain for ``cname_cloaked``, the frame's for
    embeds. ``vendor``: the catalog vendor name expected for ``host`` (None: no catalog entry - the
    finding names the host instead). ``frame``: URL prefix of the frame the script runs in, when it is
    not the page itself. Value leaks (``form_canary``, ``cookie_value``, ``storage_value``) also say
    where the value comes from (``source``: cookie | local | session | input type; ``name``: cookie
    name, storage key or input name; ``source_domain``: cookie domain without a leading dot, or storage
    origin; ``source_vendor``) and how it travels (``encoding``, ``location``: url | body | beacon |
    websocket; ``param``: the query parameter or JSON key, decoded).
    """

    kind: str
    technique: str
    host: str
    vendor: str | None
    script: str | None = None
    frame: str | None = None
    source: str | None = None
    name: str | None = None
    source_domain: str | None = None
    source_vendor: str | None = None
    encoding: str | None = None
    location: str | None = None
    param: str | None = None
    note: str = ""


@dataclass(frozen=True)
class Absent:
    """A finding that must NOT be made on a page: of this ``kind`` and, when given, this ``technique``,
    about this ``host`` or from the value named ``name``. Unset fields match anything."""

    kind: str
    technique: str | None = None
    host: str | None = None
    name: str | None = None
    why: str = ""


@dataclass(frozen=True)
class PageTruth:
    """What one page of the behaviour world does and must (not) be reported for."""

    path: str
    title: str
    case: str  # what the page imitates, in words
    expect: tuple[Expect, ...] = ()
    absent: tuple[Absent, ...] = ()
    probe_forms: bool = False  # the expectations need --probe-forms (canaries typed into the form)
    # Requests the imitations make on a plain visit, "METHOD https://host/path" (prefixes, query left
    # out): the network side of the behaviour, checked by the tests against the server log.
    traffic: tuple[str, ...] = ()

    @property
    def url(self) -> str:
        return ORIGIN + self.path


FINGERPRINT_TECHNIQUES = (
    "canvas",
    "canvas_font",
    "webgl",
    "audio",
    "webrtc_ip",
    "navigator_sweep",
    "font_probing",
)
NOT_FINGERPRINTING = (Absent("fingerprinting"), Absent("security_fingerprinting"))
NOT_RECORDING = (Absent("session_recording"), Absent("possible_session_recording"))


def _only(technique: str, why: str) -> tuple[Absent, ...]:
    """No fingerprinting finding of another technique (the page's script does one thing)."""
    others = (t for t in FINGERPRINT_TECHNIQUES if t != technique)
    return (*(Absent("fingerprinting", t, why=why) for t in others), Absent("security_fingerprinting"))


# Vendors and hosts -------------------------------------------------------------------------------

FPJS_CDN = "fpjscdn.net"
FPJS_API = "api.fpjs.io"
FPJS = "FingerprintJS"  # catalog category "security"; in the catalog from issue 12 on (CATALOG_ADDITIONS)
FPJS_VERSION = "3.11.6"
DEVICETRACE_CDN = "cdn.devicetrace.net"  # an unknown fingerprinter (no catalog entry, on purpose)
DEVICETRACE_COLLECT = "collect.devicetrace.net"
RECAPTCHA = "www.recaptcha.net"
RECAPTCHA_VERSION = "pCoGBhjs9s8EhFOHJcg9fGBo"
RECAPTCHA_SITEKEY = "6LcBhvAAAAAAAJ4XbNvq-behave-shop-v3key"
HOTJAR_ID = 4815162
HOTJAR_SCRIPT = f"https://static.hotjar.com/c/hotjar-{HOTJAR_ID}.js?sv=6"
HOTJAR_WS = "wss://ws.hotjar.com/api/v2/client/ws"
CLARITY_ID = "bhv0sampled"
REPLAYLYTICS_CDN = "cdn.replaylytics.io"  # an unknown recorder (no catalog entry, on purpose)
REPLAYLYTICS_COLLECT = "rec.replaylytics.io"
FB_PIXEL_ID = "2718281828459045"
FBEVENTS = "https://connect.facebook.net/en_US/fbevents.js"
FB_VERSION = "2.9.179"
ADOBE = "Adobe Experience Cloud"
ADOBE_RSID = "behaveshopprod"
ADOBE_ORG = "0A1B2C3D4E5F60718293A4B5"
ADOBE_VERSION = "2.25.0"
GSI_CLIENT_ID = "271828-behaveshop.apps.googleusercontent.com"
YOUTUBE_ID = "M7lc1UVf-VE"
VIMEO_ID = "76979871"
MAPS_PB = "!1m18!1m12!1m3!1d2427.0!2d13.3777!3d52.5163!2m3!1f0!2f0!3f0!3m2!1i1024!2i768!4f13.1"
SCORECARD_C2 = "31415926"
MAPLIBRE = "https://unpkg.com/maplibre-gl@4.1.2/dist/maplibre-gl.js"
VIDEOJS = "https://vjs.zencdn.net/8.10.0/video.min.js"
CALL_WIDGET = "https://meet.jit.si/external_api.js"
WEBFONT_LOADER = "https://ajax.googleapis.com/ajax/libs/webfont/1.6.26/webfont.js"
EMOJI_CDN = "https://s.w.org/images/core/emoji/15.0.3/svg/"

FPJS_KEY = "bhvProKey0001"  # the agent's public API key (the page's FPJS.load({apiKey}))
FPJS_KEYS = {FPJS_KEY: ("canvas", "webgl", "audio", "navigator")}  # key -> the sources its agent collects
DEVICETRACE_MODES = {
    mode: f"/v2/dt-{name}.js"
    for mode, name in (
        ("canvas", "canvas"),
        ("fonts", "fonts"),
        ("webgl", "gl"),
        ("audio", "audio"),
        ("webrtc", "rtc"),
        ("navigator", "nav"),
        ("fontcheck", "fontcheck"),
    )
}


def fpjs_script(key: str) -> str:
    return f"https://{FPJS_CDN}/v3/{key}/iife.min.js"


def devicetrace_script(mode: str) -> str:
    return f"https://{DEVICETRACE_CDN}{DEVICETRACE_MODES[mode]}"


RECAPTCHA_API = f"https://{RECAPTCHA}/recaptcha/api.js?render={RECAPTCHA_SITEKEY}"
RECAPTCHA_ANCHOR = f"https://{RECAPTCHA}/recaptcha/api2/anchor"
RECAPTCHA_SCRIPT = f"https://{RECAPTCHA}/recaptcha/releases/{RECAPTCHA_VERSION}/recaptcha__en.js"
CLARITY_TAG = f"https://www.clarity.ms/tag/{CLARITY_ID}"
REPLAYLYTICS_SCRIPT = f"https://{REPLAYLYTICS_CDN}/rl.js"
APPMEASUREMENT = f"{ORIGIN}/static/js/AppMeasurement.js"
SITE_IDS_SCRIPT = f"{ORIGIN}/static/js/ids.js"
SEARCH_SCRIPT = f"{ORIGIN}/static/js/search.js"
TICKER_SCRIPT = f"{ORIGIN}/static/js/ticker.js"
GSI_CLIENT = "https://accounts.google.com/gsi/client"

# Vendors (catalog names) this world needs that the catalog does not know yet: URL prefix -> vendor.
# tests/test_fakenet_behaviour.py checks the rest of the table against the catalog, and these once
# they are in (helper CLASSIFY of issue 12 adds them).
CATALOG_ADDITIONS: dict[str, str] = {
    f"https://{FPJS_CDN}/v3/": FPJS,
    f"https://{FPJS_API}/": FPJS,
    "https://www.google.com/maps/embed": "Google Maps",  # an endpoint rule on www.google.com
}
# Hosts that must stay unknown to the catalog: the unknown-vendor cases.
UNKNOWN_HOSTS = (DEVICETRACE_CDN, DEVICETRACE_COLLECT, REPLAYLYTICS_CDN, REPLAYLYTICS_COLLECT)


def _fp(technique: str, script: str, vendor: str | None, note: str = "") -> Expect:
    host = script.split("/")[2]
    return Expect("fingerprinting", technique, host, vendor, script=script, note=note)


def _id(
    name: str, source: str, host: str, vendor: str, encoding: str, location: str, param: str, **kw
) -> Expect:
    technique = "cookie_value" if source == "cookie" else "storage_value"
    return Expect(
        "id_sharing",
        technique,
        host,
        vendor,
        source=source,
        name=name,
        encoding=encoding,
        location=location,
        param=param,
        **kw,
    )


PAGES: tuple[PageTruth, ...] = (
    PageTruth(
        "/",
        "Behave Shop",
        "index: links every case page (an end-to-end crawl starts here); sets the bs_vid visitor cookie",
        absent=(*NOT_FINGERPRINTING, *NOT_RECORDING, Absent("id_sharing"), Absent("cname_cloaked")),
    ),
    PageTruth(
        "/clean",
        "Clean page",
        "no third party, no behaviour",
        absent=tuple(
            Absent(kind)
            for kind in (
                "fingerprinting",
                "security_fingerprinting",
                "session_recording",
                "possible_session_recording",
                "form_data_leak",
                "id_sharing",
                "cname_cloaked",
                "embed",
            )
        ),
    ),
    PageTruth(
        "/fp/canvas",
        "Canvas fingerprinting",
        "unknown fingerprinter: 280x60 canvas, a 31-character text in two fonts and two colours, read back "
        "whole with getImageData",
        expect=(_fp("canvas", devicetrace_script("canvas"), None),),
        absent=_only("canvas", "the script draws and reads one canvas"),
        traffic=(f"GET {devicetrace_script('canvas')}", f"POST https://{DEVICETRACE_COLLECT}/v2/c"),
    ),
    PageTruth(
        "/fp/fonts",
        "Canvas font fingerprinting",
        "unknown fingerprinter: 73 distinct canvas fonts, one measureText each, no canvas read",
        expect=(_fp("canvas_font", devicetrace_script("fonts"), None),),
        absent=_only("canvas_font", "measureText only: the canvas is never read"),
        traffic=(f"GET {devicetrace_script('fonts')}", f"POST https://{DEVICETRACE_COLLECT}/v2/c"),
    ),
    PageTruth(
        "/fp/webgl",
        "WebGL fingerprinting",
        "unknown fingerprinter: WEBGL_debug_renderer_info and getParameter(37445/37446)",
        expect=(_fp("webgl", devicetrace_script("webgl"), None),),
        absent=_only("webgl", "the script reads the unmasked vendor and renderer only"),
        traffic=(f"GET {devicetrace_script('webgl')}", f"POST https://{DEVICETRACE_COLLECT}/v2/c"),
    ),
    PageTruth(
        "/fp/audio",
        "Audio fingerprinting",
        "unknown fingerprinter: OfflineAudioContext, triangle oscillator -> dynamics compressor, "
        "startRendering, sum of getChannelData (oncomplete)",
        expect=(_fp("audio", devicetrace_script("audio"), None),),
        absent=_only("audio", "the script renders audio offline only"),
        traffic=(f"GET {devicetrace_script('audio')}", f"POST https://{DEVICETRACE_COLLECT}/v2/c"),
    ),
    PageTruth(
        "/fp/webrtc",
        "WebRTC local IP discovery",
        "unknown fingerprinter: RTCPeerConnection, createDataChannel, createOffer, setLocalDescription, "
        "onicecandidate; no media, no STUN server",
        expect=(_fp("webrtc_ip", devicetrace_script("webrtc"), None),),
        absent=_only("webrtc_ip", "the script only gathers ICE candidates"),
        traffic=(f"GET {devicetrace_script('webrtc')}", f"POST https://{DEVICETRACE_COLLECT}/v2/c"),
    ),
    PageTruth(
        "/fp/navigator",
        "Navigator sweep",
        "unknown fingerprinter: 16 navigator properties and 6 screen properties",
        expect=(_fp("navigator_sweep", devicetrace_script("navigator"), None),),
        absent=_only("navigator_sweep", "the script reads navigator and screen only"),
        traffic=(f"GET {devicetrace_script('navigator')}", f"POST https://{DEVICETRACE_COLLECT}/v2/c"),
    ),
    PageTruth(
        "/fp/fontcheck",
        "Font probing",
        "unknown fingerprinter: document.fonts.check for 73 system font families, the installed ones posted",
        expect=(_fp("font_probing", devicetrace_script("fontcheck"), None),),
        absent=_only("font_probing", "the script asks the font loading API only"),
        traffic=(f"GET {devicetrace_script('fontcheck')}", f"POST https://{DEVICETRACE_COLLECT}/v2/c"),
    ),
    PageTruth(
        "/fp/pro",
        "Fingerprinting service",
        "Fingerprint-like agent (fpjscdn.net, results to api.fpjs.io): 240x60 canvas with 'Cwm fjordbank "
        "gly' + emoji in two fonts and three colours read twice with toDataURL, the unmasked WebGL renderer, "
        "an offline-rendered triangle oscillator through a compressor, 17 navigator/screen properties. The "
        "catalog files FingerprintJS under 'security' (fraud prevention), so it is security fingerprinting",
        expect=tuple(
            Expect("security_fingerprinting", t, FPJS_CDN, FPJS, script=fpjs_script(FPJS_KEY))
            for t in ("canvas", "webgl", "audio", "navigator_sweep")
        ),
        absent=(
            Absent("fingerprinting", why="the vendor's catalog category is security"),
            Absent("security_fingerprinting", "canvas_font"),
            Absent("security_fingerprinting", "webrtc_ip"),
        ),
        traffic=(f"GET {fpjs_script(FPJS_KEY)}", f"POST https://{FPJS_API}/"),
    ),
    PageTruth(
        "/captcha",
        "Captcha",
        "reCAPTCHA-v3-like: api.js opens the invisible anchor frame, whose recaptcha__en.js draws and reads "
        "a canvas (text in two colours) and reads 20 navigator/screen properties, then POSTs them",
        expect=tuple(
            Expect(
                "security_fingerprinting",
                t,
                RECAPTCHA,
                "Google reCAPTCHA",
                script=RECAPTCHA_SCRIPT,
                frame=RECAPTCHA_ANCHOR,
            )
            for t in ("canvas", "navigator_sweep")
        ),
        absent=(Absent("fingerprinting", why="a captcha's fingerprinting is security fingerprinting"),),
        traffic=(
            f"GET {RECAPTCHA_API.split('?')[0]}",
            f"GET {RECAPTCHA_ANCHOR}",
            f"GET {RECAPTCHA_SCRIPT}",
            f"POST https://{RECAPTCHA}/recaptcha/api2/reload",
        ),
    ),
    PageTruth(
        "/replay/hotjar",
        "Session recording (WebSocket)",
        "Hotjar-like recorder: DOM snapshot, then mutation / mouse / click / input / key / scroll batches "
        "over wss://ws.hotjar.com/api/v2/client/ws every 0.5 s and on scroll; a first-party ticker "
        "changes the page 2.5 times a second",
        expect=(
            Expect("session_recording", "replay_traffic", "ws.hotjar.com", "Hotjar", script=HOTJAR_SCRIPT),
        ),
        absent=NOT_FINGERPRINTING,
        traffic=(f"GET {HOTJAR_SCRIPT.split('?')[0]}", "GET https://ws.hotjar.com/api/v2/client/ws"),
    ),
    PageTruth(
        "/replay/sampled",
        "Session replay, sampled out",
        "Clarity-like tag at 0 % sampling: loads, defines clarity(), records and sends nothing",
        absent=(
            Absent("session_recording", why="a loaded recorder that sends nothing is not recording"),
            Absent("possible_session_recording", why="no DOM observer, no listeners"),
            *NOT_FINGERPRINTING,
        ),
        traffic=(f"GET {CLARITY_TAG}",),
    ),
    PageTruth(
        "/replay/unknown",
        "Unknown session recorder",
        "unknown recorder: MutationObserver on the document subtree, input/change/mouse/click listeners, "
        "batches POSTed to its own host every second",
        expect=(
            Expect(
                "possible_session_recording",
                "dom_and_input",
                REPLAYLYTICS_CDN,
                None,
                script=REPLAYLYTICS_SCRIPT,
            ),
        ),
        absent=(
            Absent("session_recording", why="an unknown vendor is 'possible' recording"),
            *NOT_FINGERPRINTING,
        ),
        traffic=(f"GET {REPLAYLYTICS_SCRIPT}", f"POST https://{REPLAYLYTICS_COLLECT}/v1/batch"),
    ),
    PageTruth(
        "/signup",
        "Advanced matching",
        "Meta-Pixel-like fbevents.js: PageView, then the typed e-mail (trim, lower case) SHA-256-hashed as "
        "ud[em] on a PageView GET to www.facebook.com/tr/ before any submit; the form (e-mail, name, "
        "search, password, card number) posts to /order, which a scanner must never reach; the search "
        "field asks the shop's own /suggest?q= as you type",
        expect=(
            Expect(
                "form_data_leak",
                "form_canary",
                "www.facebook.com",
                "Facebook",
                script=FBEVENTS,
                source="email",
                name="email",
                encoding="sha256",
                location="url",
                param="ud[em]",
                note="hash of value.trim().toLowerCase(); sent 0.3 s after typing stops, and on change/blur",
            ),
        ),
        absent=(
            Absent("form_data_leak", host=SITE, why="first-party search-as-you-type (/suggest?q=)"),
            Absent("form_data_leak", name="full_name", why="nothing sends the name field"),
            Absent("form_data_leak", name="q", why="the search field goes to the shop only"),
            Absent("id_sharing", host="www.facebook.com", why="_fbp is Facebook's own id, sent to Facebook"),
            Absent("possible_session_recording", why="input listeners without a DOM observer"),
            *NOT_FINGERPRINTING,
        ),
        probe_forms=True,
        traffic=(f"GET {FBEVENTS}", "GET https://www.facebook.com/tr/"),
    ),
    PageTruth(
        "/ids",
        "Identifier sharing",
        "the shop's bs_vid cookie (HTTP) to DoubleClick in a query (u1) and base64 in a JSON body (uid), "
        "its _ga cookie (set by its own script) as u2, its localStorage bs_device_id to Scorecard "
        "Research (cs_fpid); a cookie-sync chain dis.criteo.com (uid) -> x.bidswitch.net (user_id=uid; "
        "tuuid) -> ib.adnxs.com (code=tuuid)",
        expect=(
            _id(
                "bs_vid",
                "cookie",
                "ad.doubleclick.net",
                "DoubleClick",
                "plain",
                "url",
                "u1",
                script=SITE_IDS_SCRIPT,
                source_domain=SITE,
            ),
            _id(
                "bs_vid",
                "cookie",
                "ad.doubleclick.net",
                "DoubleClick",
                "base64",
                "body",
                "uid",
                script=SITE_IDS_SCRIPT,
                source_domain=SITE,
            ),
            _id(
                "_ga",
                "cookie",
                "ad.doubleclick.net",
                "DoubleClick",
                "plain",
                "url",
                "u2",
                script=SITE_IDS_SCRIPT,
                source_domain=DOMAIN,
                source_vendor="Google Analytics",
                note="written by the shop's own script, but the catalog names _ga Google Analytics's",
            ),
            _id(
                "bs_device_id",
                "local",
                "sb.scorecardresearch.com",
                "Scorecard Research",
                "plain",
                "url",
                "cs_fpid",
                script=SITE_IDS_SCRIPT,
                source_domain=ORIGIN,
            ),
            _id(
                "uid",
                "cookie",
                "x.bidswitch.net",
                "Bidswitch",
                "plain",
                "url",
                "user_id",
                source_domain="criteo.com",
                source_vendor="Criteo",
                note="redirect from dis.criteo.com; the value is in that response's Set-Cookie",
            ),
            _id(
                "tuuid",
                "cookie",
                "ib.adnxs.com",
                "AppNexus",
                "plain",
                "url",
                "code",
                source_domain="bidswitch.net",
                source_vendor="Bidswitch",
                note="redirect from x.bidswitch.net; the value is in that response's Set-Cookie",
            ),
        ),
        absent=(*NOT_FINGERPRINTING, *NOT_RECORDING),
        traffic=(
            f"GET {SITE_IDS_SCRIPT}",
            "GET https://ad.doubleclick.net/ddm/activity/",
            "POST https://ad.doubleclick.net/ddm/s2s/visit",
            "GET https://sb.scorecardresearch.com/p",
            "GET https://dis.criteo.com/dis/usersync.aspx",
            "GET https://x.bidswitch.net/sync",
            "GET https://ib.adnxs.com/setuid",
        ),
    ),
    PageTruth(
        "/cloaked",
        "First-party-subdomain tracker",
        f"self-hosted Adobe-like AppMeasurement.js sending /b/ss/{ADOBE_RSID}/1/JS-{ADOBE_VERSION}/s<random> "
        f"to {METRICS}, which sets s_ecid on .{DOMAIN}; the script keeps AMCV_{ADOBE_ORG}%40AdobeOrg "
        "and s_cc",
        expect=(
            Expect(
                "cname_cloaked",
                "cloaked_path",
                METRICS,
                ADOBE,
                script=APPMEASUREMENT,
                note="path /b/ss/ on a first-party subdomain; cookies s_ecid (HTTP), AMCV_*, s_cc",
            ),
        ),
        absent=NOT_FINGERPRINTING,
        traffic=(f"GET {APPMEASUREMENT}", f"GET https://{METRICS}/b/ss/{ADOBE_RSID}/1/JS-{ADOBE_VERSION}/s"),
    ),
    PageTruth(
        "/embeds",
        "Social widgets, sign-in and embeds",
        "Facebook Like button frame, Sign in with Google (gsi/client and its button frame), YouTube and "
        "Vimeo players, a Google Maps embed",
        expect=(
            Expect(
                "embed",
                "like_button",
                "www.facebook.com",
                "Facebook",
                frame="https://www.facebook.com/plugins/like.php",
            ),
            Expect(
                "embed",
                "sso",
                "accounts.google.com",
                "Other Google APIs/SDKs",
                script=GSI_CLIENT,
                frame="https://accounts.google.com/gsi/button",
            ),
            Expect(
                "embed",
                "video",
                "www.youtube.com",
                "YouTube",
                frame=f"https://www.youtube.com/embed/{YOUTUBE_ID}",
            ),
            Expect(
                "embed",
                "video",
                "player.vimeo.com",
                "Vimeo",
                frame=f"https://player.vimeo.com/video/{VIMEO_ID}",
            ),
            Expect(
                "embed",
                "map",
                "www.google.com",
                "Google Maps",
                frame="https://www.google.com/maps/embed",
            ),
        ),
        absent=(*NOT_FINGERPRINTING, *NOT_RECORDING),
        traffic=(
            "GET https://www.facebook.com/plugins/like.php",
            f"GET {GSI_CLIENT}",
            "GET https://accounts.google.com/gsi/button",
            f"GET https://www.youtube.com/embed/{YOUTUBE_ID}",
            f"GET https://player.vimeo.com/video/{VIMEO_ID}",
            "GET https://www.google.com/maps/embed",
        ),
    ),
    PageTruth(
        "/emoji",
        "Emoji support check",
        "WordPress-like inline emoji check: a fresh 300x150 canvas per test, one flag (and the same letters "
        "split by a zero-width space) compared with toDataURL, one emoji read back as a single pixel; "
        "default colour; then wp-emoji-release swaps emoji for s.w.org images",
        absent=(
            Absent("fingerprinting", why="at most 4 distinct characters and 1 colour per canvas"),
            Absent("security_fingerprinting"),
        ),
    ),
    PageTruth(
        "/map",
        "WebGL map",
        "MapLibre-like map from unpkg: WebGL context, MAX_TEXTURE_SIZE / MAX_VERTEX_ATTRIBS / "
        "MAX_VIEWPORT_DIMS / ALIASED_POINT_SIZE_RANGE, an anisotropic-filtering extension, a drawn line; "
        "no debug renderer info",
        absent=(
            Absent("fingerprinting", why="ordinary WebGL parameters only"),
            Absent("security_fingerprinting"),
        ),
        traffic=(f"GET {MAPLIBRE}", f"GET {ORIGIN}/map/style.json"),
    ),
    PageTruth(
        "/video",
        "Video player",
        "Video.js-like player from vjs.zencdn.net: realtime AudioContext, createMediaElementSource -> gain "
        "-> destination; no OfflineAudioContext, no oscillator",
        absent=(
            Absent("fingerprinting", why="a realtime AudioContext for playback"),
            Absent("security_fingerprinting"),
        ),
        traffic=(f"GET {VIDEOJS}",),
    ),
    PageTruth(
        "/webfonts",
        "Web font loader",
        "Web-Font-Loader-like script from ajax.googleapis.com: loads the site's two families and asks "
        "document.fonts.check whether they are ready",
        absent=(
            Absent(
                "fingerprinting", "font_probing", why="two of the site's own families, not a system probe"
            ),
            Absent("fingerprinting"),
            Absent("security_fingerprinting"),
        ),
        traffic=(f"GET {WEBFONT_LOADER}",),
    ),
    PageTruth(
        "/call",
        "Video call",
        "Jitsi-Meet-like call widget from meet.jit.si: getUserMedia, audio and video transceivers, a "
        "chat data channel, an offer and ICE candidates; the RTCPeerConnection calls of a local-IP "
        "probe, with media",
        absent=(
            Absent("fingerprinting", "webrtc_ip", why="a call sends media: not a local-IP probe"),
            Absent("fingerprinting"),
            Absent("security_fingerprinting"),
        ),
        traffic=(f"GET {CALL_WIDGET}",),
    ),
    PageTruth(
        "/stats",
        "First-party page counter",
        "inline first-party snippet reading navigator.userAgent and navigator.language, beaconed to "
        "/stats/hit",
        absent=(Absent("fingerprinting", why="two navigator properties"), Absent("security_fingerprinting")),
        traffic=(f"POST {ORIGIN}/stats/hit",),
    ),
)

BEHAVIOUR_TRUTH: dict[str, PageTruth] = {page.path: page for page in PAGES}


# -- what the world received -----------------------------------------------------------------------


class Received(NamedTuple):
    scheme: str
    host: str
    method: str
    target: str  # path with query
    headers: dict[str, str]
    body: bytes
    time: float  # epoch seconds

    @property
    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.target}"


@dataclass
class BehaviourInbox:
    """What the behaviour world's hosts received, with bodies (``FakeInternet.log`` has no bodies):
    every request (``requests``), every WebSocket message per connection (``sockets``: path, messages,
    each with its arrival time), the form submits that reached /order (``submits``: a scanner must
    never cause one) and the sync ids the cookie-sync hosts issued (``sync_ids``: host -> values)."""

    requests: list[Received] = field(default_factory=list)
    sockets: list[tuple[str, list[tuple[float, str | bytes]]]] = field(default_factory=list)
    submits: list[Received] = field(default_factory=list)
    sync_ids: dict[str, list[str]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def find(
        self, host: str | None = None, method: str | None = None, path_prefix: str = ""
    ) -> list[Received]:
        with self.lock:
            items = list(self.requests)
        return [
            r
            for r in items
            if (host is None or r.host == host)
            and (method is None or r.method == method)
            and r.target.startswith(path_prefix)
        ]

    def clear(self) -> None:
        with self.lock:
            self.requests.clear()
            self.sockets.clear()
            self.submits.clear()
            self.sync_ids.clear()

    def _issued(self, host: str, value: str) -> None:
        with self.lock:
            self.sync_ids.setdefault(host, []).append(value)


class _Recording:
    """A host's handler that notes every request in the inbox before answering it."""

    def __init__(self, site: Site, inbox: BehaviourInbox) -> None:
        self.site, self.inbox = site, inbox

    def __call__(self, request: RequestInfo) -> Response:
        received = Received(
            request.scheme,
            request.host,
            request.method,
            request.target,
            dict(request.headers),
            request.body[:65536],
            time.time(),
        )
        with self.inbox.lock:
            self.inbox.requests.append(received)
        return self.site(request)


# -- responses -------------------------------------------------------------------------------------


def _script(text: str) -> Response:
    return Response(
        200,
        [("Content-Type", "application/javascript; charset=utf-8"), ("Cache-Control", "no-cache")],
        text.encode(),
    )


def _json_response(data: object) -> Response:
    return Response(
        200, [("Content-Type", "application/json"), ("Cache-Control", "no-store")], json.dumps(data).encode()
    )


def _frame_html(title: str, body: str, cookies: tuple[str, ...] = ()) -> Response:
    text = (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{html.escape(title)}</title></head>"
        f"<body style='margin:0;font:13px sans-serif'>{body}</body></html>"
    )
    return Response.html(text, cookies=cookies)


def _cookie_value(request: RequestInfo, name: str) -> str:
    for part in request.headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


# -- the shop's pages ------------------------------------------------------------------------------

NAV_STYLE = "body{font:15px/1.5 sans-serif;max-width:60em;margin:1em auto;padding:0 1em}.tall{height:1600px}"


def _page(truth: PageTruth, body: str, head: str = "") -> str:
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
        f"<title>{html.escape(truth.title)} - Behave Shop</title>\n<style>{NAV_STYLE}</style>\n{head}\n"
        "</head><body>\n"
        f'<nav><a href="/">Behave Shop</a></nav>\n<h1>{html.escape(truth.title)}</h1>\n'
        f"<p class=case>{html.escape(truth.case)}</p>\n{body}\n</body></html>\n"
    )


def _inline(text: str) -> str:
    safe = text.replace("</", "<\\/")
    return f"<script>\n{safe}</script>"


def _src(url: str, extra: str = "") -> str:
    return f'<script src="{html.escape(url)}"{extra}></script>'


def _ticker_block() -> str:
    return (
        '<p id="viewers">people are viewing this page</p><p id="news" data-item="0">News</p>\n'
        f"{_src(TICKER_SCRIPT)}\n"
        "<label>Your question <input id=question name=question type=text></label>\n"
        '<div class="tall">A long product description (scroll down)</div><p id=end>End of page.</p>'
    )


def _fpjs_body(key: str) -> str:
    call = (
        f"FPJS.load({{apiKey: {_json(key)}}}).then(function (fp) {{ return fp.get(); }})"
        ".then(function (r) { document.getElementById('visitor').textContent = r.visitorId; });"
    )
    return f'<p>Visitor: <code id="visitor">...</code></p>\n{_src(fpjs_script(key))}\n{_inline(call)}'


def _index_body() -> str:
    items = "\n".join(
        f'<li><a href="{page.path}">{html.escape(page.title)}</a> - {html.escape(page.case)}</li>'
        for page in PAGES
        if page.path != "/"
    )
    return f"<ul>\n{items}\n</ul>"


FB_BASE_CODE = (
    "!function (f, b, e, v, n, t, s) { if (f.fbq) return; n = f.fbq = function () {"
    " n.callMethod ? n.callMethod.apply(n, arguments) : n.queue.push(arguments); };"
    " if (!f._fbq) f._fbq = n; n.push = n; n.loaded = !0; n.version = '2.0'; n.queue = [];"
    " t = b.createElement(e); t.async = !0; t.src = v; s = b.getElementsByTagName(e)[0];"
    " s.parentNode.insertBefore(t, s); }(window, document, 'script', " + _json(FBEVENTS) + ");\n"
    f"fbq('init', '{FB_PIXEL_ID}');\nfbq('track', 'PageView');\n"
)

SIGNUP_FORM = """<form id="order" action="/order" method="post" autocomplete="off">
<p><label>E-mail <input type="email" name="email" id="email"></label></p>
<p><label>Full name <input type="text" name="full_name" id="full_name"></label></p>
<p><label>Password <input type="password" name="password" id="password"></label></p>
<p><label>Card number <input type="text" name="cc-number" id="cc-number" autocomplete="cc-number"
   inputmode="numeric"></label></p>
<p><button type="submit">Place order</button></p>
</form>
<form id="search" action="/search" role="search">
<label>Search <input type="search" name="q" id="q"></label>
<ul id="suggestions"></ul>
</form>"""

WP_EMOJI_SETTINGS = {
    "baseUrl": "https://s.w.org/images/core/emoji/15.0.3/72x72/",
    "ext": ".png",
    "svgUrl": EMOJI_CDN,
    "svgExt": ".svg",
    "source": {"concatemoji": "/wp-includes/js/wp-emoji-release.min.js?ver=6.5.2"},
}


def _bodies() -> dict[str, tuple[str, str]]:
    """Page path -> (head, body) markup."""
    gsi = (
        f'<div id="g_id_onload" data-client_id="{GSI_CLIENT_ID}" data-auto_prompt="false"></div>\n'
        '<div class="g_id_signin" data-type="standard" data-theme="outline" data-size="large"></div>\n'
        f"{_src(GSI_CLIENT, ' async')}"
    )
    like = (
        "https://www.facebook.com/plugins/like.php?href="
        + quote(ORIGIN + "/", safe="")
        + "&width=150&layout=button_count&action=like&size=small&share=true&height=46&appId"
    )
    frames = (
        (like, "Like", 'width="150" height="46"'),
        (
            f"https://www.youtube.com/embed/{YOUTUBE_ID}",
            "YouTube",
            'width="560" height="315" allowfullscreen',
        ),
        (f"https://player.vimeo.com/video/{VIMEO_ID}?h=8272103f6e", "Vimeo", 'width="640" height="360"'),
        (
            f"https://www.google.com/maps/embed?pb={MAPS_PB}",
            "Map",
            'width="600" height="450" loading="eager"',
        ),
    )
    iframes = [
        f'<iframe title="{title}" src="{html.escape(src)}" {attrs}></iframe>' for src, title, attrs in frames
    ]
    embeds = "\n".join((iframes[0], gsi, *iframes[1:]))
    stats = js("site_stats.js")
    return {
        "/": ("", _index_body()),
        "/clean": ("", "<p>Opening hours: Monday to Friday, 9 to 18.</p>"),
        **{f"/fp/{mode}": ("", _src(devicetrace_script(mode), " async")) for mode in DEVICETRACE_MODES},
        "/fp/pro": ("", _fpjs_body(FPJS_KEY)),
        "/captcha": (
            _src(RECAPTCHA_API),
            '<form id="login"><input type="hidden" name="g-recaptcha-response" id="token"></form>\n'
            + _inline(
                "grecaptcha.ready(function () { grecaptcha.execute("
                + _json(RECAPTCHA_SITEKEY)
                + ", {action: 'login'}).then(function (token) {"
                " document.getElementById('token').value = token; }); });"
            ),
        ),
        "/replay/hotjar": (_inline(_configured("hotjar_snippet.js", HOTJAR_ID)), _ticker_block()),
        "/replay/sampled": (_inline(_configured("clarity_snippet.js", CLARITY_ID)), _ticker_block()),
        "/replay/unknown": (_src(REPLAYLYTICS_SCRIPT, " async"), _ticker_block()),
        "/signup": (_inline(FB_BASE_CODE), SIGNUP_FORM + "\n" + _src(SEARCH_SCRIPT)),
        "/ids": (
            "",
            "<p>Your account.</p>\n" + _src(SITE_IDS_SCRIPT) + "\n"
            '<img alt="" width="1" height="1" src="https://dis.criteo.com/dis/usersync.aspx?r=7&amp;p=3&amp;cp=bswitch&amp;s=1">',
        ),
        "/cloaked": ("", _src(APPMEASUREMENT) + "\n" + _inline("s.pageName = 'cloaked'; s.t();")),
        "/embeds": ("", embeds),
        "/emoji": (
            _inline(
                "window._wpemojiSettings = " + _json(WP_EMOJI_SETTINGS) + ";\n" + js("wp_emoji_loader.js")
            ),
            "<p>We \u2764 our customers \U0001f600 - shipping worldwide \U0001f1fa\U0001f1f3</p>",
        ),
        "/map": (
            _src(MAPLIBRE),
            '<div id="map" style="width:600px;height:400px"></div>\n'
            + _inline(
                "new maplibregl.Map({container: 'map', style: '/map/style.json',"
                " center: [13.38, 52.52], zoom: 12});"
            ),
        ),
        "/video": (
            _src(VIDEOJS),
            '<video id="clip" width="640" height="360" preload="none" playsinline></video>\n'
            + _inline("videojs('clip', {boost: 1.2});"),
        ),
        "/webfonts": (
            _inline("window.WebFontConfig = {families: ['Behave Sans', 'Behave Serif']};")
            + "\n"
            + _src(WEBFONT_LOADER),
            '<p class="brand">Fonts of the Behave Shop.</p>',
        ),
        "/call": ("", '<div id="call"><h2>Talk to our advisers</h2></div>\n' + _src(CALL_WIDGET)),
        "/stats": ("", "<p>Thanks for visiting.</p>\n" + _inline(stats)),
    }


def _visitor_cookie(request: RequestInfo) -> tuple[str, ...]:
    """The shop's visitor id (bs_vid, 2 years, readable by its scripts), set once per browser."""
    if _cookie_value(request, "bs_vid"):
        return ()
    return (set_cookie("bs_vid", secrets.token_hex(16), max_age=2 * YEAR, secure=True, same_site="Lax"),)


def _page_handler(markup: str) -> Handler:
    def handle(request: RequestInfo) -> Response:
        return Response.html(markup, cookies=_visitor_cookie(request))

    return handle


SUGGESTIONS = ("shoes", "shirts", "shorts", "socks", "scarves", "sandals", "sweaters")


def _suggest(request: RequestInfo) -> Response:
    q = request.arg("q").lower()[:100]
    return _json_response([s for s in SUGGESTIONS if s.startswith(q[:2])] or [q + " (no match)"])


def _order(inbox: BehaviourInbox) -> Handler:
    def handle(request: RequestInfo) -> Response:
        with inbox.lock:
            inbox.submits.append(
                Received(
                    request.scheme,
                    request.host,
                    request.method,
                    request.target,
                    dict(request.headers),
                    request.body[:65536],
                    time.time(),
                )
            )
        return Response.html("<!doctype html><title>Order placed</title><h1>Thank you for your order</h1>")

    return handle


def _shop(inbox: BehaviourInbox) -> Site:
    shop = Site()
    for path, (head, body) in _bodies().items():
        shop.add(path, _page_handler(_page(BEHAVIOUR_TRUTH[path], body, head)))
    shop.add("/favicon.ico", Response(404, [("Content-Type", "text/plain")], b"no favicon"))
    shop.add("/suggest", _suggest)
    shop.add("/order", _order(inbox))
    shop.add("/search", lambda r: Response.html("<!doctype html><title>Search</title><p>No results.</p>"))
    shop.add("/stats/hit", Response.no_content())
    shop.add("/static/js/ticker.js", _script(js("ticker.js")))
    shop.add("/static/js/search.js", _script(js("site_search.js")))
    shop.add(
        "/static/js/ids.js",
        _script(
            _configured(
                "site_ids.js",
                {
                    "activity": "https://ad.doubleclick.net/ddm/activity/src=8765432;type=visit;cat=bhvsh0",
                    "s2s": "https://ad.doubleclick.net/ddm/s2s/visit",
                    "scorecard": "https://sb.scorecardresearch.com/p",
                    "c2": SCORECARD_C2,
                },
            )
        ),
    )
    shop.add(
        "/static/js/AppMeasurement.js",
        _script(
            _configured(
                "AppMeasurement.js",
                {
                    "rsid": ADOBE_RSID,
                    "org": ADOBE_ORG,
                    "version": ADOBE_VERSION,
                    "trackingServerSecure": METRICS,
                },
            )
        ),
    )
    shop.add("/wp-includes/js/wp-emoji-release.min.js", _script(js("wp_emoji_release.js")))
    shop.add(
        "/map/style.json",
        _json_response({"version": 8, "name": "Behave Streets", "background": [0.9, 0.93, 0.95, 1]}),
    )
    return shop


# -- third parties ---------------------------------------------------------------------------------


def _fpjs_agent(request: RequestInfo) -> Response:
    parts = request.path.split("/")  # ["", "v3", key, "iife.min.js"]
    if len(parts) != 4 or parts[3] != "iife.min.js" or parts[2] not in FPJS_KEYS:
        return Response.not_found()
    config = {
        "apiKey": parts[2],
        "endpoint": f"https://{FPJS_API}",
        "version": FPJS_VERSION,
        "sources": list(FPJS_KEYS[parts[2]]),
    }
    return _script(_configured("fpjs_agent.js", config))


def _fpjs_api(request: RequestInfo) -> Response:
    if request.method != "POST":
        return Response.text("fingerprint api: POST only", status=405)
    request_id = f"{int(time.time() * 1000)}.{secrets.token_urlsafe(4)}"
    return _json_response(
        {"visitorId": secrets.token_hex(10), "requestId": request_id, "confidence": {"score": 0.99}}
    )


def _recaptcha_anchor(request: RequestInfo) -> Response:
    config = {"sitekey": request.arg("k"), "version": RECAPTCHA_VERSION, "parentOrigin": ORIGIN}
    body = (
        '<div class="rc-anchor rc-anchor-invisible"><span>protected by reCAPTCHA</span></div>'
        f"<script>window.RC_CONFIG = {_json(config)};</script>"
        f'<script src="{RECAPTCHA_SCRIPT}"></script>'
    )
    return _frame_html("reCAPTCHA", body)


def _recaptcha_script(_request: RequestInfo) -> Response:
    # The anchor page names its configuration in RC_CONFIG; the script reads it from there.
    return _script(js("recaptcha_anchor.js").replace("__CONFIG__", "window.RC_CONFIG"))


def _recaptcha_reload(request: RequestInfo) -> Response:
    token = "03AFcWeA" + secrets.token_urlsafe(48)
    answer = ")]}'\n" + json.dumps(["rresp", token, None, None, None, "", 120])
    return Response.text(answer, content_type="application/json; charset=utf-8")


def _hotjar_socket(inbox: BehaviourInbox) -> Handler:
    def talk(ws: WebSocket) -> None:
        messages: list[tuple[float, str | bytes]] = []
        with inbox.lock:
            inbox.sockets.append((ws.path, messages))
        while (message := ws.receive()) is not None:
            with inbox.lock:
                if len(messages) < 10_000:
                    messages.append((time.time(), message))
            if isinstance(message, str) and message.startswith('{"type":"hello"'):
                ws.send(json.dumps({"type": "ok", "recording": True}))

    return lambda _request: Response.websocket(talk)


def _criteo_sync(inbox: BehaviourInbox) -> Handler:
    def handle(request: RequestInfo) -> Response:
        uid = _cookie_value(request, "uid") or base64.urlsafe_b64encode(
            secrets.token_bytes(24)
        ).decode().rstrip("=")
        inbox._issued("dis.criteo.com", uid)
        cookie = set_cookie(
            "uid", uid, domain=".criteo.com", max_age=396 * DAY, secure=True, same_site="None"
        )
        location = f"https://x.bidswitch.net/sync?ssp=criteo&user_id={quote(uid, safe='')}&expires=30"
        return Response.redirect(location, cookies=(cookie,))

    return handle


def _bidswitch_sync(inbox: BehaviourInbox) -> Handler:
    def handle(request: RequestInfo) -> Response:
        tuuid = _cookie_value(request, "tuuid") or secrets.token_hex(16)
        inbox._issued("x.bidswitch.net", tuuid)
        cookies = (
            set_cookie(
                "tuuid", tuuid, domain=".bidswitch.net", max_age=365 * DAY, secure=True, same_site="None"
            ),
            set_cookie(
                "tuuid_lu",
                str(int(time.time())),
                domain=".bidswitch.net",
                max_age=365 * DAY,
                secure=True,
                same_site="None",
            ),
        )
        return Response.redirect(
            f"https://ib.adnxs.com/setuid?entity=bidswitch&code={tuuid}", cookies=cookies
        )

    return handle


def _adnxs_setuid(_request: RequestInfo) -> Response:
    cookie = set_cookie(
        "uuid2",
        str(secrets.randbelow(10**19)),
        domain=".adnxs.com",
        max_age=90 * DAY,
        secure=True,
        http_only=False,
        same_site="None",
    )
    return Response.pixel(cookies=(cookie,))


def _adobe_collect(request: RequestInfo) -> Response:
    mid = request.arg("mid")
    cookies = ()
    if mid and not _cookie_value(request, "s_ecid"):
        cookies = (
            set_cookie(
                "s_ecid",
                f"MCMID%7C{mid}",
                domain=f".{DOMAIN}",
                max_age=2 * YEAR,
                secure=True,
                same_site="Lax",
            ),
        )
    return Response.pixel(cookies=cookies)


def _youtube(_request: RequestInfo) -> Response:
    cookies = (
        set_cookie(
            "YSC",
            secrets.token_urlsafe(8),
            domain=".youtube.com",
            secure=True,
            http_only=True,
            same_site="None",
        ),
        set_cookie(
            "VISITOR_INFO1_LIVE",
            secrets.token_urlsafe(8),
            domain=".youtube.com",
            max_age=180 * DAY,
            secure=True,
            http_only=True,
            same_site="None",
        ),
    )
    body = '<div id="player" style="width:560px;height:315px;background:#000;color:#fff">YouTube player</div>'
    return _frame_html("Behave Shop - YouTube", body, cookies)


def _emoji_svg(request: RequestInfo) -> Response:
    svg = (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 36 36"><circle cx="18" cy="18" r="16" '
        'fill="#ffcc4d"/></svg>'
    )
    return Response(
        200, [("Content-Type", "image/svg+xml"), ("Cache-Control", "max-age=86400")], svg.encode()
    )


def _third_parties(inbox: BehaviourInbox) -> dict[str, Site]:
    devicetrace = Site()
    for mode, path in DEVICETRACE_MODES.items():
        config = {"mode": mode, "endpoint": f"https://{DEVICETRACE_COLLECT}/v2/c", "sid": "dt-7f3a"}
        devicetrace.add(path, _script(_configured("devicetrace.js", config)))
    recaptcha_api = {
        "sitekey": RECAPTCHA_SITEKEY,
        "version": RECAPTCHA_VERSION,
        "origin": f"https://{RECAPTCHA}",
    }
    clarity = {
        "projectId": CLARITY_ID,
        "sampling": 0,
        "recorder": "https://scripts.clarity.ms/0.7.49/clarity.js",
    }
    gsi_button = (
        '<div role="button" style="border:1px solid #dadce0;border-radius:4px;padding:10px">'
        "Sign in with Google</div>"
    )
    like = '<button type="button" class="like">Like</button> <button type="button">Share</button>'
    return {
        FPJS_CDN: Site({"/v3/*": _fpjs_agent}),
        FPJS_API: Site({"/": _fpjs_api}),
        DEVICETRACE_CDN: devicetrace,
        DEVICETRACE_COLLECT: Site({"/v2/c": Response.no_content()}),
        RECAPTCHA: Site(
            {
                "/recaptcha/api.js": _script(_configured("recaptcha_api.js", recaptcha_api)),
                "/recaptcha/api2/anchor": _recaptcha_anchor,
                f"/recaptcha/releases/{RECAPTCHA_VERSION}/recaptcha__en.js": _recaptcha_script,
                "/recaptcha/api2/reload": _recaptcha_reload,
            }
        ),
        "static.hotjar.com": Site(
            {
                f"/c/hotjar-{HOTJAR_ID}.js": _script(
                    _configured("hotjar.js", {"siteId": HOTJAR_ID, "ws": HOTJAR_WS})
                ),
            }
        ),
        "ws.hotjar.com": Site({"/api/v2/client/ws": _hotjar_socket(inbox)}),
        "www.clarity.ms": Site({f"/tag/{CLARITY_ID}": _script(_configured("clarity_tag.js", clarity))}),
        REPLAYLYTICS_CDN: Site(
            {
                "/rl.js": _script(
                    _configured("replaylytics.js", {"endpoint": f"https://{REPLAYLYTICS_COLLECT}/v1/batch"})
                ),
            }
        ),
        REPLAYLYTICS_COLLECT: Site({"/v1/batch": Response.no_content()}),
        "connect.facebook.net": Site(
            {
                "/en_US/fbevents.js": _script(
                    _configured(
                        "fbevents.js", {"version": FB_VERSION, "endpoint": "https://www.facebook.com/tr/"}
                    )
                ),
            }
        ),
        "www.facebook.com": Site(
            {
                "/tr": Response.pixel(),
                "/tr/": Response.pixel(),
                "/plugins/like.php": _frame_html("Facebook Like", like),
            }
        ),
        "ad.doubleclick.net": Site(
            {"/ddm/activity/*": Response.pixel(), "/ddm/s2s/visit": Response.no_content()}
        ),
        "sb.scorecardresearch.com": Site({"/p": Response.pixel()}),
        "dis.criteo.com": Site({"/dis/usersync.aspx": _criteo_sync(inbox)}),
        "x.bidswitch.net": Site({"/sync": _bidswitch_sync(inbox)}),
        "ib.adnxs.com": Site({"/setuid": _adnxs_setuid}),
        METRICS: Site({"/b/ss/*": _adobe_collect}),
        "accounts.google.com": Site(
            {
                "/gsi/client": _script(js("gsi_client.js")),
                "/gsi/style": Response.text(".g_id_signin{display:inline-block}", content_type="text/css"),
                "/gsi/button": _frame_html("Sign in with Google Button", gsi_button),
            }
        ),
        "www.youtube.com": Site({f"/embed/{YOUTUBE_ID}": _youtube}),
        "player.vimeo.com": Site(
            {
                f"/video/{VIMEO_ID}": _frame_html(
                    "Vimeo player", '<div class="vp-player">Vimeo player</div>'
                ),
            }
        ),
        "www.google.com": Site(
            {"/maps/embed": _frame_html("Google Maps", '<div class="map">Google Maps</div>')}
        ),
        "unpkg.com": Site({"/maplibre-gl@4.1.2/dist/maplibre-gl.js": _script(js("maplibre.js"))}),
        "vjs.zencdn.net": Site({"/8.10.0/video.min.js": _script(js("videojs.js"))}),
        "meet.jit.si": Site({"/external_api.js": _script(js("call_widget.js"))}),
        "ajax.googleapis.com": Site(
            {"/ajax/libs/webfont/1.6.26/webfont.js": _script(js("webfontloader.js"))}
        ),
        "s.w.org": Site({"/images/core/emoji/15.0.3/svg/*": _emoji_svg}),
    }


def behaviour_world(inbox: BehaviourInbox | None = None) -> dict[str, _Recording]:
    """The behaviour shop and every host its pages use (see the module docstring). Pass a
    ``BehaviourInbox`` to see what the hosts received (bodies, WebSocket messages, form submits)."""
    inbox = inbox if inbox is not None else BehaviourInbox()
    sites = {SITE: _shop(inbox), **_third_parties(inbox)}
    return {host: _Recording(site, inbox) for host, site in sites.items()}


# -- documentation ---------------------------------------------------------------------------------


def _cell(value: str | None) -> str:
    return "-" if value is None else value.replace("|", "\\|")


def truth_markdown() -> str:
    """``BEHAVIOUR_TRUTH`` as the Markdown tables of scanner/fakenet/README.md (a test keeps them equal)."""
    lines = [
        "### Pages",
        "",
        "| page | what it does | must find | must not find |",
        "|---|---|---|---|",
    ]
    for page in PAGES:
        found = "<br>".join(f"`{e.kind}` {e.technique} ({_cell(e.vendor)})" for e in page.expect) or "-"
        absent = "<br>".join(
            f"`{a.kind}`" + "".join(f" {x}" for x in (a.technique, a.host, a.name) if x) for a in page.absent
        )
        probe = " (needs `--probe-forms`)" if page.probe_forms else ""
        lines.append(f"| `{page.path}` | {_cell(page.case)}{probe} | {found} | {absent or '-'} |")
    lines += [
        "",
        "### Findings in detail",
        "",
        "| page | kind | technique | host | vendor | script | value: source, name -> param (encoding, where)"
        " |",
        "|---|---|---|---|---|---|---|",
    ]
    for page in PAGES:
        for e in page.expect:
            value = (
                f"{e.source} `{e.name}` -> `{e.param}` ({e.encoding}, {e.location})"
                if e.source is not None
                else "-"
            )
            script = f"`{e.script}`" if e.script else (f"frame `{e.frame}`" if e.frame else "-")
            cells = (
                f"`{page.path}`",
                f"`{e.kind}`",
                e.technique,
                f"`{e.host}`",
                _cell(e.vendor),
                script,
                value,
            )
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


README_BEGIN = "<!-- BEGIN GENERATED BEHAVIOUR: scanner.fakenet.behaviour.truth_markdown() -->"
README_END = "<!-- END GENERATED BEHAVIOUR -->"


def readme_block(text: str) -> str:
    """The generated part of the README between ``README_BEGIN`` and ``README_END``."""
    start, stop = text.index(README_BEGIN) + len(README_BEGIN), text.index(README_END)
    return text[start:stop].strip("\n") + "\n"
