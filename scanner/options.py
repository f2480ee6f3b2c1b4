"""Everything one scan needs to know, as one typed, immutable value: :class:`ScanOptions`.

The CLI builds it from its arguments; a Python caller builds it directly::

    from scanner import ScanOptions, scan
    result = scan(ScanOptions(start_urls=("https://www.example.com/",), out_dir="reports/example"))
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from scanner.browser import BrowserOptions
from scanner.crawl.visit import VisitTiming
from scanner.errors import BadInput
from scanner.login import LoginOptions
from scanner.model import Declared

DEFAULT_FORMATS: tuple[str, ...] = ("html", "json", "csv")
CALLER_DECLARATION = "declared by the caller"  # meta.declared_source of ScanOptions.declared

# Measured on the bench site (bench/bench_crawl.py --compare-concurrency): the browser with its first
# page takes about 1.5 GB at peak, every further tab about 150 MB; a visit mostly waits (settle, quiet
# network), so tabs pay until the cores are busy.
BROWSER_MEMORY = 1536 * 2**20
TAB_MEMORY = 150 * 2**20
TABS_PER_CORE = 2
MAX_DEFAULT_TABS = 8


def default_concurrency(cores: int | None = None, available_memory: int | None = None) -> int:
    """Tabs in parallel for this machine: two a core, as many as the memory left after the browser
    allows, at least one and at most eight."""
    cores = cores or os.cpu_count() or 1
    if available_memory is None:
        available_memory = _available_memory()
    by_cores = TABS_PER_CORE * cores
    by_memory = (available_memory - BROWSER_MEMORY) // TAB_MEMORY if available_memory else by_cores
    return int(max(1, min(by_cores, by_memory, MAX_DEFAULT_TABS)))


def _available_memory() -> int | None:
    """Memory available to new processes (Linux MemAvailable; psutil elsewhere when installed)."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        import psutil

        return int(psutil.virtual_memory().available)
    except Exception:  # noqa: BLE001 - no psutil: decide by cores alone
        return None


@dataclass(frozen=True)
class ScanOptions:
    """One scan: what to visit, how, what it is compared with, and where the results go.

    Only ``start_urls`` is required. With ``out_dir`` the visits are saved as they happen
    (``pages.jsonl``), screenshots and the report ``formats`` are written there; without it the scan
    keeps everything in memory and writes nothing. An ``out_dir`` that already holds a scan is refused
    (BadInput) unless ``resume`` continues it or ``overwrite`` replaces it.
    """

    start_urls: tuple[str, ...]
    out_dir: Path | None = None
    # What the site declares: an already loaded list wins over a vendors.csv, which wins over a policy.
    declared: tuple[Declared, ...] | None = None
    vendors: Path | None = None  # vendors.csv
    policy: str | None = None  # a privacy/cookie policy (file or URL) to import instead
    declared_from: str | None = None  # "cmp": what the consent banner lists (read during the scan)
    catalog_files: tuple[Path, ...] = ()  # extra vendor catalog entries
    formats: tuple[str, ...] = DEFAULT_FORMATS  # written into out_dir: any of scanner.report.FORMATS
    self_contained: bool = False  # report.html embeds the full screenshots too (not only thumbnails)
    fail_on: frozenset[str] | None = None  # shapes the verdict in the reports; None = the gate's default
    baseline: Path | None = None  # an earlier scan.json: the verdict counts only what is new
    warn_on: frozenset[str] | None = None  # statuses the verdict reports as warnings (never failing)
    waivers: Path | None = None  # a waivers TOML file (scanner.waivers): accepted findings, until expiry
    # Crawl
    first_party: tuple[str, ...] = ()  # domains also in scope besides the start URLs'
    max_depth: int = 3
    max_pages: int = 50
    max_query_variants: int = 5  # query strings per path (crawl-trap bound)
    use_sitemap: bool = True  # seed from robots.txt / sitemap.xml
    # Links never followed, besides log out / delete account / unsubscribe (scanner.crawl.exclude): regexes
    exclude: tuple[str, ...] = ()
    concurrency: int | None = None  # tabs in parallel; None = default_concurrency() of this machine
    keep_values: bool = False  # store cookie/storage values, not only their hashes
    screenshots: bool = True  # one per page (needs out_dir)
    timing: VisitTiming = field(default_factory=VisitTiming)
    browser: BrowserOptions = field(default_factory=BrowserOptions)
    # Consent (scanner.consent): "auto" detects the banner on the crawl's first pages and, when one is
    # shown, runs an accept and a reject pass over ``consent_sample`` pages, each in a fresh profile;
    # "none" only detects; "accept" / "reject" / "all" run those passes whether or not a banner was seen;
    # "off" runs no consent driver at all. ``gpc`` adds a pass sending Global Privacy Control.
    consent: str = "auto"
    consent_sample: int = 5
    gpc: bool = False
    # Behaviour (scanner.behaviour): ``api_hooks`` counts fingerprinting, recording and listener APIs in
    # every frame (off: no such evidence, the behaviour section says so); ``probe_forms`` types random
    # canary values into visible text, e-mail and search fields (never submits) to catch form-data leaks.
    api_hooks: bool = True
    probe_forms: bool = False
    # A scan-history database (scanner.history): the finished scan records itself there after scan.json
    # is written (needs out_dir and the json format); a failure to record is a warning, never a lost scan.
    history: Path | None = None
    # A logged-in audit (scanner.login): storage state, login script or steps, the logged-in check
    login: LoginOptions | None = None
    resume: bool = False  # continue the unfinished scan saved in out_dir
    overwrite: bool = False  # out_dir holds a scan: replace it (else the scan refuses, BadInput)

    def __post_init__(self) -> None:
        if isinstance(self.start_urls, str):
            object.__setattr__(self, "start_urls", (self.start_urls,))
        for name in ("start_urls", "first_party", "formats", "exclude"):
            object.__setattr__(self, name, tuple(getattr(self, name)))
        object.__setattr__(self, "catalog_files", tuple(Path(p) for p in self.catalog_files))
        for name in ("out_dir", "vendors", "baseline", "history", "waivers"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))
        if self.declared is not None and not isinstance(self.declared, tuple):
            object.__setattr__(self, "declared", tuple(self.declared))
        for name in ("fail_on", "warn_on"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, frozenset):
                object.__setattr__(self, name, frozenset([value] if isinstance(value, str) else value))

    @property
    def tabs(self) -> int:
        return self.concurrency if self.concurrency else default_concurrency()

    @property
    def screenshots_dir(self) -> Path | None:
        return self.out_dir / "screenshots" if self.screenshots and self.out_dir else None


