"""What a page sent, searched for values it should not have sent: ``value_leaks`` rows.

While the page loads this collector keeps, in memory only, what went out of it: every request URL
(each hop of a redirect chain is a request of its own: a cookie-sync chain carries the uid in a redirect
target), every request body (XHR / fetch / form posts; ``navigator.sendBeacon`` bodies, which Chromium
exposes as post data of a "ping" request; Blob bodies, which it does not put in the request event, are
asked for once each over the page's DevTools session) and every WebSocket message sent (DevTools
``Network.webSocketFrameSent``). Each payload is cut at ``MAX_PAYLOAD`` characters and a visit keeps at
most ``MAX_VISIT`` characters in all; what was cut or dropped is noted on the page (``visit.fail``).

At the end of the visit it gathers the *needles*:

* the form probe's canaries (``--probe-forms``, ``scanner.collect.form_probe``), kind ``form_data``;
* identifiers, kind ``identifier``: the identifier-looking parts (``scanner.collect.needles``) of every
  cookie in the browser's jar and of the localStorage / sessionStorage of the page's frames. Storage is
  read from the browser's side (DevTools ``DOMStorage``: the values as stored, also of frames gone
  before the end, from the write events): a page that replaces ``localStorage`` or ``Storage.prototype``
  in its own JavaScript world can neither hide a value nor plant one.

and searches every payload for every common form of every needle (``scanner.collect.encodings``: plain,
percent-encoded, base64, md5 / sha1 / sha256 of the value and of its trimmed lower-cased form), also
inside base64 tokens of a payload (``btoa(JSON.stringify({...}))``). A hit is a row (the ``ValueLeak``
fields) naming the needle's source, the carrying request, where in it (url | body | beacon | websocket,
and the query / form parameter or JSON key), and the encoding. An identifier is only a row when the
receiving request goes to another registrable domain than the value's own (its cookie's domain, its
storage's origin); a canary is a row wherever it went (the classifier tells first from third party).

Values never leave memory: rows carry names, never values; the row's URL and parameter have every
needle found in them replaced by ``[value]``; notes and logs carry counts only. ``--keep-cookie-values``
does not change that (it governs the cookie and storage records).

Blind spots: requests of service workers and pop-ups with Blob bodies (only the page's own requests
are asked for them), WebSocket messages of pop-ups, compressed or encrypted payloads, values split or
transformed otherwise, and workers' own storage (IndexedDB).
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
import re
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote_plus, urlsplit

from scanner.collect.base import Collector, Visit
from scanner.collect.encodings import CASELESS, encoding_of, forms
from scanner.collect.needles import MIN_LEN, Matcher, Pattern, identifier_candidates
from scanner.collect.storage import event_origin
from scanner.domains import host_of, registrable_domain

if TYPE_CHECKING:
    from scanner.collect.form_probe import Canaries

MAX_PAYLOAD = 64 * 1024  # characters of one payload searched
MAX_VISIT = 4 * 1024 * 1024  # characters of payloads one visit keeps
MAX_PAYLOADS = 20_000  # payloads one visit keeps
MAX_NEEDLES = 2_000  # identifier candidates one visit searches for
MAX_SOURCES = 5  # sources (cookies / storage keys) kept per identical candidate
MAX_ROWS = 1_000  # value_leaks rows per visit
MAX_STORAGE_EVENTS = 2_000  # storage writes kept from the DevTools events
MAX_FRAMES = 50  # frames whose storage is read
MAX_B64_TOKENS = 50  # base64 tokens of one payload decoded and searched
URL_LIMIT = 2048  # characters of a row's URL
NAME_LIMIT = 200  # characters of a row's name / param
POST_DATA_WAIT_S = 1.0  # longest wait at the end for Blob bodies still being fetched
REDACTED = "[value]"

B64_TOKEN = re.compile(r"[A-Za-z0-9+/_-]{11,}={0,2}")  # 8+ bytes encoded
JSON_KEY_BEFORE = re.compile(r'"((?:[^"\\]|\\.){1,100})"\s*:\s*$')
MULTIPART_NAME = re.compile(r'name="([^"\r\n]{1,100})"')


@dataclass
class Payload:
    """One thing the page sent: a request URL, a request body or a WebSocket message."""

    location: str  # url | body | beacon | websocket
    url: str  # the carrying request (ws:/wss: URL for a message)
    method: str | None
    resource_type: str | None
    timestamp: float
    text: str


@dataclass(frozen=True)
class Source:
    """Where a needle came from: a canary's field, a cookie, a storage item."""

    kind: str  # form_data | identifier
    source: str  # cookie | local | session | the input's type
    name: str
    source_domain: str | None
    first_party: bool
    own_domain: str | None  # registrable domain of the value's own site (None: a canary)


