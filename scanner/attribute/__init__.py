"""Attribution: the vendor behind every request, cookie and storage key, and why.

Pure functions over a ScanResult and a Catalog. Known vendors come from the catalog (an
endpoint rule, the host's domain, the cookie's name or domain, the storage key or origin, or
the script that set a cookie, or a self-hosted product's file name such as ``/matomo.js``). A cookie
the browser refused is evidence of its setter, never a vendor of its own; a generic cookie name
names a vendor only with that vendor's host or script. Third-party domains that no catalog knows
but that behave like trackers (set third-party cookies, send beacons, carry identifier-like query
parameters) are named by their registrable domain as unknown trackers; other unknown third
parties are listed as plain third-party hosts.
"""

from __future__ import annotations

from scanner.attribute.identifiers import identifier_params, looks_like_identifier
from scanner.attribute.run import attribute, first_party_domains

__all__ = ["attribute", "first_party_domains", "identifier_params", "looks_like_identifier"]
