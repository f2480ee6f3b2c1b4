"""Read a catalog layer from a CSV in the Open Cookie Database's column layout.

Columns: ID, Platform, Category, Cookie / Data Key name, Domain, Description, Retention period,
Data Controller, User Privacy & GDPR Rights Portals, Wildcard match. Each platform becomes a
vendor entry; each row a cookie rule (and a storage-key pattern, since the database mixes both).
Rows without a platform or a name are skipped: they name no vendor.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from scanner.catalog.categories import normalize_category
from scanner.catalog.lifetimes import parse_lifetime
from scanner.errors import BadInput

REQUIRED = ("Platform", "Cookie / Data Key name")


def looks_like_ocd(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    return all(col in first for col in REQUIRED)


def _domain_constraint(domain: str, name: str) -> list[str]:
    """Bind very short (ambiguous) names to the domain the database gives for them."""
    dom = domain.split("(")[0].strip().lower().lstrip(".").removeprefix("*.")
    if len(name) > 3 or not dom or " " in dom or "." not in dom or "/" in dom:
        return []
    return [dom]


def parse_ocd_csv(text: str, where: str) -> list[dict[str, Any]]:
    """Raw vendor entries (the JSON layer shape) from Open Cookie Database CSV text."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = reader.fieldnames or []
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise BadInput(f"{where}: not an Open Cookie Database CSV (missing column(s): {', '.join(missing)})")
    entries: dict[str, dict[str, Any]] = {}
    try:
        for row in reader:
            platform = (row.get("Platform") or "").strip()
            name = (row.get("Cookie / Data Key name") or "").strip()
            if not platform or not name:
                continue  # a cookie without a platform names no vendor (the database has such rows)
            entry = entries.setdefault(platform, {"name": platform, "cookies": [], "storage": []})
            category = normalize_category(row.get("Category"))
            if category and category not in entry.setdefault("categories", []):
                entry["categories"].append(category)
            pattern = name + "*" if (row.get("Wildcard match") or "").strip() == "1" else name
            rule: dict[str, Any] = {"pattern": pattern}
            days = parse_lifetime(row.get("Retention period")).days
            if days is not None:
                rule["lifetime_days"] = days
            bound = _domain_constraint(row.get("Domain") or "", name)
            if bound:
                rule["domains"] = bound
            entry["cookies"].append(rule)
            if pattern not in entry["storage"]:
                entry["storage"].append(pattern)
            controller = (row.get("Data Controller") or "").strip()
            if controller and controller != platform and "parent" not in entry:
                entry["parent"] = controller
            portal = (row.get("User Privacy & GDPR Rights Portals") or "").strip()
            if portal.startswith("http") and "privacy_policy" not in entry:
                entry["privacy_policy"] = portal
    except csv.Error as err:
        raise BadInput(f"{where}:{reader.line_num}: bad CSV ({err})") from None
    return list(entries.values())
