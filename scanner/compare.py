"""Observed vs declared vendors -> findings: declared, undeclared, not_observed, mismatch.

One finding per observed tracker vendor and per declared vendor that was not seen; rows of
vendors.csv that resolve to the same vendor ("Doubleclick", "Google Interest Based Ads") share
one finding. A row naming a parent company ("Google") covers every vendor of that company.
Harmless third parties (CDNs, fonts, hosting) are findings only when declared.

Mismatch, on a declared and observed vendor:
- purpose: the declaration's category (the ``category`` column, else words of the purpose) shares
  nothing with what an item of evidence is for (a catalog rule's category, else the vendor's).
- lifetime: a cookie declared a session cookie (``lifetime`` column or "session cookie" in the
  purpose) that persists more than a day, or one living more than 1.5x the declared lifetime.
- behaviour: what the vendor's scripts or traffic did (``scanner.behaviour`` detections) is not
  covered by what it was declared for (:data:`BEHAVIOUR_COVER`): fingerprinting needs a declared
  ``security`` category or purpose words for it (fingerprint, device identification / recognition,
  fraud, bot detection, captcha, security, spam, abuse); security fingerprinting (a captcha or
  anti-fraud vendor's) is also covered by ``payment``; session recording needs ``session-replay`` or
  recording words (record, replay, heatmap, session capture, mouse tracking, click map). So a vendor
  declared for "analytics" that fingerprints, or one declared as a "Like button" that records the
  session, is a mismatch. A *possible* recording is not held against a declaration (it is a finding of
  its own), nor are form-data leaks and identifier sharing, which are findings whatever was declared.

The site's own cookies: a vendors.csv row whose ``domains`` include the site's domain, or whose
``cookies`` name first-party cookies, declares them under the pseudo-vendor "<site> (first
party)" and gets the same lifetime checks. Without such a row, a first-party cookie whose name
says it is a session cookie (``session``, ``*_session``, ``PHPSESSID``, ...) but that persists is
itself reported as a lifetime mismatch: its name is the only declaration there is.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from scanner.attribute.run import evidence_category, first_party_domains
from scanner.catalog import Catalog, VendorEntry
from scanner.catalog.categories import categories_in_text, normalize_category
from scanner.catalog.lifetimes import Lifetime, describe_days, parse_lifetime
from scanner.declared import cookie_pattern_matches, resolve_declared
from scanner.domains import cookie_registrable_domain, domain_matches, host_of, registrable_domain
from scanner.model import (
    FINDING_STATUSES,
    Cookie,
    Declared,
    Detection,
    Evidence,
    Finding,
    Request,
    ScanResult,
    StorageItem,
)

# Evidence lists are samples of at most this many items per kind; Evidence.<kind>_total counts all.
MAX_EVIDENCE_REQUESTS = 20  # requests, and beacons
MAX_EVIDENCE_PAGES = 50
MAX_EVIDENCE_COOKIES = 50
MAX_EVIDENCE_STORAGE = 50
LIFETIME_SLACK = 1.5  # observed may exceed the declared lifetime by this factor before it is a mismatch
_SESSION_WORDS = re.compile(r"\bsession cookies?\b|\b(?:deleted|removed|expire[sd]?) when .{0,20}close", re.I)
_FINGERPRINT_WORDS = re.compile(
    r"\bfingerprint|\bdevice (?:identification|recognition|intelligence)|\bfraud|"
    r"\bbot (?:detection|protection|management|mitigation)|\bcaptcha|\bsecurity\b|\bspam\b|\babuse\b",
    re.I,
)
_RECORDING_WORDS = re.compile(
    r"\brecord|\breplay|\bheat ?maps?\b|\bsession (?:capture|recording)|\bmouse (?:movement|tracking)|"
    r"\bclick ?maps?\b",
    re.I,
)
# Behaviour kind -> (declared categories that cover it, purpose words that cover it)
BEHAVIOUR_COVER: dict[str, tuple[frozenset[str], re.Pattern[str]]] = {
    "fingerprinting": (frozenset({"security"}), _FINGERPRINT_WORDS),
    "security_fingerprinting": (frozenset({"security", "payment"}), _FINGERPRINT_WORDS),
    "session_recording": (frozenset({"session-replay"}), _RECORDING_WORDS),
}
_BEHAVIOUR_WORDS = {
    "fingerprinting": "fingerprinting",
    "security_fingerprinting": "security fingerprinting",
    "session_recording": "session recording",
}
_SESSION_NAME = re.compile(
    r"^(?:.*[_.-])?session$|^(?:PHPSESSID|JSESSIONID|ASP\.NET_SessionId|CFID|CFTOKEN)$", re.I
)


@dataclass
class Observed:
    """Everything attributed to one vendor (or the site itself) in a scan."""

    name: str
    entry: VendorEntry | None
    unknown: bool = False
    tracker: bool = True
    first_party: bool = False
    requests: list[Request] = field(default_factory=list)
    cookies: list[Cookie] = field(default_factory=list)
    storage: list[StorageItem] = field(default_factory=list)

    def pages(self) -> list[str]:
        seen = {r.page_url for r in self.requests} | {c.page_url for c in self.cookies}
        seen |= {s.page_url for s in self.storage}
        return sorted(p for p in seen if p)

    def domains(self) -> set[str]:
        doms = {r.registrable_domain or registrable_domain(r.host) for r in self.requests}
        doms |= {c.registrable_domain or cookie_registrable_domain(c.domain) for c in self.cookies}
        return {d for d in doms if d}


def _observed(result: ScanResult, catalog: Catalog) -> dict[str, Observed]:
    rows = {v["name"]: v for v in result.vendors if isinstance(v, dict) and v.get("name")}
    found: dict[str, Observed] = {}

    def get(name: str) -> Observed:
        if name not in found:
            row = rows.get(name, {})
            entry = catalog.vendor(name)
            unknown = bool(row.get("unknown", entry is None))
            tracker = bool(row.get("tracker", entry.tracker if entry else True))
            found[name] = Observed(name, entry, unknown=unknown, tracker=tracker)
        return found[name]

    for r in result.requests:
        if r.vendor:
            get(r.vendor).requests.append(r)
    for c in result.cookies:
        if c.vendor:
            get(c.vendor).cookies.append(c)
    for s in result.storage:
        if s.vendor:
            get(s.vendor).storage.append(s)
    return found


# ---- declared side ------------------------------------------------------------------------------


def _covers(row: Declared, obs: Observed, catalog: Catalog) -> bool:
    """Does this declared row speak for this observed vendor?"""
    if obs.first_party:
        return False
    if row.vendor and row.resolution != "parent" and row.vendor == obs.name:
        return True
    if row.vendor and obs.entry is not None and row.vendor in obs.entry.either:
        return True  # "Matomo or Piwik PRO" is covered by a row declaring either of them
    if row.resolution == "parent" and row.vendor and obs.entry is not None:
        parent = obs.entry.parent or ""
        return parent.casefold() == row.vendor.casefold() or obs.name.casefold() == row.vendor.casefold()
    if row.domains and any(domain_matches(d, dom) for d in obs.domains() for dom in row.domains):
        return True
    return bool(row.cookies) and any(
        cookie_pattern_matches(p, c.name) for p in row.cookies for c in obs.cookies
    )


def _covers_site(row: Declared, site_domains: frozenset[str], cookie: Cookie) -> bool:
    if row.cookies:
        return any(cookie_pattern_matches(p, cookie.name) for p in row.cookies)
    names = {row.name.casefold(), *(d.casefold() for d in row.domains)}
    return any(registrable_domain(n) in site_domains for n in names if "." in n)


def declared_categories(rows: Sequence[Declared]) -> set[str]:
    cats: set[str] = set()
    for row in rows:
        explicit = normalize_category(row.category)
        cats |= {explicit} if explicit else set(categories_in_text(row.purpose))
    return cats


def declared_lifetime(rows: Sequence[Declared]) -> Lifetime:
    for row in rows:
        if row.lifetime:
            lt = parse_lifetime(row.lifetime)
            if lt.known:
                return lt
    if any(_SESSION_WORDS.search(row.purpose or "") for row in rows):
        return Lifetime(session=True)
    return Lifetime()


# ---- checks ---------------------------------------------------------------------------------------


def observed_days(c: Cookie) -> float | None:
    """Lifetime as the site asked for it (before Chromium's 400-day cap); None for a session cookie."""
    if c.declared_lifetime_days is not None:
        return c.declared_lifetime_days
    return c.lifetime_days


def _lifetime_problems(cookies: Sequence[Cookie], declared: Lifetime) -> list[str]:
    problems = []
    for c in cookies:
        days = observed_days(c)
        if days is None:
            continue
        if declared.session and days > 1:
            problems.append(f"cookie {c.name} is declared a session cookie but lives {describe_days(days)}")
        elif declared.days is not None and days > declared.days * LIFETIME_SLACK and days - declared.days > 1:
            problems.append(
                f"cookie {c.name} lives {describe_days(days)}, declared {describe_days(declared.days)}"
            )
    return problems


def _label(item: Request | Cookie | StorageItem) -> str:
    if isinstance(item, Request):
        return item.url.split("?")[0].split("://", 1)[-1]
    if isinstance(item, Cookie):
        return f"cookie {item.name}"
    return f"storage {item.key}"


def _purpose_problems(obs: Observed, wanted: set[str], catalog: Catalog) -> tuple[list[str], set[str]]:
    """Evidence whose purpose shares nothing with the declared categories."""
    if not wanted or obs.entry is None:
        return [], set()
    labels: dict[str, None] = {}
    seen_cats: set[str] = set()
    for item in [*obs.requests, *obs.cookies, *obs.storage]:
        rule_cat = evidence_category(item, catalog)
        cats = {rule_cat} if rule_cat else set(obs.entry.categories)
        if not cats & wanted:
            labels.setdefault(_label(item), None)
            seen_cats |= cats
    return list(labels), seen_cats


def behaviour_covered(kind: str, rows: Sequence[Declared]) -> bool:
    """Does what these rows declare cover a behaviour of this kind (see :data:`BEHAVIOUR_COVER`)?"""
    cover = BEHAVIOUR_COVER.get(kind)
    if cover is None:
        return True
    categories, words = cover
    if declared_categories(rows) & categories:
        return True
    return any(words.search(f"{r.category or ''} {r.purpose or ''}") for r in rows)


def _behaviour_problems(detections: Sequence[Detection], rows: Sequence[Declared]) -> list[str]:
    """The behaviours of one vendor its declaration does not cover, in words."""
    techniques: dict[str, set[str]] = {}
    for d in detections:
        if d.kind in BEHAVIOUR_COVER and not behaviour_covered(d.kind, rows):
            techniques.setdefault(d.kind, set()).add(d.technique)
    return [f"{_BEHAVIOUR_WORDS[k]} ({', '.join(sorted(t))})" for k, t in sorted(techniques.items())]


# ---- evidence and text ----------------------------------------------------------------------------


def _evidence(obs: Observed) -> Evidence:
    """The finding's evidence: a capped sample of each kind, with the real total of each."""
    beacons = [r for r in obs.requests if r.is_beacon]
    others = [r for r in obs.requests if not r.is_beacon]
    cookies: dict[tuple[str, str], dict] = {}
    for c in obs.cookies:
        cookies.setdefault(
            (c.name, c.domain),
            {
                "name": c.name,
                "domain": c.domain,
                "path": c.path,
                "first_party": c.first_party,
                "set_by": c.set_by,
                "lifetime_days": observed_days(c),
                "secure": c.secure,
                "http_only": c.http_only,
                "same_site": c.same_site,
                "in_jar": c.in_jar,
                "page_url": c.page_url,
                "vendor_reason": c.vendor_reason,
            },
        )
    storage: dict[tuple[str, str, str], dict] = {}
    for s in obs.storage:
        storage.setdefault(
            (s.origin, s.kind, s.key),
            {"origin": s.origin, "kind": s.kind, "key": s.key, "page_url": s.page_url},
        )
    pages = obs.pages()
    return Evidence(
        pages=tuple(pages[:MAX_EVIDENCE_PAGES]),
        cookies=tuple(list(cookies.values())[:MAX_EVIDENCE_COOKIES]),
        requests=tuple(
            {"url": r.url, "page_url": r.page_url, "resource_type": r.resource_type, "initiator": r.initiator}
            for r in others[:MAX_EVIDENCE_REQUESTS]
        ),
        beacons=tuple(
            {
                "url": r.url,
                "page_url": r.page_url,
                "resource_type": r.resource_type,
                "reason": r.beacon_reason,
                "initiator": r.initiator,
                "query_params": list(r.query_params),
            }
            for r in beacons[:MAX_EVIDENCE_REQUESTS]
        ),
        storage=tuple(list(storage.values())[:MAX_EVIDENCE_STORAGE]),
        pages_total=len(pages),
        cookies_total=len(cookies),
        requests_total=len(others),
        beacons_total=len(beacons),
        storage_total=len(storage),
    )


def evidence_of(
    requests: Sequence[Request], cookies: Sequence[Cookie] = (), storage: Sequence[StorageItem] = ()
) -> Evidence:
    """Evidence (capped samples with real totals) of these records, as every finding carries it."""
    return _evidence(
        Observed("", None, requests=list(requests), cookies=list(cookies), storage=list(storage))
    )


def seen_words(ev: Evidence) -> str:
    """The evidence in words, from its totals."""
    return _seen(ev)


def _seen(ev: Evidence) -> str:
    """The evidence in words, from its totals (the same numbers every report prints)."""
    parts = []
    beacons = ev.total("beacons")
    if ev.total("cookies"):
        parts.append(f"{ev.total('cookies')} cookie(s)")
    if sent := ev.total("requests") + beacons:
        parts.append(f"{sent} request(s)" + (f" incl. {beacons} beacon(s)" if beacons else ""))
    if ev.total("storage"):
        parts.append(f"{ev.total('storage')} storage key(s)")
    return ", ".join(parts) + f" on {ev.total('pages')} page(s)"


def _declared_as(rows: Sequence[Declared]) -> str:
    return "; ".join(f"'{r.name}' ({r.resolution or 'unresolved'})" for r in rows)


def _category_of(obs: Observed) -> str | None:
    return obs.entry.category if obs.entry is not None else None


# ---- compare --------------------------------------------------------------------------------------


def compare(
    result: ScanResult,
    declared: Sequence[Declared] | None,
    catalog: Catalog,
    *,
    check_session_names: bool = True,
    detections: Sequence[Detection] = (),
) -> ScanResult:
    """Findings for an attributed scan: observed vendors vs declared rows (None: nothing declared).
    ``detections`` (``scanner.behaviour.detect``) let a vendor's behaviour be held against its
    declared purpose."""
    rows = tuple(declared or ())
    if any(r.resolution is None for r in rows):
        rows = resolve_declared(rows, catalog)
    observed = _observed(result, catalog)
    site_domains = first_party_domains(result)
    site = _site_name(result, site_domains)
    findings: list[Finding] = []
    used_rows: set[int] = set()
    behaviour: dict[str, list[Detection]] = defaultdict(list)
    for d in detections:
        if d.vendor and d.kind in BEHAVIOUR_COVER:
            behaviour[d.vendor].append(d)

    # the site's own cookies, when a row declares them
    site_rows = [r for r in rows if not r.vendor or r.resolution == "unresolved"]
    site_obs = Observed(f"{site} (first party)", None, first_party=True)
    site_cookie_rows: dict[int, Declared] = {}
    for c in result.cookies:
        if c.vendor is None and c.first_party:
            for row in site_rows:
                if _covers_site(row, site_domains, c):
                    site_obs.cookies.append(c)
                    site_cookie_rows[id(row)] = row
                    break
    if site_obs.cookies:
        covering = list(site_cookie_rows.values())
        used_rows |= {id(r) for r in covering}
        findings.append(_judge(site_obs, covering, catalog))
    elif check_session_names:
        findings.extend(_session_name_findings(result, site))

    for obs in sorted(observed.values(), key=lambda o: o.name.casefold()):
        covering = [r for r in rows if _covers(r, obs, catalog)]
        used_rows |= {id(r) for r in covering}
        if covering:
            findings.append(_judge(obs, covering, catalog, behaviour.get(obs.name, ())))
        elif obs.tracker:
            findings.append(_undeclared(obs))

    findings.extend(_not_observed([r for r in rows if id(r) not in used_rows], catalog, len(result.pages)))
    order = {s: i for i, s in enumerate(FINDING_STATUSES)}
    findings.sort(key=lambda f: (order[f.status], f.vendor.casefold()))
    return replace(result, declared=rows, findings=tuple(findings))


def _site_name(result: ScanResult, site_domains: frozenset[str]) -> str:
    for url in result.meta.start_urls:
        dom = registrable_domain(host_of(url))
        if dom:
            return dom
    return min(site_domains) if site_domains else "site"


def _judge(
    obs: Observed, rows: Sequence[Declared], catalog: Catalog, detections: Sequence[Detection] = ()
) -> Finding:
    wanted = declared_categories(rows)
    purpose, bad_cats = _purpose_problems(obs, wanted, catalog)
    lifetime = _lifetime_problems(obs.cookies, declared_lifetime(rows))
    behaviour = _behaviour_problems(detections, rows)
    names = "; ".join(r.name for r in rows)
    reasons: list[str] = []
    details: list[str] = []
    if purpose:
        reasons.append("purpose")
        shown = ", ".join(purpose[:6]) + (f" and {len(purpose) - 6} more" if len(purpose) > 6 else "")
        details.append(
            f"declared for {'/'.join(sorted(wanted))}, but observed {'/'.join(sorted(bad_cats))}: {shown}"
        )
    if lifetime:
        reasons.append("lifetime")
        details.append("; ".join(lifetime))
    if behaviour:
        reasons.append("behaviour")
        declared_for = "/".join(sorted(wanted)) or "a purpose that does not say so"
        details.append(f"declared for {declared_for}, but observed {'; '.join(behaviour)}")
    evidence = _evidence(obs)
    base = f"Declared as {_declared_as(rows)}; observed {_seen(evidence)}"
    return Finding(
        vendor=obs.name,
        status="mismatch" if reasons else "declared",
        category=_category_of(obs) or (sorted(wanted)[0] if wanted else None),
        declared_name=names,
        detail=base + (". Mismatch: " + "; ".join(details) + "." if details else "."),
        reasons=tuple(reasons),
        evidence=evidence,
        unknown=obs.unknown and not obs.first_party,
    )


def _undeclared(obs: Observed) -> Finding:
    evidence = _evidence(obs)
    if obs.unknown:
        why = sorted({r.vendor_reason for r in obs.requests if r.vendor_reason})
        why += sorted({c.vendor_reason for c in obs.cookies if c.vendor_reason} - set(why))
        behaviour = why[0].removeprefix("unknown tracker: ") if why else "tracking behaviour"
        detail = (
            f"Unknown tracker {obs.name} (no catalog entry; {behaviour}) is not declared; "
            f"observed {_seen(evidence)}."
        )
    else:
        cat = obs.entry.category if obs.entry else "tracking"
        parent = f", {obs.entry.parent}" if obs.entry and obs.entry.parent else ""
        detail = f"{obs.name} ({cat}{parent}) is not declared; observed {_seen(evidence)}."
    return Finding(
        vendor=obs.name,
        status="undeclared",
        category=_category_of(obs),
        detail=detail,
        reasons=("unknown",) if obs.unknown else (),
        evidence=evidence,
        unknown=obs.unknown,
    )


def _not_observed(rows: Sequence[Declared], catalog: Catalog, pages: int) -> list[Finding]:
    groups: dict[str, list[Declared]] = defaultdict(list)
    for row in rows:
        groups[row.vendor or row.name].append(row)
    findings = []
    for name, group in groups.items():
        entry = catalog.vendor(name)
        wanted = declared_categories(group)
        category = entry.category if entry else (sorted(wanted)[0] if wanted else None)
        unresolved = all(r.resolution == "unresolved" for r in group)
        if unresolved and not any(r.domains or r.cookies for r in group):
            detail = (
                f"Declared as {_declared_as(group)} but not in the vendor catalog and no domains or "
                f"cookies were given to recognise it; nothing of it was identified on {pages} page(s)."
            )
        else:
            detail = f"Declared as {_declared_as(group)} but not seen on the {pages} page(s) scanned."
        findings.append(
            Finding(
                vendor=name,
                status="not_observed",
                category=category,
                declared_name="; ".join(r.name for r in group),
                detail=detail,
                reasons=("unresolved",) if unresolved else (),
            )
        )
    return findings


def _session_name_findings(result: ScanResult, site: str) -> list[Finding]:
    bad = [
        c
        for c in result.cookies
        if c.vendor is None and c.first_party and _SESSION_NAME.match(c.name) and (observed_days(c) or 0) > 1
    ]
    if not bad:
        return []
    obs = Observed(f"{site} (first party)", None, first_party=True, cookies=bad)
    listed = "; ".join(f"{c.name} lives {describe_days(observed_days(c))}" for c in bad)
    return [
        Finding(
            vendor=obs.name,
            status="mismatch",
            category=None,
            declared_name=None,
            detail=(
                "First-party cookie(s) named as session cookies persist: "
                f"{listed}. A session cookie ends when the browser closes."
            ),
            reasons=("lifetime", "cookie-name"),
            evidence=_evidence(obs),
        )
    ]
