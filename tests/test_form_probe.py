"""Form-data leaks (issue 12, point 4, ``--probe-forms``): canaries typed into visible text, e-mail and
search fields (main frame and iframes), never into password or card fields, never submitted; an
"advanced matching" pixel that hashes the typed e-mail into a third-party URL, a widget that beacons it
base64-encoded, and a site's own search-as-you-type are found. One real-browser scan of an ad-hoc
world; the field rules get unit tests."""

from __future__ import annotations

import json
import threading

import pytest
from leak_worlds import (
    leak_rows,
    outside_sent_urls,
    saved_visits,
    scan_one_page,
    sent_urls,
    with_leak_collectors,
)

from scanner.collect.encodings import forms
from scanner.collect.form_probe import Canaries, classify_field
from scanner.fakenet import FakeInternet, Response, Site

SITE = "www.form-shop.test"
PIXEL = "px.pixel-adv.test"  # hashes the e-mail typed anywhere on the page
WIDGET = "widget.news-vendor.test"  # a newsletter iframe of a third party
SPY = "keys.spy-vendor.test"  # reports the name of every field that got input

PAGE = f"""<title>checkout</title>
<script>
  // The page hides input values from other scripts in its own world (a real value stays readable
  // only through the getter it saved): a prober reading el.value there would see nothing.
  const realValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value");
  Object.defineProperty(HTMLInputElement.prototype, "value", {{
    get() {{ return ""; }}, set(v) {{ realValue.set.call(this, v); }}, configurable: true }});
  window.__read = (el) => realValue.get.call(el);
</script>
<form action="/submit" method="post" id="checkout">
  <label for="em">Your e-mail</label><input id="em" name="email" type="email">
  <input name="full_name" placeholder="Name">
  <input name="phone" type="tel">
  <input name="password" type="password">
  <input name="cardnumber" autocomplete="cc-number">
  <input name="cvv" type="text">
  <input name="card_expiry" placeholder="MM/YY">
  <input type="hidden" name="csrf" value="x">
  <input name="coupon" disabled>
  <input name="ref" readonly value="r">
  <input name="middle_name" style="display:none">
  <input name="agree" type="checkbox">
  <textarea name="note"></textarea>
  <button type="submit">Pay</button>
</form>
<form action="/search" id="sf"><input type="search" name="q" id="q"></form>
<iframe src="https://{WIDGET}/signup" width="300" height="80"></iframe>
<script>
  // site search-as-you-type: first party
  let t;
  document.getElementById("q").addEventListener("input", (e) => {{
    clearTimeout(t);
    t = setTimeout(() => fetch("/suggest?q=" + encodeURIComponent(window.__read(e.target))), 50);
  }});
  // a third party that reports which fields got input (never their values)
  document.addEventListener("input", (e) => {{
    new Image().src = "https://{SPY}/k?n=" + encodeURIComponent(e.target.name);
  }}, true);
  document.getElementById("checkout").addEventListener("submit", () => {{
    new Image().src = "https://{SPY}/submitted";
  }});
</script>
<script src="https://{PIXEL}/fbevents.js"></script>"""

# The advanced-matching pattern: on blur of an e-mail-looking field, normalise, SHA-256, send.
PIXEL_JS = f"""
document.addEventListener("blur", async (e) => {{
  const el = e.target;
  if (!(el instanceof HTMLInputElement)) return;
  const v = window.__read(el).trim().toLowerCase();
  if (!/^[^@\\s]+@[^@\\s]+\\.[a-z]+$/.test(v)) return;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(v));
  const hex = [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
  new Image().src = "https://{PIXEL}/tr?id=42&ev=PageView&em=" + hex;
}}, true);
"""

WIDGET_PAGE = f"""<input type="email" name="newsletter_email" placeholder="E-mail">
<script>
  document.querySelector("input").addEventListener("change", (e) => {{
    navigator.sendBeacon("https://{WIDGET}/capture", JSON.stringify({{lead: btoa(e.target.value)}}));
  }});
</script>"""

BODIES: list[tuple[str, str, bytes]] = []  # (host, path, body) of every request with a body
LOCK = threading.Lock()


def recording(response: Response):
    def handler(req):
        with LOCK:
            BODIES.append((req.host, req.target, req.body))
        return response

    return handler


def world() -> dict:
    return {
        SITE: Site(
            {
                "/": Response.html(PAGE),
                "/suggest": Response.text("[]"),
                "/submit": recording(Response.html("<title>paid</title>")),
                "/search": Response.html("<title>results</title>"),
            }
        ),
        PIXEL: Site({"/fbevents.js": Response.script(PIXEL_JS), "/tr": Response.pixel()}),
        WIDGET: Site({"/signup": Response.html(WIDGET_PAGE), "/capture": recording(Response.no_content())}),
        SPY: Site({}, fallback=lambda req: Response.pixel()),
    }


@pytest.fixture(scope="module")
def probe_scan(tmp_path_factory):
    out = tmp_path_factory.mktemp("probe")
    canaries = Canaries.new()
    mp = pytest.MonkeyPatch()
    with_leak_collectors(mp, canaries, probe=True)
    try:
        with FakeInternet(world()) as net:
            scan_one_page(net, net.url(SITE, "/"), out, timeout_s=30, probe_forms=True)
            log = net.log.snapshot()
    finally:
        mp.undo()
    return out, canaries, log


