"""`--out` safety: a folder that holds a scan is refused unless resumed or overwritten; never two scans'
pages or screenshots in one folder."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli

import scanner
from scanner.errors import EXIT_BAD_INPUT, BadInput
from scanner.fakenet import FakeInternet, Response, Site
from scanner.out_folder import check_out_dir, clear_scan


def old_scan(folder):
    (folder / "screenshots").mkdir(parents=True)
    (folder / "screenshots" / "0007.jpg").write_bytes(b"old")
    for name in ("pages.jsonl", "scan-meta.json", "scan.json", "report.html", "findings.csv"):
        (folder / name).write_text("old")
    (folder / "scan.json.tmp").write_text("old")
    (folder / "notes.txt").write_text("mine")


@pytest.mark.parametrize("name", ["pages.jsonl", "scan-meta.json", "scan.json"])
def test_a_folder_with_a_scan_is_refused(tmp_path, name):
    (tmp_path / name).write_text("{}")
    with pytest.raises(BadInput, match="already holds a scan.*--overwrite.*--resume"):
        check_out_dir(tmp_path, resume=False, overwrite=False)
    check_out_dir(tmp_path, resume=True, overwrite=False)
    check_out_dir(tmp_path, resume=False, overwrite=True)


def test_new_empty_or_unrelated_folders_are_fine(tmp_path):
    check_out_dir(tmp_path / "new", resume=False, overwrite=False)
    (tmp_path / "report.html").write_text("not a scan")
    check_out_dir(tmp_path, resume=False, overwrite=False)
    with pytest.raises(BadInput, match="choose one"):
        check_out_dir(tmp_path, resume=True, overwrite=True)
    (tmp_path / "file").write_text("x")
    with pytest.raises(BadInput, match="not a folder"):
        check_out_dir(tmp_path / "file", resume=False, overwrite=False)


def test_clear_removes_the_scan_and_nothing_else(tmp_path):
    old_scan(tmp_path)
    clear_scan(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


def test_library_refuses_before_anything_runs(tmp_path):
    old_scan(tmp_path)
    with pytest.raises(BadInput, match="already holds a scan"):
        scanner.scan(scanner.ScanOptions(start_urls=("https://www.example.com/",), out_dir=tmp_path))
    assert (tmp_path / "pages.jsonl").read_text() == "old"


@pytest.mark.browser
def test_cli_refuses_then_overwrites(tmp_path):
    world = {"www.example.com": Site({"/": Response.html("<title>New</title><p>new scan</p>")})}
    out = tmp_path / "out"
    old_scan(out)
    with FakeInternet(world) as net:
        argv = ["scan", net.url("www.example.com", "/"), "--out", str(out), "--quiet", "--no-sitemap"]
        argv += ["--settle", "0.2", "--ignore-https-errors", "--fail-on", "none", "--format", "json"]
        argv += [f"--browser-arg={a}" for a in net.chromium_args()]
        refused = run_cli(*argv)
        lines = refused.stderr.strip().splitlines()
        assert refused.returncode == EXIT_BAD_INPUT and len(lines) == 1, refused.stderr
        assert "already holds a scan" in lines[0] and "--overwrite" in lines[0]
        assert (out / "pages.jsonl").read_text() == "old"
        done = run_cli(*argv, "--overwrite")
    assert done.returncode == 0, done.stderr
    data = json.loads((out / "scan.json").read_text())
    assert [p["title"] for p in data["pages"]] == ["New"]
    assert len((out / "pages.jsonl").read_text().splitlines()) == 1
    assert sorted(p.name for p in (out / "screenshots").iterdir()) == ["0001-thumb.jpg", "0001.jpg"]
    assert not (out / "report.html").exists() and not (out / "scan.json.tmp").exists()
    assert (out / "notes.txt").read_text() == "mine"


def test_overwrite_and_resume_together_are_refused(tmp_path):
    proc = run_cli("scan", "--resume", str(tmp_path), "--overwrite")
    assert proc.returncode == EXIT_BAD_INPUT and "choose one" in proc.stderr
    assert "Traceback" not in proc.stderr


@pytest.mark.parametrize("extra", [[], ["--overwrite"]])
def test_demo_passes_overwrite_to_its_scan(tmp_path, monkeypatch, extra):
    """`scanner demo --out DIR` is a `scanner scan` into DIR (refused when DIR holds a scan, as
    tested above): it asks its scan to replace the earlier one only with --overwrite."""
    import scanner.cli
    from scanner.cli import main

    seen: list[list[str]] = []
    real_main = scanner.cli.main

    def scan_main(argv):
        if "scan" in argv[:2]:  # the demo's inner scan (after --no-config): recorded, not run
            seen.append(argv)
            return 0
        return real_main(argv)

    monkeypatch.setattr(scanner.cli, "main", scan_main)
    assert main(["demo", "--out", str(tmp_path), "--quiet", *extra]) == 0
    assert len(seen) == 1 and seen[0][seen[0].index("--out") + 1] == str(tmp_path)
    assert ("--overwrite" in seen[0]) == bool(extra)
    assert seen[0][:2] == ["--no-config", "scan"]  # the demo scans with its own options, not a config file
