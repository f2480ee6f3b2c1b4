"""The behaviour hooks count what scripts do, in every frame, in the page, and hand it over at the end.

One real-browser scan of an ad-hoc world: a page loading a third-party fingerprinting script (canvas and
canvas-font, unmasked WebGL, navigator/screen sweep, font probing, listeners, DOM observer, audio and
WebRTC probes), a first-party emoji check, a chart canvas, a cross-origin iframe, an iframe removed during
the visit, and a page that navigates away during its visit. The rows are read back from pages.jsonl (what
the pipeline assembles from).
"""

from __future__ import annotations

import json
from collections import Counter

import pytest
from conftest import scan

from scanner.collect.hooks import HookChannel
from scanner.fakenet import FakeInternet, Response, Site

HOST = "www.behave.test"
VENDOR = "cdn.fp-vendor.test"
FRAME = "frame.other-origin.test"
FP_JS = f"https://{VENDOR}/fp.js"
LOOP = 20_000

# An imitation of a canvas + canvas-font + WebGL + navigator fingerprinter (FingerprintJS-like).
FP = r"""
(() => {
  const c = document.createElement("canvas");
  c.width = 240; c.height = 60;
  const x = c.getContext("2d");
  x.textBaseline = "top";
  x.font = "14px 'Arial'";
  x.fillStyle = "#f60";
  x.fillRect(125, 1, 62, 20);
  x.fillStyle = "#069";
  x.fillText("Cwm fjordbank glyphs vext quiz, \ud83d\ude03", 2, 15);
  x.fillStyle = "rgba(102, 204, 0, 0.7)";
  x.fillText("Cwm fjordbank glyphs vext quiz, \ud83d\ude03", 4, 17);
  const image = c.toDataURL();
  // Canvas-font probing: one measureText per font and round, in a hot loop.
  const m = document.createElement("canvas").getContext("2d");
  const fonts = [];
  for (let i = 0; i < 60; i++) fonts.push("72px font" + i + ", monospace");
  for (let i = 0; i < LOOP; i++) {
    if (i < fonts.length) m.font = fonts[i];
    m.measureText("mmmmmmmmmmlli");
  }
  const gl = document.createElement("canvas").getContext("webgl");
  if (gl) {
    gl.getExtension("WEBGL_debug_renderer_info");
    gl.getParameter(37445);
    gl.getParameter(37446);
  }
  const props = ["userAgent", "platform", "language", "languages", "hardwareConcurrency", "deviceMemory",
    "plugins", "mimeTypes", "doNotTrack", "maxTouchPoints", "vendor", "webdriver", "cookieEnabled",
    "appVersion", "connection", "userAgentData", "pdfViewerEnabled"];
  const seen = props.map((p) => navigator[p]);
  const shown = [screen.width, screen.height, screen.availWidth, screen.availHeight, screen.colorDepth,
    screen.pixelDepth, screen.orientation];
  for (const f of ["12px Arial", "12px Wingdings", "12px Comic Sans MS"]) document.fonts.check(f);
  document.addEventListener("keydown", () => {});
  addEventListener("mousemove", () => {});
  document.querySelector("input").addEventListener("input", () => {});
  document.querySelector("form").addEventListener("submit", (e) => e.preventDefault());
  window.addEventListener("load", () => {}); // not a tracked type: not counted
  new MutationObserver(() => {}).observe(document, { childList: true, subtree: true, attributes: true,
    characterData: true });
  // OfflineAudioContext fingerprint.
  const audio = new OfflineAudioContext(1, 5000, 44100);
  const osc = audio.createOscillator();
  osc.type = "triangle";
  osc.frequency.value = 10000;
  const comp = audio.createDynamicsCompressor();
  osc.connect(comp);
  comp.connect(audio.destination);
  osc.start(0);
  audio.startRendering().then((buffer) => { buffer.getChannelData(0); });
  // A media player's realtime context: "realtime".
  new AudioContext().createAnalyser();
  // WebRTC local address discovery.
  const pc = new RTCPeerConnection({ iceServers: [] });
  pc.createDataChannel("probe");
  pc.onicecandidate = () => {};
  pc.addEventListener("icecandidate", () => {});
  pc.createOffer().then((offer) => pc.setLocalDescription(offer)).catch(() => {});
  window.__keep = [image, seen, shown];
})();
""".replace("LOOP", str(LOOP))

