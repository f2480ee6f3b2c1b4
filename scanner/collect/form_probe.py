"""``--probe-forms``: type random canary values into a page's visible text, e-mail and search fields, never
submit, and let ``scanner.collect.payloads`` find where they went (the "automatic advanced matching"
pattern: a pixel reads what the visitor types, hashes it and sends it before any form is submitted).

The canaries (``Canaries``) are made once per scan, random each scan (a site cannot recognise a fixed
sentinel), and already in the form trackers normalise to (lower case, no spaces): an e-mail address
``<random>@<random>.example`` (the reserved ``.example`` domain: no mail can ever be sent to it), a text
value, a search term and, for telephone fields, a number. The same object goes to the payload collector.

At the end of a visit (before the other collectors read the page: ``finish_first``) the probe lists the
``input`` and ``textarea`` elements of every frame of the page in an *isolated world* of its own
(DevTools ``Page.createIsolatedWorld``: the page's JavaScript cannot see or patch what runs there), and
for each visible, enabled, writable text / e-mail / search / telephone / untyped input or textarea, up
to ``max_fields`` and within ``budget_s``: focuses it (DevTools ``DOM.focus``), types the canary with
real key events (``page.keyboard.type``: keydown, keypress, input, keyup per character), checks in the
isolated world that the field holds it (the page's own ``value`` getters are not used), and blurs it
(``blur`` and ``change`` fire). It never presses Enter or Space (the canaries hold only letters, digits,
``@`` and ``.``: nothing that submits a form or activates a button, whatever holds the focus), never
clicks and never submits; it stops when the page navigates away. Skipped: password and one-time-code
fields, payment-card fields (``autocomplete="cc-*"``; names, ids, labels or placeholders like card,
cvv, cvc, iban, expiry), hidden, invisible, disabled and read-only fields, and other input types.
It then waits ``wait_s`` (within the budget) for the traffic the typing provokes.

What it did is saved on the page record, ``form_probe``: ``{"fields": typed, "skipped": {reason: n},
"frames": n}``; the canary values never leave memory.
"""

from __future__ import annotations

import asyncio
import re
import secrets
import string
import time
from dataclasses import dataclass, field
from typing import Any

from scanner.collect.base import Collector, Visit

KINDS: tuple[str, ...] = ("email", "text", "search", "tel")
MAX_ELEMENTS = 200  # input / textarea elements listed per frame
MAX_FRAMES = 20  # frames probed per page
LABEL_LIMIT = 100

PASSWORD = re.compile(r"(?i)pass(word|wort|wd)?\b|passwd|\bpwd|\botp\b|one.?time|\bpin\b|secret")
CARD = re.compile(
    r"(?i)card|\bcc.?(num|number|name|exp|csc|cvv|type)\b|cvv|cvc|\bcsc\b|security.?code|iban|\bbic\b|swift|"
    r"expir|exp.?(date|month|year)|\bmm.?yy|kreditkarte|tarjeta|carte|sort.?code|routing|account.?n(o|um)"
)
EMAIL = re.compile(r"(?i)e-?mail|courriel|correo")
SEARCH = re.compile(r"(?i)search|suche|recherche|buscar|^q$|^s$|^query$|^keywords?$|^term$")
TEL = re.compile(r"(?i)phone|\btel\b|telephone|mobile|handy|telefon")
TYPED_INPUTS = frozenset({"text", "email", "search", "tel", ""})


def _random(alphabet: str, n: int) -> str:
    return "".join(secrets.choice(alphabet) for _ in range(n))


