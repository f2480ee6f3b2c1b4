"""`--self-contained` on a scan with large screenshots: report.html says in its methodology that it
embeds more than a mail system accepts, and the command warns in one line; without --self-contained
(thumbnails only, screenshots linked) neither.

The scan is the demo shop made by the real pipeline (tests/report_factory.py), saved as scan.json with
two page screenshots of 8 MB each and their thumbnails (real PNG and JPEG headers: only real images are
embedded)."""

from __future__ import annotations

import warnings
from dataclasses import replace

import lxml.html
import pytest
from conftest import run_cli
from report_factory import demo_scan

from scanner.report import write_reports
from scanner.report.html_images import LARGE_EMBEDDED, LargeReport

SHOT = 8_000_000  # bytes of each of the two screenshots: base64 makes 21 MB embedded


def with_thumbnails():
    """The demo scan with a thumbnail beside each screenshot, as the crawler takes them."""
    result = demo_scan()
    pages = tuple(
        replace(p, thumbnail=p.screenshot.replace("screenshots/", "thumbnails/").replace(".png", ".jpg"))
        if p.screenshot
        else p
        for p in result.pages
    )
    return replace(result, pages=pages)


@pytest.fixture(scope="module")
def scan_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("big-shots")
    result = with_thumbnails()
    write_reports(result, folder, ["json"])
    shots = [p for p in result.pages if p.screenshot]
    assert len(shots) == 2
    for p in shots:
        for rel, data in (
            (p.screenshot, b"\x89PNG\r\n\x1a\n" + bytes(SHOT - 8)),
            (p.thumbnail, b"\xff\xd8\xff" + bytes(3000)),
        ):
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    assert 2 * SHOT * 4 / 3 > LARGE_EMBEDDED
    return folder


def method_notes(html_file) -> list[str]:
    parser = lxml.html.HTMLParser(huge_tree=True)  # attributes of many MB: the data: URIs
    doc = lxml.html.parse(str(html_file), parser).getroot()
    return [li.text_content() for li in doc.xpath("//section[@id='method']//ul[@class='limits']/li")]


def test_self_contained_warns_on_the_console_and_in_the_methodology(scan_dir, tmp_path):
    out = tmp_path / "big"
    proc = run_cli("report", str(scan_dir), "--out", str(out), "--format", "html", "--self-contained")
    assert proc.returncode == 1, proc.stderr  # the demo shop fails the gate: the warning changes nothing
    warning = [line for line in proc.stderr.splitlines() if line.startswith("scanner: warning:")]
    assert warning == [
        "scanner: warning: report.html embeds 21 MB of screenshots (--self-contained): more than most mail "
        "systems accept and slow to open; without --self-contained it embeds the page thumbnails only and "
        "links the full screenshots (keep the report with its scan folder)"
    ]
    assert (out / "report.html").stat().st_size > LARGE_EMBEDDED
    (note,) = [n for n in method_notes(out / "report.html") if "MB of screenshots" in n]
    assert note.startswith("Report.html embeds 21 MB of screenshots (--self-contained)")


def test_without_self_contained_nothing_to_warn(scan_dir, tmp_path):
    proc = run_cli("report", str(scan_dir), "--out", str(tmp_path / "o"), "--format", "html")
    assert "warning" not in proc.stderr, proc.stderr
    assert not [n for n in method_notes(tmp_path / "o" / "report.html") if "MB of screenshots" in n]


def test_the_library_gets_a_python_warning(scan_dir, tmp_path):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        write_reports(with_thumbnails(), tmp_path, ["html"], scan_dir=scan_dir, self_contained=True)
    assert [w.category for w in caught] == [LargeReport]
