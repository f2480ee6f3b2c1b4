"""The verdict in the terminal after ``scanner scan`` and ``scanner report``, and as GitHub annotations.

Like pytest's short test summary or ``lhci assert``: a headline, then one line per finding that fails
the gate naming the vendor, the status and why (the finding's detail and reasons, its first piece of
evidence, an expired waiver), then the warnings (``--warn-on``, expired and unused waivers, a partial
scan) and the findings a waiver accepts (reason, owner, until when)::

    FAIL: 2 findings fail the gate (--fail-on undeclared)
      - Hotjar [undeclared]: ...; first evidence: cookie _hjSessionUser_1 (.example.com) on https://...
      - unknown-metrics.io [undeclared, unknown vendor]: ...
    WARN: 1 finding reported as a warning (--warn-on mismatch)
      - Facebook [mismatch]: ...
    WAIVED: 1 finding accepted by a waiver
      - Criteo [undeclared]: waived (reason, owner, until 2026-03-31) [waivers.toml:3]
    warning: unused waiver for "Bing" [undeclared] (waivers.toml:9): it matched no finding; remove it

The headline is ``FAIL``, ``PARTIAL``, ``PASS`` or, with ``--fail-on none``, ``NOT GATED``.

Vendor names of unknown trackers, details and URLs come from the scanned site: every piece is passed
through :func:`scanner.safetext.terminal_text` (no control character, ANSI escape or line break
reaches the terminal) and every line starts with text of ours, so no line of the verdict can pass for a
CI workflow command.

With ``GITHUB_ACTIONS=true`` each failing finding is also an ``::error`` workflow command and each warning
a ``::warning``, escaped as GitHub documents (``%``, CR and LF in the message; also ``:`` and ``,`` in
the properties) so that nothing a page controls can end an annotation or start another command. An
annotation about a declared vendor points at its line in vendors.csv (``file=``, ``line=``), one about
a waiver at its line in the waivers file.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol, TextIO

from scanner.gate import Verdict
from scanner.model import BEHAVIOUR_KINDS, CONSENT_KINDS, Finding, ScanResult
from scanner.report.text import partial_reason
from scanner.safetext import terminal_text
from scanner.waivers import waiver_text

MAX_LISTED = 30  # finding lines per section; the rest are counted
VENDOR_LIMIT = 80
TEXT_LIMIT = 240
URL_LIMIT = 160


class UnusedWaiver(Protocol):
    """A waiver that matched nothing (:class:`scanner.waivers.WaiverRule`)."""

    vendor: str
    source: str

    @property
    def status_text(self) -> str: ...


# ---- pieces ----------------------------------------------------------------------------------------


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def flag_text(statuses: Iterable[str]) -> str:
    """Statuses as typed on the command line: ``undeclared,not-observed`` (``none`` for nothing)."""
    return ",".join(sorted(s.replace("_", "-") for s in statuses)) or "none"


def status_tags(f: Finding) -> str:
    """ "undeclared", "undeclared, unknown vendor", "fingerprinting, severity high"."""
    tags = [f.status.replace("_", "-")]
    if f.unknown:
        tags.append("unknown vendor")
    if f.status in BEHAVIOUR_KINDS and f.severity:
        tags.append(f"severity {f.severity}")
    return ", ".join(terminal_text(t, 40) for t in tags)


def first_evidence(f: Finding) -> str:
    """The first thing the finding rests on, in words: a cookie, beacon, request, storage key or the
    script of a behaviour observation, and the page it was seen on ("" when it has none)."""
    ev = f.evidence
    what, page = "", ""
    if ev.cookies:
        c = ev.cookies[0]
        what = f"cookie {terminal_text(c.get('name'), 80)} ({terminal_text(c.get('domain'), 80)})"
        page = c.get("page_url") or ""
    elif ev.beacons or ev.requests:
        r = (ev.beacons or ev.requests)[0]
        what = f"{'beacon' if ev.beacons else 'request'} {terminal_text(r.get('url'), URL_LIMIT)}"
        page = r.get("page_url") or ""
    elif ev.storage:
        s = ev.storage[0]
        what = f"storage key {terminal_text(s.get('key'), 80)} ({terminal_text(s.get('origin'), 80)})"
        page = s.get("page_url") or ""
    elif ev.behaviour and isinstance(ev.behaviour[0], Mapping):
        o = ev.behaviour[0]
        source = o.get("script") or o.get("url")
        if source:
            what = f"{'script' if o.get('script') else 'request'} {terminal_text(source, URL_LIMIT)}"
        page = o.get("page_url") or o.get("page") or ""
    page = page or (ev.pages[0] if ev.pages else "")
    if what and page:
        return f"{what} on {terminal_text(page, URL_LIMIT)}"
    return what or (f"seen on {terminal_text(page, URL_LIMIT)}" if page else "")


def why(f: Finding) -> str:
    """The finding's detail, reasons, first evidence and an expired waiver, joined by "; "."""
    parts = []
    if f.detail.strip():
        parts.append(terminal_text(f.detail.strip().removesuffix("."), TEXT_LIMIT))
    if f.reasons:
        parts.append("reasons: " + ", ".join(terminal_text(r, 40) for r in f.reasons[:10]))
    evidence = first_evidence(f)
    if evidence:
        parts.append("first evidence: " + evidence)
    if f.waiver is not None and f.waiver.expired:
        parts.append(
            f"waiver expired on {terminal_text(f.waiver.expires, 20)} [{terminal_text(f.waiver.source, 120)}]"
        )
    return "; ".join(parts) or "no detail recorded"


