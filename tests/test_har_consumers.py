"""scan.har read by real HAR consumers (issue 10, point 7: "the HAR opens in Chrome DevTools and a HAR
viewer"): Playwright's own HAR reader replays a scan of a fake-internet site in a fresh Chromium that
has no fake internet, and Chrome DevTools' own HAR importer (the npm package chrome-devtools-frontend,
bundled for node by tools/fetch_devtools_har.sh) turns every entry into a DevTools network request.

The DevTools tests skip when node or the bundle cannot be had, except under CI (CI=true), where a skip
would hide a broken HAR, so they fail instead; .ci/run fetches the bundle first."""

from __future__ import annotations

import copy
import functools
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import REPO, scan  # noqa: I001
from report_factory import demo_scan as demo_result

from scanner.browser import find_browser
from scanner.fakenet import FakeInternet, Response, Site, set_cookie
from scanner.report.har import build_har, write_har

SHOP = "www.har-replay-shop.test"
CDN = "cdn.har-replay-metrics.test"
DEVTOOLS = Path(os.environ.get("SCANNER_DEVTOOLS_HAR_DIR", REPO / ".cache" / "devtools-har"))
READER = DEVTOOLS / "read_har.mjs"

HOME = f"""<title>Replay shop</title><p>shop</p><a href="/about">about us</a>
<script src="https://{CDN}/tag.js"></script>
<script>fetch("/api/me", {{ credentials: "include" }});</script>"""


def world() -> dict:
    return {
        SHOP: Site(
            {
                "/": Response.html(HOME, cookies=(set_cookie("sid", "1", max_age=600, http_only=True),)),
                "/old": Response.redirect("/"),
                "/about": Response.html("<title>About</title><p>about us</p>"),
                "/api/me": Response(200, [("Content-Type", "application/json"), ("X-Custom", "yes")], b"{}"),
            }
        ),
        CDN: Site({"/tag.js": Response(200, [("Content-Type", "text/javascript")], b"window.tag = 1;")}),
    }


