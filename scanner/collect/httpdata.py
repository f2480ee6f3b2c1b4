"""Headers and timings of a request as an HTTP Archive wants them, bounded and with secrets taken out.

Values come from the page's server and scripts (hostile, possibly huge), and every request's headers
go into scan.json: per request and direction at most ``MAX_HEADERS`` headers, ``MAX_NAME`` characters
of a name, ``MAX_VALUE`` of a value and ``MAX_BYTES`` in all; what is cut is counted in a final
``{"name": "x-scanner-truncated", "value": "<n>"}`` entry. ``Authorization`` and
``Proxy-Authorization`` values are never kept; cookie *values* in ``Cookie`` / ``Set-Cookie`` only with
``--keep-cookie-values`` (names and attributes always).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

MAX_HEADERS = 64
MAX_NAME = 128
MAX_VALUE = 2048
MAX_BYTES = 8192
TRUNCATED = "x-scanner-truncated"
SECRET = frozenset({"authorization", "proxy-authorization"})


def _cookie_pairs_without_values(text: str) -> str:
    """``a=1; b=2`` -> ``a=; b=`` (a Cookie header)."""
    return "; ".join(p.strip().split("=", 1)[0] + "=" for p in text.split(";") if p.strip())


def _set_cookie_without_value(line: str) -> str:
    """``a=1; Path=/; HttpOnly`` -> ``a=; Path=/; HttpOnly`` (one Set-Cookie line)."""
    pair, sep, attrs = line.partition(";")
    return pair.split("=", 1)[0].strip() + "=" + (sep + attrs if sep else "")


def header_list(pairs: Iterable[tuple[Any, Any]], *, keep_values: bool = False) -> list[dict]:
    """``[{"name", "value"}]`` from (name, value) pairs, bounded (see the module) and redacted.
    A value holding several lines (Chromium joins repeated headers with newlines) is one entry a line."""
    out: list[dict] = []
    used = cut = 0
    for name, value in pairs:
        if not isinstance(name, str) or not isinstance(value, str):
            continue
        lower = name.lower()
        for line in value.split("\n"):
            if lower in SECRET:
                line = "(not kept)"
            elif lower == "cookie" and not keep_values:
                line = _cookie_pairs_without_values(line)
            elif lower == "set-cookie" and not keep_values:
                line = _set_cookie_without_value(line)
            entry = {"name": name[:MAX_NAME], "value": line[:MAX_VALUE]}
            size = len(entry["name"]) + len(entry["value"])
            if len(out) >= MAX_HEADERS or used + size > MAX_BYTES:
                cut += 1
                continue
            used += size
            out.append(entry)
    if cut:
        out.append({"name": TRUNCATED, "value": str(cut)})
    return out


def har_timings(timing: Any) -> dict | None:
    """HAR 1.2 ``timings`` (milliseconds) from Playwright's ``request.timing`` (ms after ``startTime``,
    -1 when a phase did not happen). ``blocked``/``dns``/``connect``/``ssl`` are -1 when not
    applicable; ``send``/``wait``/``receive`` are never negative (HAR requires it): 0 when unknown.
    ``connect`` includes ``ssl``, as in HAR."""
    if not isinstance(timing, dict):
        return None

    def at(key: str) -> float:
        value = timing.get(key)
        return float(value) if isinstance(value, (int, float)) and value >= 0 else -1.0

    def span(start: float, end: float) -> float:
        return round(end - start, 3) if start >= 0 and end >= start else -1.0

    dns = span(at("domainLookupStart"), at("domainLookupEnd"))
    connect = span(at("connectStart"), at("connectEnd"))
    ssl = span(at("secureConnectionStart"), at("connectEnd"))
    request, response, end = at("requestStart"), at("responseStart"), at("responseEnd")
    first = next((t for t in (at("domainLookupStart"), at("connectStart"), request) if t >= 0), -1.0)
    return {
        "blocked": round(first, 3) if first > 0 else -1,
        "dns": dns,
        "connect": connect,
        "ssl": ssl if connect >= 0 else -1,
        "send": 0,
        "wait": max(0.0, span(request, response)),
        "receive": max(0.0, span(response, end)),
    }


def har_time(timings: dict) -> float:
    """An entry's ``time``: the sum of its timings that apply (``ssl`` is part of ``connect``)."""
    keys = ("blocked", "dns", "connect", "send", "wait", "receive")
    return round(sum(max(0.0, float(timings.get(k, 0) or 0)) for k in keys), 3)
