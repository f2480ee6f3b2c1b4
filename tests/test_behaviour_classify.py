"""Fingerprinting criteria, each at its threshold (one below does not fire), the false-positive shapes,
and the security label, through the real pipeline: collector rows -> assemble -> attribute -> classifier."""

from __future__ import annotations

import pytest
from behaviour_factory import (
    PAGES,
    api_row,
    audio_probe,
    canvas_fingerprint,
    canvas_font_probe,
    canvas_read,
    emoji_check,
    font_check_probe,
    navigator_sweep,
    request,
    scan,
    video_player,
    visit,
    webgl_map,
    webgl_probe,
    webrtc_probe,
)

from scanner.behaviour.classify import (
    CANVAS_FONT_MIN_FONTS,
    CANVAS_FONT_MIN_MEASURE,
    FONT_CHECK_MIN,
    NAVIGATOR_SWEEP_MIN,
    font_family,
)

HOME = PAGES[0]
SCRIPT = "https://cdn.fp-metrics.net/fp.js"


def techniques(rows: list[dict], script: str = SCRIPT, page: str = HOME) -> dict[str, str]:
    """technique -> kind of what the classifier found in these api rows of ``script``."""
    result = scan([visit(page, [request(script, page)], api_calls=rows)])
    return {d.technique: d.kind for d in result.behaviour.detections if d.script == script}


# ---- canvas (Englehardt & Narayanan 2016) --------------------------------------------------------


def test_canvas_fingerprint_is_found():
    assert techniques(canvas_fingerprint(SCRIPT, HOME)) == {"canvas": "fingerprinting"}


@pytest.mark.parametrize(
    ("read", "api", "fires"),
    [
        (canvas_read(16, 16), "toDataURL", True),  # the smallest canvas that counts
        (canvas_read(15, 60), "toDataURL", False),
        (canvas_read(240, 15), "toDataURL", False),
        (canvas_read(text_chars=10, colors=1), "toDataURL", True),
        (canvas_read(text_chars=9, colors=1), "toDataURL", False),
        (canvas_read(text_chars=1, colors=2), "toDataURL", True),
        (canvas_read(save_restore=True), "toDataURL", False),
        (canvas_read(listeners=True), "toDataURL", False),
        (canvas_read(read_width=16, read_height=16), "getImageData", True),
        (canvas_read(read_width=15, read_height=16), "getImageData", False),
        (canvas_read(read_width=16, read_height=1), "getImageData", False),
        (canvas_read(), "toBlob", True),
    ],
)
def test_canvas_criterion_thresholds(read, api, fires):
    found = techniques(canvas_fingerprint(SCRIPT, HOME, read, api))
    assert ("canvas" in found) is fires


def test_emoji_check_is_not_fingerprinting():
    # wp-emoji: a 16x16 canvas with a few characters in one colour, and a 1-pixel getImageData
    assert techniques(emoji_check(SCRIPT, HOME)) == {}


def test_canvas_font_thresholds():
    assert "canvas_font" in techniques(
        canvas_font_probe(SCRIPT, HOME, CANVAS_FONT_MIN_FONTS, CANVAS_FONT_MIN_MEASURE)
    )
    assert techniques(canvas_font_probe(SCRIPT, HOME, CANVAS_FONT_MIN_FONTS - 1, 500)) == {}
    assert techniques(canvas_font_probe(SCRIPT, HOME, 500, CANVAS_FONT_MIN_MEASURE - 1)) == {}


