"""Session replay, leaks, identifier sharing, cloaking, embeds, declaration mismatches and the behaviour
report's scan.json form, through the real pipeline (collector rows -> assemble -> analyse)."""

from __future__ import annotations

import json

import pytest
from behaviour_factory import (
    CLOAKED_HOST,
    HOTJAR_SCRIPT,
    HOTJAR_SOCKET,
    PAGES,
    RECORDER_SCRIPT,
    T0,
    api_row,
    behaviour_result,
    canvas_fingerprint,
    cookie_observation,
    leak_row,
    recorder,
    request,
    scan,
    visit,
    websocket,
)

from scanner.declared import parse_declared_csv
from scanner.model import BEHAVIOUR_KINDS, ScanResult
from scanner.schema import validation_errors

HOME = PAGES[0]


def findings(result: ScanResult) -> dict[tuple[str, str], object]:
    return {(f.status, f.vendor): f for f in result.behaviour.findings}


# ---- the whole site ------------------------------------------------------------------------------


def test_behaviour_result_has_every_kind_and_nothing_for_the_false_positives():
    result = behaviour_result()
    found = findings(result)
    assert {k for k, _ in found} == set(BEHAVIOUR_KINDS)
    named = {v for _, v in found}
    for innocent in ("www.behaviour-shop.com (first party)", "example-tiles.net", "example-video.net"):
        assert innocent not in named  # emoji check, WebGL map, video player
    assert not any(v == "Matomo" for _, v in found)  # self-hosted on stats.: not cloaking
    fp = found[("fingerprinting", "fp-metrics.net")]
    assert fp.unknown and fp.severity == "high"
    assert set(fp.reasons) == {
        "canvas",
        "canvas_font",
        "webgl",
        "audio",
        "webrtc_ip",
        "navigator_sweep",
        "font_probing",
    }
    assert fp.evidence.pages == (PAGES[0], PAGES[1])
    assert fp.evidence.behaviour_total == len(fp.evidence.behaviour) == 9  # 7 techniques + 2 on page 2
    assert all(e["script"] == "https://cdn.fp-metrics.net/fp.js" for e in fp.evidence.behaviour)


def test_scan_json_round_trip_is_valid_against_the_schema():
    result = behaviour_result()
    data = json.loads(json.dumps(result.to_dict()))
    assert validation_errors(data) == []
    again = ScanResult.from_dict(data)
    assert again == result
    assert data["behaviour"]["summary"]["embed"] == 3
    assert {row["api"] for row in data["api_calls"]} >= {"HTMLCanvasElement.toDataURL", "FontFaceSet.check"}


def test_blind_spots_say_what_was_off():
    on = behaviour_result().behaviour
    assert on.hooks and on.probe_forms
    assert any("worker" in s.lower() for s in on.blind_spots)
    assert any("CNAME" in s for s in on.blind_spots)
    assert not any("--probe-forms was not used" in s for s in on.blind_spots)
    off = scan([visit(HOME, [])], api_hooks=False, probe_forms=False).behaviour
    assert not off.hooks and not off.probe_forms
    assert off.blind_spots[0].startswith("API hooks were off")
    assert any("--probe-forms was not used" in s for s in off.blind_spots)


# ---- session recording ---------------------------------------------------------------------------


def test_a_replay_vendor_with_a_streaming_websocket_records():
    result = scan([visit(HOME, [request(HOTJAR_SCRIPT, HOME), websocket(HOTJAR_SOCKET, HOME, 3)])])
    f = findings(result)[("session_recording", "Hotjar")]
    assert f.severity == "high"
    assert f.evidence.behaviour[0]["frames_sent"] == 3


def test_a_loaded_replay_script_alone_is_not_recording():
    result = scan(
        [
            visit(
                HOME,
                [request(HOTJAR_SCRIPT, HOME), websocket(HOTJAR_SOCKET, HOME, 2)],
                recorder(HOTJAR_SCRIPT, HOME),
            )
        ]
    )
    kinds = findings(result)
    assert ("session_recording", "Hotjar") not in kinds
    # what its script does still looks like a recorder
    assert kinds[("possible_session_recording", "Hotjar")].severity == "medium"


def test_three_payload_posts_record_two_do_not():
    clarity = "https://o.clarity.ms/collect"

    def posts(n: int, **extra) -> list[dict]:
        return [request(clarity, HOME, "fetch", "POST", ts=T0 + i, **extra) for i in range(n)]

    assert ("session_recording", "Microsoft Clarity") in findings(scan([visit(HOME, posts(3))]))
    assert ("session_recording", "Microsoft Clarity") not in findings(scan([visit(HOME, posts(2))]))
    empty = posts(3, request_headers=[{"name": "Content-Length", "value": "0"}])
    assert ("session_recording", "Microsoft Clarity") not in findings(scan([visit(HOME, empty)]))
    gets = [request(clarity, HOME, "image", ts=T0 + i) for i in range(5)]
    assert ("session_recording", "Microsoft Clarity") not in findings(scan([visit(HOME, gets)]))


