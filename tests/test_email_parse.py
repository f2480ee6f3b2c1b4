"""scanner email's reader: MIME structure, transfer encodings, charsets (declared, wrong, unknown, missing),
.html files, mbox files, folders, and a one-line BadInput for what is not a message. Hypothesis: no input
makes the reader (or the analysis after it) raise anything but BadInput."""

from __future__ import annotations

import hashlib

import pytest
from email_messages import RECIPIENT, newsletter, simple
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.email.audit import run_audit
from scanner.email.charsets import decode_text
from scanner.email.detect import html_references
from scanner.email.links import AddressFinder, hops, identifiers
from scanner.email.message import Inputs, parse_message, read_messages
from scanner.errors import BadInput


def _one(raw: bytes, name: str = "m.eml"):
    return parse_message(raw, key=name, path=name)


def test_multipart_alternative_related_quoted_printable_and_inline_image():
    msg = _one(newsletter())
    assert msg.subject == "Café week – 20 % off"
    assert msg.sender_address == "news@shop-demo.com"
    assert msg.to == (RECIPIENT.lower(),)
    types = [(p.content_type, p.transfer_encoding) for p in msg.parts]
    assert types == [
        ("text/plain", "quoted-printable"),
        ("text/html", "quoted-printable"),
        ("image/png", "base64"),
    ]
    assert "Café week: 20 % off" in msg.text  # quoted-printable decoded
    assert "<h1>Café week: 20 % off</h1>" in msg.html
    logo = msg.parts[2]
    assert logo.content_id and logo.content_id.strip("<>").lower() in msg.content_ids
    assert logo.size > 60  # the PNG, base64-decoded
    assert msg.list_unsubscribe[0].startswith("https://shopdemo.us14.list-manage.com/unsubscribe?")
    assert msg.list_unsubscribe[1].startswith("mailto:unsubscribe-")
    assert msg.list_unsubscribe_post == "List-Unsubscribe=One-Click"
    assert msg.notes == ()


def test_base64_body_and_encoded_words():
    body = "<p>Grüße aus Köln</p>".encode()
    import base64

    raw = simple("", cte="base64", body=base64.encodebytes(body), Subject="=?utf-8?b?R3LDvMOfZQ==?=")
    msg = _one(raw)
    assert msg.subject == "Grüße"
    assert msg.html == "<p>Grüße aus Köln</p>"


@pytest.mark.parametrize(
    ("declared", "body", "text", "used", "note"),
    [
        ("iso-8859-1", "<p>Café</p>".encode("latin-1"), "<p>Café</p>", "windows-1252", None),
        # Windows-1252 quotes and euro sign in a part that says ISO-8859-1 (browsers read it as 1252 too)
        (
            "iso-8859-1",
            "<p>\u201cSale\u201d 5 \u20ac</p>".encode("cp1252"),
            "<p>\u201cSale\u201d 5 \u20ac</p>",
            "windows-1252",
            None,
        ),
        (
            "windows-1252",
            "<p>na\u00efve \u2013 caf\u00e9</p>".encode("cp1252"),
            "<p>naïve – café</p>",
            "windows-1252",
            None,
        ),
        # the declaration is wrong: UTF-8 bytes in a part that says ISO-8859-1, or US-ASCII
        ("iso-8859-1", "<p>Café</p>".encode(), "<p>Café</p>", "utf-8", "but the bytes are UTF-8"),
        ("us-ascii", "<p>Café</p>".encode(), "<p>Café</p>", "utf-8", "but the bytes are UTF-8"),
        # it says UTF-8 but is not
        ("utf-8", "<p>Café</p>".encode("cp1252"), "<p>Caf\ufffd</p>", "utf-8", "bytes invalid"),
        ("x-unknown-charset", "<p>Café</p>".encode(), "<p>Café</p>", "utf-8", "unknown charset"),
        (None, "<p>Café</p>".encode("cp1252"), "<p>Café</p>", "windows-1252", "not UTF-8"),
        ("koi8-r", "<p>Привет</p>".encode("koi8-r"), "<p>Привет</p>", "koi8-r", None),
    ],
)
def test_charsets(declared, body, text, used, note):
    got, got_used, got_note = decode_text(body, declared, html=True)
    assert (got, got_used) == (text, used)
    assert (got_note is None) if note is None else (note in got_note)


def test_quoted_printable_latin1_message_and_its_note():
    raw = simple("", charset="iso-8859-1", cte="quoted-printable", body=b"<p>Caf=E9 =93deals=94</p>")
    msg = _one(raw)
    assert msg.html == "<p>Café \u201cdeals\u201d</p>"
    raw = simple("", charset="iso-8859-1", body="<p>Café</p>".encode())
    assert any("declared iso-8859-1 but the bytes are UTF-8" in n for n in _one(raw).notes)


def test_html_file_taken_as_it_is(tmp_path):
    page = tmp_path / "newsletter.html"
    page.write_bytes(
        '<html><head><meta charset="windows-1252"></head><body><p>Café</p></body></html>'.encode("cp1252")
    )
    (msg,) = read_messages([page]).messages
    assert msg.kind == "html" and msg.to == () and "<p>Café</p>" in msg.html


