"""Cost of a consent audit: the plain crawl against the same crawl with its consent passes. One run.

    python bench/bench_consent.py                       # the OneTrust site of the consent world
    python bench/bench_consent.py --site www.cb-boutique.com --pages 8 --sample 5 --json out.json

Both scans crawl the same site of the fake internet's consent world (scanner/fakenet/consent.py) with
the default visit timing (2 s settle): ``--consent off`` (no driver at all), then ``--consent all
--gpc`` (the driver looks for the banner on the crawl's first pages, then an accept, a reject and a GPC
pass over ``--sample`` pages, each in a fresh browser). It prints the wall time of each, the ratio, the
pages visited per pass, and what the passes found; the issue's bound is that the passes cost at most
2 x K page visits plus one banner answer each (here 3 x K with the GPC pass).
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import scanner  # noqa: E402
from scanner.browser import BrowserOptions  # noqa: E402
from scanner.fakenet import FakeInternet  # noqa: E402
from scanner.fakenet.consent import consent_world  # noqa: E402
from scanner.options import ScanOptions  # noqa: E402


def run(net: FakeInternet, site: str, pages: int, sample: int, consent: str, gpc: bool, out: Path) -> dict:
    browser = BrowserOptions(ignore_https_errors=True, extra_args=tuple(net.chromium_args()), timeout_s=30)
    options = ScanOptions(
        start_urls=(f"https://{site}/",),
        out_dir=out,
        formats=("json",),
        max_pages=pages,
        use_sitemap=False,
        screenshots=False,
        consent=consent,
        consent_sample=sample,
        gpc=gpc,
        declared=(),
        browser=browser,
    )
    started = time.monotonic()
    result = scanner.scan(options)
    seconds = time.monotonic() - started
    visits = Counter(p.consent_pass for p in result.pages)
    report = result.consent
    return {
        "consent": consent,
        "gpc": gpc,
        "seconds": round(seconds, 1),
        "visits": dict(visits),
        "findings": dict(report.summary) if report else {},
        "passes": [
            {"name": p.name, "cmp": p.cmp, "action": p.action, "result": p.result, "verified": p.verified}
            for p in (report.passes if report else ())
        ],
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--site", default="www.ot-daily.com")
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--sample", type=int, default=5)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with FakeInternet(consent_world()) as net, tempfile.TemporaryDirectory() as tmp:
        plain = run(net, args.site, args.pages, args.sample, "off", False, Path(tmp) / "plain")
        audit = run(net, args.site, args.pages, args.sample, "all", True, Path(tmp) / "audit")
    ratio = audit["seconds"] / plain["seconds"] if plain["seconds"] else None
    extra = sum(n for name, n in audit["visits"].items() if name != "none")
    figures = {"site": args.site, "plain": plain, "audit": audit, "ratio": round(ratio, 2) if ratio else None}
    print(f"site {args.site}: {args.pages} pages, consent sample {args.sample}")
    print(f"  plain crawl (--consent off):     {plain['seconds']:6.1f} s  visits {plain['visits']}")
    print(f"  consent audit (all + --gpc):     {audit['seconds']:6.1f} s  visits {audit['visits']}")
    print(f"  ratio {figures['ratio']}x; {extra} extra visits (bound: 3 passes x {args.sample})")
    for p in audit["passes"]:
        print(
            f"  pass {p['name']:7} cmp={p['cmp']} action={p['action']} result={p['result']} "
            f"verified={p['verified']}"
        )
    print(f"  findings {audit['findings']}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")


if __name__ == "__main__":
    main()
