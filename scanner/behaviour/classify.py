"""Fingerprinting detections from the API calls the behaviour hooks counted (``ScanResult.api_calls``).

Pure: attributed :class:`~scanner.model.ApiCall` rows in, :class:`~scanner.model.Detection` records out.
Each criterion is judged per *execution context*, one script in one frame of one page: counts summed
over pages would turn a harmless call repeated on every page into a threshold crossing. Distinct values
(fonts, properties) are the union of a context's samples, or its ``args_total`` when larger: never more
than the script really used. A script meeting a criterion in several contexts is one detection listing
every page.

The criteria (a row exists only when its API was called; a criterion never looks at a script's name):

- ``canvas`` (Englehardt & Narayanan 2016, "Online tracking: a 1-million-site measurement and
  analysis", section 6.1): a canvas read (``toDataURL``, ``toBlob``, or ``getImageData`` of an area of
  at least 16×16) of a canvas at least 16×16 pixels, on which text of at least 10 distinct characters
  or in at least 2 colours was drawn, and which saw no ``save``/``restore`` and no event listener.
  Emoji and feature checks (WordPress wp-emoji, Modernizr) draw one or two characters in one colour,
  or read a single pixel, and fail it.
- ``canvas_font`` (same paper): at least 50 distinct ``font`` values set and at least 50
  ``measureText`` calls.
- ``webgl``: ``getExtension("WEBGL_debug_renderer_info")`` and ``getParameter`` of 37445 or 37446
  (``UNMASKED_VENDOR_WEBGL`` / ``UNMASKED_RENDERER_WEBGL``): the graphics card's real name. Maps and
  3-D libraries call ``getParameter`` for limits and formats, never for these two.
- ``audio``: the OfflineAudioContext pattern of audio fingerprinting: an oscillator and a dynamics
  compressor created on an ``OfflineAudioContext``, and the rendering started or its samples read
  (``startRendering`` / ``getChannelData``). Media players use a realtime ``AudioContext`` and render
  nothing offline.
- ``webrtc_ip``: a peer connection that opens a data channel, creates an offer or sets its local
  description and listens for ICE candidates, without any media (no ``getUserMedia``, ``addTrack``,
  ``addStream``, ``addTransceiver``, ``getDisplayMedia``): gathering candidates for nothing but the
  local addresses they reveal. A video call has media.
- ``navigator_sweep``: at least :data:`NAVIGATOR_SWEEP_MIN` distinct ``Navigator`` / ``Screen``
  properties read by one script. Analytics and feature detection read a handful (user agent,
  language, cookie support, screen size and colour depth: 5 to 9 for Google Analytics, Matomo and
  Adobe); fingerprinting libraries read 15 to 40 (FingerprintJS reads more than 20). 12 sits between
  them, the threshold of the design notes (research-consent-scale-behaviour.md, 3.2).
- ``font_probing``: ``document.fonts.check`` for at least :data:`FONT_CHECK_MIN` distinct font
  families. A web-font loader checks the few families the site itself uses; a font probe walks a
  list of system fonts (dozens to hundreds) to learn which are installed.

Purpose: a script whose vendor's catalog category is ``security`` (captcha, bot management,
anti-fraud) or ``payment`` (a payment form's fraud signals) fingerprints for security: kind
``security_fingerprinting``, purpose ``security``. Anything else is ``fingerprinting``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from scanner.model import ApiCall, Detection
from scanner.shapes import is_json_number

CANVAS_MIN_SIDE = 16  # pixels, canvas and area read (Englehardt & Narayanan 2016)
CANVAS_MIN_CHARS = 10  # distinct characters drawn
CANVAS_MIN_COLORS = 2
CANVAS_FONT_MIN_FONTS = 50
CANVAS_FONT_MIN_MEASURE = 50
NAVIGATOR_SWEEP_MIN = 12
FONT_CHECK_MIN = 20
UNMASKED = frozenset(
    {"37445", "37446", "0x9245", "0x9246", "unmasked_vendor_webgl", "unmasked_renderer_webgl"}
)
MEDIA_MEMBERS = frozenset({"getUserMedia", "addTrack", "addStream", "addTransceiver", "getDisplayMedia"})
SECURITY_CATEGORIES = frozenset({"security", "payment"})
MAX_EVIDENCE = 20  # observations kept per detection
MAX_PAGES = 50

FINGERPRINT_TECHNIQUES = (
    "canvas",
    "canvas_font",
    "webgl",
    "audio",
    "webrtc_ip",
    "navigator_sweep",
    "font_probing",
)
CRITERIA = {
    "canvas": (
        f"canvas read of a canvas >= {CANVAS_MIN_SIDE}x{CANVAS_MIN_SIDE} with text of >= {CANVAS_MIN_CHARS} "
        f"distinct characters or >= {CANVAS_MIN_COLORS} colours, no save/restore or listeners "
        "(Englehardt & Narayanan 2016)"
    ),
    "canvas_font": (
        f">= {CANVAS_FONT_MIN_FONTS} distinct canvas fonts set and >= {CANVAS_FONT_MIN_MEASURE} measureText "
        "calls (Englehardt & Narayanan 2016)"
    ),
    "webgl": "WebGL unmasked vendor/renderer read (getParameter 37445/37446 after WEBGL_debug_renderer_info)",
    "audio": "OfflineAudioContext with oscillator and compressor rendered or read (audio fingerprint)",
    "webrtc_ip": "WebRTC data channel with offer and ICE candidate listener, no media (local IP discovery)",
    "navigator_sweep": f">= {NAVIGATOR_SWEEP_MIN} distinct navigator/screen properties read by one script",
    "font_probing": f"document.fonts.check for >= {FONT_CHECK_MIN} distinct font families",
}


def split_api(api: str) -> tuple[str, str]:
    """("Interface", "member") of an api name; a constructor ("OfflineAudioContext") is its own member."""
    interface, dot, member = api.partition(".")
    return (interface, member) if dot else (api, api)


@dataclass
class Context:
    """What one script did in one frame of one page: the rows of that (script, page, frame)."""

    script: str | None
    page_url: str
    frame_url: str | None
    calls: dict[str, int] = field(default_factory=dict)  # api -> count
    args: dict[str, set[str]] = field(default_factory=dict)  # api -> distinct argument values seen
    totals: dict[str, int] = field(default_factory=dict)  # api -> largest args_total of a row
    reads: list[tuple[str, dict]] = field(default_factory=list)  # (api, canvas facts) of canvas reads
    members: dict[str, int] = field(default_factory=dict)  # member -> count, over every interface
    vendor: str | None = None
    third_party: bool = False
    host: str | None = None
    registrable_domain: str | None = None

    def add(self, row: ApiCall) -> None:
        count = row.count if isinstance(row.count, int) and row.count > 0 else 0
        self.calls[row.api] = self.calls.get(row.api, 0) + count
        _, member = split_api(row.api)
        self.members[member] = self.members.get(member, 0) + count
        if row.args:
            self.args.setdefault(row.api, set()).update(a for a in row.args if isinstance(a, str))
        if isinstance(row.args_total, int):
            self.totals[row.api] = max(self.totals.get(row.api, 0), row.args_total)
        if member in ("toDataURL", "toBlob", "convertToBlob", "getImageData"):
            self.reads.extend((row.api, r) for r in row.canvas if isinstance(r, dict))
        if row.vendor and not self.vendor:
            self.vendor = row.vendor
        self.third_party = self.third_party or bool(row.third_party)
        self.host = self.host or row.host
        self.registrable_domain = self.registrable_domain or row.registrable_domain

    def called(self, member: str) -> bool:
        """The member was called at all (a row exists), whatever its count: an exclusion (save/restore,
        media) holds by the row's presence, so raising a count never undoes a detection."""
        return member in self.members

    def count(self, member: str) -> int:
        return self.members.get(member, 0)

    def args_of(self, member: str) -> set[str]:
        out: set[str] = set()
        for api, values in self.args.items():
            if split_api(api)[1] == member:
                out |= values
        return out

    def distinct(self, member: str, values: set[str] | None = None) -> int:
        """Distinct argument values of a member: the sampled ones, or the counted total when larger."""
        values = self.args_of(member) if values is None else values
        total = max((t for api, t in self.totals.items() if split_api(api)[1] == member), default=0)
        return max(len(values), total)

    def listeners(self) -> set[str]:
        """Event types this context listens to (``EventTarget.addEventListener:<type>`` rows)."""
        out = set()
        for api in self.calls:
            if api.startswith("EventTarget.addEventListener:"):
                out.add(api.partition(":")[2].lower())
        return out


