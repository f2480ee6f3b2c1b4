"""What changed between two scans: vendors, cookies, third-party hosts and findings.

Pure functions over two :class:`ScanResult` values; ``scanner diff OLD NEW`` prints the
text form and writes ``diff.md`` and ``diff.html``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.model import ScanResult


@dataclass(frozen=True)
class Change:
    """Items of one kind that appeared in NEW and disappeared since OLD."""

    kind: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.added and not self.removed


@dataclass(frozen=True)
class ScanDiff:
    old_label: str
    new_label: str
    vendors: Change
    cookies: Change
    hosts: Change
    findings: Change  # "status: vendor" lines, so a status change is one removed + one added
    summary_old: dict[str, int] = field(default_factory=dict)
    summary_new: dict[str, int] = field(default_factory=dict)

    @property
    def changes(self) -> tuple[Change, ...]:
        return (self.vendors, self.cookies, self.hosts, self.findings)

    @property
    def empty(self) -> bool:
        return all(c.empty for c in self.changes)


def _vendors(result: ScanResult) -> set[str]:
    names = {str(v.get("name")) for v in result.vendors if isinstance(v, dict) and v.get("name")}
    names |= {f.vendor for f in result.findings if f.status != "not_observed"}
    return names


def _cookies(result: ScanResult) -> set[str]:
    return {f"{c.name} @ {c.domain}" for c in result.cookies}


def _hosts(result: ScanResult) -> set[str]:
    return {r.host for r in result.requests if r.third_party and r.host}


def _findings(result: ScanResult) -> set[str]:
    return {f"{f.status}: {f.vendor}" for f in result.findings}


def _change(kind: str, old: set[str], new: set[str]) -> Change:
    key = str.casefold
    return Change(kind, tuple(sorted(new - old, key=key)), tuple(sorted(old - new, key=key)))


def _label(result: ScanResult) -> str:
    start = result.meta.start_urls[0] if result.meta.start_urls else "scan"
    return f"{start} at {result.meta.started_at}"


def diff_scans(old: ScanResult, new: ScanResult) -> ScanDiff:
    return ScanDiff(
        old_label=_label(old),
        new_label=_label(new),
        vendors=_change("vendors", _vendors(old), _vendors(new)),
        cookies=_change("cookies", _cookies(old), _cookies(new)),
        hosts=_change("third-party hosts", _hosts(old), _hosts(new)),
        findings=_change("findings", _findings(old), _findings(new)),
        summary_old=old.summary,
        summary_new=new.summary,
    )


def diff_text(d: ScanDiff) -> str:
    """Plain text for the terminal."""
    lines = [f"old: {d.old_label}", f"new: {d.new_label}"]
    if d.empty:
        lines.append("no changes in vendors, cookies, third-party hosts or findings")
    for c in d.changes:
        if c.empty:
            continue
        lines.append(f"{c.kind}: +{len(c.added)} -{len(c.removed)}")
        lines += [f"  + {x}" for x in c.added]
        lines += [f"  - {x}" for x in c.removed]
    return "\n".join(lines) + "\n"
