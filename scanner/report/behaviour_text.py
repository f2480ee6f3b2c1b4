"""The behaviour audit (``ScanResult.behaviour``) in words, shared by every report format.

Names and explanations of the finding kinds, the default severity of each, an observation (one dict of
``Finding.evidence.behaviour`` or ``Detection.evidence``) said in words — the criterion met, the calling
script, the API calls counted ("measureText × 20 000, font × 64 (64 distinct)"), where a value was found
(the receiving request without its query, the location, parameter and encoding; never the value) — and
the line the terminal prints. Script URLs, parameter and field names come from the scanned page: they
are returned as is and each format escapes them in its own way.

Scans made before behaviour audits have no ``behaviour`` block: every function here takes None for it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from urllib.parse import urlsplit

from scanner.domains import host_of
from scanner.model import (
    BEHAVIOUR_KINDS,
    INFO_BEHAVIOUR_KINDS,
    SEVERITIES,
    BehaviourReport,
    Detection,
    Finding,
)

KIND_LABELS = {
    "fingerprinting": "Fingerprinting",
    "security_fingerprinting": "Security fingerprinting",
    "session_recording": "Session recording",
    "possible_session_recording": "Possible session recording",
    "form_data_leak": "Form-data leak",
    "id_sharing": "Identifier sharing",
    "cname_cloaked": "Hidden tracker (first-party subdomain)",
    "embed": "Embed",
}
# What each kind means, for an auditor and for the SARIF rule's help text.
KIND_TEXT = {
    "fingerprinting": "A script read properties of this browser that together identify it without a cookie: "
    "canvas or canvas-font fingerprinting (Englehardt & Narayanan 2016 criteria), the unmasked WebGL "
    "vendor and renderer, the OfflineAudioContext pattern, WebRTC local-IP discovery, a sweep of many "
    "navigator and screen properties, or font probing.",
    "security_fingerprinting": "The same fingerprinting techniques used by a captcha, bot-manager or "
    "anti-fraud vendor (from the catalog category): a security purpose, still processing of the "
    "visitor's device data that needs a legal basis.",
    "session_recording": "A session-replay vendor recorded the visit: its script loaded and sent recording "
    "traffic (repeated payloads over POST, beacon or WebSocket).",
    "possible_session_recording": "A third-party script observed changes to the whole page (DOM mutations) "
    "and listened to keyboard, input or mouse events, as session-replay scripts do; its vendor is not "
    "known as a session-replay vendor, or no recording traffic was seen.",
    "form_data_leak": "A value typed into a form field (a random canary, --probe-forms) reached a third "
    "party before the form was submitted, in plain, encoded or hashed form (the 'automatic advanced "
    "matching' pattern).",
    "id_sharing": "A first-party cookie or storage value (an identifier of this visitor) was sent, plain, "
    "encoded or hashed, to another party (cookie syncing, a site's client ID handed to an ad network).",
    "cname_cloaked": "A first-party subdomain behaves as a known tracker (its scripts, paths or cookies "
    "match a catalog vendor, or its CNAME points to one): the tracker hides behind the site's own name.",
    "embed": "A social widget, sign-in button or embedded player (like/share buttons, Sign in with "
    "Google/Facebook/Apple, YouTube/Vimeo videos, maps) loaded from a third party. Information: it "
    "shares the visit with that party when it loads.",
}
# The severity of a kind when the finding does not carry one (scan.json written by another version).
DEFAULT_SEVERITY = {
    "fingerprinting": "high",
    "security_fingerprinting": "low",
    "session_recording": "high",
    "possible_session_recording": "medium",
    "form_data_leak": "high",
    "id_sharing": "high",
    "cname_cloaked": "high",
    "embed": "info",
}
PLURALS = {"embed": "embeds", "cname_cloaked": "hidden trackers (first-party subdomains)"}
SEVERITY_LABELS = {"high": "High", "medium": "Medium", "low": "Low", "info": "Info"}
TECHNIQUE_LABELS = {
    "canvas": "canvas fingerprinting",
    "canvas_font": "canvas-font fingerprinting",
    "webgl": "unmasked WebGL vendor and renderer",
    "audio": "OfflineAudioContext fingerprinting",
    "webrtc_ip": "WebRTC local-IP discovery",
    "navigator_sweep": "navigator and screen property sweep",
    "font_probing": "font probing",
    "replay_traffic": "session-replay recording traffic",
    "dom_and_input": "DOM observer with input and mouse listeners",
    "form_canary": "typed value sent before submit",
    "cookie_value": "cookie value sent to another party",
    "storage_value": "storage value sent to another party",
    "cloaked_path": "tracker paths on a first-party subdomain",
    "cloaked_script": "tracker script on a first-party subdomain",
    "cloaked_cookie": "tracker cookies set by a first-party subdomain",
    "cname": "CNAME of a first-party subdomain points to a tracker",
    "websocket": "recording streamed over a WebSocket",
    "payload": "recording payloads sent",
    "like_button": "Like button",
    "share_button": "share button",
    "sso": "sign-in button",
    "video": "video embed",
    "map": "map embed",
}
LOCATION_WORDS = {
    "url": "in the URL",
    "body": "in the request body",
    "beacon": "in a beacon body",
    "websocket": "in a WebSocket frame",
}
ENCODING_WORDS = {
    "plain": "plain text",
    "url": "URL-encoded text",
    "base64": "base64 text",
    "md5": "an MD5 hash",
    "sha1": "a SHA-1 hash",
    "sha256": "a SHA-256 hash",
}
SOURCE_WORDS = {"cookie": "cookie", "local": "localStorage key", "session": "sessionStorage key"}
# Distinct-value words for the APIs whose arguments count (64 distinct fonts set before measureText).
DISTINCT_WORDS = {
    "CanvasRenderingContext2D.font": "fonts",
    "FontFaceSet.check": "fonts",
    "CanvasRenderingContext2D.fillText": "texts",
    "CanvasRenderingContext2D.fillStyle": "colours",
    "WebGLRenderingContext.getParameter": "parameters",
    "WebGL2RenderingContext.getParameter": "parameters",
}
# Keys of an observation a report never prints: values stay out of every report.
SECRET_KEYS = frozenset({"value", "values", "canary", "plain_value"})
TEXT_LIMIT = 300  # characters of one page-controlled string in a report line
CALLS_LIMIT = 12  # API call counts named per observation
# The blind spots every behaviour audit has (the classifier may add its own in behaviour.blind_spots).
BASE_BLIND_SPOTS = (
    "Not detected is not absent: scripts in web workers and service workers (an OffscreenCanvas drawn in "
    "a worker) are not instrumented.",
    "Frames written by script into about:blank or with document.write may run before the hooks; scripts "
    "that take clean prototypes from a fresh frame are not counted.",
    "Payloads compressed (CompressionStream, gzip) or encrypted before sending, and encodings other than "
    "plain, URL, base64, MD5, SHA-1 and SHA-256, hide a typed value or identifier.",
    "Fingerprinting served from a first-party path (a proxied vendor script) is attributed to the site.",
)


def kind_label(kind: str) -> str:
    return KIND_LABELS.get(kind, kind.replace("_", " "))


def kind_text(kind: str) -> str:
    return KIND_TEXT.get(kind, "")


def severity(finding: Finding) -> str:
    """The finding's severity (high | medium | low | info): its own, else the kind's default."""
    if finding.severity in SEVERITIES:
        return str(finding.severity)
    return DEFAULT_SEVERITY.get(finding.status, "medium")


def technique_label(technique: object) -> str:
    text = str(technique or "")
    return TECHNIQUE_LABELS.get(text, text.replace("_", " "))


def behaviour_findings(report: BehaviourReport | None) -> list[Finding]:
    """The behaviour findings in the order of :data:`BEHAVIOUR_KINDS`, most severe first within a kind
    (stable otherwise)."""
    if report is None:
        return []
    order = {k: i for i, k in enumerate(BEHAVIOUR_KINDS)}
    rank = {s: i for i, s in enumerate(SEVERITIES)}
    return sorted(
        report.findings, key=lambda f: (order.get(f.status, len(order)), rank.get(severity(f), len(rank)))
    )


def is_info(kind: str) -> bool:
    return kind in INFO_BEHAVIOUR_KINDS


def clip(text: object, limit: int = TEXT_LIMIT) -> str:
    s = " ".join(str(text if text is not None else "").split())
    return s if len(s) <= limit else s[: limit - 1] + "…"


def number(n: object) -> str:
    """20000 -> "20 000" (a narrow no-break space groups the thousands, as in a printed report)."""
    try:
        value = int(n)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return clip(n, 20)
    return f"{value:,}".replace(",", "\u202f")


def short_api(api: str) -> str:
    """ "CanvasRenderingContext2D.measureText" -> "measureText"; a listener -> "keydown listener";
    navigator and screen properties keep their object ("navigator.userAgent")."""
    base, _, event = api.partition(":")
    if event and base.endswith("addEventListener"):
        return f"{event} listener"
    interface, _, member = base.rpartition(".")
    if not interface:
        return base
    if interface in ("Navigator", "Screen", "FontFaceSet", "RTCPeerConnection"):
        return f"{interface[0].lower()}{interface[1:]}.{member}"
    return member


def call_rows(obs: Mapping) -> list[dict]:
    """The API call counts of an observation, as [{api, count, args_total}], whichever shape the
    classifier wrote: ``calls`` as a list of such dicts or an {api: count} map, or one api/count."""
    calls = obs.get("calls")
    rows: list[dict] = []
    if isinstance(calls, Mapping):
        rows = [{"api": str(k), "count": v} for k, v in calls.items()]
    elif isinstance(calls, list | tuple):
        rows = [dict(c) for c in calls if isinstance(c, Mapping) and c.get("api")]
    elif obs.get("api"):
        rows = [{"api": obs.get("api"), "count": obs.get("count"), "args_total": obs.get("args_total")}]
    return rows


def calls_text(obs: Mapping, limit: int = CALLS_LIMIT) -> str:
    """ "measureText × 20 000, font × 64 (64 distinct fonts)" for the calls an observation counted."""
    parts = []
    rows = call_rows(obs)
    for row in rows[:limit]:
        api = clip(row.get("api"), 120)
        text = short_api(api)
        if row.get("count") is not None:
            text += f" × {number(row.get('count'))}"
        distinct = row.get("args_total")
        if isinstance(distinct, int) and distinct > 1:
            text += f" ({number(distinct)} distinct {DISTINCT_WORDS.get(api, 'values')})"
        parts.append(text)
    if len(rows) > limit:
        parts.append(f"and {len(rows) - limit} more APIs")
    return ", ".join(parts)


_PATH_PARAMS = re.compile(r"[;=,&]")


def request_without_query(url: object) -> str:
    """The receiving request as scheme://host/path with no query, fragment, credentials or path
    parameters (``/activity/src=1;u1=GA1.1...``): each of them may hold the value itself. A path cut at
    its first ``;``, ``=``, ``,`` or ``&`` ends in "…"."""
    text = str(url or "")
    try:
        parts = urlsplit(text)
        host = parts.hostname or ""
        host = f"[{host}]" if ":" in host else host
        port = f":{parts.port}" if parts.port else ""
    except ValueError:
        parts, host, port = None, "", ""
    if parts is None or not parts.scheme or not host:
        head = re.split(r"[?#]", text, maxsplit=1)[0]
        path = head
    else:
        head = f"{parts.scheme}://{host}{port}"
        path = head + parts.path
    cut = _PATH_PARAMS.search(path, len(head) if parts is not None and host else 0)
    if cut:
        path = path[: path.rfind("/", 0, cut.start()) + 1] + "…"
    return clip(path)


def where_text(obs: Mapping) -> str:
    """How and where a value was found, in words: "a SHA-256 hash in the URL, parameter ud[em]"."""
    location = str(obs.get("location") or "")
    encoding = str(obs.get("encoding") or "")
    if not (location or encoding):
        return ""
    text = ENCODING_WORDS.get(encoding, clip(encoding, 40)) or "found"
    if location:
        text += " " + LOCATION_WORDS.get(location, "in " + clip(location, 40))
    if obs.get("param"):
        text += f", parameter {clip(obs.get('param'), 120)}"
    return text


def source_text(obs: Mapping) -> str:
    """What the value was: "the e-mail field 'email'", "cookie _ga (.example.com)"."""
    source = str(obs.get("source") or "")
    name = clip(obs.get("name"), 120) if obs.get("name") else ""
    if not (source or name):
        return ""
    if source in SOURCE_WORDS:
        text = f"{SOURCE_WORDS[source]} {name}".strip()
        domain = obs.get("source_domain")
        return text + (f" ({clip(domain, 120)})" if domain else "")
    field = f"the {clip(source, 40)} field" if source else "the field"
    return field + (f" {name}" if name else "")


def cloaked_text(obs: Mapping, vendor: str | None = None) -> str:
    """ "metrics.example.com hides Adobe Analytics (CNAME → sc.omtrdc.net)" for a cloaked subdomain."""
    host = obs.get("first_party_host") or obs.get("subdomain") or obs.get("host")
    hidden = obs.get("hidden_vendor") or obs.get("vendor") or vendor
    if not host:
        return ""
    text = f"{clip(host, 200)} hides {clip(hidden, 120)}" if hidden else f"{clip(host, 200)}"
    target = obs.get("cname") or obs.get("cname_target")
    if target:
        text += f" (CNAME → {clip(target, 200)})"
    return text


# The facts a classifier keeps on an observation (scanner.behaviour), in words. Numbers:
COUNT_WORDS = {
    "measureText": "measureText × {n}",
    "fonts": "{n} distinct fonts",
    "properties": "{n} distinct navigator/screen properties",
    "createDataChannel": "createDataChannel × {n}",
    "text_chars": "{n} distinct characters drawn",
    "colors": "{n} colours",
    "requests": "{n} requests",
    "payloads": "{n} payloads",
    "frames": "{n} WebSocket frames",
    "bytes": "{n} bytes sent",
    "listeners": "{n} listeners",
    "mutations": "{n} DOM observers",
    "frames_sent": "{n} WebSocket frames sent",
    "bytes_sent": "{n} bytes sent",
}
# flags: the words when true, the words when false (None: say nothing)
FLAG_WORDS = {
    "OfflineAudioContext": ("OfflineAudioContext", None),
    "oscillator": ("oscillator", None),
    "compressor": ("dynamics compressor", None),
    "icecandidate": ("ICE candidate listener", None),
    "media": ("with media", "no media"),
    "save_restore": ("save/restore used", "no save/restore"),
    "listeners": ("event listeners on the canvas", "no listeners on the canvas"),
    "first_party": ("first party", "third party"),
    "source_first_party": ("a first-party identifier", "a third-party identifier"),
    "beacon": ("as a beacon", None),
    "offline": ("offline rendering", "realtime context"),
}
# text facts: how to say "key value"
TEXT_WORDS = {
    "label": "{v}",
    "cookie": "cookie {v}",
    "domain": "domain {v}",
    "setter_url": "set by {v}",
    "rule": "matches {v}",
    "method": "{v} request",
    "resource_type": "as {v}",
    "source_vendor": "the identifier of {v}",
    "getExtension": "getExtension {v}",
}
LIST_WORDS = {
    "read": "read by",
    "getParameter": "getParameter",
    "sample": "sample",
    "events": "events",
    "paths": "paths",
    "cookies": "cookies",
    "listeners": "listens to",
    "observe": "observes",
    "input_kinds": "inputs",
}
# Keys shown elsewhere (own columns or lines), or never (values).
_SHOWN_ELSEWHERE = frozenset(
    {
        "technique",
        "criterion",
        "script",
        "page_url",
        "page",
        "frame_url",
        "frame",
        "calls",
        "api",
        "count",
        "args_total",
        "args",
        "url",
        "location",
        "encoding",
        "param",
        "source",
        "name",
        "source_domain",
        "first_party_host",
        "subdomain",
        "host",
        "hidden_vendor",
        "vendor",
        "cname",
        "cname_target",
        "canvas",
        "width",
        "height",
        "read_width",
        "read_height",
    }
)
LIST_LIMIT = 8


def _int_or_none(value: object) -> int | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return int(value)


def _list_text(values: object) -> str:
    items = (
        [clip(v, 60) for v in values if isinstance(v, str | int | float)]
        if isinstance(values, list | tuple)
        else []
    )
    text = ", ".join(items[:LIST_LIMIT])
    return text + (f" … (+{len(items) - LIST_LIMIT})" if len(items) > LIST_LIMIT else "")


def facts_text(obs: Mapping) -> str:
    """The facts of an observation in words: "canvas 220×30, area read 220×30, 18 distinct characters
    drawn, 2 colours, no save/restore"; "measureText × 20 000, 64 distinct fonts". Keys this version
    does not know are named as "key: value" (bounded); value keys are never printed."""
    parts = []
    w, h = _int_or_none(obs.get("width")), _int_or_none(obs.get("height"))
    if w is not None and h is not None:
        parts.append(f"canvas {number(w)}×{number(h)}")
    rw, rh = _int_or_none(obs.get("read_width")), _int_or_none(obs.get("read_height"))
    if rw is not None and rh is not None:
        parts.append(f"area read {number(rw)}×{number(rh)}")
    for key, value in obs.items():
        if key in _SHOWN_ELSEWHERE or key in SECRET_KEYS or not isinstance(key, str):
            continue
        if key == "source_first_party" and obs.get("source") not in SOURCE_WORDS:
            continue  # a typed field is neither
        if isinstance(value, bool):
            if key in FLAG_WORDS:
                word = FLAG_WORDS[key][0 if value else 1]
                if word:
                    parts.append(word)
            else:
                parts.append(f"{clip(key, 40)}: {'yes' if value else 'no'}")
        elif isinstance(value, int | float):
            template = COUNT_WORDS.get(key)
            parts.append(
                template.format(n=number(value)) if template else f"{clip(key, 40)}: {number(value)}"
            )
        elif isinstance(value, str):
            template = TEXT_WORDS.get(key)
            text = clip(value, 200)
            parts.append(template.format(v=text) if template else f"{clip(key, 40)} {text}")
        elif isinstance(value, list | tuple):
            text = _list_text(value)
            if text:
                parts.append(f"{LIST_WORDS.get(key, clip(key, 40))}: {text}")
    return ", ".join(parts)


URL_WORDS = {
    "form_data_leak": "received by",
    "id_sharing": "received by",
    "session_recording": "sent to",
    "embed": "loaded from",
}


def observation_text(obs: Mapping, kind: str = "", vendor: str | None = None) -> list[str]:
    """An observation of a finding of ``kind`` (of ``vendor``) in words: a few short lines (criterion,
    calls and facts, value and where it went, the first-party host of a cloaked tracker and the vendor it
    hides). Script, page and frame are separate columns. Values of cookies, storage or typed fields are
    never printed; a request is shown without its query."""
    lines = []
    head = clip(obs.get("criterion")) or technique_label(obs.get("technique"))
    if head:
        lines.append(head)
    calls = calls_text(obs)
    facts = facts_text(obs)
    if calls and facts and obs.get("api") and obs.get("count") is None:
        lines.append(f"{calls}: {facts}")  # a canvas read: "toDataURL: canvas 220×30, ..."
    else:
        lines += [text for text in (calls, facts) if text]
    value = source_text(obs)
    where = where_text(obs)
    if value or where:
        lines.append(" ".join(p for p in (value, "sent as" if where else "", where) if p))
    if obs.get("url"):
        lines.append(URL_WORDS.get(kind, "request") + " " + request_without_query(obs.get("url")))
    if kind == "cname_cloaked" or obs.get("first_party_host") or obs.get("subdomain"):
        cloaked = cloaked_text(obs, vendor)
        if cloaked:
            lines.append(cloaked)
    return lines


def first(obs: Mapping, *keys: str) -> str:
    for key in keys:
        value = obs.get(key)
        if value:
            return str(value)
    return ""


def pages_of(finding: Finding, obs: Iterable[Mapping]) -> list[str]:
    """The pages of a finding: its evidence's, else those its observations name."""
    if finding.evidence.pages:
        return list(finding.evidence.pages)
    return list(dict.fromkeys(p for p in (first(o, "page_url", "page") for o in obs) if p))


