"""Scan results for the report, gate, diff and API tests, made by the real pipeline.

Each fixture builds the records a crawl produces (:class:`Page`, :class:`Request`,
:class:`Cookie`, :class:`StorageItem` as the crawler and its collectors write them: no
vendor, no finding) and runs them through ``scanner.pipeline.analyse`` — the real
``attribute()`` and ``compare()`` with the shipped catalog and a ``vendors.csv`` parsed by
the real reader. Reasons, categories, details and evidence keys are therefore exactly what the
pipeline writes; nothing here invents them.

``demo_scan()`` mirrors the demo shop ``https://www.example.com``: Google Analytics (declared,
consistent), the Facebook pixel (declared as "Meta Pixel" for analytics, observed as
advertising -> mismatch), Criteo and Hotjar (undeclared), an unknown tracker named by its
domain ``unknown-metrics.io`` (undeclared, unknown) and Capterra (declared, never observed).
``large_scan()`` builds a result of any size for the load tests.
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import replace

from scanner.declared import parse_declared_csv
from scanner.domains import cookie_registrable_domain, host_of, registrable_domain
from scanner.model import Cookie, Page, Request, ScanMeta, ScanResult, StorageItem
from scanner.pipeline import analyse

SITE = "https://www.example.com"
SITE_DOMAIN = "example.com"
T0 = 1_764_000_000.0  # 2025-11-24T16:00:00Z
DAY = 86_400.0

DEMO_VENDORS_CSV = """name,purpose,privacy_policy,category
Google Analytics,Analytics,https://policies.google.com,analytics
Meta Pixel,Analytics,https://www.facebook.com/privacy,analytics
Capterra,Advertising,https://www.capterra.com/legal,advertising
"""


# ---- raw records, as the crawler writes them ------------------------------------------------------


def page(path: str, depth: int, title: str, i: int, screenshot: str | None = None) -> Page:
    return Page(
        url=SITE + path,
        depth=depth,
        final_url=SITE + path,
        status=200,
        title=title,
        referrer=None if depth == 0 else SITE + "/",
        source="seed" if depth == 0 else "link",
        started_at=f"2025-11-24T16:{i // 60 % 60:02d}:{i % 60:02d}Z",
        load_ms=400 + 30 * (i % 50),
        total_ms=1800 + 40 * (i % 50),
        screenshot=screenshot,
        content_type="text/html",
        nav_started_at=T0 + 10 * i,  # the demo's document requests start then
    )


def request(url: str, page_url: str, rtype: str, t: float, **kw) -> Request:
    """A request as the request collector records it (beacon marks applied, as assembly does)."""
    host = host_of(url)
    reg = registrable_domain(host)
    query = url.split("?", 1)[1] if "?" in url else ""
    names = tuple(dict.fromkeys(p.split("=")[0] for p in query.split("&") if p))
    return Request(
        url=url,
        method=kw.pop("method", "GET"),
        resource_type=rtype,
        host=host,
        registrable_domain=reg,
        third_party=reg != SITE_DOMAIN,
        page_url=page_url,
        frame_url=kw.pop("frame_url", page_url),
        status=kw.pop("status", 200),
        content_type=kw.pop("content_type", None),
        body_size=kw.pop("body_size", 1234),
        query_params=names,
        timestamp=t,
        **kw,
    )


def cookie(name: str, domain: str, page_url: str, days: float | None, **kw) -> Cookie:
    """A cookie as the cookie merge writes it: jar attributes, first/third party by the site's domain."""
    reg = cookie_registrable_domain(domain)
    seen = kw.pop("seen_at", T0)
    sent_days = kw.pop("sent_days", days)
    return Cookie(
        name=name,
        domain=domain,
        path=kw.pop("path", "/"),
        expires=None if days is None else seen + days * DAY,
        secure=kw.pop("secure", True),
        http_only=kw.pop("http_only", False),
        same_site=kw.pop("same_site", "Lax"),
        first_party=reg == SITE_DOMAIN,
        set_by=kw.pop("set_by", "js" if reg == SITE_DOMAIN else "http"),
        page_url=page_url,
        registrable_domain=reg,
        host_only=not domain.startswith("."),
        declared_lifetime_days=sent_days,
        lifetime_days=None if days is None else min(days, 400.0),
        setter_url=kw.pop("setter_url", None),
        value_hash=hashlib.sha256(f"{name}@{domain}".encode()).hexdigest()[:16],
        pages=kw.pop("pages", (page_url,)),
        **kw,
    )


def storage(key: str, kind: str, page_url: str, length: int, origin: str = SITE) -> StorageItem:
    reg = registrable_domain(host_of(origin))
    return StorageItem(
        origin=origin,
        kind=kind,  # type: ignore[arg-type]
        key=key,
        page_url=page_url,
        registrable_domain=reg,
        third_party=reg != SITE_DOMAIN,
        value_hash=hashlib.sha256(key.encode()).hexdigest()[:16],
        value_length=length,
    )


