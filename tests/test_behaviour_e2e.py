"""The behaviour audit end to end: a real scan of the behaviour world (scanner.fakenet.behaviour) with the
API hooks and --probe-forms, checked against its ground truth ``BEHAVIOUR_TRUTH``: every detector finds
its imitation on its page and nothing it must not find (the false-positive cases: an emoji check, a map
using WebGL, a video player using AudioContext, a page counter reading two navigator properties)."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from scanner.collect.form_probe import Canaries
from scanner.fakenet import FakeInternet
from scanner.fakenet.behaviour import BEHAVIOUR_TRUTH, SITE, BehaviourInbox, behaviour_world
from scanner.model import Detection, ScanResult
from scanner.options import BrowserOptions, ScanOptions
from scanner.scanning import scan

# How the site declares some of its vendors: Hotjar as a Like button (its recording is not covered),
# reCAPTCHA for spam protection (its fingerprinting is).
VENDORS_CSV = """name,purpose,privacy_policy
Hotjar,Like button on product pages,https://www.hotjar.com/legal/policies/privacy/
Google reCAPTCHA,Spam and abuse protection of our forms,https://policies.google.com/privacy
Facebook,Conversion measurement for our ads,https://www.facebook.com/privacy/policy/
"""


def _run(net: FakeInternet, out: Path, **kw) -> ScanResult:
    options = ScanOptions(
        start_urls=kw.pop("start_urls", (net.url(SITE, "/"),)),
        out_dir=out,
        formats=("json",),
        consent="off",
        screenshots=False,
        concurrency=2,
        browser=BrowserOptions(extra_args=tuple(net.chromium_args()), ignore_https_errors=True, timeout_s=15),
        **kw,
    )
    return scan(options)


@pytest.fixture(scope="module")
def audit(tmp_path_factory):
    out = tmp_path_factory.mktemp("behaviour")
    vendors = out.parent / "behaviour-vendors.csv"
    vendors.write_text(VENDORS_CSV, encoding="utf-8")
    inbox = BehaviourInbox()
    made: list[Canaries] = []
    new = Canaries.new

    def remember() -> Canaries:
        made.append(new())
        return made[-1]

    with pytest.MonkeyPatch.context() as mp, FakeInternet(behaviour_world(inbox)) as net:
        mp.setattr(Canaries, "new", staticmethod(remember))
        result = _run(net, out, max_pages=40, probe_forms=True, vendors=vendors)
    assert len(made) == 1  # one crawl, one set of canaries
    return result, inbox, out, made[0]


def _hosts(d: Detection) -> set[str]:
    """Every host a detection is about: its script's, the requests' and the hosts named in evidence."""
    hosts = {urlsplit(d.script).hostname} if d.script else set()
    for row in d.evidence:
        for key in ("script", "url"):
            if isinstance(row.get(key), str):
                hosts.add(urlsplit(row[key]).hostname)
        if isinstance(row.get("host"), str):
            hosts.add(row["host"])
    return hosts - {None}


def _on(result: ScanResult, path: str) -> list[Detection]:
    url = BEHAVIOUR_TRUTH[path].url
    return [d for d in result.behaviour.detections if any(p.rstrip("/") == url.rstrip("/") for p in d.pages)]


def test_every_page_of_the_world_was_audited(audit):
    result, *_ = audit
    visited = {urlsplit(p.url).path for p in result.pages if p.error is None}
    assert set(BEHAVIOUR_TRUTH) <= visited
    assert result.behaviour is not None and result.behaviour.hooks and result.behaviour.probe_forms


@pytest.mark.parametrize("path", [p for p, t in BEHAVIOUR_TRUTH.items() if t.expect])
def test_each_detector_finds_its_imitation(audit, path):
    result, *_ = audit
    found = _on(result, path)
    for expect in BEHAVIOUR_TRUTH[path].expect:
        matches = [
            d
            for d in found
            if d.kind == expect.kind
            and d.technique == expect.technique
            and expect.host in _hosts(d)
            and d.vendor == expect.vendor
        ]
        assert matches, f"{path}: no {expect.kind}/{expect.technique} about {expect.host}: {found}"
        if expect.script:  # the acting script: the caller of the APIs, or the initiator of the traffic
            sent_by = {
                r.initiator
                for r in result.requests
                if r.host == expect.host and r.page_url.rstrip("/") == BEHAVIOUR_TRUTH[path].url.rstrip("/")
            }
            assert (
                any(d.script == expect.script or _evidence_has(d, "script", expect.script) for d in matches)
                or expect.script in sent_by
            ), f"{path}: {expect.script} not behind {expect.kind}: {sent_by}"
        if expect.source:  # a value leak: the record says where it came from and how it travelled
            leaks = [
                v
                for v in result.value_leaks
                if v.host == expect.host
                and v.name == expect.name
                and v.source == expect.source
                and (expect.encoding is None or v.encoding == expect.encoding)
                and (expect.location is None or v.location == expect.location)
                and (expect.param is None or v.param == expect.param)
            ]
            assert leaks, f"{path}: no value leak {expect}"


def _evidence_has(d: Detection, key: str, value: str) -> bool:
    return any(row.get(key) == value for row in d.evidence)


@pytest.mark.parametrize("path", [p for p, t in BEHAVIOUR_TRUTH.items() if t.absent])
def test_false_positives_stay_out(audit, path):
    result, *_ = audit
    found = _on(result, path)
    for absent in BEHAVIOUR_TRUTH[path].absent:
        wrong = [
            d
            for d in found
            if d.kind == absent.kind
            and (absent.technique is None or d.technique == absent.technique)
            and (absent.host is None or absent.host in _hosts(d))
            and (absent.name is None or _evidence_has(d, "name", absent.name))
        ]
        assert not wrong, f"{path}: must not be {absent.kind} ({absent.why}): {wrong}"


def test_findings_carry_severity_evidence_and_the_declaration(audit):
    result, *_ = audit
    by_kind = {(f.status, f.vendor): f for f in result.behaviour.findings}
    recording = by_kind[("session_recording", "Hotjar")]
    assert recording.severity == "high" and recording.evidence.behaviour
    assert by_kind[("form_data_leak", "Facebook")].severity == "high"
    assert by_kind[("security_fingerprinting", "Google reCAPTCHA")].severity == "low"
    assert all(f.severity == "info" for f in result.behaviour.findings if f.status == "embed")
    declared = {f.vendor: f for f in result.findings}
    # Declared as a Like button, Hotjar records sessions: a mismatch with the behaviour as its reason.
    assert declared["Hotjar"].status == "mismatch" and "behaviour" in declared["Hotjar"].reasons
    # Declared for spam protection, reCAPTCHA's fingerprinting is covered by its purpose.
    assert "behaviour" not in declared["Google reCAPTCHA"].reasons


def test_the_probe_never_submits_and_no_typed_value_is_saved(audit):
    result, inbox, out, canaries = audit
    assert inbox.submits == []
    probed = [p for p in result.pages if p.form_probe and p.form_probe.get("fields")]
    assert probed, "the probe typed into no field"
    email = canaries.values["email"]
    # The e-mail went out only hashed (the pixel), so it is nowhere in what the scan saved.
    assert (
        any(email in r.body.decode("utf-8", "replace") or email in r.target for r in inbox.requests) is False
    )
    saved = "".join(p.read_text(encoding="utf-8") for p in (out / "scan.json", out / "pages.jsonl"))
    assert email not in saved
    leak = next(v for v in result.value_leaks if v.kind == "form_data" and v.third_party)
    assert "[value]" in leak.url  # the carrying URL is kept with the value cut out
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    assert data["behaviour"]["summary"]["form_data_leak"] >= 1


def test_without_hooks_the_audit_says_it_saw_no_api(tmp_path):
    with FakeInternet(behaviour_world()) as net:
        result = _run(
            net,
            tmp_path,
            start_urls=(net.url(SITE, "/fp/canvas"),),
            max_pages=1,
            max_depth=0,
            api_hooks=False,
        )
    assert result.api_calls == ()
    assert not [d for d in result.behaviour.detections if d.kind.endswith("fingerprinting")]
    assert result.behaviour.hooks is False
    assert any("hooks" in spot.lower() for spot in result.behaviour.blind_spots)


def test_a_video_call_is_not_a_local_ip_probe(audit):
    """The call widget makes every call of a WebRTC address probe (so the webrtc_ip criterion is really
    tested against it) plus media, which is what keeps it out."""
    result, *_ = audit
    calls = {a.api for a in result.api_calls if a.script and urlsplit(a.script).hostname == "meet.jit.si"}
    probe = {"RTCPeerConnection.createDataChannel", "RTCPeerConnection.createOffer"}
    assert probe | {"RTCPeerConnection.onicecandidate", "RTCPeerConnection.addTransceiver"} <= calls
    assert not [d for d in _on(result, "/call") if d.technique == "webrtc_ip"]