def contexts(calls: Iterable[ApiCall]) -> list[Context]:
    """API call rows grouped per (script, page, frame), in first-seen order."""
    groups: dict[tuple[str | None, str, str | None], Context] = {}
    for row in calls:
        if not isinstance(row.api, str):
            continue
        key = (row.script, row.page_url, row.frame_url)
        ctx = groups.get(key)
        if ctx is None:
            ctx = groups[key] = Context(row.script, row.page_url, row.frame_url)
        ctx.add(row)
    return list(groups.values())


def _int(facts: dict, key: str) -> int:
    value = facts.get(key)
    if not is_json_number(value):
        return 0  # a fact the page garbled (NaN, infinity, a string) counts as nothing
    return int(value)


def canvas_read(ctx: Context) -> dict | None:
    """The first canvas read meeting the Englehardt & Narayanan criteria, as evidence, or None."""
    for api, facts in ctx.reads:
        if min(_int(facts, "width"), _int(facts, "height")) < CANVAS_MIN_SIDE:
            continue
        if split_api(api)[1] == "getImageData" and (
            min(_int(facts, "read_width"), _int(facts, "read_height")) < CANVAS_MIN_SIDE
        ):
            continue
        if _int(facts, "text_chars") < CANVAS_MIN_CHARS and _int(facts, "colors") < CANVAS_MIN_COLORS:
            continue
        if facts.get("save_restore") is True or facts.get("listeners") is True:
            continue
        return {"api": api, **{k: facts[k] for k in sorted(facts) if k in _FACT_KEYS}}
    return None