def meta(start: str = "2025-11-24T16:00:00Z", **kw) -> ScanMeta:
    return ScanMeta(
        tool_version="0.1.0",
        start_urls=(SITE + "/",),
        started_at=start,
        finished_at=kw.pop("finished_at", "2025-11-24T16:00:40Z"),
        browser="/usr/lib/chromium/chromium",
        browser_version="156.0.7000.0",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36",
        options={"max_pages": 50, "max_depth": 2, "concurrency": 2},
        **kw,
    )


def analysed(raw: ScanResult, vendors_csv: str | None) -> ScanResult:
    """The real attribute() + compare() of raw records, against ``vendors_csv`` text (None: nothing
    declared), as ``scanner scan --vendors vendors.csv`` runs them."""
    declared = parse_declared_csv(vendors_csv, "vendors.csv") if vendors_csv is not None else None
    return analyse(raw, declared=declared, declared_source="vendors.csv" if declared is not None else None)


# ---- the demo shop -----------------------------------------------------------------------------------


def demo_records(*, start: str = "2025-11-24T16:00:00Z", extra_undeclared: bool = False) -> ScanResult:
    """The demo shop's raw records (no vendors, no findings). ``extra_undeclared`` adds a TikTok pixel
    script and its ``_ttp`` cookie on /about, for diffs and baselines."""
    home, shop, about = SITE + "/", SITE + "/shop", SITE + "/about"
    pages = (
        page("/", 0, "Example Shop — Home", 0, "screenshots/0001.png"),
        page("/shop", 1, "Shop", 1, "screenshots/0002.png"),
        page("/about", 1, "About us", 2, None),
    )
    gtm = "https://www.googletagmanager.com/gtag/js?id=G-XYZ"
    fbq = "https://connect.facebook.net/en_US/fbevents.js"
    criteo = "https://static.criteo.net/js/ld/ld.js"
    hotjar = "https://static.hotjar.com/c/hotjar-1.js"
    reqs = [
        request(home, home, "document", T0, content_type="text/html", initiator_type="other"),
        request(gtm, home, "script", T0 + 0.1, content_type="text/javascript", initiator_type="parser"),
        request(
            "https://region1.google-analytics.com/g/collect?v=2&tid=G-XYZ",
            home,
            "ping",
            T0 + 0.5,
            method="POST",
            status=204,
            body_size=0,
            initiator=gtm,
            initiator_type="script",
            is_beacon=True,
            beacon_reason="send_beacon",
        ),
        request(fbq, home, "script", T0 + 0.2, content_type="text/javascript", initiator_type="parser"),
        request(
            "https://www.facebook.com/tr/?id=123&ev=PageView",
            home,
            "image",
            T0 + 0.7,
            initiator=fbq,
            initiator_type="script",
            is_beacon=True,
            beacon_reason="pixel_1x1",
            image_size=(1, 1),
            content_type="image/gif",
            body_size=43,
            redirect_chain=("http://www.facebook.com/tr/?id=123&ev=PageView",),
        ),
        request(shop, shop, "document", T0 + 10, content_type="text/html", initiator_type="other"),
        request(criteo, shop, "script", T0 + 10.2, content_type="x/js", initiator_type="parser"),
        request(
            "https://sslwidget.criteo.com/event?a=1",
            shop,
            "xhr",
            T0 + 10.4,
            initiator=criteo,
            initiator_type="script",
        ),
        request(hotjar, shop, "script", T0 + 10.3, initiator_type="parser"),
        request(
            "https://px.unknown-metrics.io/p.gif?u=1",
            shop,
            "image",
            T0 + 10.6,
            initiator_type="parser",
            is_beacon=True,
            beacon_reason="tiny_image",
            image_size=(1, 1),
        ),
        request(about, about, "document", T0 + 20, content_type="text/html", initiator_type="other"),
        request(gtm, about, "script", T0 + 20.1, initiator_type="parser"),
        request(
            "https://cdn.jsdelivr.net/npm/lib.js",
            about,
            "script",
            T0 + 20.2,
            status=None,
            failure="net::ERR_FAILED",
        ),
    ]
    if extra_undeclared:
        reqs.append(request("https://analytics.tiktok.com/i18n/pixel/events.js", about, "script", T0 + 21))
    cookies = [
        cookie(
            "_ga", ".example.com", home, 400.0, sent_days=730.0, setter_url=gtm, pages=(home, shop, about)
        ),
        cookie("_ga_XYZ", ".example.com", home, 400.0, sent_days=730.0, setter_url=gtm),
        cookie("_fbp", ".example.com", home, 90.0, setter_url=fbq),
        cookie("fr", ".facebook.com", home, 90.0, http_only=True, same_site="None"),
        cookie("cto_bundle", ".example.com", shop, 395.0, setter_url=criteo),
        cookie("uid", ".criteo.com", shop, 395.0, same_site="None"),
        cookie("_hjSessionUser_1", ".example.com", shop, 365.0, setter_url=hotjar),
        cookie("_hjSession_1", ".example.com", shop, 0.02, setter_url=hotjar),
        cookie("sessionid", "www.example.com", home, None, http_only=True, set_by="http"),
    ]
    if extra_undeclared:
        cookies.append(cookie("_ttp", ".example.com", about, 390.0))
    items = [
        storage("_hjLastUserId", "local", shop, 32),
        storage("cart", "session", shop, 5),
    ]
    return ScanResult(
        meta=meta(start),
        pages=pages,
        requests=tuple(reqs),
        cookies=tuple(cookies),
        storage=tuple(items),
    )


