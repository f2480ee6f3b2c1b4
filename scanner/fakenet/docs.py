"""What the demo world produces, as data and as the Markdown tables in README.md.

Tests assert against ``expected_cookies()`` etc.; ``python -m scanner.fakenet.docs`` rewrites the
generated part of README.md from the same data.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from scanner.domains import registrable_domain
from scanner.fakenet.demo import PAGES, PageSpec, tags_in
from scanner.fakenet.tracking import CookieSpec, Tag

README = Path(__file__).with_name("README.md")
BEGIN, END = "<!-- BEGIN GENERATED: python -m scanner.fakenet.docs -->", "<!-- END GENERATED -->"
CONSENT_BEGIN = "<!-- BEGIN GENERATED CONSENT: python -m scanner.fakenet.docs -->"
CONSENT_END = "<!-- END GENERATED CONSENT -->"


@dataclass(frozen=True)
class ExpectedCookie:
    name: str
    domain: str  # ".facebook.com" (Domain attribute) or "www.example.com" (host-only)
    max_age: int | None  # None = session cookie
    set_by: str  # http | js
    secure: bool  # js cookies: Secure on https pages
    http_only: bool
    same_site: str | None
    set_at: str  # URL of the response (http) or the script (js; "inline" for the site's own)
    pages: tuple[str, ...]  # demo pages on which it is set


@dataclass(frozen=True)
class ExpectedStorage:
    kind: str  # local | session
    key: str
    origin: str
    set_at: str
    pages: tuple[str, ...]


@dataclass(frozen=True)
class ExpectedHit:
    method: str
    url: str  # without query (or ;params)
    kind: str  # image | beacon | xhr
    answer: str
    pages: tuple[str, ...]


def _host(url: str) -> str:
    return url.split("/")[2]


def _origin(url: str) -> str:
    return "/".join(url.split("/")[:3])


def _strip_query(url: str) -> str:
    return url.split("?")[0].split(";")[0].rstrip("*")


def _pages_with(tag: Tag) -> tuple[PageSpec, ...]:
    return tuple(p for p in PAGES if any(t.key == tag.key for t in p.tags))


def _set_at(tag: Tag) -> str:
    return "inline" if tag.kind == "inline" else tag.url


def _expected(cookie: CookieSpec, domain: str, set_at: str, pages: tuple[str, ...]) -> ExpectedCookie:
    return ExpectedCookie(
        cookie.name,
        domain,
        cookie.max_age,
        cookie.set_by,
        cookie.secure,
        cookie.http_only,
        cookie.same_site,
        set_at,
        pages,
    )


def expected_cookies() -> list[ExpectedCookie]:
    out: list[ExpectedCookie] = []
    for page in PAGES:
        for cookie in page.http_cookies:
            out.append(_expected(cookie, cookie.domain, page.url, (page.url,)))
    for tag in tags_in(PAGES):
        pages = _pages_with(tag)
        urls = tuple(p.url for p in pages)
        for cookie in tag.js_cookies:
            sites = sorted({registrable_domain(_host(p.url)) for p in pages})
            if tag.kind == "iframe":
                sites = [registrable_domain(tag.host)]
            for site in sites:
                on_site = tuple(u for u in urls if registrable_domain(_host(u)) == site) or urls
                out.append(_expected(cookie, cookie.domain.replace("{site}", site), _set_at(tag), on_site))
        for cookie in tag.http_cookies:
            out.append(_expected(cookie, cookie.domain, tag.url, urls))
        for endpoint in tag.endpoints:
            for cookie in endpoint.cookies:
                out.append(_expected(cookie, cookie.domain, _strip_query(endpoint.url), urls))
    return out


def expected_storage() -> list[ExpectedStorage]:
    out: list[ExpectedStorage] = []
    for tag in tags_in(PAGES):
        pages = _pages_with(tag)
        for item in tag.storage:
            if tag.kind == "iframe":
                groups = {_origin(tag.url): pages}
            else:
                groups = {
                    _origin(p.url): tuple(q for q in pages if _origin(q.url) == _origin(p.url)) for p in pages
                }
            for origin, on_origin in groups.items():
                out.append(
                    ExpectedStorage(
                        item.kind, item.key, origin, _set_at(tag), tuple(p.url for p in on_origin)
                    )
                )
    return out


def expected_hits() -> list[ExpectedHit]:
    out: list[ExpectedHit] = []
    for tag in tags_in(PAGES):
        pages = tuple(p.url for p in _pages_with(tag))
        answers = {_strip_query(e.url): e.answer for e in tag.endpoints}
        for hit in tag.hits:
            url = _strip_query(hit.url)
            answer = next((a for prefix, a in answers.items() if url.startswith(prefix)), "?")
            if hit.method != "GET" and answer == "pixel":
                answer = "no_content"  # endpoints limited to GET answer other methods with 204
            out.append(ExpectedHit(hit.method, url, hit.kind, answer, pages))
    return out


def _lifetime(max_age: int | None) -> str:
    if max_age is None:
        return "session"
    if max_age < 86_400:
        return f"{max_age // 60} min"
    return f"{max_age // 86_400} d"


def _path(url: str) -> str:
    return url.replace("https://www.example.com", "") or "/"


def _pages(urls: tuple[str, ...]) -> str:
    tracked_www = {p.url for p in PAGES if p.url.startswith("https://www.example.com/") and p.tags}
    if len(urls) > 1 and set(urls) >= tracked_www:
        others = [u for u in urls if u not in tracked_www]
        return "every www page" + "".join(f" + {u}" for u in others)
    return ", ".join(_path(u) for u in urls)


def _flags(c: ExpectedCookie) -> str:
    flags = [f for f, on in (("Secure", c.secure), ("HttpOnly", c.http_only)) if on]
    if c.same_site:
        flags.append(f"SameSite={c.same_site}")
    return "; ".join(flags)


def _table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def host_rows() -> list[list[str]]:
    served: dict[str, list[str]] = {}
    for page in PAGES:
        served.setdefault(_host(page.url), []).append(f"page `{'/' + page.url.split('/', 3)[3]}`")
    for tag in tags_in(PAGES):
        if tag.kind != "inline":
            served.setdefault(tag.host, []).append(f"{tag.vendor} {tag.kind} `{tag.path}`")
        for endpoint in tag.endpoints:
            served.setdefault(endpoint.host, []).append(f"{tag.vendor} `{endpoint.path}` ({endpoint.answer})")
    served.setdefault("example.com", []).append("301 to https://www.example.com/")
    return [[f"`{host}`", ", ".join(items)] for host, items in sorted(served.items())]


def demo_tables() -> str:
    pages = _table(
        ["page", "tags"],
        [[p.url, ", ".join(t.key for t in p.tags) or "-"] for p in PAGES],
    )
    cookies = _table(
        ["cookie", "domain", "lifetime", "Max-Age", "set by", "flags", "set at", "pages"],
        [
            [
                f"`{c.name}`",
                c.domain,
                _lifetime(c.max_age),
                str(c.max_age) if c.max_age is not None else "-",
                c.set_by,
                _flags(c),
                c.set_at,
                _pages(c.pages),
            ]
            for c in expected_cookies()
        ],
    )
    storage = _table(
        ["storage", "key", "origin", "set at", "pages"],
        [[s.kind, f"`{s.key}`", s.origin, s.set_at, _pages(s.pages)] for s in expected_storage()],
    )
    hits = _table(
        ["method", "URL (query omitted)", "sent as", "answer", "pages"],
        [[h.method, h.url, h.kind, h.answer, _pages(h.pages)] for h in expected_hits()],
    )
    hosts = _table(["host", "serves"], host_rows())
    return (
        f"### Hosts\n\n{hosts}\n\n### Pages and the tags they embed\n\n{pages}\n\n"
        f"### Cookies\n\nJS cookies are written with `path=/; domain=.<registrable domain of the page>; "
        f"SameSite=Lax; Secure` (Secure on https pages). HTTP cookies also carry a matching `Expires`.\n\n"
        f"{cookies}\n\n### Web storage\n\n{storage}\n\n### Requests fired by tags\n\n{hits}\n"
    )


def consent_tables() -> str:
    """The consent world's ground truth (``scanner.fakenet.consent.CONSENT_TRUTH``) as tables."""
    from scanner.fakenet.consent import CONSENT_TRUTH, PASSES

    sites = _table(
        ["site", "consent manager (autoconsent name)", "self-test", "/.well-known/gpc.json"],
        [
            [
                t.start,
                f"`{t.cmp}`" if t.cmp else "none",
                "yes" if t.self_test else "-",
                "yes" if t.gpc_json else "-",
            ]
            for t in CONSENT_TRUTH.values()
        ],
    )
    out = [f"### Sites\n\n{sites}\n"]
    for truth in CONSENT_TRUTH.values():
        rows = []
        for name, v in truth.vendors.items():
            cells = [("bad" if p in v.bad else "yes") if p in v.passes else "-" for p in PASSES]
            rows.append(
                [
                    name,
                    v.kind,
                    v.behaviour + (f", GPC via {v.gpc}" if v.gpc else ""),
                    *cells,
                    ", ".join(sorted(v.findings)) or "-",
                    v.declared_by_cmp
                    or ("-" if v.kind in ("consent", "tag-manager") or not truth.cmp else "not listed"),
                ]
            )
        header = ["vendor", "kind", "behaviour", *PASSES, "findings", "CMP declares it as"]
        out.append(f"### {truth.start}\n\n{_table(header, rows)}\n")
    consent_mode = [
        [t.host, p, f"`{gcs}`", f"`{gcd}`"]
        for t in CONSENT_TRUTH.values()
        for p, (gcs, gcd) in sorted(t.vendors["Google Analytics"].consent_mode.items())
    ]
    out.append(
        "### Google Consent Mode on /g/collect\n\n"
        + _table(["site", "pass", "gcs", "gcd"], consent_mode)
        + "\n"
    )
    return "\n".join(out)


def generated_block(text: str, begin: str = BEGIN, end: str = END) -> str:
    start, stop = text.index(begin) + len(begin), text.index(end)
    return text[start:stop].strip("\n") + "\n"


def rewrite_readme(path: Path = README) -> None:
    text = path.read_text(encoding="utf-8")
    for begin, end, tables in ((BEGIN, END, demo_tables), (CONSENT_BEGIN, CONSENT_END, consent_tables)):
        start, stop = text.index(begin) + len(begin), text.index(end)
        text = text[:start] + "\n" + tables() + text[stop:]
    path.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    rewrite_readme(Path(sys.argv[1]) if len(sys.argv) > 1 else README)
