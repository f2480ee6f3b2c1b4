"""What a fake website is: a router of paths to handlers that return a ``Response``."""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

# The classic 43-byte transparent 1x1 GIF that tracking pixels answer with.
PIXEL_GIF = (
    b"GIF89a\x01\x00\x01\x00\x80\x00\x00\x00\x00\x00\xff\xff\xff!\xf9\x04\x01\x00\x00\x00\x00"
    b",\x00\x00\x00\x00\x01\x00\x01\x00\x00\x02\x02D\x01\x00;"
)
assert len(PIXEL_GIF) == 43


@dataclass(frozen=True)
class Response:
    """One HTTP answer. ``headers`` is a list so ``Set-Cookie`` may repeat."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    delay_s: float = 0.0  # wait this long before answering (slow pages)
    drip_s: float = 0.0  # send the whole answer one byte at a time, this long apart (a stalling server)
    # A WebSocket endpoint: called with the open connection after the handshake (``Response.websocket``).
    upgrade: Callable[..., None] | None = None

    @classmethod
    def websocket(cls, handler: Callable[..., None]) -> Response:
        """A WebSocket endpoint: ``handler(ws)`` runs with a ``scanner.fakenet.websocket.WebSocket``
        once the handshake is done; a request without ``Upgrade: websocket`` gets 426."""
        return cls(
            426, [("Content-Type", "text/plain"), ("Upgrade", "websocket")], b"upgrade", upgrade=handler
        )

    @classmethod
    def html(cls, text: str, status: int = 200, cookies: tuple[str, ...] = ()) -> Response:
        return cls(
            status, [("Content-Type", "text/html; charset=utf-8"), *_cookie_headers(cookies)], text.encode()
        )

    @classmethod
    def text(cls, text: str, content_type: str = "text/plain; charset=utf-8", status: int = 200) -> Response:
        return cls(status, [("Content-Type", content_type)], text.encode())

    @classmethod
    def script(cls, js: str) -> Response:
        return cls(200, [("Content-Type", "application/javascript; charset=utf-8")], js.encode())

    @classmethod
    def pixel(cls, cookies: tuple[str, ...] = ()) -> Response:
        headers = [("Content-Type", "image/gif"), ("Cache-Control", "no-store"), *_cookie_headers(cookies)]
        return cls(200, headers, PIXEL_GIF)

    @classmethod
    def no_content(cls, cookies: tuple[str, ...] = ()) -> Response:
        return cls(204, [("Cache-Control", "no-store"), *_cookie_headers(cookies)])

    @classmethod
    def redirect(cls, location: str, status: int = 302, cookies: tuple[str, ...] = ()) -> Response:
        return cls(status, [("Location", location), *_cookie_headers(cookies)])

    @classmethod
    def not_found(cls) -> Response:
        return cls.html("<!doctype html><title>Not found</title><h1>404 Not found</h1>", status=404)

    def set_cookies(self) -> list[str]:
        return [value for name, value in self.headers if name.lower() == "set-cookie"]


def _cookie_headers(cookies: tuple[str, ...]) -> list[tuple[str, str]]:
    return [("Set-Cookie", c) for c in cookies]


def set_cookie(
    name: str,
    value: str,
    *,
    domain: str | None = None,
    path: str = "/",
    max_age: int | None = None,
    secure: bool = False,
    http_only: bool = False,
    same_site: str | None = None,
) -> str:
    """A ``Set-Cookie`` header value. ``max_age=None`` makes a session cookie (no Max-Age/Expires)."""
    parts = [f"{name}={value}"]
    if domain:
        parts.append(f"Domain={domain}")
    parts.append(f"Path={path}")
    if max_age is not None:
        parts.append(f"Max-Age={max_age}")
        parts.append("Expires=" + email.utils.formatdate(time.time() + max_age, usegmt=True))
    if secure:
        parts.append("Secure")
    if http_only:
        parts.append("HttpOnly")
    if same_site:
        parts.append(f"SameSite={same_site}")
    return "; ".join(parts)


@dataclass(frozen=True)
class RequestInfo:
    """What a handler gets: the parsed request."""

    scheme: str
    host: str
    method: str
    target: str  # path with query, as sent
    headers: Mapping[str, str]  # lower-case names
    body: bytes = b""

    @property
    def path(self) -> str:
        return urlsplit(self.target).path or "/"

    @property
    def query(self) -> dict[str, list[str]]:
        return parse_qs(urlsplit(self.target).query, keep_blank_values=True)

    def arg(self, name: str, default: str = "") -> str:
        values = self.query.get(name)
        return values[0] if values else default

    def url(self) -> str:
        return f"{self.scheme}://{self.host}{self.target}"


Handler = Callable[[RequestInfo], Response]


class Site:
    """Routes by path. A key ending in ``*`` matches any path with that prefix (longest wins).

    A route value is a ``Response`` (served as is) or a callable ``RequestInfo -> Response``.
    ``fallback`` answers what no route matches (default: 404).
    """

    def __init__(
        self,
        routes: Mapping[str, Response | Handler] | None = None,
        fallback: Handler | None = None,
    ) -> None:
        self.exact: dict[str, Response | Handler] = {}
        self.prefixes: list[tuple[str, Response | Handler]] = []
        self.fallback = fallback
        for pattern, handler in (routes or {}).items():
            self.add(pattern, handler)

    def add(self, pattern: str, handler: Response | Handler) -> None:
        if pattern.endswith("*"):
            self.prefixes.append((pattern[:-1], handler))
            self.prefixes.sort(key=lambda item: len(item[0]), reverse=True)
        else:
            self.exact[pattern] = handler

    def route_for(self, path: str) -> Response | Handler | None:
        if path in self.exact:
            return self.exact[path]
        for prefix, handler in self.prefixes:
            if path.startswith(prefix):
                return handler
        return self.fallback

    def __call__(self, request: RequestInfo) -> Response:
        handler = self.route_for(request.path)
        if handler is None:
            return Response.not_found()
        if isinstance(handler, Response):
            return handler
        return handler(request)