@pytest.fixture(scope="module")
def har_path(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("har-consumers")
    with FakeInternet(world()) as net:
        result, _ = scan(net, [net.url(SHOP, "/old")], out, max_pages=2)
    return write_har(result, out)


@pytest.fixture(scope="module")
def har(har_path: Path) -> dict:
    return json.loads(har_path.read_text(encoding="utf-8"))


def _entry(har: dict, url: str) -> dict:
    return next(e for e in har["log"]["entries"] if e["request"]["url"] == url)


# Playwright's HAR reader ---------------------------------------------------------------------------


@pytest.mark.browser
def test_playwright_replays_the_scan_har_without_the_fake_internet(har_path: Path, har: dict) -> None:
    from playwright.sync_api import Error, sync_playwright

    pages = [p["_url"] for p in har["log"]["pages"]]
    assert pages == [f"https://{SHOP}/old", f"https://{SHOP}/about"]
    script = _entry(har, f"https://{CDN}/tag.js")
    assert script["response"]["status"] == 200
    chromium = find_browser().executable_path  # before sync_playwright, which runs its own loop
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--disable-gpu"])
        try:
            offline = browser.new_context().new_page()  # no fake internet: these hosts do not exist
            with pytest.raises(Error, match="ERR_NAME_NOT_RESOLVED"):
                offline.goto(pages[0])

            context = browser.new_context()
            context.route_from_har(har_path, not_found="abort")
            page = context.new_page()
            first = page.goto(pages[0])  # the HAR's 302 is followed to its Location, also in the HAR
            assert first is not None and first.status == 200 and first.url == f"https://{SHOP}/"
            assert first.headers["content-type"] == "text/html; charset=utf-8"
            # the Set-Cookie header of the HAR's response reached the browser's jar
            (sid,) = [c for c in context.cookies() if c["name"] == "sid"]
            assert sid["domain"] == SHOP and sid["httpOnly"] is True

            about = page.goto(pages[1])
            assert about is not None and about.status == 200 and about.url == pages[1]

            tag = page.goto(script["request"]["url"])
            assert tag is not None and tag.status == 200
            assert tag.headers["content-type"] == "text/javascript"
            api = page.goto(f"https://{SHOP}/api/me")
            assert api is not None and api.headers["x-custom"] == "yes"

            with pytest.raises(Error, match="ERR_FAILED"):  # not in the HAR: aborted, not fetched
                page.goto(f"https://{SHOP}/not-recorded")
        finally:
            browser.close()


# Chrome DevTools' HAR importer ---------------------------------------------------------------------


@functools.cache
def _bundle_problem() -> str:
    """'' when node and the bundled DevTools importer are there (fetching the bundle once if not)."""
    if shutil.which("node") is None:
        return "node is not installed"
    if not READER.is_file() and shutil.which("npm") is not None:
        try:
            subprocess.run(
                ["bash", str(REPO / "tools" / "fetch_devtools_har.sh"), str(DEVTOOLS)],
                capture_output=True,
                text=True,
                timeout=300,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            return f"tools/fetch_devtools_har.sh failed: {exc}"
    return "" if READER.is_file() else f"no DevTools HAR importer at {READER} (tools/fetch_devtools_har.sh)"


def devtools_reader() -> Path:
    problem = _bundle_problem()
    if problem:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI must read the HAR with Chrome DevTools' importer: {problem}")
        pytest.skip(problem)
    return READER


def devtools_import(har: dict, tmp_path: Path) -> subprocess.CompletedProcess:
    path = tmp_path / "in.har"
    path.write_text(json.dumps(har), encoding="utf-8")
    return subprocess.run(
        ["node", str(devtools_reader()), str(path)], capture_output=True, text=True, timeout=60, check=False
    )


def devtools_requests(har: dict, tmp_path: Path) -> dict:
    proc = devtools_import(har, tmp_path)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


@pytest.mark.browser
def test_devtools_imports_every_entry_of_a_scan_har(har: dict, tmp_path: Path) -> None:
    imported = devtools_requests(har, tmp_path)
    entries = har["log"]["entries"]
    requests = imported["requests"]
    assert imported["version"] == "1.2" and imported["creator"] == "scanner"
    assert [p["title"] for p in imported["pages"]] == ["Replay shop", "About"]
    assert sorted(r["url"] for r in requests) == sorted(e["request"]["url"] for e in entries)
    by_url = {r["url"]: r for r in requests}
    for entry in entries:
        request = by_url[entry["request"]["url"]]
        assert request["finished"] is True
        assert request["method"] == entry["request"]["method"]
        assert request["status"] == entry["response"]["status"]
        assert request["requestHeaders"] == [h["name"] for h in entry["request"]["headers"]]
        assert request["responseHeaders"] == [h["name"] for h in entry["response"]["headers"]]
        assert request["endTime"] >= request["issueTime"] > 0
        assert request["timing"]["receiveHeadersEnd"] >= request["timing"]["sendEnd"] >= 0
    assert by_url[f"https://{SHOP}/old"]["resourceType"] == "document"
    assert by_url[f"https://{SHOP}/about"]["resourceType"] == "document"
    assert by_url[f"https://{CDN}/tag.js"]["resourceType"] == "script"
    assert by_url[f"https://{SHOP}/api/me"]["resourceType"] == "fetch"
    home = by_url[f"https://{SHOP}/"]
    assert home["documentURL"] == f"https://{SHOP}/old"  # bound to its page load (pageref)
    assert [c["name"] for c in home["responseCookies"]] == ["sid"]
    assert home["responseCookies"][0]["httpOnly"] is True
    assert "sid" in by_url[f"https://{SHOP}/api/me"]["requestCookies"]


def test_devtools_imports_the_demo_har_with_initiators(tmp_path: Path) -> None:
    har = build_har(demo_result())
    requests = devtools_requests(har, tmp_path)["requests"]
    assert len(requests) == len(har["log"]["entries"])
    pixel = next(r for r in requests if r["url"].startswith("https://www.facebook.com/tr/"))
    assert pixel["initiator"] == {"type": "script", "url": "https://connect.facebook.net/en_US/fbevents.js"}
    assert pixel["resourceType"] == "image" and pixel["status"] == 200


def test_devtools_rejects_what_it_cannot_read(tmp_path: Path) -> None:
    """The importer is strict: a null ``_initiator`` (what scan.har once wrote for an unknown
    initiator) or a missing ``time`` stops the whole import, so the tests above would notice."""
    har = build_har(demo_result())
    for spoil in ({"_initiator": None}, {"time": "soon"}):
        broken = copy.deepcopy(har)
        broken["log"]["entries"][0].update(spoil)
        proc = devtools_import(broken, tmp_path)
        assert proc.returncode == 1 and "DevTools rejected the HAR" in proc.stderr, (spoil, proc.stderr)