def test_possible_recording_needs_a_whole_document_observer_and_two_input_kinds():
    def kinds(rows):
        return findings(scan([visit(HOME, [request(RECORDER_SCRIPT, HOME)], rows)]))

    assert ("possible_session_recording", "replay-box.net") in kinds(recorder(RECORDER_SCRIPT, HOME))
    assert kinds(recorder(RECORDER_SCRIPT, HOME, ("keydown", "keyup"))) == {}  # one kind: keys
    assert ("possible_session_recording", "replay-box.net") in kinds(
        recorder(RECORDER_SCRIPT, HOME, ("keyup", "touchstart"))
    )
    widget = [
        api_row(
            HOME, "MutationObserver.observe", 1, RECORDER_SCRIPT, args=["div|childList,subtree,attributes"]
        ),
        *recorder(RECORDER_SCRIPT, HOME)[1:],
    ]
    assert kinds(widget) == {}  # observes its own widget only
    no_subtree = [
        api_row(HOME, "MutationObserver.observe", 1, RECORDER_SCRIPT, args=["body|childList,attributes"]),
        *recorder(RECORDER_SCRIPT, HOME)[1:],
    ]
    assert kinds(no_subtree) == {}


def test_a_first_party_script_is_never_a_possible_recorder():
    script = f"{HOME}js/editor.js"
    result = scan([visit(HOME, [request(script, HOME)], recorder(script, HOME))])
    assert result.behaviour.findings == ()


# ---- form data and identifiers -------------------------------------------------------------------


def test_typed_data_to_a_third_party_leaks_to_the_site_does_not():
    fb = "https://www.facebook.com/tr?id=1&udff%5Bem%5D=abc"
    own = f"{HOME}search?q=canary"
    leaks = [
        leak_row("form_data", HOME, fb, "email", "email", encoding="sha256"),
        leak_row("form_data", HOME, own, "search", "q"),
    ]
    result = scan([visit(HOME, [request(fb, HOME, "image"), request(own, HOME, "fetch")], value_leaks=leaks)])
    (f,) = result.behaviour.findings
    assert (f.status, f.vendor, f.severity) == ("form_data_leak", "Facebook", "high")
    assert f.evidence.behaviour[0]["encoding"] == "sha256" and f.evidence.behaviour[0]["param"] is None
    leak = next(v for v in result.value_leaks if v.url == fb)
    assert (leak.host, leak.registrable_domain, leak.third_party, leak.vendor) == (
        "www.facebook.com",
        "facebook.com",
        True,
        "Facebook",
    )


def test_a_vendor_receiving_its_own_identifier_is_not_sharing():
    ga = "https://www.google-analytics.com/g/collect?v=2&cid=1234567890.1800000000"
    dc = "https://ad.doubleclick.net/ddm/activity/src=1;u1=1234567890.1800000000"
    leaks = [
        leak_row("identifier", HOME, ga, "cookie", "_ga", ".behaviour-shop.com", True, param="cid"),
        leak_row("identifier", HOME, dc, "cookie", "_ga", ".behaviour-shop.com", True, param="u1"),
    ]
    result = scan([visit(HOME, [request(ga, HOME, "ping"), request(dc, HOME, "image")], value_leaks=leaks)])
    assert {v.source_vendor for v in result.value_leaks} == {"Google Analytics"}
    (f,) = result.behaviour.findings
    assert (f.status, f.vendor, f.severity) == ("id_sharing", "DoubleClick", "high")
    sample = f.evidence.behaviour[0]
    assert (sample["name"], sample["source_vendor"], sample["host"]) == (
        "_ga",
        "Google Analytics",
        "ad.doubleclick.net",
    )


def test_cookie_sync_between_third_parties_is_medium():
    sync = "https://gum.criteo.com/sync?u=NTU1"
    leaks = [leak_row("identifier", HOME, sync, "cookie", "uuid2", ".adnxs.com", False, "base64", param="u")]
    result = scan([visit(HOME, [request(sync, HOME, "image")], value_leaks=leaks)])
    (f,) = result.behaviour.findings
    assert (f.status, f.vendor, f.severity) == ("id_sharing", "Criteo", "medium")
    assert result.value_leaks[0].source_vendor == "AppNexus"


def test_an_identifier_returning_to_its_own_domain_is_not_sharing():
    back = "https://ib.adnxs.com/getuid?uid=1"
    leaks = [leak_row("identifier", HOME, back, "cookie", "uuid2", ".adnxs.com", False, param="uid")]
    assert scan([visit(HOME, [request(back, HOME, "image")], value_leaks=leaks)]).behaviour.findings == ()


