"""Behaviour audits for tests, made by the real pipeline: raw visits as the crawl saves them (requests,
cookie observations, and the rows of the behaviour collectors: ``api_calls`` of scanner.collect.api_calls,
``value_leaks`` of scanner.collect.payloads) -> ``assemble`` -> ``analyse`` (attribute, detections,
compare, consent, behaviour report). Nothing here writes a detection or a finding.

The row builders below (``canvas_fingerprint``, ``webgl_probe``, ...) give what the hooks count for one
script doing one thing in one frame; ``api_row`` is the collector's row. ``behaviour_result()`` is a
whole site with one case of every behaviour finding kind, a declaration that two of them contradict,
and the false-positive shapes (emoji check, WebGL map, video player's audio) that must not be flagged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence

from scanner.assemble import assemble
from scanner.model import Declared, ScanMeta, ScanResult
from scanner.pipeline import analyse
from scanner.scope import Scope

SITE = "https://www.behaviour-shop.com"
PAGES = [f"{SITE}/", f"{SITE}/products", f"{SITE}/checkout"]
T0 = 1_800_000_000.0

# Scripts of behaviour_result() and what each does there
FP_SCRIPT = "https://cdn.fp-metrics.net/fp.js"  # unknown third party: every fingerprinting technique
CRITEO_SCRIPT = "https://static.criteo.net/js/ld/ld.js"  # declared for advertising, fingerprints (mismatch)
RECAPTCHA_SCRIPT = "https://www.gstatic.com/recaptcha/releases/r1/recaptcha__en.js"  # security fingerprinting
HOTJAR_SCRIPT = "https://static.hotjar.com/c/hotjar-3000.js"  # records over a WebSocket
HOTJAR_SOCKET = "wss://ws.hotjar.com/api/v2/client/ws"
RECORDER_SCRIPT = "https://cdn.replay-box.net/rec.js"  # unknown: DOM observer + input listeners
EMOJI_SCRIPT = f"{SITE}/wp-includes/js/wp-emoji-release.min.js"  # emoji check: not fingerprinting
MAP_SCRIPT = "https://maps.example-tiles.net/gl.js"  # WebGL map: not fingerprinting
PLAYER_SCRIPT = "https://player.example-video.net/player.js"  # realtime AudioContext: not fingerprinting
CLOAKED_HOST = "metrics.behaviour-shop.com"  # Adobe Analytics behind a first-party subdomain
SELF_HOSTED = "https://stats.behaviour-shop.com/matomo.php"  # self-hosted Matomo on a subdomain: not cloaking

FONTS = [f"Font{i:03d}" for i in range(200)]
NAVIGATOR_PROPS = [
    "Navigator.userAgent",
    "Navigator.language",
    "Navigator.languages",
    "Navigator.platform",
    "Navigator.hardwareConcurrency",
    "Navigator.deviceMemory",
    "Navigator.cookieEnabled",
    "Navigator.doNotTrack",
    "Navigator.maxTouchPoints",
    "Navigator.vendor",
    "Navigator.plugins",
    "Navigator.mimeTypes",
    "Navigator.webdriver",
    "Navigator.pdfViewerEnabled",
    "Screen.width",
    "Screen.height",
    "Screen.availWidth",
    "Screen.availHeight",
    "Screen.colorDepth",
    "Screen.pixelDepth",
]


def _host(url: str) -> str:
    return url.split("/")[2].split(":")[0]


def _domain(host: str) -> str:
    return ".".join(host.split(".")[-2:])


def request(
    url: str,
    page: str,
    resource_type: str = "script",
    method: str = "GET",
    ts: float = T0,
    **extra,
) -> dict:
    """A row of the requests collector (scanner.collect.requests)."""
    host = _host(url)
    return {
        "url": url,
        "method": method,
        "resource_type": resource_type,
        "host": host,
        "registrable_domain": _domain(host),
        "third_party": _domain(host) != "behaviour-shop.com",
        "page_url": page,
        "timestamp": ts,
        **extra,
    }


def websocket(url: str, page: str, frames_sent: int, frames_received: int = 1) -> dict:
    """A WebSocket row (scanner.collect.websockets adds the frame counts to the request row)."""
    return request(
        url,
        page,
        "websocket",
        ws_frames_sent=frames_sent,
        ws_frames_received=frames_received,
        ws_bytes_sent=frames_sent * 900,
        ws_bytes_received=frames_received * 40,
        ws_opened_at=T0 + 1,
    )


def api_row(
    page: str,
    api: str,
    count: int = 1,
    script: str | None = None,
    frame: str | None = None,
    args: Sequence[str] = (),
    args_total: int | None = None,
    canvas: Sequence[dict] = (),
) -> dict:
    """One row of the api_calls collector: one API, one script, one frame of one page."""
    return {
        "page_url": page,
        "api": api,
        "count": count,
        "script": script,
        "frame_url": frame or page,
        "args": list(args),
        "args_total": len(set(args)) if args_total is None else args_total,
        "canvas": [dict(c) for c in canvas],
    }


def canvas_read(
    width: int = 240,
    height: int = 60,
    text_chars: int = 31,
    colors: int = 2,
    read_width: int | None = None,
    read_height: int | None = None,
    save_restore: bool = False,
    listeners: bool = False,
) -> dict:
    """The facts the hooks keep of one canvas read."""
    return {
        "width": width,
        "height": height,
        "read_width": width if read_width is None else read_width,
        "read_height": height if read_height is None else read_height,
        "text_chars": text_chars,
        "colors": colors,
        "save_restore": save_restore,
        "listeners": listeners,
    }


def canvas_fingerprint(
    script: str, page: str, read: dict | None = None, api: str = "toDataURL"
) -> list[dict]:
    """Text drawn in two colours on a 240x60 canvas, read back (the classic canvas fingerprint)."""
    read = read or canvas_read()
    where = "CanvasRenderingContext2D" if api == "getImageData" else "HTMLCanvasElement"
    return [
        api_row(
            page, "CanvasRenderingContext2D.fillText", 2, script, args=["Cwm fjordbank glyphs vext quiz"]
        ),
        api_row(
            page, "CanvasRenderingContext2D.fillStyle", 2, script, args=["#f60", "rgba(102, 204, 0, 0.7)"]
        ),
        api_row(page, f"{where}.{api}", 1, script, canvas=[read]),
    ]


def canvas_font_probe(script: str, page: str, fonts: int = 60, measures: int = 120) -> list[dict]:
    """Set the canvas font to many families and measure a text in each."""
    names = [f"72px {f}, monospace" for f in FONTS[:fonts]]
    return [
        api_row(page, "CanvasRenderingContext2D.font", fonts, script, args=names[:20], args_total=fonts),
        api_row(page, "CanvasRenderingContext2D.measureText", measures, script, args=["mmmmmmmmmmlli"]),
    ]


def webgl_probe(script: str, page: str, params: Sequence[str] = ("37445", "37446")) -> list[dict]:
    """Read the unmasked vendor and renderer through WEBGL_debug_renderer_info."""
    return [
        api_row(page, "WebGLRenderingContext.getExtension", 1, script, args=["WEBGL_debug_renderer_info"]),
        api_row(page, "WebGLRenderingContext.getParameter", len(params), script, args=list(params)),
    ]


def audio_probe(script: str, page: str, compressor: bool = True, context: str = "offline") -> list[dict]:
    """Render an oscillator through a compressor offline and read the samples (the hooks note the kind
    of context of each audio node created)."""
    rows = [
        api_row(page, "BaseAudioContext.createOscillator", 1, script, args=[context]),
        api_row(page, "OfflineAudioContext.startRendering", 1, script),
        api_row(page, "AudioBuffer.getChannelData", 1, script, args=["0"]),
    ]
    if compressor:
        rows.append(api_row(page, "BaseAudioContext.createDynamicsCompressor", 1, script, args=[context]))
    return rows


def webrtc_probe(script: str, page: str, media: bool = False) -> list[dict]:
    """Gather ICE candidates on a data-channel-only connection (local IP discovery)."""
    rows = [
        api_row(page, "RTCPeerConnection.createDataChannel", 1, script, args=[""]),
        api_row(page, "RTCPeerConnection.createOffer", 1, script),
        api_row(page, "RTCPeerConnection.setLocalDescription", 1, script),
        api_row(page, "EventTarget.addEventListener:icecandidate", 1, script, args=["other"]),
    ]
    if media:
        rows.append(api_row(page, "MediaDevices.getUserMedia", 1, script))
        rows.append(api_row(page, "RTCPeerConnection.addTrack", 2, script))
    return rows


def navigator_sweep(script: str, page: str, properties: int = 15) -> list[dict]:
    return [api_row(page, prop, 1, script) for prop in NAVIGATOR_PROPS[:properties]]


def font_check_probe(script: str, page: str, fonts: int = 30) -> list[dict]:
    values = [f"12px {f}" for f in FONTS[:fonts]]
    return [api_row(page, "FontFaceSet.check", fonts, script, args=values[:20], args_total=fonts)]


def recorder(script: str, page: str, events: Iterable[str] = ("keydown", "mousemove", "input")) -> list[dict]:
    """Observe the whole document's mutations and listen to input (what a replay script does)."""
    rows = [api_row(page, "MutationObserver.observe", 1, script, args=["body|childList,subtree,attributes"])]
    rows += [api_row(page, f"EventTarget.addEventListener:{e}", 1, script, args=["document"]) for e in events]
    return rows


