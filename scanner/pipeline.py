"""The stages after the crawl, shared by `scan`, `demo` and `report`: attribute -> behaviour detections ->
compare -> consent -> behaviour report -> waivers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from scanner.model import Declared, ScanResult

if TYPE_CHECKING:
    from scanner.waivers import WaiverRule


def load_declaration(
    vendors: str | None, policy: str | None, *, fetch_html=None
) -> tuple[list[Declared] | None, str | None]:
    """Declared vendors from a vendors.csv or an imported policy (None when neither was given)."""
    if vendors:
        from scanner.declared import load_declared_csv

        return list(load_declared_csv(Path(vendors))), str(vendors)
    if policy:
        from scanner.policy import import_policy

        imported = import_policy(policy, fetch_html=fetch_html)
        origin = f"policy: {policy}"
        rows = [
            replace(row, source=f"{origin}, {row.source}" if row.source else origin) for row in imported.rows
        ]
        return rows, origin
    return None, None


def analyse(
    result: ScanResult,
    *,
    declared: Sequence[Declared] | None,
    declared_source: str | None = None,
    catalog_files: Sequence[Path] = (),
    waivers: Sequence[WaiverRule] | None = None,
) -> ScanResult:
    """Attribute every request, cookie, storage key, API call and value leak to a vendor; detect what
    scripts did (the behaviour classifier), so that the comparison with the declaration can hold a
    vendor's behaviour against its declared purpose; then the consent and behaviour reports; last the
    ``waivers`` (scanner.waivers) mark the findings they accept."""
    from scanner.attribute import attribute
    from scanner.behaviour import behaviour_report, detect
    from scanner.catalog import load_catalog
    from scanner.compare import compare

    catalog = load_catalog(list(catalog_files))
    result = replace(
        result,
        meta=replace(result.meta, catalog_version=catalog.version, declared_source=declared_source),
    )
    result = attribute(result, catalog)
    detections = detect(result, catalog)
    result = compare(result, declared, catalog, detections=detections)
    from scanner.consent.findings import consent_report

    result = replace(result, consent=consent_report(result, catalog))
    result = replace(result, behaviour=behaviour_report(result, catalog, detections=detections))
    from scanner.timeline import with_timeline

    result = with_timeline(result)  # record times after their page's navigation, first seen per vendor
    if waivers is not None:
        from scanner.waivers import apply_waivers

        result = apply_waivers(result, waivers)
    return result
