"""Bad input and unscannable sites: one clear line, a distinct exit code, no traceback, evidence kept."""

from __future__ import annotations

import json
import socket

import pytest
from conftest import run_cli  # noqa: I001

from scanner.browser import find_browser
from scanner.errors import EXIT_BAD_INPUT, EXIT_CANNOT_SCAN, BadInput, CannotScan

pytestmark = pytest.mark.browser


def scan_cli(net, url, out, *extra):
    args = [
        "scan",
        url,
        "--out",
        str(out),
        "--quiet",
        "--no-screenshots",
        "--settle",
        "0.2",
        "--timeout",
        "5",
    ]
    args += [f"--browser-arg={a}" for a in net.chromium_args()]
    return run_cli(*args, *extra)


def assert_one_line(proc, code, *needles):
    assert proc.returncode == code, (proc.returncode, proc.stdout, proc.stderr)
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert "Traceback" not in proc.stderr and lines[0].startswith("scanner: error: ")
    for needle in needles:
        assert needle in lines[0]


@pytest.mark.parametrize(
    "url, needle",
    [
        ("ftp://www.example.com/", "only http and https"),
        ("javascript:alert(1)", "only http and https"),
        ("https://", "no valid host"),
        ("https://exa mple.com/", "no valid host"),
        ("https://www.example.com:99999/", "invalid URL"),
    ],
)
def test_invalid_urls_exit_2(url, needle, tmp_path):
    proc = run_cli("scan", url, "--out", str(tmp_path / "o"), "--quiet")
    assert_one_line(proc, EXIT_BAD_INPUT, needle)


def test_bad_option_values_exit_2(tmp_path):
    proc = run_cli("scan", "https://www.example.com/", "--max-pages", "0")
    assert proc.returncode == EXIT_BAD_INPUT and "Traceback" not in proc.stderr


@pytest.mark.parametrize(
    "path, extra, code, needle",
    [
        ("/missing", ["--ignore-https-errors"], EXIT_CANNOT_SCAN, "returned HTTP 404"),
        ("/broken", ["--ignore-https-errors"], EXIT_CANNOT_SCAN, "returned HTTP 500"),
        ("/loop-a", ["--ignore-https-errors"], EXIT_CANNOT_SCAN, "redirect loop"),
        ("/data.json", ["--ignore-https-errors"], EXIT_BAD_INPUT, "not an HTML page"),
        ("/brochure.pdf", ["--ignore-https-errors"], EXIT_BAD_INPUT, "not"),
        ("/", [], EXIT_CANNOT_SCAN, "--ignore-https-errors"),  # the fake internet's CA is not trusted
    ],
)
def test_unscannable_start_pages(demo_net, tmp_path, path, extra, code, needle):
    out = tmp_path / "out"
    proc = scan_cli(demo_net, demo_net.url("www.example.com", path), out, *extra)
    assert_one_line(proc, code, needle)
    # The evidence captured before giving up is kept.
    saved = json.loads((out / "scan.json").read_text())
    assert saved["pages"][0]["url"].endswith(path) and saved["pages"][0]["error"]


def test_dns_failure(demo_net, tmp_path):
    proc = scan_cli(demo_net, "https://no-such-host.example.net/", tmp_path / "o", "--ignore-https-errors")
    assert_one_line(proc, EXIT_CANNOT_SCAN, "DNS lookup failed")


def test_connection_refused(tmp_path):
    with socket.socket() as sock:  # a port that was free a moment ago: nothing listens there
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    proc = run_cli(
        "scan", f"http://127.0.0.1:{port}/", "--out", str(tmp_path / "o"), "--quiet", "--timeout", "5"
    )
    assert_one_line(proc, EXIT_CANNOT_SCAN, "connection refused")


def test_missing_browser_exit_codes(monkeypatch, tmp_path):
    with pytest.raises(BadInput, match="no such executable"):
        find_browser(str(tmp_path / "no-chromium"))
    # No Playwright download and no system Chromium: one line with the install hint, exit 3.
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "no-downloads"))
    monkeypatch.setenv("SCANNER_SYSTEM_CHROMIUMS", str(tmp_path / "nothing-here"))
    with pytest.raises(CannotScan, match="playwright install chromium") as err:
        find_browser(None)
    assert err.value.exit_code == EXIT_CANNOT_SCAN
    proc = run_cli("scan", "https://www.example.com/", "--out", str(tmp_path / "out"), "--quiet")
    assert_one_line(proc, EXIT_CANNOT_SCAN, "playwright install chromium")
    assert not (tmp_path / "out").exists()
    proc = run_cli("scan", "https://www.example.com/", "--browser", str(tmp_path / "nope"), "--quiet")
    assert_one_line(proc, EXIT_BAD_INPUT, "--browser")
