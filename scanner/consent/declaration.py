"""``--declared-from cmp``: the declaration is what the site's consent banner lists.

A visitor consents to what the banner names: the TCF vendors it disclosed (named from the Global Vendor
List it downloaded), Didomi's vendors, and the cookies OneTrust's or Cookiebot's cookie lists give per
host and group. Each becomes a declared row (``scanner.model.Declared``) with its source
``cmp: <consent manager>``, compared with what fired like a ``vendors.csv``.
"""

from __future__ import annotations

from scanner.domains import registrable_domain
from scanner.model import Declared, ScanResult


def cmp_declared(result: ScanResult, catalog=None) -> tuple[list[Declared] | None, str | None]:
    """Declared rows from the consent manager's lists read during the scan; (None, None) when the
    banner listed nothing (then nothing is compared, as without a vendors.csv). A cookie on the site's
    own domain whose name names no vendor (the site's session or consent cookie) is left out."""
    from scanner.catalog import load_catalog
    from scanner.consent.findings import cmp_declaration, cookie_vendor

    catalog = catalog or load_catalog([])
    names, cookies, cmp = cmp_declaration(result)
    source = f"cmp: {cmp or 'consent manager'}"
    rows = [
        Declared(
            name=name, purpose=f"listed by the consent banner ({cmp or 'consent manager'})", source=source
        )
        for name in sorted(names)
    ]
    site = {registrable_domain(u.split("/")[2]) for u in result.meta.start_urls if "//" in u}
    by_host: dict[str, list[dict]] = {}
    for c in cookies:
        host = str(c.get("host") or "").lstrip(".").lower()
        if not host or "." not in host or registrable_domain(host) in site:
            if not cookie_vendor(str(c["name"]), catalog):
                continue
            # A cookie on the site's own domain (_ga, _fbp: set there by a vendor's script): declared by
            # its name, which names its vendor.
            rows.append(
                Declared(
                    name=f"cookie {c['name']}",
                    purpose=str(c.get("group") or c.get("category") or "listed by the consent banner"),
                    category=str(c["category"]) if c.get("category") else None,
                    cookies=(str(c["name"]),),
                    source=f"{source}, cookie {c['name']}",
                )
            )
            continue
        by_host.setdefault(registrable_domain(host) or host, []).append(c)
    for domain, group in sorted(by_host.items()):
        purposes = sorted({str(c.get("group") or c.get("category") or "") for c in group} - {""})
        categories = sorted({str(c["category"]) for c in group if c.get("category")})
        rows.append(
            Declared(
                name=domain,
                purpose=", ".join(purposes) or "listed by the consent banner",
                category=categories[0] if len(categories) == 1 else None,
                domains=(domain,),
                cookies=tuple(sorted({str(c["name"]) for c in group})),
                source=f"{source}, cookies of {domain}",
            )
        )
    return (rows or None), (source if rows else None)
