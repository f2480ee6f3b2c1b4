"""Reading e-mail messages: .eml files (RFC 5322 / MIME), mbox files, .html files, folders of them.

Parsed with the standard library (``email`` with ``policy.default``): multipart/alternative, /related and
/mixed, quoted-printable and base64 bodies, RFC 2047 encoded headers. Text parts are decoded by
``scanner.email.charsets`` (unknown or wrong declared charsets are noted, never fatal). Nothing is fetched
and nothing of the message runs: this is text processing only.

A file named on the command line that is not a message (no header block with a header a message has, no
HTML in an .html file) is ``BadInput`` (exit 2) with one line naming it; inside a folder such a file is
skipped and noted. Limits: :data:`MAX_FILE_BYTES` per file, :data:`MAX_PARTS` MIME parts and
:data:`MAX_DEPTH` levels of nesting per message, :data:`MAX_TEXT_CHARS` of HTML or text per message,
:data:`MAX_MESSAGES` messages per run; what a limit cut is noted on the message.
"""

from __future__ import annotations

import email
import email.policy
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from email.message import Message as StdMessage
from pathlib import Path

from scanner.email.charsets import decode_text, sniff_decode
from scanner.errors import BadInput
from scanner.textfile import MB, read_limited

MAX_FILE_BYTES = 64 * MB  # one .eml / .html / .mbox file
MAX_PARTS = 500  # MIME parts looked at per message
MAX_DEPTH = 20  # multipart / message/rfc822 nesting
MAX_TEXT_CHARS = 5_000_000  # HTML (and plain text) per message
MAX_MESSAGES = 5000  # per run
MAX_HEADER_CHARS = 2000  # a header value as kept

MESSAGE_SUFFIXES = (".eml", ".mbox")
HTML_SUFFIXES = (".html", ".htm")
# Headers of which a message has at least one; a file without any is not a message.
MESSAGE_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "mime-version",
        "content-type",
        "received",
        "return-path",
        "delivered-to",
        "reply-to",
        "list-unsubscribe",
    }
)
_HEADER_LINE = re.compile(rb"^[!-9;-~]{1,100}:")
_MBOX_FROM = re.compile(rb"^From \S")
_ADDRESS = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})+")
_HTMLISH = re.compile(r"<\s*(?:html|body|head|table|div|p|img|a|span|td|meta|!doctype|center|font)\b", re.I)
_LIST_URI = re.compile(r"<([^<>]{1,2000})>")


@dataclass(frozen=True)
class Part:
    """One MIME leaf of a message, as parsed (no content kept here)."""

    content_type: str
    size: int  # decoded bytes
    charset: str | None = None  # as declared
    decoded_as: str | None = None  # the charset used (text parts)
    transfer_encoding: str | None = None
    disposition: str | None = None  # inline | attachment | None
    content_id: str | None = None
    filename: str | None = None
    note: str | None = None  # a charset fix or a decoding problem


@dataclass(frozen=True)
class Message:
    """A parsed message: the headers the audit needs, its HTML and plain text, its MIME parts."""

    key: str  # how reports name it: the file name, "box.mbox#3", "folder/news.eml"
    path: str  # the file as given
    kind: str  # eml | html
    index: int | None = None  # position in an mbox file (1-based)
    subject: str | None = None
    sender: str | None = None  # the From header as written
    sender_address: str | None = None
    to: tuple[str, ...] = ()  # addresses of To and Cc
    delivered_to: tuple[str, ...] = ()  # Delivered-To and X-Original-To
    date: str | None = None
    message_id: str | None = None
    list_unsubscribe: tuple[str, ...] = ()  # the URIs of List-Unsubscribe, in order
    list_unsubscribe_post: str | None = None
    list_id: str | None = None
    mailer: str | None = None  # X-Mailer
    html: str | None = None
    text: str | None = None
    parts: tuple[Part, ...] = ()
    content_ids: frozenset[str] = frozenset()  # Content-IDs of its parts: cid: references are inline
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Inputs:
    """What the given paths held: the messages, and what was skipped (with why)."""

    messages: tuple[Message, ...]
    skipped: tuple[str, ...] = ()


# ---- headers --------------------------------------------------------------------------------------------


def _clean(value: str | None, limit: int = MAX_HEADER_CHARS) -> str | None:
    if value is None:
        return None
    text = " ".join(str(value).replace("\x00", "\ufffd").split())
    return text[:limit] if text else None