def emoji_check(script: str, page: str) -> list[dict]:
    """WordPress wp-emoji: one or two emoji in one colour on a small canvas, compared via toDataURL."""
    return [
        api_row(
            page, "CanvasRenderingContext2D.fillText", 2, script, args=["\U0001f3f3\ufe0f\u200d\u26a7\ufe0f"]
        ),
        api_row(page, "HTMLCanvasElement.toDataURL", 2, script, canvas=[canvas_read(16, 16, 4, 1)]),
        api_row(
            page,
            "CanvasRenderingContext2D.getImageData",
            1,
            script,
            canvas=[canvas_read(300, 150, 2, 1, read_width=1, read_height=1)],
        ),
    ]


def webgl_map(script: str, page: str) -> list[dict]:
    """A WebGL map: limits and formats, never the unmasked renderer."""
    return [
        api_row(
            page,
            "WebGLRenderingContext.getExtension",
            3,
            script,
            args=["OES_element_index_uint", "OES_vertex_array_object"],
        ),
        api_row(
            page, "WebGLRenderingContext.getParameter", 40, script, args=["3379", "34076", "34921", "36347"]
        ),
    ]


def video_player(script: str, page: str) -> list[dict]:
    """A media player: a realtime AudioContext's analyser and oscillator (a beep), no offline rendering."""
    return [
        api_row(page, "BaseAudioContext.createAnalyser", 1, script, args=["realtime"]),
        api_row(page, "BaseAudioContext.createOscillator", 1, script, args=["realtime"]),
        api_row(page, "BaseAudioContext.createDynamicsCompressor", 1, script, args=["realtime"]),
        api_row(page, "AudioBuffer.getChannelData", 4, script, args=["0", "1"]),
        api_row(page, "EventTarget.addEventListener:click", 3, script, args=["button"]),
    ]


