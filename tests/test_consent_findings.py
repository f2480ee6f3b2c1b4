"""Consent verdicts through the real pipeline: raw visits as the crawl saves them (one crawl and its
accept / reject / gpc passes) -> ``assemble`` (pass and phase tagging) -> ``analyse`` (attribute,
compare, consent report). Each vendor below behaves in one way; the findings must say exactly that."""

from __future__ import annotations

import json

import pytest
from consent_factory import ACTION, ALWAYS, PAGES, T0, crawl_visits, driver, hits, request, scan, visit

from scanner.gate import failing_findings, normalise_fail_on
from scanner.model import ScanResult
from scanner.pipeline import analyse


def kinds(result: ScanResult) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for f in result.consent.findings:
        out.setdefault(f.status, set()).add(f.vendor)
    return out


def test_records_carry_their_pass_and_phase():
    result = scan(crawl_visits())
    phases = {(r.consent_pass, r.host, r.consent_phase) for r in result.requests if r.page_url == PAGES[0]}
    assert ("none", "static.criteo.net", None) in phases
    assert ("accept", "www.google-analytics.com", "before_action") in phases
    assert ("accept", "connect.facebook.net", "after_action") in phases
    later = {
        r.consent_phase for r in result.requests if r.consent_pass == "accept" and r.page_url != PAGES[0]
    }
    assert later == {"after_action"}  # every later page of the pass is after the answer
    assert {r.consent_phase for r in result.requests if r.consent_pass == "gpc"} == {None}


def test_each_vendor_gets_the_verdict_of_its_behaviour():
    found = kinds(scan(crawl_visits()))
    assert found["before_consent"] == {"Google Analytics", "Criteo", "LinkedIn"}
    assert found["despite_reject"] == {"Criteo"}
    assert found["consent_gated"] == {"Facebook"}
    assert found["gpc_ignored"] == {"Criteo"}
    assert found["gpc_honoured"] == {"LinkedIn"}
    assert "no_banner" not in found
    every = set().union(*found.values())
    assert not any("cloudflare" in v.lower() or "cdnjs" in v.lower() for v in every)  # a CDN never


def test_an_unverified_rejection_is_never_despite_reject():
    found = kinds(scan(crawl_visits(verified_reject=False)))
    assert "despite_reject" not in found
    assert found["reject_unverified"] == {"Criteo"}


def test_no_gpc_verdicts_when_the_browser_did_not_send_it():
    result = scan(crawl_visits(), gpc_presented=False)
    found = kinds(result)
    assert "gpc_ignored" not in found and "gpc_honoured" not in found
    gpc = next(p for p in result.consent.passes if p.name == "gpc")
    assert any("Global Privacy Control" in e for e in gpc.errors)


def test_the_matrix_has_a_cell_per_pass_and_marks_bad_cells():
    result = scan(crawl_visits())
    rows = {row["vendor"]: row for row in result.consent.matrix}
    assert set(rows["Criteo"]["cells"]) == {"none", "accept", "reject", "gpc"}
    assert rows["Criteo"]["bad"] == ["none", "reject", "gpc"]
    assert rows["Facebook"]["cells"]["none"]["requests"] == 0
    assert rows["Facebook"]["cells"]["accept"]["after_action"] == 3
    assert rows["Facebook"]["bad"] == []


def test_declared_only_after_consent_is_declared_not_not_observed():
    from scanner.declared import parse_declared_csv

    result = scan(crawl_visits())
    rows = parse_declared_csv("name,purpose,privacy_policy\nFacebook,advertising,https://fb.test/p\n")
    again = analyse(replace_findings(result), declared=rows)
    facebook = next(f for f in again.findings if f.vendor == "Facebook")
    assert facebook.status == "declared"


def replace_findings(result: ScanResult) -> ScanResult:
    from dataclasses import replace

    return replace(result, findings=(), consent=None)


def test_passes_summarise_the_driver_records():
    result = scan(crawl_visits())
    passes = {p.name: p for p in result.consent.passes}
    assert passes["none"].cmp == "Onetrust" and passes["none"].action is None
    assert passes["reject"].action == "optOut" and passes["reject"].verified
    assert passes["accept"].action_page == PAGES[0] and passes["accept"].action_at == ACTION
    assert result.consent.autoconsent_version == "16.23.0"
    assert "Europe/Berlin" in (result.consent.region or "")


def test_no_banner_is_said_and_early_trackers_say_so():
    visits = [visit(p, "none", hits(p, ALWAYS, T0), driver(None)) for p in PAGES]
    result = scan(visits)
    found = kinds(result)
    assert found["no_banner"] == {"Consent banner"}
    ga = next(f for f in result.consent.findings if f.status == "before_consent")
    assert "no consent banner was shown to this browser" in ga.detail


def test_no_consent_block_without_a_driver():
    visits = [visit(p, "none", hits(p, ALWAYS, T0)) for p in PAGES]
    assert scan(visits).consent is None


@pytest.mark.parametrize(
    ("fail_on", "failing"),
    [("before-consent", {"Google Analytics", "Criteo", "LinkedIn"}), ("despite-reject", {"Criteo"})],
)
def test_the_gate_fails_on_consent_kinds(fail_on, failing):
    result = scan(crawl_visits())
    found = failing_findings(result, normalise_fail_on([fail_on]))
    assert {f.vendor for f in found} == failing


def test_the_consent_block_round_trips_through_scan_json():
    result = scan(crawl_visits())
    again = ScanResult.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.consent == result.consent
    assert again.requests == result.requests


# ---- what the consent manager declares (cmp_state on the driver's record) --------------------------


