"""The behaviour world (scanner/fakenet/behaviour.py) in plain Playwright, without the scanner: every
imitation really does in the browser what BEHAVIOUR_TRUTH says it does, and the look-alike pages do
not. The API observations come from a probe added by these tests only (``PROBE_JS``, an init script in
every frame that records canvas, WebGL, audio, WebRTC, navigator/screen, MutationObserver and listener
calls with the calling script's URL); the world itself carries no instrumentation.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from scanner.catalog import load_catalog
from scanner.fakenet import BEHAVIOUR_TRUTH, BehaviourInbox, FakeInternet, behaviour_world
from scanner.fakenet import behaviour as bw
from scanner.model import BEHAVIOUR_KINDS

pytestmark = pytest.mark.browser

REPO = Path(__file__).resolve().parents[1]
CHROMIUM = "/usr/lib/chromium/chromium"
TECHNIQUES = {
    "canvas", "canvas_font", "webgl", "audio", "webrtc_ip", "navigator_sweep", "font_probing",
    "replay_traffic", "dom_and_input", "form_canary", "cookie_value", "storage_value", "cloaked_path",
    "like_button", "sso", "video", "map",
}  # fmt: skip

# Test-only instrumentation: plain wrappers (the page may see them; the world never looks). Records
# per call the API, the first http(s) script URL on the stack, and an argument; per canvas the facts
# of the Englehardt & Narayanan criteria.
PROBE_JS = r"""
(() => {
  const calls = [], canvases = [];
  const facts = new WeakMap();
  function caller() {
    for (const line of String(new Error().stack).split('\n').slice(2)) {
      const m = /(https?:\/\/[^\s)]+?):\d+:\d+/.exec(line);
      if (m) return m[1];
    }
    return null;
  }
  function note(api, arg) {
    if (calls.length >= 20000) return;
    calls.push({api, script: caller(), arg: arg === undefined ? null : String(arg).slice(0, 300)});
  }
  function factsOf(canvas) {
    let f = facts.get(canvas);
    if (!f) {
      f = {chars: new Set(), colors: new Set(), saveRestore: false, listeners: false, reads: [],
           script: caller()};
      facts.set(canvas, f);
      canvases.push({canvas, f});
    }
    return f;
  }
  function wrap(proto, name, before) {
    const orig = proto[name];
    if (typeof orig !== 'function') return;
    proto[name] = function (...args) { before(this, args); return orig.apply(this, args); };
  }
  function wrapSetter(proto, name, before) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d || !d.set) return;
    Object.defineProperty(proto, name, {...d, set(v) { before(this, v); return d.set.call(this, v); }});
  }
  function wrapGetter(proto, name, label) {
    const d = Object.getOwnPropertyDescriptor(proto, name);
    if (!d || !d.get) return;
    Object.defineProperty(proto, name, {...d, get() { note(label); return d.get.call(this); }});
  }
  const C2D = CanvasRenderingContext2D.prototype;
  for (const name of ['fillText', 'strokeText']) {
    wrap(C2D, name, (ctx, args) => {
      const f = factsOf(ctx.canvas);
      for (const ch of String(args[0])) f.chars.add(ch);
      f.colors.add(String(name === 'fillText' ? ctx.fillStyle : ctx.strokeStyle));
      note('CanvasRenderingContext2D.' + name, args[0]);
    });
  }
  wrap(C2D, 'save', (ctx) => { factsOf(ctx.canvas).saveRestore = true; });
  wrap(C2D, 'restore', (ctx) => { factsOf(ctx.canvas).saveRestore = true; });
  wrap(C2D, 'measureText', (ctx, args) => note('CanvasRenderingContext2D.measureText', args[0]));
  wrapSetter(C2D, 'font', (ctx, v) => note('CanvasRenderingContext2D.font', v));
  wrap(C2D, 'getImageData', (ctx, args) => {
    factsOf(ctx.canvas).reads.push({how: 'getImageData', w: args[2], h: args[3], cw: ctx.canvas.width,
      ch: ctx.canvas.height, script: caller()});
    note('CanvasRenderingContext2D.getImageData');
  });
  wrap(HTMLCanvasElement.prototype, 'toDataURL', (canvas) => {
    factsOf(canvas).reads.push({how: 'toDataURL', w: canvas.width, h: canvas.height, cw: canvas.width,
      ch: canvas.height, script: caller()});
    note('HTMLCanvasElement.toDataURL');
  });
  for (const GL of [WebGLRenderingContext, window.WebGL2RenderingContext].filter(Boolean)) {
    wrap(GL.prototype, 'getParameter', (gl, args) => note('WebGL.getParameter', args[0]));
    wrap(GL.prototype, 'getExtension', (gl, args) => note('WebGL.getExtension', args[0]));
  }
  for (const name of ['OfflineAudioContext', 'AudioContext', 'RTCPeerConnection']) {
    const Orig = window[name];
    if (!Orig) continue;
    const Wrapped = function (...args) {
      note(name);
      return Reflect.construct(Orig, args, new.target || Wrapped);
    };
    Wrapped.prototype = Orig.prototype;
    Object.setPrototypeOf(Wrapped, Orig);
    window[name] = Wrapped;
  }
  const BAC = BaseAudioContext.prototype;
  for (const name of ['createOscillator', 'createDynamicsCompressor', 'createGain']) {
    wrap(BAC, name, () => note('BaseAudioContext.' + name));
  }
  wrap(AudioContext.prototype, 'createMediaElementSource',
       () => note('BaseAudioContext.createMediaElementSource'));
  wrap(OfflineAudioContext.prototype, 'startRendering', () => note('OfflineAudioContext.startRendering'));
  wrap(AudioBuffer.prototype, 'getChannelData', () => note('AudioBuffer.getChannelData'));
  wrapSetter(OscillatorNode.prototype, 'type', (node, v) => note('OscillatorNode.type', v));
  const RTC = RTCPeerConnection.prototype;
  for (const name of ['createDataChannel', 'createOffer', 'setLocalDescription', 'addTrack', 'addStream']) {
    wrap(RTC, name, () => note('RTCPeerConnection.' + name));
  }
  wrapSetter(RTC, 'onicecandidate', () => note('RTCPeerConnection.onicecandidate'));
  if (window.MediaDevices) {
    wrap(MediaDevices.prototype, 'getUserMedia', () => note('MediaDevices.getUserMedia'));
  }
  for (const [proto, label] of [[Navigator.prototype, 'Navigator'], [Screen.prototype, 'Screen']]) {
    for (const name of Object.getOwnPropertyNames(proto)) wrapGetter(proto, name, label + '.' + name);
  }
  wrap(MutationObserver.prototype, 'observe', (mo, args) => {
    const target = args[0], o = args[1] || {};
    note('MutationObserver.observe', (target && target.nodeName) + (o.subtree ? ' subtree' : ''));
  });
  wrap(EventTarget.prototype, 'addEventListener', (target, args) => {
    if (target instanceof HTMLCanvasElement) factsOf(target).listeners = true;
    note('addEventListener:' + args[0]);
  });
  Object.defineProperty(window, '__probeDump', {value: () => ({
    calls,
    canvases: canvases.map(({f}) => ({chars: f.chars.size, colors: f.colors.size, saveRestore: f.saveRestore,
      listeners: f.listeners, reads: f.reads, script: f.script})),
  })});
})();
"""


# -- fixtures and helpers --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def inbox() -> BehaviourInbox:
    return BehaviourInbox()


@pytest.fixture(scope="module")
def net(inbox: BehaviourInbox) -> Iterator[FakeInternet]:
    with FakeInternet(behaviour_world(inbox)) as running:
        yield running


@pytest.fixture(scope="module")
def browser(net: FakeInternet) -> Iterator[Browser]:
    args = [
        "--disable-gpu",
        "--disable-quic",
        "--ignore-certificate-errors",
        "--gaia-url=http://127.0.0.1:9",  # no Chromium sign-in traffic to the world's accounts.google.com
        *net.chromium_args(),
    ]
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=args)
        yield launched
        launched.close()


@dataclass
class Visit:
    page: Page
    context: BrowserContext
    errors: list[str] = field(default_factory=list)

    def probe(self) -> dict:
        """The probe's records of every frame, merged (each record keeps its script URL)."""
        out: dict = {"calls": [], "canvases": []}
        for frame in self.page.frames:
            try:
                dump = frame.evaluate("() => window.__probeDump ? window.__probeDump() : null")
            except Exception:  # a frame that went away
                continue
            if dump:
                for call in dump["calls"]:
                    call["frame"] = frame.url
                out["calls"] += dump["calls"]
                out["canvases"] += dump["canvases"]
        return out