# WordPress-style emoji support check: one emoji drawn, the image compared.
EMOJI = r"""
(() => {
  const c = document.createElement("canvas");
  const x = c.getContext("2d");
  x.textBaseline = "top";
  x.font = "600 32px Arial";
  x.fillText("\ud83c\udff3\ufe0f\u200d\u26a7\ufe0f", 0, 0);
  c.toDataURL();
})();
"""

# A chart: saves/restores its state and listens on its canvas, reads a region of it.
CHART = r"""
(() => {
  const c = document.createElement("canvas");
  c.width = 400; c.height = 200;
  document.body.appendChild(c);
  c.addEventListener("click", () => {});
  const x = c.getContext("2d");
  x.save();
  x.fillStyle = "#3366cc";
  x.fillRect(10, 10, 100, 100);
  x.restore();
  x.getImageData(0, 0, 50, 40);
})();
"""

FRAME_JS = r"""
(() => {
  const v = [navigator.userAgent, navigator.platform, navigator.languages, screen.width, screen.height];
  document.addEventListener("keyup", () => {});
  window.__v = v;
})();
"""

GONE = """<!doctype html><title>gone</title><script>
void [navigator.hardwareConcurrency, navigator.hardwareConcurrency, screen.colorDepth];
parent.postMessage("gone-ready", "*");
</script>"""

HOME = f"""<!doctype html><meta charset=utf-8><title>Behave</title>
<body><form><input name=q></form>
<script src="https://{VENDOR}/fp.js"></script>
<script src="/emoji.js"></script>
<script src="/chart.js"></script>
<iframe src="https://{FRAME}/f"></iframe>
<script>
addEventListener("message", (e) => {{
  if (e.data === "gone-ready") document.querySelector("#gone").remove();
}});
</script>
<iframe id=gone src="/gone"></iframe>
"""

NAV_ONE = """<!doctype html><title>one</title><script src="/nav.js"></script>
<script>setTimeout(() => { location.href = "/nav-two"; }, 50);</script>"""
NAV_TWO = """<!doctype html><title>two</title><script src="/nav.js?two"></script>"""
NAV_JS = "void [navigator.userAgent, navigator.userAgent, screen.width];"


def world() -> dict:
    return {
        HOST: Site(
            {
                "/": Response.html(HOME),
                "/emoji.js": Response.script(EMOJI),
                "/chart.js": Response.script(CHART),
                "/gone": Response.html(GONE),
                "/nav-one": Response.html(NAV_ONE),
                "/nav-two": Response.html(NAV_TWO),
                "/nav.js": Response.script(NAV_JS),
            }
        ),
        VENDOR: Site({"/fp.js": Response.script(FP), "/frame.js": Response.script(FRAME_JS)}),
        FRAME: Site(
            {
                "/f": Response.html(
                    f'<!doctype html><title>f</title><script src="https://{VENDOR}/frame.js"></script>'
                )
            }
        ),
    }


@pytest.fixture(scope="module")
def behave(tmp_path_factory):
    """(api_calls rows of the saved visits, page records, binding calls per report kind)."""
    out = tmp_path_factory.mktemp("api-hooks")
    kinds: Counter = Counter()
    original = HookChannel.on_binding_called

    def counting(self, event):
        try:
            kinds[json.loads(event.get("payload"))["k"]] += 1
        except Exception:  # noqa: BLE001 - not ours to judge here
            kinds["unreadable"] += 1
        return original(self, event)

    HookChannel.on_binding_called = counting
    try:
        with FakeInternet(world()) as net:
            scan(
                net,
                [f"https://{HOST}/", f"https://{HOST}/nav-one"],
                out,
                max_pages=2,
                use_sitemap=False,
                concurrency=1,
                api_hooks=True,
            )
    finally:
        HookChannel.on_binding_called = original
    visits = [json.loads(line) for line in (out / "pages.jsonl").read_text(encoding="utf-8").splitlines()]
    rows = [row for visit in visits for row in visit.get("api_calls", [])]
    return rows, [visit["page"] for visit in visits], kinds


