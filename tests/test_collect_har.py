"""scan.har from a real crawl: the headers the browser really sent and received (bounded, secrets
redacted), the cookies they name and the browser's timings, valid HAR 1.2 (issue 10, point 7)."""

from __future__ import annotations

import json

import pytest
from conftest import scan  # noqa: I001
from report_factory import demo_scan as demo_result
from report_schemas import har_errors, har_strict_errors

from scanner.collect.httpdata import MAX_HEADERS, TRUNCATED, har_time, har_timings, header_list
from scanner.fakenet import FakeInternet, Response, Site, set_cookie
from scanner.model import ScanResult
from scanner.report.har import build_har
from scanner.schema import validation_errors

SITE = "www.har-shop.test"
API = "api.har-metrics.test"

PAGE = f"""<title>HAR shop</title><p>shop</p>
<script>
  const secret = {{ Authorization: "Bearer s3cret" }};
  fetch("/api/login", {{ credentials: "include" }})
    .then(() => fetch("/api/me", {{ credentials: "include", headers: secret }}))
    .catch(() => null);
  fetch("https://{API}/collect?e=view", {{ credentials: "include" }});
</script>"""


def world() -> dict:
    login = Response(
        200,
        [
            ("Content-Type", "application/json"),
            ("Set-Cookie", set_cookie("sid", "topsecret", max_age=3600, http_only=True)),
            ("X-Custom", "yes"),
        ],
        b"{}",
    )
    flood = [(f"X-Flood-{n}", "v" * 100) for n in range(300)] + [("X-Huge", "h" * 100_000)]
    collect = Response(200, [("Content-Type", "application/json"), *flood], b"{}", delay_s=0.05)
    return {
        SITE: Site(
            {
                "/": Response.html(PAGE),
                "/old": Response.redirect("/"),
                "/api/login": login,
                "/api/me": Response(200, [("Content-Type", "application/json")], b"{}"),
            }
        ),
        API: Site({"/collect": collect}),
    }


@pytest.fixture(scope="module")
def crawled(tmp_path_factory) -> ScanResult:
    out = tmp_path_factory.mktemp("har")
    with FakeInternet(world()) as net:
        result, _ = scan(net, [net.url(SITE, "/old")], out, max_pages=1)
    return result


def entry(har: dict, url_part: str) -> dict:
    urls = [e["request"]["url"] for e in har["log"]["entries"]]
    return next(
        e
        for e, url in zip(har["log"]["entries"], urls, strict=True)
        if url == url_part or ("://" not in url_part and url_part in url)
    )


def header(headers: list[dict], name: str) -> str | None:
    return next((h["value"] for h in headers if h["name"].lower() == name.lower()), None)


@pytest.mark.browser
def test_har_of_a_real_crawl_is_valid_har_1_2(crawled):
    har = build_har(crawled)
    assert har_errors(har) == []
    assert har_strict_errors(har) == []
    log = har["log"]
    assert len(log["pages"]) == 1 and all(e["pageref"] == "page_1" for e in log["entries"])
    starts = [e["startedDateTime"] for e in log["entries"]]
    assert starts == sorted(starts)
    data = json.loads(json.dumps(crawled.to_dict()))
    assert validation_errors(data) == []
    assert ScanResult.from_dict(data) == crawled


@pytest.mark.browser
def test_har_carries_real_headers_cookies_and_timings(crawled):
    har = build_har(crawled)
    document = entry(har, f"https://{SITE}/")
    assert header(document["request"]["headers"], "user-agent")
    assert header(document["response"]["headers"], "content-type").startswith("text/html")
    assert document["response"]["httpVersion"] == document["request"]["httpVersion"] == "HTTP/1.1"
    assert document["time"] > 0 and document["timings"]["wait"] >= 0
    redirect = entry(har, "/old")
    assert redirect["response"]["status"] == 302 and redirect["response"]["redirectURL"] == "/"
    login = entry(har, "/api/login")
    assert header(login["response"]["headers"], "x-custom") == "yes"
    # the Set-Cookie header Playwright's event objects leave out, without the cookie's value
    assert login["response"]["cookies"] == [
        {
            "name": "sid",
            "value": "",
            "path": "/",
            "domain": SITE,
            "httpOnly": True,
            "secure": False,
            "expires": login["response"]["cookies"][0]["expires"],
        }
    ]
    assert "topsecret" not in json.dumps(har)
    me = entry(har, "/api/me")
    assert {"name": "sid", "value": ""} in me["request"]["cookies"]  # the Cookie header as sent
    assert header(me["request"]["headers"], "authorization") == "(not kept)"
    assert "s3cret" not in json.dumps(har)
    flooded = entry(har, f"https://{API}/collect?e=view")["response"]["headers"]
    assert len(flooded) <= MAX_HEADERS + 1 and flooded[-1]["name"] == TRUNCATED
    assert len(json.dumps(flooded)) < 12_000


def test_demo_har_meets_har_1_2_timing_rules():
    har = build_har(demo_result())
    assert har_errors(har) == []
    assert har_strict_errors(har) == []


def test_header_list_bounds_and_redaction():
    rows = header_list(
        [("Cookie", "a=1; b=2"), ("Set-Cookie", "c=3; Path=/\nd=4"), ("Authorization", "x"), ("X", "y")]
    )
    assert rows == [
        {"name": "Cookie", "value": "a=; b="},
        {"name": "Set-Cookie", "value": "c=; Path=/"},
        {"name": "Set-Cookie", "value": "d="},
        {"name": "Authorization", "value": "(not kept)"},
        {"name": "X", "value": "y"},
    ]
    kept = header_list([("Cookie", "a=1")], keep_values=True)
    assert kept == [{"name": "Cookie", "value": "a=1"}]
    many = header_list([(f"h{n}", "v") for n in range(1000)] + [(1, 2)])
    assert len(many) == MAX_HEADERS + 1 and many[-1] == {"name": TRUNCATED, "value": str(1000 - MAX_HEADERS)}


def test_har_timings_from_playwright_timing():
    fresh = {
        "startTime": 1.7e12,
        "domainLookupStart": 1.0,
        "domainLookupEnd": 3.0,
        "connectStart": 3.0,
        "secureConnectionStart": 4.0,
        "connectEnd": 9.0,
        "requestStart": 9.5,
        "responseStart": 20.0,
        "responseEnd": 25.0,
    }
    t = har_timings(fresh)
    assert t == {
        "blocked": 1.0,
        "dns": 2.0,
        "connect": 6.0,
        "ssl": 5.0,
        "send": 0,
        "wait": 10.5,
        "receive": 5.0,
    }
    assert har_time(t) == 24.5
    reused = dict(
        fresh,
        domainLookupStart=-1,
        domainLookupEnd=-1,
        connectStart=-1,
        secureConnectionStart=-1,
        connectEnd=-1,
        requestStart=0.5,
    )
    t = har_timings(reused)
    assert (t["dns"], t["connect"], t["ssl"], t["blocked"]) == (-1, -1, -1, 0.5)
    failed = {k: -1 for k in fresh}
    t = har_timings(failed)
    assert (t["send"], t["wait"], t["receive"]) == (0, 0, 0)
