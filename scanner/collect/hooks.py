"""The hidden channel between the in-page hooks (``page_hooks.js``) and the collectors.

Per page, over the page's own DevTools session: a binding with a random name (``Runtime.addBinding``)
and the hook script (``Page.addScriptToEvaluateOnNewDocument``), which runs in every document of the page
(cross-origin iframes included: the browser runs with ``--disable-site-isolation-trials``, so they share
the page's renderer) before any page script, takes the binding into its closure and deletes it from the
global object. Nothing is installed in the context as a whole and no Playwright binding is used, so a page
finds no global to enumerate or call. Every report carries a random nonce known only to the hook closure
and to this side; a report without it is rejected and counted.

Reports per page are capped (in the page per document, and here for the page as a whole); what was dropped
or rejected is noted on the visit (``record["collector_errors"]``) instead of growing without bound.

With the behaviour hooks on (``api_hooks``), ``api_hooks.js`` is spliced into the same closure: it counts
fingerprinting, recording and listener APIs in the page and answers a pull (``pull_api_calls``) with
reports of kind "api", which have a budget of their own (``API_PAGE_LIMIT``).
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import secrets
from collections.abc import Callable
from importlib import resources
from typing import Any

from scanner.collect.api_spec import table_js
from scanner.collect.base import Visit

log = logging.getLogger("scanner.collect")

DOCUMENT_LIMIT = 2000  # reports one document may send (then it only counts what it drops)
PAGE_LIMIT = 5000  # reports accepted per page, all its documents together
MAX_PAYLOAD = 64 * 1024  # characters of one report
KINDS = frozenset({"cookie", "beacon", "image", "api"})
API_PAGE_LIMIT = 300  # "api" reports (chunks of API call rows) accepted per page, apart from the others
MAX_FRAMES = 200  # frames of one page pulled for their API call rows

Deliver = Callable[[str, dict], None]


def _source(name: str) -> str:
    return resources.files("scanner.collect").joinpath(name).read_text(encoding="utf-8")


def hook_script(binding: str, nonce: str, limit: int = DOCUMENT_LIMIT, api_event: str | None = None) -> str:
    """The hook script with this page's binding name, nonce and per-document limit filled in; with an
    ``api_event`` name, the behaviour hooks (``api_hooks.js``) spliced in, answering that event."""
    api = ""
    if api_event is not None:
        api = (
            _source("api_hooks.js")
            .replace("__API_EVENT__", json.dumps(api_event))
            .replace("__API_TABLE__", table_js())
        )
    return (
        _source("page_hooks.js")
        .replace("/*__API_HOOKS__*/", api.strip())
        .replace("__BINDING__", json.dumps(binding))
        .replace("__NONCE__", json.dumps(nonce))
        .replace("__LIMIT__", str(int(limit)))
    )


class HookChannel:
    """One page's channel: checks every report and hands the genuine ones to ``deliver(kind, data)``."""

    def __init__(
        self,
        deliver: Deliver,
        *,
        page_limit: int = PAGE_LIMIT,
        document_limit: int = DOCUMENT_LIMIT,
        api_hooks: bool = False,
        api_limit: int = API_PAGE_LIMIT,
    ) -> None:
        self.deliver = deliver
        self.binding = "_" + secrets.token_hex(12)
        self.nonce = secrets.token_hex(16)
        # The name of the event that asks the page's documents for their API call rows (None: no
        # behaviour hooks in this page).
        self.api_event = "_" + secrets.token_hex(12) if api_hooks else None
        self.api_limit = api_limit
        self.api_accepted = 0
        self.api_dropped = 0
        self.session: Any = None  # the page's DevTools session (set by install_hooks)
        self.page_limit = page_limit
        self.document_limit = document_limit
        self.accepted = 0
        self.dropped_here = 0  # over the page limit
        self.dropped_in_page: dict[Any, int] = {}  # execution context id -> count its document dropped
        self.rejected = 0  # wrong binding payloads: no nonce, garbled, too big
        self.sent_by: dict[Any, int] = {}  # execution context id -> reports its document sent

    @property
    def dropped(self) -> int:
        return self.dropped_here + sum(self.dropped_in_page.values())

    def script(self) -> str:
        return hook_script(self.binding, self.nonce, self.document_limit, self.api_event)

    def on_binding_called(self, event: dict) -> None:
        if event.get("name") != self.binding:
            return
        message = self._parse(event.get("payload"))
        if message is None:
            self.rejected += 1
            return
        kind, data = message
        if kind == "api":  # a budget of its own: pulled rows must not crowd out cookie writes
            if self.api_event is None:
                self.rejected += 1
            elif self.api_accepted >= self.api_limit:
                self.api_dropped += 1
            else:
                self.api_accepted += 1
                self.deliver(kind, data)
            return
        context = event.get("executionContextId")
        if kind != "dropped":
            self.sent_by[context] = self.sent_by.get(context, 0) + 1
        if kind == "dropped":
            count = data.get("count")
            if isinstance(count, int) and count > 0:
                self.dropped_in_page[context] = max(count, self.dropped_in_page.get(context, 0))
            return
        if self.accepted >= self.page_limit:
            self.dropped_here += 1
            return
        self.accepted += 1
        self.deliver(kind, data)

    def _parse(self, payload: Any) -> tuple[str, dict] | None:
        if not isinstance(payload, str) or len(payload) > MAX_PAYLOAD:
            return None
        try:
            message = json.loads(payload)
        except ValueError:
            return None
        if not isinstance(message, dict):
            return None
        nonce, kind, data = message.get("n"), message.get("k"), message.get("d")
        if not isinstance(nonce, str) or not hmac.compare_digest(nonce.encode(), self.nonce.encode()):
            return None
        if kind not in KINDS and kind != "dropped":
            return None
        if not isinstance(data, dict):
            return None
        return kind, data

    def losses(self) -> list[str]:
        """What this channel could not pass on, as notes for the visit record."""
        notes = []
        if self.dropped:
            notes.append(
                f"{self.dropped} in-page reports (document.cookie, sendBeacon, image) dropped: over "
                f"the limit of {self.document_limit} per document / {self.page_limit} per page"
            )
        # A document at its limit whose count of dropped reports never came (it kept its page busy
        # until the visit ended): more were dropped, how many is unknown.
        full = [
            c for c, n in self.sent_by.items() if n >= self.document_limit and c not in self.dropped_in_page
        ]
        if full:
            notes.append(
                f"{len(full)} document(s) reached the limit of {self.document_limit} in-page reports; "
                "any they sent after it were dropped, uncounted"
            )
        if self.api_dropped:
            notes.append(
                f"{self.api_dropped} reports of API call rows dropped: over the limit of {self.api_limit} "
                "per page"
            )
        if self.rejected:
            notes.append(f"{self.rejected} in-page reports rejected (no valid nonce)")
        return notes


