"""results.sarif: SARIF 2.1.0, one result per finding, for code-scanning UIs.

Each result points at the declaration file (``vendors.csv``, from the scan metadata) so
that GitHub code scanning can show it on a file of the repository: the declaration's line
for declared vendors, line 1 (the header, where a row is missing) for undeclared trackers.
The pages where the vendor was seen are attached as additional locations by URL (the first
ten); ``properties.evidenceTotals`` counts all the evidence as every format does (``requests`` with the
beacons included, ``beacons`` how many of them were beacons), ``evidenceListed`` what scan.json lists of
it. A partial scan (``meta.interrupted``) has ``executionSuccessful: false`` and says
so in a ``toolExecutionNotifications`` entry, with one more per recorded error.

A consent audit (``result.consent``) adds one rule per consent kind (TRK101...) and a result per
consent finding, placed like the others (the vendor's declaration line, else line 1). Levels: a tracker
before consent, despite a verified rejection, or Google hits claiming "granted" before any choice are
errors; what depends on the region or could not be proven (GPC ignored, a rejection that could not be
verified, a tracker the CMP does not list or lists differently) are warnings; "no banner" is a note
(no banner may be right for a site without trackers or for this region). ``consent_gated`` and
``gpc_honoured`` are checks that passed: kind ``pass`` with level ``none``, as ``declared`` is, so the log
keeps the evidence that consent worked while code-scanning UIs open no alert for it.

A behaviour audit (``result.behaviour``) adds one rule per behaviour kind (TRK201...: fingerprinting,
security fingerprinting, session recording, possible session recording, form-data leak, identifier
sharing, hidden first-party tracker, embed) with help text, and a result per behaviour finding. Its level
comes from the finding's severity (high: error, medium: warning, low: note); an embed (severity info) is
kind ``informational`` with level ``none``. Its fingerprint hashes kind and vendor (stable across scans,
as the others), its logical locations name the calling scripts, ``properties`` carry the severity,
criteria met and observation count.

``partialFingerprints["vendorStatus/v1"]`` hashes the finding's kind and case-folded vendor; the site's
own vendors ("example.com (first party)", a first-party script's host) by their place in the scanned site
(``scanner.fingerprints``: "<site> (first party)", "<host> (first party)"), so that alerts match across
deployments of one site (a preview host such as ``pr-7-shop.vercel.app``, staging, production).

A finding a waiver accepts (``--waivers``, still holding) carries ``suppressions: [{kind: external,
status: accepted, justification}]`` (the reason, owner, expiry and where the waiver is written); an
expired waiver only shows in ``properties.waiver``.
"""

from __future__ import annotations

import json
from pathlib import Path

from scanner.fingerprints import sarif_fingerprint
from scanner.model import (
    BEHAVIOUR_KINDS,
    CONSENT_KINDS,
    BehaviourReport,
    ConsentReport,
    Finding,
    ScanResult,
    Waiver,
    to_jsonable,
)
from scanner.report import behaviour_text
from scanner.report.consent_text import (
    GOOD_KINDS,
    action_text,
    banner_line,
    consent_findings,
    kind_label,
    verified_text,
)
from scanner.report.coverage_text import coverage_properties
from scanner.report.text import evidence_counts, evidence_listed, evidence_summary, partial_scan_text

SARIF_SCHEMA = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
SARIF_CATEGORY = "tracker-audit"

RULES: dict[str, dict] = {
    "undeclared": {
        "id": "TRK001",
        "name": "UndeclaredTracker",
        "short": "A tracker runs on the site but is not declared",
        "full": "The scan observed cookies, storage or requests of a vendor that vendors.csv does not list.",
        "level": "error",
    },
    "mismatch": {
        "id": "TRK002",
        "name": "DeclarationMismatch",
        "short": "A declared vendor behaves differently from its declaration",
        "full": "The vendor is declared, but its observed category/purpose or cookie lifetime differs.",
        "level": "warning",
    },
    "not_observed": {
        "id": "TRK003",
        "name": "DeclaredNotObserved",
        "short": "A declared vendor was not observed",
        "full": "vendors.csv lists the vendor but the scan saw nothing of it "
        "(a stale declaration, or the vendor only loads after consent).",
        "level": "note",
    },
    "declared": {
        "id": "TRK004",
        "name": "DeclaredAndConsistent",
        "short": "A declared vendor was observed as declared",
        "full": "Observed behaviour matches the declaration.",
        "level": "none",
    },
}


def _consent_rule(n: int, name: str, short: str, full: str, level: str) -> dict:
    return {"id": f"TRK{100 + n}", "name": name, "short": short, "full": full, "level": level}


