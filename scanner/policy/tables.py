"""Vendors from tables: Markdown pipe tables arrive here as HTML tables, so one reader serves both.

A table either lists vendors (a column names the provider/partner/processor) or lists cookies
(a column names the cookie); cookie rows are grouped under the vendor that a column, the caption,
the heading above or the purpose text names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bs4 import BeautifulSoup, Tag

from .document import heading_before, preceding_text, text_of
from .found import Extraction, Found
from .links import Link, choose_privacy_link, links_in, name_matches_domain
from .names import (
    is_cookie_like,
    is_generic,
    looks_like_name,
    normalise_name,
    vendor_in_label,
    vendor_named_in,
)
from .site import Site


@dataclass
class Cell:
    text: str
    links: list[Link]
    header: bool


def table_grid(table: Tag) -> list[list[Cell]]:
    """Rows of cells with rowspan/colspan expanded (a spanned cell repeats in every slot it covers)."""
    grid: list[list[Cell]] = []
    pending: dict[int, tuple[Cell, int]] = {}  # column -> (cell, rows still to fill)
    for tr in _own_rows(table):
        row: list[Cell] = []
        for td in tr.find_all(["td", "th"], recursive=False):
            _fill_spanned(row, pending)
            cell = Cell(text_of(td), links_in(td), td.name == "th")
            rowspan = _span(td.get("rowspan"))
            for _ in range(_span(td.get("colspan"))):
                if rowspan > 1:
                    pending[len(row)] = (cell, rowspan - 1)
                row.append(cell)
        _fill_spanned(row, pending)
        if row:
            grid.append(row)
    return grid


def _fill_spanned(row: list[Cell], pending: dict[int, tuple[Cell, int]]) -> None:
    """Append the cells that earlier rows' rowspans carry into the next free columns of row."""
    while len(row) in pending:
        col = len(row)
        cell, left = pending[col]
        row.append(cell)
        if left <= 1:
            del pending[col]
        else:
            pending[col] = (cell, left - 1)


def _own_rows(table: Tag) -> list[Tag]:
    return [tr for tr in table.find_all("tr") if tr.find_parent("table") is table]


def _span(value: object) -> int:
    try:
        return max(1, min(int(str(value).strip()), 50))
    except (TypeError, ValueError):
        return 1


# Column roles, tried in this order on the lower-cased header text.
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("site", re.compile(r"\busing\b|\bused on\b|\bwhere used\b")),
    ("other", re.compile(r"location|countr|region|transfer|safeguard")),
    (
        "purpose",
        re.compile(
            r"purpose|descri|reason|usage|\buses?\b|\bused\b.*\bfor\b|used to|\bwhy\b|function|"
            r"what (?:it|they|we|this|the \w+) (?:do|does|is|are|use|offer|provide)|"
            r"what (?:is )?it(?:'s| is)? for|"
            r"explanation|processing|activit|\brole\b|\bscope\b|objective|\baims?\b|\bgoals?\b|intended|"
            r"benefit|task|subject matter|what for|"
            # a kind of service is what the vendor does for the site ("Type of service", "Service type")
            r"(?:type|kind|nature|category|categories|description|area)s? of (?:the )?"
            r"(?:services?|work|support)|"
            r"services? (?:type|kind|category|categories|provided|offered|performed|rendered|delivered|area)|"
            r"(?:provided|offered) services?"
        ),
    ),
    ("expiry", re.compile(r"expir|duration|lifetime|life span|lifespan|retention|how long|period|validity")),
    ("category", re.compile(r"\btype\b|categor|\bkind\b|classification|\bgroup\b")),
    ("other", re.compile(r"^when\b")),
    (
        "link",
        re.compile(
            r"privacy|polic|\blinks?\b|more info|further info|information|\binfo\b|\burl\b|"
            r"notice|opt.?out|website"
        ),
    ),
    (
        "vendor",
        re.compile(
            r"set by|on behalf|party|provider|subgroup|vendor|partner|service|processor|compan|"
            r"organi[sz]ation|supplier|recipient|third|\btool|platform|technolog|controller|"
            r"\bhost|domain|owner|\bentit(?:y|ies)\b"
        ),
    ),
    ("cookie", re.compile(r"cookie|\bkey\b|identifier|storage")),
    ("name", re.compile(r"\bname\b|\bnames\b|^title$")),
)


