"""The demo world: www.example.com with realistic trackers, crawl traps and broken pages.

Everything observable is data (``PAGES``, ``FIRST_PARTY_COOKIES``, the tags in ``demo_tags``);
``scanner.fakenet.docs`` renders the same data as the table in README.md.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass

from scanner.fakenet.demo_tags import (
    BING,
    BIZIBLE,
    CRITEO,
    FACEBOOK,
    FONTS,
    GA4,
    GOOGLE_ADS,
    HOTJAR,
    JQUERY,
    LINKEDIN,
    PIXELMETRICS,
    QUANTCAST,
    YEAR,
    YOUTUBE,
)
from scanner.fakenet.site import Handler, RequestInfo, Response, Site
from scanner.fakenet.tracking import (
    DAY,
    CookieSpec,
    Endpoint,
    StorageSpec,
    Tag,
    endpoint_response,
    tag_response,
)

WWW = "https://www.example.com"

SITE_SCRIPT = Tag(
    key="site_inline",
    vendor="example.com (first party)",
    url=WWW + "/",
    kind="inline",
    js_cookies=(
        # The trap: a cookie called "session" that lives two years.
        CookieSpec("session", 2 * 365 * DAY, "js", ".{site}", "{hex:32}"),
        CookieSpec("theme", 30 * DAY, "js", ".{site}", "light"),
    ),
    note="the site's own inline script on every www page",
)

CART_SCRIPT = Tag(
    key="cart_inline",
    vendor="example.com (first party)",
    url=WWW + "/",
    kind="inline",
    storage=(
        StorageSpec("local", "cart", '{"items":[{"sku":"P-1","qty":1}],"updated":{ts}}'),
        StorageSpec("session", "checkout_step", "1"),
    ),
    note="inline script on the product page",
)

SESSIONID = CookieSpec("sessionid", None, "http", "www.example.com", "{hex:32}", True, True, "Lax")
CSRFTOKEN = CookieSpec("csrftoken", YEAR, "http", "www.example.com", "{hex:32}", True, False, "Strict")
FIRST_PARTY_COOKIES = (SESSIONID, CSRFTOKEN)

LAYOUT: tuple[Tag, ...] = (FONTS, JQUERY, SITE_SCRIPT, GA4, FACEBOOK, HOTJAR, PIXELMETRICS)


@dataclass(frozen=True)
class PageSpec:
    url: str
    title: str
    tags: tuple[Tag, ...]
    links: tuple[tuple[str, str], ...]  # (href as written, link text)
    text: str = ""
    http_cookies: tuple[CookieSpec, ...] = ()
    extra_html: str = ""  # trusted markup appended to the body

    def render(self) -> str:
        head = "\n".join(tag.html() for tag in self.tags)
        if self.url.startswith(WWW + "/"):  # the shop's pages carry its consent banner
            head = demo_consent_head() + "\n" + head
        links = "\n".join(
            f'<li><a href="{html.escape(href)}">{html.escape(text)}</a></li>' for href, text in self.links
        )
        return (
            "<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
            f"<title>{html.escape(self.title)}</title>\n"
            f"{head}\n</head><body>\n<h1>{html.escape(self.title)}</h1>\n<p>{html.escape(self.text)}</p>\n"
            f"<nav><ul>\n{links}\n</ul></nav>\n{self.extra_html}\n</body></html>\n"
        )

    def response(self) -> Response:
        return Response.html(self.render(), cookies=tuple(c.header() for c in self.http_cookies))


PAGES: tuple[PageSpec, ...] = (
    PageSpec(
        WWW + "/",
        "Example Shop",
        (*LAYOUT, GOOGLE_ADS, BING),
        (
            ("/products", "Products"),
            ("/about", "About us"),
            ("/contact", "Contact"),
            ("contact", "Contact (relative link)"),
            ("/about#team", "Our team"),
            (
                "/about?utm_source=home&utm_medium=link&utm_campaign=spring&fbclid=IwAR0demo",
                "About (tracked)",
            ),
            ("https://blog.example.com/", "Blog"),
            ("https://static.example-cdn.net/about-us", "About our CDN"),
            ("https://www.wikipedia.org/", "Wikipedia"),
            ("/brochure.pdf", "Brochure (PDF)"),
            ("/data.json", "Open data (JSON)"),
            ("/calendar?month=2026-01", "Events calendar"),
            ("/search?q=shoes", "Search shoes"),
            ("/missing", "Old page"),
            ("/broken", "Status"),
            ("/loop-a", "Loop"),
            ("mailto:hello@example.com", "Mail us"),
            ("tel:+15555550100", "Call us"),
            ("javascript:void(0)", "Open chat"),
            ("#top", "Back to top"),
        ),
        "Welcome to the demo shop.",
        http_cookies=FIRST_PARTY_COOKIES,
    ),
    PageSpec(
        WWW + "/products",
        "Products",
        (*LAYOUT, GOOGLE_ADS, CRITEO),
        (("products/1", "Product 1"), ("/", "Home")),
        "All our products.",
    ),
    PageSpec(
        WWW + "/products/1",
        "Product 1",
        (*LAYOUT, GOOGLE_ADS, CRITEO, YOUTUBE, CART_SCRIPT),
        (("1/reviews", "Reviews"), ("/products", "All products")),
        "A fine product, with a video.",
    ),
    PageSpec(
        WWW + "/products/1/reviews",
        "Reviews of product 1",
        (*LAYOUT, CRITEO),
        (("reviews/archive", "Older reviews"), ("/products/1", "Back to the product")),
        "Five stars.",
    ),
    PageSpec(
        WWW + "/products/1/reviews/archive",
        "Review archive",
        LAYOUT,
        (("/", "Home"),),
        "Reviews from long ago.",
    ),
    PageSpec(
        WWW + "/about",
        "About us",
        (*LAYOUT, QUANTCAST),
        (
            ("/", "Home"),
            ("/contact", "Contact"),
            ("/slow", "Annual report"),
            ("/redirect-me", "Old about page"),
        ),
        "Who we are.",
        extra_html=(
            '<h2 id=team>Team</h2>\n<a href="/contact" ping="https://www.example.com/ping-track">'
            "Write to us</a>"
        ),
    ),
    PageSpec(
        WWW + "/contact",
        "Contact",
        (*LAYOUT, QUANTCAST, BING),
        (
            ("/", "Home"),
            ("mailto:hello@example.com", "hello@example.com"),
            ("tel:+15555550100", "+1 555 555 0100"),
        ),
        "Write to us.",
    ),
    PageSpec(
        WWW + "/sitemap-only",
        "Careers",
        (*LAYOUT, LINKEDIN),
        (("/", "Home"),),
        "Only the sitemap links here.",
    ),
    PageSpec(
        "https://blog.example.com/",
        "Example Blog",
        (FONTS, GA4),
        (("https://www.example.com/", "Shop"),),
        "News from the shop.",
    ),
    PageSpec(
        "https://static.example-cdn.net/about-us",
        "About our CDN",
        (),
        (("https://www.example.com/", "Shop"),),
        "The shop's second first-party domain.",
    ),
    PageSpec(
        "https://www.wikipedia.org/",
        "Wikipedia",
        (),
        (),
        "Out of scope: a crawler of example.com must not visit this.",
    ),
)

SITEMAP_PATHS = ("/", "/products", "/products/1", "/about", "/contact", "/sitemap-only")

ROBOTS_TXT = "User-agent: *\nDisallow: /private/\n\nSitemap: https://www.example.com/sitemap.xml\n"

SLOW_PAGE_DELAY_S = 8.0

# A tiny but valid one-page PDF.
BROCHURE_PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
    b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)


def _plain_page(title: str, body: str, status: int = 200) -> Response:
    return Response.html(
        f"<!doctype html><html><head><title>{html.escape(title)}</title></head><body>{body}</body></html>",
        status=status,
    )


def _calendar(request: RequestInfo) -> Response:
    """A crawl trap: every month links to the next one, forever."""
    match = re.fullmatch(r"(\d{4})-(\d{2})", request.arg("month", "2026-01"))
    year, month = (int(match.group(1)), int(match.group(2))) if match else (2026, 1)
    month = min(max(month, 1), 12)
    nxt = f"{year + (month == 12):04d}-{month % 12 + 1:02d}"
    prev = f"{year - (month == 1):04d}-{(month - 2) % 12 + 1:02d}"
    body = (
        f"<h1>Events in {year:04d}-{month:02d}</h1>"
        f'<a href="/calendar?month={prev}">Previous month</a> <a href="/calendar?month={nxt}">Next month</a>'
        '<p><a href="/">Home</a></p>'
    )
    return _plain_page(f"Calendar {year:04d}-{month:02d}", body)


def _search(request: RequestInfo) -> Response:
    """A crawl trap: every result page links to new query variants."""
    query = request.arg("q", "shoes")[:200]
    page = int(request.arg("page", "1")) if request.arg("page", "1").isdigit() else 1
    words = query.split()
    variants = [
        f"/search?q={'+'.join([*words, 'red'])}",
        f"/search?q={'+'.join(words)}&page={page + 1}",
        f"/search?q={'+'.join(words)}&sort=price",
    ]
    links = " ".join(f'<a href="{html.escape(v)}">{html.escape(v)}</a>' for v in variants)
    return _plain_page(f"Search: {query}", f"<h1>Results for {html.escape(query)}</h1>{links}")


def _slow(request: RequestInfo) -> Response:
    page = _plain_page("Annual report", "<h1>Annual report</h1><p>Worth the wait.</p>")
    return Response(page.status, page.headers, page.body, delay_s=SLOW_PAGE_DELAY_S)


def _sitemap_xml() -> str:
    urls = "".join(f"  <url><loc>{WWW}{path}</loc></url>\n" for path in SITEMAP_PATHS)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{urls}</urlset>\n'
    )


def _www_extras() -> dict[str, Response | Handler]:
    return {
        "/robots.txt": Response.text(ROBOTS_TXT),
        "/sitemap.xml": Response.text(_sitemap_xml(), "application/xml"),
        "/brochure.pdf": Response(200, [("Content-Type", "application/pdf")], BROCHURE_PDF),
        "/data.json": Response(
            200, [("Content-Type", "application/json")], json.dumps({"products": [{"id": 1}]}).encode()
        ),
        "/calendar": _calendar,
        "/search": _search,
        "/missing": Response.not_found(),
        "/broken": _plain_page("Server error", "<h1>500 Internal Server Error</h1>", status=500),
        "/loop-a": Response.redirect("/loop-b", 302),
        "/loop-b": Response.redirect("/loop-a", 302),
        "/slow": _slow,
        "/redirect-me": Response.redirect("/about", 301),
        "/ping-track": Response.no_content(),
        "/favicon.ico": Response(404, [("Content-Type", "text/plain")], b"no favicon"),
    }


def _page_handler(page: PageSpec) -> Handler:
    return lambda _request: page.response()


def _tag_handler(tag: Tag) -> Handler:
    return lambda _request: tag_response(tag)


def _endpoint_handler(endpoint: Endpoint) -> Handler:
    return lambda request: endpoint_response(endpoint, request)


def tags_in(pages: tuple[PageSpec, ...]) -> list[Tag]:
    seen: dict[str, Tag] = {}
    for page in pages:
        for tag in page.tags:
            seen.setdefault(tag.key, tag)
    return list(seen.values())


def build_world(
    pages: tuple[PageSpec, ...], extra_routes: Mapping[str, Mapping[str, Response | Handler]]
) -> dict[str, Site]:
    """Sites for the pages, for every tag they embed (tag URL + endpoints), plus extra routes."""
    world: dict[str, Site] = {}

    def site(host: str) -> Site:
        return world.setdefault(host, Site())

    for page in pages:
        host, path = page.url.split("/", 3)[2], "/" + page.url.split("/", 3)[3]
        site(host).add(path, _page_handler(page))
    for tag in tags_in(pages):
        if tag.kind != "inline":
            site(tag.host).add(tag.path, _tag_handler(tag))
        for endpoint in tag.endpoints:
            site(endpoint.host).add(endpoint.path, _endpoint_handler(endpoint))
    for host, routes in extra_routes.items():
        for path, handler in routes.items():
            site(host).add(path, handler)
    return world


def demo_consent():
    """The shop's consent banner: a OneTrust imitation (scanner.fakenet.consent) whose tag manager
    loads Bizible only after "accept all"; every other tag of the shop ignores the banner (they are in
    the page itself), as on many real shops."""
    from scanner.fakenet.consent import ConsentSite, Placement

    return ConsentSite(
        "www.example.com",
        "Example Shop",
        "onetrust",
        "Onetrust",
        True,
        (Placement(BIZIBLE, "gated", "marketing", declared_as="marketing"),),
    )


def demo_consent_head() -> str:
    from scanner.fakenet.consent import consent_head

    return consent_head(demo_consent())


def demo_world() -> dict[str, Site]:
    """The demo site www.example.com and everything it loads (see README.md for the table)."""
    from scanner.fakenet.consent import consent_routes

    return build_world(
        PAGES,
        {
            "www.example.com": _www_extras(),
            "example.com": {"*": lambda r: Response.redirect("https://www.example.com" + r.target, 301)},
            **consent_routes(demo_consent()),
        },
    )