def test_storage_identifier_sent_to_an_unknown_third_party():
    url = "https://collect.unknown-ads.net/p?sid=abc"
    leaks = [
        leak_row(
            "identifier",
            HOME,
            url,
            "local",
            "visitor_id",
            "https://www.behaviour-shop.com",
            True,
            param="sid",
        )
    ]
    result = scan([visit(HOME, [request(url, HOME, "xhr")], value_leaks=leaks)])
    (f,) = result.behaviour.findings
    assert (f.status, f.vendor, f.unknown, f.reasons) == (
        "id_sharing",
        "unknown-ads.net",
        True,
        ("storage_value",),
    )


# ---- cloaking ------------------------------------------------------------------------------------


def test_a_subdomain_speaking_adobe_is_cloaked_a_self_hosted_matomo_is_not():
    adobe = f"https://{CLOAKED_HOST}/b/ss/rsid/1/JS-2.22.0/s1"
    matomo_js = "https://stats.behaviour-shop.com/matomo.js"
    matomo_hit = "https://stats.behaviour-shop.com/matomo.php?idsite=1&rec=1"
    reqs = [request(adobe, HOME, "image"), request(matomo_js, HOME), request(matomo_hit, HOME, "image")]
    result = scan([visit(HOME, reqs)])
    (f,) = result.behaviour.findings
    assert (f.status, f.vendor, f.severity) == ("cname_cloaked", "Adobe Experience Cloud", "high")
    assert (
        f.evidence.behaviour[0]["host"] == CLOAKED_HOST
        and f.evidence.behaviour[0]["rule"] == "omtrdc.net/b/ss/"
    )


def test_tracker_paths_on_the_page_host_itself_are_not_cloaking():
    result = scan([visit(HOME, [request(f"{HOME}b/ss/rsid/1/s1", HOME, "image")])])
    assert result.behaviour.findings == ()


def test_a_generic_path_on_a_subdomain_is_not_cloaking():
    result = scan([visit(HOME, [request("https://api.behaviour-shop.com/collect?x=1", HOME, "xhr")])])
    assert result.behaviour.findings == ()


def test_a_tracker_cookie_set_by_a_first_party_subdomain_is_cloaked():
    setter = f"https://{CLOAKED_HOST}/id"
    obs = [cookie_observation("s_ecid", ".behaviour-shop.com", HOME, setter)]
    result = scan([visit(HOME, [request(setter, HOME, "xhr")], cookies=obs)])
    (f,) = result.behaviour.findings
    assert (f.status, f.vendor, f.reasons) == ("cname_cloaked", "Adobe Experience Cloud", ("cloaked_cookie",))
    # the same cookie written by a script on the page is not
    js = [
        cookie_observation("s_ecid", ".behaviour-shop.com", HOME, f"{HOME}adobe.js", source="document.cookie")
    ]
    assert scan([visit(HOME, [], cookies=js)]).behaviour.findings == ()


# ---- embeds --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "kind", "technique"),
    [
        ("https://www.facebook.com/plugins/like.php?href=x", "document", "like_button"),
        ("https://www.facebook.com/v18.0/plugins/share_button.php?href=x", "document", "share_button"),
        ("https://platform.twitter.com/widgets.js", "script", "share_button"),
        ("https://platform.linkedin.com/in.js", "script", "share_button"),
        ("https://accounts.google.com/gsi/client", "script", "sso"),
        (
            "https://appleid.cdn-apple.com/appleauth/static/jsapi/appleid/1/en_US/appleid.auth.js",
            "script",
            "sso",
        ),
        ("https://www.youtube.com/embed/abc", "document", "video"),
        ("https://www.youtube-nocookie.com/embed/abc", "document", "video"),
        ("https://player.vimeo.com/video/123", "document", "video"),
        ("https://www.google.com/maps/embed?pb=!1m18", "document", "map"),
        ("https://maps.googleapis.com/maps/api/js?key=k", "script", "map"),
    ],
)
def test_embeds_are_named(url, kind, technique):
    result = scan([visit(HOME, [request(url, HOME, kind)])])
    embeds = [f for f in result.behaviour.findings if f.status == "embed"]
    assert [(f.reasons, f.severity) for f in embeds] == [((technique,), "info")]


def test_an_image_from_an_embed_host_is_not_an_embed():
    result = scan([visit(HOME, [request("https://www.youtube.com/embed/abc/thumb.jpg", HOME, "image")])])
    assert not [f for f in result.behaviour.findings if f.status == "embed"]


# ---- declaration ---------------------------------------------------------------------------------