_FACT_KEYS = frozenset(
    {"width", "height", "read_width", "read_height", "text_chars", "colors", "save_restore", "listeners"}
)


def canvas_font(ctx: Context) -> dict | None:
    fonts = ctx.distinct("font")
    measured = ctx.count("measureText")
    if fonts >= CANVAS_FONT_MIN_FONTS and measured >= CANVAS_FONT_MIN_MEASURE:
        return {"fonts": fonts, "measureText": measured}
    return None


def webgl(ctx: Context) -> dict | None:
    extensions = {a.strip() for a in ctx.args_of("getExtension")}
    params = {a.strip().lower() for a in ctx.args_of("getParameter")}
    if "WEBGL_debug_renderer_info" in extensions and params & UNMASKED:
        return {"getParameter": sorted(params & UNMASKED), "getExtension": "WEBGL_debug_renderer_info"}
    return None


def audio(ctx: Context) -> dict | None:
    """The hooks note for each oscillator / compressor whether its context was ``offline`` or
    ``realtime``; both must have been created on an offline context. (Rows without that note fall back
    to an ``OfflineAudioContext`` constructor row.)"""
    oscillator, compressor = ctx.args_of("createOscillator"), ctx.args_of("createDynamicsCompressor")
    if oscillator or compressor:
        offline = "offline" in oscillator and "offline" in compressor
    else:
        offline = ctx.called("OfflineAudioContext") or ctx.called("webkitOfflineAudioContext")
    rendered = [m for m in ("startRendering", "getChannelData") if ctx.count(m)]
    parts = ctx.count("createOscillator") and ctx.count("createDynamicsCompressor")
    if offline and parts and rendered:
        return {"offline": True, "oscillator": True, "compressor": True, "read": rendered}
    return None


def webrtc_ip(ctx: Context) -> dict | None:
    listens = "icecandidate" in ctx.listeners() or bool(ctx.count("onicecandidate"))
    offer = ctx.count("createOffer") or ctx.count("setLocalDescription")
    media = any(ctx.called(m) for m in MEDIA_MEMBERS)
    if ctx.count("createDataChannel") and offer and listens and not media:
        return {"createDataChannel": ctx.count("createDataChannel"), "icecandidate": True, "media": False}
    return None


def navigator_sweep(ctx: Context) -> dict | None:
    props = sorted(
        {
            f"{interface}.{member}"
            for api, n in ctx.calls.items()
            if n > 0
            for interface, member in [split_api(api)]
            if interface in ("Navigator", "Screen") and member != interface
        }
    )
    if len(props) >= NAVIGATOR_SWEEP_MIN:
        return {"properties": len(props), "sample": props[:MAX_EVIDENCE]}
    return None