def find(rows: list[dict], api: str, script: str | None = FP_JS, frame: str | None = None) -> dict:
    frame = frame or f"https://{HOST}/"
    hits = [r for r in rows if r["api"] == api and r["script"] == script and r["frame_url"] == frame]
    assert len(hits) == 1, (api, script, frame, [r for r in rows if r["api"] == api])
    return hits[0]


pytestmark = pytest.mark.browser


def test_rows_have_the_raw_api_call_shape(behave):
    rows, pages, _ = behave
    assert rows
    fields = {"page_url", "api", "count", "script", "frame_url", "args", "args_total", "canvas"}
    assert all(set(row) == fields for row in rows)
    home = [r for r in rows if r["frame_url"] in (f"https://{HOST}/", f"https://{FRAME}/f")]
    assert {r["page_url"] for r in home} == {f"https://{HOST}/"}
    assert not [
        e for p in pages for e in p.get("collector_errors", []) if e["collector"] in ("hooks", "api_calls")
    ]


def test_canvas_fingerprint_is_counted_with_its_facts(behave):
    rows, _, _ = behave
    read = find(rows, "HTMLCanvasElement.toDataURL")
    assert read["count"] == 1
    # "Cwm fjordbank glyphs vext quiz, 😃": 29 distinct code points; 3 fill styles.
    assert read["canvas"] == [
        {
            "width": 240,
            "height": 60,
            "read_width": 240,
            "read_height": 60,
            "text_chars": 29,
            "colors": 3,
            "save_restore": False,
            "listeners": False,
        }
    ]
    text = find(rows, "CanvasRenderingContext2D.fillText")
    assert text["count"] == 2 and text["args"] == ["Cwm fjordbank glyphs vext quiz, \U0001f603"]
    styles = find(rows, "CanvasRenderingContext2D.fillStyle")
    assert styles["args"] == ["#f60", "#069", "rgba(102, 204, 0, 0.7)"] and styles["args_total"] == 3


def test_a_hot_loop_is_one_row_and_few_binding_calls(behave):
    rows, _, kinds = behave
    measure = find(rows, "CanvasRenderingContext2D.measureText")
    assert measure["count"] == LOOP
    assert measure["args"] == ["mmmmmmmmmmlli"] and measure["args_total"] == 1
    font = find(rows, "CanvasRenderingContext2D.font")
    assert font["count"] == 61 and font["args_total"] == 61 and len(font["args"]) == 20
    # One report per document with rows (home, its two iframes, nav-one on pagehide, nav-two), a few
    # more for chunks: never one per call.
    assert 4 <= kinds["api"] <= 12, kinds


def test_emoji_check_and_chart_canvas_facts(behave):
    rows, _, _ = behave
    emoji = find(rows, "HTMLCanvasElement.toDataURL", script=f"https://{HOST}/emoji.js")
    # 🏳️‍⚧️: U+1F3F3, U+FE0F, U+200D, U+26A7; no fill style set; a default 300x150 canvas.
    assert emoji["canvas"] == [
        {
            "width": 300,
            "height": 150,
            "read_width": 300,
            "read_height": 150,
            "text_chars": 4,
            "colors": 0,
            "save_restore": False,
            "listeners": False,
        }
    ]
    chart = find(rows, "CanvasRenderingContext2D.getImageData", script=f"https://{HOST}/chart.js")
    assert chart["canvas"] == [
        {
            "width": 400,
            "height": 200,
            "read_width": 50,
            "read_height": 40,
            "text_chars": 0,
            "colors": 1,
            "save_restore": True,
            "listeners": True,
        }
    ]
    click = find(rows, "EventTarget.addEventListener:click", script=f"https://{HOST}/chart.js")
    assert click["args"] == ["canvas"]


