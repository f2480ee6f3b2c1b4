"""Print and PDF of a real scan of the fake internet: report.pdf printed by the scan's kind of Chromium
holds every vendor's evidence, the running header and page numbers; report.html in print media fits A4
portrait with every piece of evidence open and no screen chrome; its thumbnails are embedded, so the
file alone, moved elsewhere, still shows them; the CSP still holds."""

from __future__ import annotations

import asyncio
import concurrent.futures
import io
import json
import re
import shutil
import struct
from urllib.parse import urlsplit

import pypdf
import pytest
from conftest import REPO, run_cli, scan
from report_browser import browser, open_report
from report_factory import demo_scan as demo_result

from scanner.collect.screenshot import THUMB_WIDTH
from scanner.report import write_reports
from scanner.report.html import render_html
from scanner.report.pdf import print_html

pytestmark = pytest.mark.browser

# A4 portrait at 96 px to the inch: 210 mm less print.css's 11 mm side margins is 188 mm.
A4_CONTENT_PX = 188 / 25.4 * 96


@pytest.fixture(scope="module")
def crawled(demo_net, tmp_path_factory):
    """A short crawl of the demo shop with screenshots: the home page and the pages it links to."""
    scan_dir = tmp_path_factory.mktemp("print-scan")
    scan(
        demo_net, [demo_net.url("www.example.com", "/")], scan_dir, max_depth=1, max_pages=6, screenshots=True
    )
    return scan_dir


@pytest.fixture(scope="module")
def printed(crawled, tmp_path_factory):
    """`scanner report` of that crawl (its saved pages), with the repository's vendors.csv: report.html and
    report.pdf in a folder of their own, the screenshots left in the scan's folder."""
    scan_dir = crawled
    out = tmp_path_factory.mktemp("printed")
    proc = run_cli(
        "report",
        str(scan_dir),
        "--out",
        str(out),
        "--format",
        "html,pdf",
        "--vendors",
        str(REPO / "vendors.csv"),
    )
    assert proc.returncode in (0, 1), proc.stderr
    assert f"wrote {out / 'report.pdf'}" in proc.stdout
    scan = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    reader = pypdf.PdfReader(io.BytesIO((out / "report.pdf").read_bytes()))
    pages = [p.extract_text() for p in reader.pages]
    return out, scan, reader, pages


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


def _squash(text: str) -> str:
    """Text without white space: a table cell may wrap a long name or URL anywhere."""
    return re.sub(r"\s+", "", text)


def test_pdf_holds_every_vendors_evidence(printed):
    _, scan, _, pages = printed
    text = _squash("\n".join(pages))
    observed = [f for f in scan["findings"] if f["status"] != "not_observed"]
    assert len(observed) >= 5
    for f in scan["findings"]:
        ev = f["evidence"]
        wanted = [f["vendor"], f["detail"]]
        wanted += [c["name"] for c in ev["cookies"]] + [c["domain"] for c in ev["cookies"]]
        # requests are grouped by resource (host and path), their parameters (;matrix ones too) decoded
        for r in ev["requests"] + ev["beacons"]:
            wanted.append(urlsplit(r["url"]).netloc + urlsplit(r["url"]).path.split(";")[0])
        wanted += [s["key"] for s in ev["storage"]]
        missing = [w for w in wanted if _squash(w) not in text]
        assert not missing, (f["vendor"], missing)
    hosts = {r["host"] for r in scan["requests"] if r["third_party"]}
    assert hosts and all(_squash(h) in text for h in hosts)
    # the vendor table keeps all its columns on A4 (before print.css, Requests, Beacons and Detail were cut)
    head = re.search(
        r"Status\s+Vendor\s+Declared as\s+Category\s+Pages\s+Cookies\s+Requests\s+Beacons\s+Storage",
        "\n".join(pages),
    )
    assert head is not None
    assert "Detail" in "\n".join(pages)[head.end() : head.end() + 40]


