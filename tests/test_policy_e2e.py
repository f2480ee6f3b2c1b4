"""Policy import and `scan --policy` end to end: the real CLI, a real browser, the fake internet."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from conftest import SHARED, run_cli

from scanner.fakenet import FakeInternet, Response, Site

SEED = SHARED / "seed-policy.md"
NO_SEED = f"seed policy not found at {SEED} (set SCANNER_SHARED_DIR to the shared folder)"
needs_seed = pytest.mark.skipif(not SEED.is_file(), reason=NO_SEED)
SCAN_FLAGS = ("--max-pages", "12", "--settle", "0.3", "--timeout", "10", "--no-screenshots", "--quiet")

# ---- a privacy page whose vendor table exists only after its script ran ----------------------------

JS_VENDORS = [
    ("Acme Analytics", "Visitor statistics", "https://acme-analytics.test/privacy"),
    ("Zebra Ads", "Retargeting, on other sites too", "https://zebra-ads.test/legal/privacy"),
    ("Northwind Chat", "Support chat widget", "https://northwind-chat.test/privacy-policy"),
]

# The served HTML names no vendor: the script fetches them and builds the table after `load`.
PRIVACY_HTML = """<!doctype html><html><head><title>Privacy policy</title></head><body>
<h1>Privacy policy</h1>
<p>We use a few services run by other companies.</p>
<h2>Third parties</h2>
<div id="partners"><p>Loading&hellip;</p></div>
<script>
window.addEventListener("load", async () => {
  const vendors = await (await fetch("/partners.json")).json();
  const table = document.createElement("table");
  const head = table.insertRow();
  for (const label of ["Provider", "Purpose", "Privacy policy"]) {
    const th = document.createElement("th");
    th.textContent = label;
    head.appendChild(th);
  }
  for (const [name, purpose, url] of vendors) {
    const row = table.insertRow();
    row.insertCell().textContent = name;
    row.insertCell().textContent = purpose;
    const link = document.createElement("a");
    link.href = url;
    link.textContent = "privacy policy";
    row.insertCell().appendChild(link);
  }
  document.getElementById("partners").replaceChildren(table);
});
</script></body></html>"""

NO_VENDORS_HTML = """<!doctype html><html><head><title>Privacy</title></head><body>
<h1>Privacy</h1><p>We respect your privacy and set no cookies. We share nothing with anyone.</p>
</body></html>"""


@pytest.fixture(scope="module")
def policy_net():
    world = {
        "www.example.com": Site(
            {
                "/privacy": Response.html(PRIVACY_HTML),
                "/partners.json": Response.text(json.dumps(JS_VENDORS), "application/json"),
                "/no-vendors": Response.html(NO_VENDORS_HTML),
            }
        )
    }
    with FakeInternet(world) as net:
        yield net


def _import(net: FakeInternet, path: str):
    return run_cli(
        "policy",
        "import",
        net.url("www.example.com", path),
        "-o",
        "-",
        "--ignore-https-errors",
        f"--browser-arg={net.chromium_args()[0]}",
        "--timeout",
        "10",
        timeout=60,
    )


def test_import_reads_the_table_a_script_built(policy_net: FakeInternet) -> None:
    assert not any(name in PRIVACY_HTML for name, _, _ in JS_VENDORS)  # only a rendered DOM has them
    policy_net.log.clear()
    proc = _import(policy_net, "/privacy")
    assert proc.returncode == 0, proc.stderr
    assert policy_net.log.find(host="www.example.com", path_prefix="/partners.json")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert proc.stdout.startswith("name,purpose,privacy_policy,source\n")
    assert [(r["name"], r["purpose"], r["privacy_policy"]) for r in rows] == JS_VENDORS
    assert [r["source"] for r in rows] == [f"table 'Third parties' row {i}" for i in (1, 2, 3)]
    assert "3 from tables" in proc.stderr and "Traceback" not in proc.stderr


def test_import_of_a_page_without_a_declaration_exits_2_with_one_line(policy_net: FakeInternet) -> None:
    proc = _import(policy_net, "/no-vendors")
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert "no recognisable vendor declaration" in lines[0]


# ---- scan --policy on the demo shop ---------------------------------------------------------------

SEED_SOURCES = [f"table 'Marketing Cookies' row {i}" for i in range(1, 17)]


def _scan(net: FakeInternet, out: Path, *declaration: str, fail_on: str | None = None):
    args = ["scan", net.url("www.example.com", "/"), *declaration, "--out", str(out), *SCAN_FLAGS]
    args += ["--ignore-https-errors", f"--browser-arg={net.chromium_args()[0]}"]
    if fail_on:
        args += ["--fail-on", fail_on]
    proc = run_cli(*args)  # run_cli's hang guard (240 s): 80 s was exceeded on a loaded machine
    scan_json = out / "scan.json"
    return proc, (json.loads(scan_json.read_text(encoding="utf-8")) if scan_json.is_file() else None)


@pytest.fixture(scope="module")
def policy_scan(demo_net: FakeInternet, tmp_path_factory: pytest.TempPathFactory):
    if not SEED.is_file():
        pytest.skip(NO_SEED)
    out = tmp_path_factory.mktemp("policy-scan")
    proc, data = _scan(demo_net, out, "--policy", str(SEED))
    return proc, data, out


def _statuses(data: dict) -> dict[str, str]:
    return {f["vendor"]: f["status"] for f in data["findings"]}


@needs_seed
def test_scan_with_the_seed_policy_finds_what_the_policy_misses(policy_scan) -> None:
    proc, data, _ = policy_scan
    assert proc.returncode == 1, proc.stdout + proc.stderr  # undeclared trackers fail by default
    assert data is not None
    status = _statuses(data)
    assert status["Google Analytics"] == "declared"
    assert status["Google Ads"] == "declared"
    assert status["Criteo"] == "declared"
    assert status["Quantcast"] == "declared"
    assert status["LinkedIn"] == "declared"  # only on /sitemap-only
    assert status["Facebook"] == "mismatch"
    assert status["Hotjar"] == "undeclared"
    assert status["YouTube"] == "undeclared"
    assert status["pixelmetrics-demo.io"] == "undeclared"
    assert status["Capterra"] == "not_observed"
    assert status["Acquisio"] == "not_observed"
    assert data["summary"]["undeclared"] == sum(s == "undeclared" for s in status.values())


@needs_seed
def test_declared_rows_name_the_policy_and_their_table_row(policy_scan) -> None:
    _, data, out = policy_scan
    assert data["meta"]["declared_source"] == f"policy: {SEED}"
    declared = data["declared"]
    assert len(declared) == 16
    # Each row names the policy and where in it the vendor was declared; the report shows it per finding.
    assert [d["source"] for d in declared] == [f"policy: {SEED}, {s}" for s in SEED_SOURCES]
    report = (out / "report.html").read_text(encoding="utf-8")
    facebook = next(d for d in declared if d["name"] == "Facebook")
    assert facebook["source"] in BeautifulSoup(report, "html.parser").get_text()


@needs_seed
def test_imported_csv_fed_back_with_vendors_gives_the_same_findings(
    policy_scan, demo_net: FakeInternet, tmp_path: Path
) -> None:
    _, from_policy, _ = policy_scan
    vendors = tmp_path / "imported.csv"
    proc = run_cli("policy", "import", str(SEED), "-o", str(vendors), timeout=60)
    assert proc.returncode == 0, proc.stderr
    proc, data = _scan(demo_net, tmp_path / "out", "--vendors", str(vendors), fail_on="none")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert data["meta"]["declared_source"] == str(vendors)
    assert [d["source"] for d in data["declared"]] == SEED_SOURCES
    assert [d["name"] for d in data["declared"]] == [d["name"] for d in from_policy["declared"]]
    assert _statuses(data) == _statuses(from_policy)
