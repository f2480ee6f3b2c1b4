"""The outputs of ``scanner email``: report.html, email.json, findings.csv + references.csv, results.sarif,
junit.xml and summary.md, in the scan's formats and file names where they fit.

Everything a message controls (subject, sender, URLs, host names, file names, notes) is data: escaped by
jinja2's autoescape in HTML (URLs are printed as code, never as links, so nothing in the report points to
the sender's trackers), by ``scanner.csvsafe`` in CSV (no formula runs), by ``md_escape`` in Markdown, by
the XML and JSON serialisers elsewhere. report.html has the scan report's stylesheet and a strict
Content-Security-Policy (its own style by hash, no script, no connection, no image but ``data:``).
URLs are redacted (``scanner.email.links.redact``) before any output sees them.

When ``--render`` ran, every output says so: report.html and summary.md in a banner, email.json and the
SARIF run in ``rendered``, JUnit in a property, CSV in a ``rendered`` column.
"""

from __future__ import annotations

import hashlib
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

import jinja2
from markupsafe import Markup

from scanner.csvsafe import write_csv
from scanner.email.gate import email_verdict
from scanner.email.model import EMAIL_STATUSES, STATUS_LABELS, EmailAudit
from scanner.errors import BadInput
from scanner.gate import Verdict
from scanner.model import Finding, to_jsonable
from scanner.report.html import csp_hash, stylesheet
from scanner.report.markdown import md_escape
from scanner.report.sarif import SARIF_SCHEMA, declaration_uri, declared_lines
from scanner.report.text import xml_safe
from scanner.report.verdict_text import first_evidence, flag_text, plural, why

EMAIL_FORMATS: tuple[str, ...] = ("html", "json", "csv", "junit", "sarif", "md")
DEFAULT_EMAIL_FORMATS: tuple[str, ...] = ("html", "json", "csv")
EMAIL_FILES: dict[str, tuple[str, ...]] = {
    "html": ("report.html",),
    "json": ("email.json",),
    "csv": ("findings.csv", "references.csv"),
    "junit": ("junit.xml",),
    "sarif": ("results.sarif",),
    "md": ("summary.md",),
}
SARIF_CATEGORY = "tracker-audit-email"
RENDER_BANNER = (
    "Rendered: each message was also opened in Chromium (--render), and the requests it fired are listed "
    "as rendered. Loading remote content fires the sender's open tracking: the sender saw an open."
)
RULES = {
    "address_leak": ("EML001", "RecipientAddressLeak", "error", "The recipient's address is in a URL"),
    "undeclared": ("EML002", "UndeclaredEmailTracker", "error", "A tracker in the message is not declared"),
    "mismatch": ("EML003", "EmailTrackerMismatch", "warning", "A tracker does not match its declaration"),
    "not_observed": ("EML004", "DeclaredVendorNotSeen", "note", "A declared vendor is in no message"),
    "declared": ("EML005", "DeclaredEmailTracker", "none", "A tracker in the message, as declared"),
}


def parse_email_formats(values: Iterable[str] | None) -> list[str]:
    if values is None:
        return list(DEFAULT_EMAIL_FORMATS)
    wanted: list[str] = []
    for value in values:
        for part in str(value).split(","):
            name = {"markdown": "md", "xml": "junit"}.get(part.strip().lower(), part.strip().lower())
            if not name:
                continue
            if name == "all":
                wanted.extend(EMAIL_FORMATS)
            elif name in EMAIL_FORMATS:
                wanted.append(name)
            else:
                raise BadInput(
                    f"unknown report format {part.strip()!r}: choose from {', '.join(EMAIL_FORMATS)}"
                )
    if not wanted:
        raise BadInput(f"no report format given: choose from {', '.join(EMAIL_FORMATS)}")
    return list(dict.fromkeys(wanted))


# ---- HTML ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("scanner.email", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def content_security_policy(css: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src {csp_hash(css)}",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