def pages_total(finding: Finding, obs: Iterable[Mapping]) -> int:
    return max(finding.evidence.total("pages"), len(pages_of(finding, obs)))


def scripts_of(observations: Iterable[Mapping]) -> list[str]:
    return list(dict.fromkeys(str(o["script"]) for o in observations if o.get("script")))


def criteria_of(observations: Iterable[Mapping]) -> list[str]:
    """The distinct criteria met (else the techniques), in words."""
    out = []
    for o in observations:
        text = clip(o.get("criterion")) or technique_label(o.get("technique"))
        if text:
            out.append(text)
    return list(dict.fromkeys(out))


def observations(finding: Finding, detections: tuple[Detection, ...]) -> list[Mapping]:
    """What a finding rests on: its ``evidence.behaviour``, else the evidence of the detections of its
    kind and vendor (a classifier that keeps observations only on its detections)."""
    mine = [d for d in detections if d.kind == finding.status and same_vendor(d, finding)]
    listed = [o for o in finding.evidence.behaviour if isinstance(o, Mapping)]
    if listed:
        criteria = {d.technique: d.criterion for d in mine}
        return [
            {**o, "criterion": criteria[o["technique"]]}
            if not o.get("criterion") and isinstance(o.get("technique"), str) and o["technique"] in criteria
            else o
            for o in listed
        ]
    out: list[Mapping] = []
    for d in mine:
        rows = [o for o in d.evidence if isinstance(o, Mapping)] or [{}]
        for o in rows:
            out.append({"technique": d.technique, "criterion": d.criterion, "script": d.script, **o})
    return out