def test_mbox_folder_and_skipped_files(tmp_path):
    folder = tmp_path / "inbox"
    (folder / "2026").mkdir(parents=True)
    (folder / "a.eml").write_bytes(newsletter(subject="First"))
    (folder / "2026" / "b.html").write_text(
        "<html><body><img src='https://x.shop-demo.com/p.gif'></body></html>"
    )
    second = newsletter(subject="Third").replace(b"\nFrom ", b"\n>From ")
    (folder / "box.mbox").write_bytes(
        b"From news@shop-demo.com Tue Dec  1 09:00:00 2026\n" + newsletter(subject="Second") + b"\n"
        b"From news@shop-demo.com Wed Dec  2 09:00:00 2026\n" + second + b"\n"
    )
    (folder / "notes.txt").write_text("not looked at: not a message suffix")
    (folder / "broken.eml").write_bytes(b"\x89PNG\r\n\x1a\n binary")
    inputs = read_messages([folder])
    assert isinstance(inputs, Inputs)
    keys = [m.key for m in inputs.messages]
    assert keys == ["inbox/2026/b.html", "inbox/a.eml", "inbox/box.mbox#1", "inbox/box.mbox#2"]
    assert [m.subject for m in inputs.messages] == [None, "First", "Second", "Third"]
    assert len(inputs.skipped) == 1 and "inbox/broken.eml: not an e-mail message" in inputs.skipped[0]


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"hello world, no headers here\n",
        b"\x89PNG\r\n\x1a\n\x00\x00",
        b"Subject-less: x\n\nbody",
        b"\xff\xfe\x00",
    ],
)
def test_not_a_message_is_one_line_bad_input(tmp_path, content):
    path = tmp_path / "x.eml"
    path.write_bytes(content)
    with pytest.raises(BadInput) as err:
        read_messages([path])
    assert "\n" not in str(err.value) and "x.eml" in str(err.value)


def test_html_file_without_html_and_missing_paths(tmp_path):
    (tmp_path / "empty.html").write_bytes(b"just text")
    with pytest.raises(BadInput, match="not an HTML message"):
        read_messages([tmp_path / "empty.html"])
    with pytest.raises(BadInput, match="no such file"):
        read_messages([tmp_path / "missing.eml"])
    (tmp_path / "empty").mkdir()
    with pytest.raises(BadInput, match="no e-mail message found"):
        read_messages([tmp_path / "empty"])


# ---- properties --------------------------------------------------------------------------------------

_PIECES = st.sampled_from(
    [
        b"From: a@b.com\r\n",
        b'To: =?utf-8?b?!!?= <@>, "x" <ann@example.org>\r\n',
        b"Subject: =?x-bogus?q?=FF=00?=\r\n",
        b"MIME-Version: 1.0\r\n",
        b"Content-Type: multipart/mixed; boundary=b\r\n",
        b'Content-Type: multipart/alternative; boundary="b"\r\n',
        b'Content-Type: text/html; charset="\xff"\r\n',
        b"Content-Type: text/html; charset=utf-7\r\n",
        b"Content-Type: message/rfc822\r\n",
        b"Content-Transfer-Encoding: base64\r\n",
        b"Content-Transfer-Encoding: quoted-printable\r\n",
        b"Content-ID: <x@y>\r\n",
        b"List-Unsubscribe: <https://u.example/?e=1>, <mailto:\r\n",
        b"\r\n",
        b"--b\r\n",
        b"--b--\r\n",
        b'<img src="https://t.example/o.gif?e=ann%40example.org" width=1 height=1>',
        b"<a href='https://www.google.com/url?q=https%3A%2F%2Fx'>",
        b"<!--[if mso]><v:image src='//v.example/i.png'/><![endif]-->",
        b"<style>@import url(",
        b"=E9=3D\r\n",
        b"PGltZyBzcmM9Imh0dHBzOi8veC9vIj4=\r\n",
    ]
)


@settings(max_examples=150, suppress_health_check=list(HealthCheck), deadline=None)
@given(st.lists(st.one_of(_PIECES, st.binary(max_size=30)), max_size=40))
def test_no_input_raises_anything_but_bad_input(tmp_path_factory, chunks):
    raw = b"".join(chunks)
    folder = tmp_path_factory.mktemp("fuzz")
    for name in ("m.eml", "m.html", "m.mbox"):
        path = folder / name
        path.write_bytes(raw)
        try:
            inputs = read_messages([path])
        except BadInput as err:
            assert "\n" not in str(err)
            continue
        audit = run_audit(inputs, recipients=["ann@example.org"])  # the analysis takes whatever was read
        assert len(audit.messages) == len(inputs.messages)


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_url_analysis_takes_any_text(text):
    chain = hops("https://t.example/r?u=" + text)
    identifiers(chain)
    AddressFinder(["ann@example.org", "x@" + text[:20]]).find(chain)
    html_references(f"<img src='{text}'><a href=\"{text}\">x</a><style>{text}</style>")


def test_hash_of_the_lowercased_address_is_matched_whatever_the_to_header_says():
    digest = hashlib.sha256(b"ann.reader@example.org").hexdigest().upper()  # some senders upper-case hex
    finder = AddressFinder(["Ann.Reader@Example.org"])
    (leak,) = finder.find(hops(f"https://t.example/p?x={digest}"))
    assert (leak.encoding, leak.where) == ("sha256", "query x")