RULES.update(
    {
        "before_consent": _consent_rule(
            1,
            "TrackingBeforeConsent",
            "A tracker is active before any consent choice",
            "A tracking vendor sent requests, set cookies or wrote storage before the visitor answered "
            "the consent banner (in the crawl, or before the click in the accept/reject passes).",
            "error",
        ),
        "despite_reject": _consent_rule(
            2,
            "TrackingDespiteReject",
            "A tracker is active after a verified rejection",
            "After 'reject all', which the consent manager's self-test (or state) verified, the vendor "
            "was still active.",
            "error",
        ),
        "reject_unverified": _consent_rule(
            3,
            "TrackingAfterUnverifiedReject",
            "A tracker is active after a rejection that could not be verified",
            "The vendor was active after 'reject all', but the rejection itself could not be verified: "
            "this proves nothing about the site until the opt-out is checked by hand.",
            "warning",
        ),
        "gpc_ignored": _consent_rule(
            4,
            "GlobalPrivacyControlIgnored",
            "An advertising or social vendor ignores Global Privacy Control",
            "The vendor was still active with Sec-GPC: 1; holds for the scan's region only.",
            "warning",
        ),
        "not_in_cmp": _consent_rule(
            5,
            "TrackerNotInConsentManager",
            "A tracker the consent manager never lists",
            "Nobody could consent to this vendor: the consent manager's declaration does not name it.",
            "warning",
        ),
        "cmp_mismatch": _consent_rule(
            6,
            "ConsentManagerMismatch",
            "The consent manager declares the vendor differently",
            "A cookie declared necessary but set by an advertising vendor, or a declared lifetime that "
            "differs from the observed one.",
            "warning",
        ),
        "granted_before_choice": _consent_rule(
            7,
            "ConsentGrantedBeforeChoice",
            "Google hits claim consent was granted before any choice",
            "Consent Mode values on Google hits said 'granted' before the visitor answered the banner.",
            "error",
        ),
        "no_banner": _consent_rule(
            8,
            "NoConsentBanner",
            "No consent banner was shown to this browser",
            "The first pages showed no consent banner to this browser (in the scan's region).",
            "note",
        ),
        "consent_gated": _consent_rule(
            9,
            "ConsentGated",
            "A tracker loads only after consent",
            "The vendor was active only after 'accept all': consent gating works.",
            "none",
        ),
        "gpc_honoured": _consent_rule(
            10,
            "GlobalPrivacyControlHonoured",
            "A vendor stops under Global Privacy Control",
            "The vendor was seen without GPC and not with Sec-GPC: 1; holds for the scan's region only.",
            "none",
        ),
    }
)
_BEHAVIOUR_NAMES = {
    "fingerprinting": "BrowserFingerprinting",
    "security_fingerprinting": "SecurityFingerprinting",
    "session_recording": "SessionRecording",
    "possible_session_recording": "PossibleSessionRecording",
    "form_data_leak": "FormDataLeak",
    "id_sharing": "IdentifierSharing",
    "cname_cloaked": "CloakedFirstPartyTracker",
    "embed": "ThirdPartyEmbed",
}
SEVERITY_LEVELS = {"high": "error", "medium": "warning", "low": "note", "info": "none"}
RULES.update(
    {
        kind: {
            "id": f"TRK{201 + n}",
            "name": _BEHAVIOUR_NAMES.get(kind, kind.title().replace("_", "")),
            "short": f"{behaviour_text.kind_label(kind)} observed",
            "full": behaviour_text.kind_text(kind),
            "level": SEVERITY_LEVELS[behaviour_text.DEFAULT_SEVERITY.get(kind, "medium")],
        }
        for n, kind in enumerate(BEHAVIOUR_KINDS)
    }
)
_ORDER = ("undeclared", "mismatch", "not_observed", "declared")


def _rule(status: str) -> dict:
    r = RULES[status]
    group = ["consent"] if status in CONSENT_KINDS else ["behaviour"] if status in BEHAVIOUR_KINDS else []
    tags = ["privacy", "tracking", *group, status]
    out = {
        "id": r["id"],
        "name": r["name"],
        "shortDescription": {"text": r["short"]},
        "fullDescription": {"text": r["full"]},
        "defaultConfiguration": {"level": r["level"]},
        "properties": {"tags": tags},
    }
    if status in BEHAVIOUR_KINDS:
        flag = status.replace("_", "-")
        gate = (
            "It is information and never fails the gate."
            if behaviour_text.is_info(status)
            else f"`scanner scan --fail-on {flag}` fails the build on it."
        )
        out["help"] = {"text": f"{r['full']} {gate}", "markdown": f"{r['full']} {gate}"}
    return out