_FONT_SHORTHAND = re.compile(
    r"^\s*(?:(?:italic|oblique|normal|bold|bolder|lighter|small-caps|\d{3})\s+)*"
    r"[\d.]+(?:px|pt|em|rem|%|pc|ex|ch|vw|vh)?(?:\s*/\s*\S+)?\s+(?P<family>.+?)\s*$",
    re.I,
)


def font_family(value: str) -> str:
    """The family of a CSS font shorthand ("bold 12px 'Arial Black'" -> "arial black")."""
    m = _FONT_SHORTHAND.match(value)
    family = m.group("family") if m else value
    return family.strip().strip("'\"").casefold()


def font_probing(ctx: Context) -> dict | None:
    checks = {
        a for api, values in ctx.args.items() if split_api(api) == ("FontFaceSet", "check") for a in values
    }
    families = {font_family(v) for v in checks}
    total = max((t for api, t in ctx.totals.items() if split_api(api) == ("FontFaceSet", "check")), default=0)
    # A cut sample (more values than kept) counts its total: a loader never checks that many.
    distinct = max(len(families), total if total > len(checks) else 0)
    if distinct >= FONT_CHECK_MIN:
        return {"fonts": distinct, "sample": sorted(families)[:MAX_EVIDENCE]}
    return None


CHECKS = {
    "canvas": canvas_read,
    "canvas_font": canvas_font,
    "webgl": webgl,
    "audio": audio,
    "webrtc_ip": webrtc_ip,
    "navigator_sweep": navigator_sweep,
    "font_probing": font_probing,
}


def fingerprinting(calls: Iterable[ApiCall], vendor_categories) -> list[Detection]:
    """Fingerprinting detections: one per (script, technique), over every context where it was met.

    ``vendor_categories(name) -> tuple[str, ...]`` gives a vendor's catalog categories (empty when the
    vendor is unknown): a security or payment vendor's fingerprinting is ``security_fingerprinting``.
    A script that is unknown (``script`` None) is judged per frame, never merged with other frames.
    """
    found: dict[tuple, dict] = {}
    for ctx in contexts(calls):
        for technique, check in CHECKS.items():
            try:
                facts = check(ctx)
            except (TypeError, ValueError, AttributeError):  # a malformed row never stops the audit
                facts = None
            if facts is None:
                continue
            script_key = ctx.script if ctx.script else (None, ctx.page_url, ctx.frame_url)
            hit = found.setdefault(
                (script_key, technique), {"ctx": ctx, "pages": {}, "evidence": [], "observations": 0}
            )
            hit["pages"].setdefault(ctx.page_url, None)
            hit["observations"] += 1
            if len(hit["evidence"]) < MAX_EVIDENCE:
                hit["evidence"].append(
                    {
                        "technique": technique,
                        "script": ctx.script,
                        "page_url": ctx.page_url,
                        "frame_url": ctx.frame_url,
                        **facts,
                    }
                )
    out = []
    for (_, technique), hit in found.items():
        ctx = hit["ctx"]
        categories = tuple(vendor_categories(ctx.vendor)) if ctx.vendor else ()
        security = bool(SECURITY_CATEGORIES & set(categories))
        out.append(
            Detection(
                kind="security_fingerprinting" if security else "fingerprinting",
                technique=technique,
                criterion=CRITERIA[technique],
                script=ctx.script,
                vendor=ctx.vendor,
                category=categories[0] if categories else None,
                purpose="security" if security else "tracking",
                pages=tuple(list(hit["pages"])[:MAX_PAGES]),
                evidence=tuple(hit["evidence"]),
                observations=hit["observations"],
                subject=None if ctx.vendor else script_subject(ctx),
            )
        )
    return out


def script_subject(ctx: Context) -> str:
    """What names a script no vendor claims: its registrable domain (a third party), its host (the
    site's own), or "unknown script"."""
    if ctx.script is None:
        return "unknown script"
    if ctx.third_party:
        return ctx.registrable_domain or ctx.host or ctx.script[:200]
    return f"{ctx.host or ctx.script[:200]} (first party)"