def column_role(header: str) -> str:
    role = _role(header)
    return "other" if role == "unknown" else role


def _role(header: str) -> str:
    """column_role, but 'unknown' for a header that names no role at all ("Details", "Notes")."""
    header = header.lower().strip()
    for role, pattern in _ROLES:
        if pattern.search(header):
            return role
    return "unknown"


def _header_row(grid: list[list[Cell]]) -> int | None:
    """Index of the header row: the first all-<th> row, else a first row that reads like headers."""
    for i, row in enumerate(grid[:3]):
        if row and all(cell.header for cell in row):
            return i
    if grid and sum(column_role(c.text) != "other" for c in grid[0]) >= 2:
        return 0
    return None


def _label_of(table: Tag) -> str:
    caption = table.find("caption")
    if caption is not None and text_of(caption):
        return text_of(caption)
    heading = heading_before(table)
    return text_of(heading) if heading is not None else ""


def extract_tables(soup: BeautifulSoup, site: Site) -> Extraction:
    out = Extraction()
    used: dict[str, int] = {}
    for number, table in enumerate(soup.find_all("table"), start=1):
        if table.find("table") is not None:  # layout table around real tables
            continue
        label = _label_of(table) or f"#{number}"
        used[label] = used.get(label, 0) + 1
        if used[label] > 1:
            label = f"{label} ({used[label]})"
        _read_table(table, label, site, out)
    return out


def _read_table(table: Tag, label: str, site: Site, out: Extraction) -> None:
    where = f"table '{label}'"
    grid = table_grid(table)
    header_index = _header_row(grid)
    if header_index is None or len(grid) <= header_index + 1:
        out.skip(where, "no header row naming a vendor or cookie column")
        return
    headers = [cell.text for cell in grid[header_index]]
    roles = [_role(h) for h in headers]
    body = grid[header_index + 1 :]
    vendor_col = _first(roles, "vendor")
    cookie_col = _first(roles, "cookie")
    name_col = _first(roles, "name")
    purpose_col = _first(roles, "purpose")
    link_col = _first(roles, "link")
    expiry_col = _first(roles, "expiry")
    if name_col is not None:
        values = [row[name_col].text for row in body if name_col < len(row) and row[name_col].text]
        cookie_share = sum(is_cookie_like(v) for v in values) / max(1, len(values))
        name_is_cookie = "expiry" in roles or cookie_col is not None or cookie_share >= 0.5
        if vendor_col is None and not name_is_cookie:
            vendor_col = name_col
        elif cookie_col is None:
            cookie_col = name_col
    if vendor_col is None and cookie_col is None:
        out.skip(where, f"no vendor or cookie column (headers: {' | '.join(headers)})")
        return
    if purpose_col is None:
        purpose_col = _stand_in_purpose(roles, body, vendor_table=cookie_col is None)
    caption_vendor = vendor_in_label(label) or _vendor_of_section(table, grid)
    first_party = unattributed = 0
    for index, row in enumerate(body, start=1):

        def cell(col: int | None, row: list[Cell] = row) -> Cell | None:
            return row[col] if col is not None and col < len(row) else None

        vendor_cell, cookie_cell = cell(vendor_col), cell(cookie_col)
        purpose_cell, link_cell, expiry_cell = cell(purpose_col), cell(link_col), cell(expiry_col)
        purpose = purpose_cell.text if purpose_cell else ""
        links = link_cell.links if link_cell else []
        if not links and vendor_cell is not None:
            links = vendor_cell.links
        privacy = choose_privacy_link(links, fallback_to_any=link_cell is not None)
        cookies: tuple[str, ...] = ()
        name = ""
        if vendor_cell is not None and vendor_cell.text and not is_cookie_like(vendor_cell.text):
            name = vendor_cell.text
            if cookie_cell is not None and cookie_cell.text:
                cookies = tuple(_cookie_names(cookie_cell.text))
        else:
            cookie_text = (cookie_cell or vendor_cell).text if (cookie_cell or vendor_cell) else ""
            if cookie_text and is_cookie_like(cookie_text) or cookie_cell is not None:
                cookies = tuple(_cookie_names(cookie_text))
            # a company's name in the cookie column, backed by its own link (e.g. "Inspectlet")
            if (
                cookie_text
                and not is_cookie_like(cookie_text)
                and privacy
                and name_matches_domain(cookie_text, privacy)
            ):
                name, cookies = cookie_text, ()
            else:
                name = vendor_named_in(purpose) or caption_vendor or ""
        name = normalise_name(re.sub(r"\[\d+\]$", "", name))
        if not name or is_generic(name) or len(re.findall(r"[^\W\d_]", name)) < 2:
            unattributed += 1
            continue
        owned_link = any(site.owns_url(link.url) for link in links)
        says_first_party = any(_FIRST_PARTY_CELL.match(c.text) for c in row)
        if site.owns_name(name) or (privacy and site.owns_url(privacy)) or owned_link or says_first_party:
            first_party += 1
            continue
        lifetime = expiry_cell.text if expiry_cell is not None and expiry_cell.text else None
        out.found.append(
            Found(name, purpose or label, privacy, f"{where} row {index}", "table", cookies, lifetime)
        )
    if first_party:
        out.skip(f"{where}: {first_party} row(s)", "first party (the site's own name or domain)")
    if unattributed:
        why = "cookie rows naming no vendor (first party or unattributed)"
        out.skip(f"{where}: {unattributed} row(s)", why)


