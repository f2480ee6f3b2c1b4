"""The README's Python API example runs as written (offline, against the demo site)."""

from __future__ import annotations

import re
import subprocess
import sys

from conftest import REPO


def readme_example(name: str) -> str:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(rf"<!-- readme-example: {name} -->\s*```python\n(.*?)```", text, re.S)
    assert match, f"README has no example {name!r}"
    return match.group(1)


def test_readme_scan_example_runs():
    code = readme_example("scan")
    proc = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=240)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "'undeclared':" in proc.stdout
