"""Find a Chromium, launch it the way a typical visitor's desktop Chrome behaves, hand out a context.

Playwright's own Chromium is preferred; otherwise a system Chromium (Debian's `chromium`, `chromium-browser`,
Google Chrome). Debian's Chromium blocks third-party cookies in every Playwright context unless the
profile says otherwise, so every scan runs in a persistent context whose profile was written beforehand
with ``cookie_controls_mode`` set to "allow" (or "block" for ``--block-third-party-cookies``).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import tempfile
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from scanner.errors import BadInput, CannotScan

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

INSTALL_HINT = (
    "no Chromium found: run `python -m playwright install chromium` (or on Debian/Ubuntu as root "
    "`apt-get install -y chromium`), or pass --browser PATH"
)

# Flags that keep a headless Chromium quiet and deterministic on a server; the visitor-facing behaviour
# (cookies, storage, JS) is untouched.
BASE_ARGS = (
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-sync",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-features=Translate,OptimizationHints,MediaRouter",
    "--hide-scrollbars",
    # Cross-origin iframes stay in the page's renderer, so one CDP session sees their initiators.
    "--disable-site-isolation-trials",
    "--mute-audio",
)

DEFAULT_VIEWPORT = {"width": 1366, "height": 900}


@dataclass(frozen=True)
class BrowserOptions:
    executable: str | None = None  # --browser PATH
    ignore_https_errors: bool = False
    block_third_party_cookies: bool = False
    extra_args: tuple[str, ...] = ()  # --browser-arg, verbatim
    user_agent: str | None = None
    timeout_s: float = 30.0
    viewport: dict = field(default_factory=lambda: dict(DEFAULT_VIEWPORT))


def playwright_chromium_path() -> str | None:
    """Executable of Playwright's own Chromium when it has been downloaded, else None."""
    from playwright.sync_api import sync_playwright

    try:
        with sync_playwright() as p:
            path = p.chromium.executable_path
    except Exception:  # noqa: BLE001 - a broken Playwright install just means "not available"
        return None
    return path if path and os.path.exists(path) else None


def find_browser(explicit: str | None = None) -> str | None:
    """Path of the Chromium to drive, or None to let Playwright use its own download.

    Raises BadInput for an explicit path that does not exist, CannotScan when nothing is found.
    """
    if explicit:
        resolved = shutil.which(explicit) or (explicit if os.path.exists(explicit) else None)
        if not resolved:
            raise BadInput(f"--browser {explicit}: no such executable")
        return resolved
    if playwright_chromium_path():
        return None
    for candidate in SYSTEM_CHROMIUMS:
        found = shutil.which(candidate) if not candidate.startswith("/") else candidate
        if found and os.path.exists(found) and os.access(found, os.X_OK):
            return found
    raise CannotScan(INSTALL_HINT)


def write_profile(user_data_dir: Path, *, block_third_party_cookies: bool) -> None:
    """Pre-seed the Chromium profile so third-party cookies behave like desktop Chrome's default."""
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
    (default / "Preferences").write_text(json.dumps(prefs), encoding="utf-8")


def launch_args(options: BrowserOptions) -> list[str]:
    args = list(BASE_ARGS)
    if options.ignore_https_errors:
        # The context option alone leaves service workers and some subresources failing.
        args.append("--ignore-certificate-errors")
    args.extend(options.extra_args)
    return args


def describe_launch_error(exc: Exception, executable: str | None) -> str:
    text = str(exc)
    if "Executable doesn't exist" in text or "playwright install" in text:
        return INSTALL_HINT
    first = next((line.strip() for line in text.splitlines() if line.strip()), type(exc).__name__)
    where = executable or "Playwright's Chromium"
    return f"could not start the browser ({where}): {first[:300]}"


@contextlib.asynccontextmanager
async def open_context(options: BrowserOptions) -> AsyncIterator[BrowserSession]:
    """Start Playwright + a persistent Chromium context; closes everything on exit."""
    from playwright.async_api import async_playwright

    executable = find_browser(options.executable)
    profile = Path(tempfile.mkdtemp(prefix="scanner-profile-"))
    write_profile(profile, block_third_party_cookies=options.block_third_party_cookies)
    pw = await async_playwright().start()
    try:
        try:
            context = await pw.chromium.launch_persistent_context(
                str(profile),
                executable_path=executable,
                headless=True,
                args=launch_args(options),
                ignore_https_errors=options.ignore_https_errors,
                user_agent=options.user_agent,
                viewport=options.viewport,
                accept_downloads=False,
                # Playwright adds --no-sandbox itself; keep the sandbox off only as root.
                chromium_sandbox=hasattr(os, "geteuid") and os.geteuid() != 0,
            )
        except Exception as exc:  # noqa: BLE001 - turned into one line for the user
            raise CannotScan(describe_launch_error(exc, executable)) from None
        context.set_default_navigation_timeout(options.timeout_s * 1000)
        context.set_default_timeout(options.timeout_s * 1000)
        session = BrowserSession(context=context, executable=executable)
        await session.read_version()
        try:
            yield session
        finally:
            with contextlib.suppress(Exception):
                await context.close()
    finally:
        with contextlib.suppress(Exception):
            await pw.stop()
        shutil.rmtree(profile, ignore_errors=True)


@dataclass
class BrowserSession:
    context: object  # playwright.async_api.BrowserContext
    executable: str | None
    version: str | None = None
    user_agent: str | None = None

    async def read_version(self) -> None:
        page = await self.context.new_page()
        try:
            cdp = await self.context.new_cdp_session(page)
            info = await cdp.send("Browser.getVersion")
            self.version = info.get("product")
            self.user_agent = await page.evaluate("navigator.userAgent")
            await cdp.detach()
        except Exception:  # noqa: BLE001 - version is metadata only
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
    import asyncio

    return asyncio.run(fetch_rendered_html_async(url, **options))
