"""The shipped catalog checked against public data written by others (oracles, never shipped):

- the Open Cookie Database (Apache-2.0) in /work/shared/data/open-cookie-database/: cookie
  name -> platform;
- the third-party-web npm package (MIT) fetched by tools/fetch_third_party_web.sh: domain -> entity.

Run with ``-s`` to see the agreement rates.
"""

from __future__ import annotations

import csv
import json
import os
import re
from pathlib import Path

import pytest
from conftest import SHARED  # noqa: E402

from scanner.catalog import VendorEntry, load_catalog, normalize_name

OCD_CSV = SHARED / "data" / "open-cookie-database" / "open-cookie-database.csv"
_CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
TPW_DIR = Path(os.environ.get("TPW_DIR", _CACHE / "scanner-test-data" / "third-party-web")) / "package"

# Vendors whose cookies are well documented: the catalog must know most of their OCD entries.
BIG_PLATFORMS = ("Google Analytics", "Google Ads", "Facebook", "Hotjar", "LinkedIn", "Criteo", "YouTube")


@pytest.fixture(scope="module")
def catalog():
    return load_catalog()


def _tokens(name: str | None) -> set[str]:
    if not name:
        return set()
    parts = re.split(r"\s*/\s*|\s*\(\s*|\s*\)\s*", name)
    return {normalize_name(p) for p in [name, *parts] if normalize_name(p)}


def agrees(vendor: VendorEntry, platform: str, controller: str = "") -> bool:
    """Our vendor and the oracle's platform name the same company or product (or, where the
    oracle names a platform by its domain, our vendor owns that domain)."""
    ours = set()
    for n in (*vendor.all_names(), vendor.parent):
        ours |= _tokens(n)
    theirs = _tokens(platform) | _tokens(controller)
    if ours & theirs or {o.replace(" ", "") for o in ours} & {t.replace(" ", "") for t in theirs}:
        return True
    if re.fullmatch(r"[a-z0-9.-]+\.[a-z]{2,}", platform.strip().lower()):
        dom = platform.strip().lower()
        if any(
            d.removeprefix("*.") == dom or dom.endswith("." + d.removeprefix("*.")) for d in vendor.domains
        ):
            return True
    return any(re.search(rf"\b{re.escape(t)}\b", o) for t in theirs for o in ours if len(t) >= 4)


def ocd_rows() -> list[dict[str, str]]:
    if not OCD_CSV.exists():
        pytest.skip(f"Open Cookie Database not found at {OCD_CSV} (test oracle only; set SCANNER_SHARED_DIR)")
    with OCD_CSV.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def _ocd_lookup(catalog, row):
    name = row["Cookie / Data Key name"].strip()
    if row.get("Wildcard match", "").strip() == "1":
        name += "1a2b"
    domain = row.get("Domain", "").split("(")[0].strip().lower()
    if domain and "." in domain and " " not in domain and "/" not in domain:
        return catalog.match_cookie(name, "." + domain.lstrip(".").removeprefix("*."), False)
    return catalog.match_cookie(name, ".example.org", True)


def ocd_agreement(catalog) -> tuple[int, int, int, list[str]]:
    """(rows, attributed, agreeing, disagreements)"""
    rows = ocd_rows()
    attributed = agreeing = 0
    wrong = []
    for row in rows:
        m = _ocd_lookup(catalog, row)
        if m is None:
            continue
        attributed += 1
        if agrees(m.vendor, row["Platform"], row.get("Data Controller", "")):
            agreeing += 1
        else:
            wrong.append(f"{row['Cookie / Data Key name']}: OCD {row['Platform']!r}, ours {m.vendor.name!r}")
    return len(rows), attributed, agreeing, wrong


def test_open_cookie_database_agreement(catalog):
    total, attributed, agreeing, wrong = ocd_agreement(catalog)
    rate = agreeing / attributed
    print(
        f"\nOpen Cookie Database: {total} cookie rows, catalog attributes {attributed} "
        f"({attributed / total:.1%}); vendor agrees on {agreeing} = {rate:.1%}"
    )
    for line in wrong[:60]:
        print("  disagree:", line)
    assert attributed >= 300
    assert rate >= 0.90, wrong[:20]


def test_big_vendors_cookies_are_known(catalog):
    rows = [r for r in ocd_rows() if r["Platform"] in BIG_PLATFORMS]
    known = [
        r for r in rows if (m := _ocd_lookup(catalog, r)) is not None and agrees(m.vendor, r["Platform"])
    ]
    rate = len(known) / len(rows)
    missing = sorted(
        {f"{r['Platform']}: {r['Cookie / Data Key name']}" for r in rows}
        - {f"{r['Platform']}: {r['Cookie / Data Key name']}" for r in known}
    )
    print(f"\nOCD cookies of {', '.join(BIG_PLATFORMS)}: {len(known)}/{len(rows)} = {rate:.1%} known")
    print("  missing:", "; ".join(missing[:40]))
    assert rate >= 0.60, missing


def test_the_open_cookie_database_loads_as_a_user_catalog():
    ocd_rows()  # skips when absent
    mine = load_catalog([OCD_CSV])
    assert "+open-cookie-database.csv@" in mine.version
    assert mine.match_cookie("ELQSTATUS", ".eloqua.com", False).vendor.name == "Oracle"
    assert mine.find_name("Google Analytics")[0].cookies  # merged into the shipped vendor


def test_oracle_agreement_function_can_fail():
    google_ads = VendorEntry(name="Google Ads", parent="Google", aliases=("Adwords",))
    assert agrees(google_ads, "Google Ads")
    assert agrees(google_ads, "Google")  # parent
    assert agrees(VendorEntry(name="Microsoft Advertising", parent="Microsoft"), "Bing / Microsoft")
    assert not agrees(google_ads, "Facebook")
    assert not agrees(VendorEntry(name="Criteo"), "Quantcast", "Quantcast Corp")


def tpw_entities() -> list[dict]:
    path = TPW_DIR / "dist" / "entities.json"
    if not path.exists():
        pytest.skip(f"third-party-web package not found at {TPW_DIR}: run tools/fetch_third_party_web.sh")
    return json.loads(path.read_text("utf-8"))


def test_third_party_web_agreement(catalog):
    checked = agreeing = 0
    wrong = []
    for entity in tpw_entities():
        hosts = [d.removeprefix("*.") for d in entity.get("domains", [])]
        hosts += [e.split("/")[2] if "://" in e else e.split("/")[0] for e in entity.get("examples", [])]
        for host in dict.fromkeys(hosts):
            checked += 1
            m = catalog.match_host(host)
            if m is not None and agrees(m.vendor, entity["name"], entity.get("company", "")):
                agreeing += 1
            else:
                wrong.append(
                    f"{host}: third-party-web {entity['name']!r}, ours {m.vendor.name if m else None!r}"
                )
    rate = agreeing / checked
    print(f"\nthird-party-web: {checked} hosts checked, vendor agrees on {agreeing} = {rate:.2%}")
    for line in wrong[:25]:
        print("  disagree:", line)
    assert rate >= 0.98, wrong[:20]
