"""``scanner email --render``: open each message's HTML in the scan's Chromium and record what it fetches.

Opt-in, because loading a message's remote content is what fires the sender's open tracking: the sender
sees an open (use a test subscriber's copy). Every output labels what was rendered.

The HTML is written to a file of a private temporary folder and opened from there (``file://``), in one
browser context (``scanner.browser.open_context``: the scan's Chromium, its flags, ``--browser-arg`` such
as the fake internet's resolver rules in tests), one tab per message, like a mail client that shows remote
content: scripts are off (DevTools ``Emulation.setScriptExecutionDisabled``, as no mail client runs them)
and ``<meta http-equiv="refresh">`` is taken out (no mail client follows it). Recorded per message: every
http(s) request of the tab (images, CSS, fonts, frames, and each redirect hop as a request of its own, with
the URLs it was redirected from), its status or failure, its content type and how many cookies its
response set. The tab waits for the load event, then until no request has started for
:data:`QUIET_S` (at most :data:`SETTLE_CAP_S`).
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from scanner.browser import BrowserOptions, open_context
from scanner.email.message import Message

QUIET_S = 0.5
SETTLE_CAP_S = 3.0
RESPONSE_WAIT_S = 2.0
MAX_REQUESTS = 500  # per message
_REFRESH = re.compile(r"<meta\b[^>]*http-equiv\s*=\s*[\"']?\s*refresh[^>]*>", re.I)


def page_html(html: str) -> str:
    """The message's HTML as the file the browser opens: UTF-8 (the first charset declaration wins) and no
    meta refresh."""
    return '<meta charset="utf-8">' + _REFRESH.sub("", html)


async def _facts(request: Any) -> dict:
    chain = []
    prev = request.redirected_from
    while prev is not None and len(chain) < 20:
        chain.append(prev.url)
        prev = prev.redirected_from
    out: dict[str, Any] = {
        "url": request.url[:8192],
        "resource_type": request.resource_type,
        "redirected_from": list(reversed(chain)),
    }
    try:
        response = await asyncio.wait_for(request.response(), RESPONSE_WAIT_S)
    except Exception:  # noqa: BLE001 - still pending, or the page went away
        response = None
    if response is not None:
        out["status"] = response.status
        try:
            headers = await asyncio.wait_for(response.headers_array(), RESPONSE_WAIT_S)
        except Exception:  # noqa: BLE001
            headers = []
        out["content_type"] = next(
            (h["value"][:100] for h in headers if h["name"].lower() == "content-type"), None
        )
        out["set_cookie"] = sum(1 for h in headers if h["name"].lower() == "set-cookie")
    failure = request.failure
    if failure:
        out["failure"] = str(failure)[:200]
    return out


async def _render_one(context: Any, msg: Message, folder: Path, n: int, timeout_s: float) -> dict:
    if not msg.html:
        return {"requests": [], "error": "no HTML part: nothing to render"}
    path = folder / f"message-{n}.html"
    path.write_text(page_html(msg.html), encoding="utf-8")
    page = await context.new_page()
    seen: list[Any] = []
    last = [time.monotonic()]

    def on_request(request: Any) -> None:
        if request.url.startswith(("http://", "https://")) and len(seen) < MAX_REQUESTS:
            seen.append(request)
            last[0] = time.monotonic()

    page.on("request", on_request)
    error = None
    try:
        cdp = await context.new_cdp_session(page)
        await cdp.send("Emulation.setScriptExecutionDisabled", {"value": True})
        await page.goto(path.as_uri(), wait_until="load", timeout=timeout_s * 1000)
        start = last[0] = time.monotonic()  # quiet means: no request started for QUIET_S since the load
        while time.monotonic() - start < SETTLE_CAP_S and time.monotonic() - last[0] < QUIET_S:
            await asyncio.sleep(0.1)
    except Exception as exc:  # noqa: BLE001 - a message that does not load is noted, the others go on
        error = (
            f"did not finish loading: {str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__}"
        )
    records = [await _facts(r) for r in seen]
    with contextlib.suppress(Exception):
        await page.close()
    return {"requests": records, "error": error}


async def render_messages_async(
    messages: Sequence[Message],
    *,
    executable: str | None = None,
    browser_args: Sequence[str] = (),
    timeout_s: float = 30.0,
    ignore_https_errors: bool = False,
) -> dict[str, dict]:
    options = BrowserOptions(
        executable=executable,
        ignore_https_errors=ignore_https_errors,
        extra_args=tuple(browser_args),
        timeout_s=timeout_s,
    )
    out: dict[str, dict] = {}
    with tempfile.TemporaryDirectory(prefix="scanner-email-") as tmp:
        async with open_context(options) as session:
            for n, msg in enumerate(messages):
                out[msg.key] = await _render_one(session.context, msg, Path(tmp), n, timeout_s)
    return out


def render_messages(messages: Sequence[Message], **options: Any) -> dict[str, dict]:
    """What each message fetched when opened in Chromium, by message key: ``{"requests": [...], "error"}``
    (see the module docstring). CannotScan (exit 3) when the browser cannot start."""
    return asyncio.run(render_messages_async(messages, **options))
