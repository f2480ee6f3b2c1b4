"""Properties of the behaviour classifier over arbitrary API call rows: it never raises (rows come from
pages, whatever the collector bounds), and detections are monotone in counts (calling an API more often
never undoes a detection)."""

from __future__ import annotations

from dataclasses import replace

import behaviour_factory as bf
from behaviour_factory import NAVIGATOR_PROPS
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.behaviour.classify import fingerprinting
from scanner.behaviour.replay import observes_document, possible_recorders
from scanner.model import ApiCall

APIS = [
    "HTMLCanvasElement.toDataURL",
    "HTMLCanvasElement.toBlob",
    "CanvasRenderingContext2D.getImageData",
    "CanvasRenderingContext2D.fillText",
    "CanvasRenderingContext2D.measureText",
    "CanvasRenderingContext2D.font",
    "CanvasRenderingContext2D.save",
    "WebGLRenderingContext.getParameter",
    "WebGL2RenderingContext.getExtension",
    "BaseAudioContext.createOscillator",
    "BaseAudioContext.createDynamicsCompressor",
    "OfflineAudioContext.startRendering",
    "OfflineAudioContext",
    "AudioBuffer.getChannelData",
    "RTCPeerConnection.createDataChannel",
    "RTCPeerConnection.createOffer",
    "RTCPeerConnection.onicecandidate",
    "RTCPeerConnection.addTrack",
    "FontFaceSet.check",
    "MutationObserver.observe",
    "EventTarget.addEventListener:keydown",
    "EventTarget.addEventListener:mousemove",
    "EventTarget.addEventListener:icecandidate",
    *NAVIGATOR_PROPS,
]
ARGS = [
    "37445",
    "37446",
    "WEBGL_debug_renderer_info",
    "offline",
    "realtime",
    "body|childList,subtree",
    "12px A",
]
FACT_VALUES = st.one_of(
    st.integers(-(2**40), 2**40), st.booleans(), st.none(), st.text(max_size=5), st.floats()
)
CANVAS = st.dictionaries(
    st.sampled_from(
        [
            "width",
            "height",
            "read_width",
            "read_height",
            "text_chars",
            "colors",
            "save_restore",
            "listeners",
            "x",
        ]
    ),
    FACT_VALUES,
    max_size=9,
)
ROW = st.builds(
    ApiCall,
    page_url=st.sampled_from(["https://a.example/", "https://a.example/2"]),
    api=st.one_of(st.sampled_from(APIS), st.text(max_size=30)),
    count=st.integers(0, 300),
    script=st.sampled_from([None, "https://t.example/x.js", "https://u.example/y.js"]),
    frame_url=st.sampled_from([None, "https://a.example/", "https://f.example/"]),
    args=st.lists(st.one_of(st.sampled_from(ARGS), st.text(max_size=20)), max_size=30).map(tuple),
    args_total=st.integers(0, 500),
    canvas=st.lists(CANVAS, max_size=3).map(tuple),
    third_party=st.booleans(),
    vendor=st.sampled_from([None, "Criteo", "Google reCAPTCHA"]),
)


PROFILES = [
    bf.canvas_fingerprint,
    bf.canvas_font_probe,
    bf.webgl_probe,
    bf.audio_probe,
    bf.webrtc_probe,
    bf.navigator_sweep,
    bf.font_check_probe,
    bf.recorder,
    bf.emoji_check,
    bf.webgl_map,
    bf.video_player,
]


@st.composite
def behaving_rows(draw) -> list[ApiCall]:
    """Rows of real behaviour (the factory's profiles, as the collector makes them) mixed with noise,
    so that there are detections to keep or lose."""
    rows = []
    for profile in draw(st.lists(st.sampled_from(PROFILES), max_size=5)):
        script = draw(st.sampled_from(["https://t.example/x.js", "https://u.example/y.js", None]))
        vendor = draw(st.sampled_from([None, "Criteo", "Google reCAPTCHA"]))
        for row in profile(script, "https://a.example/"):
            rows.append(ApiCall(**row, third_party=script is not None, vendor=vendor if script else None))
    rows += draw(st.lists(ROW, max_size=15))
    return draw(st.permutations(rows))


def categories(name: str | None) -> tuple[str, ...]:
    return {"Criteo": ("advertising",), "Google reCAPTCHA": ("security",)}.get(name or "", ())


def found(rows: list[ApiCall]) -> set[tuple]:
    out = {(d.kind, d.technique, d.script, d.pages) for d in fingerprinting(rows, categories)}
    out |= {(d.kind, d.technique, d.script) for d in possible_recorders(rows, set(), categories)}
    return {key[:3] for key in out}


@settings(max_examples=120, deadline=None)
@given(st.one_of(st.lists(ROW, max_size=40), behaving_rows()))
def test_the_classifier_never_raises(rows):
    for d in fingerprinting(rows, categories):
        assert d.kind in ("fingerprinting", "security_fingerprinting")
        assert len(d.evidence) <= 20 and d.observations >= len(d.evidence)
    possible_recorders(rows, set(), categories)


@settings(max_examples=120, deadline=None)
@given(behaving_rows(), st.lists(st.integers(0, 200), min_size=80, max_size=80))
def test_detections_are_monotone_in_counts(rows, more):
    before = found(rows)
    after = found([replace(row, count=row.count + extra) for row, extra in zip(rows, more, strict=False)])
    assert before <= after


def test_the_profiles_are_detected_so_monotonicity_is_tested_on_something():
    rows = [
        ApiCall(**r, third_party=True)
        for p in PROFILES[:8]
        for r in p("https://t.example/x.js", "https://a.example/")
    ]
    assert len(found(rows)) == 8


def test_observe_samples_of_both_forms():
    def ctx_with(value: str):
        from scanner.behaviour.classify import contexts

        (ctx,) = contexts([ApiCall("https://a.example/", "MutationObserver.observe", 1, "s", args=(value,))])
        return ctx

    assert observes_document(ctx_with("document|childList,subtree"))
    assert observes_document(ctx_with("html|subtree,attributes"))
    assert not observes_document(ctx_with("div|childList,subtree"))
    assert not observes_document(ctx_with("body|childList"))
    assert observes_document(ctx_with("body subtree childList"))
    assert not observes_document(ctx_with("body subtree:false childList"))
