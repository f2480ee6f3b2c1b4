#!/usr/bin/env python3
"""Attribution speed: N synthetic requests (default 1,000,000) plus cookies and storage.

    python bench/bench_attribution.py [--requests 1000000] [--hosts 5000]

Requests are spread over the demo world's tracker URLs, a few thousand other third-party hosts
(some known to the catalog, most not) and first-party URLs, the mix a large crawl produces.
Prints the time of attribute() and the rate; exits 1 when it exceeds --max-seconds.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scanner.attribute import attribute  # noqa: E402
from scanner.catalog import load_catalog  # noqa: E402
from scanner.compare import compare  # noqa: E402
from scanner.declared import load_declared_csv  # noqa: E402
from scanner.domains import host_of, registrable_domain  # noqa: E402
from scanner.model import Cookie, Request, ScanMeta, ScanResult, StorageItem  # noqa: E402

TRACKER_URLS = (
    "https://www.googletagmanager.com/gtag/js?id=G-DEMO1234",
    "https://region1.google-analytics.com/g/collect?v=2&tid=G-DEMO1234&cid=1.2",
    "https://googleads.g.doubleclick.net/pagead/viewthroughconversion/123456/?random=1",
    "https://www.facebook.com/tr/?id=1234567890&ev=PageView",
    "https://connect.facebook.net/en_US/fbevents.js",
    "https://bat.bing.com/action/0?ti=5555555",
    "https://px.ads.linkedin.com/collect?v=2&pid=98765",
    "https://pixel.quantserve.com/pixel;r=1;a=p-DEMO",
    "https://static.hotjar.com/c/hotjar-3210.js?sv=6",
    "https://cdnjs.cloudflare.com/ajax/libs/jquery/3.7.1/jquery.min.js",
    "https://fonts.gstatic.com/s/inter/v13/x.woff2",
    "https://t.pixelmetrics-demo.io/collect?uid=9f86d081884c7d65",
)


def synthetic(n_requests: int, n_hosts: int, seed: int = 7) -> ScanResult:
    rng = random.Random(seed)
    catalog = load_catalog()
    known = [d.removeprefix("*.") for v in catalog.vendors for d in v.domains][: n_hosts // 2]
    unknown = [f"cdn{i}.site{i % 997}-thirdparty.net" for i in range(n_hosts - len(known))]
    other_urls = [f"https://{h}/asset/{i}.js?v=3" for i, h in enumerate(known + unknown)]
    first_party = [f"https://www.example.com/page/{i}.css" for i in range(50)]
    pages = [f"https://www.example.com/p/{i}" for i in range(200)]
    templates = []
    for url in TRACKER_URLS + tuple(other_urls) + tuple(first_party):
        host = host_of(url)
        dom = registrable_domain(host)
        names = tuple(p.split("=")[0] for p in url.partition("?")[2].split("&") if p)
        rtype = "image" if "collect" in url or "pixel" in url or "/tr/" in url else "script"
        templates.append((url, host, dom, dom != "example.com", names, rtype))
    weights = [40] * len(TRACKER_URLS) + [1] * len(other_urls) + [5] * len(first_party)
    chosen = rng.choices(templates, weights=weights, k=n_requests)
    requests = tuple(
        Request(
            url=url,
            method="GET",
            resource_type=rtype,
            host=host,
            registrable_domain=dom,
            third_party=tp,
            page_url=pages[i % len(pages)],
            query_params=names,
        )
        for i, (url, host, dom, tp, names, rtype) in enumerate(chosen)
    )
    cookie_specs = [
        ("_ga", ".example.com"),
        ("IDE", ".doubleclick.net"),
        ("fr", ".facebook.com"),
        ("_hjSession_3210", ".example.com"),
        ("pm_uid", ".pixelmetrics-demo.io"),
        ("sessionid", "www.example.com"),
    ]
    cookies = tuple(
        Cookie(
            name=f"{name}" if i < len(cookie_specs) else f"{name}_{i}",
            domain=dom,
            path="/",
            expires=None,
            secure=True,
            http_only=False,
            same_site=None,
            first_party=dom.endswith("example.com"),
            set_by="js",
            page_url=pages[0],
            lifetime_days=30.0,
        )
        for i, (name, dom) in enumerate(cookie_specs * (n_requests // 1000 // len(cookie_specs) + 1))
    )
    storage = tuple(
        StorageItem(origin="https://www.example.com", kind="local", key=f"yt-player-{i}", page_url=pages[0])
        for i in range(n_requests // 1000)
    )
    meta = ScanMeta(tool_version="bench", start_urls=("https://www.example.com/",), started_at="now")
    return ScanResult(meta=meta, requests=requests, cookies=cookies, storage=storage)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1_000_000)
    parser.add_argument("--hosts", type=int, default=5000)
    parser.add_argument("--max-seconds", type=float, default=15.0)
    args = parser.parse_args(argv)
    t0 = time.perf_counter()
    catalog = load_catalog()
    t_catalog = time.perf_counter() - t0
    result = synthetic(args.requests, args.hosts)
    t1 = time.perf_counter()
    out = attribute(result, catalog)
    took = time.perf_counter() - t1
    tracked = sum(1 for r in out.requests if r.vendor)
    t2 = time.perf_counter()
    declared = load_declared_csv(Path(__file__).resolve().parent.parent / "vendors.csv")
    compared = compare(out, declared, catalog)
    took_compare = time.perf_counter() - t2
    print(
        f"catalog load {t_catalog:.3f}s ({len(catalog.vendors)} vendors); attribute(): "
        f"{len(out.requests):,} requests, {len(out.cookies):,} cookies, {len(out.storage):,} storage keys "
        f"in {took:.2f}s = {len(out.requests) / took:,.0f} requests/s; {tracked:,} attributed, "
        f"{len(out.vendors)} vendors; compare() with the seed vendors.csv: {took_compare:.2f}s, "
        f"{len(compared.findings)} findings {compared.summary}"
    )
    return 0 if took <= args.max_seconds else 1


if __name__ == "__main__":
    sys.exit(main())