def test_webgl_navigator_fonts_listeners_and_observers(behave):
    rows, _, _ = behave
    assert find(rows, "WebGLRenderingContext.getParameter")["args"] == ["37445", "37446"]
    assert find(rows, "WebGLRenderingContext.getExtension")["args"] == ["WEBGL_debug_renderer_info"]
    swept = {
        r["api"] for r in rows if r["script"] == FP_JS and r["api"].startswith(("Navigator.", "Screen."))
    }
    assert {"Navigator.userAgent", "Navigator.webdriver", "Navigator.plugins", "Screen.colorDepth"} <= swept
    assert len(swept) >= 20, swept
    assert find(rows, "FontFaceSet.check")["args"] == ["12px Arial", "12px Wingdings", "12px Comic Sans MS"]
    assert find(rows, "EventTarget.addEventListener:keydown")["args"] == ["document"]
    assert find(rows, "EventTarget.addEventListener:mousemove")["args"] == ["window"]
    assert find(rows, "EventTarget.addEventListener:input")["args"] == ["input"]
    assert find(rows, "EventTarget.addEventListener:submit")["args"] == ["form"]
    assert not [r for r in rows if r["api"] == "EventTarget.addEventListener:load"]
    observe = find(rows, "MutationObserver.observe")
    assert observe["args"] == ["document|childList,subtree,attributes,characterData"]


def test_audio_and_webrtc_probes(behave):
    rows, _, _ = behave
    assert find(rows, "BaseAudioContext.createOscillator")["args"] == ["offline"]
    assert find(rows, "BaseAudioContext.createDynamicsCompressor")["args"] == ["offline"]
    assert find(rows, "BaseAudioContext.createAnalyser")["args"] == ["realtime"]
    assert find(rows, "OfflineAudioContext.startRendering")["count"] == 1
    assert find(rows, "AudioBuffer.getChannelData")["args"] == ["0"]
    assert find(rows, "RTCPeerConnection.createDataChannel")["args"] == ["probe"]
    for api in ("RTCPeerConnection.onicecandidate", "RTCPeerConnection.createOffer"):
        assert find(rows, api)["count"] == 1
    assert find(rows, "RTCPeerConnection.setLocalDescription")["count"] == 1
    assert find(rows, "EventTarget.addEventListener:icecandidate")["args"] == ["other"]


def test_frames_removed_and_replaced_documents_are_counted(behave):
    rows, _, _ = behave
    frame = f"https://{FRAME}/f"
    frame_js = f"https://{VENDOR}/frame.js"
    assert find(rows, "Navigator.userAgent", script=frame_js, frame=frame)["count"] == 1
    assert find(rows, "EventTarget.addEventListener:keyup", script=frame_js, frame=frame)["args"] == [
        "document"
    ]
    # The iframe removed during the visit sent its rows on pagehide (inline script: the document's URL).
    gone = f"https://{HOST}/gone"
    assert find(rows, "Navigator.hardwareConcurrency", script=gone, frame=gone)["count"] == 2
    # The page that navigated away during its visit: both documents.
    one, two = f"https://{HOST}/nav-one", f"https://{HOST}/nav-two"
    assert find(rows, "Navigator.userAgent", script=f"https://{HOST}/nav.js", frame=one)["count"] == 2
    assert find(rows, "Navigator.userAgent", script=f"https://{HOST}/nav.js?two", frame=two)["count"] == 2
    assert {r["page_url"] for r in rows if r["frame_url"] in (one, two)} == {one}


def test_api_reports_have_their_own_budget():
    """Pure: "api" reports need a channel with the behaviour hooks on, are capped apart from the
    cookie/beacon/image reports, and their drops are noted."""
    got: list = []
    on = HookChannel(lambda kind, data: got.append(kind), api_hooks=True, api_limit=2, page_limit=1)
    off = HookChannel(lambda kind, data: got.append(kind))

    def call(channel: HookChannel, kind: str) -> None:
        payload = json.dumps({"n": channel.nonce, "k": kind, "d": {"frame": None, "rows": [], "lost": 0}})
        channel.on_binding_called({"name": channel.binding, "payload": payload, "executionContextId": 1})

    for _ in range(3):
        call(on, "api")
    call(on, "cookie")
    call(off, "api")
    assert got == ["api", "api", "cookie"]
    assert on.api_dropped == 1 and on.dropped == 0 and off.rejected == 1
    assert on.losses() == ["1 reports of API call rows dropped: over the limit of 2 per page"]
    assert on.api_event and off.api_event is None and on.api_event in on.script()
    assert "const TABLE" not in off.script() and "const TABLE" in on.script()
