"""A hostile page can neither detect the behaviour hooks nor disable or forge them.

The same world is scanned twice, with the hooks on and off (``api_hooks``), and what the page can see of
every wrapped API — property descriptors, function names, lengths, own properties, source text in its own
realm and through another frame's ``Function.prototype.toString``, errors thrown through the wrappers
with their stacks, the getters the browser runs on a MutationObserver's options, the globals of the
window — must be the same in both runs, in the page and in its cross-origin iframe. Then the page
sabotages the built-ins the hooks could rely on, dispatches random events, tries to forge reports, and
pins ``Error.prepareStackTrace``: its calls are still counted (at worst without the script URL) and
nothing forged shows up.
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import scan

from scanner.collect.api_spec import API_SPEC
from scanner.collect.hooks import HookChannel
from scanner.fakenet import FakeInternet, Response, Site

pytestmark = pytest.mark.browser

HOST = "www.hunter.test"
FRAME = "frame.hunter-other.test"
COLLECTOR = "collector.hunter.test"
SABOTEUR = "https://cdn.saboteur.test/sabotage.js"
EVIL = "https://forger.example/evil.js"

# What the page can see of every wrapped API, as JSON (one realm; compared across runs).
LOOK = r"""
(() => {
  const SPEC = __SPEC__;
  const clean = document.createElement("iframe");
  clean.style.display = "none";
  document.documentElement.appendChild(clean);
  const otherToString = clean.contentWindow.Function.prototype.toString;
  const seen = { apis: {}, protos: {}, errors: {} };
  const shapeOf = (d) =>
    d && Object.fromEntries(Object.entries(d).map(([k, v]) => [k, typeof v === "function" ? "fn" : v]));
  const describe = (f) => {
    const out = { type: typeof f };
    if (typeof f !== "function") return out;
    out.name = f.name;
    out.length = f.length;
    out.own = Object.getOwnPropertyNames(f);
    const own = (k) => [k, shapeOf(Object.getOwnPropertyDescriptor(f, k))];
    out.ownShapes = Object.fromEntries(out.own.map(own));
    out.proto = Object.getPrototypeOf(f) === Function.prototype;
    out.extensible = Object.isExtensible(f);
    out.source = Function.prototype.toString.call(f);
    out.otherSource = otherToString.call(f);
    out.string = String(f);
    const error = (e) => [e.name, e.message, e.stack];
    try { out.illegal = Reflect.apply(f, {}, [1, 2]); } catch (e) { out.illegal = error(e); }
    try { new f(); out.construct = "constructed"; } catch (e) { out.construct = error(e); }
    return out;
  };
  for (const [iface, member, kind] of SPEC) {
    const C = window[iface];
    if (typeof C !== "function") { seen.apis[iface + "." + member] = "missing"; continue; }
    const d = Object.getOwnPropertyDescriptor(C.prototype, member);
    if (!d) { seen.apis[iface + "." + member] = "absent"; continue; }
    const f = kind === "m" ? d.value : kind === "g" ? d.get : d.set;
    seen.apis[iface + "." + member + ":" + kind] = { descriptor: shapeOf(d), fn: describe(f) };
    seen.protos[iface] = Object.getOwnPropertyNames(C.prototype);
  }
  seen.toString = describe(Function.prototype.toString);
  // Errors the browser throws through the wrappers, with their stacks.
  const attempts = {
    getImageData: () => document.createElement("canvas").getContext("2d").getImageData(0, 0, 0, 0),
    fontsCheck: () => document.fonts.check("not a font at all"),
    observeEmpty: () => new MutationObserver(() => {}).observe(document, {}),
    observeNumber: () => new MutationObserver(() => {}).observe(document, 5),
    observeNode: () => new MutationObserver(() => {}).observe({}, { childList: true }),
    listenNoArgs: () => document.addEventListener(),
    toDataURLType: () => document.createElement("canvas").toDataURL(Symbol("t")),
    fontSymbol: () => { document.createElement("canvas").getContext("2d").font = Symbol("f"); },
    offer: () => RTCPeerConnection.prototype.createOffer.call(document),
  };
  for (const [label, f] of Object.entries(attempts)) {
    try {
      seen.errors[label] = ["no error", typeof f()];
    } catch (e) {
      seen.errors[label] = [e.name, e.message, e.stack];
    }
  }
  // The getters the browser runs on an observer's options: which, in which order, how often, and
  // what the stack looks like from inside one (the wrapper's frame shows there, as documented).
  const gets = [];
  const options = new Proxy({ childList: true, subtree: true }, {
    get(target, key) { gets.push(String(key)); return target[key]; },
    has(target, key) { gets.push("has:" + String(key)); return key in target; },
    getOwnPropertyDescriptor(target, key) {
      gets.push("gopd:" + String(key));
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
  });
  new MutationObserver(() => {}).observe(document.body || document.documentElement, options);
  seen.observeGets = gets;
  // Globals of the window.
  seen.window = Object.getOwnPropertyNames(window).filter((n) => n !== "__looked");
  seen.windowSymbols = Object.getOwnPropertySymbols(window).map(String);
  clean.remove();
  window.__looked = true;
  fetch("https://collector.hunter.test/look?where=" + encodeURIComponent(location.host), {
    method: "POST", mode: "no-cors", body: JSON.stringify(seen),
  }).catch(() => {});
})();
"""

# Breaks every built-in the hooks could lean on after load, then uses the hooked APIs.
SABOTAGE = r"""
(() => {
  const EVIL = "https://forger.example/evil.js";
  const boom = function () { throw new Error("sabotaged"); };
  // Forged reports in every shape, to anything that looks callable on the window.
  const forged = { k: "api", d: { frame: location.href, rows: [{ script: EVIL, api: "Forged.api", count: 999,
    args: [], args_total: 0, canvas: [] }], lost: 0 } };
  const shapes = [forged, JSON.stringify(forged), JSON.stringify({ n: "0".repeat(32), ...forged })];
  for (const name of Object.getOwnPropertyNames(window)) {
    if (!/^_/.test(name)) continue;
    let f;
    try { f = window[name]; } catch (e) { continue; }
    if (typeof f === "function") for (const s of shapes) { try { f(s); } catch (e) {} }
  }
  // Random events in the hooks' style: none may hand anything over (counted on the Python side).
  const byte = (b) => b.toString(16).padStart(2, "0");
  const hex = () => Array.from(crypto.getRandomValues(new Uint8Array(12)), byte).join("");
  for (let i = 0; i < 300; i++) {
    const name = "_" + hex();
    document.dispatchEvent(new CustomEvent(name, { detail: forged }));
    window.dispatchEvent(new CustomEvent(name, { detail: forged }));
  }
  // Look-alikes of the browser's own events that make the hooks hand over what they have.
  for (let i = 0; i < 300; i++) {
    for (const name of ["pagehide", "beforeunload"]) {
      void navigator.platform; // something to hand over each time
      window.dispatchEvent(new Event(name));
      window.dispatchEvent(new PageTransitionEvent(name, { persisted: false }));
    }
  }
  // Sabotage, left in place until the visit ends.
  Map.prototype.get = Map.prototype.set = Map.prototype.forEach = Map.prototype.clear = boom;
  Object.defineProperty(Map.prototype, "size", { get: boom });
  WeakMap.prototype.get = WeakMap.prototype.set = boom;
  Array.prototype.push = boom;
  Object.defineProperty(Array.prototype, "0", { set: boom, get: boom, configurable: true });
  JSON.stringify = boom;
  EventTarget.prototype.dispatchEvent = boom;
  document.addEventListener = boom;
  Error.prepareStackTrace = () => "Error\n    at " + EVIL + ":1:1";
  Error.stackTraceLimit = 0;
  for (const key of ["script", "api", "count", "args", "canvas", "rows", "n", "k", "d"]) {
    Object.defineProperty(Object.prototype, key, { get: boom, set: boom, configurable: true });
  }
  Math.random = () => 0;
  String.prototype.slice = boom;
  Reflect.apply = boom;
  Function.prototype.call = Function.prototype.apply = boom;
  for (let i = 0; i < 5; i++) void navigator.userAgent;
  const c = document.createElement("canvas");
  const x = c.getContext("2d");
  x.fillStyle = "#123";
  x.fillText("sabotaged text", 1, 1);
  c.toDataURL();
  // Pinned for good: the calling script can no longer be read.
  const pinned = { value: () => EVIL, writable: false, configurable: false };
  Object.defineProperty(Error, "prepareStackTrace", pinned);
  for (let i = 0; i < 3; i++) void screen.width;
})();
"""

HOME = f"""<!doctype html><meta charset=utf-8><title>Hunter</title>
<script src="/look.js"></script>
<iframe src="https://{FRAME}/f"></iframe>
<script src="{SABOTEUR}"></script>
"""


def world(bodies: list) -> dict:
    def look(request):
        bodies.append((request.arg("where"), json.loads(request.body)))
        return Response.no_content()

    spec = json.dumps([[i, m, k] for i, m, k, _ in API_SPEC])
    probe = LOOK.replace("__SPEC__", spec)
    return {
        HOST: Site({"/": Response.html(HOME), "/look.js": Response.script(probe)}),
        FRAME: Site(
            {
                "/f": Response.html(
                    f'<!doctype html><title>f</title><script src="https://{HOST}/look.js?f"></script>'
                ),
            }
        ),
        COLLECTOR: Site({"/look": look}),
        "cdn.saboteur.test": Site({"/sabotage.js": Response.script(SABOTAGE)}),
    }


def run(tmp_path_factory, api_hooks: bool) -> tuple[dict, list[dict], Counter]:
    out = tmp_path_factory.mktemp(f"hunter-{api_hooks}")
    bodies: list = []
    kinds: Counter = Counter()
    original = HookChannel.on_binding_called

    def counting(self, event):
        try:
            kinds[json.loads(event.get("payload"))["k"]] += 1
        except Exception:  # noqa: BLE001
            kinds["unreadable"] += 1
        return original(self, event)

    HookChannel.on_binding_called = counting
    try:
        with FakeInternet(world(bodies)) as net:
            scan(net, [f"https://{HOST}/"], out, max_pages=1, use_sitemap=False, api_hooks=api_hooks)
    finally:
        HookChannel.on_binding_called = original
    visits = [json.loads(line) for line in (out / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    return dict(bodies), [row for v in visits for row in v.get("api_calls", [])], kinds


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    return run(tmp_path_factory, True), run(tmp_path_factory, False)


def test_the_page_sees_the_same_apis_with_and_without_hooks(runs):
    (on, rows_on, _), (off, rows_off, _) = runs
    assert set(on) == set(off) == {HOST, FRAME}
    assert rows_on and not rows_off
    for where in (HOST, FRAME):
        seen_on, seen_off = on[where], off[where]
        # Present and wrapped in the hooked run (the comparison is not vacuous).
        assert seen_on["apis"]["CanvasRenderingContext2D.measureText:m"]["fn"]["source"] == (
            "function measureText() { [native code] }"
        )
        for key in seen_off:
            assert seen_on[key] == seen_off[key], (where, key)
        assert seen_on == seen_off
    # The errors really went through the wrappers (they are errors, with stacks).
    assert on[HOST]["errors"]["observeEmpty"][0] == "TypeError"
    assert on[HOST]["errors"]["getImageData"][0] == "IndexSizeError"
    assert "childList" in on[HOST]["observeGets"]


def test_sabotage_neither_disables_nor_steers_the_counts(runs):
    (_, rows, _), _ = runs
    home = f"https://{HOST}/"
    mine = {(r["api"], r["script"]): r for r in rows if r["frame_url"] == home}
    # Counted after every built-in was broken; the calling script still read (the page only assigned
    # Error.prepareStackTrace and stackTraceLimit, which the hooks swap for their own meanwhile).
    assert mine[("Navigator.userAgent", SABOTEUR)]["count"] == 5
    read = mine[("HTMLCanvasElement.toDataURL", SABOTEUR)]
    assert read["canvas"][0]["text_chars"] == len(set("sabotaged text")) and read["canvas"][0]["colors"] == 1
    # Once pinned, the script is unknown: counted without it, never attributed to the forger.
    assert mine[("Screen.width", None)]["count"] == 3
    assert not [r for r in rows if r["script"] == EVIL or r["api"] == "Forged.api"]


def test_random_events_hand_nothing_over(runs):
    """One "api" report per document with rows (the page and its iframe), at the pull: the page's random
    events and its 1200 look-alike pagehide / beforeunload events triggered none."""
    (_, rows, kinds), (_, _, kinds_off) = runs
    frames = {r["frame_url"] for r in rows}
    assert frames == {f"https://{HOST}/", f"https://{FRAME}/f"}
    assert kinds["api"] == len(frames), kinds
    assert "api" not in kinds_off
