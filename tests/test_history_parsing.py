"""Property tests of what the history parses and prints: site keys from URLs and host names, the
campaign folder's attempts, finding fingerprints, terminal cells and the matrix CSV."""

from __future__ import annotations

import csv
import io
import re
import tempfile
import unicodedata
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scanner.commands.history import scan_files
from scanner.csvsafe import FORMULA_START, restore_cell
from scanner.errors import BadInput
from scanner.history import finding_fingerprint, site_key
from scanner.history.files import matrix_csv
from scanner.history.queries import Cell, Matrix, MatrixVendor, ScanInfo
from scanner.history.text import clean

LABEL = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
SUFFIX = st.sampled_from(["com", "org", "de", "co.uk", "com.au", "io"])


@given(
    sub=st.lists(LABEL, max_size=3),
    name=LABEL,
    suffix=SUFFIX,
    scheme=st.sampled_from(["http://", "https://", ""]),
    port=st.one_of(st.none(), st.integers(1, 65535)),
    path=st.from_regex(r"(/[a-zA-Z0-9._~%-]{0,10}){0,3}(\?[a-z]=[a-z0-9]{0,5})?", fullmatch=True),
    upper=st.booleans(),
)
def test_site_key_is_the_registrable_domain_of_any_url_or_host_of_the_site(
    sub, name, suffix, scheme, port, path, upper
):
    host = ".".join([*sub, name, suffix])
    url = scheme + (host.upper() if upper else host) + (f":{port}" if port else "") + path
    key = site_key(url)
    assert key == f"{name}.{suffix}"
    assert site_key(host) == key == site_key(key) == site_key(f"https://{key}/")


@given(st.text(max_size=200))
def test_site_key_of_any_text_is_a_key_or_bad_input(text):
    try:
        key = site_key(text)
    except BadInput as err:
        assert "not a site URL or host name" in str(err)
        return
    assert key and key == key.strip() and not any(c.isspace() or c in "/\\@" for c in key)
    assert site_key(key) == key


def test_site_key_examples():
    assert site_key("https://www.Bücher.de/x") == "xn--bcher-kva.de"
    assert site_key("http://127.0.0.1:8080/") == "127.0.0.1"
    assert site_key("https://[::1]:8443/") == "::1"
    assert site_key("localhost") == "localhost"
    for bad in ("", "   ", "https://", "a b.com", "x" * 5000):
        with pytest.raises(BadInput):
            site_key(bad)


@given(
    vendor=st.text(min_size=1, max_size=40).filter(lambda v: v.split()),
    kind=st.sampled_from(["undeclared", "before_consent", "fingerprinting"]),
)
def test_fingerprint_ignores_case_and_spacing_of_the_vendor_but_not_the_site_or_kind(vendor, kind):
    spaced = "  " + "   ".join(vendor.split()) + " "
    fp = finding_fingerprint("example.com", kind, vendor)
    assert len(fp) == 32 and int(fp, 16) >= 0
    assert finding_fingerprint("example.com", kind, spaced.upper().lower()) == finding_fingerprint(
        "example.com", kind, vendor.upper().lower()
    )
    assert finding_fingerprint("example.org", kind, vendor) != fp
    assert finding_fingerprint("example.com", "declared", vendor) != fp


@settings(max_examples=40, deadline=None)
@given(
    attempts=st.lists(st.integers(1, 30), min_size=1, max_size=5, unique=True),
    finished=st.data(),
    junk=st.lists(
        st.sampled_from(["attempt-", "attempt-x", "attempt--1", "notes", "attempt-1.bak"]), max_size=3
    ),
)
def test_a_campaign_folder_gives_each_sites_last_finished_attempt(attempts, finished, junk):
    done = finished.draw(st.lists(st.sampled_from(attempts), unique=True))
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp) / "camp" / "sites" / "example-com"
        for n in attempts:
            (site / f"attempt-{n}").mkdir(parents=True)
        for n in done:
            (site / f"attempt-{n}" / "scan.json").write_text("{}")
        for name in junk:
            (site / name).mkdir(exist_ok=True)
            (site / name / "scan.json").write_text("{}")
        if not done:
            with pytest.raises(BadInput, match="without any finished scan"):
                scan_files(Path(tmp) / "camp")
            return
        files, campaign = scan_files(Path(tmp) / "camp")
        assert campaign == "camp"
        assert files == [site / f"attempt-{max(done)}" / "scan.json"]


@given(st.text(max_size=300), st.integers(2, 80))
def test_terminal_cells_hold_no_control_or_format_character(text, limit):
    cell = clean(text, limit)
    assert len(cell) <= limit
    assert not any(unicodedata.category(c) in ("Cc", "Cf", "Cs", "Zl", "Zp") for c in cell)
    if len(text) <= limit and all(c.isprintable() for c in text):
        assert cell == text


# One-line names (a cell with a line break is neutralised line by line, which restore_cell does not undo)
NAMES = st.text(
    st.characters(blacklist_categories=("Cs",), blacklist_characters="\r\n"), min_size=1, max_size=30
)
NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")


@settings(max_examples=60)
@given(names=st.lists(NAMES, min_size=1, max_size=4, unique=True), site=NAMES)
def test_matrix_csv_parses_back_to_the_names_and_no_cell_is_a_formula(names, site):
    info = ScanInfo(
        1, site, "c", "https://example.com/", "2026-01-01T00:00:00Z", "FAIL", 1, False, 3, "scan.json"
    )
    vendors = tuple(MatrixVendor(n, None, 1, 1) for n in names)
    cells = {(site, n): Cell("undeclared", ("before_consent",)) for n in names}
    text = matrix_csv(Matrix("c", (info,), vendors, cells))
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    for cell in (c for row in rows for c in row):
        assert not cell.startswith(FORMULA_START) or NUMBER.fullmatch(cell), cell
    header = [restore_cell(h) for h in rows[0]]
    assert header[7:] == [n.replace("\x00", "\ufffd") for n in names]
    assert rows[1][7:] == ["undeclared; before_consent"] * len(names)


def test_matrix_page_shows_the_most_widespread_vendors_and_counts_all():
    import lxml.html

    from scanner.history.files import MAX_HTML_VENDORS, matrix_html

    info = ScanInfo(
        1, "example.com", "c", "https://example.com/", "2026-01-01T00:00:00Z", "FAIL", 1, False, 3, "x"
    )
    n = MAX_HTML_VENDORS + 10
    vendors = tuple(MatrixVendor(f"v{i:03d}", None, 1, 1) for i in range(n))
    cells = {("example.com", v.name): Cell("undeclared") for v in vendors}
    doc = lxml.html.fromstring(matrix_html(Matrix("c", (info,), vendors, cells)))
    heads = doc.xpath("//table[@id='matrix-table']/thead/tr/th")
    assert len(heads) == 4 + MAX_HTML_VENDORS
    assert doc.xpath("//table[@id='matrix-table']/tbody/tr/td[4]")[0].text == str(
        n
    )  # every undeclared vendor
    assert len(doc.xpath("//table[@id='prevalence-table']/tbody/tr")) == n
    assert f"most widespread of {n} vendors" in doc.text_content()