def declared_lines(result: ScanResult) -> dict[str, tuple[int, int]]:
    """(position, line) of the first declaration row naming each vendor (by declared name or resolved
    vendor, case folded): built once, so that placing a finding is a look-up, not a pass over the rows."""
    lines: dict[str, tuple[int, int]] = {}
    for position, d in enumerate(result.declared):
        if d.line:
            for key in (d.name.casefold(), (d.vendor or "").casefold()):
                if key:
                    lines.setdefault(key, (position, d.line))
    return lines


def _declared_line(lines: dict[str, tuple[int, int]], finding: Finding) -> int:
    """The declaration's line for the finding's vendor; 1 (the header) where no row declares it."""
    keys = ((finding.declared_name or "").casefold(), finding.vendor.casefold())
    return min((lines[k] for k in keys if k in lines), default=(0, 1))[1]


def _message(finding: Finding, detections: tuple = ()) -> str:
    head = {
        "undeclared": f"Undeclared tracker: {finding.vendor}",
        "mismatch": f"{finding.declared_name or finding.vendor} does not match its declaration",
        "not_observed": f"Declared vendor {finding.declared_name or finding.vendor} was not observed",
        "declared": f"{finding.vendor} observed as declared",
    }.get(finding.status)
    if head is None and finding.status in BEHAVIOUR_KINDS:
        head = f"{behaviour_text.kind_label(finding.status)} by {finding.vendor}"
    head = head or f"{kind_label(finding.status)}: {finding.vendor}"
    parts = [head + (f" ({finding.category})" if finding.category else "") + "."]
    if finding.detail:
        parts.append(finding.detail)
    parts.extend(evidence_summary(finding, limit=3))
    parts.extend(behaviour_text.evidence_lines(finding, detections, limit=3))
    return "\n".join(parts)


def _result(
    finding: Finding,
    rule_index: dict[str, int],
    artifact: str,
    lines: dict[str, tuple[int, int]],
    detections: tuple = (),
    start_urls: tuple[str, ...] = (),
) -> dict:
    rule = RULES[finding.status]
    fingerprint = sarif_fingerprint(finding.status, finding.vendor, start_urls)
    out: dict = {
        "ruleId": rule["id"],
        "ruleIndex": rule_index[finding.status],
        "level": rule["level"],
        "message": {"text": _message(finding, detections)},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact},
                    "region": {"startLine": _declared_line(lines, finding)},
                },
                "logicalLocations": [{"name": finding.vendor, "kind": "vendor"}],
            }
        ],
        "partialFingerprints": {"vendorStatus/v1": fingerprint},
        "properties": {
            "vendor": finding.vendor,
            "status": finding.status,
            "category": finding.category,
            "declaredName": finding.declared_name,
            "reasons": list(finding.reasons),
            "unknownVendor": finding.unknown,
            "pages": finding.evidence.total("pages"),
            "cookies": sorted({str(c.get("name", "")) for c in finding.evidence.cookies}),
            "evidenceTotals": evidence_counts(finding.evidence),  # requests: beacons included
            "evidenceListed": evidence_listed(finding.evidence),
        },
    }
    if finding.status == "declared" or finding.status in GOOD_KINDS:
        out["kind"] = "pass"
    if finding.status in CONSENT_KINDS:
        out["properties"]["consentKind"] = finding.status
    if finding.status in BEHAVIOUR_KINDS:
        _behaviour_result(out, finding, detections)
    if finding.waiver is not None:
        _waiver_result(out, finding.waiver)
    related = [
        {
            "id": i + 1,
            "physicalLocation": {"artifactLocation": {"uri": url}},
            "message": {"text": "seen on this page"},
        }
        for i, url in enumerate(finding.evidence.pages[:10])
    ]
    if related:
        out["relatedLocations"] = related
    return out


def _waiver_result(out: dict, waiver: Waiver) -> None:
    """A waiver that holds is an accepted external suppression (code-scanning UIs close or hide the
    alert); an expired one is only named in ``properties``: the result is live again."""
    out["properties"]["waiver"] = to_jsonable(waiver)
    if not waiver.expired:
        justification = f"{waiver.reason} (owner {waiver.owner}, until {waiver.expires}; {waiver.source})"
        out["suppressions"] = [{"kind": "external", "status": "accepted", "justification": justification}]


