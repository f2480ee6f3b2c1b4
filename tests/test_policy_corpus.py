"""The policy importer over real policies with hand-checked truth (/work/shared/policies), and over
the policies kept with the tests (tests/data/policies, see its README): real ones with the layouts of
issue 10 point 6 (copied under their licence) and synthetic layout fixtures.

Run with `pytest -s tests/test_policy_corpus.py` to see the figures per file and per format. The bars
below are asserted, per file and pooled; they hold today's figures so that none of them regresses."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from conftest import SHARED  # noqa: E402

from scanner.policy import import_policy

CORPUS = SHARED / "policies"
TRUTH = CORPUS / "truth.json"
LAYOUTS = Path(__file__).parent / "data" / "policies"
LAYOUT_TRUTH = LAYOUTS / "truth.json"
STRUCTURED = {"md-table", "html-table", "list"}

# Today's figures on the shared corpus (pooled tables+lists: recall 103/104, precision 1.00; prose:
# recall 37/38, precision 1.00); every file at recall and precision 0.95 or better.
POOLED_BARS = {"tables+lists": (0.99, 1.0), "prose": (0.97, 1.0)}
FILE_BAR = (0.95, 0.95)
# The layout fixtures: every vendor, nothing else, the right privacy link and the paragraph or
# purpose cell (not the section title) as purpose.
LAYOUT_BAR = (1.0, 1.0)
# The real policies kept with the tests, per file (recall, precision) on vendor names. Before the
# fixes of issue 10 point 6: Kap 1/3 and 1/3 (link texts as vendors), Roo Code's subprocessors 0/17
# and 0/6 (service kinds as vendors), Roo Code's cookies 3/4 and 3/3 (Substack missed).
REAL_BARS = {
    "kap-privacy.md": (1.0, 1.0),
    "roo-code-subprocessors.html": (1.0, 1.0),
    "roo-code-cookies.html": (1.0, 1.0),
}
# Vendors the truth marks as declared only in prose, found by the prose reader (recall over them).
REAL_PROSE_BAR = 1.0
# Which reader must give each vendor, by the truth's "where": a section heading, a table row, prose.
_READER_OF = {"section": "section '", "table": "table '", "prose": "prose"}

needs_corpus = pytest.mark.skipif(
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


def _import(folder: Path, entry: dict) -> dict:
    imported = import_policy(str(folder / entry["file"]))
    names = [row.name for row in imported.rows]
    links = {row.name: row.privacy_policy for row in imported.rows}
    result = score(entry, names, links)
    result["rows"] = imported.rows
    return result


def _figures(r: dict) -> tuple[float, float]:
    return _ratio(r["recalled"], r["truth"]), _ratio(r["right"], r["right"] + r["wrong"])


def _print(results: list[dict]) -> None:
    for r in results:
        recall, precision = _figures(r)
        print(
            f"  {r['file']:<40} {r['format']:<10} truth {r['truth']:>2} found {r['found']:>2}  "
            f"recall {recall:.2f} precision {precision:.2f}  links {r['links_right']}/{r['links_total']}"
        )
        if r["missed"]:
            print(f"      missed: {', '.join(r['missed'])}")
        if r["false_positives"]:
            print(f"      wrong:  {', '.join(r['false_positives'])}")


@pytest.fixture(scope="module")
def corpus_results() -> list[dict]:
    return [_import(CORPUS, entry) for entry in json.loads(TRUTH.read_text(encoding="utf-8"))]


@pytest.fixture(scope="module")
def kept_entries() -> list[dict]:
    return json.loads(LAYOUT_TRUTH.read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def layout_entries(kept_entries: list[dict]) -> list[dict]:
    return [entry for entry in kept_entries if entry.get("synthetic")]


@pytest.fixture(scope="module")
def real_entries(kept_entries: list[dict]) -> list[dict]:
    return [entry for entry in kept_entries if not entry.get("synthetic")]


@pytest.fixture(scope="module")
def layout_results(layout_entries: list[dict]) -> list[dict]:
    return [_import(LAYOUTS, entry) for entry in layout_entries]


@pytest.fixture(scope="module")
def real_results(real_entries: list[dict]) -> list[dict]:
    return [_import(LAYOUTS, entry) for entry in real_entries]


def _groups(results: list[dict]) -> dict[str, list[dict]]:
    return {
        "tables+lists": [r for r in results if r["format"] in STRUCTURED],
        "prose": [r for r in results if r["format"] == "prose"],
        "all": results,
    }


@needs_corpus
def test_corpus_figures(corpus_results: list[dict]) -> None:
    print("\npolicy import over the corpus (recall / precision on vendor names; privacy links right)")
    _print(corpus_results)
    for label, group in _groups(corpus_results).items():
        recall, precision = _pooled(group)
        print(f"  pooled {label:<13} recall {recall:.2f} precision {precision:.2f} over {len(group)} files")


@needs_corpus
@pytest.mark.parametrize("label", sorted(POOLED_BARS))
def test_pooled_figures_reach_the_bar(corpus_results: list[dict], label: str) -> None:
    group = _groups(corpus_results)[label]
    assert group, f"truth.json lists no {label} policies"
    recall, precision = _pooled(group)
    min_recall, min_precision = POOLED_BARS[label]
    assert recall >= min_recall, f"pooled {label} recall {recall:.3f} < {min_recall}"
    assert precision >= min_precision, f"pooled {label} precision {precision:.3f} < {min_precision}"


@needs_corpus
def test_every_corpus_file_reaches_the_bar(corpus_results: list[dict]) -> None:
    below = []
    for r in corpus_results:
        recall, precision = _figures(r)
        if recall < FILE_BAR[0] or precision < FILE_BAR[1]:
            below.append(f"{r['file']}: recall {recall:.2f} precision {precision:.2f} ({r})")
    assert not below, "\n".join(below)


@needs_corpus
def test_corpus_privacy_links_stay_right(corpus_results: list[dict]) -> None:
    right = sum(r["links_right"] for r in corpus_results)
    total = sum(r["links_total"] for r in corpus_results)
    assert total and right == total, f"{right}/{total} privacy links agree with the truth"


@needs_corpus
def test_every_corpus_file_yields_vendors(corpus_results: list[dict]) -> None:
    assert all(r["found"] > 0 for r in corpus_results)


def test_layout_fixtures_are_marked_synthetic(layout_entries: list[dict]) -> None:
    assert layout_entries
    for entry in layout_entries:
        assert entry.get("synthetic") is True
        assert "SYNTHETIC TEST FIXTURE" in (LAYOUTS / entry["file"]).read_text(encoding="utf-8")[:400]


def test_real_policies_say_where_they_come_from(real_entries: list[dict]) -> None:
    """Every kept real policy names its source (repository, path, commit, URL), the day it was copied
    and its licence, and is listed in the README; every file in the folder has a truth entry."""
    assert sorted(entry["file"] for entry in real_entries) == sorted(REAL_BARS)
    readme = (LAYOUTS / "README.md").read_text(encoding="utf-8")
    for entry in real_entries:
        for key in ("source_repo", "source_path", "source_url", "retrieved", "licence"):
            assert entry.get(key), (entry["file"], key)
        assert re.fullmatch(r"[0-9a-f]{40}", entry["source_commit"]), entry["file"]
        assert entry["file"] in readme and entry["source_commit"][:7] in readme, entry["file"]
        assert "SYNTHETIC" not in (LAYOUTS / entry["file"]).read_text(encoding="utf-8")
    kept = {path.name for path in LAYOUTS.iterdir() if path.suffix in (".md", ".html")} - {"README.md"}
    truth = {entry["file"] for entry in json.loads(LAYOUT_TRUTH.read_text(encoding="utf-8"))}
    assert kept == truth


def test_real_policy_figures(real_results: list[dict]) -> None:
    """Recall and precision on vendor names per real file, at least today's (REAL_BARS)."""
    print("\npolicy import over the real policies kept with the tests")
    _print(real_results)
    below = []
    for r in real_results:
        recall, precision = _figures(r)
        min_recall, min_precision = REAL_BARS[r["file"]]
        if recall < min_recall or precision < min_precision:
            below.append(
                f"{r['file']}: recall {recall:.2f} < {min_recall} or precision {precision:.2f} < "
                f"{min_precision} (missed {r['missed']}, wrong {r['false_positives']})"
            )
    assert not below, "\n".join(below)


