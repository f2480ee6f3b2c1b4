"""The methodology section of report.html, and its glossary: how this scan was made, in words.

Everything here is read from the scan itself: the browser and what a page of it saw (``meta.presented``),
the options it ran with (``meta.options``), the consent passes it made (``meta.consent_passes``), its
coverage (``meta.coverage``) and the behaviour audit's own blind spots. Where a scan.json does not
record something (an older version, a hand-edited file) the text says "not recorded" instead of
assuming. The visit's fixed waits are this version's (``VisitTiming``): they are named only when the
scan was made by this very version.

Every value may come from an edited scan.json: this module only turns it into strings, the template
escapes them (autoescape), and unexpected types read as "not recorded".
"""

from __future__ import annotations

from typing import Any

from scanner.model import ScanResult
from scanner.report.consent_text import kind_label, pass_label
from scanner.report.coverage_text import WHY, coverage_line
from scanner.report.html_images import LARGE_EMBEDDED, large_report_text

NOT_RECORDED = "not recorded"
SOURCES = {
    "system": "a system Chromium",
    "playwright": "Playwright's own Chromium",
    "explicit": "the browser given with --browser",
}


def _text(value: Any, limit: int = 300) -> str:
    text = value if isinstance(value, str) else ("" if value is None else str(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _num(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _flag(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def _size(value: Any) -> str:
    if isinstance(value, dict) and _num(value.get("width")) and _num(value.get("height")):
        return f"{int(value['width'])} × {int(value['height'])} px"
    return NOT_RECORDED


def _seconds(value: float) -> str:
    return f"{value:g} s"


def _browser(result: ScanResult) -> list[tuple[str, str]]:
    meta = result.meta
    version = _text(meta.browser_version) or NOT_RECORDED
    source = SOURCES.get(_text(meta.browser_source), "")
    path = _text(meta.browser)
    where = ", ".join(x for x in (source, path) if x)
    rows = [("Browser", f"{version}, headless" + (f" ({where})" if where else ""))]
    p = meta.presented if isinstance(meta.presented, dict) else None
    if p is None:
        rows.append(
            ("Presented as", f"{NOT_RECORDED} (the user agent sent: {_text(meta.user_agent) or '—'})")
        )
        return rows
    rows.append(("User agent", _text(p.get("user_agent")) or NOT_RECORDED))
    hints = p.get("client_hints") if isinstance(p.get("client_hints"), dict) else {}
    brands = hints.get("brands") if isinstance(hints.get("brands"), list) else []
    names = [
        f"{_text(b.get('brand'), 60)} {_text(b.get('version'), 20)}".strip()
        for b in brands
        if isinstance(b, dict)
    ]
    if names:
        mobile = " (mobile)" if hints.get("mobile") is True else ""
        rows.append(
            ("Client hints", ", ".join(names) + f"; platform {_text(hints.get('platform'), 40)}{mobile}")
        )
    webdriver = _flag(p.get("webdriver"))
    rows.append(
        (
            "Automation flag",
            NOT_RECORDED
            if webdriver is None
            else (
                "navigator.webdriver was true: visible as automated"
                if webdriver
                else "navigator.webdriver false"
            ),
        )
    )
    langs = p.get("languages")
    languages = ", ".join(_text(x, 40) for x in langs) if isinstance(langs, list) else ""
    rows.append(
        (
            "Languages, time zone",
            f"{languages or NOT_RECORDED}; {_text(p.get('timezone'), 60) or NOT_RECORDED}",
        )
    )
    rows.append(("Screen, window", f"{_size(p.get('screen'))}; viewport {_size(p.get('viewport'))}"))
    signals = []
    for key, name in (("global_privacy_control", "Global Privacy Control"), ("do_not_track", "Do Not Track")):
        on = _flag(p.get(key))
        signals.append(f"{name} {NOT_RECORDED}" if on is None else f"{name} {'sent' if on else 'not sent'}")
    rows.append(("Privacy signals (crawl)", "; ".join(signals)))
    return rows


def _behaviour_of_visits(result: ScanResult) -> list[tuple[str, str]]:
    from scanner import __version__
    from scanner.crawl.visit import VisitTiming

    o = result.meta.options if isinstance(result.meta.options, dict) else {}
    rows = []
    settle = _num(o.get("settle_s"))
    timeout = _num(o.get("timeout_s"))
    if result.meta.tool_version == __version__:
        t = VisitTiming()
        steps = (
            f"load the page; wait until the network is quiet ({t.quiet_ms} ms without a request, at most "
            f"{_seconds(t.quiet_cap_s)}); scroll to the bottom in {t.scroll_steps} steps so lazy content "
            f"loads; wait for quiet again; then {_seconds(settle) if settle is not None else 'a'} settle "
            "time so late tags fire; then read cookies, storage and a screenshot"
        )
    else:
        steps = (
            f"as scanner {_text(result.meta.tool_version, 40)} visits a page (load, network quiet, scroll, "
            "quiet)" + (f", then {_seconds(settle)} settle time" if settle is not None else "")
        )
    rows.append(("Each page", steps))
    if timeout is not None:
        rows.append(
            ("Deadline", f"{_seconds(timeout)} for every browser call of a visit, page load included")
        )
    tabs = _num(o.get("concurrency"))
    if tabs is not None:
        rows.append(
            ("Parallel pages", f"{int(tabs)} tabs of one browser profile: one cookie jar, as one visitor")
        )
    blocked = _flag(o.get("block_third_party_cookies"))
    if blocked is not None:
        rows.append(
            (
                "Third-party cookies",
                "blocked (a strict browser)" if blocked else "allowed, as in a default desktop Chrome",
            )
        )
    hooks = _flag(o.get("api_hooks"))
    rows.append(
        (
            "In-page hooks",
            "recorded which script wrote document.cookie, called sendBeacon or set an image's address"
            + (
                "; and counted fingerprinting, recording and listener APIs in every frame"
                if hooks
                else ("; behaviour APIs were not counted (--behaviour off)" if hooks is False else "")
            ),
        )
    )
    probe = _flag(o.get("probe_forms"))
    if probe is not None:
        rows.append(
            (
                "Forms",
                "random canary values typed into visible text, e-mail, search and phone fields (never "
                "submitted)"
                if probe
                else "nothing typed into forms, no click other than the consent passes' banner answer",
            )
        )
    keep = _flag(o.get("keep_cookie_values"))
    if keep is not None:
        rows.append(
            ("Cookie values", "stored" if keep else "not stored: a SHA-256 prefix of each value only")
        )
    shots = _flag(o.get("screenshots"))
    if shots is not None:
        rows.append(
            ("Screenshots", "one per page (the viewport at the top)" if shots else "none (--no-screenshots)")
        )
    args = o.get("browser_args")
    if isinstance(args, list) and args:
        rows.append(("Extra browser switches", f"{len(args)} (see Scan: options)"))
    return rows


def _coverage(result: ScanResult) -> list[tuple[str, str]]:
    o = result.meta.options if isinstance(result.meta.options, dict) else {}
    rows = [("Pages", coverage_line(result))]
    c = result.meta.coverage
    if c is not None:
        for reason, n in sorted(c.not_visited_by.items()):
            rows.append(("Not visited", f"{n} {'page' if n == 1 else 'pages'} {WHY.get(reason, reason)}"))
        if c.out_of_scope:
            rows.append(("Out of scope", f"{c.out_of_scope} links to other sites (not followed)"))
        if c.not_html:
            rows.append(("Not pages", f"{c.not_html} links to files (PDF, images, archives…), not visited"))
    limits = []
    for key, name in (
        ("max_pages", "max-pages"),
        ("max_depth", "max-depth"),
        ("max_query_variants", "query variants a path"),
    ):
        value = _num(o.get(key))
        if value is not None:
            limits.append(f"{name} {int(value)}")
    sitemap = _flag(o.get("sitemap"))
    if sitemap is not None:
        limits.append("seeded from robots.txt and sitemap.xml" if sitemap else "no sitemap seeding")
    if limits:
        rows.append(("Limits", "; ".join(limits)))
    return rows


def _passes(result: ScanResult) -> list[dict]:
    o = result.meta.options if isinstance(result.meta.options, dict) else {}
    mode = _text(o.get("consent"), 40)
    crawl = sum(1 for p in result.pages if p.consent_pass == "none")
    passes = [
        {
            "name": pass_label("none"),
            "pages": crawl,
            "what": "the crawl: the consent banner left unanswered"
            + (f" (consent mode {mode})" if mode else ""),
            "when": f"{_text(result.meta.started_at, 40)} – {_text(result.meta.finished_at, 40) or '…'}",
        }
    ]
    for p in result.meta.consent_passes:
        if not isinstance(p, dict):
            continue
        name = _text(p.get("name"), 40)
        pages = p.get("pages")
        what = {
            "accept": "a fresh profile that answered the banner with 'accept all'",
            "reject": "a fresh profile that answered the banner with 'reject all'",
            "gpc": "a fresh profile sending Global Privacy Control",
        }.get(name, "a further pass")
        signals = [
            s for k, s in (("gpc_presented", "GPC sent"), ("dnt_presented", "DNT sent")) if p.get(k) is True
        ]
        passes.append(
            {
                "name": pass_label(name),
                "pages": len(pages) if isinstance(pages, list) else 0,
                "what": what
                + (f"; {', '.join(signals)}" if signals else "")
                + (f"; error: {_text(p.get('error'))}" if p.get("error") else ""),
                "when": f"{_text(p.get('started_at'), 40)} – {_text(p.get('finished_at'), 40) or '…'}",
            }
        )
    return passes


def _limits(result: ScanResult) -> list[str]:
    o = result.meta.options if isinstance(result.meta.options, dict) else {}
    settle = _num(o.get("settle_s"))
    out = [
        "A page was watched only while it loaded, scrolled and settled"
        + (f" ({_seconds(settle)} after the last scroll)" if settle is not None else "")
        + ": tags that fire later, on a timer or on a visitor's action (a click, a form sent, a purchase, a "
        "login) are not in this report.",
        "Only what reaches this browser is seen: data a site's servers pass to vendors (server-side tagging, "
        "conversion APIs) cannot be observed from outside.",
        "One visitor, one location: the site saw this browser's languages, time zone and network; visitors "
        "elsewhere, on phones or logged in may be shown other tags and banners.",
    ]
    c = result.meta.coverage
    if c is None or c.not_visited or c.failed:
        out.append("Pages that were not visited, or failed, may hold trackers that appear nowhere here.")
    if not result.meta.consent_passes:
        out.append("No consent pass was made: what changes after accepting or rejecting is not known.")
    if result.behaviour is not None:
        out.extend(_text(s, 400) for s in result.behaviour.blind_spots)
    if _flag(o.get("keep_cookie_values")) is False:
        out.append("Cookie and storage values were not kept (hashes only): identifiers cannot be read back.")
    out.append(
        "Evidence lists are samples (scan.json keeps up to 50 pages and 20 requests per vendor); counts are "
        "totals; scan.json and the CSV files hold every record."
    )
    return out


def _first_party(result: ScanResult) -> str:
    from scanner.domains import host_of, registrable_domain

    o = result.meta.options if isinstance(result.meta.options, dict) else {}
    domains: list[str] = []
    for url in result.meta.start_urls:
        try:
            domains.append(registrable_domain(host_of(url)) or url)
        except Exception:  # noqa: BLE001 - an odd start URL in an edited scan.json
            domains.append(_text(url, 100))
    extra = o.get("first_party")
    if isinstance(extra, list):
        domains.extend(_text(d, 100) for d in extra)
    return ", ".join(dict.fromkeys(d for d in domains if d)) or NOT_RECORDED


CONSENT_TERMS = {
    "before_consent": "a tracker was active (requests, cookies or storage) before any answer to the banner: "
    "in the crawl, or before the click on the page where a pass answered it",
    "despite_reject": "a tracker was still active after a rejection that was verified",
    "reject_unverified": "a tracker was active after a rejection that could not be verified (the opt-out "
    "failed or its self-test did not confirm it)",
    "gpc_ignored": "an advertising or social vendor was still active while Global Privacy Control was sent",
    "no_banner": "no consent banner was shown to this browser on the first pages (not shown is not none: "
    "banners hide from bots and regions)",
    "not_in_cmp": "a tracker the consent banner never lists: nobody could consent to it",
    "cmp_mismatch": "a cookie the banner files as necessary but a tracker sets, or a lifetime more than "
    "1.5 times the banner's",
    "granted_before_choice": "Google Consent Mode values on the vendor's requests claimed consent granted "
    "before any choice",
    "consent_gated": "a tracker active only after 'accept all': consent worked",
    "gpc_honoured": "an advertising or social vendor no longer active while Global Privacy Control was sent",
}


def _glossary(result: ScanResult) -> list[tuple[str, str]]:
    rows = [
        (
            "First party / third party",
            "a host is first party when its registrable domain (from the Public Suffix List) is this scan's: "
            f"{_first_party(result)}; every other host is third party.",
        ),
        (
            "Vendor",
            "the company behind a host, cookie or storage key, from the vendor catalog; an unknown "
            "tracker is named by its domain.",
        ),
        ("Session cookie", "a cookie without an expiry date: it lasts until the browser closes."),
        (
            "Persistent cookie",
            "a cookie with an expiry date; the lifetime shown is what the browser kept "
            "(Chromium keeps at most 400 days; 'sent' shows a longer lifetime the site asked for).",
        ),
        ("Set by http / js", "from a Set-Cookie response header, or written by a script (document.cookie)."),
        ("Storage key", "a localStorage (persistent) or sessionStorage (per tab) entry of a page or frame."),
        (
            "Beacon",
            "a request that only reports: navigator.sendBeacon, a link's ping, a 1×1 image pixel or "
            "a vendor's known collection address.",
        ),
        (
            "Declared",
            "the vendor is in the declaration (vendors.csv, the privacy policy or the banner's list) "
            "and what was seen matches it.",
        ),
        ("Undeclared", "the vendor was seen on the site but is not in the declaration."),
        (
            "Mismatch",
            "declared, but what was seen differs: another purpose or category, or a cookie "
            "living longer than declared.",
        ),
        (
            "Not observed",
            "declared, but nothing of it was seen on the pages visited (not proof that it is never used).",
        ),
        ("Gate", "the findings that fail the build (--fail-on); a waiver accepts one until its date."),
    ]
    if result.consent is not None or result.meta.consent_passes:
        rows.append(
            (
                "Consent passes",
                "Before consent: the crawl, banner unanswered. Accept all / Reject all: the "
                "sample of pages again in a fresh profile after that answer. Global Privacy Control: the "
                "sample with the GPC signal.",
            )
        )
        for kind, text in CONSENT_TERMS.items():
            rows.append((kind_label(kind), text + "."))
    if result.behaviour is not None:
        rows.append(
            (
                "Behaviour findings",
                "what scripts did (fingerprinting, session recording, "
                "identifier sharing…): each kind is explained in the Behaviour section.",
            )
        )
    return rows


def method_view(result: ScanResult, images: dict | None = None) -> dict:
    """The methodology section and glossary as plain rows; ``images``: build_view's screenshot note."""
    notes = []
    if images and images.get("linked"):
        n = images["linked"]
        notes.append(
            f"{n} page thumbnail{'' if n == 1 else 's'} past the size budget {'is' if n == 1 else 'are'} "
            "linked files of the scan folder, not embedded (--self-contained embeds every screenshot)."
        )
    if images and images.get("embedded", 0) > LARGE_EMBEDDED and not images.get("printing"):
        text = large_report_text(images["embedded"], bool(images.get("self_contained")))
        notes.append(text[0].upper() + text[1:] + ".")
    return {
        "browser": _browser(result),
        "visits": _behaviour_of_visits(result),
        "coverage": _coverage(result),
        "passes": _passes(result),
        "limits": _limits(result),
        "glossary": _glossary(result),
        "notes": notes,
    }
