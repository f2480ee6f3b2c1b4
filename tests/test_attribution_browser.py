"""Issue 10 in a real browser on the fake internet: what Chromium refuses or loads is attributed honestly.

One shop, www.shop-demo.co.uk, carries: a RUM script that probes the top-level domain
(``document.cookie = "...; domain=.co.uk"``, then ``.de``: Chromium refuses both) before it writes
its cookie on the shop's own domain; a self-hosted Dynatrace agent (``/ruxitagentjs_*.js``) and a
self-hosted Matomo (``/stats/matomo.js`` + ``matomo.php``) on the shop's host; a 16x16 PNG icon of
fewer than 100 bytes from an icon host; and one real 1x1 tracking pixel for contrast.
"""

from __future__ import annotations

import struct
import zlib

import pytest
from conftest import scan

from scanner.collect.beacons import TINY_IMAGE_BYTES, image_size
from scanner.fakenet import FakeInternet, Response, Site
from scanner.pipeline import analyse

SHOP = "www.shop-demo.co.uk"
AGENT = "/ruxitagentjs_ICA27NVfqrux_10263230921131557.js"


def png_16x16() -> bytes:
    """A valid 16x16 one-bit grey PNG: 16 rows of (filter byte + 2 bytes), deflated."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 16, 16, 1, 0, 0, 0, 0)
    rows = b"".join(b"\x00\x3c\x3c" for _ in range(16))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


ICON = png_16x16()

RUM_JS = """
(function () {
  // find the widest domain that takes a cookie, as RUM and analytics scripts do
  document.cookie = "_rp_tld=1; path=/; domain=.co.uk";
  document.cookie = "_rp_tld=1; path=/; domain=.de";
  document.cookie = "_rp_s=" + Date.now() + "; path=/; domain=.shop-demo.co.uk";
})();
"""

DYNATRACE_JS = """
(function () {
  var d = "; path=/; domain=.shop-demo.co.uk; SameSite=Lax; Secure";
  document.cookie = "dtCookie=v_4_srv_1_sn_0A1B2C3D4E5F" + d;
  document.cookie = "rxVisitor=1700000000000ABCDEF0123456789" + d + "; max-age=63072000";
  document.cookie = "rxvt=" + (Date.now() + 1800000) + "|" + Date.now() + d;
})();
"""

MATOMO_JS = """
(function () {
  var d = "; path=/; domain=.shop-demo.co.uk; SameSite=Lax; Secure";
  document.cookie = "_pk_id.1.a1b2=9f86d081884c7d65.1700000000." + d + "; max-age=34128000";
  document.cookie = "_pk_ses.1.a1b2=1" + d + "; max-age=1800";
  navigator.sendBeacon("/stats/matomo.php?idsite=1&rec=1&_id=9f86d081884c7d65&url=" +
                       encodeURIComponent(location.href));
})();
"""

HOME = f"""<!doctype html><title>Shop</title>
<h1>Shop</h1>
<script src="https://cdn.rum-probe.io/rum.js"></script>
<script src="{AGENT}"></script>
<script src="/stats/matomo.js"></script>
<p><img src="https://icons.iconhost-demo.net/cart-16.png" width="16" height="16" alt="cart"> Cart</p>
<img src="https://t.pixel-probe.io/p.gif?e=view" width="1" height="1" alt="">
"""


def world() -> dict:
    return {
        SHOP: Site(
            {
                "/": Response.html(HOME),
                AGENT: Response.script(DYNATRACE_JS),
                "/stats/matomo.js": Response.script(MATOMO_JS),
                "/stats/matomo.php": Response.no_content(),
            }
        ),
        "cdn.rum-probe.io": Site({"/rum.js": Response.script(RUM_JS)}),
        "icons.iconhost-demo.net": Site(
            {
                "/cart-16.png": Response(
                    200, [("Content-Type", "image/png"), ("Cache-Control", "max-age=86400")], ICON
                )
            }
        ),
        "t.pixel-probe.io": Site({"/p.gif": Response.pixel()}),
    }


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    with FakeInternet(world()) as net:
        raw, _ = scan(net, [net.url(SHOP, "/")], tmp_path_factory.mktemp("attr-browser"), max_pages=1)
    return analyse(raw, declared=None)


def test_the_icon_is_what_the_test_says():
    assert image_size(ICON) == (16, 16) and len(ICON) < TINY_IMAGE_BYTES


def test_the_refused_public_suffix_writes_invent_no_vendor(result):
    refused = {(c.name, c.domain): c for c in result.cookies if not c.in_jar}
    assert {("_rp_tld", ".co.uk"), ("_rp_tld", ".de")} <= set(refused)
    assert all(c.vendor is None for c in refused.values())
    names = {v["name"] for v in result.vendors}
    assert not names & {"co.uk", "de", "uk"}
    kept = next(c for c in result.cookies if c.name == "_rp_s")
    assert kept.in_jar and kept.first_party and kept.vendor is None


def test_a_16x16_icon_is_a_picture_and_its_host_harmless(result):
    icon = next(r for r in result.requests if r.host == "icons.iconhost-demo.net")
    assert icon.resource_type == "image" and not icon.is_beacon and icon.vendor is None
    row = next(v for v in result.vendors if v["name"] == "iconhost-demo.net")
    assert row["tracker"] is False
    pixel = next(r for r in result.requests if r.host == "t.pixel-probe.io")
    assert pixel.is_beacon and pixel.beacon_reason == "pixel_1x1"  # a real pixel still is one


def test_self_hosted_products_are_named_once(result):
    by_status = {(f.vendor, f.status, f.unknown) for f in result.findings}
    assert by_status == {
        ("Dynatrace", "undeclared", False),
        ("Matomo", "undeclared", False),
        ("pixel-probe.io", "undeclared", True),
    }
    cookies = {c.name: c.vendor for c in result.cookies}
    assert cookies["dtCookie"] == cookies["rxVisitor"] == cookies["rxvt"] == "Dynatrace"
    assert cookies["_pk_id.1.a1b2"] == cookies["_pk_ses.1.a1b2"] == "Matomo"
    matomo = next(f for f in result.findings if f.vendor == "Matomo")
    assert matomo.evidence.total("cookies") == 2
    hits = [r for r in result.requests if r.vendor == "Matomo"]
    assert {r.url.split("?")[0].rsplit("/", 1)[1] for r in hits} == {"matomo.js", "matomo.php"}
    assert all(not r.third_party for r in hits)
