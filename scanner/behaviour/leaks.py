"""Values that left the page: typed form data and shared identifiers (``ScanResult.value_leaks``).

- ``form_data_leak``: a ``--probe-forms`` canary (a random value typed into a visible text, e-mail or
  search field, never submitted) found, plain, encoded or hashed, in a request to a **third party**.
  First-party search-as-you-type and validation are what a form is for, so a first-party receiver is
  not reported.
- ``id_sharing``: a cookie or storage value found in a request to a third party whose registrable
  domain differs from the source's (a cookie's domain, a storage origin) and whose vendor is not the
  source's own vendor (Google Analytics receiving its own ``_ga`` is how it works; an ad network
  receiving it is sharing). A first-party identifier (the site's own, or a vendor's first-party
  cookie) handed to a third party is ``high``; one third party's identifier sent to another
  (cookie syncing) is ``medium``. A value sent to the site itself is not sharing with anyone.
"""

from __future__ import annotations

from collections.abc import Iterable

from scanner.behaviour.classify import MAX_EVIDENCE, MAX_PAGES
from scanner.domains import cookie_registrable_domain, host_of, registrable_domain
from scanner.model import Detection, ValueLeak


def source_registrable_domain(leak: ValueLeak) -> str:
    """Registrable domain of where a value came from: the cookie's domain or the storage origin."""
    where = (leak.source_domain or "").strip().lower()
    if not where:
        return ""
    if "://" in where:
        return registrable_domain(host_of(where))
    return cookie_registrable_domain(where)


def _observation(leak: ValueLeak) -> dict:
    return {
        "technique": "form_canary" if leak.kind == "form_data" else f"{leak.source}_value",
        "source": leak.source,
        "name": leak.name[:200],
        "source_domain": leak.source_domain,
        "source_first_party": leak.source_first_party,
        "source_vendor": leak.source_vendor,
        "url": leak.url[:500],
        "host": leak.host,
        "page_url": leak.page_url,
        "location": leak.location,
        "encoding": leak.encoding,
        "param": leak.param,
        "method": leak.method,
    }


def shared(leak: ValueLeak) -> bool:
    """An identifier that went to another party (see the module docstring)."""
    if leak.kind != "identifier" or not leak.third_party:
        return False
    source = source_registrable_domain(leak)
    if source and source == leak.registrable_domain:
        return False
    return not (leak.source_vendor and leak.vendor and leak.source_vendor == leak.vendor)


def leak_detections(leaks: Iterable[ValueLeak]) -> list[Detection]:
    """One detection per (kind, receiving vendor or domain, source first party or not)."""
    groups: dict[tuple[str, str, bool], list[ValueLeak]] = {}
    for leak in leaks:
        if leak.kind == "form_data" and leak.third_party:
            kind = "form_data_leak"
        elif shared(leak):
            kind = "id_sharing"
        else:
            continue
        receiver = leak.vendor or leak.registrable_domain or leak.host
        groups.setdefault((kind, receiver, leak.source_first_party), []).append(leak)
    out = []
    for (kind, receiver, first_party), group in groups.items():
        first = group[0]
        if kind == "form_data_leak":
            technique = "form_canary"
            criterion = "a value typed into a form field (not submitted) sent to a third party"
        else:
            technique = "cookie_value" if first.source == "cookie" else "storage_value"
            criterion = (
                "a first-party identifier sent to a third party"
                if first_party
                else "a third party's identifier sent to another third party (cookie syncing)"
            )
        pages = dict.fromkeys(leak.page_url for leak in group)
        out.append(
            Detection(
                kind=kind,
                technique=technique,
                criterion=criterion,
                script=None,
                vendor=first.vendor,
                category=None,
                pages=tuple(list(pages)[:MAX_PAGES]),
                evidence=tuple(_observation(leak) for leak in group[:MAX_EVIDENCE]),
                observations=len(group),
                subject=None if first.vendor else receiver,
            )
        )
    return out
