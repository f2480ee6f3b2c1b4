"""Open a report file in real Chromium and record what it did: dialogs, console messages,
page errors and every request that was not a local file or data: URI."""

from __future__ import annotations

import os
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("SCANNER_CHROMIUM", "/usr/lib/chromium/chromium")
ARGS = ["--disable-gpu", "--disable-quic"]


@dataclass
class Opened:
    page: object
    dialogs: list[str] = field(default_factory=list)
    console: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    @property
    def network(self) -> list[str]:
        return [u for u in self.requests if not u.startswith(("file:", "data:"))]


@contextmanager
def browser():
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as p:
        kwargs = {"args": ARGS}
        if Path(CHROMIUM).exists():
            kwargs["executable_path"] = CHROMIUM
        try:
            b = p.chromium.launch(**kwargs)
        except Error as exc:
            pytest.skip(f"no Chromium to open the report in: {str(exc).splitlines()[0]}")
        try:
            yield b
        finally:
            b.close()


@contextmanager
def open_report(b, path: Path, viewport=(1280, 900)):
    ctx = b.new_context(viewport={"width": viewport[0], "height": viewport[1]})
    page = ctx.new_page()
    seen = Opened(page)

    def on_dialog(d):
        seen.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    def on_console(m):
        seen.console.append(f"{m.type}: {m.text}")
        if "Content Security Policy" in m.text:
            seen.csp_violations.append(m.text)

    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda e: seen.errors.append(str(e)))
    ctx.on("request", lambda r: seen.requests.append(r.url))
    page.goto(path.resolve().as_uri(), wait_until="load")
    try:
        yield seen
    finally:
        ctx.close()