def _stand_in_purpose(roles: list[str], body: list[list[Cell]], *, vendor_table: bool) -> int | None:
    """With no purpose header, the column that says what each vendor is for: one under an
    unrecognised header ("Details") whose cells are descriptions (three words or more on average, no
    bare links), else, in a table of vendors, the category column ("Analytics", "Payments")."""
    for col, role in enumerate(roles):
        if role != "unknown":
            continue
        values = [row[col] for row in body if col < len(row) and row[col].text]
        if not values or any(
            cell.text.lower().startswith(("http://", "https://", "www.")) for cell in values
        ):
            continue
        words = sum(len(cell.text.split()) for cell in values) / len(values)
        if words >= 3:
            return col
    category = _first(roles, "category")
    return category if vendor_table else None


def _vendor_of_section(table: Tag, grid: list[list[Cell]]) -> str | None:
    """Vendor named by the heading above a cookie table: "Google Analytics cookies", or a bare name
    ("Hotjar") that the section backs up with a link to that vendor's site or a sentence such as
    "we use Hotjar" / "set by Hotjar". Bare headings alone ("Jetpack Comments") are not enough."""
    heading = heading_before(table)
    if heading is None:
        return None
    label = text_of(heading)
    named = vendor_in_label(label)
    if named:
        return named
    name = normalise_name(label)
    if not looks_like_name(name, max_words=4) or is_cookie_like(name):
        return None
    section = preceding_text(table, max_blocks=3)
    if re.search(rf"\b(?:use|uses|using|by|from|with)\s+{re.escape(name)}\b", section):
        return name
    links = [link for row in grid for cell in row for link in cell.links]
    for node in heading.find_all_next(["p", "table"], limit=4):
        if node is table:
            break
        links.extend(links_in(node))
    if any(name_matches_domain(name, link.url) for link in links):
        return name
    return None


_FIRST_PARTY_CELL = re.compile(r"^(?:first|1st|own)[- ]?party(?: cookies?)?$", re.I)


def _first(roles: list[str], role: str) -> int | None:
    return roles.index(role) if role in roles else None


def _cookie_names(text: str) -> list[str]:
    """Cookie names in a cell ("`_ga` and `_gid`", "utma / utmb"); pieces that cannot be cookie
    names (quotes, '=', backslashes) are left out."""
    pieces = (p.strip("` ") for p in re.split(r"\s*(?:/|,|;|\band\b|\bor\b|\s)\s*", text))
    return [p for p in pieces if p and not re.search(r"[\s;,=\"\\]", p)]
