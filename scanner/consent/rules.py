"""The vendored ``@duckduckgo/autoconsent`` (``vendor/autoconsent``, MPL-2.0): its content script, its full
rule set filtered per frame, and its version.

The rules are read once per process and never modified: filtering only picks which rules one frame gets,
by the rule's ``runContext`` as autoconsent itself decides (``main``/``frame`` default to true/false; a
``urlPattern`` is a regular expression searched in the frame's URL). A pattern Python cannot read is kept
for the frame: autoconsent checks it again in the page anyway.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from importlib import resources
from typing import Any

VENDOR = ("vendor", "autoconsent")
BUNDLE = "autoconsent.playwright.js"
RULES = "rules.json"
VENDORED = (BUNDLE, RULES, "LICENSE")

# Where the class-based CMPs (autoconsent's lib/cmps, no JSON rule) show their banner: the scanner reads
# the banner's text and buttons from there. JSON rules name theirs in their ``detectPopup`` steps.
KNOWN_CONTAINERS: dict[str, tuple[str, ...]] = {
    "Onetrust": ("#onetrust-banner-sdk", "#onetrust-pc-sdk"),
    "Cybotcookiebot": ("#CybotCookiebotDialog",),
    "consentmanager.net": ("#cmpbox",),
    "Conversant": (".cmp-root .cmp-receptacle",),
    "Evidon": ("#_evidon_banner",),
    "Klaro": (".klaro > .cookie-notice", ".klaro > .cookie-modal"),
    "TrustArc-top": ("#truste-consent-track", "#truste-consent-content", "#trustarc-banner-overlay"),
    "Uniconsent": (".unic .unic-box", ".unic .unic-bar", ".unic .unic-modal"),
    "tumblr-com": ("#cmp-app-container",),
}
SELECTOR_STEPS = ("visible", "exists", "waitForVisible", "waitFor")


def _vendored(name: str) -> Any:
    return resources.files("scanner.consent").joinpath(*VENDOR, name)


@functools.cache
def bundle() -> str:
    """The content script, as shipped (``dist/autoconsent.playwright.js``)."""
    return _vendored(BUNDLE).read_text(encoding="utf-8")


@functools.cache
def all_rules() -> tuple[dict, ...]:
    """Every rule of the full rule set (``rules/rules.json``), in its order."""
    data = json.loads(_vendored(RULES).read_text(encoding="utf-8"))
    return tuple(rule for rule in data.get("autoconsent", ()) if isinstance(rule, dict))


@functools.cache
def source_note() -> str:
    return _vendored("SOURCE.md").read_text(encoding="utf-8")


@functools.cache
def version() -> str:
    """The vendored autoconsent version (from SOURCE.md, written by tools/update_autoconsent.py)."""
    found = re.search(r"^- Version: (\S+)$", source_note(), re.MULTILINE)
    if found is None:
        raise RuntimeError("vendor/autoconsent/SOURCE.md names no version")
    return found.group(1)


def recorded_hashes() -> dict[str, str]:
    """File name -> sha256 as SOURCE.md records them."""
    return dict(re.findall(r"^\| `([^`]+)` \| `([0-9a-f]{64})` \|$", source_note(), re.MULTILINE))


@functools.cache
def _pattern(text: str) -> re.Pattern | None:
    try:
        return re.compile(text)
    except (re.error, RecursionError, OverflowError):
        return None


def runs_in(rule: dict, url: str, top: bool) -> bool:
    """Whether autoconsent would try ``rule`` in a frame at ``url`` (the top frame when ``top``)."""
    context = rule.get("runContext")
    if not isinstance(context, dict):
        context = {}
    if top and context.get("main", True) is False:
        return False
    if not top and context.get("frame", False) is not True:
        return False
    pattern = context.get("urlPattern")
    if not pattern or not isinstance(pattern, str):
        return True
    compiled = _pattern(pattern)
    return compiled is None or compiled.search(url) is not None


def rules_for(url: str, top: bool) -> list[dict]:
    """The rules to hand to autoconsent in one frame (the objects of the cached set: do not modify)."""
    return [rule for rule in all_rules() if runs_in(rule, url, top)]


@functools.cache
def _rules_by_name() -> dict[str, dict]:
    named: dict[str, dict] = {}
    for rule in all_rules():
        if isinstance(rule.get("name"), str):
            named.setdefault(rule["name"], rule)
    return named


def _selectors(steps: Any) -> Iterator[str | list[str]]:
    if isinstance(steps, list):
        for step in steps:
            yield from _selectors(step)
    elif isinstance(steps, dict):
        for key, value in steps.items():
            if key in SELECTOR_STEPS and isinstance(value, str):
                yield value
            elif key in SELECTOR_STEPS and isinstance(value, list) and all(isinstance(s, str) for s in value):
                yield list(value)
            elif isinstance(value, list | dict) and key != "negated":
                yield from _selectors(value)


def popup_selectors(cmp: str) -> list[str | list[str]]:
    """Selectors of the element that shows ``cmp``'s banner: a string (a CSS list, or autoconsent's
    ``xpath/`` form) or a list (a chain through shadow roots and frames, as autoconsent reads it)."""
    if cmp in KNOWN_CONTAINERS:
        return list(KNOWN_CONTAINERS[cmp])
    rule = _rules_by_name().get(cmp)
    if rule is None:
        return []
    unique: dict[str, str | list[str]] = {}
    for selector in _selectors(rule.get("detectPopup")):
        unique.setdefault(json.dumps(selector), selector)
    return list(unique.values())
