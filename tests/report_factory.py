"""Synthetic but realistic scan results for the report, gate, diff and API tests.

``demo_scan()`` mirrors the demo shop ``https://www.example.com``: Google Analytics
(declared, consistent), the Facebook pixel (declared as analytics, observed as advertising
-> mismatch), Criteo and Hotjar (undeclared), an unknown tracker named by its domain
(undeclared, unknown) and Capterra (declared, never observed). ``large_scan()`` builds a
result of any size for the benchmark and the load tests.
"""

from __future__ import annotations

import random

from scanner.model import (
    Cookie,
    Declared,
    Evidence,
    Finding,
    Page,
    Request,
    ScanMeta,
    ScanResult,
    StorageItem,
)

SITE = "https://www.example.com"
T0 = 1_764_000_000.0  # 2025-11-24T16:00:00Z


def _page(path: str, depth: int, title: str, i: int, screenshot: str | None = None) -> Page:
    return Page(
        url=SITE + path,
        depth=depth,
        final_url=SITE + path,
        status=200,
        title=title,
        referrer=None if depth == 0 else SITE + "/",
        source="seed" if depth == 0 else "link",
        started_at=f"2025-11-24T16:00:{i:02d}Z",
        load_ms=400 + 30 * i,
        total_ms=1800 + 40 * i,
        screenshot=screenshot,
        content_type="text/html",
    )


def _req(url: str, page: str, rtype: str, vendor: str | None, t: float, **kw) -> Request:
    host = url.split("/")[2]
    parts = host.split(".")
    reg = ".".join(parts[-2:])
    return Request(
        url=url,
        method=kw.pop("method", "GET"),
        resource_type=rtype,
        host=host,
        registrable_domain=reg,
        third_party=reg != "example.com",
        page_url=page,
        status=kw.pop("status", 200),
        content_type=kw.pop("content_type", None),
        body_size=kw.pop("body_size", 1234),
        timestamp=t,
        vendor=vendor,
        vendor_reason="domain" if vendor else None,
        **kw,
    )


def _cookie(name: str, domain: str, page: str, days: float | None, vendor: str | None, **kw) -> Cookie:
    first = domain.lstrip(".").endswith("example.com")
    return Cookie(
        name=name,
        domain=domain,
        path="/",
        expires=None if days is None else T0 + days * 86400,
        secure=kw.pop("secure", True),
        http_only=kw.pop("http_only", False),
        same_site=kw.pop("same_site", "Lax"),
        first_party=first,
        set_by=kw.pop("set_by", "js" if first else "http"),
        page_url=page,
        registrable_domain=".".join(domain.lstrip(".").split(".")[-2:]),
        lifetime_days=days,
        declared_lifetime_days=days,
        pages=kw.pop("pages", (page,)),
        vendor=vendor,
        vendor_reason="cookie-name" if vendor else None,
        **kw,
    )


def _cref(c: Cookie) -> dict:
    return {
        "name": c.name,
        "domain": c.domain,
        "path": c.path,
        "lifetime_days": c.lifetime_days,
        "first_party": c.first_party,
        "set_by": c.set_by,
        "page_url": c.page_url,
        "in_jar": c.in_jar,
        "vendor_reason": c.vendor_reason,
        "secure": c.secure,
        "http_only": c.http_only,
        "same_site": c.same_site,
    }


def _rref(r: Request) -> dict:
    return {
        "url": r.url,
        "page_url": r.page_url,
        "resource_type": r.resource_type,
        "initiator": r.initiator,
        **({"reason": r.beacon_reason} if r.is_beacon else {}),
    }


def _sref(s: StorageItem) -> dict:
    return {"origin": s.origin, "kind": s.kind, "key": s.key, "page_url": s.page_url}


