"""tools/docs_screenshots.py as a maintainer runs it on a saved scan folder (``--from``): it renders the
scan again with the current code and writes the three README pictures at their sizes."""

from __future__ import annotations

import struct
import subprocess
import sys

from conftest import REPO
from report_factory import demo_scan

from scanner.report import write_reports

TOOL = REPO / "tools" / "docs_screenshots.py"


def png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_screenshots_from_a_scan_folder(tmp_path):
    scan = tmp_path / "scan"
    write_reports(demo_scan(), scan, ["json"])
    out = tmp_path / "docs"
    proc = subprocess.run(
        [sys.executable, str(TOOL), "--from", str(scan), "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stderr
    sizes = {p.name: png_size(p.read_bytes()) for p in out.iterdir()}
    assert sizes == {
        "report.png": (1280, 900),
        "report-dark.png": (1280, 900),
        "report-phone.png": (780, 1688),
    }
    assert (out / "report.png").read_bytes() != (out / "report-dark.png").read_bytes()
    assert not (scan / "report.html").exists()  # the scan folder is only read


def test_a_folder_without_scan_json_is_one_line(tmp_path):
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "tools" / "docs_screenshots.py"),
            "--from",
            str(tmp_path),
            "--out",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode != 0
    assert proc.stderr.strip() == f"docs_screenshots: {tmp_path} has no scan.json"
