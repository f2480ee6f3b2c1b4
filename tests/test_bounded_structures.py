"""Shapes that used to cost quadratic time are bounded: deeply nested policy HTML is capped at a
browser's depth without losing text, and sitemap walks keep each sitemap and page once.
(The scaling itself is measured by bench/bench_linear.py, not timed here.)"""

from __future__ import annotations

from collections import Counter

from bs4 import BeautifulSoup, NavigableString, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.crawl.sitemap import SitemapWalk
from scanner.policy.document import MAX_DEPTH, cap_depth
from scanner.policy.importer import import_policy_text

_TAGS = st.sampled_from(["div", "p", "ul", "li", "a", "b", "section", "span"])


def _tree(depth: int):
    leaf = st.text("abc xyz", min_size=1, max_size=4).map(lambda t: ("text", t))
    if depth == 0:
        return leaf
    return st.one_of(leaf, st.tuples(st.just("tag"), _TAGS, st.lists(_tree(depth - 1), max_size=3)))


def _html(node) -> str:
    if node[0] == "text":
        return node[1]
    _, name, kids = node
    return f"<{name}>{''.join(_html(k) for k in kids)}</{name}>"


def _depth(tag: Tag) -> int:
    return sum(1 for _ in tag.parents)


def _strings(soup: BeautifulSoup) -> Counter:
    return Counter(str(s) for s in soup.find_all(string=True) if type(s) is NavigableString)


def _assert_links_consistent(soup: BeautifulSoup) -> None:
    nodes = list(soup.descendants)
    assert soup.next_element is None and (not nodes or nodes[0].previous_element is None)
    for a, b in zip(nodes, nodes[1:], strict=False):
        assert a.next_element is b and b.previous_element is a
    for node in nodes:
        siblings = node.parent.contents
        i = next(k for k, c in enumerate(siblings) if c is node)
        assert node.previous_sibling is (siblings[i - 1] if i else None)
        assert node.next_sibling is (siblings[i + 1] if i + 1 < len(siblings) else None)


@settings(max_examples=150, deadline=None)
@given(st.lists(_tree(6), min_size=1, max_size=4), st.integers(2, 6))
def test_capping_keeps_every_text_and_a_consistent_tree(nodes, limit):
    html = "<html><body>" + "".join(_html(n) for n in nodes) + "</body></html>"
    soup = BeautifulSoup(html, "lxml")
    before, markup = _strings(soup), str(soup)
    deepest = max((_depth(t) for t in soup.find_all(True)), default=0)
    cap_depth(soup, limit)
    assert _strings(soup) == before
    assert max((_depth(t) for t in soup.find_all(True)), default=0) <= limit
    if deepest <= limit:
        assert str(soup) == markup  # a tree within the limit is not touched
    _assert_links_consistent(soup)


def test_a_policy_nested_thousands_deep_is_read_to_the_end():
    levels = 3 * MAX_DEPTH
    nest = "".join(f"<div><p>Section {i}.</p>" for i in range(levels)) + "</div>" * levels
    vendors = "".join(
        f"<li><a href='https://partner{i}.example/privacy'>Partner{i}</a>: ads</li>" for i in range(5)
    )
    html = (
        f"<html><body><h1>Privacy</h1>{nest}<h2>Partners</h2><p>We use:</p><ul>{vendors}</ul></body></html>"
    )
    result = import_policy_text(html, kind="html")
    assert sorted(r.name for r in result.rows) == [f"Partner{i}" for i in range(5)]
    assert all(r.privacy_policy == f"https://partner{i}.example/privacy" for i, r in enumerate(result.rows))


def _index(pages: list[str], nested: list[str]) -> str:
    locs = "".join(f"<url><loc>{u}</loc></url>" for u in pages)
    maps = "".join(f"<sitemap><loc>{u}</loc></sitemap>" for u in nested)
    return f"<sitemapindex>{locs}{maps}</sitemapindex>"


def test_sitemap_cycles_and_repeats_are_read_once():
    files = {
        "a": _index(["/1", "/2", "/1"], ["b", "a"]),
        "b": _index(["/2", "/3"], ["a", "b", "c"]),
        "c": _index(["/4"], ["a"]),
    }
    walk = SitemapWalk(limit=100, max_sitemaps=50)
    walk.add_sitemaps(["a", "a"])
    order = []
    while (name := walk.next_sitemap()) is not None:
        order.append(name)
        walk.read(files[name])
    assert order == ["a", "b", "c"]
    assert walk.pages == ["/1", "/2", "/3", "/4"]


def test_sitemap_walk_stops_at_its_bounds():
    chain = {f"s{i}": _index([f"/p{i}-{k}" for k in range(10)], [f"s{i + 1}"]) for i in range(100)}
    walk = SitemapWalk(limit=1000, max_sitemaps=7)
    walk.add_sitemaps(["s0"])
    while (name := walk.next_sitemap()) is not None:
        walk.read(chain[name])
    assert walk.fetched == 7 and len(walk.pages) == 70

    walk = SitemapWalk(limit=25, max_sitemaps=100)
    walk.add_sitemaps(["s0"])
    while (name := walk.next_sitemap()) is not None:
        walk.read(chain[name])
    assert len(walk.pages) == 25 and walk.fetched == 3
    walk.read("not a sitemap")
    walk.read(None)
    assert len(walk.pages) == 25
