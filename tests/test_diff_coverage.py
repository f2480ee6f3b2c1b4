"""`scanner diff` of two scans that covered different pages (issue 14, point 6): it warns, and a vendor,
cookie, host or finding the new scan lacks is "not re-checked" (with the old scan's pages named), never
"removed", when the new scan visited none of the pages where the old one saw it.

OLD: the demo shop crawled to --max-pages 4 (the start page, /products, /about, /contact); NEW: the same
shop with --max-depth 0 (the start page only). Criteo runs only on the product pages and Quantcast only
on /about and /contact (scanner/fakenet/README.md), so NEW cannot know about them. Both are real scans
(tests/coverage_scans.py, shared with test_coverage.py)."""

from __future__ import annotations

import pytest
from conftest import run_cli
from coverage_scans import max_pages_scan, start_page_scan

from scanner.diff import diff_scans, diff_text
from scanner.report.diff_files import diff_html, diff_markdown
from scanner.report.markdown import md_escape

HOME = "https://www.example.com/"


@pytest.fixture(scope="module")
def pair(demo_net, tmp_path_factory):
    base = tmp_path_factory.getbasetemp()
    old, old_dir, _ = max_pages_scan(demo_net, base)
    new, new_dir = start_page_scan(demo_net, base)
    return old, new, old_dir, new_dir


def test_vendors_of_unvisited_pages_are_not_rechecked(pair):
    old, new, *_ = pair
    assert [p.url for p in new.pages] == [HOME] and len(old.pages) == 4
    d = diff_scans(old, new)
    assert d.pages.differs and d.pages.only_new == ()
    assert set(d.pages.only_old) == {p.url for p in old.pages} - {HOME}
    assert "3 visited only by the old scan, 0 only by the new one" in d.pages.warning()
    assert {"Criteo", "Quantcast"} <= set(d.vendors.not_rechecked)
    assert not {"Criteo", "Quantcast"} & set(d.vendors.removed)
    assert d.vendors.pages["Criteo"] == ("https://www.example.com/products",)
    assert set(d.vendors.pages["Quantcast"]) == {
        "https://www.example.com/about",
        "https://www.example.com/contact",
    }
    # every item NEW lacks was seen by OLD only on pages NEW did not visit: nothing is "removed"
    assert all(c.removed == () for c in d.changes)
    assert "uid @ .criteo.com" in d.cookies.not_rechecked
    assert "static.criteo.net" in d.hosts.not_rechecked
    # Criteo and Quantcast are declared (vendors.csv): NEW found them "not observed" only because it did
    # not look; the diff names the pages it skipped
    assert {"declared: Criteo", "declared: Quantcast"} <= set(d.findings.not_rechecked)
    assert "not_observed: Criteo" in d.findings.added
    assert d.findings.pages["not_observed: Criteo"] == ("https://www.example.com/products",)
    # Hotjar records on every page (its recording traffic counted over all four); NEW saw one of them,
    # too little for the criterion: not re-checked, with the three pages NEW skipped
    recording = "session_recording: Hotjar"
    assert recording in d.behaviour.not_rechecked and recording not in d.behaviour.removed
    assert set(d.behaviour.pages[recording]) == set(d.pages.only_old)


def test_every_diff_output_says_so(pair):
    d = diff_scans(*pair[:2])
    text = diff_text(d)
    assert "warning: the scans covered different pages" in text
    assert f"  new coverage: visited 1 of {pair[1].meta.coverage.discovered} discovered pages" in text
    assert "  ? Criteo (not re-checked: the new scan did not visit https://www.example.com/products," in text
    assert "  - Criteo" not in text
    assert "  + not_observed: Criteo (the new scan did not visit https://www.example.com/products)" in text
    md = diff_markdown(d)
    assert md_escape("The scans covered different pages") in md
    assert f"- ❔ Criteo — not re-checked: the new scan did not visit {md_escape(HOME + 'products')}" in md
    html = diff_html(d)
    assert 'id="coverage" class="banner partial"' in html
    assert '<span class="badge not_observed">not re-checked</span></td><td><code>Criteo</code>' in html
    assert "<code>https://www.example.com/products</code>" in html


def test_the_other_way_round_items_are_added(pair):
    """A vendor NEW saw that OLD did not was seen: "added", whatever OLD covered."""
    d = diff_scans(pair[1], pair[0])
    assert {"Criteo", "Quantcast"} <= set(d.vendors.added)
    assert d.vendors.not_rechecked == () and d.pages.only_new and not d.pages.only_old


def test_same_pages_no_warning(pair):
    d = diff_scans(pair[0], pair[0])
    assert d.empty and d.pages.warning() is None and "warning" not in diff_text(d)


def test_cli_diff_warns(pair, tmp_path):
    proc = run_cli("diff", str(pair[2]), str(pair[3]), "--out", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "warning: the scans covered different pages" in proc.stdout
    assert "? Quantcast (not re-checked" in proc.stdout
    assert "not re-checked" in (tmp_path / "diff.md").read_text(encoding="utf-8")
    assert "not re-checked" in (tmp_path / "diff.html").read_text(encoding="utf-8")
