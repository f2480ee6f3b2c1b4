"""A fake internet for tests and the demo (placeholder docstring; see README.md)."""

from scanner.fakenet.demo import demo_world
from scanner.fakenet.server import FakeInternet, LoggedRequest, RequestLog
from scanner.fakenet.site import PIXEL_GIF, RequestInfo, Response, Site, set_cookie

__all__ = [
    "PIXEL_GIF",
    "FakeInternet",
    "LoggedRequest",
    "RequestInfo",
    "RequestLog",
    "Response",
    "Site",
    "demo_world",
    "set_cookie",
]
