"""One local server that plays many websites: HTTP and HTTPS on one port, dispatch by ``Host``.

The first byte of each connection decides the scheme (0x16 starts a TLS handshake). TLS
certificates come from a throw-away ``trustme`` CA, minted per SNI name on first use.
"""

from __future__ import annotations

import http.server
import socket
import socketserver
import ssl
import threading
import traceback
from collections.abc import Callable, Iterator, Mapping
from typing import NamedTuple

import trustme

from scanner.fakenet.site import RequestInfo, Response
from scanner.fakenet.websocket import WebSocket, accept_key, is_upgrade

Handler = Callable[[RequestInfo], Response]

FIRST_BYTE_TIMEOUT_S = 10.0
IDLE_KEEPALIVE_S = 30.0
METHODS = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS")


class LoggedRequest(NamedTuple):
    scheme: str
    host: str
    method: str
    path: str  # path with query
    headers: dict[str, str]  # lower-case names


class RequestLog:
    """Thread-safe, append-only list of served requests (iterate, index, ``len``, ``clear``)."""

    def __init__(self) -> None:
        self._items: list[LoggedRequest] = []
        self._lock = threading.Lock()

    def append(self, item: LoggedRequest) -> None:
        with self._lock:
            self._items.append(item)

    def snapshot(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._items)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()

    def find(
        self, host: str | None = None, method: str | None = None, path_prefix: str = ""
    ) -> list[LoggedRequest]:
        return [
            r
            for r in self.snapshot()
            if (host is None or r.host == host)
            and (method is None or r.method == method)
            and r.path.startswith(path_prefix)
        ]

    def hosts(self) -> set[str]:
        return {r.host for r in self.snapshot()}

    def __iter__(self) -> Iterator[LoggedRequest]:
        return iter(self.snapshot())

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)

    def __getitem__(self, index: int) -> LoggedRequest:
        with self._lock:
            return self._items[index]


class CertificateMint:
    """A throw-away CA and one server SSLContext per SNI name, minted lazily."""

    def __init__(self, default_names: tuple[str, ...] = ("localhost", "127.0.0.1")) -> None:
        self.ca = trustme.CA()
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()
        self._client_context: ssl.SSLContext | None = None
        self.server_context = self._new_context(default_names)
        self.server_context.sni_callback = self._on_sni

    def _new_context(self, names: tuple[str, ...]) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.set_alpn_protocols(["http/1.1"])
        self.ca.issue_cert(*names).configure_cert(context)
        return context

    def context_for(self, name: str) -> ssl.SSLContext:
        name = name.lower().rstrip(".")
        with self._lock:
            context = self._contexts.get(name)
            if context is None:
                context = self._contexts[name] = self._new_context((name,))
            return context

    def _on_sni(self, ssl_socket: ssl.SSLObject, server_name: str | None, _ctx: ssl.SSLContext) -> None:
        if server_name:
            ssl_socket.context = self.context_for(server_name)

    def client_context(self) -> ssl.SSLContext:
        """An SSLContext that trusts only this CA (for Python clients in tests); made once."""
        with self._lock:
            if self._client_context is None:
                context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
                self.ca.configure_trust(context)
                self._client_context = context
            return self._client_context


class _Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    timeout = IDLE_KEEPALIVE_S
    server: _Server

    def log_message(self, format: str, *args: object) -> None:  # stdlib's signature; silence
        pass

    def handle(self) -> None:
        try:
            super().handle()
        except (OSError, ssl.SSLError):
            pass  # client went away mid-request or mid-response

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            chunks = []
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return b"".join(chunks)
                chunks.append(self.rfile.read(size))
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""

    def _dispatch(self) -> None:
        net = self.server.net
        scheme = "https" if isinstance(self.connection, ssl.SSLSocket) else "http"
        host = (self.headers.get("Host") or "").split(":")[0].lower().rstrip(".")
        headers = {name.lower(): value for name, value in self.headers.items()}
        body = self._read_body()
        net.log.append(LoggedRequest(scheme, host, self.command, self.path, headers))
        request = RequestInfo(scheme, host, self.command, self.path, headers, body)
        response = net.respond(request)
        if response.delay_s and net.stopping.wait(response.delay_s):
            self.close_connection = True
            return
        self._send(request, response)

    def _send(self, request: RequestInfo, response: Response) -> None:
        if response.upgrade is not None and is_upgrade(request.headers):
            self._websocket(request, response)
            return
        self.send_response(response.status)
        names = {name.lower() for name, _ in response.headers}
        for name, value in response.headers:
            self.send_header(name, value)
        origin = request.headers.get("origin")
        if origin and "access-control-allow-origin" not in names:
            self.send_header("Access-Control-Allow-Origin", origin)
            self.send_header("Access-Control-Allow-Credentials", "true")
        has_body = response.status not in (204, 304) and not 100 <= response.status < 200
        if has_body:
            self.send_header("Content-Length", str(len(response.body)))
        # Head and body leave in one write: two small writes meet Nagle + delayed ACK (~40 ms).
        self._headers_buffer.append(b"\r\n")
        if has_body and request.method != "HEAD":
            self._headers_buffer.append(response.body)
        if response.drip_s:
            self._drip(b"".join(self._headers_buffer), response.drip_s)
            self._headers_buffer = []
            return
        self.flush_headers()

    def _websocket(self, request: RequestInfo, response: Response) -> None:
        """Complete the RFC 6455 handshake and give the connection to the route's handler."""
        self.close_connection = True
        key = request.headers.get("sec-websocket-key")
        if not key:
            self.send_error(400, "no Sec-WebSocket-Key")
            return
        self.send_response(101, "Switching Protocols")
        self.send_header("Upgrade", "websocket")
        self.send_header("Connection", "Upgrade")
        self.send_header("Sec-WebSocket-Accept", accept_key(key))
        for name, value in response.headers:
            if name.lower() == "set-cookie":
                self.send_header(name, value)
        self.end_headers()
        ws = WebSocket(self.rfile, self.wfile, request.target)
        try:
            response.upgrade(ws)
        finally:
            ws.close()

    def _drip(self, data: bytes, interval: float) -> None:
        """A byte at a time until the client gives up or the fake internet stops."""
        self.close_connection = True
        for i in range(len(data)):
            if self.server.net.stopping.wait(interval):
                return
            try:
                self.wfile.write(data[i : i + 1])
                self.wfile.flush()
            except OSError:  # the client hung up
                return


