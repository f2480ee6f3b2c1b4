"""Logged-in audits: start the scan's browser with a saved login (``--storage-state``), or log in first
with a script (``--login-script``) or declared steps (``--login-steps``), check on every page that the
session still holds (``--logged-in-check``), and keep what the login put into the browser apart from
what the site set during the scan.

* :mod:`scanner.login.state` reads a Playwright storage-state file and records what was injected.
* :mod:`scanner.login.steps` / :mod:`scanner.login.script`: the two ways of logging in for CI.
* :mod:`scanner.login.check`: the logged-in check of one page.
* :mod:`scanner.login.session`: all of it for one browser of a crawl (``scanner.crawl.crawler``).
* :mod:`scanner.login.record`: ``scanner auth record``, a person logs in and the state is saved.

Secrets (passwords from the environment, cookie values of the state file, HTTP credentials) are never
written: not in scan.json, a report, a log line or an error message.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class LoginOptions:
    """How a scan logs in and how it checks that it still is.

    ``storage_state``: a Playwright storage-state JSON file applied to the browser before its first page.
    ``script``: a Python file defining ``async def login(page, env)``; ``steps``: a TOML file of steps
    (goto, fill, click, press, wait_for_url, wait_for_selector). At most one of ``script`` and ``steps``;
    either may follow a ``storage_state``. ``check``: ``SELECTOR`` (or ``selector:SELECTOR``), an element
    that only a logged-in page has, or ``url:REGEX``, the URL a page without the session ends on (the
    login page): see :mod:`scanner.login.check`.
    """

    storage_state: Path | None = None
    script: Path | None = None
    steps: Path | None = None
    check: str | None = None

    def __post_init__(self) -> None:
        for name in ("storage_state", "script", "steps"):
            value = getattr(self, name)
            if value is not None and not isinstance(value, Path):
                object.__setattr__(self, name, Path(value))

    @property
    def methods(self) -> tuple[str, ...]:
        """How the browser gets its login, in order: storage_state, then login_script or login_steps."""
        return tuple(
            name
            for name, given in (
                ("storage_state", self.storage_state),
                ("login_script", self.script),
                ("login_steps", self.steps),
            )
            if given is not None
        )

    @property
    def active(self) -> bool:
        return bool(self.methods or self.check)


__all__ = ["LoginOptions"]
