"""Storage is recorded as it is written, not only read at the end: a short-lived cross-site iframe (a
cookie-sync or ad frame) that writes localStorage / sessionStorage, posts a message and is removed at
once still leaves its keys in the scan, under the iframe's origin (issue 10, point 3)."""

from __future__ import annotations

import json

import pytest
from conftest import scan  # noqa: I001

from scanner.collect.storage import event_origin
from scanner.fakenet import FakeInternet, Response, Site
from scanner.schema import validation_errors

SITE = "www.iframe-shop.test"
SYNC = "sync.adnet-frames.test"

TOP = f"""<title>shop</title><p>shop</p>
<script>
  window.addEventListener("message", (e) => {{
    if (e.origin === "https://{SYNC}") document.querySelectorAll("iframe").forEach((f) => f.remove());
  }});
  localStorage.setItem("shop_cart", "3");
</script>
<iframe src="https://{SYNC}/sync?partner=7" width="1" height="1"></iframe>"""

SYNC_FRAME = """<script>
  localStorage.setItem("adsync_uid", "u-" + Math.random());
  localStorage.setItem("adsync_uid", "u-final");
  sessionStorage.setItem("adsync_session", "s1");
  localStorage.setItem("adsync_tmp", "x");
  localStorage.removeItem("adsync_tmp");
  parent.postMessage("synced", "*");
</script>"""


def world() -> dict:
    return {
        SITE: Site({"/": Response.html(TOP)}),
        SYNC: Site({"/sync": Response.html(SYNC_FRAME)}),
    }


def test_event_origin():
    assert event_origin({"securityOrigin": "https://a.test", "isLocalStorage": True}) == "https://a.test"
    assert event_origin({"storageKey": "https://a.test/^0https://top.test", "isLocalStorage": True}) == (
        "https://a.test"
    )
    assert event_origin({"storageKey": "https://a.test:8443/"}) == "https://a.test:8443"
    assert event_origin({"securityOrigin": "chrome-extension://x"}) is None
    assert event_origin({}) is None


@pytest.mark.browser
def test_short_lived_cross_site_iframe_storage_is_recorded(tmp_path):
    with FakeInternet(world()) as net:
        result, _ = scan(net, [net.url(SITE, "/")], tmp_path, max_pages=1)
        assert net.log.find(host=SYNC, path_prefix="/sync")  # the iframe did load
    items = {(s.origin, s.kind, s.key): s for s in result.storage}
    origin = f"https://{SYNC}"
    assert (origin, "local", "adsync_uid") in items
    assert (origin, "session", "adsync_session") in items
    assert (origin, "local", "adsync_tmp") in items  # written, then removed: still written
    uid = items[(origin, "local", "adsync_uid")]
    assert uid.third_party
    assert uid.page_url == net.url(SITE, "/") and uid.value_length == len("u-final")
    assert (f"https://{SITE}", "local", "shop_cart") in items  # the top page's own, once
    assert len([k for k in items if k[2] == "shop_cart"]) == 1
    assert validation_errors(json.loads(json.dumps(result.to_dict()))) == []
