"""The CI contract of the CLI on the demo world: `scanner scan` exit codes per --fail-on and --baseline,
`scanner report` without a browser, `scanner diff`, and bad input rejected before a browser starts."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from conftest import REPO, run_cli

from scanner.report import FILES, FORMATS

START = "https://www.example.com/"
VENDORS = REPO / "vendors.csv"
# Declared in vendors.csv and seen on the small scan; dropped from the smaller vendors.csv.
DROPPED = ("Facebook", "Google analytics")


@pytest.fixture(scope="module")
def cli_scan(demo_net, tmp_path_factory):
    rules = demo_net.chromium_args()

    def run(name: str, *extra: str, url: str = START, vendors=VENDORS):
        out = tmp_path_factory.mktemp(name) / "out"
        args = ["scan", url, "--vendors", str(vendors), "--out", str(out), "--max-pages", "8"]
        args += ["--settle", "0.3", "--no-screenshots", "--quiet", "--timeout", "10", "--ignore-https-errors"]
        args += [f"--browser-arg={a}" for a in rules]
        proc = run_cli(*args, *extra, timeout=120)
        assert "Traceback" not in proc.stderr, proc.stderr
        return proc, out

    return run


def findings(out) -> dict[str, str]:
    data = json.loads((out / "scan.json").read_text(encoding="utf-8"))
    return {f["vendor"]: f["status"] for f in data["findings"]}


@pytest.fixture(scope="module")
def full(cli_scan):
    """Default --fail-on (undeclared) on the demo shop, which embeds undeclared Hotjar. Enough pages
    for the whole site, sitemap seeds included, whatever order the background discovery gives."""
    return cli_scan("full", "--max-pages", "40")


@pytest.fixture(scope="module")
def smaller(cli_scan, tmp_path_factory):
    """The same site declared with a vendors.csv that lacks Facebook and Google Analytics."""
    lines = VENDORS.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not line.startswith(DROPPED)]
    assert len(kept) == len(lines) - len(DROPPED)
    path = tmp_path_factory.mktemp("smaller") / "vendors.csv"
    path.write_text("".join(kept), encoding="utf-8")
    return cli_scan("smaller", "--fail-on", "none", "--format", "json", vendors=path)


def test_default_fail_on_fails_on_undeclared(full):
    proc, out = full
    assert proc.returncode == 1, proc.stderr
    seen = findings(out)
    assert seen["Hotjar"] == "undeclared" and seen["Facebook"] == "mismatch"
    assert {p.name for p in out.iterdir()} >= {"report.html", "scan.json", "findings.csv"}


def test_fail_on_none_passes_a_scan_with_findings(cli_scan):
    proc, out = cli_scan("fail-on-none", "--fail-on", "none", "--format", "json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stderr == "" and "undeclared" in findings(out).values()


@pytest.mark.parametrize(("fail_on", "code"), [("none", 0), ("mismatch", 1), ("undeclared", 1)])
def test_fail_on_regates_a_saved_scan(full, fail_on, code, tmp_path):
    proc = run_cli("report", str(full[1]), "--out", str(tmp_path), "--fail-on", fail_on, "--format", "json")
    assert proc.returncode == code, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr


def test_baseline_of_the_same_site_passes(cli_scan, full):
    proc, out = cli_scan("same-baseline", "--baseline", str(full[1] / "scan.json"), "--format", "json,md")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the folder works as a baseline too, and a strict gate still has nothing new to fail on
    proc = run_cli(
        "report", str(out), "--out", str(out.parent / "r"), "--format", "json", "--baseline", str(full[1]),
        "--fail-on", "undeclared,mismatch",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_baseline_from_a_smaller_declaration(cli_scan, smaller):
    """README/gate.py: only findings new since the baseline count; a vendor with the same status there is old
    news. Against the smaller declaration, Facebook and Google Analytics were undeclared: declaring them
    removes findings (passes), Facebook's purpose mismatch is new (fails --fail-on mismatch)."""
    proc, small_out = smaller
    assert proc.returncode == 0, proc.stderr
    small = findings(small_out)
    assert (small["Facebook"], small["Google Analytics"], small["Hotjar"]) == ("undeclared",) * 3
    baseline = str(small_out / "scan.json")
    proc, out = cli_scan(
        "vs-smaller", "--baseline", baseline, "--fail-on", "undeclared,mismatch", "--format", "json,md"
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    rows = [
        line
        for line in (out / "summary.md").read_text(encoding="utf-8").splitlines()
        if line.endswith("| fails |")
    ]
    assert len(rows) == 1 and rows[0].startswith("| Facebook |"), rows
    # undeclared alone: nothing is undeclared now that was not undeclared in the baseline
    proc = run_cli(
        "report", str(out), "--out", str(out.parent / "r"), "--format", "md", "--baseline", baseline
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # the other way round, the smaller declaration is a regression: two vendors become undeclared
    proc = run_cli(
        "report", str(small_out), "--out", str(out.parent / "r2"), "--format", "md", "--baseline", str(out)
    )
    assert proc.returncode == 1, proc.stdout + proc.stderr
    md = (out.parent / "r2" / "summary.md").read_text(encoding="utf-8")
    failing = sorted(
        line.split(" | ")[0].lstrip("| ") for line in md.splitlines() if line.endswith("| fails |")
    )
    assert failing == ["Facebook", "Google Analytics"]


NO_BROWSER = (
    "import sys\n"
    "for name in ('playwright', 'playwright.async_api', 'playwright.sync_api'):\n"
    "    sys.modules[name] = None  # importing it raises ImportError\n"
    "from scanner.cli import main\n"
    "sys.exit(main(sys.argv[1:]))\n"
)


def run_without_playwright(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", NO_BROWSER, *args], capture_output=True, text=True, timeout=60, cwd=REPO
    )


def test_report_rerenders_every_format_without_a_browser(full, tmp_path):
    _, out = full
    before = (out / "scan.json").read_bytes()
    proc = run_without_playwright("report", str(out), "--format", "all", "--fail-on", "none")
    assert proc.returncode == 0, proc.stderr
    expected = [name for f in FORMATS for name in FILES[f]]  # "all": every format but pdf
    assert all((out / name).stat().st_size > 0 for name in expected)
    assert (out / "scan.json").read_bytes() == before  # the input is left byte for byte
    assert "NOT GATED: findings are reported, none can fail the build (--fail-on none)" in proc.stdout
    # the gate applies to a re-report as it does to the scan
    proc = run_without_playwright(
        "report", str(out / "scan.json"), "--out", str(tmp_path), "--format", "json"
    )
    assert proc.returncode == 1, proc.stdout
    assert any(
        line.startswith("FAIL: ") and line.endswith(" the gate (--fail-on undeclared)")
        for line in proc.stdout.splitlines()
    ), proc.stdout
    assert (
        json.loads((tmp_path / "scan.json").read_text(encoding="utf-8"))["findings"]
        == json.loads(before)["findings"]
    )


def test_diff_lists_vendors_added_and_removed(cli_scan, full, tmp_path):
    proc, about = cli_scan(
        "about", "--max-depth", "0", "--fail-on", "none", "--format", "json", url=START + "about"
    )
    assert proc.returncode == 0, proc.stderr
    assert [p["url"] for p in json.loads((about / "scan.json").read_text())["pages"]] == [START + "about"]
    full_out = full[1]
    full_vendors = {v["name"] for v in json.loads((full_out / "scan.json").read_text())["vendors"]}
    about_vendors = {v["name"] for v in json.loads((about / "scan.json").read_text())["vendors"]}
    added = full_vendors - about_vendors
    # /about has no Criteo, Google Ads, Bing, YouTube or LinkedIn tags (scanner/fakenet/README.md)
    assert {"Criteo", "Microsoft Advertising", "YouTube", "LinkedIn"} <= added
    assert about_vendors <= full_vendors

    def vendor_block(text: str) -> list[str]:
        lines = text.splitlines()
        start = next(i for i, line in enumerate(lines) if line.startswith("vendors: "))
        block = [lines[start]]
        for line in lines[start + 1 :]:
            if not line.startswith("  "):
                break
            block.append(line.strip())
        return block

    proc = run_without_playwright("diff", str(about), str(full_out), "--out", str(tmp_path / "d1"))
    assert proc.returncode == 0, proc.stderr
    assert vendor_block(proc.stdout) == [f"vendors: +{len(added)} -0", *(f"+ {v}" for v in sorted(added))]
    assert (tmp_path / "d1" / "diff.html").is_file() and (tmp_path / "d1" / "diff.md").is_file()
    proc = run_without_playwright(
        "diff", str(full_out / "scan.json"), str(about), "--out", str(tmp_path / "d2")
    )
    assert proc.returncode == 0, proc.stderr
    # the vendors of pages the one-page scan never visited are not re-checked there, not removed
    block = vendor_block(proc.stdout)
    assert block[0] == f"vendors: +0 -0, {len(added)} not re-checked", block
    assert [line.split(" (")[0] for line in block[1:]] == [f"? {v}" for v in sorted(added)]
    assert "warning: the scans covered different pages: " in proc.stdout


@pytest.mark.parametrize(
    ("content", "where"),
    [
        (
            "name,purpose,privacy_policy\nAcme,ads,https://acme.example/privacy\n,analytics,\n",
            "vendors.csv:3",
        ),
        ("purpose,privacy_policy\nads,https://acme.example/privacy\n", "vendors.csv:1"),
        ('name,purpose,privacy_policy\n"Acme,ads,https://acme.example/privacy\n', "vendors.csv"),
    ],
)
def test_malformed_vendors_csv_exits_2_before_a_browser(tmp_path, content, where):
    bad = tmp_path / "vendors.csv"
    bad.write_text(content, encoding="utf-8")
    out = tmp_path / "out"
    proc = run_without_playwright(
        "scan",
        START,
        "--vendors",
        str(bad),
        "--out",
        str(out),
        "--browser-arg=--host-resolver-rules=MAP * ~NOTFOUND",
    )
    assert proc.returncode == 2, proc.stdout + proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("scanner: error: ") and where in lines[0], lines
    assert "Traceback" not in proc.stderr and proc.stdout == ""
    assert not out.exists()
    # Playwright cannot even be imported in this process (NO_BROWSER), so the error came before a browser