@contextmanager
def visit(browser: Browser, net: FakeInternet, inbox: BehaviourInbox, path: str) -> Iterator[Visit]:
    """A fresh profile (no cookies) on one page of the shop, with the probe in every frame."""
    net.log.clear()
    inbox.clear()
    context = browser.new_context(ignore_https_errors=True)
    context.add_init_script(PROBE_JS)
    page = context.new_page()
    result = Visit(page, context)
    page.on("pageerror", lambda error: result.errors.append(str(error)))
    page.goto(net.url(bw.SITE, path), wait_until="load")
    try:
        yield result
    finally:
        context.close()
    assert result.errors == [], f"JavaScript errors on {path}: {result.errors}"


def until(condition: Callable[[], object], timeout_s: float = 5.0, what: str = "condition") -> object:
    """Poll until ``condition()`` is truthy; fail with ``what`` after ``timeout_s``."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        time.sleep(0.05)


def urls(net: FakeInternet, host: str, method: str | None = None) -> list[str]:
    return [f"{r.scheme}://{r.host}{r.path}" for r in net.log.find(host=host, method=method)]


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query, keep_blank_values=True)


def calls(probe: dict, api: str, script: str | None = None) -> list[dict]:
    return [c for c in probe["calls"] if c["api"] == api and (script is None or c["script"] == script)]


def meets_englehardt_narayanan(canvas: dict) -> bool:
    """Canvas fingerprinting per Englehardt & Narayanan (2016): canvas >= 16x16; text of >= 10 distinct
    characters or >= 2 colours; no save/restore/addEventListener; read with toDataURL or one
    getImageData of >= 16x16."""
    text_ok = canvas["chars"] >= 10 or canvas["colors"] >= 2
    calm = not canvas["saveRestore"] and not canvas["listeners"]
    read_ok = any(
        r["cw"] >= 16 and r["ch"] >= 16 and (r["how"] == "toDataURL" or (r["w"] >= 16 and r["h"] >= 16))
        for r in canvas["reads"]
    )
    return text_ok and calm and read_ok


# -- the truth table -------------------------------------------------------------------------------


def test_truth_table_is_well_formed(net: FakeInternet) -> None:
    served = set(net.hosts)
    assert len(BEHAVIOUR_TRUTH) == 24
    for path, truth in BEHAVIOUR_TRUTH.items():
        assert truth.path == path and truth.url == f"https://{bw.SITE}{path}"
        for expect in truth.expect:
            assert expect.kind in BEHAVIOUR_KINDS, expect
            assert expect.technique in TECHNIQUES, expect
            assert expect.host in served, expect
            for url in (expect.script, expect.frame):
                assert url is None or urlsplit(url).hostname in served, expect
            if expect.kind in ("form_data_leak", "id_sharing"):
                assert expect.source and expect.name and expect.encoding and expect.location and expect.param
        for absent in truth.absent:
            assert absent.kind in BEHAVIOUR_KINDS, absent
            assert absent.technique is None or absent.technique in TECHNIQUES
            # a page never both expects and forbids the same finding
            assert not any(
                e.kind == absent.kind
                and absent.technique in (None, e.technique)
                and absent.host in (None, e.host)
                and absent.name in (None, e.name)
                for e in truth.expect
            ), (path, absent)
    kinds = {e.kind for t in BEHAVIOUR_TRUTH.values() for e in t.expect}
    assert kinds == set(BEHAVIOUR_KINDS)  # every finding kind has a case
    techniques = {e.technique for t in BEHAVIOUR_TRUTH.values() for e in t.expect}
    assert techniques == TECHNIQUES
    assert [p for p, t in BEHAVIOUR_TRUTH.items() if t.probe_forms] == ["/signup"]


def test_truth_vendors_match_the_catalog() -> None:
    """Every expected vendor is what the catalog says for that script, frame or host; the unknown
    vendors stay unknown. Vendors that need a catalog entry first (CATALOG_ADDITIONS) are checked once
    it exists."""
    catalog = load_catalog([])
    pending = []

    def vendor_of(url: str) -> str | None:
        match = catalog.match_url(url)
        return match.vendor.name if match else None

    for truth in BEHAVIOUR_TRUTH.values():
        for expect in truth.expect:
            if expect.kind == "cname_cloaked":
                # first party by host: the vendor shows through its cookies
                for cookie in ("s_ecid", f"AMCV_{bw.ADOBE_ORG}%40AdobeOrg", "s_cc"):
                    match = catalog.match_cookie(cookie, bw.DOMAIN, True)
                    assert match and match.vendor.name == expect.vendor, cookie
                continue
            url = (
                expect.frame
                if expect.kind == "embed"
                else expect.script
                if expect.kind in ("fingerprinting", "security_fingerprinting", "possible_session_recording")
                else f"https://{expect.host}/"
            )
            assert url is not None
            addition = next((v for prefix, v in bw.CATALOG_ADDITIONS.items() if url.startswith(prefix)), None)
            found = vendor_of(url)
            if addition is not None and found != addition:
                pending.append(f"{url} -> {addition} (catalog: {found})")
                continue
            assert found == expect.vendor, (truth.path, url, found)
            if expect.source_vendor:
                domain = (expect.source_domain or "").removeprefix("https://")
                first_party = domain == bw.DOMAIN or domain.endswith("." + bw.DOMAIN)
                match = catalog.match_cookie(expect.name or "", domain, first_party)
                assert match and match.vendor.name == expect.source_vendor, expect
    for host in bw.UNKNOWN_HOSTS:
        assert catalog.match_host(host) is None, host
    if pending:
        pytest.skip("catalog entries not added yet: " + "; ".join(pending))


def test_readme_tables_are_current() -> None:
    readme = (REPO / "scanner" / "fakenet" / "README.md").read_text(encoding="utf-8")
    assert bw.readme_block(readme) == bw.truth_markdown()
    assert "| `/signup` |" in bw.truth_markdown() and "`form_data_leak` form_canary (Facebook)" in readme


def test_scripts_ship_as_package_data() -> None:
    """behaviour_js is a package whose .js files pyproject's package-data ("*" = ["*.js", ...]) ships."""
    pyproject = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^"\*" = \[[^\]]*"\*\.js"', pyproject, re.M)
    folder = REPO / "scanner" / "fakenet" / "behaviour_js"
    assert (folder / "__init__.py").is_file()
    names = sorted(p.name for p in folder.glob("*.js"))
    source = (REPO / "scanner" / "fakenet" / "behaviour.py").read_text(encoding="utf-8")
    assert all(f'"{name}"' in source for name in names)  # every script is used
    assert all(bw.js(name) for name in names)