def test_real_policy_privacy_links_stay_right(real_results: list[dict]) -> None:
    for r in real_results:
        assert r["links_right"] == r["links_total"], (
            r["file"],
            {row.name: row.privacy_policy for row in r["rows"]},
        )
    assert sum(r["links_total"] for r in real_results) >= 5


def _row_for(vendor: dict, rows: list) -> object | None:
    keys = {_key(name) for name in [vendor["name"], *vendor.get("aliases", [])]}
    return next((row for row in rows if _key(row.name) in keys), None)


def test_real_policy_vendors_come_from_the_right_reader(
    real_entries: list[dict], real_results: list[dict]
) -> None:
    """A vendor with its own heading comes from the section reader, a table row from the table
    reader; what the policy says only in prose is found by the prose reader (REAL_PROSE_BAR)."""
    prose_found = prose_total = 0
    for entry, r in zip(real_entries, real_results, strict=True):
        for vendor in entry["vendors"]:
            kind = vendor["where"].split()[0]
            row = _row_for(vendor, r["rows"])
            if kind == "prose":
                prose_total += 1
                prose_found += row is not None and row.source.startswith(_READER_OF["prose"])
                continue
            assert row is not None, (r["file"], vendor["name"])
            assert row.source.startswith(_READER_OF[kind]), (r["file"], row.name, row.source)
    assert prose_total, "no prose-only vendor among the real policies"
    assert prose_found / prose_total >= REAL_PROSE_BAR, f"prose reader: {prose_found}/{prose_total}"