def _header(msg: StdMessage, name: str) -> str | None:
    """A header as text; a header the parser cannot make sense of is given as its raw value."""
    try:
        value = msg.get(name)
        return _clean(None if value is None else str(value))
    except Exception:  # noqa: BLE001 - email's header parser raises on some malformed values
        for key, raw in _raw_items(msg):
            if key.lower() == name.lower():
                return _clean(raw)
        return None


def _raw_items(msg: StdMessage) -> list[tuple[str, str]]:
    try:
        return [(str(k), str(v)) for k, v in msg.raw_items()]
    except Exception:  # noqa: BLE001
        return []


def _all_headers(msg: StdMessage, name: str) -> list[str]:
    out = []
    for key, raw in _raw_items(msg):
        if key.lower() == name.lower():
            text = _clean(raw)
            if text:
                out.append(text)
    return out


def _addresses(msg: StdMessage, *names: str) -> tuple[str, ...]:
    found: dict[str, None] = {}
    for name in names:
        for raw in _all_headers(msg, name):
            for addr in _ADDRESS.findall(raw):
                found.setdefault(addr.strip(".").lower(), None)
    return tuple(found)[:50]


def list_unsubscribe_uris(value: str | None) -> tuple[str, ...]:
    """The URIs of a List-Unsubscribe header (RFC 2369: ``<uri>, <uri>``), in order."""
    if not value:
        return ()
    return tuple(u.strip() for u in _LIST_URI.findall(value) if u.strip())[:20]


# ---- telling what a file is ------------------------------------------------------------------------------


def looks_like_message(raw: bytes) -> bool:
    """True when the bytes start with a header block (or an mbox ``From`` line) naming a message header."""
    head = raw.lstrip(b"\r\n\t ")[:65536]
    if not head:
        return False
    first = head.split(b"\n", 1)[0]
    if not (_HEADER_LINE.match(first) or _MBOX_FROM.match(first)):
        return False
    block = re.split(rb"\r?\n\r?\n", head, maxsplit=1)[0]
    names = {
        line.split(b":", 1)[0].strip().lower().decode("ascii", "replace")
        for line in block.splitlines()
        if _HEADER_LINE.match(line)
    }
    return bool(names & MESSAGE_HEADERS)


def looks_like_html(text: str) -> bool:
    return bool(_HTMLISH.search(text[:200_000]))


def split_mbox(raw: bytes) -> list[bytes]:
    """The messages of an mbox file: each starts at a ``From `` line at the start of a line (mboxrd
    ``>From `` quoting is undone)."""
    chunks: list[bytes] = []
    current: list[bytes] = []
    for line in raw.splitlines(keepends=True):
        if _MBOX_FROM.match(line) and (not current or current[-1].strip() == b""):
            if current:
                chunks.append(b"".join(current))
            current = []
            continue
        if line.startswith(b">") and line.lstrip(b">").startswith(b"From "):
            line = line[1:]
        current.append(line)
    if current:
        chunks.append(b"".join(current))
    return [c for c in chunks if c.strip()]


# ---- parsing ------------------------------------------------------------------------------------------


def _leaves(root: StdMessage, notes: list[str]) -> Iterable[tuple[StdMessage, int]]:
    """Leaf parts, depth first, iteratively (no recursion on a deeply nested message), within the limits."""
    stack: list[tuple[StdMessage, int]] = [(root, 0)]
    seen = 0
    while stack:
        part, depth = stack.pop()
        seen += 1
        if seen > MAX_PARTS:
            notes.append(f"more than {MAX_PARTS} MIME parts: the rest were not read")
            return
        try:
            multipart = part.is_multipart()
            children = part.get_payload() if multipart else None
        except Exception:  # noqa: BLE001
            continue
        if multipart and isinstance(children, list):
            if depth >= MAX_DEPTH:
                notes.append(f"MIME parts nested more than {MAX_DEPTH} deep were not read")
                continue
            stack.extend((c, depth + 1) for c in reversed(children) if isinstance(c, StdMessage))
        else:
            yield part, depth


def _param(part: StdMessage, name: str, header: str = "content-type") -> str | None:
    try:
        value = part.get_param(name, header=header)
    except Exception:  # noqa: BLE001
        return None
    if isinstance(value, tuple):  # RFC 2231 (charset, language, value)
        value = value[2]
    return _clean(str(value), 200) if value is not None else None


