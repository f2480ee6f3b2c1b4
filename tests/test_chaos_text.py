"""Page text that is not valid Unicode (lone UTF-16 surrogates) never stops a writer: it is saved with
U+FFFD in its place and the page says its text was repaired."""

from __future__ import annotations

import json

import pytest
from conftest import run_cli
from hypothesis import given
from hypothesis import strategies as st

from scanner.fakenet import FakeInternet, Response, Site
from scanner.safetext import REPLACEMENT, repair_string, repair_text, repair_visit

SURROGATE_PAGE = """<title>placeholder</title><p>hello</p>
<script>
document.title = "Shop \\uD800 end";
localStorage.setItem("key\\uDBFF", "value\\uDC00");
document.cookie = "crumb\\uD800=1; path=/";
const a = document.createElement("a");
a.href = "/next?q=\\uD800";
a.textContent = "next \\uDFFF";
document.body.appendChild(a);
console.log("log \\uD800");
</script>"""


@given(st.text())
def test_valid_text_is_unchanged(text):
    assert repair_string(text) == (text, 0)


@given(st.lists(st.sampled_from(["a", "\ud800", "\udfff", "\ud83d\ude00", "\ufffd", "é"])))
def test_every_lone_surrogate_is_replaced_and_counted(parts):
    text = "".join(parts)
    fixed, count = repair_string(text)
    fixed.encode("utf-8")  # never raises
    lone = text.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace").count(REPLACEMENT)
    assert count == lone - text.count(REPLACEMENT)
    assert fixed.replace(REPLACEMENT, "") == "".join(c for c in fixed if c != REPLACEMENT)


def test_pairs_become_their_character_and_keys_are_repaired():
    assert repair_string("\ud83d\ude00") == ("\U0001f600", 0)
    value, count = repair_text({"k\ud800": ["v\udc00", 1, None, ("\ud800",)]})
    assert value == {"k\ufffd": ["v\ufffd", 1, None, ("\ufffd",)]} and count == 3


def test_a_repaired_visit_says_so():
    visit = {"page": {"url": "https://a.example/", "depth": 0, "title": "x\ud800"}, "links": []}
    fixed = repair_visit(visit)
    assert fixed["page"]["title"] == "x\ufffd"
    (note,) = fixed["page"]["collector_errors"]
    assert note["collector"] == "text" and "1 lone surrogate" in note["error"]
    assert repair_visit(fixed) == fixed  # nothing left to repair: no second note


@pytest.mark.browser
def test_scan_of_a_page_with_lone_surrogates_finishes(tmp_path):
    world = {
        "www.example.com": Site(
            {"/": Response.html(SURROGATE_PAGE), "/next": Response.html("<title>Next</title><p>ok</p>")}
        )
    }
    out = tmp_path / "out"
    with FakeInternet(world) as net:
        argv = ["scan", net.url("www.example.com", "/"), "--out", str(out), "--quiet", "--no-sitemap"]
        argv += ["--settle", "0.2", "--timeout", "10", "--ignore-https-errors", "--fail-on", "none"]
        argv += ["--format", "html,json,csv", "--max-pages", "3"]
        argv += [f"--browser-arg={a}" for a in net.chromium_args()]
        proc = run_cli(*argv)
    assert proc.returncode in (0, 1), proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert (out / "report.html").exists() and (out / "cookies.csv").exists()
    raw = (out / "scan.json").read_bytes()
    raw.decode("utf-8")  # strict: valid UTF-8
    data = json.loads(raw)
    start = data["pages"][0]
    assert start["title"] == "Shop \ufffd end"
    assert any(e["collector"] == "text" for e in start["collector_errors"])
    assert "key\ufffd" in {s["key"] for s in data["storage"]}
    assert any(c["name"].startswith("crumb") and "\ud800" not in c["name"] for c in data["cookies"])
    assert len(data["pages"]) == 2 and data["meta"]["interrupted"] is False
    (out / "pages.jsonl").read_bytes().decode("utf-8")