def test_real_policy_purposes_are_the_vendors_own(real_entries: list[dict], real_results: list[dict]) -> None:
    """The purpose is the section's paragraph or the row's purpose cell (the truth's phrase is in it),
    never the section or table title."""
    for entry, r in zip(real_entries, real_results, strict=True):
        for vendor in entry["vendors"]:
            row = _row_for(vendor, r["rows"])
            if row is None:
                continue  # counted by the recall bar
            assert vendor["purpose"].lower() in row.purpose.lower(), (r["file"], row.name, row.purpose)
            title = re.sub(r"^(?:section|table) '|'.*$", "", row.source)
            assert _key(row.purpose) != _key(title), (r["file"], row.name, row.purpose)


def test_layout_figures(layout_results: list[dict]) -> None:
    print("\npolicy import over the layout fixtures (synthetic)")
    _print(layout_results)
    recall, precision = _pooled(layout_results)
    files = len(layout_results)
    print(f"  pooled layouts       recall {recall:.2f} precision {precision:.2f} over {files} files")
    assert recall >= LAYOUT_BAR[0] and precision >= LAYOUT_BAR[1], (recall, precision)


def test_every_layout_file_reaches_the_bar(layout_results: list[dict]) -> None:
    for r in layout_results:
        recall, precision = _figures(r)
        assert recall >= LAYOUT_BAR[0], f"{r['file']}: recall {recall:.2f}, missed {r['missed']}"
        assert precision >= LAYOUT_BAR[1], f"{r['file']}: precision {precision:.2f}, {r['false_positives']}"
        assert r["found"] == r["truth"], f"{r['file']}: {[row.name for row in r['rows']]}"


def test_layout_privacy_links_and_purposes(layout_entries: list[dict], layout_results: list[dict]) -> None:
    for entry, r in zip(layout_entries, layout_results, strict=True):
        assert r["links_right"] == r["links_total"] == len(entry["vendors"]), r["file"]
        rows = {row.name.lower(): row for row in r["rows"]}
        for vendor in entry["vendors"]:
            keys = [vendor["name"], *vendor.get("aliases", [])]
            row = next(rows[k.lower()] for k in keys if k.lower() in rows)
            assert vendor["purpose"].lower() in row.purpose.lower(), (r["file"], row.name, row.purpose)


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
