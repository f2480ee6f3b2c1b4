"""Identifier sharing (issue 12, point 5): a first-party cookie or storage value that a page sends to
another site, plain, encoded or hashed, in a URL, a POST body, a beacon or a WebSocket message, or a
third party's uid passed on through a redirect chain, is a ``value_leaks`` row; values themselves are
never saved. One real-browser scan of an ad-hoc world; the pure parts get property tests."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from leak_worlds import (
    leak_rows,
    outside_sent_urls,
    saved_visits,
    scan_one_page,
    sent_urls,
    with_leak_collectors,
)

from scanner.collect.payloads import base64_views, body_param, url_param
from scanner.fakenet import FakeInternet, Response, Site, set_cookie
from scanner.fakenet.websocket import echo

SITE = "www.leaky-shop.test"
PIXEL = "px.adnet-a.test"  # gets the uid in a query parameter
COLLECT = "api.adnet-b.test"  # gets it in a JSON POST body
BEACON = "b.adnet-c.test"  # gets it base64-encoded in a sendBeacon body, and a storage id in a Blob
REPLAY = "rec.replay-vendor.test"  # gets a storage id in a WebSocket message
SYNC = "sync.adnet-a.test"  # redirects its own uid (a third-party cookie) on to PARTNER
PARTNER = "match.partner-d.test"
ANALYTICS = "an.othertrack.test"  # gets the GA-style client id and harmless values

UID = "fp" + secrets.token_hex(10)  # first-party cookie set by the site's server
VISITOR = "v-" + secrets.token_urlsafe(12)  # first-party localStorage id
SESSION_ID = "S" + secrets.token_hex(9)  # first-party sessionStorage id, sent in a Blob beacon
AD_UID = "ad" + secrets.token_hex(8)  # the ad network's own cookie, passed on by its sync redirect
GA_CID = f"{1_000_000_000 + secrets.randbelow(999_999_999)}.1700000000"
DECOY = "decoy" + secrets.token_hex(6)  # what the page's patched storage API pretends is stored

PAGE = f"""<title>leaky shop</title><p>shop</p>
<script>
  localStorage.setItem("visitor_id", {json.dumps(VISITOR)});
  sessionStorage.setItem("sess", {json.dumps(SESSION_ID)});
  document.cookie = "_ga=GA1.1.{GA_CID}; path=/";
  document.cookie = "theme=dark; path=/";
  document.cookie = "seen_at=1700000123; path=/";
  // A page that lies about its storage in its own JavaScript world: the scan reads it from the browser.
  Storage.prototype.getItem = function () {{ return {json.dumps(DECOY)}; }};
  Object.defineProperty(window, "localStorage",
    {{ get() {{ return {{ getItem() {{ return {json.dumps(DECOY)}; }}, length: 0 }}; }} }});
  const uid = document.cookie.match(/(?:^|; )uid=([^;]+)/)[1];
  const cid = document.cookie.match(/_ga=GA1\\.1\\.([^;]+)/)[1];
  new Image().src = "https://{PIXEL}/p.gif?ev=view&puid=" + uid;
  fetch("https://{COLLECT}/collect", {{method: "POST", headers: {{"content-type": "application/json"}},
    body: JSON.stringify({{event: "view", user: {{id: uid, theme: "dark"}}}})}});
  navigator.sendBeacon("https://{BEACON}/b", btoa(uid));
  navigator.sendBeacon("https://{BEACON}/blob", new Blob([JSON.stringify({{sid: {json.dumps(SESSION_ID)}}})],
    {{type: "application/json"}}));
  new Image().src = "https://{ANALYTICS}/g?cid=" + cid + "&theme=dark&ts=1700000123&d=" + {json.dumps(DECOY)};
  fetch("/api/track?u=" + uid);  // first party: not identifier sharing
  const ws = new WebSocket("wss://{REPLAY}/ws");
  ws.onopen = () => ws.send(JSON.stringify({{type: "meta", vid: {json.dumps(VISITOR)}}}));
  const px = new Image();
  px.onload = () => {{ new Image().src = "https://{SYNC}/sync"; }};
  px.src = "https://{PIXEL}/cookie.gif";