async def install_hooks(session: Any, deliver: Deliver, *, api_hooks: bool = False) -> HookChannel:
    """Hook every document of the page behind ``session`` (a Playwright CDP session of that page).

    Set up before the page's first navigation, the hooks run in every new document before its scripts.
    They also run at once in the documents the page has already (its initial blank document; a pop-up's
    first document, which loads before the crawler gets the pop-up: hooked from then on only). In such a
    running document the binding exists from one DevTools command to the next (a page task may run in
    between: a page polling its globals could see a random name for that instant, but not use it without
    the nonce); new documents get binding and hooks before any of their scripts, with no such gap.
    With ``api_hooks`` the behaviour hooks run too (their rows come with ``pull_api_calls``).
    Raises when the session cannot be set up (the caller records the loss).
    """
    channel = HookChannel(deliver, api_hooks=api_hooks)
    channel.session = session
    session.on("Runtime.bindingCalled", channel.on_binding_called)
    # Bindings reach new documents only with Runtime enabled, scripts on new documents only with Page.
    await session.send("Page.enable")
    await session.send("Runtime.enable")
    # Sent back to back: in documents that exist already (a pop-up's), the binding shows up at once and
    # the script that takes it away runs next.
    await asyncio.gather(
        session.send("Runtime.addBinding", {"name": channel.binding}),
        session.send(
            "Page.addScriptToEvaluateOnNewDocument", {"source": channel.script(), "runImmediately": True}
        ),
    )
    return channel


def _frame_ids(tree: dict) -> list[str]:
    """Ids of the frames of a ``Page.getFrameTree`` answer, the main frame first (at most MAX_FRAMES)."""
    ids: list[str] = []
    stack = [tree.get("frameTree") or {}]
    while stack and len(ids) < MAX_FRAMES:
        node = stack.pop(0)
        frame_id = (node.get("frame") or {}).get("id")
        if isinstance(frame_id, str):
            ids.append(frame_id)
        stack.extend(node.get("childFrames") or [])
    return ids


async def pull_api_calls(channel: HookChannel, world: str) -> int:
    """Ask every frame of the channel's page for its API call rows; returns the number of frames asked.

    In each frame an isolated world (named ``world``; the page's scripts share its DOM but none of its
    globals) dispatches the channel's event on the document. The hook closure's listener answers at once
    through the binding, so the reports are in (``Runtime.bindingCalled`` comes on the same session
    before the answer to ``Runtime.evaluate``) when this returns. Frames that went away meanwhile are
    skipped.
    """
    if channel.api_event is None or channel.session is None:
        return 0
    session = channel.session
    tree = await session.send("Page.getFrameTree")
    expression = f"document.dispatchEvent(new CustomEvent({json.dumps(channel.api_event)})), 0"

    async def ask(frame_id: str) -> bool:
        try:
            made = await session.send("Page.createIsolatedWorld", {"frameId": frame_id, "worldName": world})
            await session.send(
                "Runtime.evaluate", {"contextId": made["executionContextId"], "expression": expression}
            )
        except Exception:  # noqa: BLE001 - the frame went away, or navigated: its rows went on pagehide
            return False
        return True

    asked = await asyncio.gather(*(ask(frame_id) for frame_id in _frame_ids(tree)))
    return sum(asked)


def channels(visit: Visit) -> list[HookChannel]:
    return visit.state.setdefault("hooks", [])


def note_losses(visit: Visit) -> None:
    """Record on the visit what its pages' channels dropped or rejected."""
    for channel in channels(visit):
        for note in channel.losses():
            visit.fail("hooks", "reports", note)
