"""Shared fixtures: the fake internet and real-browser scans of it (one scan reused by many tests)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import settings

from scanner.assemble import assemble
from scanner.browser import BrowserOptions
from scanner.crawl.crawler import Crawl
from scanner.crawl.visit import VisitTiming
from scanner.fakenet import FakeInternet, demo_world
from scanner.options import ScanOptions
from scanner.sink import JsonlSink

REPO = Path(__file__).resolve().parents[1]

# Four test processes share two cores with their browsers: a property test's example may take 50 times
# its usual time. Hypothesis judges speed by a per-example deadline, a timing assert in all but name;
# the suite has none (a test's own @settings may still set one).
settings.register_profile("suite", deadline=None)
settings.load_profile("suite")


# The slowest test files, slowest first (each file's total in two full runs of `tools/suite_timing.sh`,
# rounded; refresh from its LOG.files). With `--dist loadfile` xdist hands whole files to its workers in
# collection order (`--no-loadscope-reorder`: not by test count, which put files of few long tests last,
# so one could start when the other workers were nearly done). `tools/suite_schedule.py LOG.xml` replays
# both orders: about 3 % shorter with the slowest first (measured side by side: 2131 s -> 2093 s at load ~30).
SLOW_FIRST = (
    "test_cli_gate.py",
    "test_scan_errors.py",
    "test_history_e2e.py",
    "test_scan_api.py",
    "test_fakenet_consent.py",
    "test_chaos_visits.py",
    "test_coverage.py",
    "test_login_e2e.py",
    "test_demo_e2e.py",
    "test_recovery_fuzz.py",
    "test_packaging.py",
    "test_scan_errors_crawl.py",
    "test_browser_launch.py",
    "test_policy_e2e.py",
    "test_consent_e2e_a.py",
    "test_batch_kill_driver.py",
    "test_batch_campaign.py",
    "test_behaviour_e2e.py",
    "test_scan_resume.py",
    "test_url_meaning.py",
    "test_report_print.py",
    "test_history_errors.py",
    "test_consent_e2e_b.py",
    "test_batch_e2e.py",
    "test_scan_json_fuzz.py",
    "test_fakenet_behaviour.py",
    "test_readme.py",
)


def pytest_collection_modifyitems(items):
    """The files of SLOW_FIRST first, in its order; every file's own tests keep their order."""
    rank = {name: i for i, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(rank)))


def find_shared() -> Path:
    """The shared test-data folder (policies, Open Cookie Database): $SCANNER_SHARED_DIR, else the
    `shared` folder beside the checkout, else /work/shared (where this project's machines keep it)."""
    if os.environ.get("SCANNER_SHARED_DIR"):
        return Path(os.environ["SCANNER_SHARED_DIR"])
    for candidate in (REPO.parent / "shared", Path("/work/shared")):
        if candidate.is_dir():
            return candidate
    return REPO.parent / "shared"


SHARED = find_shared()
FAST = VisitTiming(settle_s=0.3, quiet_ms=300, quiet_cap_s=3.0)


def scan(net: FakeInternet, urls, out_dir: Path, *, ignore_https_errors=True, timeout_s=5.0, **kw):
    """Crawl in-process against the fake internet; returns (the assembled, not yet analysed ScanResult,
    the Crawl). The visits go to pages.jsonl in ``out_dir`` as in a real scan."""
    browser = BrowserOptions(
        ignore_https_errors=ignore_https_errors,
        block_third_party_cookies=kw.pop("block_third_party_cookies", False),
        extra_args=(*net.chromium_args(), *kw.pop("browser_args", ())),
        timeout_s=timeout_s,
        user_agent=kw.pop("user_agent", None),
        locale=kw.pop("locale", None),
        timezone=kw.pop("timezone", None),
    )
    kw.setdefault("timing", FAST)
    kw.setdefault("screenshots", False)
    kw.setdefault("concurrency", 2)
    options = ScanOptions(start_urls=tuple(urls), out_dir=out_dir, browser=browser, **kw)
    sink = JsonlSink(out_dir)
    crawl = Crawl(options, sink)
    asyncio.run(crawl.run())
    return assemble(crawl.meta, crawl.scope, sink.visits()), crawl


def run_cli(
    *args: str,
    timeout: float = 240,
    cwd: Path = REPO,
    env: dict[str, str | None] | None = None,
    input: str | None = None,
) -> subprocess.CompletedProcess:
    """``python -m scanner ARGS``. A ``scan`` runs without its consent passes (``--consent off``) unless
    the test names ``--consent``: these tests are about crawling, the declaration and the gate, and the
    demo shop's banner would add an accept and a reject pass to each. The default consent audit runs
    end to end in test_demo_e2e.py (``scanner demo``) and test_consent_e2e_*.py. ``env`` sets (or, with
    None, removes) variables of the test's environment; this checkout stays importable from any ``cwd``."""
    if args and args[0] == "scan" and not any(a == "--consent" or a.startswith("--consent=") for a in args):
        args = (*args, "--consent", "off")
    environ = dict(os.environ, CI="true")
    environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
    for name, value in (env or {}).items():
        if value is None:
            environ.pop(name, None)
        else:
            environ[name] = value
    return subprocess.run(
        [sys.executable, "-m", "scanner", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=cwd,
        env=environ,
        input=input,  # stdin (None: none)
    )


@pytest.fixture(scope="session")
def demo_net():
    with FakeInternet(demo_world()) as net:
        yield net


@pytest.fixture(scope="session")
def demo_scan(demo_net, tmp_path_factory):
    """One crawl of the demo site, deep enough to reach every depth, shared by the assertions."""
    out = tmp_path_factory.mktemp("demo-scan")
    result, _ = scan(
        demo_net, [demo_net.url("www.example.com", "/")], out, max_depth=4, max_pages=40, screenshots=True
    )
    return result, out
