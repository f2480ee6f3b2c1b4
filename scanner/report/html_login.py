"""The logged-in audit as report.html shows it (``_login.html.j2``): how the scan logged in, what the
check found per page, from which page on the session was lost, and what the login injected (names only).
Page URLs and cookie names come from the scanned site: the template prints them as text (autoescape) and
only http(s) URLs become links (``safe_href``)."""

from __future__ import annotations

from collections.abc import Callable

from scanner.model import ScanResult
from scanner.report.login_text import BY_WORDS, check_text, how_text, injected_text, login_facts

MAX_LISTED = 50  # logged-out pages and injected entries listed (the counts are totals)


def login_view(result: ScanResult, safe_href: Callable[[str], str | None]) -> dict | None:
    facts = login_facts(result)
    if facts is None:
        return None
    out_pages = [
        {"url": p.url, "href": safe_href(p.url), "final_url": p.final_url or ""}
        for p in result.pages
        if p.consent_pass == "none" and p.logged_in is False
    ]
    injected = [
        {
            "what": "cookie" if e.get("type") == "cookie" else "localStorage",
            "name": str(e.get("name") if e.get("type") == "cookie" else e.get("key") or ""),
            "where": str(e.get("domain") if e.get("type") == "cookie" else e.get("origin") or ""),
            "flags": _flags(e),
            "by": BY_WORDS.get(str(e.get("by")), str(e.get("by") or "")),
        }
        for e in (*facts.injected_cookies, *facts.injected_storage)
    ]
    return {
        "how": how_text(facts),
        "check": check_text(facts),
        "injected_text": injected_text(facts),
        "lost": facts.lost,
        "first_out_url": facts.first_out_url or "",
        "first_out_href": safe_href(facts.first_out_url) if facts.first_out_url else None,
        "first_out_visit": facts.first_out_visit,
        "out_pages": out_pages[:MAX_LISTED],
        "out_total": len(out_pages),
        "injected": injected[:MAX_LISTED],
        "injected_total": len(injected),
    }


def _flags(entry: dict) -> str:
    if entry.get("type") != "cookie":
        return ""
    flags = ["session" if entry.get("session") else "persistent"]
    flags += [name for key, name in (("secure", "Secure"), ("http_only", "HttpOnly")) if entry.get(key)]
    return ", ".join(flags)
