"""The scan presents an ordinary desktop Chrome of its own major version, on every request and in
every document: no HeadlessChrome in the user agent or the client hints, navigator.webdriver false,
"Google Chrome" among the brands, a desktop screen; what was presented is in meta.presented. Tags that
refuse automated browsers (as session-replay tags do) therefore run."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli, scan

from scanner.errors import EXIT_BAD_INPUT
from scanner.fakenet import FakeInternet, Response, Site, demo_world
from scanner.schema import validation_errors

HOST = "www.visitor-example.com"
OTHER = "widgets.visitor-other.net"  # a cross-site iframe and a script

# Reports what the document sees to the server (as a fingerprinting or bot-detection tag would).
REPORT = """<script>
(async () => {
  const ua = navigator.userAgentData;
  const high = ua ? await ua.getHighEntropyValues(["fullVersionList", "platform"]) : {};
  const seen = { ua: navigator.userAgent, webdriver: navigator.webdriver,
    brands: ua ? ua.brands.map(b => b.brand + "/" + b.version) : [],
    full: (high.fullVersionList || []).map(b => b.brand + "/" + b.version),
    languages: navigator.languages, tz: Intl.DateTimeFormat().resolvedOptions().timeZone,
    screen: [screen.width, screen.height] };
  navigator.sendBeacon("/seen?where=" + encodeURIComponent(location.host), JSON.stringify(seen));
  new Worker("/worker.js");
})();
</script>"""
WORKER = "fetch('/from-worker?ua=' + encodeURIComponent(navigator.userAgent));"


def visitor_world(seen: list[dict]) -> dict:
    def record(request):
        seen.append({"host": request.host, **json.loads(request.body or b"{}")})
        return Response.no_content()

    js = Response(200, [("Content-Type", "application/javascript")], WORKER.encode())
    home = f"<!doctype html><title>Visitor</title><h1>Hi</h1>{REPORT}"
    home += f'<iframe src="https://{OTHER}/frame"></iframe><img src="https://{OTHER}/pixel.gif">'
    site = Site(
        {"/": Response.html(home), "/seen": record, "/worker.js": js, "/from-worker": Response.no_content()}
    )
    other = Site(
        {
            "/frame": Response.html(f"<!doctype html><title>Frame</title>{REPORT}"),
            "/seen": record,
            "/worker.js": js,
            "/from-worker": Response.no_content(),
            "/pixel.gif": Response.pixel(),
        }
    )
    return {HOST: site, OTHER: other}


def crawl(tmp_path, **kw):
    seen: list[dict] = []
    with FakeInternet(visitor_world(seen)) as net:
        result, _ = scan(net, [net.url(HOST, "/")], tmp_path / "o", max_pages=1, use_sitemap=False, **kw)
        served = net.log.snapshot()
    return result, seen, served


@pytest.mark.timeout(120)
def test_every_request_and_document_sees_desktop_chrome(tmp_path):
    result, seen, served = crawl(tmp_path)
    major = result.meta.browser_version.split("/")[1].split(".")[0]
    chrome_ua = f"Chrome/{major}.0.0.0"
    # Every request the pages made: documents, the cross-site frame, an image, workers' fetches.
    page_requests = [r for r in served if r.host in (HOST, OTHER)]
    assert {r.path.split("?")[0] for r in page_requests} >= {
        "/",
        "/frame",
        "/pixel.gif",
        "/from-worker",
        "/seen",
    }
    for r in page_requests:
        assert (
            "HeadlessChrome" not in r.headers.get("user-agent", "") and chrome_ua in r.headers["user-agent"]
        ), r
        assert r.headers.get("accept-language") == "en-US,en;q=0.9", r
    for r in page_requests:
        if "sec-ch-ua" in r.headers and r.path.split("?")[0] != "/from-worker":
            assert f'"Google Chrome";v="{major}"' in r.headers["sec-ch-ua"], r
            assert "Headless" not in r.headers["sec-ch-ua"]
    documents = [r for r in page_requests if r.path in ("/", "/frame")]
    assert documents and all("sec-ch-ua" in r.headers for r in documents)
    # What the top document and the cross-site frame saw.
    assert {s["host"] for s in seen} == {HOST, OTHER}
    for s in seen:
        assert s["webdriver"] is False and "HeadlessChrome" not in s["ua"] and chrome_ua in s["ua"]
        assert f"Google Chrome/{major}" in s["brands"] and not any("Headless" in b for b in s["brands"])
        assert any(b.startswith(f"Google Chrome/{major}.") for b in s["full"]), s["full"]
        assert s["languages"] == ["en-US", "en"] and s["screen"] == [1920, 1080]
    # ... and what scan.json says was presented.
    presented = result.meta.presented
    assert presented["user_agent"] == seen[0]["ua"] and result.meta.user_agent == seen[0]["ua"]
    assert presented["webdriver"] is False and presented["languages"] == ["en-US", "en"]
    assert presented["screen"] == {"width": 1920, "height": 1080}
    assert {"brand": "Google Chrome", "version": major} in presented["client_hints"]["brands"]
    assert validation_errors(json.loads(json.dumps(result.to_dict()))) == []


@pytest.mark.timeout(120)
def test_locale_timezone_and_user_agent_overrides(tmp_path):
    ua = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) AuditBot/1.0"
    result, seen, served = crawl(tmp_path, locale="de-DE", timezone="Europe/Berlin", user_agent=ua)
    top = next(s for s in seen if s["host"] == HOST)
    assert top["languages"] == ["de-DE", "de"] and top["tz"] == "Europe/Berlin" and top["ua"] == ua
    home = next(r for r in served if r.host == HOST and r.path == "/")
    assert home.headers["accept-language"] == "de-DE,de;q=0.9" and home.headers["user-agent"] == ua
    assert result.meta.presented["timezone"] == "Europe/Berlin"
    assert result.meta.options["locale"] == "de-DE"


@pytest.mark.timeout(120)
def test_a_tag_that_refuses_robots_runs_for_the_scan(tmp_path):
    """The demo's Hotjar imitation stays silent in a browser that looks automated, as Hotjar does: it
    fires for the scan's default browser, and not when the scan is told to say HeadlessChrome."""
    headless = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/1.0"
    fired = {}
    for name, ua in (("default", None), ("headless", headless)):
        with FakeInternet(demo_world()) as net:
            scan(
                net,
                [net.url("www.example.com", "/")],
                tmp_path / name,
                max_pages=1,
                use_sitemap=False,
                user_agent=ua,
            )
            fired[name] = len(
                net.log.find(host="in.hotjar.com", path_prefix="/api/v2/client/sites/3210/visit-data")
            )
            assert net.log.find(host="static.hotjar.com")  # the tag loaded in both
    assert fired["default"] >= 1 and fired["headless"] == 0, fired


