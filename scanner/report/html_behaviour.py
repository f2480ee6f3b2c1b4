"""The behaviour section of report.html as plain data (``build_view(...)["behaviour"]``).

One group per finding kind (fingerprinting, session recording, ...) with a row per finding: severity,
vendor (or the unknown host), the criterion met in words, the calling scripts, and the observations as
lines of words with their page and frame. Embeds are listed as information. Script URLs, parameter and
field names come from the scanned page: the template prints them as text (autoescape); only http(s)
pages become links (``safe_href``). Observations shown per finding are capped; the counts are totals.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping

from scanner.model import BEHAVIOUR_KINDS, Detection, Finding, ScanResult
from scanner.report.behaviour_text import (
    SEVERITY_LABELS,
    audit_lines,
    behaviour_findings,
    blind_spots,
    clip,
    criteria_of,
    first,
    is_info,
    kind_label,
    kind_text,
    observation_text,
    observations,
    pages_of,
    pages_total,
    scripts_of,
    severity,
)
from scanner.report.html_view import waiver_view
from scanner.severity import SEVERITY_RANK

OBSERVATIONS_LIMIT = 50  # observation rows per finding in the page (scan.json and behaviour.csv: all)
SCRIPTS_LIMIT = 10


def _observation_row(obs: Mapping, f: Finding, page_href: Callable[[object], str | None]) -> dict:
    page = first(obs, "page_url", "page")
    frame = first(obs, "frame_url", "frame")
    return {
        "lines": observation_text(obs, f.status, f.vendor),
        "script": clip(obs.get("script"), 400) if obs.get("script") else "",
        "page": clip(page, 400),
        "page_href": page_href(page),
        "frame": clip(frame, 400) if frame and frame != page else "",
    }


def _finding_row(
    f: Finding,
    failing: bool,
    detections: tuple[Detection, ...],
    page_href: Callable[[object], str | None],
    warning: bool = False,
) -> dict:
    obs = observations(f, detections)
    sev = severity(f)
    pages = pages_of(f, obs)
    scripts = scripts_of(obs)
    total = max(f.evidence.total("behaviour"), len(obs))
    return {
        "kind": f.status,
        "vendor": f.vendor,
        "unknown": f.unknown,
        "category": f.category or "",
        "declared_name": f.declared_name or "",
        "severity": sev,
        "severity_label": SEVERITY_LABELS.get(sev, sev),
        "severity_rank": SEVERITY_RANK.get(sev, 9),
        "failing": failing,
        "warning": warning,
        "waiver": waiver_view(f),
        "detail": f.detail,
        "reasons": list(f.reasons),
        "criteria": criteria_of(obs)[:8],
        "scripts": [clip(s, 400) for s in scripts[:SCRIPTS_LIMIT]],
        "scripts_more": max(0, len(scripts) - SCRIPTS_LIMIT),
        "pages": [{"url": clip(p, 400), "href": page_href(p)} for p in pages[:OBSERVATIONS_LIMIT]],
        "pages_n": {
            "shown": min(len(pages), OBSERVATIONS_LIMIT),
            "total": pages_total(f, obs),
        },
        "observations": [_observation_row(o, f, page_href) for o in obs[:OBSERVATIONS_LIMIT]],
        "observations_n": {"shown": min(len(obs), OBSERVATIONS_LIMIT), "total": total},
    }


def behaviour_view(
    result: ScanResult,
    failing_ids: set[int],
    page_href: Callable[[object], str | None],
    *,
    warning_ids: Collection[int] = frozenset(),
) -> dict | None:
    """The behaviour section; None when no behaviour audit ran (``result.behaviour`` is None: a scan
    made before behaviour audits). ``failing_ids`` are the ids of the findings that fail the gate,
    ``warning_ids`` of those reported as warnings; ``page_href(url)`` is the link of an http(s) page,
    else None."""
    report = result.behaviour
    if report is None:
        return None
    rows = [
        _finding_row(f, id(f) in failing_ids, report.detections, page_href, id(f) in warning_ids)
        for f in behaviour_findings(report)
    ]
    groups = []
    for kind in BEHAVIOUR_KINDS:
        members = [r for r in rows if r["kind"] == kind]
        if members and not is_info(kind):
            groups.append(
                {"kind": kind, "label": kind_label(kind), "what": kind_text(kind), "findings": members}
            )
    known = set(BEHAVIOUR_KINDS)
    for kind in dict.fromkeys(r["kind"] for r in rows if r["kind"] not in known):  # a newer classifier's
        members = [r for r in rows if r["kind"] == kind]
        groups.append({"kind": kind, "label": kind_label(kind), "what": "", "findings": members})
    counts = report.summary
    return {
        "hooks": report.hooks,
        "probe_forms": report.probe_forms,
        "audit": audit_lines(report),
        "groups": groups,
        "embeds": [r for r in rows if is_info(r["kind"])],
        "embed_text": kind_text("embed"),
        "blind_spots": blind_spots(report),
        "total": len(rows),
        "counts": [
            {
                "kind": k,
                "label": kind_label(k),
                "n": counts[k],
                "severity": min(
                    (r["severity"] for r in rows if r["kind"] == k), key=lambda s: SEVERITY_RANK.get(s, 9)
                ),
            }
            for k in (*BEHAVIOUR_KINDS, *(k for k in counts if k not in known))
            if counts.get(k)
        ],
    }
