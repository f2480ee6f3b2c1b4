"""A fake internet: one local server that plays many websites, for tests and ``scanner demo``.

    with FakeInternet(demo_world()) as net:          # 127.0.0.1:<free port>, background thread
        net.port, net.hosts, net.log                 # log: (scheme, host, method, path, headers)
        net.url("www.example.com", "/about")         # "https://www.example.com/about"
        net.chromium_args()                          # ["--host-resolver-rules=MAP ... , MAP * ~NOTFOUND"]

A world maps hostnames to handlers (``RequestInfo -> Response``); ``Site`` routes by path.
An ad-hoc world::

    FakeInternet({"www.shop.test": Site({"/": Response.html("<title>Shop</title>")})})

``demo_world()``, ``hostile_world()``, ``bench_world()``, ``consent_world()``, ``behaviour_world()`` and
``login_world()`` are documented, with a table of every host, cookie, storage key and beacon of the demo
and the consent and behaviour worlds' ground truth, in ``scanner/fakenet/README.md``.
"""

from scanner.fakenet.behaviour import BEHAVIOUR_TRUTH, BehaviourInbox, behaviour_world
from scanner.fakenet.bench import bench_world
from scanner.fakenet.consent import consent_world
from scanner.fakenet.demo import demo_world
from scanner.fakenet.hostile import hostile_world
from scanner.fakenet.login import LoginInbox, login_world
from scanner.fakenet.server import FakeInternet, LoggedRequest, RequestLog
from scanner.fakenet.site import PIXEL_GIF, RequestInfo, Response, Site, set_cookie

__all__ = [
    "BEHAVIOUR_TRUTH",
    "PIXEL_GIF",
    "BehaviourInbox",
    "FakeInternet",
    "LoggedRequest",
    "LoginInbox",
    "RequestInfo",
    "RequestLog",
    "Response",
    "Site",
    "behaviour_world",
    "bench_world",
    "consent_world",
    "demo_world",
    "hostile_world",
    "login_world",
    "set_cookie",
]
