"""Declared vendors: read vendors.csv and resolve each row to a catalog vendor.

vendors.csv is UTF-8 with a header. Columns: ``name`` (required), ``purpose``,
``privacy_policy``, and optional ``category`` (one of the catalog categories), ``domains`` and
``cookies`` (``;``-separated; cookie names may use ``*``), ``lifetime`` (or ``retention``:
"session", "30 days", "13 months") and ``source`` (where the row was declared, as written by
``scanner policy import``: "table 'Cookies' row 4"; without it a row's source is "vendors.csv:LINE").
Every problem is a BadInput naming the file and line.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import replace
from pathlib import Path

from scanner.catalog import Catalog, VendorEntry
from scanner.catalog.categories import CATEGORIES, normalize_category
from scanner.catalog.patterns import glob_regex
from scanner.csvsafe import restore_cell
from scanner.errors import BadInput
from scanner.model import Declared
from scanner.textfile import read_utf8

COLUMNS = ("name", "purpose", "privacy_policy", "category", "domains", "cookies", "lifetime", "source")
_COLUMN_SYNONYMS = {
    "vendor": "name",
    "privacy policy": "privacy_policy",
    "privacy-policy": "privacy_policy",
    "policy": "privacy_policy",
    "retention": "lifetime",
    "domain": "domains",
    "cookie": "cookies",
}
_DOMAIN = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)+[a-z0-9-]{2,}$")
_COOKIE_NAME = re.compile(r"^[^\s;,=\"\\]+$")
# Words that qualify a vendor name without changing who it is ("Capterra conversion tracking").
_QUALIFIERS = {
    "conversion",
    "conversions",
    "tracking",
    "tracker",
    "pixel",
    "tag",
    "cookie",
    "cookies",
    "inc",
    "llc",
    "ltd",
    "gmbh",
    "corp",
    "corporation",
    "plugin",
}


def _column(raw: str) -> str:
    key = " ".join(raw.strip().lower().split())
    key = _COLUMN_SYNONYMS.get(key, key)
    return key.replace(" ", "_")


def _split(value: str) -> list[str]:
    return [part.strip() for part in re.split(r"[;\n]", value) if part.strip()]


def _row(fields: dict[str, str], where: str, line: int) -> Declared:
    name = " ".join(fields.get("name", "").split())
    if not name:
        raise BadInput(f"{where}:{line}: empty vendor name")
    category = None
    if fields.get("category", "").strip():
        category = normalize_category(fields["category"])
        if category is None:
            raise BadInput(
                f"{where}:{line}: unknown category {fields['category'].strip()!r} "
                f"(known: {', '.join(CATEGORIES)})"
            )
    domains = []
    for d in _split(fields.get("domains", "")):
        dom = d.lower().rstrip(".").removeprefix("https://").removeprefix("http://").split("/")[0].lstrip(".")
        if not _DOMAIN.match(dom):
            raise BadInput(f"{where}:{line}: {d!r} is not a domain")
        domains.append(dom.removeprefix("*."))
    cookies = _split(fields.get("cookies", ""))
    for c in cookies:
        if not _COOKIE_NAME.match(c):
            raise BadInput(f"{where}:{line}: {c!r} is not a cookie name")
    return Declared(
        name=name,
        purpose=" ".join(fields.get("purpose", "").split()),
        privacy_policy=fields.get("privacy_policy", "").strip(),
        category=category,
        domains=tuple(dict.fromkeys(domains)),
        cookies=tuple(dict.fromkeys(cookies)),
        line=line,
        source=" ".join(fields.get("source", "").split()) or f"{where}:{line}",
        lifetime=fields.get("lifetime", "").strip() or None,
    )


def parse_declared_csv(text: str, where: str = "vendors.csv") -> list[Declared]:
    """Rows of vendors.csv text; BadInput (with the line number) for anything invalid."""
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise BadInput(f"{where}:{line}: NUL byte (is this a binary file?)")
    reader = csv.reader(io.StringIO(text.removeprefix("\ufeff"), newline=""), strict=True)
    rows: list[Declared] = []
    seen: dict[str, int] = {}
    header: list[str] | None = None
    try:
        for fields in reader:
            line = reader.line_num
            if not any(f.strip() for f in fields):
                continue
            if header is None:
                header = [_column(f) for f in fields]
                if "name" not in header:
                    raise BadInput(
                        f"{where}:{line}: missing header: the first row must name the columns "
                        f"({','.join(COLUMNS[:3])}, optional {','.join(COLUMNS[3:])})"
                    )
                unknown = [h for h in header if h not in COLUMNS]
                if unknown:
                    raise BadInput(
                        f"{where}:{line}: unknown column {unknown[0]!r} (known: {', '.join(COLUMNS)})"
                    )
                dupes = {h for h in header if header.count(h) > 1}
                if dupes:
                    raise BadInput(f"{where}:{line}: column {sorted(dupes)[0]!r} appears twice")
                continue
            if len(fields) > len(header):
                raise BadInput(f"{where}:{line}: {len(fields)} fields but the header has {len(header)}")
            cells = [restore_cell(f) for f in fields]  # '=x written by `policy import -o` is =x
            record = _row(dict(zip(header, cells, strict=False)), where, line)
            key = record.name.casefold()
            if key in seen:
                raise BadInput(
                    f"{where}:{line}: duplicate row: {record.name!r} is already on line {seen[key]}"
                )
            seen[key] = line
            rows.append(record)
    except csv.Error as err:
        raise BadInput(f"{where}:{reader.line_num}: invalid CSV ({err})") from None
    if header is None:
        raise BadInput(f"{where}:1: empty file: missing header (name,purpose,privacy_policy)")
    return rows


def load_declared_csv(path: Path | str) -> list[Declared]:
    """Read vendors.csv (UTF-8, header required). BadInput with file:line for every problem."""
    path = Path(path)
    _, text = read_utf8(path, str(path))
    return parse_declared_csv(text, str(path))


# ---- resolution ---------------------------------------------------------------------------------


def _name_candidates(name: str) -> Iterable[str]:
    """The name, its parts ("Bizo (Linkedin)" -> "Bizo", "Linkedin"), and without qualifiers."""
    yield name
    parts = [p.strip() for p in re.split(r"[()\[\]/,|]| - | – ", name) if p.strip()]
    if len(parts) > 1:
        yield from parts
    for candidate in [name, *parts]:
        words = candidate.split()
        while len(words) > 1 and words[-1].lower().strip(".") in _QUALIFIERS:
            words = words[:-1]
            yield " ".join(words)


def _by_domains(row: Declared, catalog: Catalog) -> VendorEntry | None:
    for dom in row.domains:
        m = catalog.match_host(dom)
        if m is not None:
            return m.vendor
    return None


def _by_cookies(row: Declared, catalog: Catalog) -> VendorEntry | None:
    for cookie in row.cookies:
        if "*" in cookie:
            continue
        m = catalog.match_cookie(cookie, "", first_party=True)
        if m is not None:
            return m.vendor
    return None


def resolve_one(row: Declared, catalog: Catalog) -> Declared:
    """Fill vendor + resolution: parent | exact | alias | former-name | domains | cookies | unresolved."""
    for candidate in _name_candidates(row.name):
        children = catalog.children_of(candidate)
        if len(children) >= 2:
            return replace(row, vendor=children[0].parent, resolution="parent")
        found = catalog.find_name(candidate)
        if found is not None:
            vendor, how = found
            return replace(row, vendor=vendor.name, resolution=how)
    vendor = _by_domains(row, catalog)
    if vendor is not None:
        return replace(row, vendor=vendor.name, resolution="domains")
    vendor = _by_cookies(row, catalog)
    if vendor is not None:
        return replace(row, vendor=vendor.name, resolution="cookies")
    return replace(row, vendor=None, resolution="unresolved")


def resolve_declared(rows: Sequence[Declared], catalog: Catalog) -> tuple[Declared, ...]:
    """Each declared row resolved to a catalog vendor (or its parent company), saying how."""
    return tuple(resolve_one(r, catalog) for r in rows)


def cookie_pattern_matches(pattern: str, name: str) -> bool:
    """A declared cookie name (with optional '*') matches an observed cookie name."""
    return pattern == name if "*" not in pattern else bool(glob_regex(pattern).match(name))
