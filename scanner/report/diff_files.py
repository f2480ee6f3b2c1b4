"""diff.md and diff.html: the output of ``scanner diff`` for people and pull requests."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup

from scanner.diff import EVERYTHING, NOT_RECHECKED, Change, ScanDiff, shown_pages
from scanner.model import FINDING_STATUSES
from scanner.report.html import csp_hash, environment, script, stylesheet, theme_switch
from scanner.report.markdown import LABELS, md_escape

MAX_ITEMS = 200


def diff_markdown(d: ScanDiff) -> str:
    lines = [
        "### Tracker audit: what changed",
        "",
        f"Old: {md_escape(d.old_label)}  ",
        f"New: {md_escape(d.new_label)}",
        "",
        "| Status | Old | New |",
        "| --- | ---: | ---: |",
    ]
    lines += [
        f"| {LABELS[s]} | {d.summary_old.get(s, 0)} | {d.summary_new.get(s, 0)} |" for s in FINDING_STATUSES
    ]
    lines.append("")
    lines += _coverage_md(d)
    if d.empty:
        lines.append(f"No change in {EVERYTHING}.")
        lines.append("")
    for c in d.changes:
        if c.note:
            lines += [f"*{c.kind.capitalize()}*: {md_escape(c.note, 600)}.", ""]
        if c.empty:
            continue
        head = f"**{c.kind.capitalize()}**: {len(c.added)} added, {len(c.removed)} removed"
        if c.changed:
            head += f", {len(c.changed)} changed"
        if c.not_rechecked:
            head += f", {len(c.not_rechecked)} {NOT_RECHECKED}"
        lines.append(head)
        lines.append("")
        lines += [f"- ➕ {md_escape(x)}{_unvisited_md(c, x)}" for x in c.added[:MAX_ITEMS]]
        lines += [f"- ➖ {md_escape(x)}" for x in c.removed[:MAX_ITEMS]]
        lines += [
            f"- 🔄 {md_escape(x)}: {md_escape(what, 600)}" for x, what in list(c.changed.items())[:MAX_ITEMS]
        ]
        lines += [
            f"- ❔ {md_escape(x)} — {NOT_RECHECKED}: the new scan did not visit "
            f"{md_escape(shown_pages(c.pages[x]), 600)}, where the old scan saw it"
            for x in c.not_rechecked[:MAX_ITEMS]
        ]
        if max(len(c.added), len(c.removed), len(c.not_rechecked), len(c.changed)) > MAX_ITEMS:
            lines.append(f"- …lists cut at {MAX_ITEMS} items")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _unvisited_md(c: Change, item: str) -> str:
    if item not in c.pages:
        return ""
    return f" — the new scan did not visit {md_escape(shown_pages(c.pages[item]), 600)}"


def _coverage_md(d: ScanDiff) -> list[str]:
    """The warning when the scans covered different pages, with each scan's coverage."""
    p = d.pages
    warning = p.warning()
    if not warning:
        return []
    lines = [f"> ⚠️ **{md_escape(warning[0].upper() + warning[1:], 400)}.**", ">"]
    lines.append(f"> Old: {md_escape(p.old_coverage, 400)}  ")
    lines.append(f"> New: {md_escape(p.new_coverage, 400)}")
    for word, urls in (("old", p.only_old), ("new", p.only_new)):
        if urls:
            lines += [">", f"> Visited only by the {word} scan: {md_escape(shown_pages(urls, 20), 3000)}"]
    return [*lines, ""]


def diff_html(d: ScanDiff) -> str:
    """diff.html: the report's stylesheet and script (theme switch), allowed by their hashes only."""
    css, js = stylesheet(), script()
    csp = (
        f"default-src 'none'; style-src {csp_hash(css)}; script-src {csp_hash(js)}; base-uri 'none'; "
        "form-action 'none'"
    )
    template = environment().get_template("diff.html.j2")
    return template.render(
        d=d,
        css=Markup(css),
        js=Markup(js),
        csp=csp,
        labels=LABELS,
        statuses=FINDING_STATUSES,
        everything=EVERYTHING,
        theme_switch=theme_switch(),
    )


def write_diff(d: ScanDiff, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    md, html = out_dir / "diff.md", out_dir / "diff.html"
    md.write_text(diff_markdown(d), encoding="utf-8")
    html.write_text(diff_html(d), encoding="utf-8")
    return [html, md]