def render_email_html(audit: EmailAudit, gate: Verdict) -> str:
    css = stylesheet()
    if "</style" in css.lower():
        raise ValueError("asset contains </style")
    return (
        _environment()
        .get_template("email.html.j2")
        .render(
            a=audit,
            gate=gate,
            headline=headline(audit, gate),
            failing=[f"{f.vendor} [{f.status.replace('_', '-')}]: {why(f)}" for f in gate.failing],
            labels=STATUS_LABELS,
            statuses=EMAIL_STATUSES,
            totals=audit.totals(),
            render_banner=RENDER_BANNER,
            css=Markup(css),
            csp=content_security_policy(css),
        )
    )


# ---- text pieces ----------------------------------------------------------------------------------------


def headline(audit: EmailAudit, gate: Verdict) -> str:
    flags = f"--fail-on {flag_text(gate.fail_on)}"
    n = len(gate.failing)
    if n:
        return f"FAIL: {plural(n, 'finding')} {'fails' if n == 1 else 'fail'} the gate ({flags})"
    if not gate.gated:
        return "NOT GATED: findings are reported, none can fail the build (--fail-on none)"
    return f"PASS: no finding fails the gate ({flags})"


def _messages_of(f: Finding) -> int:
    return f.evidence.total("pages")


# ---- JSON, CSV ------------------------------------------------------------------------------------------


def write_json(audit: EmailAudit, out_dir: Path) -> Path:
    path = out_dir / "email.json"
    path.write_text(json.dumps(audit.to_dict(), indent=1, ensure_ascii=False), encoding="utf-8")
    return path


FINDING_COLUMNS = (
    "status",
    "vendor",
    "category",
    "declared_name",
    "unknown",
    "severity",
    "reasons",
    "messages",
    "references",
    "pixels",
    "detail",
    "first_evidence",
    "rendered",
)
REFERENCE_COLUMNS = (
    "message",
    "subject",
    "kind",
    "source",
    "url",
    "remote",
    "auto_load",
    "pixel",
    "pixel_reasons",
    "tracked",
    "tracking",
    "vendor",
    "category",
    "first_party",
    "hops",
    "final_url",
    "identifiers",
    "leaks",
    "rendered",
)


def write_csv_files(audit: EmailAudit, out_dir: Path) -> list[Path]:
    findings = [
        (
            f.status,
            f.vendor,
            f.category,
            f.declared_name,
            f.unknown,
            f.severity,
            ";".join(f.reasons),
            _messages_of(f),
            f.evidence.total("requests") + f.evidence.total("beacons"),
            f.evidence.total("beacons"),
            f.detail,
            first_evidence(f),
            audit.rendered,
        )
        for f in audit.findings
    ]
    subjects = {m.key: m.subject for m in audit.messages}
    references = [
        (
            r.message,
            subjects.get(r.message),
            r.kind,
            r.source,
            r.url,
            r.remote,
            r.auto_load,
            r.pixel,
            "; ".join(r.pixel_reasons),
            r.tracked,
            r.tracking,
            r.vendor,
            r.category,
            r.first_party,
            " -> ".join(h.host for h in r.hops),
            r.final_url,
            "; ".join(f"{i['where']} ({i['length']} chars, {i['reason']})" for i in r.identifiers),
            "; ".join(f"{lk['encoding']} in {lk['where']} to {lk['party']}" for lk in r.leaks),
            r.rendered,
        )
        for m in audit.messages
        for r in m.references
    ]
    return [
        write_csv(out_dir / "findings.csv", FINDING_COLUMNS, findings),
        write_csv(out_dir / "references.csv", REFERENCE_COLUMNS, references),
    ]


# ---- SARIF ----------------------------------------------------------------------------------------------


def _relative(path: str) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except (ValueError, OSError):
        return p.name or "message.eml"


