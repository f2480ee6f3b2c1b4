"""Find a Chromium, launch it the way a typical visitor's desktop Chrome behaves, hand out a context.

Playwright's own Chromium is preferred; otherwise a system Chromium (Debian's `chromium`, `chromium-browser`,
Google Chrome). Debian's Chromium blocks third-party cookies in every Playwright context unless the
profile says otherwise, so every scan runs in a persistent context whose profile was written beforehand
with ``cookie_controls_mode`` set to "allow" (or "block" for ``--block-third-party-cookies``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import shutil
import socket
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import BadInput, CannotScan
from scanner.visitor import AUTOMATION_SWITCH, READ_PRESENTED, Presentation, languages, present, presentation

log = logging.getLogger("scanner.browser")

SYSTEM_CHROMIUMS = (
    "/usr/lib/chromium/chromium",  # Debian: the real binary (/usr/bin/chromium is a shell wrapper)
    "/usr/lib/chromium-browser/chromium-browser",
    "chromium",
    "chromium-browser",
    "google-chrome",
    "google-chrome-stable",
    "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
    "/Applications/Chromium.app/Contents/MacOS/Chromium",
)
# Replaces SYSTEM_CHROMIUMS when set: candidates separated by os.pathsep; empty means "no system browser"
# (to insist on Playwright's own Chromium, or to test that path).
SYSTEM_CHROMIUMS_ENV = "SCANNER_SYSTEM_CHROMIUMS"

INSTALL_HINT = (
    "no Chromium found: run `python -m playwright install chromium` (or on Debian/Ubuntu as root "
    "`apt-get install -y chromium`), or pass --browser PATH"
)

# Flags that keep a headless Chromium quiet and deterministic on a server; the visitor-facing behaviour
# (cookies, storage, JS) is untouched. Feature switches are merged with Playwright's own lists (Chromium
# honours only the last --disable-features / --enable-features switch on a command line).
BASE_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-domain-reliability",
    "--disable-client-side-phishing-detection",
    "--hide-scrollbars",
    # Cross-origin iframes stay in the page's renderer, so one CDP session sees their initiators.
    "--disable-site-isolation-trials",
    "--mute-audio",
    # The browser's own requests that no switch turns off go to the loopback discard port, where they
    # fail at once and leave the machine never: the Google-accounts check every new profile makes
    # (ListAccounts; its base URL is only used for Chrome sign-in, which a scan never does) and
    # on-demand component installs (e.g. the on-device model manifest) that --disable-component-update
    # does not stop.
    "--gaia-url=http://127.0.0.1:9",
    "--component-updater=url-source=http://127.0.0.1:9",
)
# Chromium's own Global Privacy Control (since about version 140, behind a feature): the signal on every
# request of every page, frame and worker, with navigator.globalPrivacyControl, and no CORS preflight (a
# header added by DevTools or a route would be visible to CORS). A browser without it presents no GPC:
# meta.presented says so, and the GPC pass reports it.
GPC_FEATURES = ("GlobalPrivacyControl", "GlobalPrivacyControlForce")
# The browser's own traffic, off (on top of Playwright's list): translation, optimisation hints, the
# media router. None of these changes what a page does or sees.
DISABLED_FEATURES = ("Translate", "OptimizationHints", "MediaRouter")
FEATURE_SWITCHES = ("--disable-features=", "--enable-features=")

DEFAULT_VIEWPORT = {"width": 1366, "height": 900}
CLOSE_TIMEOUT_S = 10.0  # closing the browser; after that Playwright is stopped, which kills it


@dataclass(frozen=True)
class BrowserOptions:
    executable: str | None = None  # --browser PATH
    ignore_https_errors: bool = False
    block_third_party_cookies: bool = False
    extra_args: tuple[str, ...] = ()  # --browser-arg, verbatim
    user_agent: str | None = None  # --user-agent: presented as is, without client-hint overrides
    timeout_s: float = 30.0
    viewport: dict = field(default_factory=lambda: dict(DEFAULT_VIEWPORT))
    locale: str | None = None  # --locale (default en-US)
    timezone: str | None = None  # --timezone, an IANA zone (default: the machine's)
    # Privacy signals the browser sends: Global Privacy Control (Sec-GPC: 1 on every request and
    # navigator.globalPrivacyControl, Chromium's own implementation) and Do Not Track (the profile's
    # setting: DNT: 1 and navigator.doNotTrack).
    gpc: bool = False
    dnt: bool = False
    # --http-credentials (user, password) for sites behind HTTP basic auth: answered by the browser when
    # a site asks (401); never shown (repr) nor saved.
    http_credentials: tuple[str, str] | None = field(default=None, repr=False)
    headless: bool = True  # False: a window (scanner auth record, where a person logs in)


@dataclass(frozen=True)
class ResolvedBrowser:
    """The Chromium a scan drives: its executable and where it was found."""

    executable_path: str
    source: str  # "explicit" (--browser), "playwright" (Playwright's download) or "system"

    @property
    def label(self) -> str:
        return {"explicit": "--browser", "playwright": "Playwright's Chromium"}.get(self.source, "system")


def system_chromiums() -> tuple[str, ...]:
    if SYSTEM_CHROMIUMS_ENV in os.environ:
        return tuple(c for c in os.environ[SYSTEM_CHROMIUMS_ENV].split(os.pathsep) if c.strip())
    return SYSTEM_CHROMIUMS


def _executable(candidate: str) -> str | None:
    found = candidate if os.sep in candidate else shutil.which(candidate)
    if found and os.path.isfile(found) and os.access(found, os.X_OK):
        return found
    return None


def resolve_browser(explicit: str | None, playwright_path: str | None) -> ResolvedBrowser:
    """Pick the browser: ``explicit`` (--browser: a path or a command name), else Playwright's own
    Chromium at ``playwright_path`` when it has been downloaded, else the first system Chromium.

    Raises BadInput for an explicit browser that does not exist, CannotScan when nothing is found.
    """
    if explicit:
        found = _executable(explicit)
        if not found:
            raise BadInput(f"--browser {explicit}: no such executable")
        return ResolvedBrowser(found, "explicit")
    if playwright_path and _executable(playwright_path):
        return ResolvedBrowser(playwright_path, "playwright")
    for candidate in system_chromiums():
        if found := _executable(candidate):
            return ResolvedBrowser(found, "system")
    raise CannotScan(INSTALL_HINT)


async def locate_browser(explicit: str | None = None) -> ResolvedBrowser:
    """:func:`resolve_browser` with Playwright asked where its Chromium lives (async API: safe in a loop)."""
    if explicit:  # no need to start Playwright's driver
        return resolve_browser(explicit, None)
    from playwright.async_api import async_playwright

    async with async_playwright() as pw:
        return resolve_browser(None, _playwright_path(pw))


def _playwright_path(pw) -> str | None:
    try:
        return pw.chromium.executable_path
    except Exception:  # noqa: BLE001 - a broken Playwright install just means "not available"
        return None


def find_browser(explicit: str | None = None) -> ResolvedBrowser:
    """Blocking :func:`locate_browser`, for code outside an event loop (``setup_browser``)."""
    return asyncio.run(locate_browser(explicit))


def write_profile(user_data_dir: Path, *, block_third_party_cookies: bool, dnt: bool = False) -> None:
    """Pre-seed the Chromium profile so third-party cookies behave like desktop Chrome's default (and
    Do Not Track is on with ``dnt``)."""
    default = user_data_dir / "Default"
    default.mkdir(parents=True, exist_ok=True)
    prefs = {
        "profile": {
            # 0 = allow all cookies, 1 = block third-party cookies (Chrome's cookie controls setting)
            "cookie_controls_mode": 1 if block_third_party_cookies else 0,
            "block_third_party_cookies": bool(block_third_party_cookies),
        },
        "credentials_enable_service": False,
        "translate": {"enabled": False},
    }
    if dnt:
        prefs["enable_do_not_track"] = True
    (default / "Preferences").write_text(json.dumps(prefs), encoding="utf-8")


def launch_args(options: BrowserOptions, who: Presentation | None = None) -> list[str]:
    """The scanner's switches, those presenting ``who`` and the user's --browser-arg ones (feature
    lists not yet merged)."""
    args = list(BASE_ARGS)
    args.append("--disable-features=" + ",".join(DISABLED_FEATURES))
    if who is not None:
        # For the whole browser (workers, service workers and the scanner's own fetches too); each
        # page also gets the client hints (scanner.visitor.present).
        langs = ",".join(languages(who.locale))
        args += [f"--user-agent={who.user_agent}", f"--lang={who.locale}", f"--accept-lang={langs}"]
        args.append(AUTOMATION_SWITCH)
    if options.gpc:
        args.append("--enable-features=" + ",".join(GPC_FEATURES))
    if options.ignore_https_errors:
        # The context option alone leaves service workers and some subresources failing.
        args.append("--ignore-certificate-errors")
    args.extend(options.extra_args)
    return args


def merge_feature_switches(default_args: Sequence[str], args: Sequence[str]) -> tuple[list[str], list[str]]:
    """One --disable-features and one --enable-features switch holding Playwright's defaults
    (``default_args``), the scanner's and the user's lists: Chromium reads only the last of each.

    Returns (args with merged switches, the default switches Playwright must leave out). A feature the
    user (in ``args``) explicitly enables is taken out of the disabled list, and vice versa.
    """
    lists: dict[str, dict[str, None]] = {prefix: {} for prefix in FEATURE_SWITCHES}
    replaced = [a for a in default_args if a.startswith(FEATURE_SWITCHES)]
    for arg in (*replaced, *args):
        for prefix in FEATURE_SWITCHES:
            if arg.startswith(prefix):
                other = lists[FEATURE_SWITCHES[1 - FEATURE_SWITCHES.index(prefix)]]
                for feature in filter(None, (f.strip() for f in arg[len(prefix) :].split(","))):
                    other.pop(feature, None)
                    lists[prefix][feature] = None
    merged = [a for a in args if not a.startswith(FEATURE_SWITCHES)]
    merged += [prefix + ",".join(features) for prefix, features in lists.items() if features]
    return merged, replaced


@dataclass(frozen=True)
class BrowserProbe:
    """What a bare launch of the browser shows: Playwright's own switches (``default_args``), the
    browser's version and what a page of it reports (``seen``, see ``scanner.visitor``)."""

    default_args: tuple[str, ...] = ()
    version: str | None = None  # e.g. "HeadlessChrome/156.0.8078.114"
    seen: dict = field(default_factory=dict)

    @property
    def full_version(self) -> str | None:
        return self.version.split("/", 1)[1] if self.version and "/" in self.version else None


