"""Links the crawl never follows: those that end the visitor's session or change their account
(log out, sign out, delete the account, unsubscribe), and whatever ``--exclude REGEX`` adds.

A logged-in audit that followed "Log out" would audit the rest of the site logged out; "Delete my account"
or "Unsubscribe" behind a plain link would do real harm. The crawler submits no forms, so links are the
only way in. The default pattern (:data:`DEFAULT_EXCLUDE`) is always applied; a start URL the user gives is
visited whatever it matches (the user asked for it). Patterns are Python regular expressions searched
(``re.search``) in the whole URL as linked, case-insensitively for the default one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.errors import BadInput

# Words at word boundaries (so /blog/logout-tips is excluded, /catalogue/logoutfit is not): log out /
# log off / sign out / sign off (with - or _ or nothing between), unsubscribe, and account deletion or
# closing (delete-account, delete_my_account, close-account, deactivate-account, /account/delete ...).
DEFAULT_EXCLUDE = (
    r"(?i)\b(?:log|sign)[-_]?(?:out|off)\b"
    r"|unsubscribe"
    r"|\b(?:delete|close|deactivate|cancel|remove)[-_]?(?:my[-_]?)?account\b"
    r"|\baccounts?/(?:delete|close|deactivate|cancel|remove)\b"
)
MAX_PATTERNS = 100
MAX_PATTERN_CHARS = 1000
MAX_URL_CHARS = 8192  # a longer URL is matched on its first this many characters


def compile_exclude(pattern: str) -> re.Pattern[str]:
    """One ``--exclude`` pattern; BadInput (one line) when it is not a regular expression."""
    if not isinstance(pattern, str) or not pattern:
        raise BadInput("--exclude: give a regular expression (e.g. '/admin/')")
    if len(pattern) > MAX_PATTERN_CHARS:
        raise BadInput(f"--exclude: a pattern of at most {MAX_PATTERN_CHARS} characters")
    try:
        return re.compile(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        why = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise BadInput(f"--exclude {pattern[:80]!r}: not a regular expression ({why[:200]})") from None


class Exclusions:
    """The default pattern plus the user's: ``matches(url)`` says whether a link is left out."""

    def __init__(self, patterns: Iterable[str] = ()) -> None:
        given = list(patterns)
        if len(given) > MAX_PATTERNS:
            raise BadInput(f"--exclude: at most {MAX_PATTERNS} patterns")
        self.patterns = tuple(given)
        self._compiled = (re.compile(DEFAULT_EXCLUDE), *(compile_exclude(p) for p in given))

    def matches(self, url: str) -> bool:
        text = url[:MAX_URL_CHARS]
        return any(p.search(text) for p in self._compiled)
