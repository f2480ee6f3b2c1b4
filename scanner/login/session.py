"""A crawl's login, for one browser after another (``scanner.crawl.crawler.Crawl``):

1. :meth:`LoginSession.prepare`, once the browser is up and before its first page: apply the storage
   state, run the login script or steps in a tab of their own (presented as every page of the scan is),
   check the ``--logged-in-check`` selector's syntax, and note what is now in the jar and localStorage
   (:class:`~scanner.login.state.Injected`).
2. :meth:`LoginSession.judge` on every visited page, before its tab closes: ``logged_in`` on the record.
3. :meth:`LoginSession.drop_injected` on every saved visit: the injected cookies and keys out.
4. :meth:`LoginSession.meta`: ``meta.login`` and, once a page was found logged out, the scan marked
   partial (``meta.interrupted``) with a line saying from which page on it was audited logged out.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any

from scanner.errors import BadInput, CannotScan
from scanner.login import LoginOptions
from scanner.login.check import LoggedInCheck, parse_check
from scanner.login.script import load_script, run_script
from scanner.login.state import Injected, read_storage_state
from scanner.login.steps import check_env, read_steps, run_steps, secrets_of
from scanner.model import ScanMeta
from scanner.visitor import Presentation, present

LOGGED_OUT_NOTE = "logged out: "  # the meta.errors line of a lost session starts so
# Where consent managers keep the visitor's answer (cookies or localStorage keys).
CONSENT_NAMES = frozenset(
    {
        "OptanonConsent",
        "OptanonAlertBoxClosed",
        "CookieConsent",
        "euconsent-v2",
        "usprivacy",
        "didomi_token",
        "cookieyes-consent",
        "CookieScriptConsent",
        "borlabs-cookie",
        "cmplz_policy_id",
        "uc_settings",
        "_iub_cs",
    }
)


def consent_names(injected: list[dict]) -> set[str]:
    names = (str(e.get("name") if e.get("type") == "cookie" else e.get("key")) for e in injected)
    return {n for n in names if n in CONSENT_NAMES or n.startswith(("_iub_cs-", "cmplz_"))}


def login_wanted(options: Any) -> bool:
    """Whether the scan ``options`` (ScanOptions) ask for a login or a logged-in check."""
    return options.login is not None and options.login.active


def validate(options: LoginOptions, environ: Mapping[str, str] | None = None) -> None:
    """Every problem of the login options found before the browser starts (BadInput, one line)."""
    LoginSession(options, timeout_s=30.0, environ=environ)


class LoginSession:
    def __init__(
        self, options: LoginOptions, *, timeout_s: float, environ: Mapping[str, str] | None = None
    ) -> None:
        if options.script is not None and options.steps is not None:
            raise BadInput("--login-script and --login-steps: give one of them")
        self.options = options
        self.timeout_s = timeout_s
        self.environ = dict(os.environ if environ is None else environ)
        self.state = read_storage_state(options.storage_state) if options.storage_state else None
        self.steps = read_steps(options.steps) if options.steps else None
        if self.steps is not None:
            check_env(self.steps, self.environ, f"--login-steps {options.steps}")
        self.script = load_script(options.script) if options.script else None
        self.check: LoggedInCheck | None = parse_check(options.check) if options.check else None
        self.injected = Injected()
        self.logged_out: tuple[int, str] | None = None  # (visit index, URL) of the first logged-out page
        self.judged = 0  # pages judged (logged in or out)

    @property
    def secrets(self) -> list[str]:
        return secrets_of(self.steps, self.environ) if self.steps else []

    async def prepare(self, context: Any, presentation: Presentation | None, first_party: Callable) -> None:
        """Log the fresh browser ``context`` in (see the module doc); CannotScan when the login fails,
        BadInput for a selector the browser does not understand."""
        self.injected = Injected()
        if self.state is not None:
            try:
                await asyncio.wait_for(context.set_storage_state(self.state), self.timeout_s * 2)
            except Exception as exc:  # noqa: BLE001 - never the state's values in the message
                where = f"--storage-state {self.options.storage_state}"
                raise CannotScan(f"{where}: the browser did not take it ({type(exc).__name__})") from None
            await self._note(context, "storage_state", first_party)
        selector = self.check is not None and self.check.kind == "selector"
        if self.script is None and self.steps is None and not selector:
            return
        page = await context.new_page()
        try:
            with contextlib.suppress(Exception):
                await present(await context.new_cdp_session(page), presentation)
            if selector:
                await self._check_selector(page)
            if self.script is not None:
                await run_script(self.script, page, self.environ, f"--login-script {self.options.script}")
            elif self.steps is not None:
                await run_steps(page, self.steps, self.environ, self.timeout_s)
        finally:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(page.close(run_before_unload=False), self.timeout_s)
        if self.script is not None or self.steps is not None:
            await self._note(
                context, "login_script" if self.script is not None else "login_steps", first_party
            )

    async def _check_selector(self, page: Any) -> None:
        try:
            await page.main_frame.locator(self.check.value).count()
        except Exception as exc:  # noqa: BLE001 - Playwright's parser says what is wrong
            first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
            raise BadInput(
                f"--logged-in-check {self.check.value[:80]!r}: not a selector ({first[:200]})"
            ) from None

    async def _note(self, context: Any, by: str, first_party: Callable) -> None:
        jar = await context.cookies()
        state = await context.storage_state()
        self.injected.add(jar, state, by, first_party)

    async def judge(self, page: Any, record: dict, index: int, call_s: float) -> bool:
        """Set ``record["logged_in"]`` for the visited ``page``; True when this page is the first found
        logged out so far (by visit order): the scan's meta must change."""
        if self.check is None:
            return False
        try:
            verdict = await asyncio.wait_for(self.check.judge(page, record, call_s), call_s)
        except Exception:  # noqa: BLE001 - the page went away or hangs: it cannot tell
            verdict = None
        record["logged_in"] = verdict
        if verdict is None:
            return False
        self.judged += 1
        if verdict or (self.logged_out is not None and self.logged_out[0] <= index):
            return False
        self.logged_out = (index, str(record.get("url", "")))
        return True

    def drop_injected(self, saved: dict, visit_state: dict) -> None:
        self.injected.drop_from(saved, visit_state.get("storage.writes"))

    def summary(self) -> dict:
        """``meta.login``: how the scan logged in, the check, what was injected (no values) and from
        which page on it was logged out."""
        return {
            "methods": list(self.options.methods),
            "check": self.check.text if self.check else None,
            "injected": list(self.injected.listed),
            # Consent answers the login carried in: the crawl is then no visit before any consent choice.
            "consent_cookies": sorted(consent_names(self.injected.listed)),
            "logged_out_from": None
            if self.logged_out is None
            else {"url": self.logged_out[1], "visit": self.logged_out[0]},
        }

    def meta(self, meta: ScanMeta) -> ScanMeta:
        """``meta`` with ``login`` and, when the session was lost, partial with the reason."""
        errors = tuple(e for e in meta.errors if not e.startswith(LOGGED_OUT_NOTE))
        if self.logged_out is None:
            return replace(meta, login=self.summary(), errors=errors)
        index, url = self.logged_out
        line = (
            f"{LOGGED_OUT_NOTE}the session was lost at visit {index} ({url[:300]}); from there on pages were "
            "audited logged out (the logged-in audit is partial)"
        )
        return replace(meta, login=self.summary(), interrupted=True, errors=(*errors, line))