</script>"""


def sync(req) -> Response:
    cookie = req.headers.get("cookie", "")
    aid = next((c.split("=", 1)[1] for c in cookie.split("; ") if c.startswith("aid=")), "none")
    return Response.redirect(f"https://{PARTNER}/m?partner=a&partner_uid={aid}")


def world() -> dict:
    return {
        SITE: Site(
            {
                "/": Response.html(PAGE, cookies=(set_cookie("uid", UID, max_age=86400, secure=True),)),
                "/api/track": Response.no_content(),
            }
        ),
        PIXEL: Site(
            {
                "/p.gif": Response.pixel(),
                "/cookie.gif": Response.pixel(
                    cookies=(
                        set_cookie(
                            "aid", AD_UID, domain="adnet-a.test", max_age=86400, secure=True, same_site="None"
                        ),
                    )
                ),
            }
        ),
        COLLECT: Site({"/collect": Response.no_content()}),
        BEACON: Site({"/b": Response.no_content(), "/blob": Response.no_content()}),
        REPLAY: Site({"/ws": Response.websocket(echo)}),
        SYNC: Site({"/sync": sync}),
        PARTNER: Site({"/m": Response.pixel()}),
        ANALYTICS: Site({"/g": Response.pixel()}),
    }


@pytest.fixture(scope="module")
def leak_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("leaks")
    mp = pytest.MonkeyPatch()
    with_leak_collectors(mp, None, probe=False)
    try:
        with FakeInternet(world()) as net:
            scan_one_page(net, net.url(SITE, "/"), out, timeout_s=8)
            partner_hits = net.log.find(host=PARTNER)
    finally:
        mp.undo()
    return out, partner_hits


def rows_to(rows: list[dict], host: str) -> list[dict]:
    return [r for r in rows if r["url"].split("/")[2] == host]


@pytest.mark.browser
def test_identifier_leaks_are_rows_with_where_and_how(leak_scan):
    out, partner_hits = leak_scan
    rows = leak_rows(out)
    assert all(r["kind"] == "identifier" for r in rows)
    page = saved_visits(out)[0]["page"]
    assert not [e for e in page.get("collector_errors", []) if e["collector"] == "payloads"]

    (pixel,) = [r for r in rows_to(rows, PIXEL) if r["name"] == "uid"]
    assert (pixel["source"], pixel["location"], pixel["param"], pixel["encoding"]) == (
        "cookie",
        "url",
        "puid",
        "plain",
    )
    assert pixel["source_domain"] == SITE and pixel["source_first_party"] is True
    assert pixel["method"] == "GET" and pixel["resource_type"] == "image"
    assert pixel["url"] == f"https://{PIXEL}/p.gif?ev=view&puid=[value]"  # the value itself is not kept

    (body,) = rows_to(rows, COLLECT)
    assert (body["name"], body["location"], body["param"], body["encoding"]) == (
        "uid",
        "body",
        "user.id",
        "plain",
    )
    assert body["method"] == "POST" and body["resource_type"] == "fetch"

    beacons = {(r["name"], r["url"].split("/", 3)[3]): r for r in rows_to(rows, BEACON)}
    assert beacons[("uid", "b")]["location"] == "beacon" and beacons[("uid", "b")]["encoding"] == "base64"
    assert beacons[("uid", "b")]["resource_type"] == "ping"
    blob = beacons[("sess", "blob")]  # a Blob body: not in the request event, fetched over DevTools
    assert (blob["source"], blob["location"], blob["param"]) == ("session", "beacon", "sid")
    assert blob["source_domain"] == f"https://{SITE}"

    (ws,) = rows_to(rows, REPLAY)
    assert (ws["source"], ws["name"], ws["location"], ws["param"]) == (
        "local",
        "visitor_id",
        "websocket",
        "vid",
    )
    assert ws["resource_type"] == "websocket" and ws["url"] == f"wss://{REPLAY}/ws"

    # the ad network's own uid, carried by its redirect to a partner: a redirect hop is a request URL
    assert partner_hits and AD_UID in partner_hits[0].path
    (hop,) = rows_to(rows, PARTNER)
    assert (hop["source"], hop["name"], hop["param"], hop["location"]) == (
        "cookie",
        "aid",
        "partner_uid",
        "url",
    )
    assert hop["source_domain"] == "adnet-a.test" and hop["source_first_party"] is False

    # the GA-style client id, from the middle of the _ga cookie; not the theme, timestamp or decoy
    (ga,) = rows_to(rows, ANALYTICS)
    assert (ga["name"], ga["param"], ga["encoding"]) == ("_ga", "cid", "plain")


@pytest.mark.browser
def test_no_rows_for_first_party_own_domain_or_non_identifiers(leak_scan):
    out, _ = leak_scan
    rows = leak_rows(out)
    assert not rows_to(rows, SITE)  # /api/track?u=<uid>: the uid's own site
    assert not [r for r in rows if r["name"] in ("theme", "seen_at")]
    # the ad network's cookie sent to the ad network itself (its Cookie header, its own pixel) is no row
    assert not [r for r in rows if r["name"] == "aid" and r["url"].split("/")[2].endswith("adnet-a.test")]
    assert len(rows) == 7  # exactly the leaks above, each once


@pytest.mark.browser
def test_values_are_never_saved(leak_scan):
    out, _ = leak_scan
    values = (UID, VISITOR, SESSION_ID, AD_UID, GA_CID)
    for row in leak_rows(out):
        assert not any(v in json.dumps(row) for v in values)
    urls = sent_urls(saved_visits(out))
    for saved in ("pages.jsonl", "scan.json"):
        # Request records keep URLs as the page sent them (the request collector's record, not this
        # one's): the uid the page put in a URL is there. Nowhere else.
        text = outside_sent_urls((out / saved).read_text(), urls)
        assert not [v for v in values if v in text]
    for encoded in (base64.b64encode(UID.encode()).decode(), hashlib.sha256(UID.encode()).hexdigest()):
        assert encoded not in (out / "pages.jsonl").read_text()


# -- pure parts -------------------------------------------------------------------------------------------


def test_url_param_names_the_parameter_holding_a_position():
    url = "https://t.test/a;sid=XYZ/p?x=1&uid=ABCDEFGH&y=2#frag=QQ"
    assert url_param(url, url.index("ABCDEFGH")) == "uid"
    assert url_param(url, url.index("XYZ")) == "sid"
    assert url_param(url, url.index("QQ")) == "frag"
    assert url_param("https://t.test/ABCDEFGH/x", 15) is None


def test_body_param_json_form_multipart():
    body = json.dumps({"a": 1, "user": {"ids": ["zz", "ABCDEFGH"]}})
    i = body.index("ABCDEFGH")
    assert body_param(body, i, i + 8, {}) == "user.ids[1]"
    form = "a=1&em=ABCDEFGH&b=2"
    assert body_param(form, form.index("ABCD"), form.index("ABCD") + 8, {}) == "em"
    multi = '--x\r\nContent-Disposition: form-data; name="email"\r\n\r\nABCDEFGH\r\n--x--'
    assert body_param(multi, multi.index("ABCD"), multi.index("ABCD") + 8, {}) == "email"
    broken = '{"cid": "ABCDEFGH", '  # cut short: not JSON any more, the key before it still tells
    assert body_param(broken, broken.index("ABCD"), broken.index("ABCD") + 8, {}) == "cid"


@settings(max_examples=60, deadline=None)
@given(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=8, max_size=60)
)
def test_base64_views_decode_embedded_tokens(text):
    token = base64.b64encode(text.encode()).decode()
    views = base64_views(f"x=1&d={token}&y=2")
    assert any(decoded == text for _, _, decoded in views) or sum(c.isprintable() for c in text) < 0.9 * len(
        text
    )
