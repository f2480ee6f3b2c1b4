"""Cookie dates as browsers read them (RFC 6265 section 5.1.1), clamped to a representable range.

``Expires`` is parsed token by token: the first ``hh:mm:ss``, the first one- or two-digit day, the first
month name and the first year are taken, whatever their order and whatever surrounds them, so
``Wed, 01-Jan-2070 00:00:00 GMT``, ``01 Jan 70 00:00:00`` and ``Jan 1 00:00:00 2070`` are the same date.
Two-digit years are 1970-2069. A date before 1970 is the epoch (a deletion) and one after 9999 is the
end of 9999, as Chromium saturates dates it cannot represent. ``Max-Age`` is ``-?DIGITS`` (anything
else is ignored, as in browsers) and saturates the same way.
"""

from __future__ import annotations

import calendar
import re

EARLIEST = 0.0  # 1970-01-01T00:00:00Z: "the earliest representable date" of RFC 6265bis
LATEST = float(calendar.timegm((9999, 12, 31, 23, 59, 59, 0, 0, 0)))  # 9999-12-31T23:59:59Z

_DELIMITERS = re.compile(r"[\x09\x20-\x2f\x3b-\x40\x5b-\x60\x7b-\x7e]+")
_TIME = re.compile(r"(\d{1,2}):(\d{1,2}):(\d{1,2})(?:\D|$)", re.ASCII)
_DAY = re.compile(r"(\d{1,2})(?:\D|$)", re.ASCII)
_YEAR = re.compile(r"(\d{2,})(?:\D|$)", re.ASCII)
_MAX_AGE = re.compile(r"-?[0-9]+", re.ASCII)
_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
_MAX_DATE_CHARS = 256  # longer Expires values are cut: no real date needs more


def clamp_time(seconds: float) -> float:
    """Epoch seconds saturated to [1970, end of 9999]."""
    return min(max(seconds, EARLIEST), LATEST)


def parse_cookie_date(text: str) -> float | None:
    """Epoch seconds of an ``Expires`` value, clamped to [EARLIEST, LATEST]; None when it is no date."""
    time = day = month = year = None
    for token in _DELIMITERS.split(text[:_MAX_DATE_CHARS]):
        if not token:
            continue
        if time is None and (m := _TIME.match(token)):
            time = tuple(int(g) for g in m.groups())
        elif day is None and (m := _DAY.match(token)):
            day = int(m.group(1))
        elif month is None and token[:3].lower() in _MONTHS:
            month = _MONTHS[token[:3].lower()]
        elif year is None and (m := _YEAR.match(token)):
            digits = m.group(1).lstrip("0") or "0"
            year = int(digits) if len(digits) <= 6 else 10**6
    if time is None or day is None or month is None or year is None:
        return None
    if 70 <= year <= 99:
        year += 1900
    elif year <= 69:
        year += 2000
    hour, minute, second = time
    if not 1 <= day <= 31 or hour > 23 or minute > 59 or second > 59:
        return None
    if year > 9999:
        return LATEST
    if year < 1970:
        return EARLIEST
    if day > calendar.monthrange(year, month)[1]:
        return None
    return clamp_time(float(calendar.timegm((year, month, day, hour, minute, second, 0, 0, 0))))


def parse_max_age(text: str) -> int | None:
    """Seconds of a ``Max-Age`` value, saturated to what a cookie date can hold; None when invalid."""
    if not _MAX_AGE.fullmatch(text):
        return None
    limit = int(LATEST)  # more seconds than from 1970 to 9999: saturate (no big-number arithmetic)
    digits = text.lstrip("-").lstrip("0") or "0"
    seconds = limit if len(digits) > 15 else min(int(digits), limit)
    return -seconds if text.startswith("-") else seconds
