"""A logged-in audit in words, for every report format (``scan.json`` ``meta.login``, ``pages[].logged_in``).

One line for the console and Markdown ("logged in with storage_state, checked with selector:#menu: 4
pages logged in; logged out from visit 5 (URL) on: 2 pages audited logged out — the logged-in audit is
partial"), and the facts report.html shows. The crawl's own pages count (consent passes are other
browsers). Nothing here holds a secret: ``meta.login`` has no values.
"""

from __future__ import annotations

from dataclasses import dataclass

from scanner.model import ScanResult
from scanner.report.text import plural

METHOD_WORDS = {
    "storage_state": "a saved login (--storage-state)",
    "login_script": "a login script",
    "login_steps": "login steps",
}
BY_WORDS = {
    "storage_state": "the storage state",
    "login_script": "the login script",
    "login_steps": "the login steps",
}


@dataclass(frozen=True)
class LoginFacts:
    methods: tuple[str, ...]
    check: str | None
    logged_in: int  # crawl pages that passed the check
    logged_out: int  # crawl pages that failed it
    unchecked: int  # crawl pages not judged (no check, or they did not load)
    first_out_url: str | None  # the first page (in visit order) found logged out
    first_out_visit: int | None
    injected_cookies: tuple[dict, ...]
    injected_storage: tuple[dict, ...]
    consent_cookies: tuple[str, ...] = ()  # consent answers among them (OptanonConsent, euconsent-v2...)

    @property
    def lost(self) -> bool:
        return self.first_out_url is not None


def login_facts(result: ScanResult) -> LoginFacts | None:
    """The logged-in audit of ``result``; None for a scan without login or logged-in check."""
    login = result.meta.login
    if not isinstance(login, dict):
        return None
    pages = [p for p in result.pages if p.consent_pass == "none"]
    first = next(((n, p) for n, p in enumerate(pages, 1) if p.logged_in is False), None)
    saved = login.get("logged_out_from") if isinstance(login.get("logged_out_from"), dict) else None
    if first is not None:
        first_url, first_visit = first[1].url, first[0]
    elif saved is not None:  # pages not in this result (a consent pass, or a cut list): as the crawl saw it
        first_url, first_visit = str(saved.get("url", "")), saved.get("visit")
    else:
        first_url, first_visit = None, None
    injected = [e for e in login.get("injected") or () if isinstance(e, dict)]
    methods = tuple(str(m) for m in login.get("methods") or () if isinstance(m, str))
    return LoginFacts(
        methods=methods,
        check=login.get("check") if isinstance(login.get("check"), str) else None,
        logged_in=sum(p.logged_in is True for p in pages),
        logged_out=sum(p.logged_in is False for p in pages),
        unchecked=sum(p.logged_in is None for p in pages),
        first_out_url=first_url,
        first_out_visit=first_visit if isinstance(first_visit, int) else None,
        injected_cookies=tuple(e for e in injected if e.get("type") == "cookie"),
        injected_storage=tuple(e for e in injected if e.get("type") == "storage"),
        consent_cookies=tuple(str(n) for n in login.get("consent_cookies") or () if isinstance(n, str)),
    )


def how_text(facts: LoginFacts) -> str:
    methods = " then ".join(METHOD_WORDS.get(m, m) for m in facts.methods)
    return f"logged in with {methods}" if methods else "no login given"


def check_text(facts: LoginFacts) -> str:
    """What the check found, in words (without the first logged-out page's URL)."""
    if facts.check is None:
        return "no --logged-in-check: nothing says the pages were logged in"
    text = f"checked with {facts.check}: {plural(facts.logged_in, 'page')} logged in"
    if facts.lost:
        where = f"visit {facts.first_out_visit}" if facts.first_out_visit else "a page"
        text += f"; logged out from {where} on ({plural(facts.logged_out, 'page')} audited logged out)"
    if facts.unchecked:
        text += f"; {plural(facts.unchecked, 'page')} not judged (not loaded)"
    return text


def injected_text(facts: LoginFacts) -> str:
    cookies, keys = len(facts.injected_cookies), len(facts.injected_storage)
    if not cookies and not keys:
        return "nothing injected"
    text = (
        f"{plural(cookies, 'cookie')} and {plural(keys, 'localStorage key')} injected by the login "
        "(listed apart, never counted as set by the site)"
    )
    if facts.consent_cookies:
        text += (
            f"; they hold a consent answer ({', '.join(facts.consent_cookies[:5])}): the crawl is not a "
            "visit before any consent choice"
        )
    return text


def console_line(result: ScanResult) -> str | None:
    """``login: ...`` for the console and Markdown (the caller makes it safe for its medium)."""
    facts = login_facts(result)
    if facts is None:
        return None
    line = f"login: {how_text(facts)}; {check_text(facts)}; {injected_text(facts)}"
    if facts.lost:
        line += f" — the logged-in audit is partial from {facts.first_out_url}"
    return line


def lost_text(result: ScanResult) -> str | None:
    """How a partial scan whose session was lost says why ("logged out from visit 5 of 9"), else None."""
    facts = login_facts(result)
    if facts is None or not facts.lost:
        return None
    where = f"visit {facts.first_out_visit}" if facts.first_out_visit else "a page"
    return f"logged out from {where} of {plural(len(result.pages), 'page')} on"