_probes: dict[tuple[str, str], BrowserProbe] = {}
PROBE_URL = "https://probe.invalid/"  # answered by the probe itself: a secure page, nothing sent


async def read_presented(page) -> dict:
    """What ``page`` sees of its browser, read from a secure page answered here (nothing is sent)."""
    await page.route(PROBE_URL, lambda route: route.fulfill(body="<title></title>"))
    await page.goto(PROBE_URL)
    return await page.evaluate(READ_PRESENTED)


async def probe_browser(pw, executable: str) -> BrowserProbe:
    """Launch ``executable`` once per process (Playwright keeps its switch list internal and it changes
    between releases; the browser's identity is needed before the scan's browser starts)."""
    from importlib.metadata import version

    key = (version("playwright"), executable)
    if key not in _probes:
        args: tuple[str, ...] = ()
        product, seen = None, {}
        browser = await pw.chromium.launch(executable_path=executable, args=["--enable-automation"])
        try:
            cdp = await browser.new_browser_cdp_session()
            line = await cdp.send("Browser.getBrowserCommandLine")
            args = tuple(line.get("arguments", ())[1:])
            product = (await cdp.send("Browser.getVersion")).get("product")
            seen = await read_presented(await browser.new_page())
        except Exception:  # noqa: BLE001 - no merge possible: our lists then replace Playwright's
            log.warning("could not read Playwright's default Chromium switches or the browser's identity")
        finally:
            await browser.close()
        _probes[key] = BrowserProbe(args, product, seen if isinstance(seen, dict) else {})
    return _probes[key]


