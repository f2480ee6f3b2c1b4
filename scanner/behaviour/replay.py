"""Session recording: a replay vendor that really records, and scripts that look like a recorder.

- ``session_recording``: a vendor whose catalog categories include ``session-replay`` (Hotjar,
  Microsoft Clarity, FullStory, Mouseflow, Yandex Metrica's Webvisor, ...) **with recording traffic**:
  at least :data:`MIN_PAYLOADS` requests to it that carry a payload (POST/PUT/PATCH, or a
  ``sendBeacon``/ping beacon; a request whose sent ``Content-Length`` is 0 carries none), or a
  WebSocket to it that sent at least :data:`MIN_PAYLOADS` frames. A recorder streams the page in
  repeated chunks; a loaded script alone records nothing (Hotjar and Clarity sample sessions and skip
  short visits), so its script is not enough.
- ``possible_session_recording``: a third-party script that observes DOM mutations of the whole
  document (``MutationObserver.observe`` on the document, ``<html>`` or ``<body>`` with ``subtree``)
  and listens to at least :data:`MIN_LISTENER_KINDS` kinds of user input among input, key, mouse,
  pointer and touch events, and whose vendor is not already ``session_recording``: what a replay
  script does, whoever wrote it (the vendor may be unknown). First-party scripts (a site's own editor
  or form code) are not reported.

``MutationObserver.observe`` rows sample their argument as the behaviour hooks note it: the target
(``document``, or an element's tag name) and the options set, ``"body|childList,subtree,attributes"``;
a target of ``document``, ``html`` or ``body`` with ``subtree`` counts. (A free-form sample naming
one of them and ``subtree``, not ``subtree:false``, counts too.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.behaviour.classify import MAX_EVIDENCE, MAX_PAGES, Context, contexts, script_subject
from scanner.model import ApiCall, Detection, Request

MIN_PAYLOADS = 3
MIN_LISTENER_KINDS = 2
PAYLOAD_METHODS = frozenset({"POST", "PUT", "PATCH"})
REPLAY_CATEGORY = "session-replay"

# Event type -> the kind of user input it reports.
_LISTENER_KINDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("input", re.compile(r"^(?:input|change|beforeinput|focus|blur|focusin|focusout|select)$")),
    ("key", re.compile(r"^key(?:down|up|press)$")),
    ("mouse", re.compile(r"^(?:mouse\w*|click|dblclick|contextmenu|wheel)$")),
    ("pointer", re.compile(r"^pointer\w*$")),
    ("touch", re.compile(r"^touch\w*$")),
)
_WHOLE_DOCUMENT = re.compile(r"(?:^|[^a-z])(?:#?document|html|body|documentelement)(?:$|[^a-z])")
_DOCUMENT_TARGETS = frozenset({"document", "#document", "html", "body"})
_NO_SUBTREE = re.compile(r"subtree\W{0,3}(?:false|0)\b")


def _sent_bytes(r: Request) -> int | None:
    """The Content-Length the request was sent with, when its headers were recorded."""
    for h in r.request_headers:
        if isinstance(h, dict) and str(h.get("name", "")).lower() == "content-length":
            value = str(h.get("value", "")).strip()
            return int(value) if value.isdigit() else None
    return None


def carries_payload(r: Request) -> bool:
    """A request that sends data: POST/PUT/PATCH, a sendBeacon or ping beacon, a WebSocket is judged
    by its frames instead; an explicit Content-Length of 0 sends nothing."""
    if r.resource_type == "websocket":
        return False
    sent = r.method.upper() in PAYLOAD_METHODS or (r.is_beacon and r.beacon_reason in ("send_beacon", "ping"))
    return sent and _sent_bytes(r) != 0


def recordings(requests: Iterable[Request], vendor_categories) -> list[Detection]:
    """``session_recording`` per replay vendor with recording traffic (see the module docstring)."""
    payloads: dict[str, list[Request]] = {}
    sockets: dict[str, list[Request]] = {}
    for r in requests:
        if not r.vendor or REPLAY_CATEGORY not in vendor_categories(r.vendor):
            continue
        if r.resource_type == "websocket" and (r.ws_frames_sent or 0) >= MIN_PAYLOADS:
            sockets.setdefault(r.vendor, []).append(r)
        elif carries_payload(r):
            payloads.setdefault(r.vendor, []).append(r)
    out = []
    for vendor in sorted({*payloads, *sockets}):
        sent = payloads.get(vendor, [])
        streams = sockets.get(vendor, [])
        if len(sent) < MIN_PAYLOADS and not streams:
            continue
        evidence = [
            {
                "technique": "websocket",
                "url": r.url[:500],
                "page_url": r.page_url,
                "frames_sent": r.ws_frames_sent,
                "bytes_sent": r.ws_bytes_sent,
            }
            for r in streams[:MAX_EVIDENCE]
        ]
        if len(sent) >= MIN_PAYLOADS:
            evidence += [
                {
                    "technique": "payload",
                    "url": r.url[:500],
                    "page_url": r.page_url,
                    "method": r.method,
                    "beacon": r.is_beacon,
                    "resource_type": r.resource_type,
                }
                for r in sent[: MAX_EVIDENCE - len(evidence)]
            ]
        pages = dict.fromkeys(r.page_url for r in [*streams, *sent])
        categories = tuple(vendor_categories(vendor))
        what = []
        if streams:
            what.append(f"{len(streams)} WebSocket(s) with >= {MIN_PAYLOADS} frames sent")
        if len(sent) >= MIN_PAYLOADS:
            what.append(f"{len(sent)} requests with a payload")
        out.append(
            Detection(
                kind="session_recording",
                technique="replay_traffic",
                criterion=(
                    f"session-replay vendor with recording traffic (>= {MIN_PAYLOADS} payload requests or a "
                    f"WebSocket with >= {MIN_PAYLOADS} frames sent): " + ", ".join(what)
                ),
                script=None,
                vendor=vendor,
                category=categories[0] if categories else None,
                pages=tuple(list(pages)[:MAX_PAGES]),
                evidence=tuple(evidence[:MAX_EVIDENCE]),
                observations=len(streams) + (len(sent) if len(sent) >= MIN_PAYLOADS else 0),
            )
        )
    return out


def listener_kinds(ctx: Context) -> set[str]:
    """Kinds of user input a context listens to."""
    kinds = set()
    for event in ctx.listeners():
        for kind, rx in _LISTENER_KINDS:
            if rx.match(event):
                kinds.add(kind)
    return kinds


def observes_document(ctx: Context) -> bool:
    """``MutationObserver.observe`` on the whole document with ``subtree``."""
    for value in ctx.args_of("observe"):
        low = value.lower()
        if "|" in low:  # the hooks' form: "<target>|<flag>,<flag>..."
            target, _, flags = low.partition("|")
            if target.strip() in _DOCUMENT_TARGETS and "subtree" in flags.split(","):
                return True
        elif "subtree" in low and not _NO_SUBTREE.search(low) and _WHOLE_DOCUMENT.search(low):
            return True
    return False


def possible_recorders(
    calls: Iterable[ApiCall], recording_vendors: set[str], vendor_categories
) -> list[Detection]:
    """``possible_session_recording`` per third-party script (see the module docstring)."""
    found: dict[str, dict] = {}
    for ctx in contexts(calls):
        if not ctx.script or not ctx.third_party or (ctx.vendor and ctx.vendor in recording_vendors):
            continue
        if not any(api.startswith("MutationObserver.") for api in ctx.calls):
            continue
        kinds = listener_kinds(ctx)
        if len(kinds) < MIN_LISTENER_KINDS or not observes_document(ctx):
            continue
        hit = found.setdefault(ctx.script, {"ctx": ctx, "pages": {}, "evidence": [], "observations": 0})
        hit["pages"].setdefault(ctx.page_url, None)
        hit["observations"] += 1
        if len(hit["evidence"]) < MAX_EVIDENCE:
            hit["evidence"].append(
                {
                    "technique": "dom_and_input",
                    "script": ctx.script,
                    "page_url": ctx.page_url,
                    "frame_url": ctx.frame_url,
                    "observe": sorted(ctx.args_of("observe"))[:5],
                    "listeners": sorted(ctx.listeners())[:MAX_EVIDENCE],
                    "input_kinds": sorted(kinds),
                }
            )
    out = []
    for script, hit in found.items():
        ctx = hit["ctx"]
        categories = tuple(vendor_categories(ctx.vendor)) if ctx.vendor else ()
        out.append(
            Detection(
                kind="possible_session_recording",
                technique="dom_and_input",
                criterion=(
                    "third-party script observing document mutations (subtree) and listening to >= "
                    f"{MIN_LISTENER_KINDS} kinds of input (input, key, mouse, pointer, touch)"
                ),
                script=script,
                vendor=ctx.vendor,
                category=categories[0] if categories else None,
                pages=tuple(list(hit["pages"])[:MAX_PAGES]),
                evidence=tuple(hit["evidence"]),
                observations=hit["observations"],
                subject=None if ctx.vendor else script_subject(ctx),
            )
        )
    return out
