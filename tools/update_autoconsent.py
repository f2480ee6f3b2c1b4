#!/usr/bin/env python3
"""Refresh the vendored @duckduckgo/autoconsent (maintainers only; needs npm and the registry).

    python3 tools/update_autoconsent.py 16.23.0
    python3 tools/update_autoconsent.py 16.23.0 --tarball ./duckduckgo-autoconsent-16.23.0.tgz

Runs ``npm pack @duckduckgo/autoconsent@VERSION`` in a temporary folder (or takes a tarball already
downloaded), checks the tarball against the registry's integrity value when npm reports one, copies the
files the scanner uses into ``scanner/consent/vendor/autoconsent/`` unmodified, and rewrites SOURCE.md
with the version, the tarball's address and integrity and a sha256 of every vendored file
(``tests/test_consent_vendor.py`` recomputes them). Scans never run npm or touch the network.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@duckduckgo/autoconsent"
REPO = Path(__file__).resolve().parents[1]
VENDOR = REPO / "scanner" / "consent" / "vendor" / "autoconsent"
# vendored name -> path inside the npm tarball
FILES = {
    "autoconsent.playwright.js": "package/dist/autoconsent.playwright.js",
    "rules.json": "package/rules/rules.json",
    "LICENSE": "package/LICENSE",
}


def tarball_url(version: str) -> str:
    return f"https://registry.npmjs.org/{PACKAGE}/-/autoconsent-{version}.tgz"


def integrity_of(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode("ascii")


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def npm_pack(version: str, folder: Path) -> tuple[Path, str | None]:
    """The tarball of ``version`` downloaded into ``folder``, and the integrity npm reported."""
    done = subprocess.run(
        ["npm", "pack", f"{PACKAGE}@{version}", "--json"],
        cwd=folder,
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    info = json.loads(done.stdout)[0]
    return folder / info["filename"], info.get("integrity")


def extract(tarball: Path, folder: Path) -> dict[str, Path]:
    """The vendored files out of ``tarball`` (only those members, by exact name)."""
    out = {}
    with tarfile.open(tarball, "r:gz") as tar:
        for name, member in FILES.items():
            source = tar.extractfile(tar.getmember(member))
            if source is None:
                raise SystemExit(f"{member} is not a file in {tarball.name}")
            target = folder / name
            target.write_bytes(source.read())
            out[name] = target
    return out


def source_md(version: str, integrity: str, hashes: dict[str, str]) -> str:
    rows = "\n".join(f"| `{name}` | `{digest}` |" for name, digest in hashes.items())
    return f"""# @duckduckgo/autoconsent, vendored

- Version: {version}
- Upstream: https://github.com/duckduckgo/autoconsent (tag `v{version}`)
- npm tarball: {tarball_url(version)}
- npm integrity: {integrity}
- Licence: Mozilla Public License 2.0 (`LICENSE` here, copied from the tarball)

The files below are copied **unmodified** from the npm tarball: `autoconsent.playwright.js` is
`dist/autoconsent.playwright.js` (the content script the scanner runs in a hidden world of each
frame), `rules.json` is the full rule set `rules/rules.json` (it has the opt-in steps the compact rules
lack), `LICENSE` is the package's licence text.

## Source Code Form (MPL-2.0 §3.2)

`autoconsent.playwright.js` is built from TypeScript. Its Source Code Form is in the same npm tarball
(`lib/*.ts`, `lib/cmps/*.ts`, `playwright/content.ts`; rules in `rules/autoconsent/` and
`rules/generated/`): download it from the address above (or `npm pack @duckduckgo/autoconsent@{version}`)
and check it against the integrity value, or get the tag `v{version}` of the upstream repository.

## Files

| file | sha256 |
|---|---|
{rows}

Refresh with `python3 tools/update_autoconsent.py VERSION` (maintainers only; it rewrites this file).
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="the autoconsent version, e.g. 16.23.0")
    parser.add_argument("--tarball", type=Path, help="use this downloaded tarball instead of npm pack")
    parser.add_argument("--integrity", help="expected npm integrity (sha512-...) of the tarball")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        reported = None
        if args.tarball is not None:
            tarball = args.tarball
        else:
            tarball, reported = npm_pack(args.version, folder)
        integrity = integrity_of(tarball)
        for expected in (reported, args.integrity):
            if expected and expected != integrity:
                raise SystemExit(f"{tarball.name}: integrity {integrity} is not the expected {expected}")
        files = extract(tarball, folder)
        version = json.loads(_member(tarball, "package/package.json"))["version"]
        if version != args.version:
            raise SystemExit(f"{tarball.name} holds version {version}, not {args.version}")
        VENDOR.mkdir(parents=True, exist_ok=True)
        hashes = {}
        for name, path in files.items():
            shutil.copyfile(path, VENDOR / name)
            hashes[name] = sha256_of(VENDOR / name)
    (VENDOR / "SOURCE.md").write_text(source_md(args.version, integrity, hashes), encoding="utf-8")
    print(f"vendored {PACKAGE} {args.version} into {VENDOR.relative_to(REPO)}")
    return 0


def _member(tarball: Path, name: str) -> bytes:
    with tarfile.open(tarball, "r:gz") as tar:
        source = tar.extractfile(tar.getmember(name))
        return source.read() if source is not None else b""


if __name__ == "__main__":
    sys.exit(main())
