"""``--logged-in-check``: is a visited page still logged in?

Two forms:

* ``SELECTOR`` or ``selector:SELECTOR`` (a Playwright selector, CSS by default): the page is logged in
  when its main frame has a matching element, e.g. ``#account-menu`` or ``a[href="/logout"]``. Pick an
  element that every logged-in page shows (the account menu of the header), not one of a single page.
* ``url:REGEX``: the URL a page *without* the session ends on, usually the login page the site redirects
  to (``url:/login``, ``url:^https://sso\\.example\\.com/``): a page whose final URL (after redirects)
  matches is logged out, any other page logged in.

A page answered with HTTP 401 is logged out in both forms. A page that could not be loaded (timeout,
DNS, a crash) is not judged (``logged_in`` stays None): it says nothing about the session.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from scanner.errors import BadInput

MAX_CHECK_CHARS = 2000
JUDGED_ERRORS = (None, "http_status")  # error kinds of a visit whose page can be judged


@dataclass(frozen=True)
class LoggedInCheck:
    kind: str  # "selector" | "url"
    value: str  # the selector, or the regular expression's source
    pattern: re.Pattern[str] | None = None

    @property
    def text(self) -> str:
        """The check as the user wrote it (canonical form), for scan.json and the reports."""
        return f"{self.kind}:{self.value}"

    def logged_out_url(self, url: str) -> bool:
        return bool(self.pattern is not None and self.pattern.search(url[:8192]))

    async def judge(self, page: Any, record: dict, timeout_s: float) -> bool | None:
        """Whether the visited ``page`` (its ``record`` as the visit saved it) is logged in; None when
        the page cannot tell (it did not load)."""
        if record.get("error_kind") not in JUDGED_ERRORS:
            return None
        if record.get("status") == 401:
            return False
        if self.kind == "url":
            return not self.logged_out_url(record.get("final_url") or record.get("url") or "")
        return await page.main_frame.locator(self.value).count() > 0


def parse_check(text: str) -> LoggedInCheck:
    """``--logged-in-check`` as given; BadInput (one line) for an empty check or a bad regular expression.
    A selector's syntax is checked by the browser (``scanner.login.session``)."""
    if not isinstance(text, str) or not text.strip():
        raise BadInput("--logged-in-check: give a selector (e.g. '#account-menu') or url:REGEX")
    if len(text) > MAX_CHECK_CHARS:
        raise BadInput(f"--logged-in-check: at most {MAX_CHECK_CHARS} characters")
    kind, sep, rest = text.partition(":")
    if sep and kind.strip().lower() == "url":
        source = rest.strip()
        if not source:
            raise BadInput("--logged-in-check url:REGEX: the regular expression is missing")
        try:
            return LoggedInCheck("url", source, re.compile(source))
        except (re.error, RecursionError, OverflowError, ValueError) as exc:
            why = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise BadInput(
                f"--logged-in-check url:{source[:80]!r}: not a regular expression ({why[:200]})"
            ) from None
    if sep and kind.strip().lower() == "selector":
        text = rest
    if not text.strip():
        raise BadInput("--logged-in-check selector:SELECTOR: the selector is missing")
    return LoggedInCheck("selector", text.strip())