def leak_row(
    kind: str,
    page: str,
    url: str,
    source: str,
    name: str,
    source_domain: str | None = None,
    source_first_party: bool = True,
    encoding: str = "plain",
    location: str = "url",
    param: str | None = None,
    method: str = "GET",
    resource_type: str = "image",
) -> dict:
    """One row of the payloads collector (scanner.collect.payloads)."""
    return {
        "kind": kind,
        "page_url": page,
        "source": source,
        "name": name,
        "url": url,
        "encoding": encoding,
        "location": location,
        "param": param,
        "source_domain": source_domain,
        "source_first_party": source_first_party,
        "method": method,
        "resource_type": resource_type,
        "timestamp": T0 + 5,
    }


def cookie_observation(
    name: str, domain: str, page: str, setter_url: str | None = None, source: str = "set-cookie"
) -> dict:
    """A cookie observation of the cookies collector: a Set-Cookie (or jar) sighting."""
    return {
        "name": name,
        "domain": domain,
        "path": "/",
        "source": source,
        "host_only": not domain.startswith("."),
        "expires": T0 + 400 * 86400,
        "declared_lifetime_days": 400.0,
        "secure": True,
        "http_only": False,
        "same_site": "Lax",
        "setter_url": setter_url,
        "value_hash": "0123456789abcdef",
        "value": None,
        "page_url": page,
        "ts": T0 + 1,
    }


