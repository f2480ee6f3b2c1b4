"""The policy importer over ten real policies with hand-checked truth (/work/shared/policies).

Run with `pytest -s tests/test_policy_corpus.py` to see the figures per file and per format."""

from __future__ import annotations

import json
import re

import pytest
from conftest import SHARED  # noqa: E402

from scanner.policy import import_policy

CORPUS = SHARED / "policies"
TRUTH = CORPUS / "truth.json"
STRUCTURED = {"md-table", "html-table", "list"}

pytestmark = pytest.mark.skipif(
    not TRUTH.is_file(), reason=f"policy corpus not found at {CORPUS} (set SCANNER_SHARED_DIR)"
)


def _key(name: str) -> str:
    return re.sub(r"\s+", " ", name).strip().lower()


def _neutral_names(entry: dict) -> set[str]:
    """Names of also_mentioned entries, whole and split at '/' and parentheses."""
    names: set[str] = set()
    for item in entry.get("also_mentioned", []):
        whole = item["name"]
        names.add(_key(whole))
        for part in re.split(r"\s*/\s*|\s*\(\s*|\s*\)\s*", whole):
            if part.strip():
                names.add(_key(part))
    return names


def score(entry: dict, found_names: list[str], found_links: dict[str, str]) -> dict:
    """Recall and precision on vendor names (case-insensitive, name or alias; also_mentioned names
    count neither way), plus how many privacy links agree with the truth."""
    vendors = entry["vendors"]
    index: dict[str, list[int]] = {}  # an alias such as "Google" may belong to several vendors
    for i, vendor in enumerate(vendors):
        for name in [vendor["name"], *vendor.get("aliases", [])]:
            index.setdefault(_key(name), []).append(i)
    neutral = _neutral_names(entry)
    matched: set[int] = set()
    right = wrong = 0
    false_positives = []
    links_right = links_total = 0
    for name in found_names:
        candidates = index.get(_key(name), [])
        i = next((c for c in candidates if c not in matched), candidates[0] if candidates else None)
        if i is not None:
            right += 1
            if i not in matched and vendors[i].get("privacy_policy"):
                links_total += 1
                links_right += found_links.get(name) == vendors[i]["privacy_policy"]
            matched.add(i)
        elif _key(name) not in neutral:
            wrong += 1
            false_positives.append(name)
    missed = [v["name"] for i, v in enumerate(vendors) if i not in matched]
    return {
        "file": entry["file"],
        "format": entry["format"],
        "truth": len(vendors),
        "found": len(found_names),
        "recalled": len(matched),
        "right": right,
        "wrong": wrong,
        "missed": missed,
        "false_positives": false_positives,
        "links_right": links_right,
        "links_total": links_total,
    }


def _ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def _pooled(results: list[dict]) -> tuple[float, float]:
    recall = _ratio(sum(r["recalled"] for r in results), sum(r["truth"] for r in results))
    precision = _ratio(sum(r["right"] for r in results), sum(r["right"] + r["wrong"] for r in results))
    return recall, precision


@pytest.fixture(scope="module")
def corpus_results() -> list[dict]:
    results = []
    for entry in json.loads(TRUTH.read_text(encoding="utf-8")):
        imported = import_policy(str(CORPUS / entry["file"]))
        names = [row.name for row in imported.rows]
        links = {row.name: row.privacy_policy for row in imported.rows}
        results.append(score(entry, names, links))
    return results


def test_corpus_figures(corpus_results: list[dict]) -> None:
    print("\npolicy import over the corpus (recall / precision on vendor names; privacy links right)")
    for r in corpus_results:
        recall = _ratio(r["recalled"], r["truth"])
        precision = _ratio(r["right"], r["right"] + r["wrong"])
        print(
            f"  {r['file']:<40} {r['format']:<10} truth {r['truth']:>2} found {r['found']:>2}  "
            f"recall {recall:.2f} precision {precision:.2f}  links {r['links_right']}/{r['links_total']}"
        )
        if r["missed"]:
            print(f"      missed: {', '.join(r['missed'])}")
        if r["false_positives"]:
            print(f"      wrong:  {', '.join(r['false_positives'])}")
    for label, group in (
        ("tables+lists", [r for r in corpus_results if r["format"] in STRUCTURED]),
        ("prose", [r for r in corpus_results if r["format"] == "prose"]),
        ("all", corpus_results),
    ):
        recall, precision = _pooled(group)
        print(f"  pooled {label:<13} recall {recall:.2f} precision {precision:.2f} over {len(group)} files")


def test_tables_and_lists_reach_the_bar(corpus_results: list[dict]) -> None:
    structured = [r for r in corpus_results if r["format"] in STRUCTURED]
    assert structured, "truth.json lists no table or list policies"
    recall, precision = _pooled(structured)
    assert recall >= 0.9, f"recall {recall:.2f} on table and list policies"
    assert precision >= 0.9, f"precision {precision:.2f} on table and list policies"


def test_every_corpus_file_yields_vendors(corpus_results: list[dict]) -> None:
    assert all(r["found"] > 0 for r in corpus_results)


def test_scoring_counts_wrong_names_and_misses() -> None:
    entry = {
        "file": "x",
        "format": "md-table",
        "vendors": [{"name": "Acme Ads", "aliases": ["Acme"], "privacy_policy": "https://acme.test/privacy"}],
        "also_mentioned": [{"name": "Site Owner / Owner Tools", "reason": "first party"}],
    }
    result = score(entry, ["ACME", "Owner Tools", "Nobody"], {"ACME": "https://acme.test/privacy"})
    assert (result["recalled"], result["right"], result["wrong"]) == (1, 1, 1)
    assert result["links_right"] == 1
    assert score(entry, [], {})["missed"] == ["Acme Ads"]