def test_index_links_every_page(browser, net, inbox) -> None:
    with visit(browser, net, inbox, "/") as v:
        hrefs = v.page.eval_on_selector_all("a[href]", "as => as.map(a => new URL(a.href).pathname)")
        cookies = {c["name"]: c for c in v.context.cookies()}
    assert set(hrefs) == set(BEHAVIOUR_TRUTH)  # every case page (and the nav link back to /)
    visitor = cookies["bs_vid"]
    assert re.fullmatch(r"[0-9a-f]{32}", visitor["value"]) and visitor["domain"] == bw.SITE
    assert visitor["expires"] > time.time() + 390 * 86400  # 2 years asked; Chromium caps at 400 days


@pytest.mark.parametrize("path", list(BEHAVIOUR_TRUTH))
def test_each_page_makes_its_traffic_without_errors(browser, net, inbox, path: str) -> None:
    truth = BEHAVIOUR_TRUTH[path]
    with visit(browser, net, inbox, path):
        logged = lambda: [f"{r.method} {r.scheme}://{r.host}{r.path}" for r in net.log]  # noqa: E731
        for prefix in truth.traffic:
            until(lambda p=prefix: any(u.startswith(p) for u in logged()), what=f"{prefix} on {path}")
        if not truth.traffic:
            time.sleep(0.5)
        third = {r.host for r in net.log} - {bw.SITE}
    if path in ("/", "/clean", "/stats"):
        assert third == set()
    assert net.errors == []