def build_sarif(audit: EmailAudit, scan_declared) -> dict:
    declaration = declaration_uri(audit.declared_source)
    lines = declared_lines(scan_declared)
    paths = {m.key: _relative(m.path) for m in audit.messages}
    order = list(EMAIL_STATUSES)
    results = []
    for f in audit.findings:
        rule_id, _, level, short = RULES[f.status]
        if f.status in ("address_leak", "undeclared") and f.evidence.pages:
            artifact, line = paths.get(f.evidence.pages[0], declaration), 1
        else:
            artifact = declaration
            keys = ((f.declared_name or "").casefold(), f.vendor.casefold())
            line = min((lines[k] for k in keys if k in lines), default=(0, 1))[1]
        fingerprint = hashlib.sha256(f"email|{f.status}|{f.vendor.casefold()}".encode()).hexdigest()[:32]
        results.append(
            {
                "ruleId": rule_id,
                "ruleIndex": order.index(f.status),
                "level": level,
                "message": {"text": f"{short}: {f.vendor}. {f.detail}"},
                "locations": [
                    {
                        "physicalLocation": {
                            "artifactLocation": {"uri": artifact},
                            "region": {"startLine": line},
                        },
                        "logicalLocations": [{"name": f.vendor, "kind": "vendor"}],
                    }
                ],
                "partialFingerprints": {"vendorStatus/v1": fingerprint},
                "properties": {
                    "vendor": f.vendor,
                    "status": f.status,
                    "category": f.category,
                    "reasons": list(f.reasons),
                    "unknownVendor": f.unknown,
                    "messages": list(f.evidence.pages),
                    "rendered": audit.rendered,
                },
            }
        )
    rules = [
        {
            "id": RULES[s][0],
            "name": RULES[s][1],
            "shortDescription": {"text": RULES[s][3]},
            "defaultConfiguration": {"level": RULES[s][2]},
            "properties": {"tags": ["privacy", "email", "tracking", s]},
        }
        for s in order
    ]
    run = {
        "tool": {"driver": {"name": "scanner email", "version": audit.tool_version, "rules": rules}},
        "automationDetails": {"id": SARIF_CATEGORY + "/"},
        "invocations": [{"executionSuccessful": True, "startTimeUtc": audit.generated_at}],
        "results": results,
        "properties": {
            "rendered": audit.rendered,
            "messages": len(audit.messages),
            "summary": audit.summary,
            "totals": audit.totals(),
        },
    }
    return {"$schema": SARIF_SCHEMA, "version": "2.1.0", "runs": [run]}


# ---- JUnit, Markdown -------------------------------------------------------------------------------------


def build_junit(audit: EmailAudit, gate: Verdict) -> str:
    root = ET.Element("testsuites", name="scanner email")
    suite = ET.SubElement(
        root,
        "testsuite",
        name="email",
        errors="0",
        skipped="0",
        time="0",
        timestamp=xml_safe(audit.generated_at),
    )
    props = ET.SubElement(suite, "properties")
    ET.SubElement(props, "property", name="rendered", value=str(audit.rendered).lower())
    ET.SubElement(props, "property", name="messages", value=str(len(audit.messages)))
    failures = 0
    for f in audit.findings:
        case = ET.SubElement(
            suite, "testcase", classname=f"email.{f.status}", name=xml_safe(f.vendor), time="0"
        )
        body = xml_safe(f"{f.detail}\n{first_evidence(f)}".strip())
        if f.status in gate.fail_on:
            failures += 1
            ET.SubElement(case, "failure", message=xml_safe(f"{f.status}: {f.vendor}"[:500])).text = body
        else:
            ET.SubElement(case, "system-out").text = body
    suite.set("tests", str(len(audit.findings)))
    suite.set("failures", str(failures))
    root.set("tests", str(len(audit.findings)))
    root.set("failures", str(failures))
    return ET.tostring(root, encoding="unicode", xml_declaration=True) + "\n"


MAX_MD_ROWS = 25


