#!/usr/bin/env python3
"""Rebuild the domain layer of the vendor catalog from the third-party-web npm package (MIT).

    tools/fetch_third_party_web.sh 0.30.0          # prints the package folder
    python tools/build_catalog.py --package-dir ~/.cache/scanner-test-data/third-party-web/package

Writes ``scanner/catalog/data/third_party_web.json``: one entry per third-party-web entity with
its name, company (our ``parent``), category (mapped to the scanner's vocabulary), homepage and
domain patterns. Usage statistics and examples are dropped. Cookie names, aliases, storage keys
and pixel endpoints live in the hand-written ``scanner/catalog/data/curated.json`` layer, which
is merged over this one at load time, so refreshing this file never loses them.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "scanner" / "catalog" / "data" / "third_party_web.json"

# third-party-web category -> scanner category
CATEGORY_MAP = {
    "ad": "advertising",
    "analytics": "analytics",
    "social": "social",
    "video": "video",
    "utility": "utility",
    "hosting": "hosting",
    "cdn": "cdn",
    "content": "content",
    "marketing": "marketing-automation",
    "customer-success": "customer-support",
    "consent-provider": "consent",
    "tag-manager": "tag-manager",
    "other": "other",
}


def convert(entities: list[dict], version: str) -> dict:
    vendors = []
    for entity in entities:
        category = CATEGORY_MAP.get(entity.get("category", "other"), "other")
        domains = sorted({d.strip().lower() for d in entity.get("domains", []) if d.strip()})
        entry = {"name": entity["name"], "categories": [category], "domains": domains}
        if entity.get("company") and entity["company"] != entity["name"]:
            entry["parent"] = entity["company"]
        if entity.get("homepage"):
            entry["homepage"] = entity["homepage"]
        vendors.append(entry)
    vendors.sort(key=lambda v: v["name"].lower())
    return {
        "format": "scanner-catalog/1",
        "source": "third-party-web",
        "version": version,
        "license": "MIT, Copyright (c) 2019 Patrick Hulce (see NOTICE)",
        "vendors": vendors,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--package-dir", type=Path, required=True, help="unpacked npm package folder")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    try:
        entities = json.loads((args.package_dir / "dist" / "entities.json").read_text("utf-8"))
        version = json.loads((args.package_dir / "package.json").read_text("utf-8"))["version"]
    except (OSError, ValueError, KeyError) as err:
        print(f"build_catalog: cannot read third-party-web from {args.package_dir}: {err}", file=sys.stderr)
        return 2
    data = convert(entities, version)
    args.out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"wrote {args.out} ({len(data['vendors'])} vendors, third-party-web {version})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
