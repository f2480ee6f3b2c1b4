"""``scanner auth record URL -o state.json``: a person logs in, the login is saved for later scans.

A visible Chromium opens ``URL`` with the scan's own browser settings (the same profile preferences,
switches, user agent, client hints, languages, time zone: a site that binds its session to them sees the
same browser in the scan); the person logs in however the site wants it (SSO, a second factor, a
captcha), then presses Enter in the terminal. The browser's cookies (session cookies included),
localStorage and IndexedDB are written as a Playwright storage state, for ``scanner scan
--storage-state``.

The file is a secret: whoever has it is logged in as that person. It is created readable by its owner
only (mode 0600, from the first byte: a private temporary file in the same folder, then renamed into
place) and an existing file is replaced only with ``--overwrite``. The browser profile is a private temporary
folder, removed when the browser closes.

``--headless`` runs the browser without a window, for a machine without a display: then a
``--login-steps`` or ``--login-script`` does the logging in (and the tests use it), and Enter (or the end
of stdin, with ``--headless`` only) saves.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from scanner.browser import BrowserOptions, open_context
from scanner.errors import BadInput, CannotScan, ScanInterrupted
from scanner.login import LoginOptions
from scanner.login.session import LoginSession
from scanner.visitor import present

PROMPT = (
    "Log in to the site in the browser window, then press Enter here to save the login "
    "(Ctrl-C: save nothing)."
)


@dataclass(frozen=True)
class Recorded:
    path: Path
    cookies: int
    origins: int


def has_display() -> bool:
    if sys.platform in ("darwin", "win32"):
        return True
    return bool(os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY"))


def check_target(path: Path, overwrite: bool) -> None:
    if path.exists() and not overwrite:
        raise BadInput(f"{path} exists: remove it or pass --overwrite to replace it")
    if path.exists() and not path.is_file():
        raise BadInput(f"{path}: not a file")
    if not path.parent.is_dir():
        raise BadInput(f"{path.parent}: no such folder")


def write_private(path: Path, data: dict) -> None:
    """``data`` as JSON in ``path``, mode 0600 from its creation (a temporary file of the same folder,
    renamed into place)."""
    fd, temp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # mode 0600
    try:
        os.fchmod(fd, 0o600)  # already so (mkstemp), and so whatever the umask
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, indent=2)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise


async def read_line(stream: TextIO) -> str:
    """A line of ``stream`` ("" at its end), read in a daemon thread: Ctrl-C while it waits ends the
    command at once (a pool thread would keep the process alive until Enter)."""
    loop = asyncio.get_running_loop()
    done: asyncio.Future[str] = loop.create_future()

    def read() -> None:
        try:
            line = stream.readline()
        except (OSError, ValueError):  # closed
            line = ""
        with contextlib.suppress(RuntimeError):  # the loop is gone (Ctrl-C): nobody waits any more
            loop.call_soon_threadsafe(lambda: done.done() or done.set_result(line))

    threading.Thread(target=read, name="scanner-enter", daemon=True).start()
    return await done


async def record_state(
    url: str,
    out: Path,
    browser: BrowserOptions,
    *,
    login: LoginOptions | None = None,
    overwrite: bool = False,
    stdin: TextIO | None = None,
    say: Callable[[str], None] | None = None,
) -> Recorded:
    """Open ``url`` in the scan's browser (``browser.headless`` False: a window), let the person (or the
    ``login`` steps or script) log in, wait for Enter on ``stdin``, write the storage state to ``out``."""
    from scanner.crawl.urls import validate_start_url

    url = validate_start_url(url)
    out = Path(out)
    check_target(out, overwrite)
    say = say or (lambda line: print(line, file=sys.stderr, flush=True))
    stdin = stdin or sys.stdin
    session = LoginSession(login, timeout_s=browser.timeout_s) if login is not None else None
    if not browser.headless and not has_display():
        raise BadInput(
            "no display for a browser window: run this where you can see a browser, or pass --headless "
            "with --login-steps or --login-script"
        )
    async with open_context(browser) as opened:
        context = opened.context
        if session is not None:
            await session.prepare(context, opened.presentation, lambda host: True)
        page = await context.new_page()
        with contextlib.suppress(Exception):
            await present(await context.new_cdp_session(page), opened.presentation)
        try:
            await page.goto(url, wait_until="load")
        except Exception as exc:  # noqa: BLE001 - the person may still navigate; say what happened
            first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
            say(f"scanner: warning: {url}: {first[:200]}")
        say(PROMPT if not browser.headless else "Press Enter to save the login (Ctrl-C: save nothing).")
        answer = await read_line(stdin)
        if answer == "" and not browser.headless:
            raise ScanInterrupted("no Enter (the input ended): nothing saved")
        try:
            state = await context.storage_state(indexed_db=True)
        except Exception:  # noqa: BLE001 - the window was closed before Enter
            raise CannotScan("the browser was closed before Enter: nothing saved") from None
    write_private(out, state)
    return Recorded(out, len(state.get("cookies") or ()), len(state.get("origins") or ()))
