"""Scaling check: each input-driven cost grows linearly, so doubling the input at most ~doubles the time.

For every workload the input is built at size n and 2n, each is timed (best of --repeat runs, so a
noisy machine does not inflate one side, the cyclic garbage collector paused: see best_time) and the
ratio t(2n) / t(n) printed, then the same ratio of one run with the collector on. A linear cost
gives about 2.0; a quadratic one 4.0. Exit status 1 when any ratio exceeds --limit (default 2.5).

Workloads:
  sarif          SARIF 2.1.0 of a scan with n declared vendors (n findings), real attribute/compare
  policy-table   policy import of an HTML policy with one n-row vendor table
  policy-lists   policy import of Markdown with n list items and n prose sentences naming vendors
  policy-deep    policy import of HTML nested n elements deep, text at every level, then a vendor list
  sitemap        sitemap parsing and de-duplication: an index chain of n/50 sitemaps of n URLs, half repeats

    python bench/bench_linear.py [--scale 1.0] [--repeat 3] [--limit 2.5] [--only sarif,sitemap]
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

from report_factory import analysed, large_records  # noqa: E402

from scanner.crawl.sitemap import SitemapWalk  # noqa: E402
from scanner.policy.importer import import_policy_text  # noqa: E402
from scanner.report.sarif import build_sarif  # noqa: E402


def sarif_input(n: int) -> Callable[[], object]:
    rows = "\n".join(f"Vendor {i},Analytics,https://vendor{i}.example/privacy,analytics" for i in range(n))
    result = analysed(large_records(50, 500, 100, seed=3), "name,purpose,privacy_policy,category\n" + rows)
    assert len(result.findings) >= n
    return lambda: build_sarif(result)


def policy_table_input(n: int) -> Callable[[], object]:
    body = "".join(
        f"<tr><td>Vendor{i}</td><td>Analytics {i}</td>"
        f"<td><a href='https://vendor{i}.example/privacy'>policy</a></td></tr>"
        for i in range(n)
    )
    html = (
        "<html><body><h1>Privacy policy</h1><h2>Cookies and partners</h2><table>"
        f"<tr><th>Vendor</th><th>Purpose</th><th>Privacy policy</th></tr>{body}</table></body></html>"
    )

    def run() -> object:
        result = import_policy_text(html, kind="html")
        assert result.counts["table"] == n, result.counts
        return result

    return run


def policy_lists_input(n: int) -> Callable[[], object]:
    prose = "\n\n".join(f"We use [Vendor{i}](https://vendor{i}.com/privacy) for task {i}." for i in range(n))
    items = "\n".join(f"* [Partner{i}](https://partner{i}.com/privacy). Hosting {i}." for i in range(n))
    text = f"# Policy\n\n{prose}\n\n## Our subprocessors\n\n{items}\n"

    def run() -> object:
        result = import_policy_text(text)
        assert result.counts == {"table": 0, "list": n, "prose": n}, result.counts
        return result

    return run


def policy_deep_input(n: int) -> Callable[[], object]:
    vendors = "".join(
        f"<li><a href='https://partner{i}.example/privacy'>Partner{i}</a>: analytics</li>" for i in range(20)
    )
    nest = "".join(f"<div><p>Section {i}: we value your privacy.</p><section>" for i in range(n // 2))
    html = (
        "<html><body><h1>Privacy</h1>"
        + nest
        + "</section></div>" * (n // 2)
        + f"<h2>Our partners</h2><p>We use the following partners:</p><ul>{vendors}</ul></body></html>"
    )

    def run() -> object:
        result = import_policy_text(html, kind="html")
        assert result.counts["list"] == 20, result.counts
        return result

    return run


def sitemap_input(n: int) -> Callable[[], object]:
    files = max(2, n // 50)
    per_file = n // files
    chain = []
    for f in range(files):
        locs = "".join(
            f"<url><loc>https://site.example/p{(f * per_file + i) // 2}</loc></url>" for i in range(per_file)
        )
        nested = f"<sitemap><loc>https://site.example/sm{f + 1}.xml</loc></sitemap>" if f + 1 < files else ""
        # every index also names itself and the first sitemap again: cycles must not be followed
        again = "<sitemap><loc>https://site.example/sm0.xml</loc></sitemap>"
        chain.append(f"<sitemapindex>{locs}{nested}{again}</sitemapindex>")  # one root, both kinds

    def run() -> object:
        walk = SitemapWalk(limit=10 * n, max_sitemaps=files + 10)
        walk.add_sitemaps(["https://site.example/sm0.xml"])
        while (url := walk.next_sitemap()) is not None:
            walk.read(chain[int(url.rsplit("sm", 1)[1].split(".")[0])])
        assert len(walk.pages) == files * per_file // 2, len(walk.pages)
        assert walk.fetched == files
        return walk

    return run


WORKLOADS: dict[str, tuple[Callable[[int], Callable[[], object]], int]] = {
    "sarif": (sarif_input, 4000),
    "policy-table": (policy_table_input, 1500),
    "policy-lists": (policy_lists_input, 800),
    "policy-deep": (policy_deep_input, 2000),
    "sitemap": (sitemap_input, 20000),
}


def best_time(run: Callable[[], object], repeat: int, collector: bool = False) -> float:
    """Best wall time of ``run``. The cyclic garbage collector is paused unless ``collector``: its full
    collections walk every live object, so with it on a run that builds more objects while a larger
    input is alive costs more per object whatever the algorithm (CPython's cost, not this code's);
    both are printed."""
    best = float("inf")
    for _ in range(repeat):
        gc.collect()
        if not collector:
            gc.disable()
        try:
            started = time.perf_counter()
            run()
            best = min(best, time.perf_counter() - started)
        finally:
            gc.enable()
    return best


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every base size n")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--limit", type=float, default=2.5)
    ap.add_argument("--only", default="", help="comma-separated workload names")
    args = ap.parse_args(argv)
    names = [w for w in args.only.split(",") if w] or list(WORKLOADS)
    failed = []
    print(f"{'workload':<14}{'n':>8}{'t(n) s':>10}{'t(2n) s':>10}{'ratio':>8}{'with gc':>9}")
    for name in names:
        build, base = WORKLOADS[name]
        n = max(10, int(base * args.scale))
        small, large = build(n), build(2 * n)
        t1, t2 = best_time(small, args.repeat), best_time(large, args.repeat)
        g1, g2 = best_time(small, 1, collector=True), best_time(large, 1, collector=True)
        ratio = t2 / t1 if t1 > 0 else float("inf")
        flag = "" if ratio <= args.limit else "  > limit"
        print(f"{name:<14}{n:>8}{t1:>10.3f}{t2:>10.3f}{ratio:>8.2f}{g2 / g1:>9.2f}{flag}", flush=True)
        if ratio > args.limit:
            failed.append(name)
    if failed:
        print(f"not linear (ratio > {args.limit}): {', '.join(failed)}")
        return 1
    print(f"all linear: every ratio <= {args.limit}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
