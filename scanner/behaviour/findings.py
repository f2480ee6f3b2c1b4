"""The behaviour audit: detections of an attributed scan turned into findings (``ScanResult.behaviour``).

Pure: :func:`detect` runs every detector (``classify``, ``replay``, ``leaks``, ``cloaking``,
``embeds``) over an attributed :class:`~scanner.model.ScanResult`; :func:`behaviour_report` makes one
:class:`~scanner.model.Finding` per (kind, vendor) — an unknown party is named by its domain or host —
with the detections' observations as ``evidence.behaviour`` (a sample, with the total) and its pages.

Severity (``Finding.severity``) per kind:

==============================  ========  =====================================================
kind                            severity  why
==============================  ========  =====================================================
fingerprinting                  high      identifies the browser without any storage to clear
security_fingerprinting         low       the same, by a captcha / bot manager / anti-fraud vendor
session_recording               high      everything the visitor does and types, replayable
possible_session_recording      medium    a recorder's behaviour, without its traffic confirmed
form_data_leak                  high      what the visitor typed, sent to a third party unasked
id_sharing (first-party id)     high      the site's own identifier handed to another party
id_sharing (third-party id)     medium    one tracker's identifier synced to another
cname_cloaked                   high      a tracker disguised as the site, escaping blocking
embed                           info      a widget or embed, named so the auditor knows it
==============================  ========  =====================================================
"""

from __future__ import annotations

from collections.abc import Sequence

from scanner.behaviour.classify import fingerprinting
from scanner.behaviour.cloaking import cloaked
from scanner.behaviour.embeds import embed_detections
from scanner.behaviour.leaks import leak_detections
from scanner.behaviour.replay import possible_recorders, recordings
from scanner.catalog import Catalog
from scanner.model import BEHAVIOUR_KINDS, BehaviourReport, Declared, Detection, Evidence, Finding, ScanResult

MAX_FINDING_EVIDENCE = 50  # observations listed per finding (evidence.behaviour_total counts them all)
MAX_FINDING_PAGES = 50

SEVERITY = {
    "fingerprinting": "high",
    "security_fingerprinting": "low",
    "session_recording": "high",
    "possible_session_recording": "medium",
    "form_data_leak": "high",
    "id_sharing": "high",  # medium when every identifier shared is a third party's (cookie syncing)
    "cname_cloaked": "high",
    "embed": "info",
}
_RANK = {"high": 0, "medium": 1, "low": 2, "info": 3}

# What this audit cannot see, whatever it found (README "Behaviour").
BLIND_SPOTS: tuple[str, ...] = (
    "Web workers and service workers are not instrumented: fingerprinting done there (OffscreenCanvas, "
    "audio in a worker) is not seen.",
    "Frames written with document.write or left at about:blank may run before or without the hooks.",
    "A script that takes clean prototypes from a fresh iframe, or caches API functions before the page "
    "loads, calls them unseen.",
    "Payloads that are compressed (CompressionStream, custom encodings) or encrypted hide typed values "
    "and identifiers: not detected is not absent.",
    "A fingerprinting or recording script served from the site's own host (a first-party proxy) is "
    "attributed to the site, not to its vendor, unless its behaviour names it.",
    "CNAME and IP addresses are not resolved (no DNS from the browser): a first-party subdomain is "
    "recognised as a hidden tracker only by its paths and cookies.",
)


def vendor_categories_of(catalog: Catalog):
    """name -> the vendor's catalog categories (empty for an unknown vendor)."""

    def categories(name: str | None) -> tuple[str, ...]:
        entry = catalog.vendor(name) if name else None
        return entry.categories if entry is not None else ()

    return categories


def detect(result: ScanResult, catalog: Catalog) -> tuple[Detection, ...]:
    """Every behaviour detection of an attributed scan, in kind order."""
    categories = vendor_categories_of(catalog)
    found: list[Detection] = fingerprinting(result.api_calls, categories)
    recording = recordings(result.requests, categories)
    found += recording
    found += possible_recorders(result.api_calls, {d.vendor for d in recording if d.vendor}, categories)
    found += leak_detections(result.value_leaks)
    found += cloaked(
        result.requests,
        result.cookies,
        [
            *result.meta.start_urls,
            *(p.url for p in result.pages),
            *(p.final_url for p in result.pages if p.final_url),
        ],
        catalog,
    )
    found += embed_detections(result.requests)
    order = {k: i for i, k in enumerate(BEHAVIOUR_KINDS)}
    found.sort(key=lambda d: (order.get(d.kind, 99), (d.vendor or d.subject or "").casefold(), d.technique))
    return tuple(found)


def _who(d: Detection, catalog: Catalog) -> tuple[str, bool]:
    """(name, unknown) of a detection's party: its vendor (unknown when attribution named an unknown
    tracker by its domain), else its subject."""
    if d.vendor:
        return d.vendor, catalog.vendor(d.vendor) is None
    return d.subject or "unknown script", True


def _severity(kind: str, group: Sequence[Detection]) -> str:
    if kind == "id_sharing" and not any(
        e.get("source_first_party") for d in group for e in d.evidence if isinstance(e, dict)
    ):
        return "medium"
    return SEVERITY[kind]


