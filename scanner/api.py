"""Python API for notebooks: ``scanner.load_scan(path)`` -> pandas tables of one saved scan.

>>> scan = scanner.load_scan("out/scan.json")          # or the folder "out"
>>> scan.cookies[scan.cookies.third_party].groupby("vendor").size()

pandas is the optional extra ``pandas`` (``pip install "tracker-audit[pandas]"``): only
:func:`load_scan` needs it. :func:`read_scan` (a :class:`~scanner.model.ScanResult`) does not.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from scanner.errors import BadInput
from scanner.model import SCHEMA_VERSION, ScanMeta, ScanResult
from scanner.report import tables
from scanner.textfile import MAX_SCAN_BYTES, parse_json, read_limited

if TYPE_CHECKING:
    import pandas as pd

PANDAS_MISSING = 'scanner.load_scan needs pandas: pip install "tracker-audit[pandas]"'


def _pandas():
    try:
        import pandas
    except ImportError:
        raise ImportError(PANDAS_MISSING) from None
    return pandas


def frame(table: tables.Table) -> pd.DataFrame:
    """A report table as a pandas DataFrame."""
    return _pandas().DataFrame(table.rows, columns=table.columns)


def scan_json_path(path: str | Path) -> Path:
    """``scan.json`` itself, or a scan folder holding one."""
    p = Path(path)
    if p.is_dir():
        p = p / "scan.json"
    if p.exists() and not p.is_file():
        raise BadInput(f"{p}: not a regular file (expected a scan.json or its folder)")
    if not p.is_file():
        raise BadInput(f"no scan result at {p}")
    return p


def read_scan(path: str | Path, *, skip: Iterable[str] = ()) -> ScanResult:
    """Read and check a saved scan.json; anything unusable is :class:`BadInput` (exit 2): a file that is
    not regular, larger than ``MAX_SCAN_BYTES``, not UTF-8 JSON, nested too deeply, or with any record of
    the wrong shape. ``skip`` names top-level record lists the caller does not use (``"requests"``,
    ``"api_calls"``, ...): they are dropped unread, so the result has them empty."""
    p = scan_json_path(path)
    raw = read_limited(p, str(p), MAX_SCAN_BYTES)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInput(f"{p}: not a readable scan.json (not UTF-8 at byte {exc.start})") from None
    del raw
    try:
        data = parse_json(text, str(p))
    except BadInput as exc:
        raise BadInput(f"not a readable scan.json: {exc}") from None
    if not isinstance(data, dict) or not isinstance(data.get("meta"), dict):
        raise BadInput(f"{p}: not a scan result (no 'meta' object)")
    version = data.get("schema_version", SCHEMA_VERSION)
    if not isinstance(version, str) or version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
        shown = str(version)[:40]
        raise BadInput(f"{p}: schema_version {shown} is not readable by this scanner ({SCHEMA_VERSION})")
    for key in skip:
        data.pop(key, None)
    try:
        return ScanResult.from_dict(data)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise BadInput(f"{p}: malformed scan result ({one_line(exc)})") from None


def one_line(exc: BaseException) -> str:
    text = next((line.strip() for line in str(exc).splitlines() if line.strip()), "")
    return text[:300] or type(exc).__name__


@dataclass(frozen=True)
class Scan:
    """One saved scan with pandas views. ``result`` is the full :class:`ScanResult`."""

    result: ScanResult
    path: Path | None = None

    @property
    def meta(self) -> ScanMeta:
        return self.result.meta

    @property
    def summary(self) -> dict[str, int]:
        return self.result.summary

    @cached_property
    def cookies(self) -> pd.DataFrame:
        return frame(tables.cookies_table(self.result))

    @cached_property
    def requests(self) -> pd.DataFrame:
        return frame(tables.requests_table(self.result))

    @cached_property
    def findings(self) -> pd.DataFrame:
        return frame(tables.findings_table(self.result))

    @cached_property
    def consent_findings(self) -> pd.DataFrame:
        """The consent findings (``status``: before_consent, despite_reject, ...), the columns of
        ``findings``; empty without a consent audit."""
        return frame(tables.consent_findings_table(self.result))

    @cached_property
    def consent_matrix(self) -> pd.DataFrame:
        """The vendor x pass matrix, one row per vendor and pass (consent-matrix.csv)."""
        return frame(tables.consent_matrix_table(self.result))

    @cached_property
    def behaviour_findings(self) -> pd.DataFrame:
        """The behaviour findings (``status``: fingerprinting, form_data_leak, ...; ``severity``,
        ``observations``), the columns of ``findings``; empty without a behaviour audit."""
        return frame(tables.behaviour_findings_table(self.result))

    @cached_property
    def behaviour(self) -> pd.DataFrame:
        """One row per observation of each behaviour detection (behaviour.csv)."""
        return frame(tables.behaviour_table(self.result))

    @cached_property
    def pages(self) -> pd.DataFrame:
        return frame(tables.pages_table(self.result))

    @cached_property
    def storage(self) -> pd.DataFrame:
        return frame(tables.storage_table(self.result))

    @cached_property
    def vendors(self) -> pd.DataFrame:
        return _pandas().DataFrame([dict(v) for v in self.result.vendors])

    def __repr__(self) -> str:
        m: dict[str, Any] = {"start": ", ".join(self.meta.start_urls), "date": self.meta.started_at}
        counts = ", ".join(f"{k}={v}" for k, v in self.summary.items())
        return (
            f"<Scan {m['start']} at {m['date']}: {len(self.result.pages)} pages, "
            f"{len(self.result.requests)} requests, {len(self.result.cookies)} cookies; {counts}>"
        )


def load_scan(path: str | Path) -> Scan:
    """Load ``scan.json`` (or a folder holding one) for analysis with pandas. Without pandas installed,
    an ImportError that says how to install it."""
    _pandas()
    p = scan_json_path(path)
    return Scan(result=read_scan(p), path=p)
