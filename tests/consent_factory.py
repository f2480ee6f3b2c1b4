"""Consent audits for tests, made by the real pipeline: raw visits as the crawl saves them (one crawl
and its accept / reject / gpc passes) -> ``assemble`` (pass and phase tagging) -> ``analyse`` (attribute,
compare, consent report). Each vendor behaves in one way (``HOSTS``); nothing here writes a finding.

``crawl_visits()`` is the audit of ``tests/test_consent_findings.py``; ``banner`` (keyword arguments of
``driver``) puts what the consent driver read of the banner (text, buttons, screenshots) on the first page
of each pass, so that the report tests can make it hostile.
"""

from __future__ import annotations

import json

from scanner.assemble import assemble
from scanner.model import ScanMeta, ScanResult
from scanner.pipeline import analyse
from scanner.scope import Scope

SITE = "https://www.shop.test"
PAGES = [f"{SITE}/", f"{SITE}/a", f"{SITE}/b"]
T0 = 1_800_000_000.0
ACTION = T0 + 2.0  # the banner is answered 2 s into the first page of a pass

# vendor host -> where it is active: the crawl ("none"), before / after the answer in the accept and
# reject passes, and under GPC.
HOSTS = {
    "www.google-analytics.com": "/g/collect",  # before consent, everywhere
    "connect.facebook.net": "/en_US/fbevents.js",  # only after accept
    "static.criteo.net": "/js/ld/ld.js",  # after reject too, ignores GPC
    "snap.licdn.com": "/li.lms-analytics/insight.min.js",  # honours GPC
    "cdnjs.cloudflare.com": "/ajax/libs/jquery.js",  # a CDN: never a consent finding
}


def request(url: str, page: str, ts: float) -> dict:
    host = url.split("/")[2]
    return {
        "url": url,
        "method": "GET",
        "resource_type": "script",
        "host": host,
        "registrable_domain": ".".join(host.split(".")[-2:]),
        "third_party": True,
        "page_url": page,
        "timestamp": ts,
    }


def visit(page: str, name: str, requests: list[dict], consent: dict | None = None, index: int = 0) -> dict:
    record = {"url": page, "depth": 0 if page == PAGES[0] else 1, "status": 200, "final_url": page}
    if name != "none":
        record["consent_pass"] = name
    out = {"page": record, "requests": requests}
    if consent is not None:
        out["consent"] = [consent]
    return out


def hits(page: str, hosts: list[str], ts: float) -> list[dict]:
    return [request(f"https://{h}{HOSTS[h]}", page, ts) for h in hosts]


def driver(cmp: str | None, action: str | None = None, result: bool | None = None, **kw) -> dict:
    """The consent driver's record of one visit; ``kw`` adds more of it (self_test, verified, banner_text,
    buttons, screenshot_before/after, errors)."""
    record = {"autoconsent_version": "16.23.0", "cmp": cmp, "popup_found": cmp is not None, **kw}
    if action:
        record |= {"action": action, "action_at": ACTION, "result": result}
    return record


ALWAYS = ["www.google-analytics.com", "cdnjs.cloudflare.com"]


def crawl_visits(
    verified_reject: bool = True, gpc: bool = True, cmp: str = "Onetrust", banner: dict | None = None
) -> list[dict]:
    banner = banner or {}
    visits = [
        visit(p, "none", hits(p, [*ALWAYS, "static.criteo.net", "snap.licdn.com"], T0), driver(cmp, **banner))
        for p in PAGES
    ]
    # accept: the banner answered on the first page at ACTION; Facebook loads after it, on every page
    first = PAGES[0]
    accept = [
        visit(
            first,
            "accept",
            hits(first, ALWAYS, T0) + hits(first, ["connect.facebook.net", "static.criteo.net"], ACTION + 1),
            driver(cmp, "optIn", True, **banner),
        )
    ]
    accept += [visit(p, "accept", hits(p, [*ALWAYS, "connect.facebook.net"], T0 + 10)) for p in PAGES[1:]]
    # reject: Criteo keeps going after the rejection
    reject = [
        visit(
            first,
            "reject",
            hits(first, ALWAYS, T0) + hits(first, ["static.criteo.net"], ACTION + 1),
            driver(
                cmp, "optOut", True, **{**banner, "self_test": verified_reject, "verified": verified_reject}
            ),
        )
    ]
    reject += [visit(p, "reject", hits(p, ["cdnjs.cloudflare.com"], T0 + 10)) for p in PAGES[1:]]
    # gpc: Criteo ignores the signal, LinkedIn honours it
    under_gpc = [visit(p, "gpc", hits(p, ["static.criteo.net", "cdnjs.cloudflare.com"], T0)) for p in PAGES]
    return visits + accept + reject + (under_gpc if gpc else [])


def scan(visits: list[dict], gpc_presented: bool = True) -> ScanResult:
    ran = dict.fromkeys(v["page"].get("consent_pass", "none") for v in visits)
    passes = tuple(
        {"name": n, "pages": PAGES, "gpc_presented": gpc_presented and n == "gpc"}
        for n in ("accept", "reject", "gpc")
        if n in ran
    )
    meta = ScanMeta(
        tool_version="test",
        start_urls=(PAGES[0],),
        started_at="2027-01-01T00:00:00Z",
        finished_at="2027-01-01T00:01:00Z",
        presented={"timezone": "Europe/Berlin", "languages": ["en-US", "en"]},
        consent_passes=passes,
    )
    raw = assemble(meta, Scope([PAGES[0]]), json.loads(json.dumps(visits)))
    return analyse(raw, declared=None)