def _behaviour_result(out: dict, finding: Finding, detections: tuple) -> None:
    """The level from the finding's severity (info: an informational result), the scripts as logical
    locations, and what the finding rests on in ``properties``."""
    sev = behaviour_text.severity(finding)
    level = SEVERITY_LEVELS.get(sev, "warning")
    out["level"] = level
    if level == "none":
        out["kind"] = "informational"
    obs = behaviour_text.observations(finding, detections)
    scripts = behaviour_text.scripts_of(obs)
    out["locations"][0]["logicalLocations"] += [
        {"name": behaviour_text.clip(s, 400), "kind": "module"} for s in scripts[:10]
    ]
    out["properties"].update(
        {
            "behaviourKind": finding.status,
            "severity": sev,
            "criteria": behaviour_text.criteria_of(obs)[:10],
            "scripts": [behaviour_text.clip(s, 400) for s in scripts[:10]],
            "observations": max(finding.evidence.total("behaviour"), len(obs)),
        }
    )


def _behaviour_properties(report: BehaviourReport) -> dict:
    return {
        "hooks": report.hooks,
        "probeForms": report.probe_forms,
        "summary": report.summary,
        "detections": len(report.detections),
        "blindSpots": behaviour_text.blind_spots(report),
    }


def declaration_uri(source: str | None) -> str:
    """vendors.csv as a repository-relative URI: relative to the working folder (the checkout
    in CI) when it lies inside it, else just its file name."""
    if not source or source.startswith("policy:"):
        return "vendors.csv"
    path = Path(source)
    try:
        return path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return path.name or "vendors.csv"


def _invocation(result: ScanResult) -> dict:
    meta = result.meta
    notes = []
    partial = partial_scan_text(result)
    if partial:
        notes.append({"level": "error", "message": {"text": partial}, "descriptor": {"id": "partial-scan"}})
    for error in meta.errors:
        notes.append({"level": "error" if partial else "warning", "message": {"text": str(error) or "error"}})
    out: dict = {
        "executionSuccessful": not meta.interrupted,
        "startTimeUtc": meta.started_at,
        **({"endTimeUtc": meta.finished_at} if meta.finished_at else {}),
    }
    if notes:
        out["toolExecutionNotifications"] = notes
    return out


def _consent_properties(result: ScanResult) -> dict:
    consent = result.consent or ConsentReport()
    return {
        "banner": banner_line(consent),
        "region": consent.region,
        "autoconsentVersion": consent.autoconsent_version,
        "summary": consent.summary,
        "passes": [
            {
                "name": p.name,
                "consentManager": p.cmp,
                "action": action_text(p),
                "verified": verified_text(p),
                "pages": len(p.pages),
            }
            for p in consent.passes
        ],
    }


def build_sarif(result: ScanResult) -> dict:
    """The SARIF 2.1.0 log (a dict ready for ``json.dump``)."""
    meta = result.meta
    artifact = declaration_uri(meta.declared_source)
    consent = result.consent
    behaviour = result.behaviour
    statuses = [
        *_ORDER,
        *(CONSENT_KINDS if consent is not None else ()),
        *(BEHAVIOUR_KINDS if behaviour is not None else ()),
    ]
    known = set(statuses)
    # a newer classifier's kind this version has no rule for is left out rather than mislabelled
    behaviour_findings = [f for f in behaviour_text.behaviour_findings(behaviour) if f.status in known]
    findings = [*result.findings, *consent_findings(consent), *behaviour_findings]
    detections = behaviour.detections if behaviour is not None else ()
    rule_index = {s: i for i, s in enumerate(statuses)}
    lines = declared_lines(result)
    run = {
        "tool": {
            "driver": {
                "name": "scanner",
                "version": meta.tool_version,
                "rules": [_rule(s) for s in statuses],
            }
        },
        # The category of code scanning (the id up to its last "/"): the same for every scan, whatever
        # URL it started from, so that a preview deployment's new host does not open a new set of alerts
        # and fixed findings close. GitHub's upload-sarif keeps an id that is there (its ``category``
        # input does not replace it): the Action rewrites it for its ``sarif-category`` input.
        "automationDetails": {"id": SARIF_CATEGORY + "/"},
        "invocations": [_invocation(result)],
        "artifacts": [{"location": {"uri": artifact}, "roles": ["analysisTarget"]}],
        "results": [
            _result(f, rule_index, artifact, lines, detections, result.meta.start_urls) for f in findings
        ],
        "properties": {
            "startUrls": list(meta.start_urls),
            "summary": result.summary,
            "pagesScanned": len(result.pages),
            "interrupted": bool(meta.interrupted),
            "coverage": coverage_properties(result),
            **({"consent": _consent_properties(result)} if consent is not None else {}),
            **({"behaviour": _behaviour_properties(behaviour)} if behaviour is not None else {}),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


def write_sarif(result: ScanResult, out_dir: Path) -> Path:
    path = out_dir / "results.sarif"
    path.write_text(json.dumps(build_sarif(result), indent=1, ensure_ascii=False), encoding="utf-8")
    return path