def visit(
    page: str,
    requests: list[dict],
    api_calls: list[dict] = (),
    value_leaks: list[dict] = (),
    cookies: list[dict] = (),
) -> dict:
    """A raw visit as the crawl saves it."""
    return {
        "page": {"url": page, "depth": 0 if page == PAGES[0] else 1, "status": 200, "final_url": page},
        "requests": [request(page, page, "document", ts=T0 - 1), *requests],
        "cookie_observations": list(cookies),
        "api_calls": list(api_calls),
        "value_leaks": list(value_leaks),
    }


def scan(
    visits: list[dict],
    declared: Sequence[Declared] | None = None,
    api_hooks: bool = True,
    probe_forms: bool = True,
) -> ScanResult:
    """Raw visits -> assemble -> analyse, as `scanner scan` does after the crawl."""
    meta = ScanMeta(
        tool_version="test",
        start_urls=(PAGES[0],),
        started_at="2027-01-01T00:00:00Z",
        finished_at="2027-01-01T00:01:00Z",
        options={"api_hooks": api_hooks, "probe_forms": probe_forms},
    )
    raw = assemble(meta, Scope([PAGES[0]]), json.loads(json.dumps(visits)))
    return analyse(raw, declared=declared)


def site_visits() -> list[dict]:
    """The site of behaviour_result(): every behaviour kind once, plus the false-positive shapes."""
    home, products, checkout = PAGES
    visits = []
    # home: the unknown fingerprinter (every technique), Criteo's canvas, the emoji check, a WebGL map,
    # a video player, Hotjar streaming over a WebSocket, an unknown recorder, and embeds
    visits.append(
        visit(
            home,
            [
                request(FP_SCRIPT, home),
                request(
                    "https://collect.fp-metrics.net/v1/p.gif?vid=8c1d2e3f4a5b6c7d",
                    home,
                    "image",
                    is_beacon=True,
                ),
                request(CRITEO_SCRIPT, home),
                request(EMOJI_SCRIPT, home),
                request(MAP_SCRIPT, home),
                request(PLAYER_SCRIPT, home),
                request(HOTJAR_SCRIPT, home),
                websocket(HOTJAR_SOCKET, home, frames_sent=14),
                request(RECORDER_SCRIPT, home),
                request("https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ", home, "document"),
                request(
                    "https://www.facebook.com/v18.0/plugins/like.php?href=https%3A%2F%2Fwww.behaviour-shop.com%2F",
                    home,
                    "document",
                ),
                request("https://accounts.google.com/gsi/client", home),
                request(f"https://{CLOAKED_HOST}/b/ss/shopprod/1/JS-2.22.0/s1234?AQB=1", home, "image"),
                request(SELF_HOSTED + "?idsite=1&rec=1", home, "image"),
            ],
            api_calls=[
                *canvas_fingerprint(FP_SCRIPT, home),
                *canvas_font_probe(FP_SCRIPT, home),
                *webgl_probe(FP_SCRIPT, home),
                *audio_probe(FP_SCRIPT, home),
                *webrtc_probe(FP_SCRIPT, home),
                *navigator_sweep(FP_SCRIPT, home),
                *font_check_probe(FP_SCRIPT, home),
                *canvas_fingerprint(CRITEO_SCRIPT, home),
                *emoji_check(EMOJI_SCRIPT, home),
                *webgl_map(MAP_SCRIPT, home),
                *video_player(PLAYER_SCRIPT, home),
                *recorder(HOTJAR_SCRIPT, home),
                *recorder(RECORDER_SCRIPT, home),
            ],
            cookies=[
                cookie_observation(
                    "s_ecid", ".behaviour-shop.com", home, f"https://{CLOAKED_HOST}/b/ss/shopprod/1"
                )
            ],
        )
    )
    # products: the fingerprinter again, identifiers shared with DoubleClick (the site's _ga) and a
    # cookie sync (AppNexus' uuid2 -> Criteo)
    ga_hit = "https://ad.doubleclick.net/ddm/activity/src=123;type=sale;u1=GA1.1.1234567890.1800000000"
    sync = "https://gum.criteo.com/sync?c=22&r=1&a=1&u=NTU1NTU1NTU1"
    visits.append(
        visit(
            products,
            [
                request(FP_SCRIPT, products),
                request(ga_hit, products, "image"),
                request(sync, products, "image"),
            ],
            api_calls=[*canvas_fingerprint(FP_SCRIPT, products), *navigator_sweep(FP_SCRIPT, products)],
            value_leaks=[
                leak_row(
                    "identifier", products, ga_hit, "cookie", "_ga", ".behaviour-shop.com", True, param="u1"
                ),
                leak_row(
                    "identifier",
                    products,
                    sync,
                    "cookie",
                    "uuid2",
                    ".adnxs.com",
                    False,
                    "base64",
                    param="u",
                ),
            ],
        )
    )
    # checkout: reCAPTCHA fingerprints (security), the Facebook pixel receives the typed e-mail hashed
    fb = "https://www.facebook.com/tr?id=42&ev=PageView&udff%5Bem%5D=5d41402abc4b2a76b9719d911017c592"
    visits.append(
        visit(
            checkout,
            [request(RECAPTCHA_SCRIPT, checkout), request(fb, checkout, "image")],
            api_calls=[
                *canvas_fingerprint(RECAPTCHA_SCRIPT, checkout),
                *webgl_probe(RECAPTCHA_SCRIPT, checkout),
            ],
            value_leaks=[
                leak_row("form_data", checkout, fb, "email", "email", None, True, "sha256", param="udff[em]"),
            ],
        )
    )
    return visits


def declaration() -> list[Declared]:
    """What the site declares: Criteo for advertising (not fingerprinting), Hotjar as a feedback widget
    (not recording), reCAPTCHA for spam protection (covers its fingerprinting)."""
    from scanner.declared import parse_declared_csv

    return list(
        parse_declared_csv(
            "name,purpose,privacy_policy\n"
            "Criteo,Advertising and retargeting,https://www.criteo.com/privacy/\n"
            "Hotjar,Feedback widget,https://www.hotjar.com/legal/policies/privacy/\n"
            "Google reCAPTCHA,Spam protection on forms,https://policies.google.com/privacy\n"
        )
    )


def behaviour_result() -> ScanResult:
    """A scanned site with every behaviour finding kind (fingerprinting, security_fingerprinting,
    session_recording, possible_session_recording, form_data_leak, id_sharing in both severities,
    cname_cloaked, embed) and two behaviour mismatches (Criteo, Hotjar)."""
    return scan(site_visits(), declared=declaration())
