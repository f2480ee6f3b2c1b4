"""The consent driver in real crawls of the fake internet: the real vendored autoconsent rules find a
OneTrust-like banner, watch it ("none"), accept it or reject it and verify the rejection; a page
without a banner costs little; the page can neither see the driver nor forge its record."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

import pytest
from consent_pages import EVIL, FRAME_CMP, FRAMED, HOST, PLAIN, world

from scanner.browser import BrowserOptions
from scanner.collect import default_collectors
from scanner.collect.base import Visit
from scanner.consent.driver import AutoconsentDriver, ConsentCollector
from scanner.crawl.crawler import Crawl
from scanner.crawl.visit import VisitTiming
from scanner.fakenet import FakeInternet
from scanner.options import ScanOptions
from scanner.scope import Scope, Target
from scanner.sink import JsonlSink

TIMING = VisitTiming(settle_s=1.0, quiet_ms=300, quiet_cap_s=3.0)


def consent_scan(net: FakeInternet, hosts: list[str], out: Path, mode: str) -> tuple[dict, dict]:
    """Crawl the start pages of ``hosts`` (in order, one tab) with the consent driver in ``mode``.
    Returns ({page URL: saved visit}, {host: [probe reports]})."""
    net.log.clear()
    browser = BrowserOptions(ignore_https_errors=True, extra_args=tuple(net.chromium_args()), timeout_s=20)
    options = ScanOptions(
        start_urls=tuple(net.url(h, "/") for h in hosts),
        out_dir=out,
        max_depth=0,
        use_sitemap=False,
        concurrency=1,
        screenshots=False,
        timing=TIMING,
        browser=browser,
    )
    sink = JsonlSink(out)
    crawl = Crawl(options, sink)
    crawl.collectors.append(ConsentCollector(mode, screenshots_dir=out / "screenshots"))
    asyncio.run(crawl.run())
    visits = {v["page"]["url"]: v for v in sink.visits()}
    found: dict[str, list[dict]] = {}
    for hit in net.log.find(path_prefix="/found"):
        query = {k: v[0] for k, v in parse_qs(urlsplit(hit.path).query, keep_blank_values=True).items()}
        found.setdefault(hit.host, []).append(query)
    return visits, found


def consent_of(visits: dict, host: str) -> dict:
    rows = visits[f"https://{host}/"]["consent"]
    assert len(rows) == 1
    return rows[0]


def consent_cookie(net: FakeInternet, host: str) -> str | None:
    """The OptanonConsent value the page's after-choice pixel carried."""
    for hit in net.log.find(host=host, path_prefix="/after.gif"):
        for part in (hit.headers.get("cookie") or "").split("; "):
            if part.startswith("OptanonConsent="):
                return unquote(part.split("=", 1)[1])
    return None


@pytest.fixture(scope="module")
def net():
    with FakeInternet(world()) as internet:
        yield internet


@pytest.fixture(scope="module")
def watched(net, tmp_path_factory):
    out = tmp_path_factory.mktemp("consent-none")
    visits, found = consent_scan(net, [HOST, PLAIN, EVIL], out, "none")
    return visits, found, out, list(net.log.find(path_prefix="/after"))


@pytest.fixture(scope="module")
def accepted(net, tmp_path_factory):
    out = tmp_path_factory.mktemp("consent-accept")
    return (*consent_scan(net, [HOST], out, "accept"), out, consent_cookie(net, HOST))


@pytest.fixture(scope="module")
def rejected(net, tmp_path_factory):
    out = tmp_path_factory.mktemp("consent-reject")
    visits, found = consent_scan(net, [HOST, EVIL, FRAMED], out, "reject")
    return (
        visits,
        found,
        out,
        consent_cookie(net, HOST),
        list(net.log.find(host=FRAME_CMP, path_prefix="/choice")),
    )


pytestmark = pytest.mark.browser


def test_none_detects_the_banner_and_clicks_nothing(watched):
    visits, _, out, after = watched
    row = consent_of(visits, HOST)
    assert row["mode"] == "none" and row["autoconsent_version"] == "16.23.0"
    assert row["cmp"] == "Onetrust" and row["cmps_detected"] == ["Onetrust"]
    assert row["popup_found"] is True and row["popup_frame_url"] == f"https://{HOST}/"
    assert row["action"] is None and row["action_at"] is None and row["result"] is None
    assert row["self_test"] is None and row["verified"] is False and row["clicks"] is None
    assert after == []  # the page's own choice handler never ran
    # The banner as a visitor sees it, read before anything happened.
    assert "42 partners" in row["banner_text"]
    assert row["banner_buttons"] == ["Cookie Settings", "Reject All", "Accept All Cookies", "Privacy notice"]
    assert row["screenshot_before"] == "screenshots/0001-consent-before.jpg"
    assert (out / row["screenshot_before"]).read_bytes()[:3] == b"\xff\xd8\xff"
    assert row["screenshot_after"] is None and row["errors"] == []


