"""What changed between two scans: vendors, cookies, third-party hosts, findings, consent findings and
behaviour findings.

Pure functions over two :class:`ScanResult` values; ``scanner diff OLD NEW`` prints the
text form and writes ``diff.md`` and ``diff.html``.

Consent and behaviour findings ("before_consent: Criteo", "fingerprinting: fp-metrics.net") are new, gone
or changed: one found by both scans whose severity, criteria met (behaviour) or totals (pages, cookies,
requests with beacons, storage keys) differ is listed once as changed, with what changed. One the new scan
lacks is "not re-checked" unless it visited every page where the old scan saw it (their criteria count
requests and calls over pages: a shorter crawl can miss a recorder it would have seen). They are only
compared when both scans ran that audit (a scan without a consent audit, or made before behaviour audits,
has nothing to compare: ``Change.note`` says so); a note also says when the two behaviour audits looked
for different things (API hooks or the form probe on in one scan only).

A scan only sees the pages it visited. When the two scans covered different pages, the diff says so
(``ScanDiff.pages``), and an item of OLD that NEW lacks is only "removed" when NEW visited at least one
of the pages where OLD saw it; otherwise it is "not re-checked", named with those pages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from scanner.crawl.urls import url_key
from scanner.model import BEHAVIOUR_KINDS, Finding, ScanResult

NOT_RECHECKED = "not re-checked"
CONSENT = "consent findings"
BEHAVIOUR = "behaviour findings"


@dataclass(frozen=True)
class Change:
    """Items of one kind that appeared in NEW and disappeared since OLD.

    ``removed``: gone from NEW although NEW visited a page where OLD saw them (or OLD saw them on no
    page). ``not_rechecked``: absent from NEW, but NEW visited none of the pages where OLD saw them, so
    nobody knows; ``pages`` names those pages of OLD for each of them, and for each added item that only
    says NEW did not see it there (a "not_observed" finding of a vendor OLD saw on pages NEW skipped)."""

    kind: str
    added: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    not_rechecked: tuple[str, ...] = ()
    pages: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # in both scans but different (consent and behaviour findings): item -> what changed, in words
    changed: dict[str, str] = field(default_factory=dict)
    note: str = ""  # why the lists are empty or should be read with care ("not compared: ...")

    @property
    def empty(self) -> bool:
        return not self.added and not self.removed and not self.not_rechecked and not self.changed


@dataclass(frozen=True)
class PageCoverage:
    """The pages each scan visited (every pass), compared by the crawl's URL key, and each scan's
    coverage in words."""

    old_pages: int
    new_pages: int
    only_old: tuple[str, ...] = ()  # visited by OLD only (OLD's URLs)
    only_new: tuple[str, ...] = ()  # visited by NEW only
    old_coverage: str = ""
    new_coverage: str = ""

    @property
    def differs(self) -> bool:
        return bool(self.only_old or self.only_new)

    def warning(self) -> str | None:
        """One line when the scans covered different pages, else None."""
        if not self.differs:
            return None
        return (
            f"the scans covered different pages: {len(self.only_old)} visited only by the old scan, "
            f"{len(self.only_new)} only by the new one (old: {self.old_pages} pages, new: {self.new_pages}); "
            "what was on a page one scan did not visit is not compared"
        )


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
    pages: PageCoverage = field(default_factory=lambda: PageCoverage(0, 0))
    consent: Change = field(default_factory=lambda: Change(CONSENT))  # "kind: vendor" lines
    behaviour: Change = field(default_factory=lambda: Change(BEHAVIOUR))

    @property
    def changes(self) -> tuple[Change, ...]:
        return (self.vendors, self.cookies, self.hosts, self.findings, self.consent, self.behaviour)

    @property
    def worse(self) -> bool:
        """A finding NEW has that OLD had not: a declaration finding, a consent finding that is not a
        passed check, or a behaviour finding above information."""
        from scanner.report import behaviour_text, consent_text

        return bool(
            self.findings.added
            or any(consent_text.severity(_kind(x)) != "good" for x in self.consent.added)
            or any(not behaviour_text.is_info(_kind(x)) for x in self.behaviour.added)
        )

    @property
    def empty(self) -> bool:
        return all(c.empty for c in self.changes)


def _key(url: str) -> str:
    return url_key(url) or url


def _index(pairs: Iterable[tuple[str | None, str]]) -> dict[str, set[str]]:
    """item -> the pages (URLs as recorded) where it was seen."""
    out: dict[str, set[str]] = {}
    for item, page in pairs:
        if item and page:
            out.setdefault(item, set()).add(page)
    return out


def _vendor_pages(result: ScanResult) -> dict[str, set[str]]:
    pairs: list[tuple[str | None, str]] = [(r.vendor, r.page_url) for r in result.requests]
    pairs += [(c.vendor, p) for c in result.cookies for p in (c.pages or (c.page_url,))]
    pairs += [(s.vendor, s.page_url) for s in result.storage]
    pairs += [(a.vendor, a.page_url) for a in result.api_calls]
    pairs += [(f.vendor, p) for f in result.findings for p in f.evidence.pages]
    return _index(pairs)


def _vendors(result: ScanResult) -> set[str]:
    names = {str(v.get("name")) for v in result.vendors if isinstance(v, dict) and v.get("name")}
    names |= {f.vendor for f in result.findings if f.status != "not_observed"}
    return names


def _cookie_name(c) -> str:
    return f"{c.name} @ {c.domain}"


def _cookies(result: ScanResult) -> set[str]:
    return {_cookie_name(c) for c in result.cookies}


def _hosts(result: ScanResult) -> set[str]:
    return {r.host for r in result.requests if r.third_party and r.host}


def _findings(result: ScanResult) -> set[str]:
    return {f"{f.status}: {f.vendor}" for f in result.findings}


def _kind(item: str) -> str:
    """The kind of a "kind: vendor" item."""
    return item.split(": ", 1)[0]


def _finding_key(f: Finding) -> str:
    return f"{f.status}: {f.vendor}"


def _facts(f: Finding, detections: tuple = ()) -> dict[str, str]:
    """What a consent or behaviour finding says, fact by fact, for "changed": its severity and criteria
    met (behaviour) and its totals, as every report counts them."""
    from scanner.report import behaviour_text
    from scanner.report.text import evidence_counts

    facts: dict[str, str] = {}
    if f.status in BEHAVIOUR_KINDS:
        facts["severity"] = behaviour_text.severity(f)
        obs = behaviour_text.observations(f, detections)
        facts["criteria"] = "; ".join(sorted(behaviour_text.criteria_of(obs))) or "—"
        facts["pages"] = str(behaviour_text.pages_total(f, obs))
    counts = evidence_counts(f.evidence)
    for what in ("pages", "cookies", "requests", "storage"):
        facts.setdefault(what, str(counts[what]))
    return facts


def _what_changed(old: dict[str, str], new: dict[str, str]) -> str:
    """ "severity medium → high; pages 3 → 1" for the facts that differ ("" for none)."""
    return "; ".join(f"{k} {old.get(k, '—')} → {new.get(k, '—')}" for k in new if old.get(k) != new.get(k))


def _audit_findings(
    kind: str,
    old: tuple[Finding, ...] | None,
    new: tuple[Finding, ...] | None,
    detections: tuple[tuple, tuple],
    pages: dict[str, set[str]],
    visited: set[str],
    note: str,
) -> Change:
    """New, gone (or not re-checked) and changed findings of one audit; None: that scan ran no audit."""
    if old is None and new is None:
        return Change(kind)  # neither scan ran that audit: nothing to say
    if old is None or new is None:
        which = "old" if old is None else "new"
        return Change(kind, note=f"not compared: the {which} scan ran no {kind.split()[0]} audit")
    old_by = {_finding_key(f): f for f in old}
    new_by = {_finding_key(f): f for f in new}
    base = _change(kind, set(old_by), set(new_by), pages, visited, every_page=True)
    changed = {}
    for key in sorted(old_by.keys() & new_by.keys(), key=str.casefold):
        what = _what_changed(_facts(old_by[key], detections[0]), _facts(new_by[key], detections[1]))
        if what:
            changed[key] = what
    return replace(base, changed=changed, note=note)


def _behaviour_note(old: ScanResult, new: ScanResult) -> str:
    """Says when the two behaviour audits looked for different things."""
    if old.behaviour is None or new.behaviour is None:
        return ""
    notes = []
    for attr, what in (
        ("hooks", "API hooks (fingerprinting)"),
        ("probe_forms", "the form probe (form-data leaks)"),
    ):
        a, b = getattr(old.behaviour, attr), getattr(new.behaviour, attr)
        if a != b:
            notes.append(f"{what} ran in the {'old' if a else 'new'} scan only")
    return "; ".join(notes) + (": what only one scan looked for is not a change" if notes else "")


def _change(
    kind: str,
    old: set[str],
    new: set[str],
    pages: dict[str, set[str]] | None = None,
    visited: set[str] | None = None,
    absent: dict[str, set[str]] | None = None,
    every_page: bool = False,
) -> Change:
    """The change from ``old`` to ``new``; with ``pages`` (item -> OLD's pages of it) and ``visited`` (the
    keys of NEW's pages), an item whose OLD pages NEW never visited is not re-checked, not removed.
    ``every_page``: an item that rests on all its pages together (a consent or behaviour finding, whose
    criteria count requests over pages) is not re-checked, with the pages NEW skipped named, unless NEW
    visited every one of them. ``absent``: added items that state an absence (item -> OLD's pages of what
    is absent); those pages are named when NEW visited none of them."""
    key = str.casefold
    gone = sorted(old - new, key=key)
    added = tuple(sorted(new - old, key=key))
    unchecked: dict[str, tuple[str, ...]] = {}
    notes: dict[str, tuple[str, ...]] = {}
    if visited is not None:
        for item, source in [*((i, pages) for i in gone), *((i, absent) for i in added)]:
            seen_on = (source or {}).get(item) or set()
            skipped = {p for p in seen_on if _key(p) not in visited}
            if skipped and (skipped == seen_on or (every_page and item in gone)):
                (unchecked if item in gone else notes)[item] = tuple(sorted(skipped))
    return Change(
        kind,
        added=added,
        removed=tuple(i for i in gone if i not in unchecked),
        not_rechecked=tuple(unchecked),
        pages={**unchecked, **notes},
    )


def _label(result: ScanResult) -> str:
    start = result.meta.start_urls[0] if result.meta.start_urls else "scan"
    return f"{start} at {result.meta.started_at}"


def _pages(old: ScanResult, new: ScanResult) -> PageCoverage:
    from scanner.report.coverage_text import coverage_line

    old_keys = {_key(p.url): p.url for p in old.pages}
    new_keys = {_key(p.url): p.url for p in new.pages}
    return PageCoverage(
        old_pages=len(old_keys),
        new_pages=len(new_keys),
        only_old=tuple(sorted(u for k, u in old_keys.items() if k not in new_keys)),
        only_new=tuple(sorted(u for k, u in new_keys.items() if k not in old_keys)),
        old_coverage=coverage_line(old),
        new_coverage=coverage_line(new),
    )


def diff_scans(old: ScanResult, new: ScanResult) -> ScanDiff:
    visited = {_key(p.url) for p in new.pages}
    vendor_pages = _vendor_pages(old)
    cookie_pages = _index((_cookie_name(c), p) for c in old.cookies for p in (c.pages or (c.page_url,)))
    host_pages = _index((r.host, r.page_url) for r in old.requests if r.third_party)
    finding_pages = {
        f"{f.status}: {f.vendor}": vendor_pages.get(f.vendor, set()) | set(f.evidence.pages)
        for f in old.findings
    }
    return ScanDiff(
        old_label=_label(old),
        new_label=_label(new),
        vendors=_change("vendors", _vendors(old), _vendors(new), vendor_pages, visited),
        cookies=_change("cookies", _cookies(old), _cookies(new), cookie_pages, visited),
        hosts=_change("third-party hosts", _hosts(old), _hosts(new), host_pages, visited),
        findings=_change(
            "findings",
            _findings(old),
            _findings(new),
            finding_pages,
            visited,
            absent={f"not_observed: {v}": p for v, p in vendor_pages.items()},
        ),
        summary_old=old.summary,
        summary_new=new.summary,
        pages=_pages(old, new),
        consent=_audit_findings(
            CONSENT,
            old.consent.findings if old.consent is not None else None,
            new.consent.findings if new.consent is not None else None,
            ((), ()),
            _audit_pages(old.consent.findings if old.consent is not None else (), vendor_pages),
            visited,
            "",
        ),
        behaviour=_audit_findings(
            BEHAVIOUR,
            old.behaviour.findings if old.behaviour is not None else None,
            new.behaviour.findings if new.behaviour is not None else None,
            (
                old.behaviour.detections if old.behaviour is not None else (),
                new.behaviour.detections if new.behaviour is not None else (),
            ),
            _audit_pages(old.behaviour.findings if old.behaviour is not None else (), vendor_pages),
            visited,
            _behaviour_note(old, new),
        ),
    )


def _audit_pages(findings: Iterable[Finding], vendor_pages: dict[str, set[str]]) -> dict[str, set[str]]:
    """item -> the pages of OLD where the finding was seen (its evidence, else its vendor's pages)."""
    return {_finding_key(f): set(f.evidence.pages) or vendor_pages.get(f.vendor, set()) for f in findings}


EVERYTHING = "vendors, cookies, third-party hosts, findings, consent findings or behaviour findings"


def shown_pages(pages: tuple[str, ...], limit: int = 3) -> str:
    """A few page URLs, and how many more."""
    more = len(pages) - limit
    return ", ".join(pages[:limit]) + (f" and {more} more" if more > 0 else "")


def _unvisited(c: Change, item: str) -> str:
    """For an added item that only says NEW did not see something: the pages NEW did not visit."""
    return f" (the new scan did not visit {shown_pages(c.pages[item])})" if item in c.pages else ""


def diff_text(d: ScanDiff) -> str:
    """Plain text for the terminal."""
    lines = [f"old: {d.old_label}", f"new: {d.new_label}"]
    warning = d.pages.warning()
    if warning:
        lines.append(f"warning: {warning}")
        lines.append(f"  old coverage: {d.pages.old_coverage}")
        lines.append(f"  new coverage: {d.pages.new_coverage}")
        if d.pages.only_old:
            lines.append(f"  only in old: {shown_pages(d.pages.only_old, 10)}")
        if d.pages.only_new:
            lines.append(f"  only in new: {shown_pages(d.pages.only_new, 10)}")
    if d.empty:
        lines.append(f"no changes in {EVERYTHING}")
    for c in d.changes:
        if c.note:
            lines.append(f"{c.kind}: {c.note}")
        if c.empty:
            continue
        head = f"{c.kind}: +{len(c.added)} -{len(c.removed)}"
        if c.changed:
            head += f" ~{len(c.changed)}"
        if c.not_rechecked:
            head += f", {len(c.not_rechecked)} {NOT_RECHECKED}"
        lines.append(head)
        lines += [f"  + {x}{_unvisited(c, x)}" for x in c.added]
        lines += [f"  - {x}" for x in c.removed]
        lines += [f"  ~ {x} ({what})" for x, what in c.changed.items()]
        lines += [
            f"  ? {x} ({NOT_RECHECKED}: the new scan did not visit {shown_pages(c.pages[x])}, "
            "where the old scan saw it)"
            for x in c.not_rechecked
        ]
    return "\n".join(lines) + "\n"