# -- fingerprinting --------------------------------------------------------------------------------


def _report(inbox: BehaviourInbox, host: str) -> dict:
    found = until(lambda: inbox.find(host=host, method="POST"), what=f"the POST to {host}")
    return json.loads(found[0].body)  # type: ignore[index]


def test_canvas_fingerprint_meets_the_criteria(browser, net, inbox) -> None:
    script = bw.devicetrace_script("canvas")
    with visit(browser, net, inbox, "/fp/canvas") as v:
        report = _report(inbox, bw.DEVICETRACE_COLLECT)
        probe = v.probe()
    (canvas,) = probe["canvases"]
    assert canvas["script"] == script and meets_englehardt_narayanan(canvas)
    assert canvas["chars"] >= 10 and canvas["colors"] == 2 and not canvas["saveRestore"]
    assert [(r["how"], r["w"], r["h"]) for r in canvas["reads"]] == [("getImageData", 280, 60)]
    assert report["kind"] == "canvas" and report["hash"]


def test_fingerprinting_service_agent(browser, net, inbox) -> None:
    """The Fingerprint-like agent: four techniques in one script, one POST to its API."""
    script = bw.fpjs_script(bw.FPJS_KEY)
    with visit(browser, net, inbox, "/fp/pro") as v:
        until(lambda: v.page.text_content("#visitor") != "...", what="the visitor id")
        probe = v.probe()
    mine = [c for c in probe["canvases"] if c["script"] == script]
    assert any(meets_englehardt_narayanan(c) for c in mine)
    text = next(c for c in mine if c["chars"])
    assert (
        text["chars"] >= 10 and text["colors"] >= 2 and [r["how"] for r in text["reads"]] == ["toDataURL"] * 2
    )
    assert {"37445", "37446"} <= {c["arg"] for c in calls(probe, "WebGL.getParameter", script)}
    assert calls(probe, "OfflineAudioContext", script) and calls(probe, "AudioBuffer.getChannelData", script)
    assert len(_properties(probe, script)) >= 15
    body = json.loads(inbox.find(host=bw.FPJS_API, method="POST")[0].body)
    assert set(body["components"]) == {"canvas", "webgl", "audio", "navigator"}
    assert body["components"]["canvas"]["stable"] is True and body["apiKey"] == bw.FPJS_KEY