@pytest.mark.browser
def test_typed_fields_and_skipped_ones(probe_scan):
    out, canaries, log = probe_scan
    page = saved_visits(out)[0]["page"]
    probe = page["form_probe"]
    # e-mail, name, phone, note, search (main frame), newsletter e-mail (iframe)
    assert probe["fields"] == 6
    assert probe["frames"] == 2
    skipped = probe["skipped"]
    assert skipped["password"] == 1 and skipped["card"] == 3  # cc-number, cvv, expiry
    assert skipped["hidden"] == 1 and skipped["disabled"] == 1 and skipped["readonly"] == 1
    assert skipped["invisible"] == 1 and skipped["other_type"] == 1  # the checkbox
    assert "not_typed" not in skipped
    # what got key events, as the page's own listener saw it: never a password or card field
    typed = {entry.path.split("n=", 1)[1] for entry in log if entry.host == SPY and "n=" in entry.path}
    assert typed == {"email", "full_name", "phone", "note", "q"}
    assert canaries.first_field["email"] == ("email", "email")


@pytest.mark.browser
def test_nothing_submitted_nothing_navigated(probe_scan):
    out, _, log = probe_scan
    page = saved_visits(out)[0]["page"]
    assert page.get("final_url") in (None, page["url"])
    assert not [e for e in log if e.path.startswith(("/submit", "/search", "/submitted"))]
    assert not [b for b in BODIES if b[1].startswith("/submit")]


@pytest.mark.browser
def test_form_data_leaks_are_rows(probe_scan):
    out, canaries, log = probe_scan
    rows = leak_rows(out)
    assert rows and all(r["kind"] == "form_data" for r in rows)
    by_host = {}
    for r in rows:
        by_host.setdefault(r["url"].split("/")[2], []).append(r)

    # the advanced-matching pixel: SHA-256 of the normalised e-mail in a query parameter
    (pixel,) = by_host[PIXEL]
    assert (pixel["encoding"], pixel["location"], pixel["param"]) == ("sha256", "url", "em")
    assert (pixel["source"], pixel["name"], pixel["source_domain"]) == ("email", "email", None)
    digest = forms(canaries.values["email"])["sha256"]
    assert any(e.host == PIXEL and f"em={digest}" in e.path for e in log)  # the pixel really sent it
    assert pixel["url"] == f"https://{PIXEL}/tr?id=42&ev=PageView&em=[value]"

    # the newsletter iframe's beacon: base64 of the e-mail typed into the iframe, in a JSON key
    (widget,) = by_host[WIDGET]
    assert (widget["encoding"], widget["location"], widget["param"]) == ("base64", "beacon", "lead")
    assert widget["name"] == "newsletter_email"

    # the site's own search-as-you-type: recorded with its first-party receiver (the classifier, which
    # sees the host, does not count it as a leak)
    (own,) = by_host[SITE]
    assert (own["source"], own["name"], own["location"], own["param"]) == ("search", "q", "url", "q")
    assert own["url"] == f"https://{SITE}/suggest?q=[value]"
    assert set(by_host) == {PIXEL, WIDGET, SITE}


@pytest.mark.browser
def test_canaries_never_saved(probe_scan):
    out, canaries, _ = probe_scan
    values = list(canaries.values.values())
    values += [f for v in values for k, f in forms(v).items() if k != "plain"]
    urls = sent_urls(saved_visits(out))
    for saved in ("pages.jsonl", "scan.json"):
        text = outside_sent_urls((out / saved).read_text(), urls)
        assert not [v for v in values if v in text]
    assert not [v for v in values for r in leak_rows(out) if v in json.dumps(r)]


# -- the field rules ------------------------------------------------------------------------------------


def field(**kw) -> dict:
    return {"tag": "input", "type": "", "visible": True, "disabled": False, "readonly": False} | kw


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (field(type="email"), ("email", None)),
        (field(name="user_email"), ("email", None)),
        (field(type="search", name="q"), ("search", None)),
        (field(name="q"), ("search", None)),
        (field(type="tel"), ("tel", None)),
        (field(autocomplete="tel-national"), ("tel", None)),
        (field(tag="textarea"), ("text", None)),
        (field(), ("text", None)),
        (field(type="password"), (None, "password")),
        (field(name="pwd"), (None, "password")),
        (field(autocomplete="one-time-code"), (None, "password")),
        (field(autocomplete="cc-number"), (None, "card")),
        (field(autocomplete="billing cc-exp"), (None, "card")),
        (field(name="cvc"), (None, "card")),
        (field(label="IBAN"), (None, "card")),
        (field(placeholder="Card number"), (None, "card")),
        (field(name="exp_month"), (None, "card")),
        (field(type="hidden"), (None, "hidden")),
        (field(type="number"), (None, "other_type")),
        (field(type="email", visible=False), (None, "invisible")),
        (field(disabled=True), (None, "disabled")),
        (field(readonly=True), (None, "readonly")),
    ],
)
def test_classify_field(entry, expected):
    assert classify_field(entry)[:2] == expected


def test_canaries_are_random_and_already_normalised():
    a, b = Canaries.new(), Canaries.new()
    assert set(a.values) == {"email", "text", "search", "tel"}
    assert all(a.values[k] != b.values[k] for k in a.values)
    for value in a.values.values():
        assert value == value.strip().lower() and len(value) >= 8
        assert set(value) <= set("abcdefghijklmnopqrstuvwxyz0123456789@.")  # no Enter, no Space
    assert a.values["email"].endswith(".example") and a.values["tel"].isdigit()