for _method in METHODS:
    setattr(_Handler, f"do_{_method}", _Handler._dispatch)


class _Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    block_on_close = False
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, net: FakeInternet, port: int) -> None:
        self.net = net
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(("127.0.0.1", port), _Handler)

    def finish_request(self, request: socket.socket, client_address: tuple[str, int]) -> None:
        connection: socket.socket = request
        self._track(connection, add=True)
        try:
            request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            request.settimeout(FIRST_BYTE_TIMEOUT_S)
            first = request.recv(1, socket.MSG_PEEK)
            if not first:
                return
            if first[0] == 0x16:  # a stalled handshake times out (FIRST_BYTE_TIMEOUT_S); threads are daemons
                connection = self.net.certs.server_context.wrap_socket(request, server_side=True)
                self._track(connection, add=True)
            connection.settimeout(IDLE_KEEPALIVE_S)
            self.RequestHandlerClass(connection, client_address, self)
        except (OSError, ssl.SSLError, ValueError) as error:
            self.net.note_error(f"connection from {client_address}: {error!r}")
        finally:
            self._track(request, add=False)
            self._track(connection, add=False)
            if connection is not request:
                _quiet_close(connection)

    def handle_error(self, request: object, client_address: tuple[str, int]) -> None:
        self.net.note_error(f"unhandled error for {client_address}:\n{traceback.format_exc()}")

    def _track(self, connection: socket.socket, add: bool) -> None:
        with self._connections_lock:
            if add:
                self._connections.add(connection)
            else:
                self._connections.discard(connection)

    def drop_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _quiet_close(connection: socket.socket) -> None:
    try:
        connection.close()
    except OSError:
        pass


class FakeInternet:
    """Serves a *world* (``{hostname: handler}``) on 127.0.0.1:<free port> in a background thread.

    Use as a context manager, or call ``start()``/``close()``. ``port=0`` picks a free port.
    """

    def __init__(self, world: Mapping[str, Handler], port: int = 0) -> None:
        self._wanted_port = port
        self.world: dict[str, Handler] = {host.lower(): handler for host, handler in world.items()}
        self.log = RequestLog()
        self.errors: list[str] = []  # server-side problems (handler exceptions, TLS failures)
        self.stopping = threading.Event()
        self.certs = CertificateMint()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # -- life cycle -------------------------------------------------------------------------
    def start(self) -> FakeInternet:
        if self._server is None:
            self.stopping.clear()
            self._server = _Server(self, self._wanted_port)
            self._thread = threading.Thread(
                target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name="fakenet", daemon=True
            )
            self._thread.start()
        return self

    def close(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        self.stopping.set()
        server.shutdown()
        server.server_close()
        server.drop_connections()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> FakeInternet:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # -- addressing -------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("FakeInternet is not running; use it as a context manager or call start()")
        return self._server.server_address[1]

    @property
    def hosts(self) -> list[str]:
        return sorted(self.world)

    def url(self, host: str, path: str = "/", scheme: str = "https") -> str:
        if not path.startswith("/"):
            path = "/" + path
        return f"{scheme}://{host}{path}"

    def chromium_args(self) -> list[str]:
        """``--host-resolver-rules`` sending every world host here and failing all other names."""
        rules = [f"MAP {host} 127.0.0.1:{self.port}" for host in self.hosts]
        rules.append("MAP * ~NOTFOUND")
        return ["--host-resolver-rules=" + ", ".join(rules)]

    @property
    def ca_pem(self) -> bytes:
        """PEM of the throw-away CA (to trust it instead of ignoring certificate errors)."""
        return self.certs.ca.cert_pem.bytes()

    # -- serving ----------------------------------------------------------------------------
    def note_error(self, message: str) -> None:
        self.errors.append(message)

    def respond(self, request: RequestInfo) -> Response:
        handler = self.world.get(request.host)
        if handler is None:
            return Response.text(f"no site called {request.host!r} in this fake internet\n", status=421)
        if request.method == "OPTIONS" and "access-control-request-method" in request.headers:
            return _preflight(request)
        try:
            return handler(request)
        except Exception:  # a broken handler answers 500 instead of killing the connection
            self.note_error(f"handler for {request.url()} failed:\n{traceback.format_exc()}")
            return Response.text("internal error in fake site\n", status=500)


def _preflight(request: RequestInfo) -> Response:
    headers = [
        ("Access-Control-Allow-Origin", request.headers.get("origin", "*")),
        ("Access-Control-Allow-Credentials", "true"),
        ("Access-Control-Allow-Methods", request.headers.get("access-control-request-method", "GET")),
        ("Access-Control-Max-Age", "600"),
    ]
    wanted = request.headers.get("access-control-request-headers")
    if wanted:
        headers.append(("Access-Control-Allow-Headers", wanted))
    return Response(204, headers)
