"""tools/build_catalog.py rebuilds the shipped third-party-web layer from the npm package."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHIPPED = REPO / "scanner" / "catalog" / "data" / "third_party_web.json"
_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
TPW_DIR = Path(os.environ.get("TPW_DIR", _CACHE / "scanner-test-data" / "third-party-web")) / "package"


def test_generator_reproduces_the_shipped_layer(tmp_path):
    if not (TPW_DIR / "dist" / "entities.json").exists():
        pytest.skip(f"third-party-web package not found at {TPW_DIR}: run tools/fetch_third_party_web.sh")
    version = json.loads((TPW_DIR / "package.json").read_text())["version"]
    shipped = json.loads(SHIPPED.read_text())
    if version != shipped["version"]:
        pytest.skip(f"fetched third-party-web {version}, shipped layer is {shipped['version']}")
    out = tmp_path / "tpw.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "tools" / "build_catalog.py"),
            "--package-dir",
            str(TPW_DIR),
            "--out",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(out.read_text()) == shipped


def test_generator_fails_cleanly_without_the_package(tmp_path):
    proc = subprocess.run(
        [sys.executable, str(REPO / "tools" / "build_catalog.py"), "--package-dir", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    assert proc.stderr.startswith("build_catalog: cannot read third-party-web from")
    assert "Traceback" not in proc.stderr


def test_shipped_layers_name_their_source_and_licence():
    layers = {
        p.name: json.loads(p.read_text()) for p in (REPO / "scanner" / "catalog" / "data").glob("*.json")
    }
    assert set(layers) == {"third_party_web.json", "curated.json"}
    assert layers["third_party_web.json"]["source"] == "third-party-web"
    assert layers["third_party_web.json"]["license"].startswith("MIT")
    assert layers["curated.json"]["license"].startswith("MIT")
    notice = (REPO / "NOTICE").read_text()
    assert "third-party-web" in notice and "Copyright (c) 2019 Patrick Hulce" in notice