def resume_options(folder: Path, **overrides) -> ScanOptions:
    """Options that continue the unfinished scan saved in ``folder``: its start URLs, scope, limits,
    timing and declaration as saved in ``scan-meta.json``; ``overrides`` (browser, formats, a new
    declaration, ...) replace them. BadInput when the folder holds no scan or a finished one."""
    from scanner.assemble import read_meta

    folder = Path(folder)
    meta, _ = read_meta(folder)
    if meta.finished_at and not meta.interrupted:
        raise BadInput(f"{folder} holds a finished scan; nothing to resume")
    saved = meta.options
    declared = {}
    if meta.declared_source and meta.declared_source.startswith("policy: "):
        declared["policy"] = meta.declared_source.removeprefix("policy: ")
    elif meta.declared_source and meta.declared_source != CALLER_DECLARATION:
        declared["vendors"] = meta.declared_source
    if any(overrides.get(k) for k in ("vendors", "policy", "declared")):
        declared = {}
    defaults = ScanOptions(start_urls=meta.start_urls)
    try:
        options = _saved_options(meta, saved, defaults, folder, declared)
    except (TypeError, ValueError, OverflowError) as exc:
        raise BadInput(f"{folder}: the saved options cannot be used ({str(exc)[:200]})") from None
    given = {k: v for k, v in overrides.items() if v is not None}
    return replace(options, **given)


def _saved_options(meta, saved: dict, defaults: ScanOptions, folder: Path, declared: dict) -> ScanOptions:
    return ScanOptions(
        start_urls=meta.start_urls,
        out_dir=folder,
        first_party=tuple(str(d) for d in saved.get("first_party") or ()),
        max_depth=int(saved.get("max_depth", defaults.max_depth)),
        max_pages=int(saved.get("max_pages", defaults.max_pages)),
        max_query_variants=int(saved.get("max_query_variants", defaults.max_query_variants)),
        use_sitemap=bool(saved.get("sitemap", defaults.use_sitemap)),
        exclude=tuple(str(p) for p in saved.get("exclude") or () if isinstance(p, str)),
        concurrency=None if saved.get("concurrency") is None else max(1, int(saved["concurrency"])),
        keep_values=bool(saved.get("keep_cookie_values", defaults.keep_values)),
        screenshots=bool(saved.get("screenshots", defaults.screenshots)),
        timing=VisitTiming(settle_s=float(saved.get("settle_s", defaults.timing.settle_s))),
        resume=True,
        **declared,
    )
