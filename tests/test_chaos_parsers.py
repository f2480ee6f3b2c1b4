"""Set-Cookie and cookie-date parsers that no header can break: any text gives a result in range."""

from __future__ import annotations

import math

from hypothesis import given
from hypothesis import strategies as st

from scanner.collect.base import Visit
from scanner.collect.cookiedate import EARLIEST, LATEST, parse_cookie_date, parse_max_age
from scanner.collect.cookies import CookieCollector
from scanner.collect.setcookie import DAY, parse_set_cookie
from scanner.scope import Scope, Target

NOW = 1_764_000_000.0  # 2025-11-24T16:00:00Z

_numbers = st.one_of(
    st.integers(min_value=-(10**30), max_value=10**30).map(str),
    st.integers(min_value=1, max_value=5000).map(lambda n: "9" * n),
    st.integers(min_value=1, max_value=5000).map(lambda n: "-" + "9" * n),
    st.sampled_from(["+5", " 7", "1e9", "0x10", "٥", "1_000", "", "-", "--1", "nan", "inf"]),
)
_dates = st.one_of(
    st.sampled_from(
        [
            "Wed, 01 Jan 99999 00:00:00 GMT",
            "Thu, 01-Jan-1900 00:00:00 GMT",
            "Mon, 31 Feb 2030 00:00:00 GMT",
            "Fri, 31 Dec 9999 23:59:59 GMT",
            "Sat, 01 Jan 0000 00:00:00 GMT",
            "01 Jan 70 00:00:00",
            "Jan 1 99:99:99 2030",
            "Wed, 01 Jan " + "9" * 400 + " 00:00:00 GMT",
        ]
    ),
    st.text(max_size=60),
)
_attribute = st.one_of(
    _numbers.map(lambda v: f"Max-Age={v}"),
    _dates.map(lambda v: f"Expires={v}"),
    st.sampled_from(["Secure", "HttpOnly", "SameSite=Lax", "SameSite=", "Domain=.x.com", "Path=/a", "Path="]),
    st.text(max_size=40),
)
_lines = st.one_of(
    st.text(max_size=300),
    st.builds(
        lambda pair, attrs: "; ".join([pair, *attrs]),
        st.text(max_size=30),
        st.lists(_attribute, max_size=6),
    ),
)
_urls = st.one_of(
    st.sampled_from(["https://www.example.com/a/b", "http://x", "http://[", "http://[::1", "not a url", ""]),
    st.text(max_size=60),
)


def assert_in_range(c) -> None:
    assert c.path.startswith("/")
    assert len(c.name) <= 4096 and len(c.value) <= 4096
    if c.expires is None:
        assert c.lifetime_days is None
    else:
        assert EARLIEST <= c.expires <= LATEST
        assert math.isfinite(c.lifetime_days)
        assert abs(c.lifetime_days - (c.expires - NOW) / DAY) < 0.01


@given(_lines, _urls)
def test_any_set_cookie_line_parses_in_range(line, url):
    c = parse_set_cookie(line, url, NOW)
    if c is not None:
        assert_in_range(c)


@given(_dates)
def test_any_expires_is_a_date_in_range_or_none(text):
    when = parse_cookie_date(text)
    assert when is None or EARLIEST <= when <= LATEST


@given(_numbers)
def test_max_age_is_digits_only_and_saturates(text):
    seconds = parse_max_age(text)
    if seconds is not None:
        assert abs(seconds) <= LATEST
        assert text.lstrip("-").isascii() and text.lstrip("-").isdigit()


def test_out_of_range_attributes_saturate_as_in_chromium():
    huge = parse_set_cookie("a=1; Max-Age=" + "9" * 400, "https://x.com/", NOW)
    assert huge.expires == LATEST and huge.lifetime_days > 400
    negative = parse_set_cookie("a=1; Max-Age=-" + "9" * 400, "https://x.com/", NOW)
    assert negative.expires == EARLIEST and negative.lifetime_days < 0  # a deletion
    far = parse_set_cookie("a=1; Expires=Wed, 01 Jan 99999 00:00:00 GMT", "https://x.com/", NOW)
    assert far.expires == LATEST
    old = parse_set_cookie("a=1; Expires=Thu, 01-Jan-1900 00:00:00 GMT", "https://x.com/", NOW)
    assert old.expires == EARLIEST
    # Not a number for a browser: the attribute is ignored (a session cookie), not half-read.
    for bad in ("+5", "5s", "٥", "1_000", " 5x"):
        assert parse_set_cookie(f"a=1; Max-Age={bad}", "https://x.com/", NOW).expires is None
    # The last valid Max-Age wins; Max-Age wins over Expires.
    both = parse_set_cookie(
        "a=1; Max-Age=60; Max-Age=junk; Expires=Wed, 01 Jan 2070 00:00:00 GMT", "https://x.com/", NOW
    )
    assert both.expires == NOW + 60


def test_cookie_date_formats_browsers_accept():
    expected = 3155760000.0  # 2070-01-01T00:00:00Z
    for text in (
        "Wed, 01 Jan 2070 00:00:00 GMT",
        "Wed, 01-Jan-2070 00:00:00 GMT",
        "Wednesday, 01-Jan-2070 00:00:00 GMT",
        "Jan 1 00:00:00 2070",
        "1 jan 2070 00:00:00",
    ):
        assert parse_cookie_date(text) == expected, text
    assert parse_cookie_date("Thu, 01-Jan-70 00:00:00 GMT") == 0.0  # two-digit years: 1970..2069
    assert parse_cookie_date("Wed, 01-Jan-69 00:00:00 GMT") == 3124224000.0
    assert parse_cookie_date("Mon, 31 Feb 2030 00:00:00 GMT") is None
    assert parse_cookie_date("tomorrow") is None


class _NoPage:
    context = None


def test_one_bad_set_cookie_line_leaves_the_others_to_the_header():
    collector = CookieCollector()
    visit = Visit(
        target=Target("https://www.example.com/", 0),
        page=_NoPage(),
        scope=Scope(["https://www.example.com/"]),
        index=1,
    )
    visit.state[collector.name] = []
    header = "\n".join(["a=1; Max-Age=60", "b=2; Max-Age=" + "9" * 400, "c=3; Expires=garbage", "d=4"])
    collector._set_cookie_lines(visit, header, "https://www.example.com/")
    seen = {o["name"]: o for o in visit.state[collector.name]}
    assert sorted(seen) == ["a", "b", "c", "d"]
    assert {o["source"] for o in seen.values()} == {"set-cookie"}
    assert seen["b"]["expires"] == LATEST
    assert visit.errors == []