def same_vendor(d: Detection, finding: Finding) -> bool:
    """A detection of the finding's vendor; an unknown party is named by the detection's ``subject``
    (the host that received a value, the subdomain hiding a tracker) or the script's domain."""
    if d.vendor is not None:
        return d.vendor == finding.vendor
    subject = getattr(d, "subject", None)
    if subject:
        return subject == finding.vendor
    host = host_of(d.script or "")
    return bool(host) and (host == finding.vendor or host.endswith("." + finding.vendor))


def evidence_lines(finding: Finding, detections: tuple[Detection, ...] = (), limit: int = 5) -> list[str]:
    """Plain-text lines of a behaviour finding's observations for JUnit and SARIF: a count line
    ("3 observations (showing 2 of 3)") and one line per observation shown, with its script and page."""
    if finding.status not in KIND_LABELS:
        return []
    obs = observations(finding, detections)
    total = max(finding.evidence.total("behaviour"), len(obs))
    if not total:
        return []
    shown = obs[:limit]
    head = f"{total} observation" + ("" if total == 1 else "s")
    if len(shown) < total:
        head += f" (showing {len(shown)} of {total})"
    lines = [head + ":"]
    for o in shown:
        parts = observation_text(o, finding.status, finding.vendor)
        if o.get("script"):
            parts.append("script " + clip(o.get("script"), 200))
        page = first(o, "page_url", "page")
        if page:
            parts.append("page " + clip(page, 200))
        lines.append("- " + "; ".join(parts))
    return lines


