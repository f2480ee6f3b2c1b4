"""Turn Chromium's navigation failures into one line a person can act on, plus a machine kind."""

from __future__ import annotations

import re

# (pattern in Chromium's error text, kind, explanation)
_NET_ERRORS = (
    ("ERR_NAME_NOT_RESOLVED", "dns", "DNS lookup failed: the host name does not resolve"),
    ("ERR_NAME_RESOLUTION_FAILED", "dns", "DNS lookup failed"),
    ("ERR_CONNECTION_REFUSED", "unreachable", "connection refused: nothing listens at that address"),
    ("ERR_CONNECTION_RESET", "unreachable", "the connection was reset by the server"),
    ("ERR_CONNECTION_CLOSED", "unreachable", "the server closed the connection without answering"),
    ("ERR_CONNECTION_TIMED_OUT", "unreachable", "connecting to the server timed out"),
    ("ERR_ADDRESS_UNREACHABLE", "unreachable", "the server address is unreachable"),
    ("ERR_INTERNET_DISCONNECTED", "unreachable", "no network connection"),
    ("ERR_EMPTY_RESPONSE", "unreachable", "the server sent an empty response"),
    ("ERR_TOO_MANY_REDIRECTS", "redirect_loop", "redirect loop: the page keeps redirecting"),
    ("ERR_CERT_", "tls", "TLS certificate error"),
    ("ERR_SSL_", "tls", "TLS handshake failed"),
    ("ERR_BAD_SSL_CLIENT_AUTH_CERT", "tls", "TLS client certificate required"),
    ("ERR_ABORTED", "aborted", "the navigation was aborted (often a download, not a page)"),
    ("Download is starting", "not_html", "the URL is a download, not an HTML page"),
    ("ERR_INVALID_URL", "bad_url", "invalid URL"),
    ("ERR_UNSAFE_PORT", "bad_url", "the browser refuses that port"),
    ("ERR_BLOCKED_BY_CLIENT", "blocked", "blocked by the browser"),
    ("ERR_INVALID_AUTH_CREDENTIALS", "http_auth", "the site asks for HTTP authentication"),
)
# How to get past HTTP authentication (a 401, or Chromium giving up on one): said with the error.
HTTP_AUTH_HINT = "give --http-credentials USER:PASSWORD or set SCANNER_HTTP_CREDENTIALS"


def classify_navigation_error(exc: BaseException | str) -> tuple[str, str]:
    """(kind, explanation) for a Playwright navigation error."""
    text = str(exc)
    if "Timeout" in text and "exceeded" in text:
        return "timeout", "the page did not finish loading in time (see --timeout)"
    for needle, kind, explanation in _NET_ERRORS:
        if needle in text:
            code = re.search(r"net::(ERR_[A-Z_]+)", text)
            suffix = f" ({code.group(1)})" if code else ""
            if kind == "tls":
                return kind, f"{explanation}{suffix}; use --ignore-https-errors to scan anyway"
            if kind == "http_auth":
                return kind, f"{explanation}{suffix}; {HTTP_AUTH_HINT}"
            return kind, explanation + suffix
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    return "other", first[:300]


def describe_navigation_error(url: str, exc: BaseException | str) -> str:
    _, explanation = classify_navigation_error(exc)
    return f"{url}: {explanation}"
