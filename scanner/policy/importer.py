"""import_policy(): read a policy, run the table, list and prose readers, merge what they found."""

from __future__ import annotations

from dataclasses import dataclass, field

from scanner.errors import BadInput
from scanner.model import Declared

from .document import parse
from .found import KINDS, Found
from .links import name_tokens
from .lists import extract_definition_lists, extract_lists
from .names import name_key
from .prose import extract_prose
from .sections import extract_sections
from .site import detect_site
from .source import FetchHtml, read_policy
from .tables import extract_tables


@dataclass
class PolicyImport:
    """Vendors a policy declares, where each came from, and what was left out and why."""

    origin: str
    rows: list[Declared] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=lambda: {kind: 0 for kind in KINDS})
    skipped: list[tuple[str, str]] = field(default_factory=list)
    site_domains: tuple[str, ...] = ()

    def summary_lines(self) -> list[str]:
        c = self.counts
        lines = [
            f"{len(self.rows)} vendor(s) from {self.origin}: {c['table']} from tables, "
            f"{c['list']} from lists, {c['prose']} from prose (low confidence)"
        ]
        if self.site_domains:
            lines.append(f"first-party domains (not vendors): {', '.join(self.site_domains)}")
        for what, why in self.skipped:
            lines.append(f"skipped {what}: {why}")
        return lines


def import_policy(source: str, *, fetch_html: FetchHtml | None = None) -> PolicyImport:
    """Vendors declared by the policy at SOURCE (Markdown, HTML or text file, or http(s) URL).

    Raises BadInput when the file cannot be read or it declares no recognisable vendor."""
    policy = read_policy(source, fetch_html)
    return import_policy_text(policy.text, kind=policy.kind, origin=policy.origin, url=policy.url)


def import_policy_text(
    text: str, *, kind: str = "markdown", origin: str = "<text>", url: str | None = None
) -> PolicyImport:
    """Same as import_policy for text already in memory ('markdown' or 'html')."""
    soup = parse(text, kind)
    site = detect_site(soup, url)
    tables = extract_tables(soup, site)
    sections, section_items = extract_sections(soup, site)
    lists, list_items = extract_lists(soup, site, section_items)
    definitions = extract_definition_lists(soup, site)
    prose = extract_prose(soup, site, list_items | section_items)
    result = PolicyImport(origin=origin, site_domains=tuple(sorted(site.domains)))
    found = [*tables.found, *sections.found, *lists.found, *definitions.found, *prose.found]
    merged = _merge(found)
    for found in merged.kept:
        result.counts[found.kind] += 1
        result.rows.append(
            Declared(
                name=found.name,
                purpose=found.purpose,
                privacy_policy=found.privacy_policy,
                cookies=found.cookies,
                source=found.source,
                lifetime=found.lifetime if found.cookies else None,
            )
        )
    readers = (tables, sections, lists, definitions, prose)
    result.skipped = [skip for reader in readers for skip in reader.skipped]
    if merged.repeats:
        why = "same vendor as an earlier row (cookie rows grouped, repeats merged)"
        result.skipped.append((f"{merged.repeats} row(s)", why))
    if not result.rows:
        reasons = "; ".join(f"{what}: {why}" for what, why in result.skipped[:3])
        detail = f" ({reasons})" if reasons else ""
        raise BadInput(
            f"no recognisable vendor declaration in {origin}: no table, list or sentence naming "
            f"third-party vendors{detail}"
        )
    return result


@dataclass
class _Merged:
    kept: list[Found]
    repeats: int


def _initials(name: str) -> str:
    return "".join(token[0] for token in name_tokens(name))


def _merge(found: list[Found]) -> _Merged:
    """One row per vendor: the first (most confident) mention wins; later ones fill its gaps.
    A prose mention also merges into a vendor whose initials it is ("AWS" ~ "Amazon Web Services")."""
    kept: list[Found] = []
    by_key: dict[str, Found] = {}
    by_initials: dict[str, Found] = {}
    repeats = 0
    for item in found:
        key = name_key(item.name)
        if not key:
            continue
        target = by_key.get(key)
        if target is None and item.kind == "prose":
            target = by_initials.get(key) or by_key.get(_initials(item.name))
        if target is None:
            copy = Found(
                item.name,
                item.purpose,
                item.privacy_policy,
                item.source,
                item.kind,
                item.cookies,
                item.lifetime,
            )
            kept.append(copy)
            by_key[key] = copy
            initials = _initials(item.name)
            if len(initials) >= 2:
                by_initials.setdefault(initials, copy)
            continue
        repeats += 1
        if not target.privacy_policy and item.privacy_policy:
            target.privacy_policy = item.privacy_policy
        if not target.purpose and item.purpose:
            target.purpose = item.purpose
        if item.cookies:
            target.cookies = tuple(dict.fromkeys([*target.cookies, *item.cookies]))
        target.lifetime = longest_lifetime(target.lifetime, item.lifetime)
    return _Merged(kept, repeats)


def longest_lifetime(a: str | None, b: str | None) -> str | None:
    """Of two declared lifetimes, the longer one (a vendor row covers all its cookies); a lifetime
    that cannot be read loses to one that can."""
    from scanner.catalog.lifetimes import parse_lifetime

    def days(text: str | None) -> float:
        lifetime = parse_lifetime(text)
        if lifetime.days is not None:
            return lifetime.days
        return 0.0 if lifetime.session else -1.0

    if not b:
        return a
    if not a:
        return b
    return b if days(b) > days(a) else a