def test_pdf_pages_have_running_header_and_numbers(printed):
    out, scan, reader, pages = printed
    n = len(pages)
    assert n > 3
    box = reader.pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)  # A4 portrait, in points
    verdict = re.search(
        r'class="verdict-word">([A-Z ]+)<', (out / "report.html").read_text(encoding="utf-8")
    )[1]
    date = scan["meta"]["started_at"][:10]
    for i, text in enumerate(pages, 1):
        assert "Tracker audit: www.example.com" in text, i
        assert f"{verdict} · {date}" in text, i
        assert f"Page {i} of {n}" in text, i
    # evidence printed open: the lists inside each vendor's <details> are in the text
    assert "Evidence for" in pages[1] + pages[2] + pages[3]
    # the methodology and glossary are part of it, from the scan's own records
    whole = "\n".join(pages)
    assert "Methodology" in whole and "Glossary" in whole
    assert scan["meta"]["browser_version"] in whole
    # no local path of this machine in the file (the HTML was handed to the browser as a string)
    raw = (out / "report.pdf").read_bytes()
    assert str(out).encode() not in raw and b"file://" not in raw


def test_pdf_has_every_page_thumbnail(printed):
    _, scan, reader, _ = printed
    images = sum(
        1
        for p in reader.pages
        for x in (p["/Resources"].get("/XObject") or {}).values()
        if x.get_object().get("/Subtype") == "/Image"
    )
    shots = [p for p in scan["pages"] if p.get("thumbnail")]
    assert shots and images >= len(shots)


def test_thumbnails_are_small_jpegs_made_at_capture(printed, crawled):
    scan_dir = crawled
    _, scan, _, _ = printed
    for page in scan["pages"]:
        if page.get("error"):
            continue
        assert page["screenshot"] and page["thumbnail"]
        data = (scan_dir / page["thumbnail"]).read_bytes()
        assert data[:3] == b"\xff\xd8\xff" and len(data) < 40_000
        sof = re.search(rb"\xff[\xc0\xc2]", data)
        height, width = struct.unpack(">HH", data[sof.start() + 5 : sof.start() + 9])
        assert width == THUMB_WIDTH and 0 < height < width


def test_print_media_fits_a4_shows_evidence_and_hides_chrome(printed, chromium):
    out, scan, _, _ = printed
    with open_report(chromium, out / "report.html", viewport=(int(A4_CONTENT_PX), 1000)) as opened:
        page = opened.page
        chrome = ("header.top nav", ".filters")
        for selector in chrome:  # on screen they are there
            assert (
                page.eval_on_selector_all(selector, "els => els.map(e => e.getBoundingClientRect().height)")[
                    0
                ]
                > 0
            )
        page.emulate_media(media="print")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= A4_CONTENT_PX + 1
        too_wide = page.evaluate(
            """limit => Array.from(document.querySelectorAll('main table, main section'))
                 .filter(e => e.getBoundingClientRect().width > 0)
                 .filter(e => e.getBoundingClientRect().right > limit + 1
                              || e.scrollWidth > e.clientWidth + 1)
                 .map(e => e.id || e.className)""",
            A4_CONTENT_PX,
        )
        assert too_wide == []
        # every column of the vendor table is on the page: Requests, Beacons and Detail included
        heads = page.eval_on_selector_all(
            "#findings-table > thead th",
            "els => els.map(e => [e.innerText.trim(), e.getBoundingClientRect().right, e.clientWidth])",
        )
        labels = [h[0] for h in heads]  # as rendered: the sort buttons of the screen print as plain labels
        assert labels[:2] == ["Status", "Vendor"] and labels[-4:] == [
            "Requests",
            "Beacons",
            "Storage",
            "Detail",
        ]
        assert all(0 < right <= A4_CONTENT_PX + 1 and w > 20 for _, right, w in heads)
        # evidence shown although no <details> is open (print.css), with every evidence row visible
        assert page.evaluate("document.querySelectorAll('details[open]').length") == 0
        hidden = page.evaluate(
            """() => Array.from(document.querySelectorAll('#findings details'))
                 .filter(d => Array.from(d.children).some(c => !c.matches('summary, .more-btn')
                                                                && c.getBoundingClientRect().height === 0))
                 .length"""
        )
        assert hidden == 0
        cookies = {c["name"] for f in scan["findings"] for c in f["evidence"]["cookies"]}
        shown = set(
            page.eval_on_selector_all("#findings details table code", "els => els.map(e => e.textContent)")
        )
        assert cookies <= shown
        # no screen chrome
        for selector in (*chrome, ".more-btn", ".theme-switch button"):
            boxes = page.eval_on_selector_all(
                selector, "els => els.map(e => e.getBoundingClientRect().height)"
            )
            assert boxes and set(boxes) == {0}, selector
        assert opened.csp_violations == [] and opened.errors == [] and opened.network == []