class Outbox:
    """The payloads of one visit, bounded; counts what it cut or dropped."""

    def __init__(self) -> None:
        self.items: list[Payload] = []
        self.size = 0
        self.cut = 0
        self.dropped = 0
        self.pending: set[asyncio.Task] = set()  # Blob bodies being fetched
        self.sockets: dict[str, str] = {}  # DevTools request id -> WebSocket URL
        self.storage: dict[tuple[str, str, str], str] = {}  # (origin, local|session, key) -> value written
        self.storage_dropped = 0

    def add(self, location: str, url: str, method: str | None, kind: str | None, text: str) -> None:
        if len(text) < MIN_LEN:
            return
        if len(text) > MAX_PAYLOAD:
            text = text[:MAX_PAYLOAD]
            self.cut += 1
        if self.size + len(text) > MAX_VISIT or len(self.items) >= MAX_PAYLOADS:
            self.dropped += 1
            return
        self.size += len(text)
        self.items.append(Payload(location, url, method, kind, time.time(), text))


def body_text(data: bytes) -> str:
    return data[: MAX_PAYLOAD * 4].decode("utf-8", "replace")


def _segment_param(text: str, start: int, seps: str) -> str | None:
    """The ``name`` of the ``name=value`` segment (split on ``seps``) around ``start``, decoded as a form
    field name is (``ud%5Bem%5D`` -> ``ud[em]``)."""
    lo = max(text.rfind(s, 0, start) for s in seps) + 1
    segment = text[lo:start]
    if "=" in segment:
        return unquote_plus(segment.split("=", 1)[0]) or None
    return None


def url_param(url: str, start: int) -> str | None:
    """The query parameter (or ``;name=value`` path parameter, or fragment parameter) of a URL whose
    value holds position ``start``."""
    query = url.find("?")
    if query != -1 and start > query:
        return _segment_param(url, start, "?&;#")
    path = urlsplit(url[:start]).path if "://" in url[:start] else ""
    if ";" in path:
        return _segment_param(url, start, ";/")
    return None


def _json_path(data: Any, needle: str) -> str | None:
    stack: list[tuple[Any, str]] = [(data, "")]
    seen = 0
    while stack and seen < 10_000:
        item, path = stack.pop()
        seen += 1
        if isinstance(item, dict):
            for k, v in list(item.items())[:500]:
                stack.append((v, f"{path}.{k}" if path else str(k)))
        elif isinstance(item, list):
            for i, v in enumerate(item[:500]):
                stack.append((v, f"{path}[{i}]"))
        elif isinstance(item, str | int | float) and not isinstance(item, bool) and needle in str(item):
            return path or None
    return None


def body_param(text: str, start: int, end: int, parsed: dict[int, Any]) -> str | None:
    """The JSON key path, form field or multipart field of a body whose value holds ``start:end``."""
    head = text.lstrip()[:1]
    if head in ("{", "["):
        key = id(text)
        if key not in parsed:
            try:
                parsed[key] = json.loads(text)
            except (ValueError, RecursionError):
                parsed[key] = None
        if parsed[key] is not None and (path := _json_path(parsed[key], text[start:end])):
            return path
        m = JSON_KEY_BEFORE.search(text[max(0, start - 200) : start].rstrip('"'))
        return m.group(1) if m else None
    if "Content-Disposition" in text[:start]:
        names = MULTIPART_NAME.findall(text[max(0, start - 500) : start])
        return names[-1] if names else None
    if "\n" not in text[:start] and "=" in text[:start]:
        return _segment_param(text, start, "&;")
    return None


