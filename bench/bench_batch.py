#!/usr/bin/env python3
"""`scanner batch` throughput: S fake sites × P pages, one after another without Dask, then with
--workers 1 and --workers 2 (default S=20, P=5: issue 13).

    python bench/bench_batch.py [--sites 20] [--pages 5] [--workers 1,2]

The fake internet (scanner/fakenet/batch_world.bench_world) runs in this process; every scan is a real
`scanner scan` subprocess in real Chromium with --consent off and no screenshots, as a quick campaign
would run. Prints wall-clock times, sites per minute, the scheduler's overhead per site (the batch with
one worker against the same scans run one after another by a plain loop calling the same runner) and
a projection for 10,000 sites on N workers.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scanner.batch.driver import site_arguments  # noqa: E402
from scanner.batch.model import JobRecord  # noqa: E402
from scanner.batch.runner import run_site  # noqa: E402
from scanner.fakenet import FakeInternet  # noqa: E402
from scanner.fakenet.batch_world import bench_host, bench_world  # noqa: E402


def options(net: FakeInternet, pages: int) -> list[str]:
    return [
        *(f"--browser-arg={arg}" for arg in net.chromium_args()),
        "--ignore-https-errors",
        "--consent",
        "off",
        "--no-screenshots",
        "--max-pages",
        str(pages),
        "--settle",
        "0.5",
    ]


def sequential(urls: list[str], folder: Path, scan_args: list[str]) -> float:
    """The same scans (same runner, same options) in a plain loop: no scheduler, no job table."""
    tokens = [("bench", scan_args)]
    t0 = time.monotonic()
    for url in urls:
        args = site_arguments(tokens, JobRecord(site=url), 50)
        outcome = run_site(url, campaign_dir=str(folder), attempt=1, scan_args=args, site_timeout=600)
        if outcome["exit"] not in (0, 1, 4):
            print(f"  {url}: {outcome['error']}", file=sys.stderr)
    return time.monotonic() - t0


def batch(sites_file: Path, folder: Path, workers: int, scan_args: list[str]) -> float:
    t0 = time.monotonic()
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "scanner",
            "batch",
            str(sites_file),
            "--out",
            str(folder),
            "--workers",
            str(workers),
        ]
        + ["--quiet", *scan_args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=dict(os.environ, CI="true", PYTHONPATH=str(ROOT)),
    )
    took = time.monotonic() - t0
    if run.returncode not in (0, 1):
        print(run.stdout + run.stderr, file=sys.stderr)
        raise SystemExit(f"scanner batch --workers {workers} ended with {run.returncode}")
    return took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=20)
    parser.add_argument("--pages", type=int, default=5)
    parser.add_argument("--workers", default="1,2", help="comma-separated worker counts (default 1,2)")
    args = parser.parse_args()
    workers = [int(w) for w in args.workers.split(",")]
    urls = [f"https://{bench_host(i)}/" for i in range(args.sites)]
    print(f"{args.sites} sites x {args.pages} pages, {os.cpu_count()} cores")
    with FakeInternet(bench_world(args.sites, args.pages)) as net, tempfile.TemporaryDirectory() as tmp:
        scan_args = options(net, args.pages)
        sites_file = Path(tmp) / "sites.txt"
        sites_file.write_text("\n".join(urls) + "\n")
        alone = sequential(urls, Path(tmp) / "loop", scan_args)
        print(f"  one after another (no Dask): {alone:7.1f} s  {alone / args.sites:5.1f} s/site")
        times = {}
        for n in workers:
            times[n] = batch(sites_file, Path(tmp) / f"w{n}", n, scan_args)
            print(
                f"  scanner batch --workers {n}: {times[n]:7.1f} s  {times[n] / args.sites:5.1f} s/site  "
                f"{60 * args.sites / times[n]:5.1f} sites/min  speed-up x{alone / times[n]:.2f}"
            )
    if 1 in times:
        overhead = (times[1] - alone) / args.sites
        print(f"  scheduler overhead (batch --workers 1 vs the loop): {overhead:+.2f} s/site")
    per_site = times.get(1, alone) / args.sites
    print(
        f"projection for 10,000 sites like these ({per_site:.1f} s each), each worker with its own core and "
        "1.5 GB (the scans share nothing but the scheduler):"
    )
    for n in (1, 2, 8, 32, 128):
        print(f"  {n:>4} workers: {10_000 * per_site / n / 3600:7.1f} h")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
