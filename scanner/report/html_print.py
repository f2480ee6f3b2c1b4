"""The running header and footer of a printed report.html (and of report.pdf).

print.css lays out the printed page (A4 portrait, margins, the margin boxes' font); this module adds the
words that change from scan to scan: the site, the scan's date and the verdict at the top of every page.
Chromium (131 and later) prints CSS ``@page`` margin boxes, so a browser's own "Print" gets them as
well as the headless PDF. Page numbers are CSS counters in print.css.

The site comes from the scan and may be anything: it is written into the stylesheet as a CSS string
in which every character other than ASCII letters, digits, spaces and ``.,:/-_()`` is a hex escape,
so it cannot end the string, the rule or the ``<style>`` element, and it is clipped.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_SITE = 70
_PLAIN = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:/-_()")


def css_string(text: str) -> str:
    """``text`` as a double-quoted CSS string (control characters dropped, everything unusual escaped)."""
    out = []
    for ch in text:
        if ch in _PLAIN:
            out.append(ch)
        elif ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 or 0xD800 <= ord(ch) < 0xE000:
            continue  # control characters and lone surrogates: nothing to print
        else:
            out.append(f"\\{ord(ch):x} ")
    return '"' + "".join(out) + '"'


def site_label(url: str) -> str:
    """The host of ``url`` (the URL itself when it has none), clipped to MAX_SITE characters."""
    try:
        host = urlsplit(url).hostname or url
    except ValueError:
        host = url
    return host if len(host) <= MAX_SITE else host[: MAX_SITE - 1] + "…"


def running_header(view: dict) -> tuple[str, str]:
    """(left, right) texts of the running header: "Tracker audit: SITE" and "VERDICT · DATE"."""
    urls = view["meta"]["start_urls"]
    site = site_label(str(urls[0]["url"])) if urls else "scan"
    more = f" (+{len(urls) - 1})" if len(urls) > 1 else ""
    date = str(view["meta"]["started_at"] or "")[:10]
    verdict = str(view["verdict"]["word"])
    return f"Tracker audit: {site}{more}", f"{verdict} · {date}" if date else verdict


def running_header_css(view: dict) -> str:
    left, right = running_header(view)
    foot = f"scanner {view['meta']['tool_version']}"
    return (
        f"@page{{@top-left{{content:{css_string(left)}}}@top-right{{content:{css_string(right)}}}"
        f"@bottom-left{{content:{css_string(foot)}}}}}"
    )