def base64_views(text: str) -> list[tuple[int, int, str]]:
    """(start, end, decoded text) of base64 tokens of ``text`` that decode to readable text."""
    views = []
    for m in B64_TOKEN.finditer(text):
        if len(views) >= MAX_B64_TOKENS:
            break
        token = m.group().rstrip("=").replace("-", "+").replace("_", "/")
        token += "=" * (-len(token) % 4)
        try:
            raw = base64.b64decode(token, validate=True)
            decoded = raw.decode("utf-8")
        except (binascii.Error, ValueError):
            continue
        printable = sum(c.isprintable() for c in decoded)
        if len(decoded) >= MIN_LEN and printable >= 0.9 * len(decoded):
            views.append((m.start(), m.end(), decoded))
    return views


class PayloadCollector(Collector):
    """See the module docstring. ``canaries`` is the form probe's (the same object), or None."""

    name = "payloads"

    def __init__(self, canaries: Canaries | None = None) -> None:
        self.canaries = canaries

    async def start(self, visit: Visit) -> None:
        box = visit.state[self.name] = Outbox()
        if visit.cdp is None:
            visit.fail(
                self.name, "start", "no DevTools session: Blob bodies, WebSocket messages and storage unread"
            )
            return
        cdp = visit.cdp

        def will_be_sent(event: dict) -> None:
            request = event.get("request") or {}
            if (
                request.get("hasPostData")
                and not request.get("postDataEntries")
                and not request.get("postData")
            ):
                task = asyncio.ensure_future(self._post_data(visit, box, event))
                box.pending.add(task)
                task.add_done_callback(box.pending.discard)

        def created(event: dict) -> None:
            url = event.get("url")
            if isinstance(url, str) and len(box.sockets) < 1000:
                box.sockets[str(event.get("requestId", ""))] = url[: URL_LIMIT * 4]

        def frame_sent(event: dict) -> None:
            url = box.sockets.get(str(event.get("requestId", "")))
            response = event.get("response") or {}
            data = response.get("payloadData")
            if url is None or not isinstance(data, str):
                return
            if response.get("opcode") == 2:
                try:
                    data = body_text(base64.b64decode(data[: MAX_PAYLOAD * 2]))
                except (binascii.Error, ValueError):
                    return
            elif response.get("opcode") != 1:
                return
            box.add("websocket", url, None, "websocket", data)

        def storage_written(event: dict) -> None:
            storage_id = event.get("storageId") or {}
            origin = event_origin(storage_id) if isinstance(storage_id, dict) else None
            key, value = event.get("key"), event.get("newValue")
            if origin is None or not isinstance(key, str) or not isinstance(value, str):
                return
            ident = (origin, "local" if storage_id.get("isLocalStorage") else "session", key[:1000])
            if ident not in box.storage and len(box.storage) >= MAX_STORAGE_EVENTS:
                box.storage_dropped += 1
                return
            box.storage[ident] = value[:4096]

        cdp.on("Network.requestWillBeSent", will_be_sent)
        cdp.on("Network.webSocketCreated", created)
        cdp.on("Network.webSocketFrameSent", frame_sent)
        cdp.on("DOMStorage.domStorageItemAdded", storage_written)
        cdp.on("DOMStorage.domStorageItemUpdated", storage_written)
        await cdp.send("DOMStorage.enable")

    async def _post_data(self, visit: Visit, box: Outbox, event: dict) -> None:
        """A body the request event left out (a Blob): one DevTools round trip."""
        request = event.get("request") or {}
        try:
            answer = await visit.cdp.send("Network.getRequestPostData", {"requestId": event.get("requestId")})
        except Exception:  # noqa: BLE001 - gone already: counted, the visit goes on
            box.dropped += 1
            return
        data = answer.get("postData") if isinstance(answer, dict) else None
        if isinstance(data, str):
            if answer.get("base64Encoded"):
                try:
                    data = body_text(base64.b64decode(data))
                except (binascii.Error, ValueError):
                    return
            kind = str(event.get("type") or "other").lower()
            location = "beacon" if kind == "ping" else "body"
            box.add(location, str(request.get("url", "")), str(request.get("method", "POST")), kind, data)

    async def on_request(self, visit: Visit, request: Any) -> None:
        box: Outbox | None = visit.state.get(self.name)
        url = request.url
        if box is None or url.startswith(("data:", "blob:")):
            return
        kind = request.resource_type
        box.add("url", url, request.method, kind, url)
        data = request.post_data_buffer
        if data:
            box.add("beacon" if kind == "ping" else "body", url, request.method, kind, body_text(data))

    async def finish(self, visit: Visit) -> None:
        box: Outbox | None = visit.state.get(self.name)
        if box is None:
            return
        if box.pending:
            await asyncio.wait(list(box.pending), timeout=POST_DATA_WAIT_S)
        needles: dict[str, list[Source]] = {}
        self._canary_needles(visit, needles)
        try:
            await self._cookie_needles(visit, needles)
        except Exception as exc:  # noqa: BLE001 - no cookie values this visit; the rest goes on
            visit.fail(self.name, "cookie jar", exc)
        try:
            await self._storage_needles(visit, box, needles)
        except Exception as exc:  # noqa: BLE001
            visit.fail(self.name, "storage", exc)
        visit.state[self.name + ".rows"] = self._search(visit, box, needles)
        box.items.clear()  # the payloads are not needed any longer

    # -- needles ---------------------------------------------------------------------------------------

    def _canary_needles(self, visit: Visit, needles: dict[str, list[Source]]) -> None:
        if self.canaries is None:
            return
        typed: dict[str, tuple[str, str]] = visit.state.get("form_probe.typed", {})
        for slot, value in list(self.canaries.values.items()):
            source, name = typed.get(slot) or self.canaries.first_field.get(slot) or (slot.split("#")[0], "")
            needles.setdefault(value, []).append(Source("form_data", source, name, None, True, None))

    def _add_identifier(
        self, needles: dict[str, list[Source]], value: str, source: Source, budget: list[int]
    ) -> None:
        for candidate in identifier_candidates(value, source.name):
            if budget[0] <= 0:
                return
            sources = needles.setdefault(candidate, [])
            if any(s.kind == "form_data" for s in sources):
                continue  # a canary the page stored: it is form data, not an identifier
            if len(sources) < MAX_SOURCES and source not in sources:
                sources.append(source)
                budget[0] -= 1

    async def _cookie_needles(self, visit: Visit, needles: dict[str, list[Source]]) -> None:
        jar = await visit.page.context.cookies()
        budget = visit.state.setdefault(self.name + ".budget", [MAX_NEEDLES])
        for cookie in jar:
            domain = str(cookie.get("domain", "")).lstrip(".").lower()
            source = Source(
                "identifier",
                "cookie",
                str(cookie.get("name", ""))[:NAME_LIMIT],
                domain or None,
                bool(domain) and visit.scope.contains_host(domain),
                registrable_domain(domain) if domain else None,
            )
            self._add_identifier(needles, str(cookie.get("value", "")), source, budget)

    async def _storage_needles(self, visit: Visit, box: Outbox, needles: dict[str, list[Source]]) -> None:
        items = dict(box.storage)
        if visit.cdp is not None:
            items.update(await self._read_storage(visit))
        if box.storage_dropped:
            visit.fail(self.name, "storage events", f"{box.storage_dropped} storage writes not searched for")
        budget = visit.state.setdefault(self.name + ".budget", [MAX_NEEDLES])
        for (origin, kind, key), value in items.items():
            host = urlsplit(origin).hostname or ""
            source = Source(
                "identifier",
                kind,
                key[:NAME_LIMIT],
                origin,
                visit.scope.contains_host(host),
                registrable_domain(host) if host else None,
            )
            self._add_identifier(needles, value, source, budget)

    async def _read_storage(self, visit: Visit) -> dict[tuple[str, str, str], str]:
        """Local and session storage of every frame of the page, read by the browser (DevTools), not by
        the page's JavaScript."""
        cdp = visit.cdp
        tree = await cdp.send("Page.getFrameTree")
        frames, stack = [], [tree.get("frameTree") or {}]
        while stack and len(frames) < MAX_FRAMES:
            node = stack.pop()
            frame = node.get("frame") or {}
            if str(frame.get("url", "")).startswith(("http://", "https://")):
                frames.append(frame)
            stack.extend(node.get("childFrames") or [])

        async def read(frame: dict) -> list[tuple[tuple[str, str, str], str]]:
            key = await cdp.send("Storage.getStorageKeyForFrame", {"frameId": frame["id"]})
            storage_key = key.get("storageKey")
            origin = event_origin({"storageKey": storage_key}) if isinstance(storage_key, str) else None
            if origin is None:
                return []
            out = []
            for kind, local in (("local", True), ("session", False)):
                answer = await cdp.send(
                    "DOMStorage.getDOMStorageItems",
                    {"storageId": {"storageKey": storage_key, "isLocalStorage": local}},
                )
                for entry in (answer.get("entries") or [])[:1000]:
                    if isinstance(entry, list) and len(entry) == 2 and all(isinstance(x, str) for x in entry):
                        out.append(((origin, kind, entry[0][:1000]), entry[1][:4096]))
            return out

        found: dict[tuple[str, str, str], str] = {}
        results = await asyncio.gather(*(read(f) for f in frames), return_exceptions=True)
        for frame, result in zip(frames, results, strict=True):
            if isinstance(result, BaseException):
                visit.fail(self.name, f"storage of frame {str(frame.get('url', ''))[:200]}", result)
                continue
            found.update(result)
        return found

    # -- search ----------------------------------------------------------------------------------------

    def _search(self, visit: Visit, box: Outbox, needles: dict[str, list[Source]]) -> list[dict]:
        if box.cut:
            visit.fail(
                self.name,
                "payloads",
                f"{box.cut} payloads searched only in their first {MAX_PAYLOAD} characters",
            )
        if box.dropped:
            visit.fail(self.name, "payloads", f"{box.dropped} payloads not searched (over the visit's limit)")
        if not needles or not box.items:
            return []
        values = list(needles)
        patterns = [
            Pattern(i, variant, text, variant in CASELESS)
            for i, value in enumerate(values)
            for variant, text in forms(value).items()
        ]
        matcher = Matcher(patterns)
        plain = Matcher([p for p in patterns if not p.variant.startswith(("base64", "md5", "sha"))])
        rows: dict[tuple, dict] = {}
        over = 0
        for payload in box.items:
            parsed: dict[int, Any] = {}
            hits = [(p, s, e, None) for p, s, e in matcher.find(payload.text)]
            for start, end, decoded in base64_views(payload.text):
                hits.extend((p, start, end, "base64") for p, _, _ in plain.find(decoded))
            for pattern, start, end, wrapped in hits:
                receiver = registrable_domain(host_of(payload.url))
                if payload.location == "url":
                    param = url_param(payload.text, start)
                elif payload.location == "websocket":
                    param = body_param(payload.text, start, end, parsed)
                else:
                    param = body_param(payload.text, start, end, parsed)
                encoding = wrapped or encoding_of(pattern.variant)
                for source in needles[values[pattern.needle]]:
                    if source.own_domain is not None and source.own_domain == receiver:
                        continue
                    key = (source, payload.url, payload.location, encoding, param)
                    if key in rows:
                        continue
                    if len(rows) >= MAX_ROWS:
                        over += 1
                        continue
                    rows[key] = self._row(visit, source, payload, encoding, param, matcher)
        if over:
            visit.fail(self.name, "rows", f"{over} more value leaks unrecorded (at most {MAX_ROWS} a page)")
        return list(rows.values())

    @staticmethod
    def _redact(text: str, matcher: Matcher) -> str:
        """``text`` with every needle form found in it replaced by ``[value]``."""
        spans = sorted((s, e) for _, s, e in matcher.find(text))
        if not spans:
            return text
        out, pos = [], 0
        for s, e in spans:
            if e <= pos:
                continue
            out.append(text[pos : max(pos, s)])
            out.append(REDACTED)
            pos = e
        out.append(text[pos:])
        return "".join(out)

    def _row(
        self,
        visit: Visit,
        source: Source,
        payload: Payload,
        encoding: str,
        param: str | None,
        matcher: Matcher,
    ) -> dict:
        url = self._redact(payload.url[: URL_LIMIT * 4], matcher)[:URL_LIMIT]
        return {
            "kind": source.kind,
            "page_url": visit.page_url,
            "source": source.source,
            "name": self._redact(source.name, matcher)[:NAME_LIMIT],
            "url": url,
            "encoding": encoding,
            "location": payload.location,
            "param": self._redact(param, matcher)[:NAME_LIMIT] if param else None,
            "source_domain": source.source_domain,
            "source_first_party": source.first_party,
            "method": payload.method,
            "resource_type": payload.resource_type,
            "timestamp": payload.timestamp,
        }

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        return {"value_leaks": list(visit.state.get(self.name + ".rows", []))}
