"""report.html's evidence tables of what the real pipeline writes (attribute() + compare() over
crawler-shaped records, tests/report_factory.py): every column that has data shows it.

The evidence used to drop cookie path and flags and the storage page, so the Path, Attributes and
Page columns were empty for every real scan while hand-made fixtures hid it."""

from __future__ import annotations

from urllib.parse import urlsplit

import lxml.html
import pytest
from report_factory import DEMO_VENDORS_CSV, analysed, demo_records, demo_scan

from scanner.report.html import render_html
from scanner.report.html_view import days_text


def _tables(html: str) -> dict[str, list[tuple[str, list[dict[str, str]]]]]:
    """vendor -> [(evidence heading, rows as {column: cell text})]"""
    doc = lxml.html.fromstring(html)
    out: dict[str, list] = {}
    for details in doc.xpath("//tr[@class='evidence']//details"):
        vendor = details.xpath("./summary")[0].text_content().removeprefix("Evidence for ")
        found = []
        for table in details.xpath("./table"):  # not the decoded-parameter tables inside a cell
            heading = table.xpath("preceding-sibling::h4[1]")[0].text_content()
            heads = [th.text_content().strip() for th in table.xpath("./thead/tr/th")]
            rows = [
                dict(zip(heads, (td.text_content().strip() for td in tr.xpath("./td")), strict=True))
                for tr in table.xpath("./tbody/tr")
            ]
            found.append((heading, rows))
        out[vendor] = found
    return out


@pytest.fixture(scope="module")
def result():
    return demo_scan()


@pytest.fixture(scope="module")
def tables(result):
    return _tables(render_html(result))


def test_no_evidence_cell_is_empty(tables):
    assert set(tables) == {"Criteo", "Hotjar", "unknown-metrics.io", "Facebook", "Google Analytics"}
    empty = [
        (vendor, heading, column)
        for vendor, found in tables.items()
        for heading, rows in found
        for row in rows
        for column, text in row.items()
        if not text
    ]
    assert empty == []


def test_cookie_rows_show_the_cookie_as_recorded(result, tables):
    cookies = {(c.name, c.domain): c for c in result.cookies}
    rows = [
        row
        for found in tables.values()
        for heading, rs in found
        if heading.startswith("Cookies")
        for row in rs
    ]
    assert len(rows) == sum(c.vendor is not None for c in result.cookies) == 8
    for row in rows:
        c = cookies[(row["Name"], row["Domain"])]
        assert row["Path"] == c.path
        assert (
            row["Attributes"].split(" ")[0] == "Secure" and ("HttpOnly" in row["Attributes"]) is c.http_only
        )
        assert f"SameSite={c.same_site}" in row["Attributes"]
        assert row["Lifetime"] == days_text(c.declared_lifetime_days)
        assert row["Attributed by"] == c.vendor_reason
        assert row["First seen on"] == c.page_url
        assert row["Party"] == ("first" if c.first_party else "third")


def test_request_groups_beacons_and_storage_rows(result, tables):
    """Requests are grouped by resource (host and path); each group row counts the scan's requests of
    that resource, with their type and initiating script."""
    for vendor, found in tables.items():
        for heading, rows in found:
            if not heading.startswith(("Requests", "Other requests", "Beacons")):
                continue
            beacons = heading.startswith("Beacons")
            for row in rows:
                where = row["Resource"].split("\n")[0]
                members = [
                    r
                    for r in result.requests
                    if r.vendor == vendor
                    and r.is_beacon == beacons
                    and (r.host + urlsplit(r.url).path.split(";")[0]) in row["Resource"]
                ]
                assert members, (vendor, where)
                assert row["Requests"] == str(len(members))
                assert row["Type"].startswith(members[0].resource_type)
                assert row["Initiator"] == (members[0].initiator or "—")
                if beacons:
                    assert f"beacon: {members[0].beacon_reason}" in row["Type"]
    (storage_rows,) = [rows for heading, rows in tables["Hotjar"] if heading.startswith("Storage")]
    assert storage_rows == [
        {
            "Key": "_hjLastUserId",
            "Kind": "local",
            "Origin": "https://www.example.com",
            "Page": "https://www.example.com/shop",
        }
    ]
    assert any(
        row["Initiator"] != "—"
        for found in tables.values()
        for h, rows in found
        for row in rows
        if "Initiator" in row
    )


def test_declared_as_names_where_each_row_came_from():
    """A vendor declared by two rows of vendors.csv names both lines."""
    csv = DEMO_VENDORS_CSV + "Facebook Pixel,Advertising,https://www.facebook.com/privacy,advertising\n"
    result = analysed(demo_records(), csv)
    (fb,) = [f for f in result.findings if f.vendor == "Facebook"]
    assert fb.declared_name == "Meta Pixel; Facebook Pixel"
    doc = lxml.html.fromstring(render_html(result))
    (cell,) = doc.xpath("//tr[contains(@class,'row')][.//b[text()='Facebook']]/td[3]")
    assert cell.xpath("./div[@class='sub']")[0].text_content() == "vendors.csv:3; vendors.csv:5"
