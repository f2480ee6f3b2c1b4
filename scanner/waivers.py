"""Waivers: findings a team has accepted for a while, each with a reason, an owner and an expiry date.

A waivers file is TOML (read with the standard library's ``tomllib``), one ``[[waiver]]`` table per
accepted finding::

    [[waiver]]
    vendor = "Hotjar"                # the vendor as findings name it (case and spacing do not matter)
    status = "undeclared"            # optional: the finding status it accepts (dashes or underscores);
                                     # left out (or "any"): every failing status of that vendor
    reason = "Heatmaps for the checkout study, declared in the next policy release"
    owner = "web-team@example.com"
    expires = 2026-03-31             # required: the last day it holds (a TOML date or "YYYY-MM-DD")
    reasons = ["purpose"]            # optional, for mismatches: the reasons it covers; a mismatch with
                                     # another reason is not covered

``apply_waivers`` (called by :func:`scanner.pipeline.analyse`) marks each matching finding with a
:class:`~scanner.model.Waiver`. A finding under a waiver that still holds stays in every report, marked
waived, and does not fail the gate; once ``expires`` lies before the scan's date the waiver is
``expired`` and the finding fails again. Waivers only ever apply to findings that can fail a gate (an
undeclared tracker, a mismatch, a consent or behaviour problem), never to a consistent declaration or
an embed, so a waiver whose finding went away matches nothing: :func:`unused_waivers` names those for
clean-up.

Every problem in the file is one :class:`~scanner.errors.BadInput` line naming ``file:line``.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from scanner.errors import BadInput
from scanner.model import Finding, ScanResult, Waiver

MAX_FILE_BYTES = 1_000_000
MAX_WAIVERS = 5_000
MAX_TEXT = 2_000
ANY_STATUS = "any"
FIELDS = ("vendor", "status", "reason", "owner", "expires", "reasons")
REQUIRED = ("vendor", "reason", "owner", "expires")
_HEADER = re.compile(r"^[ \t]*\[\[[ \t]*waiver[ \t]*\]\]")
_TABLE = re.compile(r"^[ \t]*\[")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_AT_LINE = re.compile(r"\s*\(at line (\d+), column \d+\)$")


@dataclass(frozen=True)
class WaiverRule:
    """One ``[[waiver]]`` entry as read from the file."""

    vendor: str
    status: str | None  # a finding status (underscores), None: any failing status
    reason: str
    owner: str
    expires: date
    source: str  # "waivers.toml:12"
    reasons: tuple[str, ...] = ()  # mismatch reasons it covers (empty: any)

    @property
    def key(self) -> str:
        return vendor_key(self.vendor)

    @property
    def status_text(self) -> str:
        return ANY_STATUS if self.status is None else self.status

    def covers(self, finding: Finding) -> bool:
        if self.status is not None and finding.status != self.status:
            return False
        if self.reasons and not set(finding.reasons) <= set(self.reasons):
            return False
        names = [finding.vendor, *(finding.declared_name or "").split(";")]
        return any(vendor_key(n) == self.key for n in names if n.strip())

    def waiver(self, scan_day: date) -> Waiver:
        return Waiver(
            vendor=self.vendor,
            status=self.status_text,
            reason=self.reason,
            owner=self.owner,
            expires=self.expires.isoformat(),
            source=self.source,
            expired=self.expires < scan_day,
        )


def vendor_key(name: str) -> str:
    """A vendor name compared without case and extra spaces ("google  Analytics" = "Google Analytics")."""
    return " ".join(name.casefold().split())


def waivable_statuses() -> tuple[str, ...]:
    """The finding statuses a waiver may accept: those a gate can fail on."""
    from scanner.gate import FAIL_ON_CHOICES

    return tuple(s for s in FAIL_ON_CHOICES if s != "none")


# ---- reading ---------------------------------------------------------------------------------------


def load_waivers(path: str | Path) -> tuple[WaiverRule, ...]:
    """The waivers of a TOML file; BadInput (one line naming file:line) for anything wrong with it."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise BadInput(f"{path}: no such waivers file") from None
    except IsADirectoryError:
        raise BadInput(f"{path}: is a folder, not a waivers file") from None
    except OSError as exc:
        raise BadInput(f"{path}: cannot read the waivers file ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise BadInput(f"{path}: a waivers file of more than {MAX_FILE_BYTES:,} bytes is not read")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise BadInput(f"{path}:{line}: not UTF-8 text") from None
    return parse_waivers(text, str(path))


def parse_waivers(text: str, name: str = "waivers.toml") -> tuple[WaiverRule, ...]:
    """The waivers of TOML ``text`` read from the file ``name`` (used in messages and sources)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        raise BadInput(f"{name}: not valid Unicode text") from None
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        message = str(exc)
        found = _AT_LINE.search(message)
        where = f"{name}:{found.group(1)}" if found else name
        raise BadInput(f"{where}: not valid TOML: {_AT_LINE.sub('', message)}") from None
    except RecursionError:
        raise BadInput(f"{name}: not valid TOML: nested too deeply") from None
    unknown = [k for k in doc if k != "waiver"]
    if unknown:
        raise BadInput(
            f"{name}:{_key_line(text, unknown[0]) or 1}: unknown key {_shown(unknown[0])}: a waivers file "
            "holds [[waiver]] tables only"
        )
    entries = doc.get("waiver", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise BadInput(f"{name}:{_key_line(text, 'waiver') or 1}: 'waiver' must be [[waiver]] tables")
    if len(entries) > MAX_WAIVERS:
        raise BadInput(f"{name}: more than {MAX_WAIVERS:,} waivers")
    lines = text.splitlines()
    headers = [i + 1 for i, line in enumerate(lines) if _HEADER.match(line)]
    if len(headers) != len(entries):  # an inline array of tables, or a header look-alike in a string
        headers = []
    return tuple(_rule(e, i, name, lines, headers) for i, e in enumerate(entries))


def _rule(entry: dict, index: int, name: str, lines: list[str], headers: list[int]) -> WaiverRule:
    start = headers[index] if headers else None

    def where(key: str | None = None) -> str:
        if start is None:
            return f"{name}: waiver {index + 1}"
        line = _line_in_block(lines, start, key) if key else start
        return f"{name}:{line}"

    for key in entry:
        if key not in FIELDS:
            raise BadInput(f"{where(key)}: unknown waiver key {_shown(key)}: use {', '.join(FIELDS)}")
    for key in REQUIRED:
        if key not in entry:
            raise BadInput(f"{where()}: the waiver has no {key!r} ({', '.join(REQUIRED)} are required)")
    vendor, reason, owner = (_text(entry[k], k, where(k)) for k in ("vendor", "reason", "owner"))
    status = _status(entry.get("status"), where("status"))
    expires = _date(entry["expires"], where("expires"))
    reasons = _reasons(entry.get("reasons", []), where("reasons"))
    source = f"{name}:{start}" if start is not None else f"{name} (waiver {index + 1})"
    return WaiverRule(vendor, status, reason, owner, expires, source, reasons)


def _shown(value: object) -> str:
    from scanner.safetext import terminal_text

    return repr(terminal_text(value, 60))


def _text(value: object, key: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise BadInput(f"{where}: {key!r} must be a non-empty text")
    if len(value) > MAX_TEXT:
        raise BadInput(f"{where}: {key!r} is longer than {MAX_TEXT} characters")
    return value.strip()


def _status(value: object, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise BadInput(f"{where}: 'status' must be a text (a finding status, or {ANY_STATUS!r})")
    status = value.strip().lower().replace("-", "_")
    if status in (ANY_STATUS, "*", ""):
        return None
    choices = waivable_statuses()
    if status not in choices:
        if status in ("declared", "embed", "consent_gated", "gpc_honoured"):
            raise BadInput(f"{where}: status {_shown(value)} never fails the gate: there is nothing to waive")
        listed = ", ".join(c.replace("_", "-") for c in choices)
        raise BadInput(f"{where}: unknown status {_shown(value)}: choose from {listed} or {ANY_STATUS}")
    return status


def _date(value: object, where: str) -> date:
    if isinstance(value, datetime):
        raise BadInput(f"{where}: 'expires' must be a date without a time (YYYY-MM-DD)")
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _DATE.fullmatch(value.strip()):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise BadInput(f"{where}: 'expires' must be a date (YYYY-MM-DD), not {_shown(value)}")


def _reasons(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(r, str) and r.strip() for r in value):
        raise BadInput(f'{where}: \'reasons\' must be a list of texts, e.g. ["purpose", "lifetime"]')
    if len(value) > 100:
        raise BadInput(f"{where}: more than 100 'reasons'")
    return tuple(dict.fromkeys(r.strip() for r in value))


def _line_in_block(lines: list[str], start: int, key: str) -> int:
    """The line of ``key = ...`` in the table whose header is on line ``start``; else ``start``."""
    pattern = re.compile(rf"^[ \t]*(?:{re.escape(key)}|\"{re.escape(key)}\"|'{re.escape(key)}')[ \t]*=")
    for number in range(start + 1, len(lines) + 1):
        line = lines[number - 1]
        if _TABLE.match(line):
            break
        if pattern.match(line):
            return number
    return start


def _key_line(text: str, key: str) -> int | None:
    """The first line that starts with ``key =``, ``[key`` or ``[[key``."""
    name = re.escape(key)
    pattern = re.compile(rf"^[ \t]*(?:\[\[?[ \t]*)?[\"']?{name}[\"']?[ \t]*(?:=|\]|\.)")
    for number, line in enumerate(text.splitlines(), 1):
        if pattern.match(line):
            return number
    return None


# ---- applying --------------------------------------------------------------------------------------


def scan_day(result: ScanResult) -> date:
    """The day (UTC) the scan started: a waiver expiring before it has expired."""
    try:
        started = datetime.fromisoformat(result.meta.started_at)
    except (TypeError, ValueError):
        return datetime.now(UTC).date()
    if started.tzinfo is not None:
        started = started.astimezone(UTC)
    return started.date()


def _waive(findings: Iterable[Finding], rules: Sequence[WaiverRule], day: date) -> tuple[Finding, ...]:
    waivable = set(waivable_statuses())
    out = []
    for f in findings:
        rule = next((r for r in rules if r.covers(f)), None) if f.status in waivable else None
        waiver = rule.waiver(day) if rule is not None else None
        out.append(f if f.waiver == waiver else replace(f, waiver=waiver))
    return tuple(out)


def apply_waivers(result: ScanResult, rules: Sequence[WaiverRule]) -> ScanResult:
    """``result`` with every finding (declaration, consent, behaviour) marked by the first waiver that
    covers it, and earlier marks replaced: the waivers of ``rules`` are the only ones in the result."""
    day = scan_day(result)
    result = replace(result, findings=_waive(result.findings, rules, day))
    if result.consent is not None:
        result = replace(
            result, consent=replace(result.consent, findings=_waive(result.consent.findings, rules, day))
        )
    if result.behaviour is not None:
        behaviour = replace(result.behaviour, findings=_waive(result.behaviour.findings, rules, day))
        result = replace(result, behaviour=behaviour)
    return result


def unused_waivers(rules: Sequence[WaiverRule], result: ScanResult) -> list[WaiverRule]:
    """The waivers that accepted no finding of ``result`` (stale: the finding went away or changed)."""
    from scanner.gate import all_findings

    used = {f.waiver.source for f in all_findings(result) if f.waiver is not None}
    return [r for r in rules if r.source not in used]


def waiver_text(waiver: Waiver) -> str:
    """How every report names a waiver: "waived (REASON, OWNER, until DATE)" or "waiver expired on DATE"."""
    if waiver.expired:
        return f"waiver expired on {waiver.expires} ({waiver.reason}, {waiver.owner})"
    return f"waived ({waiver.reason}, {waiver.owner}, until {waiver.expires})"