_WHAT = {
    "fingerprinting": "fingerprints the browser",
    "security_fingerprinting": "fingerprints the browser for security (captcha, bot or fraud detection)",
    "session_recording": "records the session",
    "possible_session_recording": "behaves like a session recorder",
    "form_data_leak": "received what was typed into a form before it was submitted",
    "id_sharing": "received an identifier of another party",
    "cname_cloaked": "is hidden behind a first-party subdomain",
    "embed": "is embedded in the page",
}
_TECHNIQUE_WORDS = {
    "canvas": "canvas image",
    "canvas_font": "canvas font list",
    "webgl": "WebGL graphics card",
    "audio": "audio stack (OfflineAudioContext)",
    "webrtc_ip": "local IP addresses via WebRTC",
    "navigator_sweep": "navigator/screen property sweep",
    "font_probing": "installed fonts (document.fonts.check)",
    "replay_traffic": "recording traffic",
    "dom_and_input": "whole-document DOM observer with input listeners",
    "form_canary": "typed value",
    "cookie_value": "cookie value",
    "storage_value": "storage value",
    "cloaked_path": "tracker endpoint paths",
    "cloaked_cookie": "tracker cookies",
    "like_button": "Like button",
    "share_button": "share button",
    "sso": "sign-in button",
    "video": "video embed",
    "map": "map embed",
}


def _detail(kind: str, name: str, group: Sequence[Detection], pages: int, declared: str | None) -> str:
    techniques = sorted({d.technique for d in group})
    how = ", ".join(_TECHNIQUE_WORDS.get(t, t) for t in techniques)
    scripts = sorted({d.script for d in group if d.script})
    text = f"{name} {_WHAT[kind]} ({how}) on {pages} page(s)"
    if kind == "id_sharing":
        sources = sorted(
            {f"{e.get('source')} {e.get('name')}" for d in group for e in d.evidence if isinstance(e, dict)}
        )
        text += ": " + ", ".join(sources[:5]) + (f" and {len(sources) - 5} more" if len(sources) > 5 else "")
    elif kind == "cname_cloaked":
        hosts = sorted({d.subject for d in group if d.subject})
        text += ": " + ", ".join(hosts[:5])
    elif scripts:
        text += (
            "; script "
            + ", ".join(s[:200] for s in scripts[:3])
            + (f" and {len(scripts) - 3} more" if len(scripts) > 3 else "")
        )
    if declared:
        text += f". Declared as {declared}"
    return text + "."


def _findings(detections: Sequence[Detection], catalog: Catalog, declared: dict[str, str]) -> list[Finding]:
    groups: dict[tuple[str, str], list[Detection]] = {}
    unknown: dict[tuple[str, str], bool] = {}
    for d in detections:
        name, is_unknown = _who(d, catalog)
        groups.setdefault((d.kind, name), []).append(d)
        unknown[(d.kind, name)] = is_unknown
    out = []
    for (kind, name), group in groups.items():
        pages = list(dict.fromkeys(p for d in group for p in d.pages))
        observations = [e for d in group for e in d.evidence]
        total = sum(max(d.observations, len(d.evidence)) for d in group)
        entry = catalog.vendor(name) if not unknown[(kind, name)] else None
        category = next((d.category for d in group if d.category), None) or (
            entry.category if entry else None
        )
        out.append(
            Finding(
                vendor=name,
                status=kind,
                category=category,
                declared_name=declared.get(name),
                detail=_detail(kind, name, group, len(pages), declared.get(name)),
                reasons=tuple(sorted({d.technique for d in group})),
                evidence=Evidence(
                    pages=tuple(pages[:MAX_FINDING_PAGES]),
                    pages_total=len(pages),
                    behaviour=tuple(observations[:MAX_FINDING_EVIDENCE]),
                    behaviour_total=total,
                ),
                unknown=unknown[(kind, name)],
                severity=_severity(kind, group),
            )
        )
    order = {k: i for i, k in enumerate(BEHAVIOUR_KINDS)}
    out.sort(key=lambda f: (_RANK[f.severity or "info"], order[f.status], f.vendor.casefold()))
    return out


def _declared_names(result: ScanResult, declared: Sequence[Declared] | None) -> dict[str, str]:
    """Vendor -> the declared row names that cover it, from the declaration findings of ``compare``
    (or, when ``declared`` is given, the rows resolving to that vendor)."""
    names: dict[str, str] = {}
    if declared is not None:
        for row in declared:
            if row.vendor:
                names.setdefault(row.vendor, row.name)
        return names
    for f in result.findings:
        if f.status in ("declared", "mismatch") and f.declared_name:
            names[f.vendor] = f.declared_name
    return names


def blind_spots(result: ScanResult, hooks: bool, probe_forms: bool) -> tuple[str, ...]:
    spots = list(BLIND_SPOTS)
    if not hooks:
        spots.insert(
            0,
            "API hooks were off (--behaviour off) or not available: no fingerprinting or "
            "session-recording behaviour was observed.",
        )
    if not probe_forms:
        spots.insert(
            0 if hooks else 1,
            "--probe-forms was not used: nothing was typed into forms, so form-data leaks cannot have "
            "been found.",
        )
    return tuple(spots)


def behaviour_report(
    result: ScanResult,
    catalog: Catalog,
    declared: Sequence[Declared] | None = None,
    detections: Sequence[Detection] | None = None,
) -> BehaviourReport:
    """The behaviour audit of an attributed (and compared) scan.

    ``detections`` are those of :func:`detect` when the caller already has them (the pipeline runs
    them before ``compare``); ``declared`` names the rows that declare a vendor (default: the
    declaration findings already on ``result``)."""
    if detections is None:
        detections = detect(result, catalog)
    options = result.meta.options or {}
    hooks = options.get("api_hooks") is True or bool(result.api_calls)
    probe_forms = options.get("probe_forms") is True
    return BehaviourReport(
        detections=tuple(detections),
        findings=tuple(_findings(detections, catalog, _declared_names(result, declared))),
        probe_forms=probe_forms,
        hooks=hooks,
        blind_spots=blind_spots(result, hooks, probe_forms),
    )