def cookie(name: str, domain: str, page: str, days: float | None, ts: float = T0) -> dict:
    """A cookie observation as the cookie collector saves it (a Set-Cookie header)."""
    return {
        "name": name,
        "domain": domain,
        "path": "/",
        "source": "set-cookie",
        "host_only": False,
        "expires": None if days is None else ts + days * 86400,
        "declared_lifetime_days": days,
        "secure": True,
        "http_only": False,
        "same_site": "None",
        "setter_url": f"https://{domain.lstrip('.')}/",
        "value_hash": "0" * 16,
        "value": None,
        "page_url": page,
        "ts": ts,
    }


def declared_cookie(name: str, host: str, group: str, necessary: bool, days: float | None) -> dict:
    return {
        "cmp": "onetrust",
        "name": name,
        "host": host,
        "group": group,
        "group_id": None,
        "category": None,
        "necessary": necessary,
        "lifetime_days": days,
        "session": days is None,
    }


def cmp_audit() -> ScanResult:
    """One crawl page where OneTrust lists Criteo's cto_bundle as necessary, Facebook's fr for 90 days
    (it lives 400), LinkedIn not at all; GA hits say gcs=G111 before any choice."""
    page = PAGES[0]
    state = {
        "cmp": "onetrust",
        "declared_cookies": [
            declared_cookie("cto_bundle", ".criteo.com", "Strictly Necessary Cookies", True, 390),
            declared_cookie("fr", ".facebook.com", "Targeting Cookies", False, 90),
            declared_cookie("_ga", "www.shop.test", "Performance Cookies", False, 730),
        ],
    }
    ga = request("https://region1.google-analytics.com/g/collect?v=2&gcs=G111&gcd=13t3t3t3t5", page, T0)
    requests = [
        ga,
        *hits(page, ["static.criteo.net", "snap.licdn.com"], T0),
        request("https://connect.facebook.net/en_US/fbevents.js", page, T0),
    ]
    raw = visit(page, "none", requests, {**driver("Onetrust"), "cmp_state": state})
    raw["cookie_observations"] = [
        cookie("cto_bundle", ".criteo.com", page, 390),
        cookie("fr", ".facebook.com", page, 400),
    ]
    # consent_params as the request collector keeps them
    raw["requests"][0]["consent_params"] = {"gcs": "G111", "gcd": "13t3t3t3t5"}
    return scan([raw])


def test_a_tracker_the_banner_never_lists_is_not_in_cmp():
    found = kinds(cmp_audit())
    assert found["not_in_cmp"] == {"LinkedIn"}  # GA, Criteo and Facebook are listed by their cookies


def test_a_necessary_cookie_set_by_an_ad_vendor_and_a_longer_lifetime_are_cmp_mismatches():
    result = cmp_audit()
    mismatch = {f.vendor: f for f in result.consent.findings if f.status == "cmp_mismatch"}
    assert set(mismatch) == {"Criteo", "Facebook"}
    assert mismatch["Criteo"].reasons == ("necessary",) and "declared necessary" in mismatch["Criteo"].detail
    assert mismatch["Facebook"].reasons == ("lifetime",) and "400 days" in mismatch["Facebook"].detail
    assert [c["name"] for c in mismatch["Facebook"].evidence.cookies] == ["fr"]


def test_hits_that_claim_consent_before_any_choice():
    result = cmp_audit()
    granted = [f for f in result.consent.findings if f.status == "granted_before_choice"]
    assert [f.vendor for f in granted] == ["Google Analytics"]
    assert "ad_storage" in granted[0].reasons and "analytics_storage" in granted[0].reasons


def test_the_banner_list_becomes_the_declaration():
    from scanner.consent.declaration import cmp_declared

    result = cmp_audit()
    rows, source = cmp_declared(result)
    assert source == "cmp: onetrust"
    again = analyse(result, declared=rows, declared_source=source)
    status = {f.vendor: f.status for f in again.findings}
    assert status["LinkedIn"] == "undeclared"
    assert status["Criteo"] in ("declared", "mismatch") and status["Facebook"] in ("declared", "mismatch")


def test_a_rejection_the_consent_manager_contradicts_is_not_verified():
    visits = crawl_visits()
    reject_first = next(v for v in visits if v["page"].get("consent_pass") == "reject")
    # the self-test passed, but OneTrust's own state still grants the targeting group
    reject_first["consent"][0]["cmp_state"] = {
        "granted_groups": ["C0001", "C0004"],
        "denied_groups": ["C0002"],
    }
    result = scan(visits)
    reject = next(p for p in result.consent.passes if p.name == "reject")
    assert reject.self_test is True and not reject.verified
    assert "despite_reject" not in kinds(result) and kinds(result)["reject_unverified"] == {"Criteo"}


def test_storage_on_the_page_of_the_answer_has_the_phase_of_its_first_write():
    """On the page where the banner was answered, a key seen written (DevTools storage event) before the
    answer is before_action, after it after_action; a key only read at the end has no phase there; on the
    pass's later pages everything is after_action."""

    def item(key: str, page: str, written_at: float | None) -> dict:
        return {
            "origin": "https://www.shop.test",
            "kind": "local",
            "key": key,
            "page_url": page,
            "written_at": written_at,
        }

    visits = crawl_visits()
    first = next(v for v in visits if v["page"].get("consent_pass") == "reject")
    later = next(v for v in visits if v["page"].get("consent_pass") == "reject" and v is not first)
    first["storage"] = [
        item("early", PAGES[0], T0 + 0.5),
        item("late", PAGES[0], ACTION + 1),
        item("read_only", PAGES[0], None),
    ]
    later["storage"] = [item("next_page", later["page"]["url"], T0 + 0.1)]
    phases = {s.key: s.consent_phase for s in scan(visits).storage if s.consent_pass == "reject"}
    assert phases == {
        "early": "before_action",
        "late": "after_action",
        "read_only": None,
        "next_page": "after_action",
    }
