"""Make sure a Chromium the scanner can drive is installed: ``python -m scanner.setup_browser``.

Order: a browser that is already there (Playwright's own or a system Chromium) -> on Debian/Ubuntu as
root, ``apt-get install chromium`` (works where only package registries are reachable) -> otherwise
Playwright's own download (``python -m playwright install chromium``). ``--check`` only reports.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys

from scanner.browser import find_browser
from scanner.errors import CannotScan


def current() -> str | None:
    try:
        browser = find_browser(None)
    except CannotScan:
        return None
    return f"{browser.executable_path} ({browser.label})"


def run(cmd: list[str]) -> bool:
    print("+ " + " ".join(cmd), flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    return subprocess.run(cmd, env=env).returncode == 0


def install() -> bool:
    is_root = hasattr(os, "geteuid") and os.geteuid() == 0
    apt = ["apt-get", "install", "-y", "-qq", "--no-install-recommends", "chromium", "fonts-liberation"]
    if is_root and shutil.which("apt-get") and run(["apt-get", "update", "-qq"]) and run(apt):
        return True
    return run([sys.executable, "-m", "playwright", "install", "chromium"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scanner.setup_browser", description=__doc__)
    parser.add_argument("--check", action="store_true", help="only report; exit 3 when no browser is found")
    args = parser.parse_args(argv)
    found = current()
    if found:
        print(f"browser: {found}")
        return 0
    if args.check or not install():
        print(
            "scanner: error: no Chromium found: run `python -m playwright install chromium` "
            "(or `apt-get install -y chromium` as root on Debian/Ubuntu)",
            file=sys.stderr,
        )
        return 3
    found = current()
    if not found:
        print("scanner: error: the browser install did not produce a usable Chromium", file=sys.stderr)
        return 3
    print(f"browser: {found}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
