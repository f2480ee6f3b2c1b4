"""``--login-steps FILE.toml``: a login declared as steps, for CI, with the secrets in environment
variables::

    [[step]]
    goto = "https://www.example.com/login"

    [[step]]
    fill = "#username"
    env = "SITE_USER"              # the value of $SITE_USER is typed (never written anywhere)

    [[step]]
    fill = "#password"
    env = "SITE_PASSWORD"

    [[step]]
    click = "button[type=submit]"

    [[step]]
    wait_for_url = "/account"      # a regular expression searched in the page's URL

    [[step]]
    wait_for_selector = "#account-menu"

Each step has exactly one action: ``goto`` (an http(s) URL), ``fill`` (a selector, with ``env`` = the
name of an environment variable, or ``value`` = literal text that is no secret), ``click`` (a
selector), ``press`` (a selector, with ``key``, e.g. "Enter"), ``wait_for_url`` (a regular expression)
or ``wait_for_selector`` (a selector); and optionally ``timeout`` (seconds; default the scan's
``--timeout``). Selectors are Playwright's (CSS by default). Every problem is one line naming the file
and the step; a variable that is not set is found before the browser starts.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from scanner.errors import BadInput, CannotScan
from scanner.login.secrets import redact
from scanner.textfile import MB, read_utf8

ACTIONS = ("goto", "fill", "click", "press", "wait_for_url", "wait_for_selector")
OPTIONAL = {"fill": ("env", "value"), "press": ("key",)}
MAX_STEPS = 100
MAX_TEXT = 4000
MAX_STEPS_BYTES = 1 * MB
MAX_TIMEOUT_S = 600.0
ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Step:
    number: int  # 1-based, as the error messages name it
    action: str
    target: str  # URL, selector or regular expression
    env: str | None = None  # fill: the variable whose value is typed
    value: str | None = None  # fill: literal text; press: the key
    timeout_s: float | None = None

    @property
    def label(self) -> str:
        return f"step {self.number} ({self.action})"


def read_steps(path: Path) -> tuple[Step, ...]:
    """The steps of ``path``; BadInput (one line naming the file and the step) when they are unusable."""
    label = f"--login-steps {path}"
    _, text = read_utf8(Path(path), label, MAX_STEPS_BYTES)
    return parse_steps(text, label)


def parse_steps(text: str, label: str = "--login-steps") -> tuple[Step, ...]:
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise BadInput(f"{label}: not TOML ({str(exc).splitlines()[0][:200]})") from None
    except RecursionError:
        raise BadInput(f"{label}: not TOML (nested too deeply)") from None
    return steps_from_doc(doc, label)


def steps_from_doc(doc: Any, label: str = "--login-steps") -> tuple[Step, ...]:
    """The steps of a parsed steps file (a TOML document as a dict)."""
    if not isinstance(doc, dict):
        raise BadInput(f"{label}: expected [[step]] tables")
    unknown = sorted(str(k) for k in doc if k != "step")
    if unknown:
        raise BadInput(f"{label}: unknown key {unknown[0][:40]!r} (the file holds [[step]] tables only)")
    steps = doc.get("step")
    if not isinstance(steps, list) or not steps:
        raise BadInput(f"{label}: no steps (write each as a [[step]] table)")
    if len(steps) > MAX_STEPS:
        raise BadInput(f"{label}: at most {MAX_STEPS} steps")
    return tuple(_step(raw, n, label) for n, raw in enumerate(steps, 1))


def _step(raw: Any, n: int, label: str) -> Step:
    where = f"{label}: step {n}"
    if not isinstance(raw, dict):
        raise BadInput(f"{where}: expected a [[step]] table")
    actions = [a for a in ACTIONS if a in raw]
    if len(actions) != 1:
        found = "none" if not actions else " and ".join(actions)
        raise BadInput(f"{where}: give exactly one action of {', '.join(ACTIONS)} (found {found})")
    action = actions[0]
    where = f"{where} ({action})"
    allowed = {action, "timeout", *OPTIONAL.get(action, ())}
    extra = sorted(str(k) for k in raw if k not in allowed)
    if extra:
        raise BadInput(f"{where}: unknown key {extra[0][:40]!r} (allowed here: {', '.join(sorted(allowed))})")
    target = _string(raw, action, where)
    env, value = _action_fields(raw, action, target, where)
    return Step(n, action, target, env=env, value=value, timeout_s=_timeout(raw.get("timeout"), where))


def _timeout(timeout: Any, where: str) -> float | None:
    if timeout is None:
        return None
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not 0 < timeout <= MAX_TIMEOUT_S:
        raise BadInput(
            f"{where}: timeout must be a number of seconds, more than 0 and at most {MAX_TIMEOUT_S:g}"
        )
    return float(timeout)


def _action_fields(raw: dict, action: str, target: str, where: str) -> tuple[str | None, str | None]:
    """The step's (env, value) after the checks its action needs: a URL to go to, a regular expression
    to wait for, a variable or a text to fill in, a key to press."""
    if action == "goto":
        try:
            parts = urlsplit(target)
            ok = parts.scheme in ("http", "https") and bool(parts.hostname)
        except ValueError:
            ok = False
        if not ok:
            raise BadInput(f"{where}: expected an http(s) URL")
    elif action == "wait_for_url":
        try:
            re.compile(target)
        except (re.error, RecursionError, OverflowError, ValueError) as exc:
            why = (str(exc).splitlines() or [type(exc).__name__])[0]
            raise BadInput(f"{where}: not a regular expression ({why[:200]})") from None
    elif action == "fill":
        if ("env" in raw) == ("value" in raw):
            raise BadInput(f"{where}: give 'env' (the name of an environment variable) or 'value', not both")
        if "value" in raw:
            return None, _string(raw, "value", where, empty=True)
        env = _string(raw, "env", where)
        if not ENV_NAME.fullmatch(env):
            raise BadInput(f"{where}: env must name an environment variable (letters, digits, _)")
        return env, None
    elif action == "press":
        if "key" not in raw:
            raise BadInput(f'{where}: give the key to press, e.g. key = "Enter"')
        return None, _string(raw, "key", where)
    return None, None


def _string(raw: dict, key: str, where: str, *, empty: bool = False) -> str:
    value = raw.get(key)
    if not isinstance(value, str) or (not empty and not value.strip()):
        raise BadInput(f"{where}: {key} must be {'a' if empty else 'a non-empty'} string")
    if len(value) > MAX_TEXT:
        raise BadInput(f"{where}: {key} longer than {MAX_TEXT} characters")
    if "\x00" in value:
        raise BadInput(f"{where}: {key} holds a NUL character")
    return value


def check_env(steps: tuple[Step, ...], environ: Mapping[str, str], label: str = "--login-steps") -> None:
    """BadInput for the first ``fill`` step whose variable is not set (or empty)."""
    for step in steps:
        if step.env is not None and not environ.get(step.env):
            raise BadInput(f"{label}: {step.label}: the environment variable {step.env} is not set")


def secrets_of(steps: tuple[Step, ...], environ: Mapping[str, str]) -> list[str]:
    """The values the steps type from the environment (to keep them out of every message)."""
    return [environ[s.env] for s in steps if s.env is not None and environ.get(s.env)]


async def run_steps(page: Any, steps: tuple[Step, ...], environ: Mapping[str, str], timeout_s: float) -> None:
    """Do ``steps`` in ``page``; CannotScan naming the step that failed (its message without secrets)."""
    hidden = secrets_of(steps, environ)
    for step in steps:
        ms = (step.timeout_s or timeout_s) * 1000
        try:
            if step.action == "goto":
                await page.goto(step.target, wait_until="load", timeout=ms)
            elif step.action == "fill":
                text = environ.get(step.env, "") if step.env is not None else step.value or ""
                await page.fill(step.target, text, timeout=ms)
            elif step.action == "click":
                await page.click(step.target, timeout=ms)
            elif step.action == "press":
                await page.press(step.target, step.value or "", timeout=ms)
            elif step.action == "wait_for_url":
                await page.wait_for_url(re.compile(step.target), timeout=ms)
            else:
                await page.wait_for_selector(step.target, timeout=ms)
        except Exception as exc:  # noqa: BLE001 - one line for the user, without the secrets
            first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
            raise CannotScan(
                redact(f"login failed at {step.label} {step.target[:120]!r}: {first[:300]}", hidden)
            ) from None