@pytest.mark.parametrize(("option", "value"), [("--locale", "en US"), ("--timezone", "Mars/Olympus")])
def test_bad_locale_or_timezone_is_exit_2(tmp_path, option, value):
    proc = run_cli("scan", "https://www.example.com/", "--out", str(tmp_path / "o"), option, value)
    assert proc.returncode == EXIT_BAD_INPUT and "Traceback" not in proc.stderr
    assert option in proc.stderr and not (tmp_path / "o").exists()


def test_presentation_from_what_the_browser_reports():
    """Pure rules: HeadlessChrome read as Chrome, "Google Chrome" next to Chromium in both brand
    lists, a custom user agent without client-hint overrides, nothing to present from nothing."""
    from scanner.visitor import presentation

    seen = {
        "user_agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
        "HeadlessChrome/156.0.0.0 Safari/537.36",
        "platform": "Linux x86_64",
        "client_hints": {
            "brands": [{"brand": "Not:A-Brand", "version": "8"}, {"brand": "Chromium", "version": "156"}],
            "fullVersionList": [{"brand": "Chromium", "version": "156.0.8078.114"}],
            "platform": "Linux",
            "mobile": False,
        },
    }
    who = presentation(seen, "156.0.8078.114", locale="de-DE")
    assert "HeadlessChrome" not in who.user_agent and "Chrome/156.0.0.0" in who.user_agent
    brands = who.metadata["brands"]
    assert brands == [
        {"brand": "Not:A-Brand", "version": "8"},
        {"brand": "Chromium", "version": "156"},
        {"brand": "Google Chrome", "version": "156"},
    ]
    assert {"brand": "Google Chrome", "version": "156.0.8078.114"} in who.metadata["fullVersionList"]
    assert who.override()["acceptLanguage"] == "de-DE,de" and who.override()["platform"] == "Linux x86_64"
    custom = presentation(seen, "156.0.8078.114", user_agent="AuditBot/1.0")
    assert custom.user_agent == "AuditBot/1.0" and custom.metadata is None
    assert presentation({}, None) is None
