"""Browser API calls counted by the behaviour hooks (``api_hooks.js``): raw ``api_calls`` rows.

The hooks count in the page, per document and (calling script, API); nothing crosses to this side per
call. At the end of the visit ``finish`` pulls every frame of the visit's pages (the visited page and its
pop-ups) through the hidden channel (``scanner.collect.hooks.pull_api_calls``); documents that went away
during the visit (a navigation, a removed iframe) sent their rows on pagehide. Rows are merged here per
(frame URL, script, API) — a frame whose document was replaced by one at the same URL adds up — and
bounded per visit; what did not fit is noted on the visit.

Row (a raw visit's ``"api_calls"``; ``scanner.assemble`` makes ``scanner.model.ApiCall`` of it):
``{page_url, api, count, script, frame_url, args, args_total, canvas}``. ``args_total`` is a lower bound
of the distinct argument values when a row merges several documents (their value sets may overlap) or
a document saw very many. Past its first 256 calls in a document, an API's calling script is read for
one call in 32 at random and the calls in between count for the script read last: exact for a hot loop
of one script, an estimate of the split when several scripts call the same API thousands of times.

Still lost, and said in the README: calls in workers (no hooks there), in frames the hooks do not reach
(about:blank or srcdoc frames whose scripts ran before the hooks, documents written with
``document.write`` into them), calls after the pull, calls made in pagehide listeners added after the
hooks', and rows of a document that was torn down without pagehide (a crashed renderer).
"""

from __future__ import annotations

import secrets
from typing import Any

from scanner.collect.base import Collector, Visit
from scanner.collect.hooks import channels, pull_api_calls

MAX_ROWS = 5000  # rows per visit
MAX_ARGS = 20
MAX_ARG = 200
MAX_READS = 10
MAX_URL = 2000
MAX_API = 120
CANVAS_FIELDS = ("width", "height", "read_width", "read_height", "text_chars", "colors")
CANVAS_FLAGS = ("save_restore", "listeners")


def _text(value: Any, limit: int) -> str | None:
    return value[:limit] if isinstance(value, str) else None


def _count(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) and value >= 0 else 0


def _canvas_read(value: Any) -> dict | None:
    """One canvas read as the hooks reported it, with only the known fields, each of its type."""
    if not isinstance(value, dict):
        return None
    read: dict[str, Any] = {}
    for key in CANVAS_FIELDS:
        number = value.get(key)
        read[key] = number if isinstance(number, int | float) and not isinstance(number, bool) else None
    for key in CANVAS_FLAGS:
        read[key] = value.get(key) is True
    return read


class ApiCallCollector(Collector):
    """Pulls and merges the behaviour hooks' counts into ``api_calls`` rows (see the module docstring)."""

    name = "api_calls"

    def __init__(self, max_rows: int = MAX_ROWS) -> None:
        self.max_rows = max_rows
        self.world = "_" + secrets.token_hex(12)  # the isolated worlds that ask the frames

    def _state(self, visit: Visit) -> dict:
        return visit.state.setdefault(self.name, {"rows": {}, "dropped": 0, "lost_in_page": 0})

    def on_report(self, visit: Visit, kind: str, data: dict) -> None:
        if kind != "api":
            return
        state = self._state(visit)
        lost = data.get("lost")
        state["lost_in_page"] += _count(lost)
        frame = _text(data.get("frame"), MAX_URL)
        rows = data.get("rows")
        if not isinstance(rows, list):
            return
        for raw in rows:
            if isinstance(raw, dict):
                self._merge(state, frame, raw)

    def _merge(self, state: dict, frame: str | None, raw: dict) -> None:
        api = _text(raw.get("api"), MAX_API)
        count = _count(raw.get("count"))
        if not api or not count:
            return
        script = _text(raw.get("script"), MAX_URL)
        key = (frame, script, api)
        row = state["rows"].get(key)
        if row is None:
            if len(state["rows"]) >= self.max_rows:
                state["dropped"] += 1
                return
            row = {"count": 0, "args": {}, "args_total": 0, "canvas": []}
            state["rows"][key] = row
        row["count"] += count
        args = raw.get("args") if isinstance(raw.get("args"), list) else []
        for value in args[:MAX_ARGS]:
            if isinstance(value, str) and len(row["args"]) < MAX_ARGS:
                row["args"].setdefault(value[:MAX_ARG], None)
        row["args_total"] = max(row["args_total"], _count(raw.get("args_total")), len(row["args"]))
        reads = raw.get("canvas") if isinstance(raw.get("canvas"), list) else []
        for value in reads[:MAX_READS]:
            read = _canvas_read(value)
            if read is not None and len(row["canvas"]) < MAX_READS:
                row["canvas"].append(read)

    async def finish(self, visit: Visit) -> None:
        """Pull the rows of every frame of the visit's pages (in the second finish group: after the
        consent driver and the form probe acted, so what they made the page do is counted)."""
        for channel in channels(visit):
            if channel.api_event is None:
                continue
            try:
                await pull_api_calls(channel, self.world)
            except Exception as exc:  # noqa: BLE001 - a closed pop-up: its rows came on pagehide, if any
                visit.fail(self.name, "pull", exc)

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        state = visit.state.get(self.name)
        if state is None:
            return {}
        if state["dropped"]:
            visit.fail(
                self.name,
                "rows",
                f"{state['dropped']} API call rows dropped: over the limit of {self.max_rows} per visit",
            )
        if state["lost_in_page"]:
            visit.fail(
                self.name,
                "rows",
                f"{state['lost_in_page']} API calls not counted: a document had more (script, API) "
                "pairs than the hooks keep",
            )
        rows = [
            {
                "page_url": visit.page_url,
                "api": api,
                "count": row["count"],
                "script": script,
                "frame_url": frame,
                "args": list(row["args"]),
                "args_total": row["args_total"],
                "canvas": row["canvas"],
            }
            for (frame, script, api), row in state["rows"].items()
        ]
        return {"api_calls": rows}
