"""vendors.csv: parsing (errors with line numbers, never a traceback) and name resolution."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.catalog import load_catalog
from scanner.declared import load_declared_csv, parse_declared_csv, resolve_declared
from scanner.errors import BadInput

VENDORS_CSV = Path(__file__).resolve().parent.parent / "vendors.csv"


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def test_seed_vendors_csv_has_the_16_rows_of_the_policy_table():
    rows = load_declared_csv(VENDORS_CSV)
    assert [r.name for r in rows] == [
        "Google analytics",
        "Adwords Conversion",
        "Capterra",
        "Facebook",
        "Google Interest Based Ads",
        "Criteo",
        "Doubleclick",
        "Getapp",
        "Acquisio",
        "Chango",
        "Quantcast",
        "Bing",
        "Magnetic",
        "Shareasale",
        "Bizible",
        "Bizo (Linkedin)",
    ]
    assert rows[0].line == 2 and rows[0].source == f"{VENDORS_CSV}:2"
    assert rows[3].purpose == "Facebook tracking to track people interactions with the Like button."
    assert rows[13].privacy_policy.startswith("https://www.shareasale.com/agreement.cfm")


def test_seed_rows_resolve_and_say_how(catalog):
    resolved = {
        r.name: (r.vendor, r.resolution) for r in resolve_declared(load_declared_csv(VENDORS_CSV), catalog)
    }
    assert resolved == {
        "Google analytics": ("Google Analytics", "exact"),
        "Adwords Conversion": ("Google Ads", "alias"),
        "Capterra": ("Capterra", "exact"),
        "Facebook": ("Facebook", "exact"),
        "Google Interest Based Ads": ("DoubleClick", "alias"),
        "Criteo": ("Criteo", "exact"),
        "Doubleclick": ("DoubleClick", "exact"),
        "Getapp": ("GetApp", "exact"),
        "Acquisio": ("Acquisio", "exact"),
        "Chango": ("Magnite", "former-name"),
        "Quantcast": ("Quantcast", "exact"),
        "Bing": ("Microsoft Advertising", "alias"),
        "Magnetic": ("Magnetic", "exact"),
        "Shareasale": ("ShareASale", "exact"),
        "Bizible": ("Bizible", "exact"),
        "Bizo (Linkedin)": ("LinkedIn", "former-name"),
    }


@pytest.mark.parametrize(
    ("name", "extra", "vendor", "how"),
    [
        ("google", "", "Google", "parent"),
        ("Meta Platforms", "", "Meta Platforms", "parent"),
        ("Capterra conversion pixel", "", "Capterra", "exact"),
        ("Hotjar Ltd", "", "Hotjar", "exact"),
        ("Our analytics", "pixelmetrics-demo.io;static.hotjar.com,", "Hotjar", "domains"),
        ("Something", ",_ga;_gid", "Google Analytics", "cookies"),
        ("Acme Widgets", "", None, "unresolved"),
    ],
)
def test_resolution_paths(catalog, name, extra, vendor, how):
    domains, _, cookies = extra.partition(",")
    text = f"name,purpose,domains,cookies\n{name},x,{domains},{cookies}\n"
    (row,) = resolve_declared(parse_declared_csv(text), catalog)
    assert (row.vendor, row.resolution) == (vendor, how)


def test_optional_columns_are_read():
    (row,) = parse_declared_csv(
        "Name, Purpose ,Privacy Policy,Category,Domains,Cookies,Retention\n"
        'Acme,"Ads, retargeting",https://acme.example/p,Advertising,"acme.example; *.acme-cdn.net",'
        '"acme_id;acme_s_*",13 months\n'
    )
    assert row.category == "advertising"
    assert row.domains == ("acme.example", "acme-cdn.net")
    assert row.cookies == ("acme_id", "acme_s_*")
    assert row.lifetime == "13 months" and row.purpose == "Ads, retargeting"


def test_source_column_is_kept_and_defaults_to_file_and_line():
    rows = parse_declared_csv(
        "name,purpose,privacy_policy,source\n"
        "Criteo,ads,https://criteo.example/p,\"  table 'Marketing Cookies'\n  row 6 \"\n"
        "Quantcast,ads,,\n"
        "Hotjar,analytics\n",
        "imported.csv",
    )
    assert [(r.name, r.source) for r in rows] == [
        ("Criteo", "table 'Marketing Cookies' row 6"),
        ("Quantcast", "imported.csv:4"),
        ("Hotjar", "imported.csv:5"),
    ]
    (row,) = parse_declared_csv("name,purpose\nCriteo,ads\n", "v.csv")
    assert row.source == "v.csv:2"
    (row,) = parse_declared_csv("Source,Vendor\nprose (low confidence) in 'Ads',Criteo\n")
    assert (row.name, row.source) == ("Criteo", "prose (low confidence) in 'Ads'")


def test_source_column_appears_once():
    with pytest.raises(BadInput, match="vendors.csv:1: column 'source' appears twice"):
        parse_declared_csv("name,source,source\nCriteo,a,b\n")


def test_bom_blank_lines_and_crlf_are_fine():
    rows = parse_declared_csv("\ufeffname,purpose\r\n\r\nCriteo,ads\r\n,\r\nQuantcast,ads\r\n")
    assert [(r.name, r.line) for r in rows] == [("Criteo", 3), ("Quantcast", 5)]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "vendors.csv:1: empty file: missing header"),
        ("Criteo,ads,https://criteo.com\n", "vendors.csv:1: missing header"),
        ("name,purpose\nCriteo,ads\n,no name here\n", "vendors.csv:3: empty vendor name"),
        ("name,purpose\nCriteo,ads\nQuantcast,ads\ncriteo,again\n", "vendors.csv:4: duplicate row: 'criteo'"),
        ("name,purpose\nCriteo,ads,extra\n", "vendors.csv:2: 3 fields but the header has 2"),
        ("name,purpose,colour\nCriteo,ads,red\n", "vendors.csv:1: unknown column 'colour'"),
        ("name,name\nCriteo,x\n", "vendors.csv:1: column 'name' appears twice"),
        ("name,category\nCriteo,spyware\n", "vendors.csv:2: unknown category 'spyware'"),
        ("name,domains\nCriteo,not a domain\n", "vendors.csv:2: 'not a domain' is not a domain"),
        ("name,cookies\nCriteo,a b\n", "vendors.csv:2: 'a b' is not a cookie name"),
        ('name,purpose\nCriteo,"unterminated\n', "vendors.csv:2: invalid CSV"),
        ("name,purpose\nCriteo,a\x00b\n", "vendors.csv:2: NUL byte"),
    ],
)
def test_invalid_csv_is_bad_input_with_the_line(text, message):
    with pytest.raises(BadInput) as err:
        parse_declared_csv(text)
    assert message in str(err.value)
    assert err.value.exit_code == 2 and "\n" not in str(err.value)


def test_wrong_encoding_names_the_line(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_bytes("name,purpose\nCriteo,ads\nCaf\u00e9,x\n".encode("latin-1"))
    with pytest.raises(BadInput, match=r"vendors.csv:3: not UTF-8 \(byte 0xe9\)"):
        load_declared_csv(path)
    with pytest.raises(BadInput, match="cannot read"):
        load_declared_csv(tmp_path / "missing.csv")


def test_cli_reports_a_bad_vendors_csv_in_one_line_with_exit_2(tmp_path):
    path = tmp_path / "vendors.csv"
    path.write_text("name,purpose\nCriteo,ads\n,empty\n")
    code = (
        "import sys\n"
        "from scanner.declared import load_declared_csv\n"
        "from scanner.errors import BadInput\n"
        "try:\n"
        f"    load_declared_csv({str(path)!r})\n"
        "except BadInput as e:\n"
        "    print(e, file=sys.stderr); sys.exit(e.exit_code)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert proc.stderr.strip() == f"{path}:3: empty vendor name"


_CSV_ALPHABET = st.sampled_from(
    list('name,purpose;privacy_policy"\n\r\t category domains cookies lifetime ab.*\x00é')
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(_CSV_ALPHABET, max_size=200) | st.text(max_size=200))
def test_any_text_parses_or_is_bad_input(text):
    try:
        rows = parse_declared_csv(text)
    except BadInput as err:
        assert str(err).startswith("vendors.csv:") and "\n" not in str(err)
    else:
        assert all(r.name and r.line and r.source for r in rows)
        assert len({r.name.casefold() for r in rows}) == len(rows)


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=200))
def test_any_bytes_load_or_are_bad_input(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("csv") / "vendors.csv"
    path.write_bytes(b"name,purpose\n" + data)
    try:
        load_declared_csv(path)
    except BadInput as err:
        assert "\n" not in str(err)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(
            st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), min_size=1, max_size=30
        ),
        min_size=1,
        max_size=8,
        unique_by=lambda s: " ".join(s.split()).casefold(),
    )
)
def test_written_rows_read_back(names):
    import csv
    import io

    names = [n for n in names if " ".join(n.split())]
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["name", "purpose", "privacy_policy"])
    for n in names:
        writer.writerow([n, "purpose of " + n, ""])
    rows = parse_declared_csv(buf.getvalue())
    assert [r.name for r in rows] == [" ".join(n.split()) for n in names]
    for row in resolve_declared(rows, load_catalog()):
        assert row.resolution in {
            "exact",
            "alias",
            "former-name",
            "parent",
            "domains",
            "cookies",
            "unresolved",
        }


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=40),
        min_size=1,
        max_size=6,
    )
)
def test_source_cells_read_back_on_one_line(sources):
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["name", "source"])
    for i, source in enumerate(sources):
        writer.writerow([f"Vendor {i}", source])
    rows = parse_declared_csv(buf.getvalue(), "in.csv")
    assert [r.name for r in rows] == [f"Vendor {i}" for i in range(len(sources))]
    for row, source in zip(rows, sources, strict=True):
        assert row.source == (" ".join(source.split()) or f"in.csv:{row.line}")