def test_emoji_check_does_not_meet_the_criteria(browser, net, inbox) -> None:
    with visit(browser, net, inbox, "/emoji") as v:
        supports = v.page.evaluate("() => window._wpemojiSettings.supports")
        if not supports["everything"]:  # no emoji font: the release script swaps emoji for images
            until(lambda: v.page.query_selector("img.emoji"), what="emoji images")
        probe = v.probe()
    canvases = probe["canvases"]
    assert len(canvases) == 2 and all(c["reads"] for c in canvases)  # two tests, each read back
    assert not any(meets_englehardt_narayanan(c) for c in canvases)
    assert max(c["chars"] for c in canvases) <= 4 and max(c["colors"] for c in canvases) == 1
    assert {r["how"] for c in canvases for r in c["reads"]} == {"toDataURL", "getImageData"}
    released = any("/wp-emoji-release" in u for u in urls(net, bw.SITE))
    assert released == (not supports["everything"])


def test_canvas_font_probing(browser, net, inbox) -> None:
    script = bw.devicetrace_script("fonts")
    with visit(browser, net, inbox, "/fp/fonts") as v:
        until(lambda: inbox.find(host=bw.DEVICETRACE_COLLECT, method="POST"), what="the font report")
        probe = v.probe()
    fonts = {c["arg"] for c in calls(probe, "CanvasRenderingContext2D.font", script)}
    assert len(fonts) >= 50
    assert len(calls(probe, "CanvasRenderingContext2D.measureText", script)) >= 50
    assert not any(c["reads"] for c in probe["canvases"])  # measured, never read
    report = json.loads(inbox.find(host=bw.DEVICETRACE_COLLECT, method="POST")[0].body)
    assert report["kind"] == "fonts" and report["tested"] >= 50


def test_webgl_unmasked_renderer_and_a_map_that_does_not_ask(browser, net, inbox) -> None:
    script = bw.devicetrace_script("webgl")
    with visit(browser, net, inbox, "/fp/webgl") as v:
        report = _report(inbox, bw.DEVICETRACE_COLLECT)
        probe = v.probe()
    assert {"37445", "37446"} <= {c["arg"] for c in calls(probe, "WebGL.getParameter", script)}
    assert "WEBGL_debug_renderer_info" in {c["arg"] for c in calls(probe, "WebGL.getExtension", script)}
    assert report["kind"] == "webgl" and report["renderer"]

    with visit(browser, net, inbox, "/map") as v:
        until(lambda: v.page.get_attribute("canvas.maplibregl-canvas", "data-rendered"), what="the map")
        probe = v.probe()
    parameters = {c["arg"] for c in calls(probe, "WebGL.getParameter", bw.MAPLIBRE)}
    assert len(parameters) >= 4 and not parameters & {"37445", "37446"}
    assert "WEBGL_debug_renderer_info" not in {c["arg"] for c in calls(probe, "WebGL.getExtension")}


def test_offline_audio_fingerprint_and_a_video_player_that_is_not_one(browser, net, inbox) -> None:
    script = bw.devicetrace_script("audio")
    with visit(browser, net, inbox, "/fp/audio") as v:
        report = _report(inbox, bw.DEVICETRACE_COLLECT)
        probe = v.probe()
    fingerprint_apis = (
        "OfflineAudioContext",
        "BaseAudioContext.createOscillator",
        "BaseAudioContext.createDynamicsCompressor",
        "OfflineAudioContext.startRendering",
        "AudioBuffer.getChannelData",
    )
    for api in fingerprint_apis:
        assert calls(probe, api, script), api
    assert [c["arg"] for c in calls(probe, "OscillatorNode.type", script)] == ["triangle"]
    assert report["kind"] == "audio" and report["sum"] > 0

    with visit(browser, net, inbox, "/video") as v:
        until(lambda: v.page.query_selector(".vjs-control-bar"), what="the player")
        probe = v.probe()
    assert calls(probe, "AudioContext", bw.VIDEOJS)
    assert calls(probe, "BaseAudioContext.createMediaElementSource", bw.VIDEOJS)
    for api in ("OfflineAudioContext", "BaseAudioContext.createOscillator", "AudioBuffer.getChannelData"):
        assert not calls(probe, api), api


