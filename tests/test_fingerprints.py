"""Finding fingerprints do not depend on the host a site was deployed on.

The same site (tests/behaviour_factory.py's shop, plus a first-party fingerprinting script and a
persistent cookie named as a session cookie) is scanned on its production host and on a preview host
under a public suffix (``pr-7-shop.vercel.app``), through the real pipeline (assemble -> analyse). Its
own vendors are named after the host ("behaviour-shop.com (first party)" vs "vercel.app (first party)",
"www.behaviour-shop.com (first party)" vs "pr-7-shop.vercel.app (first party)"); their SARIF
``partialFingerprints``, GitLab Code Quality fingerprints and history fingerprints must still match, the
history's ``sarif_fingerprint`` must equal SARIF's, and a history database recorded before keeps
matching (the history fingerprint of "<site key> (first party)" is unchanged)."""

from __future__ import annotations

import hashlib
import json

import behaviour_factory as bf
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scanner.assemble import assemble
from scanner.fingerprints import site_names, stable_vendor
from scanner.gate import all_findings, new_since
from scanner.history import finding_fingerprint
from scanner.history.extract import finding_rows
from scanner.model import ScanMeta, ScanResult
from scanner.pipeline import analyse
from scanner.report.codequality import build_codequality
from scanner.report.sarif import build_sarif
from scanner.scope import Scope

PREVIEW = "pr-7-shop.vercel.app"
OWN_SCRIPT = f"{bf.SITE}/assets/fp.js"


def deployed(host: str | None) -> ScanResult:
    """The shop on its own host (None) or on ``host``: the same visits with the host names replaced."""
    visits = bf.site_visits()
    home = bf.PAGES[0]
    visits[0]["requests"].append(bf.request(OWN_SCRIPT, home))
    visits[0]["api_calls"] += bf.canvas_fingerprint(OWN_SCRIPT, home)
    visits[0]["cookie_observations"].append(
        bf.cookie_observation("shop_session", ".behaviour-shop.com", home)
    )
    text = json.dumps(visits)
    if host:
        domain = host.split(".", 1)[1]
        text = text.replace("www.behaviour-shop.com", host).replace("behaviour-shop.com", domain)
    start = json.loads(text)[0]["page"]["url"]
    meta = ScanMeta(
        tool_version="test",
        start_urls=(start,),
        started_at="2027-01-01T00:00:00Z",
        finished_at="2027-01-01T00:01:00Z",
        options={"api_hooks": True},
    )
    return analyse(assemble(meta, Scope([start]), json.loads(text)), declared=bf.declaration())


@pytest.fixture(scope="module")
def pair() -> tuple[ScanResult, ScanResult]:
    return deployed(None), deployed(PREVIEW)


def _first_party(result: ScanResult) -> list[tuple[str, str]]:
    return [(f.status, f.vendor) for f in all_findings(result) if f.vendor.endswith("(first party)")]


def test_the_site_own_vendors_are_named_after_the_host(pair):
    prod, preview = pair
    assert _first_party(prod) == [
        ("mismatch", "behaviour-shop.com (first party)"),
        ("fingerprinting", "www.behaviour-shop.com (first party)"),
    ]
    assert _first_party(preview) == [
        ("mismatch", "vercel.app (first party)"),
        ("fingerprinting", f"{PREVIEW} (first party)"),
    ]


def _sarif(result: ScanResult) -> dict[tuple[str, str], str]:
    """(status, vendor with the host names made neutral) -> partialFingerprints of each SARIF result."""
    out = {}
    for r in build_sarif(result)["runs"][0]["results"]:
        vendor = r["properties"]["vendor"]
        if vendor.endswith("(first party)"):
            vendor = "own " + ("domain" if vendor.split()[0].count(".") == 1 else "host")
        out[(r["properties"]["status"], vendor)] = r["partialFingerprints"]["vendorStatus/v1"]
    return out


def test_sarif_fingerprints_match_across_deployments(pair):
    prod, preview = _sarif(pair[0]), _sarif(pair[1])
    assert ("fingerprinting", "own host") in prod and ("mismatch", "own domain") in prod
    assert prod == preview
    assert len(set(prod.values())) == len(prod)  # still one fingerprint per finding
    # every other vendor keeps the fingerprint it always had: sha256("kind|vendor")
    ga = ("fingerprinting", "fp-metrics.net")
    assert prod[ga] == hashlib.sha256(b"fingerprinting|fp-metrics.net").hexdigest()[:32]


def test_code_quality_fingerprints_match_across_deployments(pair):
    prod, preview = (sorted((i["check_name"], i["fingerprint"]) for i in build_codequality(r)) for r in pair)
    assert prod == preview and any(name.endswith("/fingerprinting") for name, _ in prod)


def test_history_fingerprints_align_with_sarif_and_with_old_databases(pair):
    for result in pair:
        sarif = {(s, v): fp for (s, v), fp in _sarif(result).items()}
        rows = finding_rows(result, "shop")
        neutral = {
            (r["kind"], "own " + ("domain" if r["vendor"].split()[0].count(".") == 1 else "host"))
            if r["vendor"].endswith("(first party)")
            else (r["kind"], r["vendor"]): r["sarif_fingerprint"]
            for r in rows
        }
        assert neutral == sarif
    # recorded under one --site key, production and preview findings are the same findings
    prod, preview = ({(r["kind"], r["fingerprint"]) for r in finding_rows(res, "shop")} for res in pair)
    assert prod == preview
    # a database recorded before keeps matching: the domain-named first-party vendor of a scan of its site
    # hashes as history/v1 always hashed it
    site = "behaviour-shop.com"
    old = hashlib.sha256(f"history/v1|{site}|mismatch|{site} (first party)".encode()).hexdigest()[:32]
    rows = {(r["kind"], r["vendor"]): r["fingerprint"] for r in finding_rows(pair[0], site)}
    assert rows[("mismatch", f"{site} (first party)")] == old
    assert finding_fingerprint(site, "mismatch", f"{site} (first party)") == old  # without start URLs too


def test_a_preview_judged_against_production_has_nothing_new(pair):
    """``--baseline``: the preview's own vendors are production's, so none of its findings is new."""
    prod, preview = pair
    own = [f for f in all_findings(preview) if f.vendor.endswith("(first party)")]
    assert own and new_since(preview, prod) == [] and new_since(prod, preview) == []


def test_stable_vendor_names():
    hosts, domains = site_names(["https://www.Example.com:8443/shop", f"https://{PREVIEW}/"])
    assert hosts == (PREVIEW, "www.example.com") and domains == ("example.com", "vercel.app")
    assert stable_vendor("example.com (first party)", hosts, domains) == "<site> (first party)"
    assert stable_vendor("www.example.com (first party)", hosts, domains) == "<host> (first party)"
    assert stable_vendor(f"{PREVIEW} (first party)", hosts, domains) == "<host> (first party)"
    assert (
        stable_vendor("metrics.example.com (first party)", hosts, domains) == "metrics.<site> (first party)"
    )
    assert stable_vendor("notexample.com (first party)", hosts, domains) == "notexample.com (first party)"
    assert stable_vendor("example.com", hosts, domains) == "example.com"  # only the site's own vendors


@given(st.text(max_size=40), st.sampled_from(["", " (first party)"]))
def test_stable_vendor_never_touches_a_third_party(name, suffix):
    hosts, domains = site_names(["https://www.example.com/"])
    vendor = name.casefold() + suffix
    out = stable_vendor(vendor, hosts, domains)
    if not vendor.endswith(" (first party)"):
        assert out == vendor
    else:
        assert out.endswith(" (first party)")