@dataclass
class Canaries:
    """One scan's canary values, made once per scan: ``values`` maps a slot (``email``, ``text``,
    ``search``, ``tel`` for the first field of that kind on a page, ``email#2`` for its second...) to
    its value, so a value found tells which field it was typed into; ``first_field`` keeps the first
    field (input type, label) each slot was typed into in the scan, for a value that leaks on a later
    page."""

    values: dict[str, str]
    first_field: dict[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def new(cls) -> Canaries:
        return cls({kind: _canary(kind) for kind in KINDS})

    def slot(self, kind: str, n: int) -> str:
        """The slot of the ``n``-th field (from 0) of ``kind`` on a page; its value is made on first use."""
        key = kind if n == 0 else f"{kind}#{n + 1}"
        if key not in self.values:
            self.values[key] = _canary(kind)
        return key


def _canary(kind: str) -> str:
    lower, digits = string.ascii_lowercase, string.digits
    if kind == "email":
        local = _random(lower, 1) + _random(lower + digits, 5 + secrets.randbelow(5))
        return f"{local}@{_random(lower, 6 + secrets.randbelow(5))}.example"
    if kind == "tel":
        return _random("6789", 1) + _random(digits, 10)
    return _random(lower, 2) + _random(lower + digits, 8 + secrets.randbelow(4))


def _label(field: dict) -> str:
    for key in ("name", "id", "aria_label", "label", "placeholder"):
        text = " ".join(str(field.get(key) or "").split())
        if text:
            return text[:LABEL_LIMIT]
    return ""


def classify_field(field: dict) -> tuple[str | None, str | None, str]:
    """(canary kind to type, or None; skip reason, or None; the input's type) of a field as listed by
    ``FIELDS_JS``. Pure: the safety rules in one place."""
    tag = field.get("tag")
    kind_attr = str(field.get("type") or "").lower()
    input_type = "textarea" if tag == "textarea" else (kind_attr or "text")
    autocomplete = str(field.get("autocomplete") or "").lower()
    words = [str(field.get(k) or "").strip() for k in ("name", "id", "label", "placeholder", "aria_label")]

    def named(rx: re.Pattern) -> bool:
        return any(rx.search(w) for w in words if w)

    if input_type == "password" or re.search(r"password|one-time-code", autocomplete) or named(PASSWORD):
        return None, "password", input_type
    if autocomplete.startswith("cc-") or " cc-" in autocomplete or named(CARD):
        return None, "card", input_type
    if input_type == "hidden":
        return None, "hidden", input_type
    if tag != "textarea" and kind_attr not in TYPED_INPUTS:
        return None, "other_type", input_type
    if not field.get("visible"):
        return None, "invisible", input_type
    if field.get("disabled"):
        return None, "disabled", input_type
    if field.get("readonly"):
        return None, "readonly", input_type
    if kind_attr == "email" or "email" in autocomplete or named(EMAIL):
        return "email", None, input_type
    if kind_attr == "tel" or autocomplete.startswith("tel") or named(TEL):
        return "tel", None, input_type
    if kind_attr == "search" or field.get("role") in ("searchbox", "search") or named(SEARCH):
        return "search", None, input_type
    return "text", None, input_type


# Runs in the probe's isolated world: the page's scripts cannot change what these built-ins do here.
FIELDS_JS = """(() => {
  const out = [];
  const els = document.querySelectorAll("input, textarea");
  for (let i = 0; i < els.length && out.length < __MAX__; i++) {
    const el = els[i];
    const style = getComputedStyle(el);
    const rect = el.getBoundingClientRect();
    let label = "";
    try { if (el.labels && el.labels.length) label = el.labels[0].textContent || ""; } catch (e) {}
    out.push({
      index: i,
      tag: el.localName,
      type: el.localName === "input" ? (el.getAttribute("type") || "") : "",
      name: el.getAttribute("name") || "",
      id: el.id || "",
      autocomplete: el.getAttribute("autocomplete") || "",
      aria_label: el.getAttribute("aria-label") || "",
      role: el.getAttribute("role") || "",
      placeholder: el.getAttribute("placeholder") || "",
      label: label.slice(0, 200),
      visible: rect.width > 0 && rect.height > 0 && style.visibility !== "hidden" &&
               style.display !== "none" && parseFloat(style.opacity || "1") > 0.05,
      disabled: el.disabled || !!el.closest("fieldset[disabled]"),
      readonly: el.readOnly,
    });
  }
  return out;
})()""".replace("__MAX__", str(MAX_ELEMENTS))

ELEMENT_JS = 'document.querySelectorAll("input, textarea")[%d]'
STILL_TYPABLE = """function () {
  const type = (this.getAttribute("type") || "").toLowerCase();
  return this.isConnected && !this.disabled && !this.readOnly && type !== "password" && type !== "hidden";
}"""
IS_FOCUSED = "function () { return this.ownerDocument.activeElement === this; }"
HOLDS = "function (v) { return typeof this.value === 'string' && this.value.includes(v); }"
BLUR = "function () { this.blur(); }"


class FormProbe(Collector):
    """See the module docstring. ``enabled`` is ``ScanOptions.probe_forms``: off, it does nothing."""

    name = "form_probe"
    finish_first = True  # it acts on the page: the other collectors read what the typing caused
    finish_stage = 1  # after the consent driver answered the banner (stage 0)

    def __init__(
        self,
        canaries: Canaries,
        *,
        enabled: bool = True,
        max_fields: int = 12,
        budget_s: float = 8.0,
        wait_s: float = 1.5,
        key_delay_ms: float = 15,
    ) -> None:
        self.canaries = canaries
        self.enabled = enabled
        self.max_fields = max_fields
        self.budget_s = budget_s
        self.wait_s = wait_s
        self.key_delay_ms = key_delay_ms

    async def finish(self, visit: Visit) -> None:
        if not self.enabled:
            return
        report: dict[str, Any] = {"fields": 0, "skipped": {}, "frames": 0}
        record = visit.state.get("record")
        if isinstance(record, dict):
            record["form_probe"] = report
        if visit.cdp is None:
            report["skipped"]["no_devtools"] = 1
            return
        if visit.state.get("stalled") or visit.state.get("crashed"):
            return
        deadline = time.monotonic() + self.budget_s
        try:
            await self._probe(visit, report, deadline)
        finally:
            if report["fields"]:
                await asyncio.sleep(max(0.0, min(self.wait_s, deadline - time.monotonic())))

    async def _probe(self, visit: Visit, report: dict, deadline: float) -> None:
        cdp, page = visit.cdp, visit.page
        start_url = page.url
        skipped: dict[str, int] = report["skipped"]
        typed: dict[str, tuple[str, str]] = visit.state.setdefault("form_probe.typed", {})
        tree = await cdp.send("Page.getFrameTree")
        frames, stack = [], [tree.get("frameTree") or {}]
        while stack and len(frames) < MAX_FRAMES:
            node = stack.pop(0)
            frames.append((node.get("frame") or {}).get("id"))
            stack.extend(node.get("childFrames") or [])
        world = "w" + secrets.token_hex(8)
        for frame_id in frames:
            if time.monotonic() >= deadline:
                skipped["time"] = skipped.get("time", 0) + 1
                return
            try:
                created = await cdp.send(
                    "Page.createIsolatedWorld", {"frameId": frame_id, "worldName": world}
                )
                context = created["executionContextId"]
                listed = await cdp.send(
                    "Runtime.evaluate", {"expression": FIELDS_JS, "contextId": context, "returnByValue": True}
                )
            except Exception:  # noqa: BLE001 - a frame gone meanwhile: nothing to type there
                continue
            fields = (listed.get("result") or {}).get("value")
            if not isinstance(fields, list):
                continue
            report["frames"] += 1
            for entry in fields:
                if not isinstance(entry, dict):
                    continue
                kind, reason, input_type = classify_field(entry)
                if kind is None:
                    skipped[reason or "other_type"] = skipped.get(reason or "other_type", 0) + 1
                    continue
                if report["fields"] >= self.max_fields:
                    skipped["limit"] = skipped.get("limit", 0) + 1
                    continue
                if time.monotonic() >= deadline:
                    skipped["time"] = skipped.get("time", 0) + 1
                    continue
                slot = self.canaries.slot(kind, sum(1 for k in typed if k.split("#")[0] == kind))
                ok = await self._type(visit, context, int(entry.get("index", -1)), self.canaries.values[slot])
                if page.url != start_url:
                    skipped["navigated"] = skipped.get("navigated", 0) + 1
                    return
                if not ok:
                    skipped["not_typed"] = skipped.get("not_typed", 0) + 1
                    continue
                report["fields"] += 1
                label = _label(entry)
                typed[slot] = (input_type, label)
                self.canaries.first_field.setdefault(slot, (input_type, label))

    async def _type(self, visit: Visit, context: int, index: int, value: str) -> bool:
        """Focus element ``index`` of the frame of ``context``, type ``value``, check it, blur it."""
        cdp = visit.cdp
        try:
            found = await cdp.send(
                "Runtime.evaluate", {"expression": ELEMENT_JS % index, "contextId": context}
            )
            object_id = (found.get("result") or {}).get("objectId")
            if not object_id or not await self._call(cdp, object_id, STILL_TYPABLE):
                return False
            await cdp.send("DOM.focus", {"objectId": object_id})
            if not await self._call(cdp, object_id, IS_FOCUSED):
                return False
            await visit.page.keyboard.type(value, delay=self.key_delay_ms)
            holds = await self._call(cdp, object_id, HOLDS, value)
            await self._call(cdp, object_id, BLUR)
            return bool(holds)
        except Exception:  # noqa: BLE001 - the element or its frame went away: not typed
            return False

    @staticmethod
    async def _call(cdp: Any, object_id: str, function: str, *args: str) -> Any:
        answer = await cdp.send(
            "Runtime.callFunctionOn",
            {
                "objectId": object_id,
                "functionDeclaration": function,
                "arguments": [{"value": a} for a in args],
                "returnByValue": True,
            },
        )
        return (answer.get("result") or {}).get("value")