def test_webrtc_local_ip_probe(browser, net, inbox) -> None:
    script = bw.devicetrace_script("webrtc")
    with visit(browser, net, inbox, "/fp/webrtc") as v:
        until(lambda: inbox.find(host=bw.DEVICETRACE_COLLECT, method="POST"), what="the WebRTC report")
        probe = v.probe()
    for api in ("RTCPeerConnection", "RTCPeerConnection.createDataChannel", "RTCPeerConnection.createOffer",
                "RTCPeerConnection.setLocalDescription", "RTCPeerConnection.onicecandidate"):  # fmt: skip
        assert calls(probe, api, script), api
    for api in ("RTCPeerConnection.addTrack", "RTCPeerConnection.addStream", "MediaDevices.getUserMedia"):
        assert not calls(probe, api), api
    report = json.loads(inbox.find(host=bw.DEVICETRACE_COLLECT, method="POST")[0].body)
    assert report["kind"] == "webrtc" and isinstance(report["addresses"], list)


def _properties(probe: dict, script: str) -> set[str]:
    return {
        c["api"]
        for c in probe["calls"]
        if c["script"] == script and c["api"].startswith(("Navigator.", "Screen."))
    }


def test_navigator_sweep_and_a_page_counter_that_is_not_one(browser, net, inbox) -> None:
    script = bw.devicetrace_script("navigator")
    with visit(browser, net, inbox, "/fp/navigator") as v:
        report = _report(inbox, bw.DEVICETRACE_COLLECT)
        probe = v.probe()
    assert len(_properties(probe, script)) >= 15 and report["kind"] == "navigator"

    with visit(browser, net, inbox, "/stats") as v:
        hit = until(lambda: inbox.find(host=bw.SITE, method="POST", path_prefix="/stats/hit"), what="the hit")
        probe = v.probe()
        page_url = v.page.url
    assert _properties(probe, page_url) == {"Navigator.userAgent", "Navigator.language"}
    assert json.loads(hit[0].body)["lang"]


def test_captcha_fingerprints_in_its_frame(browser, net, inbox) -> None:
    with visit(browser, net, inbox, "/captcha") as v:
        token = until(lambda: v.page.input_value("#token"), what="the captcha token")
        probe = v.probe()
    assert str(token).startswith("03AF")
    mine = [c for c in probe["canvases"] if c["script"] == bw.RECAPTCHA_SCRIPT]
    assert any(meets_englehardt_narayanan(c) for c in mine)
    frame_calls = [c for c in probe["calls"] if c["script"] == bw.RECAPTCHA_SCRIPT]
    assert frame_calls and all(c["frame"].startswith(bw.RECAPTCHA_ANCHOR) for c in frame_calls)
    assert len(_properties(probe, bw.RECAPTCHA_SCRIPT)) >= 15
    assert inbox.find(host=bw.RECAPTCHA, method="POST", path_prefix="/recaptcha/api2/reload")


# -- session replay --------------------------------------------------------------------------------


def test_hotjar_like_recorder_streams_over_a_websocket(browser, net, inbox) -> None:
    with visit(browser, net, inbox, "/replay/hotjar") as v:
        sockets = until(lambda: inbox.sockets, what="the recorder's WebSocket")
        path, messages = sockets[0]
        until(lambda: len(messages) >= 3, timeout_s=15.0, what="3 messages from the recorder")
        v.page.mouse.move(40, 40)
        v.page.mouse.move(120, 90)
        v.page.fill("#question", "hello")
        v.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        kinds = lambda: {e["k"] for _, m in list(messages)[2:] for e in json.loads(m).get("events", [])}  # noqa: E731
        until(lambda: {"mutation", "mousemove", "input", "scroll"} <= kinds(), what="all event kinds")
        probe = v.probe()
        cookies = {c["name"] for c in v.context.cookies()}
    assert path == "/api/v2/client/ws"
    first = [json.loads(m) for _, m in messages[:2]]
    assert [m["type"] for m in first] == ["hello", "snapshot"] and first[1]["dom"]["tag"] == "html"
    assert all(json.loads(m)["type"] == "batch" for _, m in messages[2:])
    assert "hello" not in "".join(m for _, m in messages[2:] if '"input"' in m)  # input values are masked
    observed = calls(probe, "MutationObserver.observe", bw.HOTJAR_SCRIPT)
    assert [c["arg"] for c in observed] == ["#document subtree"]
    listened = {c["api"] for c in probe["calls"] if c["script"] == bw.HOTJAR_SCRIPT}
    for event in ("mousemove", "click", "input", "keydown", "scroll"):
        assert f"addEventListener:{event}" in listened
    assert {f"_hjSessionUser_{bw.HOTJAR_ID}", f"_hjSession_{bw.HOTJAR_ID}"} <= cookies