def _content_type(part: StdMessage) -> str:
    try:
        return part.get_content_type()
    except Exception:  # noqa: BLE001
        return "text/plain"


def _payload(part: StdMessage) -> bytes:
    try:
        data = part.get_payload(decode=True)
    except Exception:  # noqa: BLE001 - a broken base64 / QP body
        data = None
    if isinstance(data, bytes):
        return data
    try:
        raw = part.get_payload()
    except Exception:  # noqa: BLE001
        return b""
    return raw.encode("utf-8", "surrogateescape") if isinstance(raw, str) else b""


def _disposition(part: StdMessage) -> str | None:
    try:
        return part.get_content_disposition()
    except Exception:  # noqa: BLE001
        return None


def parse_message(raw: bytes, *, key: str, path: str, index: int | None = None) -> Message:
    """A parsed message; BadInput when the bytes are not a message (see :func:`looks_like_message`)."""
    if not looks_like_message(raw):
        raise BadInput(f"{key}: not an e-mail message (no header block with From, To, Subject, ...)")
    if _MBOX_FROM.match(raw.lstrip(b"\r\n\t ")):
        raw = raw.lstrip(b"\r\n\t ").split(b"\n", 1)[-1]
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    notes: list[str] = []
    parts: list[Part] = []
    html_chunks: list[str] = []
    text_chunks: list[str] = []
    content_ids: set[str] = set()
    for part, _depth in _leaves(msg, notes):
        ctype = _content_type(part)
        disposition = _disposition(part)
        cid = _clean(_header(part, "content-id"), 300)
        if cid:
            content_ids.add(cid.strip("<>").strip().lower())
        filename = None
        try:
            filename = _clean(part.get_filename(), 300)
        except Exception:  # noqa: BLE001
            pass
        data = _payload(part)
        charset = _param(part, "charset")
        decoded_as = note = None
        body = ctype in ("text/html", "text/plain") and disposition != "attachment"
        if body:
            text, decoded_as, note = decode_text(data, charset, html=ctype == "text/html")
            (html_chunks if ctype == "text/html" else text_chunks).append(text)
            if note:
                notes.append(f"{ctype} part: {note}")
        parts.append(
            Part(
                content_type=ctype,
                size=len(data),
                charset=charset,
                decoded_as=decoded_as,
                transfer_encoding=_clean(_header(part, "content-transfer-encoding"), 40),
                disposition=disposition,
                content_id=cid,
                filename=filename,
                note=note,
            )
        )
    html = _bounded("\n".join(html_chunks), "HTML", notes) if html_chunks else None
    text = _bounded("\n".join(text_chunks), "plain text", notes) if text_chunks else None
    defects = _defects(msg)
    if defects:
        notes.append("MIME defects: " + ", ".join(defects))
    sender = _header(msg, "from")
    sender_addresses = _ADDRESS.findall(sender or "")
    return Message(
        key=key,
        path=path,
        kind="eml",
        index=index,
        subject=_header(msg, "subject"),
        sender=sender,
        sender_address=sender_addresses[0].lower() if sender_addresses else None,
        to=_addresses(msg, "to", "cc"),
        delivered_to=_addresses(msg, "delivered-to", "x-original-to"),
        date=_header(msg, "date"),
        message_id=_header(msg, "message-id"),
        list_unsubscribe=list_unsubscribe_uris(_header(msg, "list-unsubscribe")),
        list_unsubscribe_post=_header(msg, "list-unsubscribe-post"),
        list_id=_header(msg, "list-id"),
        mailer=_header(msg, "x-mailer"),
        html=html,
        text=text,
        parts=tuple(parts),
        content_ids=frozenset(content_ids),
        notes=tuple(dict.fromkeys(notes)),
    )


def _defects(msg: StdMessage) -> list[str]:
    names: dict[str, None] = {}
    try:
        for part in [msg, *list(msg.walk())[:MAX_PARTS]]:
            for d in getattr(part, "defects", ()):
                names.setdefault(type(d).__name__, None)
    except Exception:  # noqa: BLE001 - RecursionError on absurd nesting, ...
        pass
    return list(names)[:10]


def _bounded(text: str, what: str, notes: list[str]) -> str:
    if len(text) > MAX_TEXT_CHARS:
        notes.append(f"{what} longer than {MAX_TEXT_CHARS:,} characters: the rest was not read")
        return text[:MAX_TEXT_CHARS]
    return text