def finding_line(f: Finding) -> str:
    return f"{terminal_text(f.vendor, VENDOR_LIMIT)} [{status_tags(f)}]: {why(f)}"


def waived_line(f: Finding) -> str:
    w = f.waiver
    text = terminal_text(waiver_text(w), TEXT_LIMIT + 80) if w else "waived"
    where = f" [{terminal_text(w.source, 120)}]" if w else ""
    return f"{terminal_text(f.vendor, VENDOR_LIMIT)} [{status_tags(f)}]: {text}{where}"


def _listed(findings: Sequence[Finding], line) -> list[str]:
    lines = [f"  - {line(f)}" for f in findings[:MAX_LISTED]]
    if len(findings) > MAX_LISTED:
        lines.append(f"  - ...and {len(findings) - MAX_LISTED} more (report.html, findings.csv)")
    return lines


def _gate_flags(gate: Verdict) -> str:
    text = f"--fail-on {flag_text(gate.fail_on)}"
    return text + ("; only findings new since the baseline" if gate.baseline else "")


def headline(result: ScanResult, gate: Verdict) -> str:
    """FAIL / PARTIAL / PASS / NOT GATED and why, in one line."""
    flags = _gate_flags(gate)
    if gate.failing:
        n = len(gate.failing)
        return f"FAIL: {plural(n, 'finding')} {'fails' if n == 1 else 'fail'} the gate ({flags})"
    if gate.partial:
        return (
            f"PARTIAL: no finding fails the gate, but the scan is incomplete ({partial_reason(result)}) "
            f"({flags})"
        )
    if not gate.gated:
        return "NOT GATED: findings are reported, none can fail the build (--fail-on none)"
    return f"PASS: no finding fails the gate ({flags})"


def _expired_line(f: Finding) -> str:
    w = f.waiver
    if w is None:
        return ""
    return (
        f"warning: the waiver for {terminal_text(f.vendor, VENDOR_LIMIT)} [{status_tags(f)}] expired on "
        f"{terminal_text(w.expires, 20)} (owner {terminal_text(w.owner, 80)}, "
        f"{terminal_text(w.source, 120)}): the finding counts again; renew or remove the waiver"
    )


def _unused_line(rule: UnusedWaiver) -> str:
    return (
        f'warning: unused waiver for "{terminal_text(rule.vendor, VENDOR_LIMIT)}" '
        f"[{terminal_text(rule.status_text, 40).replace('_', '-')}] ({terminal_text(rule.source, 120)}): "
        "it matched no finding; remove it"
    )


def _partial_line(result: ScanResult) -> str:
    return (
        f"warning: partial scan: {partial_reason(result)}; pages that were not visited may hold more trackers"
    )


# ---- the verdict block -----------------------------------------------------------------------------


def verdict_lines(result: ScanResult, gate: Verdict, *, unused: Sequence[UnusedWaiver] = ()) -> list[str]:
    """The verdict block, one printable line each (no line break or control character inside)."""
    lines = [headline(result, gate), *_listed(gate.failing, finding_line)]
    if gate.warnings:
        n = len(gate.warnings)
        lines.append(
            f"WARN: {plural(n, 'finding')} reported as {'a warning' if n == 1 else 'warnings'} "
            f"(--warn-on {flag_text(gate.warn_on)})"
        )
        lines += _listed(gate.warnings, finding_line)
    if gate.waived:
        lines.append(f"WAIVED: {plural(len(gate.waived), 'finding')} accepted by a waiver (not failing)")
        lines += _listed(gate.waived, waived_line)
    lines += [_expired_line(f) for f in gate.expired[:MAX_LISTED]]
    lines += [_unused_line(r) for r in unused[:MAX_LISTED]]
    if len(unused) > MAX_LISTED:
        lines.append(f"warning: ...and {len(unused) - MAX_LISTED} more unused waivers")
    if gate.partial and gate.failing:
        lines.append(_partial_line(result))
    return lines


