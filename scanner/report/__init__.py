"""Renderers of one scan result: HTML for people, JSON/CSV/HAR/JUnit/SARIF/Markdown for machines.

``write_reports(result, out_dir, formats)`` writes the requested formats into ``out_dir``
and returns the written paths. Each format lives in its own small module; they are imported
only when needed so that ``import scanner.report`` stays cheap.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from pathlib import Path

from scanner.errors import BadInput, CannotScan
from scanner.model import ScanResult

FORMATS: tuple[str, ...] = ("html", "json", "csv", "har", "junit", "sarif", "md", "codequality")
# Formats that need a browser: known, written only when named, never by ``all`` (which stays every format
# that any machine can re-render without Chromium, quickly). pdf: report.html printed (scanner.report.pdf).
BROWSER_FORMATS: tuple[str, ...] = ("pdf",)
DEFAULT_FORMATS: tuple[str, ...] = ("html", "json", "csv")
FILES: dict[str, tuple[str, ...]] = {
    "html": ("report.html",),
    "json": ("scan.json",),
    "csv": ("findings.csv", "cookies.csv", "requests.csv"),
    "har": ("scan.har",),
    "junit": ("junit.xml",),
    "sarif": ("results.sarif",),
    "md": ("summary.md",),
    "codequality": ("codequality.json",),  # GitLab Code Quality
    "pdf": ("report.pdf",),
}
# Files a format writes only when the scan has what they hold (consent-matrix.csv: a consent audit;
# behaviour.csv: a behaviour audit).
OPTIONAL_FILES: dict[str, tuple[str, ...]] = {"csv": ("consent-matrix.csv", "behaviour.csv")}
_ALIASES = {"markdown": "md", "xml": "junit", "all": "all"}
_CHOICES = ", ".join((*FORMATS, *BROWSER_FORMATS))


def parse_formats(values: Iterable[str] | None) -> list[str]:
    """``--format`` values (repeatable, comma-separated, ``all``) -> known formats in order."""
    if values is None:
        return list(DEFAULT_FORMATS)
    wanted: list[str] = []
    for value in values:
        for part in str(value).split(","):
            name = part.strip().lower()
            if not name:
                continue
            name = _ALIASES.get(name, name)
            if name == "all":
                wanted.extend(FORMATS)
            elif name in FORMATS or name in BROWSER_FORMATS:
                wanted.append(name)
            else:
                raise BadInput(f"unknown report format {part.strip()!r}: choose from {_CHOICES}")
    if not wanted:
        raise BadInput(f"no report format given: choose from {_CHOICES}")
    return list(dict.fromkeys(wanted))


def write_reports(
    result: ScanResult,
    out_dir: Path,
    formats: Sequence[str],
    *,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
    scan_dir: Path | None = None,
    warn_on: Collection[str] | None = None,
    self_contained: bool = False,
    browser: str | None = None,
) -> list[Path]:
    """Write ``formats`` (from :data:`FORMATS` and :data:`BROWSER_FORMATS`) into ``out_dir``; unknown
    format -> BadInput.

    ``fail_on``/``baseline``/``warn_on`` only shape the verdict shown in report.html and summary.md, and
    which consent kinds junit.xml fails (the exit code is :func:`scanner.gate.gate_exit_code`). ``scan_dir``
    is where the screenshots live when it is not ``out_dir`` (re-rendering a saved scan elsewhere).
    ``self_contained``: report.html embeds the full screenshots too. ``browser``: the Chromium that prints
    report.pdf (--browser; default: found as a scan finds it). report.pdf is written last; when it cannot be
    printed, :class:`scanner.report.pdf.PdfNotPrinted` (exit 3) names the other files, all written.
    """
    chosen = parse_formats(formats)
    # the browser formats last: every other file is written before Chromium is started
    chosen = [f for f in chosen if f not in BROWSER_FORMATS] + [f for f in chosen if f in BROWSER_FORMATS]
    out_dir = Path(out_dir)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise BadInput(f"cannot create output folder {out_dir}: {exc}") from exc
    written: list[Path] = []
    for name in chosen:
        if name == "json":
            from scanner.report.json_file import write_scan_json

            written.append(write_scan_json(result, out_dir))
        elif name == "html":
            from scanner.report.html import write_html

            written.append(
                write_html(
                    result,
                    out_dir,
                    fail_on=fail_on,
                    baseline=baseline,
                    scan_dir=scan_dir,
                    warn_on=warn_on,
                    self_contained=self_contained,
                )
            )
        elif name == "pdf":
            from scanner.report.pdf import PdfNotPrinted, write_pdf

            try:
                path = write_pdf(
                    result,
                    out_dir,
                    fail_on=fail_on,
                    baseline=baseline,
                    scan_dir=scan_dir,
                    warn_on=warn_on,
                    browser=browser,
                )
            except CannotScan as exc:  # no browser, or it failed to print: not a write failure
                raise PdfNotPrinted(str(exc), out_dir, written, result) from None
            written.append(path)
        elif name == "csv":
            from scanner.report.csv_files import write_csv_files

            written.extend(write_csv_files(result, out_dir))
        elif name == "har":
            from scanner.report.har import write_har

            written.append(write_har(result, out_dir))
        elif name == "junit":
            from scanner.report.junit import write_junit

            written.append(write_junit(result, out_dir, fail_on))
        elif name == "sarif":
            from scanner.report.sarif import write_sarif

            written.append(write_sarif(result, out_dir))
        elif name == "md":
            from scanner.report.markdown import write_summary_md

            written.append(write_summary_md(result, out_dir, fail_on, baseline, warn_on=warn_on))
        elif name == "codequality":
            from scanner.report.codequality import write_codequality

            written.append(write_codequality(result, out_dir, fail_on, baseline))
    return written


__all__ = [
    "BROWSER_FORMATS",
    "DEFAULT_FORMATS",
    "FILES",
    "OPTIONAL_FILES",
    "FORMATS",
    "parse_formats",
    "write_reports",
]
