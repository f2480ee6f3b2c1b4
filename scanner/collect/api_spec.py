"""Which browser APIs the behaviour hooks count (``api_hooks.js``), and their wrappers' source.

Each entry is (interface, member, kind, handler): kind "m" wraps a prototype method, "g" a getter, "s" a
setter; the handler (a function of ``HANDLERS`` in ``api_hooks.js``) says what is noted besides the
count. The rows are named ``Interface.member`` after the interface that defines the member (as
``scanner.model.ApiCall`` documents); listeners are ``EventTarget.addEventListener:<type>``.

The wrappers are generated here as literal functions, one per entry, each with its index in its body:
every wrapper then has a source text of its own, which the hook closure of every frame maps to the native
text (``disguise``), so that one frame's ``Function.prototype.toString`` shows another frame's wrapper as
the native function too. Members missing from a browser are skipped in the page.
"""

from __future__ import annotations

import json
import re

# Getters of Navigator.prototype in Chromium (secure context; some only on some platforms or versions).
NAVIGATOR = (
    "appCodeName",
    "appName",
    "appVersion",
    "bluetooth",
    "clipboard",
    "connection",
    "cookieEnabled",
    "cpuPerformance",
    "credentials",
    "deviceMemory",
    "devicePosture",
    "doNotTrack",
    "geolocation",
    "gpu",
    "hardwareConcurrency",
    "hid",
    "ink",
    "keyboard",
    "language",
    "languages",
    "locks",
    "login",
    "managed",
    "maxTouchPoints",
    "mediaCapabilities",
    "mediaDevices",
    "mediaSession",
    "mimeTypes",
    "onLine",
    "pdfViewerEnabled",
    "permissions",
    "platform",
    "plugins",
    "presentation",
    "product",
    "productSub",
    "protectedAudience",
    "scheduling",
    "serial",
    "serviceWorker",
    "storage",
    "storageBuckets",
    "usb",
    "userActivation",
    "userAgent",
    "userAgentData",
    "vendor",
    "vendorSub",
    "virtualKeyboard",
    "wakeLock",
    "webdriver",
    "webkitPersistentStorage",
    "webkitTemporaryStorage",
    "windowControlsOverlay",
    "xr",
)
SCREEN = (
    "availHeight",
    "availLeft",
    "availTop",
    "availWidth",
    "colorDepth",
    "height",
    "isExtended",
    "orientation",
    "pixelDepth",
    "width",
)

API_SPEC: tuple[tuple[str, str, str, str], ...] = (
    # Canvas
    ("HTMLCanvasElement", "toDataURL", "m", "canvasRead"),
    ("HTMLCanvasElement", "toBlob", "m", "toBlob"),
    ("HTMLCanvasElement", "getContext", "m", "first"),
    ("CanvasRenderingContext2D", "getImageData", "m", "imageData"),
    ("CanvasRenderingContext2D", "fillText", "m", "drawText"),
    ("CanvasRenderingContext2D", "strokeText", "m", "drawText"),
    ("CanvasRenderingContext2D", "measureText", "m", "first"),
    ("CanvasRenderingContext2D", "save", "m", "saveRestore"),
    ("CanvasRenderingContext2D", "restore", "m", "saveRestore"),
    ("CanvasRenderingContext2D", "font", "s", "first"),
    ("CanvasRenderingContext2D", "fillStyle", "s", "style"),
    ("CanvasRenderingContext2D", "strokeStyle", "s", "style"),
    # WebGL: parameter numbers (37445 / 37446: UNMASKED_VENDOR / UNMASKED_RENDERER_WEBGL), extensions
    ("WebGLRenderingContext", "getParameter", "m", "first"),
    ("WebGLRenderingContext", "getExtension", "m", "first"),
    ("WebGL2RenderingContext", "getParameter", "m", "first"),
    ("WebGL2RenderingContext", "getExtension", "m", "first"),
    # Audio: "offline" or "realtime" context
    ("BaseAudioContext", "createOscillator", "m", "audio"),
    ("BaseAudioContext", "createDynamicsCompressor", "m", "audio"),
    ("BaseAudioContext", "createAnalyser", "m", "audio"),
    ("OfflineAudioContext", "startRendering", "m", "count"),
    ("AudioBuffer", "getChannelData", "m", "first"),
    # WebRTC local addresses
    ("RTCPeerConnection", "createDataChannel", "m", "first"),
    ("RTCPeerConnection", "createOffer", "m", "count"),
    ("RTCPeerConnection", "setLocalDescription", "m", "count"),
    ("RTCPeerConnection", "onicecandidate", "s", "count"),
    # ... and the media that makes it a call, not an address probe
    ("RTCPeerConnection", "addTrack", "m", "count"),
    ("RTCPeerConnection", "addTransceiver", "m", "count"),
    ("MediaDevices", "getUserMedia", "m", "count"),
    ("MediaDevices", "getDisplayMedia", "m", "count"),
    # Fonts, DOM recording, listeners
    ("FontFaceSet", "check", "m", "first"),
    ("MutationObserver", "observe", "m", "observe"),
    ("EventTarget", "addEventListener", "m", "listener"),
    *(("Navigator", name, "g", "count") for name in NAVIGATOR),
    *(("Screen", name, "g", "count") for name in SCREEN),
)

_NAME = re.compile(r"^[A-Za-z_$][\w$]*$")


def _wrapper(index: int, member: str, kind: str) -> str:
    if not _NAME.match(member):
        raise ValueError(f"not an identifier: {member!r}")
    if kind == "m":
        return f"{{ {member}() {{ return M({index}, this, arguments); }} }}.{member}"
    if kind == "g":
        getter = f"{{ get {member}() {{ return GET({index}, this); }} }}"
        return f'getOwnPropertyDescriptor({getter}, "{member}").get'
    if kind == "s":
        setter = f"{{ set {member}(v) {{ SET({index}, this, v); }} }}"
        return f'getOwnPropertyDescriptor({setter}, "{member}").set'
    raise ValueError(f"unknown kind {kind!r}")


def table_js() -> str:
    """The ``__API_TABLE__`` literal: one [interface, member, kind, handler, wrapper] per entry."""
    lines = []
    for index, (interface, member, kind, handler) in enumerate(API_SPEC):
        if not _NAME.match(interface):
            raise ValueError(f"not an identifier: {interface!r}")
        head = ", ".join(json.dumps(v) for v in (interface, member, kind, handler))
        lines.append(f"      [{head},\n        {_wrapper(index, member, kind)}],")
    return "[\n" + "\n".join(lines) + "\n    ]"