def demo_scan(*, start: str = "2025-11-24T16:00:00Z", extra_undeclared: bool = False) -> ScanResult:
    """The demo shop, attributed and compared with :data:`DEMO_VENDORS_CSV` by the real pipeline."""
    return analysed(demo_records(start=start, extra_undeclared=extra_undeclared), DEMO_VENDORS_CSV)


def partial(result: ScanResult, *errors: str) -> ScanResult:
    """The same scan marked as cut off (``meta.interrupted``), as a killed or crashed scan is."""
    return replace(
        result,
        meta=replace(result.meta, interrupted=True, finished_at=None, errors=errors or ("interrupted",)),
    )


# ---- a large scan ------------------------------------------------------------------------------------

_VENDORS = [
    ("Google Analytics", "www.google-analytics.com", "_ga"),
    ("Facebook", "www.facebook.com", "_fbp"),
    ("Criteo", "sslwidget.criteo.com", "cto_bundle"),
    ("Hotjar", "static.hotjar.com", "_hjSession"),
    ("DoubleClick", "ad.doubleclick.net", "IDE"),
    ("TikTok", "analytics.tiktok.com", "_ttp"),
    ("LinkedIn", "px.ads.linkedin.com", "li_fat_id"),
    ("Microsoft Clarity", "c.clarity.ms", "_clck"),
    ("Pinterest", "ct.pinterest.com", "_pin_unauth"),
    ("Snap", "tr.snapchat.com", "_scid"),
]
LARGE_VENDORS_CSV = (
    "name,purpose,privacy_policy,category\n"
    "Google Analytics,Analytics,https://policies.google.com,analytics\n"
    "Facebook,Advertising,https://www.facebook.com/privacy,advertising\n"
    "Criteo,Advertising,https://www.criteo.com/privacy,advertising\n"
    "Hotjar,Advertising,https://www.hotjar.com/privacy,advertising\n"
    "DoubleClick,Analytics,https://policies.google.com,analytics\n"
    "Capterra,Advertising,https://www.capterra.com/legal,advertising\n"
)


def large_records(
    n_pages: int = 1000, n_requests: int = 10_000, n_cookies: int = 3000, seed: int = 7
) -> ScanResult:
    """``n_pages`` pages, ``n_requests`` requests over ten catalog vendors and 40 unknown trackers
    (every 7th one a 1x1 pixel), ``n_cookies`` distinct cookies (a third of them third party) and
    200 first-party storage keys."""
    rnd = random.Random(seed)
    pages = tuple(
        page(f"/p/{i}", 1 + i % 4, f"Product {i}", i, f"screenshots/{i + 1:04d}.png") for i in range(n_pages)
    )
    unknown = [(f"metrics{i}.io", f"px.metrics{i}.io", f"m{i}") for i in range(40)]
    vendors = _VENDORS + unknown
    reqs = []
    for i in range(n_requests):
        page_url = pages[i % n_pages].url
        host = vendors[rnd.randrange(len(vendors))][1] if i % 5 else "www.example.com"
        beacon = i % 7 == 0 and host != "www.example.com"
        reqs.append(
            request(
                f"https://{host}/c/{i}?id={rnd.randrange(10**6)}",
                page_url,
                "image" if beacon else rnd.choice(["script", "xhr", "fetch", "image", "stylesheet"]),
                pages[i % n_pages].nav_started_at + 0.02 + 0.05 * (i // n_pages),  # type: ignore[operator]
                is_beacon=beacon,
                beacon_reason="pixel_1x1" if beacon else None,
                image_size=(1, 1) if beacon else None,
                initiator=f"https://{host}/lib.js" if host != "www.example.com" else None,
            )
        )
    cookies = []
    for i in range(n_cookies):
        _name, host, prefix = vendors[i % len(vendors)]
        third = i % 3 == 0
        domain = "." + registrable_domain(host) if third else ".example.com"
        cookies.append(
            cookie(
                f"{prefix}_{i}",
                domain,
                pages[i % n_pages].url,
                rnd.choice([None, 1, 30, 395]),
                setter_url=None if third else f"https://{host}/lib.js",
                set_at=pages[i % n_pages].nav_started_at + 0.3,  # type: ignore[operator]
            )
        )
    items = [storage(f"key{i}", "local", pages[i % n_pages].url, 10) for i in range(200)]
    return ScanResult(
        meta=meta(), pages=pages, requests=tuple(reqs), cookies=tuple(cookies), storage=tuple(items)
    )


def large_scan(
    n_pages: int = 1000, n_requests: int = 10_000, n_cookies: int = 3000, seed: int = 7
) -> ScanResult:
    """A big result, attributed and compared by the real pipeline, so every report section is large."""
    return analysed(large_records(n_pages, n_requests, n_cookies, seed), LARGE_VENDORS_CSV)
