"""Cookie lifetimes written by people ("session", "2 years", "13 months", "30 minutes") in days."""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNIT_DAYS = {
    "second": 1 / 86400,
    "sec": 1 / 86400,
    "s": 1 / 86400,
    "minute": 1 / 1440,
    "min": 1 / 1440,
    "m": 1 / 1440,
    "hour": 1 / 24,
    "hr": 1 / 24,
    "h": 1 / 24,
    "day": 1.0,
    "d": 1.0,
    "week": 7.0,
    "wk": 7.0,
    "w": 7.0,
    "month": 30.0,
    "mo": 30.0,
    "year": 365.0,
    "yr": 365.0,
    "y": 365.0,
}
_AMOUNT = re.compile(r"(\d+(?:[.,]\d+)?)\s*([a-z]+)", re.IGNORECASE)
_WORD_NUMBERS = {"one": "1", "two": "2", "three": "3", "six": "6", "twelve": "12", "a": "1", "an": "1"}
_SESSION = re.compile(r"\bsession\b|\bwhen (?:you )?close|\bbrowser (?:is )?closed", re.IGNORECASE)


@dataclass(frozen=True)
class Lifetime:
    session: bool = False
    days: float | None = None  # None with session=False: not stated

    @property
    def known(self) -> bool:
        return self.session or self.days is not None

    def describe(self) -> str:
        if self.session:
            return "a session cookie"
        if self.days is None:
            return "unstated"
        return describe_days(self.days)


def describe_days(days: float | None) -> str:
    """Short human form: "session", "2 years", "396 days", "12 hours", "30 minutes"."""
    if days is None:
        return "session"
    years = days / 365
    if years >= 1 and abs(years - round(years)) <= 0.02 * years:
        n = round(years)
        return f"{n} year" if n == 1 else f"{n} years"
    if days >= 1:
        return f"{days:.0f} day" if round(days) == 1 else f"{days:.0f} days"
    if days * 24 >= 1:
        return f"{days * 24:.0f} hours"
    return f"{days * 1440:.0f} minutes"


def parse_lifetime(text: str | None) -> Lifetime:
    """Read a lifetime; a text naming no unit and not "session" is not stated (Lifetime())."""
    if not text:
        return Lifetime()
    words = " ".join(_WORD_NUMBERS.get(w.lower(), w) for w in text.replace("-", " ").split())
    for amount, unit in _AMOUNT.findall(words):
        unit = unit.lower()
        key = unit if unit in _UNIT_DAYS else unit.rstrip("s")
        if key in _UNIT_DAYS:
            return Lifetime(days=float(amount.replace(",", ".")) * _UNIT_DAYS[key])
    if _SESSION.search(text):
        return Lifetime(session=True)
    return Lifetime()