def test_sampled_out_recorder_records_nothing(browser, net, inbox) -> None:
    with visit(browser, net, inbox, "/replay/sampled") as v:
        until(
            lambda: v.page.evaluate("() => window.clarity && window.clarity.sampled === false"),
            what="the tag",
        )
        time.sleep(1.0)  # the ticker keeps changing the page meanwhile: nothing may be sent
        probe = v.probe()
        cookies = {c["name"] for c in v.context.cookies()}
    assert {r.host for r in net.log} == {bw.SITE, "www.clarity.ms"}
    assert [r.path for r in net.log.find(host="www.clarity.ms")] == [f"/tag/{bw.CLARITY_ID}"]
    assert [c for c in probe["calls"] if c["script"] == bw.CLARITY_TAG] == []  # no observer, no listener
    assert not cookies & {"_clck", "_clsk"}


def test_unknown_recorder_observes_and_posts_batches(browser, net, inbox) -> None:
    with visit(browser, net, inbox, "/replay/unknown") as v:
        v.page.mouse.move(30, 30)
        v.page.mouse.move(80, 60)
        v.page.fill("#question", "typed")

        def batches() -> list[dict]:
            found = inbox.find(host=bw.REPLAYLYTICS_COLLECT, method="POST")
            return [json.loads(r.body) for r in found]

        def recorded() -> bool:
            found = batches()
            return len(found) >= 2 and {"m", "mv", "i"} <= {e["k"] for b in found for e in b["events"]}

        until(recorded, what="two batches with mutations, mouse moves and input")
        probe = v.probe()
    assert [b["seq"] for b in batches()][:2] == [1, 2]
    observed = calls(probe, "MutationObserver.observe", bw.REPLAYLYTICS_SCRIPT)
    assert [c["arg"] for c in observed] == ["HTML subtree"]
    listened = {c["api"] for c in probe["calls"] if c["script"] == bw.REPLAYLYTICS_SCRIPT}
    assert {"addEventListener:input", "addEventListener:mousemove", "addEventListener:click"} <= listened


# -- form data, identifiers, first-party trackers, embeds ------------------------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def test_advanced_matching_sends_the_hashed_email_before_any_submit(browser, net, inbox) -> None:
    typed = "  Scanner-Canary-7f3a@Example.INVALID "
    with visit(browser, net, inbox, "/signup") as v:
        until(lambda: urls(net, "www.facebook.com"), what="the PageView")
        v.page.fill("#full_name", "Canary Name 7f3a")
        v.page.fill("#q", "qwz")
        v.page.fill("#email", typed)  # one input event, as a form probe's fill makes

        def matched() -> list[str]:
            return [u for u in urls(net, "www.facebook.com") if "ud[em]" in query(u)]

        hits = until(matched, what="the advanced-matching hit")
        assert inbox.submits == []  # before any submit
        until(lambda: net.log.find(host=bw.SITE, path_prefix="/suggest?q=qwz"), what="the suggestions")
        facebook = urls(net, "www.facebook.com")
        cookies = {c["name"]: c["value"] for c in v.context.cookies()}
        assert inbox.submits == []
        v.page.click("button[type=submit]")  # the control: a real submit does reach /order
        until(lambda: inbox.submits, what="the submit")
    hit = query(hits[0])
    assert hit["ud[em]"] == [_sha256(typed.strip().lower())] and hit["ev"] == ["PageView"]
    assert hit["id"] == [bw.FB_PIXEL_ID] and hit["fbp"] == [cookies["_fbp"]]
    assert urlsplit(hits[0]).path == "/tr/"
    sent = " ".join(facebook)
    for other in ("Canary Name 7f3a", "qwz"):  # the name and search fields never reach Facebook
        assert _sha256(other.lower()) not in sent and other.replace(" ", "+") not in sent
    assert "canary" not in sent.lower().replace(_sha256(typed.strip().lower()), "")
    assert len(inbox.submits) == 1 and b"Scanner-Canary" in inbox.submits[0].body