def test_browser_print_opens_details_and_shows_every_row_then_restores(printed, chromium):
    out, _, _, _ = printed
    with open_report(chromium, out / "report.html") as opened:
        page = opened.page
        closed = page.evaluate("document.querySelectorAll('details:not([open])').length")
        assert closed > 5
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        assert page.evaluate("document.querySelectorAll('details:not([open])').length") == 0
        page.evaluate("window.dispatchEvent(new Event('afterprint'))")
        assert page.evaluate("document.querySelectorAll('details:not([open])').length") == closed


def test_moved_report_still_shows_its_thumbnails(printed, chromium, tmp_path):
    out, scan, _, _ = printed
    alone = tmp_path / "elsewhere" / "report.html"
    alone.parent.mkdir()
    shutil.copyfile(out / "report.html", alone)
    expected = sum(1 for p in scan["pages"] if p.get("thumbnail"))
    with open_report(chromium, alone) as opened:
        page = opened.page
        srcs = page.eval_on_selector_all(
            "#pages-table td.thumb img", "els => els.map(e => e.getAttribute('src'))"
        )
        assert len(srcs) == expected and all(s.startswith("data:image/jpeg;base64,") for s in srcs)
        sizes = page.evaluate(
            """async () => {
                 const out = [];
                 for (const img of document.querySelectorAll('#pages-table td.thumb img')) {
                   img.scrollIntoView();
                   await img.decode();
                   out.push([img.naturalWidth, img.naturalHeight]);
                 }
                 return out;
               }"""
        )
        assert all(w == THUMB_WIDTH and h > 0 for w, h in sizes)
        assert opened.network == [] and opened.csp_violations == [] and opened.errors == []


def test_pdf_without_a_browser_is_one_line_and_exit_3(tmp_path):
    write_reports(demo_result(), tmp_path, ["json"])
    env = {"SCANNER_SYSTEM_CHROMIUMS": "", "PLAYWRIGHT_BROWSERS_PATH": str(tmp_path / "no-browsers")}
    proc = run_cli("report", str(tmp_path), "--out", str(tmp_path / "o"), "--format", "pdf,html", env=env)
    assert proc.returncode == 3, proc.stdout + proc.stderr
    assert proc.stderr.startswith("scanner: error: report.pdf was not printed: no Chromium found") and (
        proc.stderr.count("\n") == 1
    )
    assert (tmp_path / "o" / "report.html").is_file() and not (tmp_path / "o" / "report.pdf").exists()
    proc = run_cli("report", str(tmp_path), "--format", "pdf", "--browser", str(tmp_path / "nothing"))
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "no such executable" in proc.stderr


def test_the_printed_html_opens_every_details_and_keeps_the_hashed_head():
    result = demo_result()
    screen, printed = render_html(result), print_html(result)
    head = screen[: screen.index("<body")]
    assert printed.startswith(head)  # the style and script the CSP hashes are untouched
    body = printed[len(head) :]
    assert re.findall(r"<details[^>]*>", body) and not re.findall(r"<details(?! open)[\s>]", body)
    assert ' loading="lazy"' not in body
    assert screen[len(head) :].count("<details") == body.count("<details open")


def test_pdf_is_written_from_inside_a_running_event_loop(tmp_path):
    """A scan writes its reports from its event loop: the PDF's browser runs in a thread of its own."""

    async def in_loop():
        return write_reports(demo_result(), tmp_path, ["pdf"])

    # in a thread of its own: this module's sync Playwright keeps an event loop in the main thread
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        (path,) = pool.submit(asyncio.run, in_loop()).result()
    reader = pypdf.PdfReader(io.BytesIO(path.read_bytes()))
    assert len(reader.pages) >= 2 and "Criteo" in "".join(p.extract_text() for p in reader.pages)
