"""WebSocket connections are requests (resource_type "websocket") with frame counts and sizes each way,
when they opened and closed, and the script that opened them; attribution names their vendor
(issue 10, point 7 of the evidence list: session-replay and chat vendors stream over WebSockets)."""

from __future__ import annotations

import base64
import json
import socket

import pytest
from conftest import scan  # noqa: I001

from scanner.collect.websockets import payload_size
from scanner.fakenet import FakeInternet, Response, Site
from scanner.fakenet.websocket import WebSocket, accept_key, echo, encode_frame
from scanner.model import ScanResult
from scanner.pipeline import analyse
from scanner.schema import validation_errors

SITE = "www.ws-shop.test"
REPLAY = "ws.hotjar.com"  # a session-replay vendor's socket host (the catalog knows hotjar.com)
CHAT = "chat.widget-ws.test"  # unknown to the catalog

REPLAY_JS = f"""
const ws = new WebSocket("wss://{REPLAY}/api/v2/client/ws?site=42");
let acks = 0;
ws.onopen = () => {{
  ws.send("hello");                       // 5 bytes
  ws.send("événement");                   // 11 bytes in UTF-8
  ws.send(new Uint8Array([1, 2, 3, 4, 5, 6, 7]));  // 7 bytes, binary
}};
ws.onmessage = () => {{ acks += 1; if (acks === 3) ws.close(); }};
"""

CHAT_PAGE = f"""<title>chat</title><p>chat</p>
<script src="https://{REPLAY}/c/replay.js"></script>
<script>
  const chat = new WebSocket("wss://{CHAT}/socket");
  chat.onopen = () => chat.send("ping");
</script>"""


def chat(ws: WebSocket) -> None:
    ws.send("welcome")  # server speaks first
    while (message := ws.receive()) is not None:
        ws.send("pong:" + str(message))


def world() -> dict:
    return {
        SITE: Site({"/": Response.html(CHAT_PAGE)}),
        REPLAY: Site(
            {
                "/c/replay.js": Response.script(REPLAY_JS),
                "/api/v2/client/ws": Response.websocket(echo),
            }
        ),
        CHAT: Site({"/socket": Response.websocket(chat)}),
    }


def test_fake_server_speaks_rfc6455():
    with FakeInternet(world()) as net:
        sock = socket.create_connection(("127.0.0.1", net.port), timeout=5)
        key = "dGhlIHNhbXBsZSBub25jZQ=="  # the example of RFC 6455 section 1.3
        sock.sendall(
            (
                f"GET /socket HTTP/1.1\r\nHost: {CHAT}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
            ).encode()
        )
        reader = sock.makefile("rb")
        assert reader.readline().startswith(b"HTTP/1.1 101")
        headers = {}
        while (line := reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode().partition(":")
            headers[name.lower()] = value.strip()
        assert headers["sec-websocket-accept"] == accept_key(key) == "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="
        client = WebSocket(reader, sock.makefile("wb"))
        assert client.receive() == "welcome"
        sock.sendall(encode_frame(0x1, b"hi", mask=b"\x01\x02\x03\x04"))
        assert client.receive() == "pong:hi"
        sock.sendall(encode_frame(0x8, b"\x03\xe8", mask=b"\x01\x02\x03\x04"))  # close
        assert client.receive() is None  # the server answered the close
        sock.close()
        # a plain GET of the endpoint is refused with 426
        plain = socket.create_connection(("127.0.0.1", net.port), timeout=5)
        plain.sendall(f"GET /socket HTTP/1.1\r\nHost: {CHAT}\r\nConnection: close\r\n\r\n".encode())
        assert plain.makefile("rb").readline().startswith(b"HTTP/1.1 426")
        plain.close()


def test_payload_size_of_text_and_binary_frames():
    assert payload_size({"opcode": 1, "payloadData": "événement"}) == 11
    assert payload_size({"opcode": 2, "payloadData": base64.b64encode(bytes(7)).decode()}) == 7
    assert payload_size({"opcode": 2, "payloadData": base64.b64encode(bytes(9)).decode()}) == 9
    assert payload_size({"opcode": 1}) == 0


@pytest.mark.browser
def test_websockets_are_requests_with_frames_and_vendor(tmp_path):
    with FakeInternet(world()) as net:
        result, _ = scan(net, [net.url(SITE, "/")], tmp_path, max_pages=1)
    sockets = {r.host: r for r in result.requests if r.resource_type == "websocket"}
    assert set(sockets) == {REPLAY, CHAT}
    replay = sockets[REPLAY]
    assert replay.url == f"wss://{REPLAY}/api/v2/client/ws?site=42"
    assert replay.page_url == net.url(SITE, "/")
    assert replay.initiator == f"https://{REPLAY}/c/replay.js"
    assert replay.status == 101 and replay.third_party and replay.query_params == ("site",)
    assert (replay.ws_frames_sent, replay.ws_bytes_sent) == (3, 5 + 11 + 7)
    assert (replay.ws_frames_received, replay.ws_bytes_received) == (3, 9 + 15 + 7)  # "ack:" + each
    assert replay.ws_opened_at is not None and replay.ws_closed_at >= replay.ws_opened_at
    live = sockets[CHAT]
    assert live.initiator == net.url(SITE, "/")  # an inline script of the page
    assert (live.ws_frames_sent, live.ws_bytes_sent) == (1, 4)
    assert (live.ws_frames_received, live.ws_bytes_received) == (2, 7 + 9)
    assert live.ws_opened_at is not None and live.ws_closed_at is None  # still open when the tab closed
    # ordinary requests carry no WebSocket fields
    script = next(r for r in result.requests if r.url.endswith("/c/replay.js"))
    assert script.ws_frames_sent is None and script.ws_opened_at is None

    analysed = analyse(result, declared=None)
    replay = next(r for r in analysed.requests if r.url.startswith(f"wss://{REPLAY}/"))
    assert replay.vendor == "Hotjar"
    data = json.loads(json.dumps(analysed.to_dict()))
    assert validation_errors(data) == []
    assert ScanResult.from_dict(data) == analysed


def test_schema_checks_websocket_fields():
    from scanner.schema import scan_schema

    props = scan_schema()["$defs"]["request"]["properties"]
    assert {"ws_frames_sent", "ws_frames_received", "ws_bytes_sent", "ws_bytes_received"} <= set(props)
    base = {
        "schema_version": "1.0",
        "meta": {"tool_version": "x", "start_urls": [], "started_at": "2024-01-01T00:00:00Z"},
        "pages": [],
        "cookies": [],
        "storage": [],
        "findings": [],
        "summary": {"undeclared": 0, "mismatch": 0, "not_observed": 0, "declared": 0},
        "requests": [
            {
                "url": "wss://a.test/",
                "method": "GET",
                "resource_type": "websocket",
                "host": "a.test",
                "registrable_domain": "a.test",
                "third_party": True,
                "page_url": "https://b.test/",
                "is_beacon": False,
                "ws_frames_sent": 2,
                "ws_bytes_sent": 10,
                "ws_opened_at": 1.7e9,
                "ws_closed_at": None,
            }
        ],
    }
    assert validation_errors(base) == []
    base["requests"][0]["ws_frames_sent"] = -1
    assert validation_errors(base)