def test_counts_are_judged_per_page_not_summed():
    # 30 measureText calls on each of two pages is not one script measuring 60 times
    visits = [
        visit(
            p,
            [request(SCRIPT, p)],
            api_calls=canvas_font_probe(SCRIPT, p, 60, CANVAS_FONT_MIN_MEASURE // 2 + 5),
        )
        for p in PAGES[:2]
    ]
    assert not scan(visits).behaviour.detections


# ---- WebGL, audio, WebRTC ------------------------------------------------------------------------


@pytest.mark.parametrize("param", ["37445", "37446"])
def test_webgl_unmasked_vendor_or_renderer(param):
    assert techniques(webgl_probe(SCRIPT, HOME, (param,))) == {"webgl": "fingerprinting"}


def test_webgl_needs_the_debug_extension_and_an_unmasked_parameter():
    rows = webgl_probe(SCRIPT, HOME)
    assert techniques(rows[1:]) == {}  # getParameter(37445) without WEBGL_debug_renderer_info
    assert techniques(webgl_probe(SCRIPT, HOME, ("7936", "7937"))) == {}  # masked VENDOR / RENDERER


def test_a_webgl_map_is_not_fingerprinting():
    assert techniques(webgl_map(SCRIPT, HOME)) == {}


def test_audio_fingerprint_needs_the_whole_offline_pattern():
    assert techniques(audio_probe(SCRIPT, HOME)) == {"audio": "fingerprinting"}
    assert techniques(audio_probe(SCRIPT, HOME, compressor=False)) == {}
    assert techniques(audio_probe(SCRIPT, HOME, context="realtime")) == {}  # nodes of a live context
    rows = [
        r
        for r in audio_probe(SCRIPT, HOME)
        if r["api"] not in ("OfflineAudioContext.startRendering", "AudioBuffer.getChannelData")
    ]
    assert techniques(rows) == {}


def test_a_video_player_audio_context_is_not_fingerprinting():
    assert techniques(video_player(SCRIPT, HOME)) == {}


def test_webrtc_ip_discovery_without_media_only():
    assert techniques(webrtc_probe(SCRIPT, HOME)) == {"webrtc_ip": "fingerprinting"}
    assert techniques(webrtc_probe(SCRIPT, HOME, media=True)) == {}  # a video call
    no_listener = [r for r in webrtc_probe(SCRIPT, HOME) if "icecandidate" not in r["api"]]
    assert techniques(no_listener) == {}


# ---- navigator sweep, font probing ---------------------------------------------------------------


def test_navigator_sweep_threshold():
    assert techniques(navigator_sweep(SCRIPT, HOME, NAVIGATOR_SWEEP_MIN)) == {
        "navigator_sweep": "fingerprinting"
    }
    assert techniques(navigator_sweep(SCRIPT, HOME, NAVIGATOR_SWEEP_MIN - 1)) == {}


def test_navigator_reads_of_different_scripts_do_not_add_up():
    other = "https://cdn.other-lib.net/a.js"  # 8 + 11 properties by two scripts: neither reaches 12
    rows = navigator_sweep(SCRIPT, HOME, 8) + [
        api_row(HOME, r["api"], 1, other) for r in navigator_sweep(other, HOME, 19)[8:]
    ]
    result = scan([visit(HOME, [request(SCRIPT, HOME), request(other, HOME)], api_calls=rows)])
    assert not result.behaviour.detections


def test_font_probing_threshold():
    assert techniques(font_check_probe(SCRIPT, HOME, FONT_CHECK_MIN)) == {"font_probing": "fingerprinting"}
    assert techniques(font_check_probe(SCRIPT, HOME, FONT_CHECK_MIN - 1)) == {}


def test_font_probing_counts_families_not_sizes():
    # a web-font loader checking 3 families in 10 sizes each is not probing 30 fonts
    values = [f"{size}px {family}" for family in ("Roboto", "'Open Sans'", "Lato") for size in range(10, 20)]
    rows = [api_row(HOME, "FontFaceSet.check", 30, SCRIPT, args=values)]
    assert techniques(rows) == {}


def test_font_family_of_a_shorthand():
    assert font_family("bold 12px 'Arial Black'") == "arial black"
    assert font_family("italic 600 1.5em/2 Georgia, serif") == "georgia, serif"
    assert font_family("Arial") == "arial"


# ---- security labelling --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("script", "vendor"),
    [
        ("https://www.gstatic.com/recaptcha/releases/r1/recaptcha__en.js", "Google reCAPTCHA"),
        ("https://js.hcaptcha.com/1/api.js", "hCaptcha"),
        ("https://challenges.cloudflare.com/turnstile/v0/api.js", "Cloudflare Turnstile"),
        ("https://js.datadome.co/tags.js", "DataDome"),
        ("https://fpnpmcdn.net/v3/abc/loader_v3.11.0.js", "FingerprintJS"),
        ("https://js.stripe.com/v3/", "Stripe"),  # payment: its fraud signals
    ],
)
def test_security_vendors_fingerprint_for_security(script, vendor):
    result = scan([visit(HOME, [request(script, HOME)], api_calls=canvas_fingerprint(script, HOME))])
    (d,) = result.behaviour.detections
    assert (d.kind, d.purpose, d.vendor) == ("security_fingerprinting", "security", vendor)
    (f,) = result.behaviour.findings
    assert (f.status, f.severity) == ("security_fingerprinting", "low")


def test_the_same_behaviour_by_a_tracker_is_fingerprinting():
    script = "https://static.criteo.net/js/ld/ld.js"
    result = scan([visit(HOME, [request(script, HOME)], api_calls=canvas_fingerprint(script, HOME))])
    (d,) = result.behaviour.detections
    assert (d.kind, d.purpose, d.vendor, d.category) == (
        "fingerprinting",
        "tracking",
        "Criteo",
        "advertising",
    )


def test_a_first_party_script_is_named_by_its_host():
    script = f"{HOME}assets/fp.js"
    result = scan([visit(HOME, [request(script, HOME)], api_calls=canvas_fingerprint(script, HOME))])
    (f,) = result.behaviour.findings
    assert f.vendor == "www.behaviour-shop.com (first party)" and f.unknown


def test_calls_of_an_unknown_script_are_judged_per_frame():
    rows = canvas_fingerprint(None, HOME)
    result = scan([visit(HOME, [], api_calls=rows)])
    (d,) = result.behaviour.detections
    assert d.script is None and d.subject == "unknown script"
    call = result.api_calls[0]
    assert (call.host, call.vendor, call.third_party) == (None, None, False)
