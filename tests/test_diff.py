"""`scanner diff`: vendors, cookies, third-party hosts and findings added and removed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from report_factory import demo_scan as demo_result

from scanner.diff import diff_scans, diff_text
from scanner.report import write_reports
from scanner.report.diff_files import diff_markdown

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def pair():
    return demo_result(), demo_result(extra_undeclared=True, start="2025-11-25T10:00:00Z")


def test_diff_finds_added_items(pair):
    old, new = pair
    d = diff_scans(old, new)
    assert d.vendors.added == ("TikTok",) and d.vendors.removed == ()
    assert d.cookies.added == ("_ttp @ .example.com",)
    assert d.hosts.added == ("analytics.tiktok.com",)
    assert d.findings.added == ("undeclared: TikTok",)
    assert d.summary_old["undeclared"] == 3 and d.summary_new["undeclared"] == 4
    assert not d.empty


def test_diff_reversed_lists_removals(pair):
    old, new = pair
    d = diff_scans(new, old)
    assert d.vendors.removed == ("TikTok",) and d.vendors.added == ()
    assert d.hosts.removed == ("analytics.tiktok.com",)


def test_diff_of_identical_scans_is_empty(pair):
    d = diff_scans(pair[0], pair[0])
    assert d.empty
    assert "no changes" in diff_text(d)
    assert "No change in vendors" in diff_markdown(d)


def test_diff_markdown(pair):
    md = diff_markdown(diff_scans(*pair))
    assert "| Undeclared | 3 | 4 |" in md
    assert "**Vendors**: 1 added, 0 removed" in md
    assert "- ➕ TikTok" in md
    assert "- ➕ analytics\\.tiktok\\.com" in md


def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args], capture_output=True, text=True, cwd=REPO, timeout=60
    )


def test_cli_diff_prints_and_writes(tmp_path, pair):
    write_reports(pair[0], tmp_path / "old", ["json"])
    write_reports(pair[1], tmp_path / "new", ["json"])
    proc = _cli(
        "diff", str(tmp_path / "old" / "scan.json"), str(tmp_path / "new"), "--out", str(tmp_path / "d")
    )
    assert proc.returncode == 0, proc.stderr
    assert "+ TikTok" in proc.stdout and "+ analytics.tiktok.com" in proc.stdout
    assert "TikTok" in (tmp_path / "d" / "diff.md").read_text(encoding="utf-8")
    html = (tmp_path / "d" / "diff.html").read_text(encoding="utf-8")
    assert "Content-Security-Policy" in html and "<code>_ttp @ .example.com</code>" in html
    # default output folder: NEW's folder
    assert _cli("diff", str(tmp_path / "old"), str(tmp_path / "new")).returncode == 0
    assert (tmp_path / "new" / "diff.html").is_file()


def test_cli_diff_bad_input(tmp_path, pair):
    write_reports(pair[0], tmp_path, ["json"])
    (tmp_path / "broken.json").write_text(json.dumps({"meta": "nope"}))
    assert _cli("diff", str(tmp_path), str(tmp_path / "missing")).returncode == 2
    proc = _cli("diff", str(tmp_path), str(tmp_path / "broken.json"))
    assert proc.returncode == 2 and "not a scan result" in proc.stderr
