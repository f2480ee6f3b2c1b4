"""The Python side of the hidden hook channel: only reports with the page's nonce count, and few."""

from __future__ import annotations

import json

from scanner.collect.hooks import HookChannel, hook_script


def channel(**kw) -> tuple[HookChannel, list]:
    got: list = []
    return HookChannel(lambda kind, data: got.append((kind, data)), **kw), got


def call(ch: HookChannel, payload, name: str | None = None, context: int = 1) -> None:
    if not isinstance(payload, str):
        payload = json.dumps(payload)
    ch.on_binding_called({"name": name or ch.binding, "payload": payload, "executionContextId": context})


def test_names_and_nonces_are_random_per_page():
    a, _ = channel()
    b, _ = channel()
    assert a.binding != b.binding and a.nonce != b.nonce
    assert a.binding.isidentifier() and len(a.nonce) >= 32
    script = a.script()
    assert json.dumps(a.binding) in script and json.dumps(a.nonce) in script
    assert "__BINDING__" not in script and "__NONCE__" not in script and "__LIMIT__" not in script
    assert "__scanner" not in hook_script("x", "y")


def test_only_reports_with_the_nonce_are_delivered():
    ch, got = channel()
    good = {"n": ch.nonce, "k": "cookie", "d": {"value": "a=1", "script": None, "url": "https://x/"}}
    call(ch, good)
    assert got == [("cookie", good["d"])]
    for forged in (
        {**good, "n": "0" * 32},
        {"k": "cookie", "d": good["d"]},
        {**good, "k": "unknown"},
        {**good, "d": "not a dict"},
        ["cookie", good["d"]],
        "not json",
        json.dumps(good) + " " * 70_000,  # too big
    ):
        call(ch, forged)
    call(ch, good, name="some_other_binding")  # another binding of the session: not ours, not counted
    assert len(got) == 1 and ch.rejected == 7
    assert ch.losses() == ["7 in-page reports rejected (no valid nonce)"]


def test_reports_are_capped_per_page_and_drops_counted():
    ch, got = channel(page_limit=3, document_limit=2)
    report = {"n": ch.nonce, "k": "beacon", "d": {"url": "https://t/b", "script": None}}
    for context in (1, 2):
        for _ in range(2):
            call(ch, report, context=context)
    assert len(got) == 3 and ch.dropped_here == 1
    # Each document counts what it dropped itself; the latest count of a document wins.
    call(ch, {"n": ch.nonce, "k": "dropped", "d": {"count": 10}}, context=1)
    call(ch, {"n": ch.nonce, "k": "dropped", "d": {"count": 25}}, context=1)
    call(ch, {"n": ch.nonce, "k": "dropped", "d": {"count": 5}}, context=2)
    call(ch, {"n": "x", "k": "dropped", "d": {"count": 10**9}}, context=3)  # forged: rejected
    assert ch.dropped == 1 + 25 + 5 and len(got) == 3
    assert ch.losses()[0].startswith("31 in-page reports")


def test_a_document_at_its_limit_without_a_count_is_noted():
    """A document that keeps its page busy never gets to send its count of dropped reports: that it
    reached its limit is still said."""
    ch, got = channel(page_limit=100, document_limit=3)
    report = {"n": ch.nonce, "k": "cookie", "d": {"name": "a", "script": None}}
    for _ in range(3):
        call(ch, report, context=7)  # at its limit, then silent
    call(ch, report, context=8)  # below its limit: nothing to say
    assert len(got) == 4 and ch.dropped == 0
    assert ch.losses() == [
        "1 document(s) reached the limit of 3 in-page reports; any they sent after it were dropped, uncounted"
    ]
    call(ch, {"n": ch.nonce, "k": "dropped", "d": {"count": 9}}, context=7)  # its count came after all
    assert ch.losses() == [
        "9 in-page reports (document.cookie, sendBeacon, image) dropped: over the limit of 3 per document "
        "/ 100 per page"
    ]
