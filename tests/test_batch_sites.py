"""The SITES file of `scanner batch`: text and CSV forms, per-site options, and one located line of
error (BadInput) for anything unusable, never a traceback."""

from __future__ import annotations

import string
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scanner.batch.sites import check_url, parse_sites, read_sites, site_slug
from scanner.errors import BadInput

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


def test_a_text_file_gives_one_job_a_line_without_comments_or_blanks(tmp_path):
    path = write(
        tmp_path,
        "sites.txt",
        "# clients of the agency\n\nhttps://www.example.com/\n  example.org  \n# gone\nhttp://Shop.Example.NET:8080/a?b=1#x\n",
    )
    jobs = read_sites(path)
    assert [j.url for j in jobs] == [
        "https://www.example.com/",
        "https://example.org/",
        "http://shop.example.net:8080/a?b=1",
    ]
    assert [j.line for j in jobs] == [3, 4, 6]
    assert all(j.vendors is None and j.first_party == () and j.max_pages is None for j in jobs)


def test_a_csv_carries_each_sites_options_resolved_against_its_folder(tmp_path):
    (tmp_path / "decl").mkdir()
    write(tmp_path, "decl/shop-vendors.csv", "name,purpose\nGoogle Analytics,analytics\n")
    write(tmp_path, "policy.md", "# Cookies\n")
    path = write(
        tmp_path,
        "sites.csv",
        "# campaign of May\n"
        "URL,vendors,policy,first_party,max-pages\n"
        "https://www.shop.com/,decl/shop-vendors.csv,,shop-cdn.com; shop-img.net,20\n"
        "https://www.blog.com/,,policy.md,,\n"
        "https://news.com/,,https://news.com/privacy,,\n"
        "\n"
        "www.plain.org\n",
    )
    shop, blog, news, plain = read_sites(path)
    assert shop.vendors == str((tmp_path / "decl/shop-vendors.csv").resolve())
    assert shop.first_party == ("shop-cdn.com", "shop-img.net") and shop.max_pages == 20 and shop.line == 3
    assert blog.policy == str((tmp_path / "policy.md").resolve()) and blog.vendors is None
    assert news.policy == "https://news.com/privacy"
    assert plain.url == "https://www.plain.org/" and plain.max_pages is None and plain.line == 7


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "https://a.com/\nhttps://b.com/\nhttps://a.com/\n",
            "sites.txt:3: https://a.com/ is listed twice (first on line 1)",
        ),
        ("https://a.com/\nftp://files.a.com/\n", "sites.txt:2: 'ftp://files.a.com/': only http and https"),
        ("https://a.com/\nhttps:///nohost\n", "sites.txt:2: 'https:///nohost' has no usable host name"),
        ("https://a.com/\nhttps://a b.com/\n", "sites.txt:2:"),
        ("https://a.com:99999/\n", "sites.txt:1: 'https://a.com:99999/' is not a URL"),
        ("# only comments\n\n", "sites.txt: no site to scan"),
        ("url,max_pages\nhttps://a.com/,0\n", "sites.txt:2: max_pages '0' is not a whole number"),
        ("url,max_pages\nhttps://a.com/,ten\n", "sites.txt:2: max_pages 'ten'"),
        ("url,vendors\nhttps://a.com/,missing.csv\n", "sites.txt:2: vendors: no file"),
        ("url,vendors,policy\nhttps://a.com/,v.csv,p.md\n", "sites.txt:2: give vendors or policy, not both"),
        ("url,client\nhttps://a.com/,ACME\n", "sites.txt:1: unknown column 'client'"),
        ("url,url\nhttps://a.com/,x\n", "sites.txt:1: column 'url' appears twice"),
        ("url,first_party\nhttps://a.com/,not a domain\n", "sites.txt:2: first_party 'not a domain'"),
        ("url\nhttps://a.com/,extra\n", "sites.txt:2: 2 cells but the header has 1 columns"),
        ("url,max_pages\n,3\n", "sites.txt:2: the url cell is empty"),
        ('url\n"https://a.com/\n', "sites.txt:"),
    ],
)
def test_unusable_lines_are_named(tmp_path, text, message):
    path = write(tmp_path, "sites.txt", text)
    with pytest.raises(BadInput) as err:
        read_sites(path)
    assert message in str(err.value)
    assert "\n" not in str(err.value)


def test_files_that_are_not_text_are_refused(tmp_path):
    with pytest.raises(BadInput, match="not UTF-8"):
        read_sites(write(tmp_path, "latin.txt", "https://caf\xe9.fr/\n".encode("latin-1")))
    with pytest.raises(BadInput, match="NUL"):
        read_sites(write(tmp_path, "nul.txt", b"https://a.com/\x00\n"))
    with pytest.raises(BadInput, match="cannot read|not a regular file"):
        read_sites(tmp_path / "missing.txt")
    with pytest.raises(BadInput, match="not a regular file"):
        read_sites(tmp_path)


def test_slugs_are_file_names_unique_per_start_url():
    a, b = site_slug("https://www.shop.com/"), site_slug("https://www.shop.com/de/")
    assert a.startswith("www.shop.com-") and b.startswith("www.shop.com-") and a != b
    assert site_slug("https://bücher.de/").startswith("xn--bcher-kva.de-")
    assert site_slug("https://www.shop.com/") == a  # stable: --resume finds the same folder


URLISH = st.text(alphabet=string.printable + "éü/:?#@[]%\u202e\x00", max_size=80)


@FAST
@given(st.lists(URLISH, max_size=8), st.booleans())
def test_any_input_is_jobs_or_one_located_line(tmp_path, lines, as_csv):
    text = ("url,max_pages,first_party\n" if as_csv else "") + "\n".join(lines)
    try:
        jobs = parse_sites(text, base=tmp_path, label="S")
    except BadInput as err:
        assert str(err).startswith("S") and "\n" not in str(err)
        return
    for job in jobs:
        assert check_url(job.url, "again") == job.url  # a parsed URL is canonical
        assert job.url.startswith(("http://", "https://"))
        assert "/" not in site_slug(job.url) and site_slug(job.url).strip(".")
    assert len({j.url for j in jobs}) == len(jobs)


@FAST
@given(st.binary(max_size=300))
def test_any_bytes_are_jobs_or_one_line(tmp_path, raw):
    path = write(tmp_path, "sites.bin", raw)
    try:
        read_sites(path)
    except BadInput as err:
        assert "\n" not in str(err)
