"""Just enough RFC 6455 for a fake tracker's WebSocket endpoint (session replay, chat widgets).

The fake server answers ``Upgrade: websocket`` on a route whose ``Response`` has an ``upgrade``
handler: it completes the handshake (101 with ``Sec-WebSocket-Accept``) and hands the connection to
the handler as a :class:`WebSocket` (blocking ``receive`` / ``send`` / ``close``), in the connection's
own thread. Text and binary messages (fragmented ones too), ping/pong and the closing handshake; no
extensions (``permessage-deflate`` is not accepted, so frames travel as sent), no subprotocols.
"""

from __future__ import annotations

import base64
import hashlib
import struct
from collections.abc import Callable
from typing import Any

GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
MAX_MESSAGE = 1 << 20  # a client message larger than this closes the connection (1009)

CONTINUATION, TEXT, BINARY, CLOSE, PING, PONG = 0x0, 0x1, 0x2, 0x8, 0x9, 0xA


def accept_key(key: str) -> str:
    """``Sec-WebSocket-Accept`` for a client's ``Sec-WebSocket-Key``."""
    return base64.b64encode(hashlib.sha1((key.strip() + GUID).encode("ascii")).digest()).decode("ascii")


def is_upgrade(headers: Any) -> bool:
    connection = (headers.get("connection") or "").lower()
    return (headers.get("upgrade") or "").lower() == "websocket" and "upgrade" in connection


def encode_frame(opcode: int, payload: bytes, *, fin: bool = True, mask: bytes | None = None) -> bytes:
    """One frame; server frames are unmasked, a client's carry a 4-byte ``mask``."""
    head = bytes([(0x80 if fin else 0) | opcode])
    bit = 0x80 if mask else 0
    n = len(payload)
    if n < 126:
        head += bytes([bit | n])
    elif n < 1 << 16:
        head += bytes([bit | 126]) + struct.pack("!H", n)
    else:
        head += bytes([bit | 127]) + struct.pack("!Q", n)
    if mask:
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        head += mask
    return head + payload


class Closed(Exception):
    """The peer closed the connection (or broke the protocol)."""


class WebSocket:
    """A server-side WebSocket over a connected file pair (the HTTP handler's ``rfile``/``wfile``)."""

    def __init__(self, rfile: Any, wfile: Any, path: str = "/") -> None:
        self.rfile = rfile
        self.wfile = wfile
        self.path = path  # path and query the client connected to
        self.closed = False
        self.received: list[str | bytes] = []  # every message the client sent, in order

    def _read(self, n: int) -> bytes:
        data = self.rfile.read(n) if n else b""
        if len(data) < n:
            raise Closed("connection ended")
        return data

    def _frame(self) -> tuple[bool, int, bytes]:
        first, second = self._read(2)
        fin, opcode = bool(first & 0x80), first & 0x0F
        n = second & 0x7F
        if n == 126:
            (n,) = struct.unpack("!H", self._read(2))
        elif n == 127:
            (n,) = struct.unpack("!Q", self._read(8))
        if n > MAX_MESSAGE:
            self.close(1009)
            raise Closed("message too big")
        mask = self._read(4) if second & 0x80 else None
        payload = self._read(n)
        if mask:
            payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        return fin, opcode, payload

    def receive(self) -> str | bytes | None:
        """The next message (str for text, bytes for binary); None once the client closed."""
        if self.closed:
            return None
        parts: list[bytes] = []
        kind = None
        try:
            while True:
                fin, opcode, payload = self._frame()
                if opcode == PING:
                    self._write(PONG, payload)
                    continue
                if opcode == PONG:
                    continue
                if opcode == CLOSE:
                    code = payload[:2] if len(payload) >= 2 else b""
                    self._write(CLOSE, code)
                    self.closed = True
                    return None
                if opcode in (TEXT, BINARY):
                    kind, parts = opcode, [payload]
                elif opcode == CONTINUATION and kind is not None:
                    parts.append(payload)
                else:
                    self.close(1002)
                    return None
                if sum(map(len, parts)) > MAX_MESSAGE:
                    self.close(1009)
                    return None
                if fin:
                    data = b"".join(parts)
                    message: str | bytes = data.decode("utf-8", "replace") if kind == TEXT else data
                    self.received.append(message)
                    return message
        except (Closed, OSError, ValueError):
            self.closed = True
            return None

    def _write(self, opcode: int, payload: bytes) -> None:
        self.wfile.write(encode_frame(opcode, payload))
        self.wfile.flush()

    def send(self, message: str | bytes) -> None:
        if self.closed:
            raise Closed("closed")
        if isinstance(message, str):
            self._write(TEXT, message.encode("utf-8"))
        else:
            self._write(BINARY, bytes(message))

    def close(self, code: int = 1000) -> None:
        """Start the closing handshake (the client answers; ``receive`` then returns None)."""
        if not self.closed:
            try:
                self._write(CLOSE, struct.pack("!H", code))
            except OSError:
                pass
            self.closed = True


Upgrade = Callable[[WebSocket], None]


def echo(ws: WebSocket) -> None:
    """Answer every message with ``"ack:" + message`` (text) or the same bytes (binary)."""
    while (message := ws.receive()) is not None:
        ws.send("ack:" + message if isinstance(message, str) else message)
