"""Property tests: the policy importer never crashes, and finds what a well-formed table declares."""

from __future__ import annotations

import csv
import io

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.errors import BadInput
from scanner.policy import import_policy_text, vendors_csv
from scanner.policy.names import is_generic, name_key

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _import_or_bad_input(text: str, kind: str) -> None:
    try:
        result = import_policy_text(text, kind=kind)
    except BadInput as err:
        assert "\n" not in str(err)
        return
    assert result.rows
    assert sum(result.counts.values()) == len(result.rows)
    vendors_csv(result.rows)


@FAST
@given(st.text(max_size=400), st.sampled_from(["markdown", "html"]))
def test_any_text_imports_or_fails_cleanly(text: str, kind: str) -> None:
    _import_or_bad_input(text, kind)


_TAGS = [
    "table",
    "tr",
    "td",
    "th",
    "thead",
    "tbody",
    "caption",
    "ul",
    "ol",
    "li",
    "p",
    "h2",
    "a",
    "br",
    "div",
    "b",
]
_ATTRS = st.sampled_from(
    [
        "",
        ' rowspan="3"',
        ' colspan="2"',
        ' rowspan="-1"',
        ' colspan="x"',
        ' rowspan="99999"',
        ' href="https://a.test/privacy"',
        ' href="javascript:alert(1)"',
        ' href="http://[::1"',
        ' href=""',
    ]
)
_WORDS = st.sampled_from(
    [
        "Vendor",
        "Purpose",
        "Privacy Policy",
        "Acme Ads",
        "_ga",
        "Cookies",
        "Third parties",
        "https://b.test/p",
        "Name",
        "|",
        "---",
        "&amp;",
        "<",
        "Set by Acme",
        "Google Analytics cookies",
        "\n",
        " ",
    ]
)


@st.composite
def broken_html(draw: st.DrawFn) -> str:
    pieces = []
    for _ in range(draw(st.integers(0, 40))):
        kind = draw(st.integers(0, 3))
        tag = draw(st.sampled_from(_TAGS))
        if kind == 0:
            pieces.append(f"<{tag}{draw(_ATTRS)}>")
        elif kind == 1:
            pieces.append(f"</{tag}>")
        else:
            pieces.append(draw(_WORDS))
    return "".join(pieces)


@FAST
@given(broken_html())
def test_malformed_html_never_crashes(html: str) -> None:
    _import_or_bad_input(html, "html")


@st.composite
def broken_markdown(draw: st.DrawFn) -> str:
    lines = []
    for _ in range(draw(st.integers(0, 15))):
        cells = draw(st.lists(_WORDS, max_size=5))
        style = draw(st.integers(0, 4))
        if style == 0:
            lines.append("| " + " | ".join(cells) + " |")
        elif style == 1:
            lines.append("|" + "|".join("---" for _ in cells) + "|")
        elif style == 2:
            lines.append("* " + " ".join(cells))
        elif style == 3:
            lines.append("## " + " ".join(cells))
        else:
            lines.append(
                " ".join(cells) + " [x](" + draw(st.sampled_from(["https://c.test/privacy", "<>", ""])) + ")"
            )
    return "\n".join(lines)


@FAST
@given(broken_markdown())
def test_malformed_markdown_never_crashes(text: str) -> None:
    _import_or_bad_input(text, "markdown")


_NAME = st.from_regex(r"[A-Z][a-z]{3,9}( [A-Z][a-z]{3,9})?( Inc\.| GmbH|, Inc\.)?", fullmatch=True).filter(
    lambda n: not is_generic(n)
)


@FAST
@given(st.lists(_NAME, min_size=1, max_size=8, unique_by=name_key), st.booleans())
def test_vendor_table_is_read_back_exactly(names: list[str], as_html: bool) -> None:
    slugs = [name_key(n) for n in names]
    if as_html:
        rows = "".join(
            f"<tr><td>{n}</td><td>Ads for {n}</td><td><a href='https://{s}.test/privacy'>link</a></td></tr>"
            for n, s in zip(names, slugs, strict=True)
        )
        header = "<tr><th>Partner</th><th>Purpose</th><th>Privacy</th></tr>"
        text = f"<h2>Our partners</h2><table>{header}{rows}</table>"
    else:
        rows = "\n".join(
            f"| {n} | Ads for {n} | <https://{s}.test/privacy> |" for n, s in zip(names, slugs, strict=True)
        )
        text = f"## Our partners\n\n| Partner | Purpose | Privacy |\n|---|---|---|\n{rows}\n"
    result = import_policy_text(text, kind="html" if as_html else "markdown")
    assert [r.name for r in result.rows] == names
    assert [r.privacy_policy for r in result.rows] == [f"https://{s}.test/privacy" for s in slugs]
    parsed = list(csv.DictReader(io.StringIO(vendors_csv(result.rows))))
    assert [row["name"] for row in parsed] == names
    assert [row["purpose"] for row in parsed] == [f"Ads for {n}" for n in names]


@FAST
@given(st.lists(_NAME, min_size=1, max_size=8, unique_by=name_key), st.sampled_from(["*", "-", "1."]))
def test_vendor_link_list_is_read_back_exactly(names: list[str], bullet: str) -> None:
    slugs = [name_key(n) for n in names]
    items = "\n".join(
        f"{bullet} [{n}](https://{s}.test/legal/privacy). Hosting for {n}."
        for n, s in zip(names, slugs, strict=True)
    )
    result = import_policy_text(f"## Our subprocessors\n\n{items}\n")
    assert [r.name for r in result.rows] == names
    assert [r.privacy_policy for r in result.rows] == [f"https://{s}.test/legal/privacy" for s in slugs]
    assert result.counts == {"table": 0, "list": len(names), "prose": 0}


_COOKIE = st.from_regex(r"_[a-z]{2,8}(_[a-z0-9]{1,4})?", fullmatch=True)


@FAST
@given(st.lists(st.tuples(_COOKIE, _NAME), min_size=1, max_size=12, unique_by=lambda t: t[0]))
def test_cookie_rows_are_grouped_by_their_vendor(rows: list[tuple[str, str]]) -> None:
    table = "\n".join(f"| `{cookie}` | {vendor} | Tracking | 1 year |" for cookie, vendor in rows)
    text = f"| Cookie name | Set by | Purpose | Expiry |\n|---|---|---|---|\n{table}\n"
    result = import_policy_text(text)
    expected: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for cookie, vendor in rows:
        names.setdefault(name_key(vendor), vendor)
        expected.setdefault(name_key(vendor), []).append(cookie)
    assert [(r.name, list(r.cookies)) for r in result.rows] == [(names[k], v) for k, v in expected.items()]