def build_markdown(audit: EmailAudit, gate: Verdict) -> str:
    t = audit.totals()
    lines = ["### E-mail tracking audit", ""]
    if audit.rendered:
        lines += [f"> ⚠️ **{md_escape(RENDER_BANNER, 400)}**", ""]
    lines += [f"**{md_escape(headline(audit, gate), 300)}**", ""]
    lines += [
        f"{t['messages']} message(s): {t['pixels']} open pixel(s), {t['tracked_links']} tracked link(s), "
        f"{t['leaks']} address leak(s), {t['identifiers']} identifier(s) in URLs"
        + (f", {t['rendered_requests']} rendered request(s)" if audit.rendered else ""),
        "",
        "| Status | Findings |",
        "| --- | ---: |",
        *(f"| {STATUS_LABELS[s]} | {audit.summary.get(s, 0)} |" for s in EMAIL_STATUSES),
        "",
    ]
    if audit.findings:
        lines += ["| Status | Vendor | Messages | Detail |", "| --- | --- | ---: | --- |"]
        for f in audit.findings[:MAX_MD_ROWS]:
            mark = " ❌" if f in gate.failing else ""
            lines.append(
                f"| {STATUS_LABELS.get(f.status, f.status)}{mark} | {md_escape(f.vendor, 80)} | "
                f"{_messages_of(f)} | {md_escape(f.detail, 300)} |"
            )
        if len(audit.findings) > MAX_MD_ROWS:
            lines.append(f"| … | {len(audit.findings) - MAX_MD_ROWS} more in findings.csv | | |")
        lines.append("")
    lines += ["| Message | Subject | Pixels | Tracked links | Leaks |", "| --- | --- | ---: | ---: | ---: |"]
    for m in audit.messages[:MAX_MD_ROWS]:
        c = m.counts
        lines.append(
            f"| {md_escape(m.key, 80)} | {md_escape(m.subject or '', 80)} | {c.get('pixels', 0)} | "
            f"{c.get('tracked_links', 0)} | {c.get('leaks', 0)} |"
        )
    if len(audit.messages) > MAX_MD_ROWS:
        lines.append(f"| … | {len(audit.messages) - MAX_MD_ROWS} more in report.html | | | |")
    return "\n".join(lines) + "\n"


# ---- all ----------------------------------------------------------------------------------------------


def write_email_reports(
    audit: EmailAudit,
    out_dir: Path,
    formats: Sequence[str],
    *,
    fail_on: Iterable[str] | str | None = None,
    warn_on: Iterable[str] | str | None = None,
    scan_declared=None,
) -> list[Path]:
    """Write the chosen formats into ``out_dir``; the paths written, in order."""
    from scanner.email.audit import scan_view

    chosen = parse_email_formats(formats)
    gate = email_verdict(audit, fail_on, warn_on)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"cannot create output folder {out_dir}: {exc}") from exc
    view = scan_view(audit)
    written: list[Path] = []
    for name in chosen:
        if name == "html":
            path = out_dir / "report.html"
            path.write_text(render_email_html(audit, gate), encoding="utf-8")
            written.append(path)
        elif name == "json":
            written.append(write_json(audit, out_dir))
        elif name == "csv":
            written.extend(write_csv_files(audit, out_dir))
        elif name == "sarif":
            path = out_dir / "results.sarif"
            sarif = build_sarif(audit, view)
            path.write_text(json.dumps(sarif, indent=1, ensure_ascii=False), encoding="utf-8")
            written.append(path)
        elif name == "junit":
            path = out_dir / "junit.xml"
            path.write_text(build_junit(audit, gate), encoding="utf-8")
            written.append(path)
        elif name == "md":
            path = out_dir / "summary.md"
            path.write_text(build_markdown(audit, gate), encoding="utf-8")
            written.append(path)
    return written


__all__ = [
    "DEFAULT_EMAIL_FORMATS",
    "EMAIL_FILES",
    "EMAIL_FORMATS",
    "parse_email_formats",
    "render_email_html",
    "to_jsonable",
    "write_email_reports",
]