def demo_scan(*, start: str = "2025-11-24T16:00:00Z", extra_undeclared: bool = False) -> ScanResult:
    """The demo shop. ``extra_undeclared`` adds TikTok (undeclared) and a new cookie, for diffs."""
    home, shop, about = SITE + "/", SITE + "/shop", SITE + "/about"
    pages = (
        _page("/", 0, "Example Shop — Home", 0, "screenshots/0001.png"),
        _page("/shop", 1, "Shop", 1, "screenshots/0002.png"),
        _page("/about", 1, "About us", 2, None),
    )
    gtm = "https://www.googletagmanager.com/gtag/js?id=G-XYZ"
    fbq = "https://connect.facebook.net/en_US/fbevents.js"
    reqs = [
        _req(home, home, "document", None, T0, content_type="text/html"),
        _req(gtm, home, "script", "Google Analytics", T0 + 0.1, content_type="text/javascript"),
        _req(
            "https://region1.google-analytics.com/g/collect?v=2&tid=G-XYZ",
            home,
            "ping",
            "Google Analytics",
            T0 + 0.5,
            method="POST",
            status=204,
            body_size=0,
            initiator=gtm,
            initiator_type="script",
            is_beacon=True,
            beacon_reason="send_beacon",
            query_params=("v", "tid"),
        ),
        _req(fbq, home, "script", "Facebook", T0 + 0.2, content_type="text/javascript"),
        _req(
            "https://www.facebook.com/tr/?id=123&ev=PageView",
            home,
            "image",
            "Facebook",
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
        _req(shop, shop, "document", None, T0 + 10, content_type="text/html"),
        _req(
            "https://static.criteo.net/js/ld/ld.js", shop, "script", "Criteo", T0 + 10.2, content_type="x/js"
        ),
        _req(
            "https://sslwidget.criteo.com/event?a=1",
            shop,
            "xhr",
            "Criteo",
            T0 + 10.4,
            initiator="https://static.criteo.net/js/ld/ld.js",
            initiator_type="script",
        ),
        _req("https://static.hotjar.com/c/hotjar-1.js", shop, "script", "Hotjar", T0 + 10.3),
        _req(
            "https://px.unknown-metrics.io/p.gif?u=1",
            shop,
            "image",
            "unknown-metrics.io",
            T0 + 10.6,
            is_beacon=True,
            beacon_reason="tiny_image",
            image_size=(1, 1),
        ),
        _req(about, about, "document", None, T0 + 20, content_type="text/html"),
        _req(gtm, about, "script", "Google Analytics", T0 + 20.1),
        _req(
            "https://cdn.jsdelivr.net/npm/lib.js", about, "script", None, T0 + 20.2, failure="net::ERR_FAILED"
        ),
    ]
    if extra_undeclared:
        reqs.append(
            _req("https://analytics.tiktok.com/i18n/pixel/events.js", about, "script", "TikTok", T0 + 21)
        )
    cookies = [
        _cookie("_ga", ".example.com", home, 400.0, "Google Analytics", pages=(home, shop, about)),
        _cookie("_ga_XYZ", ".example.com", home, 400.0, "Google Analytics"),
        _cookie("_fbp", ".example.com", home, 90.0, "Facebook"),
        _cookie("fr", ".facebook.com", home, 90.0, "Facebook", http_only=True, same_site="None"),
        _cookie("cto_bundle", ".example.com", shop, 395.0, "Criteo"),
        _cookie("uid", ".criteo.com", shop, 395.0, "Criteo", same_site="None"),
        _cookie("_hjSessionUser_1", ".example.com", shop, 365.0, "Hotjar"),
        _cookie("_hjSession_1", ".example.com", shop, 0.02, "Hotjar"),
        _cookie(
            "sessionid", "www.example.com", home, None, None, http_only=True, host_only=True, set_by="http"
        ),
    ]
    if extra_undeclared:
        cookies.append(_cookie("_ttp", ".example.com", about, 390.0, "TikTok"))
    storage = [
        StorageItem(
            origin=SITE,
            kind="local",
            key="_hjLastUserId",
            page_url=shop,
            registrable_domain="example.com",
            value_length=32,
            vendor="Hotjar",
        ),
        StorageItem(
            origin=SITE,
            kind="session",
            key="cart",
            page_url=shop,
            registrable_domain="example.com",
            value_length=5,
        ),
    ]
    by_vendor = lambda items, v: [x for x in items if x.vendor == v]  # noqa: E731

    def ev(vendor: str) -> Evidence:
        rs = by_vendor(reqs, vendor)
        return Evidence(
            pages=tuple(sorted({r.page_url for r in rs})),
            cookies=tuple(_cref(c) for c in by_vendor(cookies, vendor)),
            requests=tuple(_rref(r) for r in rs if not r.is_beacon),
            beacons=tuple(_rref(r) for r in rs if r.is_beacon),
            storage=tuple(_sref(s) for s in by_vendor(storage, vendor)),
        )

    findings = [
        Finding(
            vendor="Criteo",
            status="undeclared",
            category="Advertising",
            detail="Criteo sets cookies and sends requests but is not in vendors.csv.",
            reasons=("not_declared",),
            evidence=ev("Criteo"),
        ),
        Finding(
            vendor="Hotjar",
            status="undeclared",
            category="Analytics",
            detail="Hotjar records sessions but is not in vendors.csv.",
            reasons=("not_declared",),
            evidence=ev("Hotjar"),
        ),
        Finding(
            vendor="unknown-metrics.io",
            status="undeclared",
            category=None,
            detail="An unknown tracker (1×1 image) from unknown-metrics.io.",
            reasons=("not_declared", "beacon"),
            evidence=ev("unknown-metrics.io"),
            unknown=True,
        ),
        Finding(
            vendor="Facebook",
            status="mismatch",
            category="Advertising",
            declared_name="Meta Pixel",
            detail="Declared as Analytics; observed as Advertising.",
            reasons=("purpose",),
            evidence=ev("Facebook"),
        ),
        Finding(
            vendor="Capterra",
            status="not_observed",
            category="Advertising",
            declared_name="Capterra",
            detail="Declared in vendors.csv but never seen during the scan.",
            reasons=("not_seen",),
        ),
        Finding(
            vendor="Google Analytics",
            status="declared",
            category="Analytics",
            declared_name="Google Analytics",
            detail="Observed and consistent with the declaration.",
            evidence=ev("Google Analytics"),
        ),
    ]
    if extra_undeclared:
        findings.insert(
            0,
            Finding(
                vendor="TikTok",
                status="undeclared",
                category="Advertising",
                detail="TikTok pixel is not in vendors.csv.",
                reasons=("not_declared",),
                evidence=ev("TikTok"),
            ),
        )
    declared = (
        Declared("Google Analytics", "Analytics", "https://policies.google.com", "Analytics", line=2,
                 source="vendors.csv:2", vendor="Google Analytics", resolution="exact"),
        Declared("Meta Pixel", "Analytics", "https://www.facebook.com/privacy", "Analytics", line=3,
                 source="vendors.csv:3", vendor="Facebook", resolution="alias"),
        Declared("Capterra", "Advertising", "https://www.capterra.com/legal", "Advertising", line=4,
                 source="vendors.csv:4", vendor="Capterra", resolution="exact"),
    )  # fmt: skip

    def vrow(name: str, category: str | None, parent: str | None, unknown: bool = False) -> dict:
        return {
            "name": name,
            "category": category,
            "parent": parent,
            "tracker": True,
            "unknown": unknown,
            "requests": len(by_vendor(reqs, name)),
            "cookies": len(by_vendor(cookies, name)),
        }

    vendors = [
        vrow("Google Analytics", "Analytics", "Google"),
        vrow("Facebook", "Advertising", "Meta"),
        vrow("Criteo", "Advertising", "Criteo"),
        vrow("Hotjar", "Analytics", "Hotjar"),
        vrow("unknown-metrics.io", None, None, unknown=True),
    ]
    if extra_undeclared:
        vendors.append(vrow("TikTok", "Advertising", "ByteDance"))
    meta = ScanMeta(
        tool_version="0.1.0",
        start_urls=(home,),
        started_at=start,
        finished_at="2025-11-24T16:00:40Z",
        browser="/usr/lib/chromium/chromium",
        browser_version="156.0.7000.0",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Chrome/156.0 Safari/537.36",
        options={"max_pages": 50, "depth": 2, "consent": "none"},
        catalog_version="2025.11",
        declared_source="vendors.csv",
    )
    return ScanResult(
        meta=meta,
        pages=pages,
        requests=tuple(reqs),
        cookies=tuple(cookies),
        storage=tuple(storage),
        declared=declared,
        vendors=tuple(vendors),
        findings=tuple(findings),
    )


_VENDORS = [
    ("Google Analytics", "Analytics", "www.google-analytics.com", "_ga"),
    ("Facebook", "Advertising", "www.facebook.com", "_fbp"),
    ("Criteo", "Advertising", "sslwidget.criteo.com", "cto_bundle"),
    ("Hotjar", "Analytics", "static.hotjar.com", "_hjSession"),
    ("DoubleClick", "Advertising", "ad.doubleclick.net", "IDE"),
    ("TikTok", "Advertising", "analytics.tiktok.com", "_ttp"),
    ("LinkedIn", "Advertising", "px.ads.linkedin.com", "li_fat_id"),
    ("Microsoft Clarity", "Analytics", "c.clarity.ms", "_clck"),
    ("Pinterest", "Advertising", "ct.pinterest.com", "_pin_unauth"),
    ("Snap", "Advertising", "tr.snapchat.com", "_scid"),
]


def large_scan(
    n_pages: int = 1000, n_requests: int = 10_000, n_cookies: int = 3000, seed: int = 7
) -> ScanResult:
    """A big result: ``n_pages`` pages, ``n_requests`` requests, ``n_cookies`` distinct cookies,
    ten vendors plus 40 unknown trackers, so every report section is large."""
    rnd = random.Random(seed)
    pages = tuple(
        _page(f"/p/{i}", 1 + i % 4, f"Product {i}", i % 60, f"screenshots/{i + 1:04d}.png")
        for i in range(n_pages)
    )
    unknown = [(f"t{i}.metrics{i}.io", None, f"px.metrics{i}.io", f"m{i}") for i in range(40)]
    vendors = _VENDORS + unknown
    reqs = []
    for i in range(n_requests):
        page = pages[i % n_pages].url
        name, _cat, host, _ck = (
            vendors[rnd.randrange(len(vendors))] if i % 5 else (None, None, "www.example.com", "")
        )
        beacon = i % 7 == 0 and name is not None
        reqs.append(
            _req(
                f"https://{host}/c/{i}?id={rnd.randrange(10**6)}",
                page,
                "image" if beacon else rnd.choice(["script", "xhr", "fetch", "image", "stylesheet"]),
                name,
                T0 + i * 0.05,
                is_beacon=beacon,
                beacon_reason="pixel_1x1" if beacon else None,
                initiator=f"https://{host}/lib.js" if name else None,
            )
        )
    cookies = []
    for i in range(n_cookies):
        name, _cat, host, ck = vendors[i % len(vendors)]
        third = i % 3 == 0
        domain = "." + ".".join(host.split(".")[-2:]) if third else ".example.com"
        cookies.append(
            _cookie(f"{ck}_{i}", domain, pages[i % n_pages].url, rnd.choice([None, 1, 30, 395]), name)
        )
    storage = [
        StorageItem(SITE, "local", f"key{i}", pages[i % n_pages].url, "example.com", value_length=10)
        for i in range(200)
    ]
    findings = []
    for idx, (name, cat, _h, _c) in enumerate(vendors):
        rs = [r for r in reqs if r.vendor == name]
        cs = [c for c in cookies if c.vendor == name]
        status = "declared" if idx < 3 else ("mismatch" if idx < 5 else "undeclared")
        findings.append(
            Finding(
                vendor=name,
                status=status,
                category=cat,
                declared_name=name if status != "undeclared" else None,
                detail=f"{name}: {status}",
                evidence=Evidence(
                    pages=tuple(sorted({r.page_url for r in rs})),
                    cookies=tuple(_cref(c) for c in cs),
                    requests=tuple(_rref(r) for r in rs if not r.is_beacon),
                    beacons=tuple(_rref(r) for r in rs if r.is_beacon),
                ),
                unknown=cat is None,
            )
        )
    findings.append(Finding(vendor="Capterra", status="not_observed", declared_name="Capterra"))
    base = demo_scan()
    return ScanResult(
        meta=base.meta,
        pages=pages,
        requests=tuple(reqs),
        cookies=tuple(cookies),
        storage=tuple(storage),
        declared=base.declared,
        vendors=tuple(
            {"name": n, "category": c, "parent": None, "tracker": True, "unknown": c is None}
            for n, c, _h, _k in vendors
        ),
        findings=tuple(findings),
    )