def parse_html_file(raw: bytes, *, key: str, path: str) -> Message:
    """An .html file taken as a message body as it is (no headers: the recipient comes from --recipient)."""
    text, used, note = sniff_decode(raw, html=True)
    if not looks_like_html(text):
        raise BadInput(f"{key}: not an HTML message (no HTML element in it)")
    notes = [f"HTML file: {note}"] if note else []
    return Message(
        key=key,
        path=path,
        kind="html",
        html=_bounded(text, "HTML", notes),
        parts=(Part(content_type="text/html", size=len(raw), decoded_as=used, note=note),),
        notes=tuple(notes),
    )


# ---- files and folders ------------------------------------------------------------------------------


def _read_file(path: Path, key: str) -> list[Message]:
    raw = read_limited(path, key, MAX_FILE_BYTES)
    suffix = path.name.lower()
    if suffix.endswith(HTML_SUFFIXES):
        return [parse_html_file(raw, key=key, path=str(path))]
    if suffix.endswith(".mbox") or (_MBOX_FROM.match(raw[:200]) and raw.count(b"\nFrom ") > 0):
        chunks = split_mbox(raw)
        if not chunks:
            raise BadInput(f"{key}: an empty mailbox")
        out = []
        for i, chunk in enumerate(chunks[:MAX_MESSAGES], start=1):
            try:
                out.append(parse_message(chunk, key=f"{key}#{i}", path=str(path), index=i))
            except BadInput:
                continue
        if not out:
            raise BadInput(f"{key}: no e-mail message in the mailbox")
        return out
    if looks_like_message(raw):
        return [parse_message(raw, key=key, path=str(path))]
    text, _, _ = sniff_decode(raw[:200_000], html=True)
    if looks_like_html(text):
        return [parse_html_file(raw, key=key, path=str(path))]
    raise BadInput(f"{key}: not an e-mail message (.eml, mbox) or an HTML file")


def _folder_files(folder: Path) -> list[Path]:
    """The message files of a folder and its subfolders (symbolic links to folders are not followed), sorted;
    at most twice :data:`MAX_MESSAGES`."""
    files = []
    for root, dirs, names in os.walk(folder):
        dirs.sort()
        for name in names:
            path = Path(root) / name
            if name.lower().endswith((*MESSAGE_SUFFIXES, *HTML_SUFFIXES)) and path.is_file():
                files.append(path)
        if len(files) > 2 * MAX_MESSAGES:
            break
    return sorted(files)[: 2 * MAX_MESSAGES]


def read_messages(paths: Sequence[str | Path]) -> Inputs:
    """Every message of the given files and folders (folders: their .eml, .mbox, .html and .htm files,
    recursively). A named file that is not a message is BadInput; in a folder it is skipped and noted."""
    if not paths:
        raise BadInput("no message given: name .eml, .mbox or .html files, or folders of them")
    messages: list[Message] = []
    skipped: list[str] = []
    for given in paths:
        path = Path(given)
        if path.is_dir():
            files = _folder_files(path)
            if not files:
                skipped.append(f"{given}: no .eml, .mbox or .html file in the folder")
            for f in files:
                key = str(f.relative_to(path.parent)) if path.parent != path else f.name
                try:
                    messages.extend(_read_file(f, key))
                except BadInput as err:
                    skipped.append(str(err))
        elif path.exists():
            messages.extend(_read_file(path, str(given)))
        else:
            raise BadInput(f"{given}: no such file or folder")
        if len(messages) > MAX_MESSAGES:
            skipped.append(f"more than {MAX_MESSAGES} messages: the rest were not read")
            messages = messages[:MAX_MESSAGES]
            break
    if not messages:
        why = f" ({skipped[0]})" if skipped else ""
        raise BadInput(f"no e-mail message found in {', '.join(str(p) for p in paths)}{why}")
    return Inputs(messages=tuple(_unique_keys(messages)), skipped=tuple(skipped))


def _unique_keys(messages: list[Message]) -> list[Message]:
    from dataclasses import replace

    seen: dict[str, int] = {}
    out = []
    for m in messages:
        n = seen.get(m.key, 0)
        seen[m.key] = n + 1
        out.append(m if n == 0 else replace(m, key=f"{m.key} ({n + 1})"))
    return out
