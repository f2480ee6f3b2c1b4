"""Which screenshots report.html embeds (scanner.report.html_images): page thumbnails as data: URIs up to
a size budget, consent screenshots, full screenshots only with --self-contained; files outside the scan
folder and files that are not images never."""

from __future__ import annotations

import base64
import re
from dataclasses import replace

import pytest
from report_factory import demo_scan, large_scan

from scanner.cli import build_parser
from scanner.commands.scan import scan_options
from scanner.report.html import render_html
from scanner.report.html_images import THUMB_BUDGET, Images, image_type

# The first bytes of a JPEG and of a PNG, then filler: enough for the type check, as a real file would be.
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"j" * 5000
PNG = b"\x89PNG\r\n\x1a\n" + b"p" * 300


def _with_shots(result, scan_dir, n_bytes=JPEG, thumbs=True):
    """``result``'s pages with a screenshot and (``thumbs``) a thumbnail file each."""
    shots = scan_dir / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    pages = []
    for i, p in enumerate(result.pages, 1):
        (shots / f"{i:04d}.jpg").write_bytes(n_bytes + b"full")
        if thumbs:
            (shots / f"{i:04d}-thumb.jpg").write_bytes(n_bytes)
        pages.append(
            replace(
                p,
                screenshot=f"screenshots/{i:04d}.jpg",
                thumbnail=f"screenshots/{i:04d}-thumb.jpg" if thumbs else None,
            )
        )
    return replace(result, pages=tuple(pages))


def _thumb_srcs(html: str) -> list[str]:
    return re.findall(
        r'<td class="thumb">(?:<a [^>]*>|<details class="shot"><summary>)?<img src="([^"]+)"', html
    )


def test_thumbnails_embedded_and_linking_the_full_screenshot(tmp_path):
    result = _with_shots(demo_scan(), tmp_path)
    html = render_html(result, scan_dir=tmp_path, out_dir=tmp_path)
    srcs = _thumb_srcs(html)
    assert srcs == ["data:image/jpeg;base64," + base64.b64encode(JPEG).decode()] * len(result.pages)
    assert 'href="screenshots/0001.jpg"' in html  # the full screenshot: a file next to the report
    assert "past the size budget" not in html


def test_a_large_scan_embeds_thumbnails_up_to_the_budget_then_links_them(tmp_path):
    big = JPEG + b"j" * 20_000  # a 25 kB thumbnail: the budget holds about 120 of them
    result = _with_shots(large_scan(250, 500, 50), tmp_path, big)
    html = render_html(result, scan_dir=tmp_path, out_dir=tmp_path)
    srcs = _thumb_srcs(html)
    embedded = [s for s in srcs if s.startswith("data:")]
    linked = [s for s in srcs if s.startswith("screenshots/") and s.endswith("-thumb.jpg")]
    assert len(srcs) == 250 and len(embedded) + len(linked) == 250 and embedded and linked
    assert sum(map(len, embedded)) <= THUMB_BUDGET + len(embedded[0])  # bounded, whatever the scan's size
    assert srcs.index(linked[0]) == len(embedded)  # the first pages embedded, the rest linked
    assert f"{len(linked)} page thumbnails past the size budget are linked files" in html


def test_self_contained_embeds_full_screenshots_in_place(tmp_path):
    result = _with_shots(demo_scan(), tmp_path)
    html = render_html(result, scan_dir=tmp_path, out_dir=tmp_path / "elsewhere", self_contained=True)
    full = "data:image/jpeg;base64," + base64.b64encode(JPEG + b"full").decode()
    assert html.count(f'<img class="shot-full" src="{full}"') == len(result.pages)
    assert "screenshots/" not in html  # nothing left outside the file


def test_an_older_scan_without_thumbnails_links_its_screenshots_as_before(tmp_path):
    result = _with_shots(demo_scan(), tmp_path, thumbs=False)
    html = render_html(result, scan_dir=tmp_path, out_dir=tmp_path)
    assert _thumb_srcs(html) == [f"screenshots/{i:04d}.jpg" for i in range(1, len(result.pages) + 1)]
    # --self-contained embeds them whole
    html = render_html(result, scan_dir=tmp_path, out_dir=tmp_path, self_contained=True)
    assert all(s.startswith("data:image/jpeg;base64,") for s in _thumb_srcs(html))
    full = "data:image/jpeg;base64," + base64.b64encode(JPEG + b"full").decode()
    assert html.count(full) == len(result.pages)  # once each, not as the image and again as its "full" view


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("x-thumb.jpg", b"<html><script>alert(1)</script>"),
        ("x-thumb.jpg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
        ("x-thumb.jpg", b""),
    ],
)
def test_files_that_are_not_images_are_never_embedded(tmp_path, name, data):
    (tmp_path / "screenshots").mkdir()
    (tmp_path / "screenshots" / name).write_bytes(data)
    result = demo_scan()
    result = replace(
        result, pages=(replace(result.pages[0], screenshot=None, thumbnail=f"screenshots/{name}"),)
    )
    html = render_html(result, scan_dir=tmp_path, out_dir=tmp_path)
    assert "data:image" not in html.split('<section id="pages"')[1] and "data:text" not in html
    assert _thumb_srcs(html) == [f"screenshots/{name}"]  # at most an <img> of the file: inert


@pytest.mark.parametrize(
    "path", ["/etc/hostname", "../outside.jpg", "javascript:alert(1)", "data:image/jpeg;base64,AA", ""]
)
def test_thumbnail_paths_outside_the_scan_are_ignored(tmp_path, path):
    (tmp_path / "outside.jpg").write_bytes(JPEG)
    scan_dir = tmp_path / "scan"
    scan_dir.mkdir()
    result = demo_scan()
    result = replace(result, pages=(replace(result.pages[0], screenshot=path, thumbnail=path),))
    for self_contained in (False, True):
        html = render_html(result, scan_dir=scan_dir, out_dir=scan_dir, self_contained=self_contained)
        assert _thumb_srcs(html) == []


def test_image_type_by_first_bytes():
    assert image_type(JPEG) == "image/jpeg" and image_type(PNG) == "image/png"
    assert image_type(b"GIF89a...") == "image/gif" and image_type(b"RIFF\0\0\0\0WEBPVP8 ") == "image/webp"
    assert image_type(b"<svg") is None and image_type(b"") is None


def test_consent_screenshot_over_the_limit_is_linked(tmp_path):
    (tmp_path / "s").mkdir()
    (tmp_path / "s" / "big.png").write_bytes(PNG + b"x" * 2_000_000)
    (tmp_path / "s" / "small.png").write_bytes(PNG)
    images = Images(tmp_path)
    assert images.shot("s/small.png").startswith("data:image/png;base64,")
    assert images.shot("s/big.png") == "s/big.png"
    assert Images(tmp_path, self_contained=True).shot("s/big.png").startswith("data:image/png;base64,")


def test_self_contained_option_of_scan_and_report():
    parser = build_parser()
    args = parser.parse_args(["scan", "https://www.example.com/", "--self-contained", "--format", "pdf,html"])
    options = scan_options(args)
    assert options.self_contained and options.formats == ("pdf", "html")
    args = parser.parse_args(["report", "x", "--self-contained", "--browser", "/usr/bin/true"])
    assert args.self_contained and args.browser == "/usr/bin/true"
