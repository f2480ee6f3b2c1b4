"""`scanner email --render` in a real Chromium on the fake internet: the message is opened from a local
file, its remote content fires (the open pixel, the redirect it answers with, a style sheet and what the
style sheet loads), scripts, meta refresh, links and cid: images do not, and every output says it was
rendered. One browser for the module."""

from __future__ import annotations

import json

import pytest
from email_messages import simple

from scanner.cli import main
from scanner.email.report import RENDER_BANNER
from scanner.fakenet import FakeInternet, Response, Site, set_cookie

UID = "5f2b9c81d07a4e3f9b6c2a1d"


def _world():
    return {
        "px.mailtrack-demo.com": Site(
            {"/o.gif": lambda r: Response.redirect(f"https://sync.adnet-demo.com/s?uid={UID}")}
        ),
        "sync.adnet-demo.com": Site({"/s": lambda r: Response.pixel(cookies=(set_cookie("adid", UID),))}),
        "cdn.shop-demo.com": Site({"/logo.png": lambda r: Response.pixel()}),
        "fonts.fontcdn-demo.com": Site(
            {
                "/css": lambda r: Response(
                    200,
                    [("Content-Type", "text/css")],
                    f"body {{ background: url(https://img.cssbeacon-demo.net/b.gif?u={UID}) }}".encode(),
                )
            }
        ),
        "img.cssbeacon-demo.net": Site({"/b.gif": lambda r: Response.pixel()}),
        # served, so that a request would be seen: none must come
        "js.evil-demo.com": Site({"/x.js": lambda r: Response.script("document.title='ran'")}),
        "refresh.evil-demo.com": Site({"/": lambda r: Response.html("<p>refreshed</p>")}),
        "www.shop-demo.com": Site({"/": lambda r: Response.html("<p>shop</p>")}),
    }


HTML = """<html><head><meta http-equiv="refresh" content="0;url=https://refresh.evil-demo.com/">
<link rel="stylesheet" href="https://fonts.fontcdn-demo.com/css">
<script src="https://js.evil-demo.com/x.js"></script></head><body>
<img src="https://cdn.shop-demo.com/logo.png" width="200"><img src="cid:logo@shop-demo.com">
<a href="https://www.shop-demo.com/">Shop</a>
<img src="https://px.mailtrack-demo.com/o.gif?e=ann.reader%40example.org" width="1" height="1">
</body></html>"""


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    base = tmp_path_factory.mktemp("render")
    (base / "news.eml").write_bytes(simple(HTML))
    out = base / "out"
    with FakeInternet(_world()) as net:
        args = ["--no-config", "email", str(base / "news.eml"), "--render", "--out", str(out)]
        args += ["--format", "all", "--fail-on", "none", "--ignore-https-errors", "--timeout", "20"]
        args += [f"--browser-arg={a}" for a in net.chromium_args()]
        code = main(args)
        hosts = sorted(net.log.hosts())
    return code, out, hosts


@pytest.mark.browser
def test_render_fires_remote_content_only(rendered):
    code, _out, hosts = rendered
    assert code == 0
    assert hosts == [
        "cdn.shop-demo.com",
        "fonts.fontcdn-demo.com",
        "img.cssbeacon-demo.net",
        "px.mailtrack-demo.com",
        "sync.adnet-demo.com",
    ]


@pytest.mark.browser
def test_rendered_requests_are_references_and_evidence(rendered):
    _code, out, _hosts = rendered
    doc = json.loads((out / "email.json").read_text(encoding="utf-8"))
    assert doc["rendered"] is True
    (msg,) = doc["messages"]
    assert msg["rendered"]["requests"] == 5 and msg["rendered"]["error"] is None
    fired = {r["url"]: r for r in msg["references"] if r["rendered"]}
    sync = fired[f"https://sync.adnet-demo.com/s?uid=[id:{len(UID)}]"]
    assert sync["render"]["redirected_from"] == ["https://px.mailtrack-demo.com/o.gif?e=[address:url]"]
    assert sync["render"]["status"] == 200 and sync["render"]["set_cookie"] == 1
    assert fired["https://px.mailtrack-demo.com/o.gif?e=[address:url]"]["render"]["also_static"] is True
    findings = {(f["status"], f["vendor"]): f["detail"] for f in doc["findings"]}
    only = "Seen only when the message was rendered in Chromium (--render)."
    assert findings[("undeclared", "adnet-demo.com")].endswith(only)
    assert findings[("undeclared", "cssbeacon-demo.net")].endswith(only)
    assert not findings[("undeclared", "mailtrack-demo.com")].endswith(only)  # in the message itself
    assert ("address_leak", "mailtrack-demo.com") in findings
    assert UID not in json.dumps(doc) and "ann.reader" not in json.dumps(doc)


@pytest.mark.browser
def test_every_output_says_it_was_rendered(rendered):
    _code, out, _hosts = rendered
    assert RENDER_BANNER in (out / "report.html").read_text(encoding="utf-8").replace("&#39;", "'")
    assert "each message was also opened in Chromium" in (out / "summary.md").read_text(encoding="utf-8")
    assert '<property name="rendered" value="true"' in (out / "junit.xml").read_text(encoding="utf-8")
    sarif = json.loads((out / "results.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["properties"]["rendered"] is True
    header, *rows = (out / "findings.csv").read_text(encoding="utf-8").splitlines()
    assert header.endswith(",rendered") and all(r.endswith(",True") for r in rows)
