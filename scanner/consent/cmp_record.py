"""What the consent manager itself tells, as saved on a visit's consent record (``cmp_state``), and the
readers the findings need: its declared cookies and vendors, and whether its state reads as rejected.

The driver reads the page's consent manager at the end of a visit (``scanner.consent.cmp_state``) and
captures the IAB Global Vendor List the page downloaded; :func:`state_record` keeps a bounded, JSON-ready
summary of both (the TC string is a consent signal, not an identifier; no consent IDs are kept).
"""

from __future__ import annotations

from typing import Any

from scanner.consent.cmp_state import CmpReading, GvlVendor

MAX_COOKIES = 500
MAX_VENDORS = 2000
NECESSARY_GROUPS = {"c0001", "necessary", "strictly necessary", "essential"}


def state_record(reading: CmpReading, gvl: dict[int, GvlVendor] | None = None) -> dict[str, Any]:
    """The consent manager's state and declaration as kept in a visit's consent record."""
    s = reading.state
    out: dict[str, Any] = {
        "cmp": s.cmp,
        "cmps": list(s.cmps),
        "granted_groups": list(s.granted_groups),
        "denied_groups": list(s.denied_groups),
        "us_privacy": s.us_privacy_raw or (_usp(s.us_privacy) if s.us_privacy else None),
        "gpp_opt_outs": {k: list(v) for k, v in s.gpp.opt_outs().items()} if s.gpp else {},
        "didomi_vendors": [[i, n, iab] for i, n, iab in s.didomi_vendors[:MAX_VENDORS]],
        "declared_cookies": [
            {
                "cmp": c.cmp,
                "name": c.name,
                "host": c.host,
                "group": c.group,
                "group_id": c.group_id,
                "category": c.category,
                "necessary": c.necessary,
                "lifetime_days": c.lifetime_days,
                "session": c.session,
            }
            for c in reading.cookies[:MAX_COOKIES]
        ],
        "errors": [*s.errors, *(f"timeout: {t}" for t in s.timeouts)][:20],
    }
    t = s.tcf
    if t is not None:
        out["tcf"] = {
            "cmp_id": t.cmp_id,
            "event_status": t.event_status,
            "gdpr_applies": t.gdpr_applies,
            "tc_string": t.tc_string,
            "purpose_consents": sorted(t.purpose_consents),
            "vendor_consents": sorted(t.vendor_consents)[:MAX_VENDORS],
            "vendor_legitimate_interests": sorted(t.vendor_legitimate_interests)[:MAX_VENDORS],
            "disclosed_vendors": sorted(t.disclosed_vendors)[:MAX_VENDORS]
            if t.disclosed_vendors is not None
            else None,
        }
        if gvl:
            wanted = (
                set(t.vendor_consents) | set(t.vendor_legitimate_interests) | set(t.disclosed_vendors or ())
            )
            out["gvl"] = {str(i): gvl[i].name for i in sorted(wanted) if i in gvl}
    return out


def _usp(value: Any) -> str | None:
    """The US Privacy string back in its four characters (``1YNN``)."""
    letter = {True: "Y", False: "N", None: "-"}
    try:
        return f"{value.version}{letter[value.notice]}{letter[value.opt_out_sale]}{letter[value.lspa]}"
    except (AttributeError, KeyError):
        return None


def state_rejected(state: dict | None) -> bool | None:
    """Does the consent manager's own state read as "rejected" (only what is necessary granted)?
    True / False when it tells, None when it does not."""
    if not isinstance(state, dict):
        return None
    granted = [str(g).casefold() for g in state.get("granted_groups") or ()]
    denied = [str(g).casefold() for g in state.get("denied_groups") or ()]
    if granted or denied:
        return all(g in NECESSARY_GROUPS for g in granted) and bool(denied)
    tc = state.get("tcf")
    if isinstance(tc, dict) and tc.get("tc_string"):
        return not tc.get("vendor_consents") and set(tc.get("purpose_consents") or ()) <= {1}
    return None


def declared_vendor_names(state: dict | None) -> set[str]:
    """Vendors the consent manager lists by name: the TCF vendors it disclosed (or asks consent for),
    named from the captured Global Vendor List, and Didomi's vendor list."""
    if not isinstance(state, dict):
        return set()
    names = {str(n) for n in (state.get("gvl") or {}).values() if n}
    names |= {str(v[1]) for v in state.get("didomi_vendors") or () if isinstance(v, list) and len(v) > 1}
    return names


def declared_cookies(state: dict | None) -> list[dict]:
    if not isinstance(state, dict):
        return []
    return [c for c in state.get("declared_cookies") or () if isinstance(c, dict) and c.get("name")]
