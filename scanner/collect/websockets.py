"""WebSocket connections of a page and the size of what went over them, from the page's DevTools
session (``Network.webSocket*`` events): session-replay and chat vendors stream through them.

Each connection is one request record (``resource_type: "websocket"``, the ``ws:``/``wss:`` URL) with
the script that opened it, the handshake status, frames and bytes sent and received, and when it
opened and closed, so attribution sees it like any request. Payloads are never kept: only counts and
sizes (a text frame's UTF-8 length, a binary frame's decoded length).
"""

from __future__ import annotations

import time

from scanner.collect.base import Collector, Visit
from scanner.collect.initiators import script_of
from scanner.collect.requests import request_row

MAX_SOCKETS = 200  # connections recorded per visit (a page opening more is noted)


def payload_size(response: dict) -> int:
    """Bytes of one frame from ``Network.WebSocketFrame``: text as UTF-8, binary given as base64."""
    data = response.get("payloadData")
    if not isinstance(data, str):
        return 0
    if response.get("opcode") == 2:  # binary: base64 in the event
        data = data.strip()
        return max(0, len(data) * 3 // 4 - data[-2:].count("="))
    return len(data.encode("utf-8", "surrogatepass"))


class WebSocketCollector(Collector):
    name = "websockets"

    async def start(self, visit: Visit) -> None:
        sockets: dict[str, dict] = {}
        visit.state[self.name] = sockets
        if visit.cdp is None:  # no DevTools session: WebSockets stay unseen
            return

        def row(event: dict) -> dict | None:
            return sockets.get(str(event.get("requestId", "")))

        def created(event: dict) -> None:
            rid = str(event.get("requestId", ""))
            url = event.get("url")
            if not isinstance(url, str) or rid in sockets:
                return
            if len(sockets) >= MAX_SOCKETS:
                visit.state["websockets_dropped"] = visit.state.get("websockets_dropped", 0) + 1
                return
            initiator = event.get("initiator") or {}
            sockets[rid] = {
                **request_row(visit, "ws-" + rid[:100], url[:8192], "GET", "websocket"),
                "initiator": script_of(initiator) if isinstance(initiator, dict) else None,
                "initiator_type": initiator.get("type") if isinstance(initiator, dict) else None,
                "ws_frames_sent": 0,
                "ws_frames_received": 0,
                "ws_bytes_sent": 0,
                "ws_bytes_received": 0,
                "ws_opened_at": None,
                "ws_closed_at": None,
            }

        def handshake(event: dict) -> None:
            if (r := row(event)) is not None:
                response = event.get("response") or {}
                status = response.get("status")
                if isinstance(status, int):
                    r["status"] = status
                if status == 101:
                    r["ws_opened_at"] = time.time()

        def frame(direction: str):
            def on_frame(event: dict) -> None:
                if (r := row(event)) is not None:
                    response = event.get("response") or {}
                    if response.get("opcode") not in (1, 2):  # control frames are not messages
                        return
                    r[f"ws_frames_{direction}"] += 1
                    r[f"ws_bytes_{direction}"] += payload_size(response)

            return on_frame

        def closed(event: dict) -> None:
            if (r := row(event)) is not None and r["ws_closed_at"] is None:
                r["ws_closed_at"] = time.time()

        def failed(event: dict) -> None:
            if (r := row(event)) is not None:
                message = event.get("errorMessage")
                r["failure"] = str(message)[:300] if message else "WebSocket error"

        cdp = visit.cdp
        cdp.on("Network.webSocketCreated", created)
        cdp.on("Network.webSocketHandshakeResponseReceived", handshake)
        cdp.on("Network.webSocketFrameSent", frame("sent"))
        cdp.on("Network.webSocketFrameReceived", frame("received"))
        cdp.on("Network.webSocketClosed", closed)
        cdp.on("Network.webSocketFrameError", failed)

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        if dropped := visit.state.get("websockets_dropped"):
            visit.fail(
                self.name, "connections", f"{dropped} more WebSocket(s) unrecorded (at most {MAX_SOCKETS})"
            )
        return {"requests": [dict(r) for r in visit.state.get(self.name, {}).values()]}
