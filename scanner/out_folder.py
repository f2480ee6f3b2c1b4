"""The scan folder (``--out``): one scan per folder, never two scans' pages or screenshots mixed.

A folder that already holds a scan (``pages.jsonl``, ``scan-meta.json`` or ``scan.json``) is refused
unless the scan continues it (``resume``) or replaces it (``overwrite``): then the earlier scan's files,
reports and screenshots are removed first. Anything else in the folder is left alone.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from scanner.assemble import META_FILE, VISITS_FILE, pass_visits_file
from scanner.errors import BadInput
from scanner.safe_write import write_failure

SCAN_FILES = (VISITS_FILE, META_FILE, "scan.json")
CONSENT_FILES = tuple(pass_visits_file(name) for name in ("accept", "reject", "gpc"))
SCREENSHOTS_DIR = "screenshots"


def holds_scan(folder: Path) -> bool:
    return any((Path(folder) / name).exists() for name in SCAN_FILES)


def check_out_dir(folder: Path | None, *, resume: bool, overwrite: bool) -> None:
    """BadInput (before anything is written) when the scan may not write into ``folder``."""
    if folder is None:
        if overwrite:
            raise BadInput("overwrite needs an output folder (out_dir)")
        return
    if resume and overwrite:
        raise BadInput("--resume continues the scan in the folder, --overwrite replaces it: choose one")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise BadInput(f"{folder} is not a folder")
    if not resume and not overwrite and holds_scan(folder):
        raise BadInput(
            f"{folder} already holds a scan: use --overwrite to replace it or --resume {folder} "
            "to continue it (or choose another --out)"
        )


def scan_outputs(folder: Path) -> list[Path]:
    """The files a scan writes into ``folder`` (scan files, every report format, their temp files)."""
    from scanner.report import FILES, OPTIONAL_FILES

    reports = (name for files in (*FILES.values(), *OPTIONAL_FILES.values()) for name in files)
    names = [*SCAN_FILES, *CONSENT_FILES, *reports]
    names += [name + ".tmp" for name in names]
    return [Path(folder) / name for name in dict.fromkeys(names)]


def clear_scan(folder: Path) -> None:
    """Remove the earlier scan saved in ``folder`` (its files, reports and screenshots)."""
    folder = Path(folder)
    try:
        for path in scan_outputs(folder):
            path.unlink(missing_ok=True)
        if (folder / SCREENSHOTS_DIR).is_dir():
            shutil.rmtree(folder / SCREENSHOTS_DIR)
    except OSError as exc:
        raise write_failure(exc, exc.filename or folder) from None


def remove_partial_outputs(folder: Path, *, since: float) -> list[Path]:
    """After a failed write of the reports: remove the temp files and every report written since
    ``since`` (one may be cut off), except scan.json, which is only ever replaced whole."""
    removed = []
    for path in scan_outputs(folder):
        if path.name in SCAN_FILES:
            continue
        try:
            if path.name.endswith(".tmp") or path.stat().st_mtime >= since:
                path.unlink()
                removed.append(path)
        except OSError:
            continue
    return removed