# ---- GitHub annotations ----------------------------------------------------------------------------


def escape_data(text: str) -> str:
    """A workflow command's message, escaped as GitHub's toolkit does (``%``, CR, LF)."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    """A workflow command's property value: the message escapes plus ``:`` and ``,``."""
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(
    level: str, message: str, *, title: str | None = None, file: str | None = None, line: int | None = None
) -> str:
    """One ``::error``/``::warning``/``::notice`` workflow command (a single line)."""
    if level not in ("error", "warning", "notice"):
        raise ValueError(f"not an annotation level: {level!r}")
    props = []
    if file:
        props.append(f"file={escape_property(file)}")
        if line:
            props.append(f"line={int(line)}")
    if title:
        props.append(f"title={escape_property(title)}")
    head = f"::{level}" + (" " + ",".join(props) if props else "")
    return f"{head}::{escape_data(message)}"


def _repo_path(path: str) -> str:
    from scanner.report.sarif import declaration_uri

    return declaration_uri(path)


def _declaration_place(result: ScanResult, f: Finding) -> tuple[str | None, int | None]:
    """(vendors.csv path, line) of the row declaring the finding's vendor, when a CSV declared it."""
    from scanner.options import CALLER_DECLARATION

    source = result.meta.declared_source
    if not source or source.startswith("policy:") or source == CALLER_DECLARATION:
        return None, None
    names = {n.strip().casefold() for n in (f.declared_name or "").split(";") if n.strip()}
    names.add(f.vendor.casefold())
    for d in result.declared:
        if d.line and (d.name.casefold() in names or (d.vendor or "").casefold() in names):
            return _repo_path(source), d.line
    return None, None


def _waiver_place(source: str) -> tuple[str | None, int | None]:
    """(file, line) of a waiver's ``source`` ("waivers.toml:12")."""
    path, _, line = source.rpartition(":")
    if path and line.isdigit():
        return _repo_path(path), int(line)
    return None, None


def _finding_title(prefix: str, f: Finding) -> str:
    return f"{prefix}: {terminal_text(f.vendor, VENDOR_LIMIT)} ({f.status.replace('_', '-')})"


def _kind_group(status: str) -> str:
    if status in CONSENT_KINDS:
        return "consent"
    return "behaviour" if status in BEHAVIOUR_KINDS else "tracker"


def github_annotations(
    result: ScanResult, gate: Verdict, *, unused: Sequence[UnusedWaiver] = ()
) -> list[str]:
    """The workflow commands of the verdict: an error per failing finding, a warning per warning,
    expired or unused waiver and for a partial scan."""
    flags = _gate_flags(gate)

    def on_finding(level: str, f: Finding, why: str, title: str) -> str:
        file, line = _declaration_place(result, f)
        group = f"{_kind_group(f.status)} {title}"
        return annotation(
            level, f"{finding_line(f)} ({why})", title=_finding_title(group, f), file=file, line=line
        )

    out = [on_finding("error", f, f"fails the gate: {flags}", "audit") for f in gate.failing]
    warn_why = f"a warning: --warn-on {flag_text(gate.warn_on)}"
    out += [on_finding("warning", f, warn_why, "audit warning") for f in gate.warnings]
    for f in gate.expired:
        if f.waiver is None:
            continue
        file, line = _waiver_place(f.waiver.source)
        message = _expired_line(f).removeprefix("warning: ")
        out.append(
            annotation("warning", message, title=_finding_title("waiver expired", f), file=file, line=line)
        )
    for rule in unused:
        file, line = _waiver_place(rule.source)
        message = _unused_line(rule).removeprefix("warning: ")
        title = f"unused waiver: {terminal_text(rule.vendor, VENDOR_LIMIT)}"
        out.append(annotation("warning", message, title=title, file=file, line=line))
    if gate.partial:
        out.append(
            annotation("warning", _partial_line(result).removeprefix("warning: "), title="partial scan")
        )
    return out


def in_github_actions(environ: Mapping[str, str] | None = None) -> bool:
    return (os.environ if environ is None else environ).get("GITHUB_ACTIONS") == "true"


def print_verdict(
    result: ScanResult,
    gate: Verdict,
    *,
    unused: Sequence[UnusedWaiver] = (),
    out: TextIO | None = None,
    environ: Mapping[str, str] | None = None,
) -> None:
    """Print the verdict block (and the annotations when running in GitHub Actions) to ``out``."""
    out = out or sys.stdout
    lines = verdict_lines(result, gate, unused=unused)
    if in_github_actions(environ):
        lines += github_annotations(result, gate, unused=unused)
    out.write("".join(line + "\n" for line in lines))
    out.flush()
