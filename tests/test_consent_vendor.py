"""The vendored @duckduckgo/autoconsent: unmodified (hashes in SOURCE.md), shipped as package data,
noticed; its rules filtered per frame as autoconsent does."""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from importlib import resources
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.consent import rules
from scanner.consent.driver import MODES, bridge, config

REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "scanner" / "consent" / "vendor" / "autoconsent"


def test_vendored_files_match_the_hashes_in_source_md():
    recorded = rules.recorded_hashes()
    assert set(recorded) == {"autoconsent.playwright.js", "rules.json", "LICENSE"}
    for name, digest in recorded.items():
        assert hashlib.sha256((VENDOR / name).read_bytes()).hexdigest() == digest, name


def test_source_md_names_version_tarball_integrity_and_source():
    note = (VENDOR / "SOURCE.md").read_text(encoding="utf-8")
    assert rules.version() == "16.23.0"
    assert "https://registry.npmjs.org/@duckduckgo/autoconsent/-/autoconsent-16.23.0.tgz" in note
    assert re.search(r"npm integrity: sha512-[A-Za-z0-9+/=]{88}", note)
    assert "github.com/duckduckgo/autoconsent" in note and "v16.23.0" in note
    assert "lib/*.ts" in note  # where the Source Code Form is (MPL-2.0 §3.2)
    assert (VENDOR / "LICENSE").read_text(encoding="utf-8").startswith("Mozilla Public License Version 2.0")


def test_notice_names_the_mpl_files():
    notice = (REPO / "NOTICE").read_text(encoding="utf-8")
    assert "@duckduckgo/autoconsent" in notice and "Mozilla Public License" in notice
    assert "UNMODIFIED" in notice and "scanner/consent/vendor/autoconsent" in notice


def test_vendored_files_are_package_data():
    for name in ("autoconsent.playwright.js", "rules.json", "LICENSE", "SOURCE.md"):
        assert resources.files("scanner.consent").joinpath("vendor", "autoconsent", name).is_file(), name
    # vendor/ is no Python package: only an explicit pattern puts its files (LICENSE too) in a wheel.
    data = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = data["tool"]["setuptools"]["package-data"]["scanner.consent"]
    assert any(Path("vendor/autoconsent/LICENSE").match(p) for p in patterns)
    assert not (VENDOR / "__init__.py").exists() and not (VENDOR.parent / "__init__.py").exists()


def test_the_full_rules_with_opt_in_steps_are_vendored():
    loaded = rules.all_rules()
    assert len(loaded) == len(json.loads((VENDOR / "rules.json").read_text(encoding="utf-8"))["autoconsent"])
    assert sum(1 for r in loaded if r.get("optIn")) > 300  # the compact rules have none
    assert rules.all_rules() is loaded  # read once


def rule(name, **context):
    return {"name": name, "runContext": context} if context else {"name": name}


def test_run_context_defaults_and_url_patterns():
    url = "https://www.example.com/page"
    assert rules.runs_in(rule("plain"), url, top=True)
    assert not rules.runs_in(rule("plain"), url, top=False)  # frame defaults to false
    assert rules.runs_in(rule("f", frame=True), url, top=False)
    assert not rules.runs_in(rule("f", main=False, frame=True), url, top=True)
    assert rules.runs_in(rule("site", urlPattern=r"^https://(www\.)?example\.com/"), url, top=True)
    assert not rules.runs_in(rule("site", urlPattern=r"^https://other\.org/"), url, top=True)
    assert rules.runs_in(rule("search", urlPattern=r"example"), url, top=True)  # found anywhere, as JS
    assert rules.runs_in(rule("broken", urlPattern=r"(unclosed"), url, top=True)  # autoconsent decides
    assert rules.runs_in({"name": "odd", "runContext": "x"}, url, top=True)


def test_real_rules_per_frame():
    main = rules.rules_for("https://www.unknown-site.test/", top=True)
    frame = rules.rules_for("https://www.unknown-site.test/", top=False)
    assert 0 < len(frame) < len(main) < len(rules.all_rules())
    names = {r["name"] for r in main}
    assert "didomi" in names  # a generic rule
    assert not any(r["name"].startswith("auto_") for r in main)  # per-site rules for other sites
    # A site-specific frame rule: only in a frame at its URL.
    frame_url = "https://cmp-consent-tool.privacymanager.io/latest/index.html"
    assert "privacymanager.io" in {r["name"] for r in rules.rules_for(frame_url, top=False)}
    assert "privacymanager.io" not in {r["name"] for r in rules.rules_for(frame_url, top=True)}
    assert "privacymanager.io" not in {r["name"] for r in frame}


@settings(max_examples=200, deadline=None)
@given(url=st.text(max_size=300), top=st.booleans())
def test_filtering_never_raises(url, top):
    chosen = rules.rules_for(url, top)
    assert all(isinstance(r, dict) for r in chosen)


@settings(max_examples=100, deadline=None)
@given(steps=st.recursive(st.text(max_size=20), lambda c: st.lists(c) | st.dictionaries(st.text(), c)))
def test_popup_selectors_from_any_rule_shape(steps):
    for selector in rules._selectors(steps):
        assert isinstance(selector, str) or all(isinstance(s, str) for s in selector)


def test_popup_selectors_for_json_and_class_rules():
    assert rules.popup_selectors("Onetrust")[0] == "#onetrust-banner-sdk"
    assert any("#didomi-notice" in s for s in rules.popup_selectors("didomi"))
    assert rules.popup_selectors("no such cmp") == []


def test_config_per_mode_hides_nothing_and_decides_here():
    for mode in MODES:
        c = config(mode)
        assert c["autoAction"] is None and c["isMainWorld"] is False
        assert c["enablePrehide"] is False and c["enableCosmeticRules"] is False
        assert c["detectRetries"] == 20
    assert [config(m)["heuristicMode"] for m in MODES] == ["off", "tier2", "reject"]


def test_bridge_names_only_the_binding():
    text = bridge("_abc123")
    assert "autoconsentSendMessage" in text and '"_abc123"' in text and "JSON.stringify" in text