def test_behaviour_not_covered_by_the_declaration_is_a_mismatch():
    result = behaviour_result()
    declared = {f.vendor: f for f in result.findings if f.status in ("declared", "mismatch")}
    criteo, hotjar, recaptcha = declared["Criteo"], declared["Hotjar"], declared["Google reCAPTCHA"]
    assert criteo.status == "mismatch" and criteo.reasons == ("behaviour",)
    assert "fingerprinting (canvas)" in criteo.detail
    assert hotjar.status == "mismatch" and "session recording" in hotjar.detail
    assert recaptcha.status == "declared"  # "spam protection" covers its fingerprinting
    assert findings(result)[("fingerprinting", "Criteo")].declared_name == "Criteo"


@pytest.mark.parametrize(
    ("purpose", "category", "covered"),
    [
        ("Web analytics", "", False),
        ("Advertising and device fingerprinting for fraud prevention", "", True),
        ("Advertising", "security", True),
        ("Like button", "", False),
        ("Advertising", "", False),
    ],
)
def test_fingerprinting_coverage(purpose, category, covered):
    """Only the behaviour reason is asserted: a declared category other than Criteo's own (advertising)
    is a purpose mismatch as well, which is not what this test is about."""
    script = "https://static.criteo.net/js/ld/ld.js"
    rows = parse_declared_csv(
        f"name,purpose,privacy_policy,category\nCriteo,{purpose},https://c.example/p,{category}\n"
    )
    result = scan([visit(HOME, [request(script, HOME)], canvas_fingerprint(script, HOME))], declared=rows)
    (f,) = [f for f in result.findings if f.vendor == "Criteo"]
    assert ("behaviour" not in f.reasons) is covered


@pytest.mark.parametrize(
    ("purpose", "status"),
    [("Like button", "mismatch"), ("Heatmaps and session recordings", "declared"), ("Analytics", "mismatch")],
)
def test_session_recording_coverage(purpose, status):
    rows = parse_declared_csv(f"name,purpose,privacy_policy\nHotjar,{purpose},https://h.example/p\n")
    reqs = [request(HOTJAR_SCRIPT, HOME), websocket(HOTJAR_SOCKET, HOME, 10)]
    result = scan([visit(HOME, reqs)], declared=rows)
    (f,) = [f for f in result.findings if f.vendor == "Hotjar"]
    assert f.status == status


def test_leaks_are_findings_whatever_was_declared():
    rows = parse_declared_csv(
        "name,purpose,privacy_policy\nFacebook,Advertising and form data,https://f.example\n"
    )
    fb = "https://www.facebook.com/tr?id=1&em=x"
    leaks = [leak_row("form_data", HOME, fb, "email", "email", encoding="sha256")]
    result = scan([visit(HOME, [request(fb, HOME, "image")], value_leaks=leaks)], declared=rows)
    assert ("form_data_leak", "Facebook") in findings(result)
    assert next(f for f in result.findings if f.vendor == "Facebook").status == "declared"


# ---- assembly of the collectors' rows ------------------------------------------------------------


def test_a_malformed_row_is_dropped_with_a_note_not_the_page():
    rows = canvas_fingerprint("https://cdn.fp-metrics.net/fp.js", HOME)
    bad_call = {**rows[0], "count": "many"}
    bad_leak = {**leak_row("identifier", HOME, "https://x.example/", "cookie", "a"), "kind": "password"}
    raw = visit(HOME, [request("https://cdn.fp-metrics.net/fp.js", HOME)], [bad_call, *rows[1:]], [bad_leak])
    result = scan([raw])
    assert len(result.pages) == 1 and not result.meta.interrupted
    assert len(result.api_calls) == 2 and result.value_leaks == ()
    notes = result.pages[0].collector_errors
    assert {n["collector"] for n in notes} == {"api_calls", "value_leaks"}
    assert "api_calls[0].count" in notes[0]["error"]


def test_check_visit_rejects_malformed_behaviour_rows():
    from scanner.saved_visit import ShapeError, check_visit

    good = visit(HOME, [], canvas_fingerprint(None, HOME))
    check_visit(good)
    for broken in ({**good, "api_calls": {"a": 1}}, {**good, "api_calls": [{"api": "x"}]}):
        with pytest.raises(ShapeError):
            check_visit(broken)


def test_page_controlled_values_are_bounded():
    huge = api_row(HOME, "FontFaceSet.check", 10**6, None, args=[f"{i}px F{i}" * 100 for i in range(500)])
    huge["canvas"] = [{"width": 10**12, "height": 20, "extra": "x" * 10_000}] * 100
    result = scan([visit(HOME, [], [huge])])
    call = result.api_calls[0]
    assert len(call.args) <= 64 and all(len(a) <= 300 for a in call.args)
    assert call.args_total >= len(call.args)
    assert len(call.canvas) <= 32 and call.canvas[0] == {"height": 20}