def test_identifiers_reach_third_parties_and_the_sync_chain_carries_the_uid(browser, net, inbox) -> None:
    with visit(browser, net, inbox, "/ids") as v:
        for host in ("ad.doubleclick.net", "sb.scorecardresearch.com", "ib.adnxs.com"):
            until(lambda h=host: net.log.find(host=h), what=host)
        until(lambda: inbox.find(host="ad.doubleclick.net", method="POST"), what="the DoubleClick POST")
        cookies = {c["name"]: c["value"] for c in v.context.cookies()}
        device = v.page.evaluate("() => localStorage.getItem('bs_device_id')")
    vid, ga = cookies["bs_vid"], cookies["_ga"]
    assert re.fullmatch(r"GA1\.1\.\d{10}\.\d{10}", ga) and re.fullmatch(r"[0-9a-f]{32}", device)
    activity = query(urls(net, "ad.doubleclick.net", "GET")[0])
    assert activity["u1"] == [vid] and activity["u2"] == [ga]
    posted = json.loads(inbox.find(host="ad.doubleclick.net", method="POST")[0].body)
    assert base64.b64decode(posted["uid"]).decode() == vid
    assert query(urls(net, "sb.scorecardresearch.com")[0])["cs_fpid"] == [device]
    criteo_uid = inbox.sync_ids["dis.criteo.com"][0]
    tuuid = inbox.sync_ids["x.bidswitch.net"][0]
    assert len(criteo_uid) >= 24 and len(tuuid) == 32
    assert query(urls(net, "x.bidswitch.net")[0])["user_id"] == [criteo_uid]
    assert query(urls(net, "ib.adnxs.com")[0])["code"] == [tuuid]


def test_sync_ids_travel_in_set_cookie_headers(net) -> None:
    """What a detector must read when the browser refuses third-party cookies: the redirect's header."""
    inbox = BehaviourInbox()
    world = behaviour_world(inbox)
    from scanner.fakenet.site import RequestInfo

    criteo = world["dis.criteo.com"](
        RequestInfo("https", "dis.criteo.com", "GET", "/dis/usersync.aspx?r=7", {})
    )
    uid = inbox.sync_ids["dis.criteo.com"][0]
    assert criteo.status == 302 and any(c.startswith(f"uid={uid};") for c in criteo.set_cookies())
    assert dict(criteo.headers)["Location"].endswith(f"user_id={uid}&expires=30")
    bidswitch = world["x.bidswitch.net"](RequestInfo("https", "x.bidswitch.net", "GET", "/sync", {}))
    tuuid = inbox.sync_ids["x.bidswitch.net"][0]
    assert any(c.startswith(f"tuuid={tuuid};") for c in bidswitch.set_cookies())
    assert dict(bidswitch.headers)["Location"].endswith(f"code={tuuid}")


def test_first_party_subdomain_tracker(browser, net, inbox) -> None:
    with visit(browser, net, inbox, "/cloaked") as v:
        until(lambda: net.log.find(host=bw.METRICS), what="the beacon")
        until(lambda: any(c["name"] == "s_ecid" for c in v.context.cookies()), what="s_ecid")
        cookies = {c["name"]: c for c in v.context.cookies()}
    beacon = urls(net, bw.METRICS)[0]
    pattern = (
        rf"https://{re.escape(bw.METRICS)}/b/ss/{bw.ADOBE_RSID}/1/JS-{re.escape(bw.ADOBE_VERSION)}/s\d{{14}}"
    )
    assert re.match(pattern, beacon)
    amcv = cookies[f"AMCV_{bw.ADOBE_ORG}%40AdobeOrg"]
    mid = re.search(r"MCMID%7C(\d{38})", amcv["value"]).group(1)  # type: ignore[union-attr]
    assert query(beacon)["mid"] == [mid]
    assert cookies["s_ecid"]["value"] == f"MCMID%7C{mid}" and cookies["s_ecid"]["domain"] == f".{bw.DOMAIN}"
    assert cookies["s_cc"]["value"] == "true"


def test_embeds_are_framed(browser, net, inbox) -> None:
    with visit(browser, net, inbox, "/embeds") as v:
        wanted = [e.frame for e in BEHAVIOUR_TRUTH["/embeds"].expect]
        until(
            lambda: all(any(f.url.startswith(w) for f in v.page.frames) for w in wanted), what="embed frames"
        )
        gsi = [f.url for f in v.page.frames if f.url.startswith("https://accounts.google.com/gsi/button")]
    assert query(gsi[0])["client_id"] == [bw.GSI_CLIENT_ID]
    assert net.log.find(host="accounts.google.com", path_prefix="/gsi/client")


# -- by hand ---------------------------------------------------------------------------------------


def test_served_by_python_m_scanner_fakenet() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "scanner.fakenet", "behaviour"],
        cwd=REPO,
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        assert process.stdout is not None
        lines = [process.stdout.readline() for _ in range(3)]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert lines[0].startswith("serving ") and "start page: https://www.behave-shop.com/" in lines[1]
    assert "MAP www.behave-shop.com 127.0.0.1:" in lines[2]