def test_a_page_without_a_banner_records_none(watched):
    visits, _, _, _ = watched
    row = consent_of(visits, PLAIN)
    assert row["cmp"] is None and row["cmps_detected"] == [] and row["popup_found"] is False
    assert row["action"] is None and row["banner_text"] is None and row["screenshot_before"] is None
    assert row["errors"] == []
    assert not visits[f"https://{PLAIN}/"]["page"].get("collector_errors")


def test_accept_opts_in_and_the_page_stores_consent(accepted):
    visits, _, out, cookie = accepted
    row = consent_of(visits, HOST)
    assert row["mode"] == "accept" and row["cmp"] == "Onetrust"
    assert row["action"] == "optIn" and row["result"] is True and row["clicks"] == 1
    assert row["self_test"] is None and row["verified"] is False  # no self-test after an opt-in
    assert cookie is not None and "groups=C0001:1,C0002:1,C0003:1,C0004:1" in cookie
    assert row["popup_at"] <= row["action_at"] <= row["result_at"]
    # Same clock as the request rows: the page's after-choice pixel went out after the action was sent.
    pixel = next(r for r in visits[f"https://{HOST}/"]["requests"] if "/after.gif" in r["url"])
    assert pixel["timestamp"] >= row["action_at"]
    for when in ("before", "after"):
        assert (out / row[f"screenshot_{when}"]).read_bytes()[:3] == b"\xff\xd8\xff"
    assert row["errors"] == []


def test_reject_opts_out_and_the_self_test_verifies_it(rejected):
    visits, _, _, cookie, _ = rejected
    row = consent_of(visits, HOST)
    assert row["mode"] == "reject" and row["cmp"] == "Onetrust"
    assert row["action"] == "optOut" and row["result"] is True
    assert row["self_test"] is True and row["verified"] is True
    assert cookie is not None and "groups=C0001:1,C0002:0,C0003:0,C0004:0" in cookie
    assert row["banner_buttons"][1] == "Reject All"  # read before the click hid the banner
    assert row["errors"] == []


def test_a_banner_in_a_cross_origin_frame_is_answered_there(rejected):
    visits, _, _, _, choices = rejected
    row = consent_of(visits, FRAMED)
    assert row["cmp"] == "piano.io" and row["popup_frame_url"] == f"https://{FRAME_CMP}/banner"
    assert row["action"] == "optOut" and row["result"] is True
    assert [c.path for c in choices] == ["/choice.gif?choice=reject"]
    # The rule has no self-test: the rejection stays unverified.
    assert row["self_test"] is None and row["verified"] is False
    assert "analytics and ads" in row["banner_text"] and row["banner_buttons"] == ["Agree", "Decline"]
    assert row["errors"] == []


def test_the_page_sees_no_trace_of_the_driver(watched, accepted, rejected):
    for _, found, *_ in (watched, accepted, rejected):
        reports = found[HOST]
        assert reports, "the probe did not run"
        for report in reports:
            assert report["names"] == "", report  # no new global in the main world
            assert report["receive"] == "undefined", report


def test_a_hostile_page_cannot_steer_or_forge_the_record(watched, rejected):
    # The probe can tell: on the hostile page it sees the page's own autoconsentReceiveMessage.
    for _, found, *_ in (watched, rejected):
        assert all(r["receive"] == "function" and int(r["forged"]) > 0 for r in found[EVIL])
    none_row = consent_of(watched[0], EVIL)
    assert none_row["cmp"] == "Onetrust" and none_row["cmps_detected"] == ["Onetrust"]
    assert none_row["action"] is None and none_row["result"] is None and none_row["clicks"] is None
    # Its reject button does nothing and it grants everything by default: the opt-out "worked" (a
    # click), the self-test says the choice did not stick, whatever the page sent.
    row = consent_of(rejected[0], EVIL)
    assert row["cmp"] == "Onetrust" and row["action"] == "optOut" and row["result"] is True
    assert row["self_test"] is False and row["verified"] is False and row["clicks"] == 1
    for r in (none_row, row):
        text = json.dumps(r)
        assert "Forged" not in text and "forged error" not in text and r["errors"] == []