async def playwright_default_args(pw, executable: str) -> tuple[str, ...]:
    """The switches Playwright itself adds when it launches ``executable``."""
    return (await probe_browser(pw, executable)).default_args


def describe_launch_error(exc: Exception, executable: str) -> str:
    text = str(exc)
    if "Executable doesn't exist" in text or "playwright install" in text:
        return INSTALL_HINT
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    return f"could not start the browser ({executable}): {first[:300]}"


# The scan's browser profile: a folder of the temp dir, private to the user (0700), that holds the
# site's cookies in clear (Chromium's "encryption" on Linux uses a well-known key). It is removed when the
# context closes, however it closes; a scan killed outright (SIGKILL, power loss) cannot, so every new
# profile first removes those of owners that are gone. The owner file says whose it is.
PROFILE_PREFIX = "scanner-profile-"
PROFILE_OWNER = "scanner-owner.json"


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started (Linux: clock ticks since boot), to tell a reused PID apart."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
        return stat.rsplit(")", 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _process_alive(pid: int, started: str | None) -> bool:
    """Whether the process that wrote an owner file still runs (in doubt: yes)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: someone else's process holds that PID now, or it is ours without rights
        return True
    now = _process_start(pid)
    return not (started and now and now != started)  # same PID, other process: the owner is gone


def create_profile() -> Path:
    """A new private profile folder with its owner file (stale ones of dead scans removed first)."""
    remove_stale_profiles()
    profile = Path(tempfile.mkdtemp(prefix=PROFILE_PREFIX))  # mode 0700: only this user can read it
    os.chmod(profile, 0o700)
    owner = {"pid": os.getpid(), "started": _process_start(os.getpid()), "host": socket.gethostname()}
    (profile / PROFILE_OWNER).write_text(json.dumps(owner), encoding="utf-8")
    return profile


def remove_profile(profile: Path) -> None:
    """Delete ``profile`` (retried briefly: a browser that is still exiting may write a last file)."""
    for attempt in range(5):
        shutil.rmtree(profile, ignore_errors=True)
        if not os.path.lexists(profile):
            return
        time.sleep(0.05 * (attempt + 1))
    log.warning("could not remove the browser profile %s (it holds the site's cookies)", profile)


def _stale(folder: Path) -> bool:
    """``folder`` is a profile whose scan is gone: its owner file names this host and a dead process.
    A folder without a readable owner file (being created, or not ours) is never stale."""
    try:
        info = folder.lstat()
        if (
            not folder.is_dir()
            or folder.is_symlink()
            or (hasattr(os, "getuid") and info.st_uid != os.getuid())
        ):
            return False
        with (folder / PROFILE_OWNER).open("rb") as fh:
            owner = json.loads(fh.read(4096))
        pid = owner["pid"]
        if (
            not isinstance(pid, int)
            or isinstance(pid, bool)
            or pid <= 0
            or owner.get("host") != socket.gethostname()
        ):
            return False
    except (OSError, ValueError, TypeError, KeyError):
        return False
    started = owner.get("started")
    return pid != os.getpid() and not _process_alive(pid, started if isinstance(started, str) else None)


def remove_stale_profiles(temp_dir: Path | None = None) -> list[Path]:
    """Remove the profiles left in ``temp_dir`` (default: the temp dir) by scans that were killed."""
    if os.name == "nt":  # os.kill(pid, 0) would end the process there: leave the folders alone
        return []
    removed = []
    try:
        candidates = sorted(Path(temp_dir or tempfile.gettempdir()).glob(PROFILE_PREFIX + "*"))
    except OSError:
        return []
    for folder in candidates:
        if _stale(folder):
            log.info("removing the browser profile of a killed scan: %s", folder)
            remove_profile(folder)
            removed.append(folder)
    return removed


@contextlib.asynccontextmanager
async def open_context(
    options: BrowserOptions, browser: ResolvedBrowser | None = None
) -> AsyncIterator[BrowserSession]:
    """Start Playwright + a persistent Chromium context; closes everything on exit.

    ``browser`` is the Chromium found by :func:`locate_browser`; without it the lookup happens here.
    """
    from playwright.async_api import async_playwright

    pw = await async_playwright().start()
    try:
        profile = create_profile()
    except BaseException:
        with contextlib.suppress(Exception):
            await pw.stop()
        raise
    try:
        browser = browser or resolve_browser(options.executable, _playwright_path(pw))
        write_profile(profile, block_third_party_cookies=options.block_third_party_cookies, dnt=options.dnt)
        try:
            probe = await probe_browser(pw, browser.executable_path)
            who = presentation(
                probe.seen,
                probe.full_version,
                user_agent=options.user_agent,
                locale=options.locale,
                timezone=options.timezone,
            )
            args, replaced = merge_feature_switches(probe.default_args, launch_args(options, who))
            context = await pw.chromium.launch_persistent_context(
                str(profile),
                executable_path=browser.executable_path,
                headless=options.headless,
                args=args,
                ignore_default_args=replaced,
                ignore_https_errors=options.ignore_https_errors,
                viewport=options.viewport,
                screen=who.screen if who else None,
                timezone_id=options.timezone,
                accept_downloads=False,
                http_credentials=_credentials(options),
                # Playwright adds --no-sandbox itself; keep the sandbox off only as root.
                chromium_sandbox=hasattr(os, "geteuid") and os.geteuid() != 0,
            )
        except Exception as exc:  # noqa: BLE001 - turned into one line for the user
            raise CannotScan(describe_launch_error(exc, browser.executable_path)) from None
        context.set_default_navigation_timeout(options.timeout_s * 1000)
        context.set_default_timeout(options.timeout_s * 1000)
        session = BrowserSession(context=context, browser=browser, presentation=who)
        await session.read_version()
        try:
            yield session
        finally:
            # A browser that no longer answers never finishes closing: stopping Playwright kills it.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(context.close(), CLOSE_TIMEOUT_S)
    finally:
        with contextlib.suppress(Exception):
            await asyncio.wait_for(pw.stop(), CLOSE_TIMEOUT_S)
        remove_profile(profile)


def _credentials(options: BrowserOptions) -> dict | None:
    if options.http_credentials is None:
        return None
    username, password = options.http_credentials
    return {"username": username, "password": password}


@dataclass
class BrowserSession:
    context: object  # playwright.async_api.BrowserContext
    browser: ResolvedBrowser
    presentation: Presentation | None = None  # applied to every page (scanner.visitor.present)
    version: str | None = None
    user_agent: str | None = None
    presented: dict | None = None  # what a page of this browser sees of it

    async def read_version(self) -> None:
        """The browser's version, and what a page sees of it (read from a secure page answered here)."""
        page = await self.context.new_page()
        try:
            cdp = await self.context.new_cdp_session(page)
            info = await cdp.send("Browser.getVersion")
            self.version = info.get("product")
            await present(cdp, self.presentation)
            self.presented = await read_presented(page)
            self.user_agent = self.presented.get("user_agent")
            await cdp.detach()
        except Exception:  # noqa: BLE001 - metadata only
            pass
        finally:
            await page.close()


async def fetch_rendered_html_async(
    url: str,
    *,
    ignore_https_errors: bool = False,
    browser_args: Sequence[str] = (),
    timeout_s: float = 30,
    executable: str | None = None,
) -> str:
    """Load a page in the scan browser and return its rendered DOM as HTML (for policy import)."""
    from scanner.crawl.errors import describe_navigation_error

    options = BrowserOptions(
        executable=executable,
        ignore_https_errors=ignore_https_errors,
        extra_args=tuple(browser_args),
        timeout_s=timeout_s,
    )
    async with open_context(options) as session:
        page = await session.context.new_page()
        with contextlib.suppress(Exception):
            await present(await session.context.new_cdp_session(page), session.presentation)
        try:
            response = await page.goto(url, wait_until="load")
        except Exception as exc:  # noqa: BLE001
            raise CannotScan(describe_navigation_error(url, exc)) from None
        if response is not None and response.status >= 400:
            raise CannotScan(f"{url} returned HTTP {response.status}")
        with contextlib.suppress(Exception):
            await page.wait_for_load_state("networkidle", timeout=3000)
        return await page.content()


def fetch_rendered_html(url: str, **options) -> str:
    """Blocking form of :func:`fetch_rendered_html_async` (same keyword options)."""
    return asyncio.run(fetch_rendered_html_async(url, **options))