def audit_lines(report: BehaviourReport) -> list[str]:
    """What the audit could see: hooks on or off, the form probe on or off."""
    lines = []
    if report.hooks:
        lines.append(
            "API hooks were on in every frame: fingerprinting and session recording were looked for."
        )
    else:
        lines.append(
            "API hooks were OFF (--behaviour off): fingerprinting and DOM/listener behaviour were not "
            "looked for, so none is reported."
        )
    if report.probe_forms:
        lines.append("Form probe was on (--probe-forms): canary values were typed into visible fields.")
    else:
        lines.append(
            "Form probe was off: form-data leaks are only found with --probe-forms, so none is reported."
        )
    return lines


def blind_spots(report: BehaviourReport) -> list[str]:
    """What the audit could not see: the classifier's list, else (a report without one) the blind
    spots every behaviour audit has."""
    listed = [clip(b, 600) for b in report.blind_spots if isinstance(b, str) and b.strip()]
    return list(dict.fromkeys(listed or BASE_BLIND_SPOTS))


def counts_text(report: BehaviourReport) -> str:
    """ "2 fingerprinting, 1 session recording, 1 form-data leak" (kinds in their order)."""
    counts = report.summary
    return ", ".join(
        f"{counts[k]} "
        + (PLURALS.get(k) or kind_label(k).lower() if counts[k] > 1 else kind_label(k).lower())
        for k in BEHAVIOUR_KINDS
        if counts.get(k)
    )


def failing_behaviour_text(failing: Iterable[Finding], limit: int = 20) -> str:
    """ "Acme FP (fingerprinting), Meta (form-data leak)" for the behaviour findings among the failing."""
    named = [f"{f.vendor} ({kind_label(f.status).lower()})" for f in failing if f.status in KIND_LABELS]
    if len(named) > limit:
        return ", ".join(named[:limit]) + f" and {len(named) - limit} more"
    return ", ".join(named)


def console_line(report: BehaviourReport) -> str:
    """One line for the terminal, e.g. "behaviour: 2 fingerprinting, 1 form-data leak (probe on)"."""
    notes = ["probe on" if report.probe_forms else "probe off"]
    if not report.hooks:
        notes.insert(0, "hooks off")
    return f"behaviour: {counts_text(report) or 'no findings'} ({', '.join(notes)})"