def test_the_crawl_adds_the_driver_as_each_pass_needs(tmp_path):
    """The crawl itself looks on its first pages only; a pass drives every visit, names its screenshots
    after itself and keeps the driver's waits within --timeout; --consent off adds no driver."""
    from scanner.consent.passes import FirstVisits

    options = ScanOptions(start_urls=("https://www.shop.test/",), out_dir=tmp_path, consent_sample=3)
    assert not [c for c in default_collectors(keep_values=False) if c.name == "consent"]
    crawl = Crawl(options, JsonlSink(tmp_path), consent_mode="none")
    looking = [c for c in crawl.collectors if c.name == "consent"]
    assert len(looking) == 1 and isinstance(looking[0], FirstVisits) and looking[0].limit == 3
    assert looking[0].inner.mode == "none" and looking[0].finish_first
    rejecting = Crawl(options, JsonlSink(tmp_path), consent_pass="reject", consent_mode="reject")
    driver = next(c for c in rejecting.collectors if c.name == "consent")
    assert isinstance(driver, ConsentCollector) and driver.mode == "reject"
    assert driver.prefix == "reject-" and driver.budget_s <= options.browser.timeout_s - 2
    assert not [c for c in Crawl(options, JsonlSink(tmp_path)).collectors if c.name == "consent"]
    with pytest.raises(ValueError):
        ConsentCollector("maybe")


# ---- without a browser: the driver's checks and bounds ----


class NoSession:
    def on(self, *_):
        pass

    async def send(self, *_args, **_kw):
        raise AssertionError("no DevTools call expected")


def driver_and_visit(mode: str = "none") -> tuple[AutoconsentDriver, Visit]:
    target = Target(url="https://www.example.test/", depth=0)
    visit = Visit(target=target, page=None, scope=Scope([target.url], []), index=1, cdp=NoSession())
    driver = AutoconsentDriver(NoSession(), mode)
    visit.state["consent"] = driver
    return driver, visit


def test_messages_from_outside_the_hidden_worlds_are_ignored():
    driver, _ = driver_and_visit("reject")
    driver.isolated[7] = "frame-1"
    forged = json.dumps({"type": "popupFound", "cmp": "Forged"})
    driver._binding_called({"name": "someOtherBinding", "payload": forged, "executionContextId": 7})
    driver._binding_called({"name": driver.binding, "payload": forged, "executionContextId": 8})
    driver._binding_called({"name": driver.binding, "payload": "x" * 10**6, "executionContextId": 7})
    driver._binding_called({"name": driver.binding, "payload": "[1, 2]", "executionContextId": 7})
    assert driver.state.popup_found is False and not driver.tasks
    # A result nobody asked for is no result.
    result = json.dumps({"type": "optOutResult", "cmp": "X", "result": True, "scheduleSelfTest": True})
    driver._binding_called({"name": driver.binding, "payload": result, "executionContextId": 7})
    assert driver.state.result is None and driver.selftest_context is None


def test_no_banner_costs_at_most_the_grace():
    async def run() -> None:
        driver, visit = driver_and_visit()
        driver.load_at = time.monotonic()
        collector = ConsentCollector(detect_s=60, detect_grace_s=0.2)
        await asyncio.wait_for(collector.finish(visit), 10)  # would take 60 s without the grace
        driver, visit = driver_and_visit()
        driver.load_at = time.monotonic()
        driver.reports["x"] = {"main": True, "lifecycle": "nothingDetected", "clicks": 0}
        collector = ConsentCollector(detect_s=60, detect_grace_s=60)
        await asyncio.wait_for(collector.finish(visit), 10)  # autoconsent gave up: no wait at all
        assert collector.records(visit)["consent"][0]["cmp"] is None

    asyncio.run(run())


def test_a_banner_whose_frame_went_away_is_not_answered():
    async def run() -> None:
        driver, _ = driver_and_visit("accept")
        await driver._act(5)  # context 5 is not (any more) one of the hidden worlds
        assert driver.acted and driver.state.action is None and driver.state.action_at is None
        assert driver.state.errors == ["the frame that showed the banner went away before the action"]

    asyncio.run(run())
