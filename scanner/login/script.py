"""``--login-script FILE.py``: a login in Python, for what declared steps cannot do (a second factor from
an API, a choice of account, an SSO hop). The file defines::

    async def login(page, env):
        await page.goto("https://www.example.com/login")
        await page.fill("#username", env["SITE_USER"])
        await page.fill("#password", env["SITE_PASSWORD"])
        await page.click("button[type=submit]")
        await page.wait_for_url("**/account")

``page`` is a Playwright page (async API) of the scan's own browser, presenting the same browser as the
scan's pages (user agent, client hints, languages); ``page.context`` is the browser context. ``env`` is
a read-only mapping of the environment: keep the credentials there (CI secrets), never in the file. The
script runs once per browser of the scan (again after a browser restart and in every consent pass), before
the first page; whatever it leaves in the cookie jar and localStorage is the login. The file is the
user's own code: it runs with the scanner's rights.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from scanner.errors import BadInput, CannotScan
from scanner.login.secrets import WatchedEnv, redact
from scanner.textfile import MB, read_utf8

MAX_SCRIPT_BYTES = 1 * MB
_loaded: dict[tuple[str, str], Callable[..., Any]] = {}  # (path, sha256) -> its login function


def load_script(path: Path) -> Callable[..., Any]:
    """The ``login`` coroutine function of ``path`` (the file runs once per content); BadInput (one line)
    when the file cannot be read, does not compile, fails on import or defines no ``async def login``."""
    path = Path(path)
    label = f"--login-script {path}"
    raw, text = read_utf8(path, label, MAX_SCRIPT_BYTES)
    key = (str(path.resolve()), hashlib.sha256(raw).hexdigest())
    if key in _loaded:
        return _loaded[key]
    try:
        code = compile(text, str(path), "exec")
    except SyntaxError as exc:
        raise BadInput(f"{label}:{exc.lineno or 1}: not Python ({exc.msg})") from None
    name = f"scanner_login_script_{key[1][:16]}"
    spec = importlib.util.spec_from_loader(name, loader=None, origin=str(path))
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    module.__file__ = str(path)
    try:
        exec(code, module.__dict__)  # noqa: S102 - the user's own login script, named on the command line
    except Exception as exc:  # noqa: BLE001 - one line, without what the environment holds
        raise BadInput(f"{label}: failed when loaded: {_line(exc, ())}") from None
    function = module.__dict__.get("login")
    if not inspect.iscoroutinefunction(function):
        raise BadInput(f"{label}: define `async def login(page, env)` (Playwright's async API)")
    try:
        inspect.signature(function).bind(None, None)
    except TypeError:
        raise BadInput(f"{label}: login must take two arguments, (page, env)") from None
    sys.modules.setdefault(name, module)
    _loaded[key] = function
    return function


def _line(exc: BaseException, secrets) -> str:
    first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), "")
    text = f"{type(exc).__name__}: {first}" if first else type(exc).__name__
    return redact(text[:300], secrets)


async def run_script(function: Callable[..., Any], page: Any, environ: Mapping[str, str], label: str) -> None:
    """Run a loaded login function; CannotScan (one line, the values it read from ``env`` hidden) when it
    raises."""
    env = WatchedEnv(environ)
    try:
        await function(page, env)
    except Exception as exc:  # noqa: BLE001 - the user's code: any error is a failed login
        raise CannotScan(f"login failed: {label} raised {_line(exc, env.secrets())}") from None
