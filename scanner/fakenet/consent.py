"""The consent world: small first-party sites with a consent manager each, and trackers that behave
well or badly around the visitor's choice.

=============================  =====================  ===============================================
site                           consent manager        autoconsent 16.23.0 reports
=============================  =====================  ===============================================
https://www.ot-daily.com/      OneTrust (honours GPC) ``Onetrust`` (class rule, self-test)
https://www.cb-boutique.com/   Cookiebot              ``Cybotcookiebot`` (class rule, self-test)
https://www.tcf-magazine.com/  Quantcast Choice, TCF  ``quantcast`` (JSON rule, no self-test)
https://www.didomi-voyages.com Didomi                 ``didomi`` (JSON rule, self-test)
https://www.plain-bakery.com/  none                   nothing
=============================  =====================  ===============================================

Every site has the same six linked pages (``PAGE_PATHS``). The consent managers are imitated in
``consent_cmps``; the trackers reuse the demo world's tag imitations (``demo_tags``) plus a gtag-like
Google Analytics tag that sends Google Consent Mode ``gcs``/``gcd`` values and a TikTok pixel.

Each site's own inline "tag manager" script loads the trackers as a site's tag manager does, reading
the consent manager's own API (OneTrust ``OptanonWrapper``/``OneTrustGroupsUpdated``, Cookiebot
``CookiebotOnLoad``/``CookiebotOnAccept``/``CookiebotOnDecline``, TCF ``__tcfapi('addEventListener')``,
Didomi ``didomiOnReady``/``consent.changed``), with one behaviour per tracker (``Behaviour``).

The ground truth is data: ``CONSENT_TRUTH`` (site -> ``SiteTruth``, whose ``vendors`` map a catalog
vendor name -> ``VendorTruth``) is derived from the same placements that build the pages. Passes:
``none`` (fresh profile, no choice), ``accept`` / ``reject`` (fresh profile, the choice made on the
start page; the column says what is seen AFTER the choice, on that page and the next ones; before the
choice it is the ``none`` column), ``gpc`` (fresh profile, ``Sec-GPC: 1`` and
``navigator.globalPrivacyControl === true``, no choice).

Scripts of this world are served with ``Cache-Control: no-cache`` so every page view reaches the
server log (``net.log``), which the tests read.
"""

from __future__ import annotations

import html
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from scanner.fakenet import consent_cmps as cmps
from scanner.fakenet.demo_tags import BING, CRITEO, FACEBOOK, LINKEDIN
from scanner.fakenet.site import Handler, RequestInfo, Response, Site
from scanner.fakenet.tracking import (
    DAY,
    CookieSpec,
    Endpoint,
    Hit,
    Tag,
    endpoint_response,
    tag_response,
)

Pass = Literal["none", "accept", "reject", "gpc"]
PASSES: tuple[Pass, ...] = ("none", "accept", "reject", "gpc")

# always: loads on every page, whatever the choice (bad before consent and despite a rejection).
# until_refused: loads before any choice and after accept; not once a refusal is stored ("implied
#   consent": bad before consent).
# gated: loads only once the purpose is granted (good).
# any_choice: loads once the visitor made a choice, whichever (a trigger on the CMP's "choice made"
#   event that never reads the choice: bad despite a rejection).
Behaviour = Literal["always", "until_refused", "gated", "any_choice"]
Purpose = Literal["statistics", "marketing"]

PAGE_PATHS: tuple[tuple[str, str], ...] = (
    ("/", "Home"),
    ("/news", "News"),
    ("/sport", "Sport"),
    ("/culture", "Culture"),
    ("/travel", "Travel"),
    ("/about", "About us"),
)

GPC_JSON = {"gpc": True, "lastUpdate": "2025-01-15"}

# -- trackers --------------------------------------------------------------------------------------

# A gtag.js-like Google Analytics 4 tag (consent_js/gtag.js): reads the Consent Mode commands in
# window.dataLayer (gtag('consent', 'default' | 'update', {...})) and sends one page_view hit per page
# with gcs/gcd; sets _ga cookies only when analytics_storage is granted (or without Consent Mode).
GA_COLLECT = Endpoint("https://region1.google-analytics.com/g/collect", "no_content")


def _gtag(measurement_id: str) -> Tag:
    return Tag(
        key=f"gtag_{measurement_id}",
        vendor="Google Analytics",
        url=f"https://www.googletagmanager.com/gtag/js?id={measurement_id}",
        body=cmps.js("gtag.js"),
        endpoints=(GA_COLLECT,),
        note="gtag-like: Consent Mode gcs/gcd on /g/collect",
    )


TIKTOK = Tag(
    key="tiktok_pixel",
    vendor="TikTok",
    url="https://analytics.tiktok.com/i18n/pixel/events.js?sdkid=CDEMO12345&lib=ttq",
    js_cookies=(CookieSpec("_ttp", 390 * DAY, "js", ".{site}", "{hex:27}"),),
    hits=(
        Hit(
            "beacon",
            "https://analytics.tiktok.com/api/v2/pixel",
            '{"event":"Pageview","pixel_code":"CDEMO12345","context":{"page":{"url":"{page}"}},"ttp":"{cookie:_ttp}"}',
        ),
    ),
    endpoints=(
        Endpoint("https://analytics.tiktok.com/api/v2/pixel", "json", body='{"code":0,"message":"OK"}'),
    ),
)

# Catalog vendor name of every host a tracker or consent manager of this world uses (a test checks
# these against the catalog).
VENDOR_OF_HOST: dict[str, str] = {
    "www.googletagmanager.com": "Google Tag Manager",
    "region1.google-analytics.com": "Google Analytics",
    "connect.facebook.net": "Facebook",
    "www.facebook.com": "Facebook",
    "static.criteo.net": "Criteo",
    "gum.criteo.com": "Criteo",
    "dis.criteo.com": "Criteo",
    "bat.bing.com": "Microsoft Advertising",
    "snap.licdn.com": "LinkedIn",
    "px.ads.linkedin.com": "LinkedIn",
    "analytics.tiktok.com": "TikTok",
    "cdn.cookielaw.org": "OneTrust",
    "consent.cookiebot.com": "Cookiebot",
    "quantcast.mgr.consensu.org": "Quantcast Choice",
    "sdk.privacy-center.org": "Didomi",
}

# Catalog categories that make a vendor a tracker (scanner.catalog.categories.TRACKING) and the
# ones that make GPC apply (advertising/social: "sale or sharing").
VENDOR_KIND: dict[str, Literal["analytics", "advertising", "tag-manager", "consent"]] = {
    "Google Analytics": "analytics",
    "Google Tag Manager": "tag-manager",
    "Facebook": "advertising",
    "Criteo": "advertising",
    "Microsoft Advertising": "advertising",
    "LinkedIn": "advertising",
    "TikTok": "advertising",
    "OneTrust": "consent",
    "Cookiebot": "consent",
    "Quantcast Choice": "consent",
    "Didomi": "consent",
}


@dataclass(frozen=True)
class Placement:
    """One tracker on one site and how the site's tag manager treats it."""

    tag: Tag
    behaviour: Behaviour
    purpose: Purpose
    # How it honours GPC: "header" (the server leaves it out of the page when the request carries
    # Sec-GPC: 1), "navigator" (the page skips it when navigator.globalPrivacyControl is true), or ""
    # (ignores GPC).
    gpc: Literal["header", "navigator", ""] = ""
    # What the consent manager declares it as (OneTrust group, Cookiebot table, TCF/Didomi vendor
    # list); None: the CMP never lists it.
    declared_as: Literal["necessary", "statistics", "marketing"] | None = None
    vendor_id: int | str | None = None  # IAB GVL id (TCF) or Didomi vendor id: gated on that vendor too


@dataclass(frozen=True)
class ConsentSite:
    host: str
    title: str
    cmp: Literal["onetrust", "cookiebot", "tcf", "didomi", ""]
    autoconsent_name: str | None  # the name autoconsent 16.23.0 reports
    self_test: bool  # the autoconsent rule has a self-test (run after opt-out)
    placements: tuple[Placement, ...]
    # Google Consent Mode default the site declares before the CMP (None: no Consent Mode).
    consent_mode_default: Literal["denied", "granted"] | None = None
    gpc_json: bool = False  # serves /.well-known/gpc.json

    @property
    def start(self) -> str:
        return f"https://{self.host}/"

    @property
    def pages(self) -> tuple[str, ...]:
        return tuple(f"https://{self.host}{path}" for path, _ in PAGE_PATHS)


ONETRUST_ID = "0190c1d2-7e3f-7a4b-9c5d-6e7f8a9b0c1d"
COOKIEBOT_ID = "5a3e2f10-8c4d-4b6a-9e1f-2d3c4b5a6978"
QUANTCAST_PCODE = "p-DEMO1234"
DIDOMI_KEY = "7dd8ec4e-746c-455e-a610-99121b4148df"

OT = ConsentSite(
    "www.ot-daily.com",
    "OT Daily",
    "onetrust",
    "Onetrust",
    True,
    (
        Placement(_gtag("G-OTDAILY1"), "gated", "statistics", declared_as="statistics"),
        Placement(FACEBOOK, "gated", "marketing", declared_as="marketing"),
        Placement(CRITEO, "until_refused", "marketing", gpc="header", declared_as="marketing"),
        Placement(TIKTOK, "always", "marketing"),
        Placement(LINKEDIN, "any_choice", "marketing", declared_as="marketing"),
    ),
    consent_mode_default="denied",
    gpc_json=True,
)

CB = ConsentSite(
    "www.cb-boutique.com",
    "CB Boutique",
    "cookiebot",
    "Cybotcookiebot",
    True,
    (
        Placement(_gtag("G-CBSHOP01"), "gated", "statistics", declared_as="statistics"),
        Placement(BING, "gated", "marketing", declared_as="marketing"),
        Placement(FACEBOOK, "until_refused", "marketing", declared_as="marketing"),
        # declared as necessary: an advertising cookie hidden in the "necessary" table
        Placement(CRITEO, "any_choice", "marketing", declared_as="necessary"),
    ),
    consent_mode_default="denied",
)

TCF = ConsentSite(
    "www.tcf-magazine.com",
    "TCF Magazine",
    "tcf",
    "quantcast",
    False,
    (
        # Consent Mode default "granted": the hits claim consent before any choice (gcs=G111).
        Placement(_gtag("G-TCFMAG01"), "always", "statistics", declared_as="statistics", vendor_id=755),
        Placement(CRITEO, "gated", "marketing", declared_as="marketing", vendor_id=91),
        Placement(BING, "any_choice", "marketing", declared_as="marketing", vendor_id=1126),
        Placement(LINKEDIN, "always", "marketing"),  # not in the CMP's vendor list
    ),
    consent_mode_default="granted",
)

DIDOMI = ConsentSite(
    "www.didomi-voyages.com",
    "Didomi Voyages",
    "didomi",
    "didomi",
    True,
    (
        Placement(_gtag("G-DIDOMI01"), "gated", "statistics", declared_as="statistics", vendor_id="google"),
        Placement(FACEBOOK, "gated", "marketing", declared_as="marketing", vendor_id="c:facebook"),
        Placement(TIKTOK, "until_refused", "marketing", gpc="navigator", declared_as="marketing"),
    ),
    consent_mode_default="denied",
)

PLAIN = ConsentSite(
    "www.plain-bakery.com",
    "Plain Bakery",
    "",
    None,
    False,
    (
        Placement(_gtag("G-BAKERY01"), "always", "statistics"),
        Placement(FACEBOOK, "always", "marketing"),
    ),
)

SITES: tuple[ConsentSite, ...] = (OT, CB, TCF, DIDOMI, PLAIN)

CMP_HOST = {
    "onetrust": "cdn.cookielaw.org",
    "cookiebot": "consent.cookiebot.com",
    "tcf": "quantcast.mgr.consensu.org",
    "didomi": "sdk.privacy-center.org",
}

# -- ground truth ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class VendorTruth:
    """Where a vendor must be seen (``passes``) and which of those sightings are violations (``bad``:
    ``none`` -> before_consent, ``reject`` -> despite_reject, ``gpc`` -> gpc_ignored)."""

    passes: frozenset[Pass]
    bad: frozenset[Pass]
    hosts: tuple[str, ...]  # the hosts its requests go to
    kind: str  # analytics | advertising | tag-manager | consent
    behaviour: str  # a Behaviour, or "cmp" / "loader"
    gpc: str = ""  # how it honours GPC: header | navigator | "" (ignores it or does not apply)
    declared_by_cmp: str | None = None  # the category the CMP declares it under; None: not listed
    # Google Consent Mode values on its /g/collect hits, per pass: (gcs, gcd); absent: no values.
    consent_mode: Mapping[Pass, tuple[str, str]] = field(default_factory=dict)

    @property
    def findings(self) -> frozenset[str]:
        """The finding kinds this vendor must get on its site."""
        out = {
            {"none": "before_consent", "reject": "despite_reject", "gpc": "gpc_ignored"}[p]
            for p in self.bad
            if p in ("none", "reject", "gpc")
        }
        if self.kind in ("analytics", "advertising"):
            if self.passes & {"accept"} and not self.passes & {"none", "reject", "gpc"}:
                out.add("consent_gated")
            if self.kind == "advertising" and "none" in self.passes and "gpc" not in self.passes:
                out.add("gpc_honoured")
        return frozenset(out)


@dataclass(frozen=True)
class SiteTruth:
    host: str
    start: str
    pages: tuple[str, ...]
    cmp: str | None  # the name autoconsent reports; None: no consent manager
    self_test: bool
    gpc_json: bool
    vendors: Mapping[str, VendorTruth]
    # Google hits that claim "granted" (gcs=G1x1 or G11x, or gcd letters t/n/v) before any choice.
    claims_granted_before_choice: bool


def _seen(behaviour: str, gpc: str, has_cmp: bool) -> frozenset[Pass]:
    by_behaviour: dict[str, set[Pass]] = {
        "always": {"none", "accept", "reject", "gpc"},
        "until_refused": {"none", "accept", "gpc"},
        "gated": {"accept"},
        "any_choice": {"accept", "reject"},
    }
    seen = set(by_behaviour[behaviour])
    if gpc:
        seen.discard("gpc")
    if not has_cmp:
        seen -= {"accept", "reject"}  # no banner: no accept or reject pass
    return frozenset(seen)


def _bad(passes: frozenset[Pass], kind: str) -> frozenset[Pass]:
    if kind not in ("analytics", "advertising"):
        return frozenset()
    bad: set[Pass] = {p for p in passes if p in ("none", "reject")}
    if kind == "advertising" and "gpc" in passes:
        bad.add("gpc")
    return frozenset(bad)


def _consent_mode(site: ConsentSite, passes: frozenset[Pass]) -> dict[Pass, tuple[str, str]]:
    """gcs/gcd the gtag imitation sends in each pass, from the site's default and the CMP's update."""
    if site.consent_mode_default is None:
        return {}
    default = site.consent_mode_default
    out: dict[Pass, tuple[str, str]] = {}
    for p in passes:
        update = {"accept": "granted", "reject": "denied"}.get(p)
        state = update or default
        bit = "1" if state == "granted" else "0"
        letter = {
            ("granted", None): "t",
            ("denied", None): "p",
            ("granted", "granted"): "v",
            ("granted", "denied"): "u",
            ("denied", "granted"): "r",
            ("denied", "denied"): "q",
        }[(default, update)]
        out[p] = (f"G1{bit}{bit}", "11" + "1".join(letter * 4) + "5")
    return out


def _vendor_hosts(tag: Tag) -> tuple[str, ...]:
    hosts = [tag.host, *(e.host for e in tag.endpoints)]
    for e in tag.endpoints:
        if e.location:
            hosts.append(e.location.split("/")[2])
    return tuple(dict.fromkeys(hosts))


def _site_truth(site: ConsentSite) -> SiteTruth:
    vendors: dict[str, VendorTruth] = {}
    has_cmp = bool(site.cmp)
    for placement in site.placements:
        passes = _seen(placement.behaviour, placement.gpc, has_cmp)
        by_vendor: dict[str, list[str]] = {}
        for host in _vendor_hosts(placement.tag):
            by_vendor.setdefault(VENDOR_OF_HOST[host], []).append(host)
        for vendor, hosts in by_vendor.items():
            kind = VENDOR_KIND[vendor]
            is_ga = vendor == "Google Analytics"
            vendors[vendor] = VendorTruth(
                passes=passes,
                bad=_bad(passes, kind),
                hosts=tuple(hosts),
                kind=kind,
                behaviour="loader" if kind == "tag-manager" else placement.behaviour,
                gpc=placement.gpc,
                declared_by_cmp=placement.declared_as if kind != "tag-manager" else None,
                consent_mode=_consent_mode(site, passes) if is_ga else {},
            )
    if has_cmp:
        host = CMP_HOST[site.cmp]
        name = VENDOR_OF_HOST[host]
        vendors[name] = VendorTruth(frozenset(PASSES), frozenset(), (host,), "consent", "cmp")
    return SiteTruth(
        host=site.host,
        start=site.start,
        pages=site.pages,
        cmp=site.autoconsent_name,
        self_test=site.self_test,
        gpc_json=site.gpc_json,
        vendors=vendors,
        claims_granted_before_choice=site.consent_mode_default == "granted",
    )


CONSENT_TRUTH: dict[str, SiteTruth] = {site.host: _site_truth(site) for site in SITES}

# -- the pages -------------------------------------------------------------------------------------


def _js(value: object) -> str:
    return json.dumps(value).replace("</", "<\\/")


def _consent_mode_js(default: str) -> str:
    return (
        "window.dataLayer = window.dataLayer || [];\n"
        "function gtag() { dataLayer.push(arguments); }\n"
        f"gtag('consent', 'default', {{ ad_storage: '{default}', analytics_storage: '{default}', "
        f"ad_user_data: '{default}', ad_personalization: '{default}', wait_for_update: 500 }});\n"
        "gtag('js', new Date());\n"
    )


def _cmp_head(site: ConsentSite) -> str:
    if site.cmp == "onetrust":
        return (
            '<script src="https://cdn.cookielaw.org/scripttemplates/otSDKStub.js" type="text/javascript" '
            f'charset="UTF-8" data-domain-script="{ONETRUST_ID}"></script>'
        )
    if site.cmp == "cookiebot":
        return (
            '<script id="Cookiebot" src="https://consent.cookiebot.com/uc.js" '
            f'data-cbid="{COOKIEBOT_ID}" type="text/javascript"></script>'
        )
    if site.cmp == "tcf":
        return (
            f"<script>\n{cmps.js('tcf_stub.js')}</script>\n"
            f'<script async src="https://quantcast.mgr.consensu.org/choice/{QUANTCAST_PCODE}/{site.host}'
            '/choice.js?tag_version=V3"></script>'
        )
    if site.cmp == "didomi":
        config = {"app": {"name": site.title}, "notice": {"position": "bottom"}}
        return (
            f"<script>window.didomiConfig = {_js(config)};</script>\n"
            f'<script async src="https://sdk.privacy-center.org/{DIDOMI_KEY}/loader.js?target={site.host}">'
            "</script>"
        )
    return ""


def consent_head(site: ConsentSite, gpc_header: bool = False) -> str:
    """The head of a page of ``site``: its Consent Mode defaults, its tag manager (which loads each
    placement when its behaviour says so) and its consent manager."""
    placements = [
        {
            "url": p.tag.url,
            "behaviour": p.behaviour,
            "purpose": p.purpose,
            "gpc": p.gpc,
            "vendor": p.vendor_id,
        }
        for p in site.placements
        if not (p.gpc == "header" and gpc_header)
    ]
    adapter = cmps.js(f"adapter_{site.cmp or 'none'}.js")
    manager = (
        cmps.js("tag_manager.js").replace("__PLACEMENTS__", _js(placements)).replace("__ADAPTER__", adapter)
    )
    head = []
    if site.consent_mode_default:
        head.append(f"<script>\n{_consent_mode_js(site.consent_mode_default)}</script>")
    if site.cmp == "tcf":
        head.append(_cmp_head(site))  # the stub must exist before the tag manager calls __tcfapi
        head.append(f"<script>\n{manager}</script>")
    else:
        head.append(f"<script>\n{manager}</script>")  # listeners first, then the CMP
        head.append(_cmp_head(site))
    return "\n".join(head)


def render_page(site: ConsentSite, path: str, title: str, gpc_header: bool) -> str:
    head = [consent_head(site, gpc_header)]
    links = "\n".join(
        f'<li><a href="{href}">{html.escape(text)}</a></li>' for href, text in PAGE_PATHS if href != path
    )
    page_title = f"{title} - {site.title}" if path != "/" else site.title
    return (
        "<!doctype html>\n<html lang=en><head><meta charset=utf-8>\n"
        f"<title>{html.escape(page_title)}</title>\n" + "\n".join(head) + "\n</head><body>\n"
        f"<h1>{html.escape(page_title)}</h1>\n<nav><ul>\n{links}\n</ul></nav>\n"
        f"<main><p>{html.escape(title)} from {html.escape(site.title)}.</p></main>\n</body></html>\n"
    )


def _page_handler(site: ConsentSite, path: str, title: str) -> Handler:
    def handle(request: RequestInfo) -> Response:
        gpc = request.headers.get("sec-gpc", "").strip() == "1"
        return Response.html(render_page(site, path, title, gpc))

    return handle


# -- consent-manager data --------------------------------------------------------------------------


def _days(max_age: int | None) -> str:
    return "0" if max_age is None else str(max_age // DAY)


def _declared_cookies(placement: Placement, site_domain: str) -> list[tuple[CookieSpec, str]]:
    """(cookie, host it is set on) of a tag, as a CMP's cookie scan lists them."""
    tag = placement.tag
    if tag.key.startswith("gtag_"):
        cookies = [
            (CookieSpec("_ga", 2 * 365 * DAY, "js"), site_domain),
            (CookieSpec(f"_ga_{tag.url.rsplit('-', 1)[1]}", 2 * 365 * DAY, "js"), site_domain),
        ]
        return cookies
    out = [(c, site_domain) for c in tag.js_cookies]
    for endpoint in tag.endpoints:
        out += [(c, c.domain.lstrip(".")) for c in endpoint.cookies]
    return out


def _registrable(host: str) -> str:
    return ".".join(host.split(".")[-2:])


def onetrust_domain_data(site: ConsentSite) -> dict:
    """What OneTrust.GetDomainData() returns: groups with their first-party cookies and hosts."""
    domain = _registrable(site.host)
    groups = []
    for group_id, name, category in cmps.ONETRUST_GROUPS:
        first_party: list[dict] = []
        hosts: dict[str, dict] = {}
        if category == "necessary":
            for cookie in ("OptanonConsent", "OptanonAlertBoxClosed"):
                first_party.append(
                    {
                        "Name": cookie,
                        "Host": domain,
                        "IsSession": False,
                        "Length": "365",
                        "description": "Stores the visitor's cookie choices.",
                    }
                )
        for placement in site.placements:
            if placement.declared_as != category:
                continue
            for cookie, host in _declared_cookies(placement, domain):
                row = {
                    "Name": cookie.name,
                    "Host": host,
                    "IsSession": cookie.max_age is None,
                    "Length": _days(cookie.max_age),
                    "description": f"Set by {placement.tag.vendor}.",
                }
                if host == domain:
                    first_party.append(row)
                else:
                    entry = hosts.setdefault(
                        host,
                        {
                            "HostName": host,
                            "DisplayName": placement.tag.vendor,
                            "HostId": f"H{len(hosts) + 1}",
                            "Description": "",
                            "Cookies": [],
                        },
                    )
                    entry["Cookies"].append(row)
        groups.append(
            {
                "CustomGroupId": group_id,
                "OptanonGroupId": group_id[-1],
                "GroupName": name,
                "Status": "always active" if category == "necessary" else "inactive",
                "GroupDescription": f"{name} used on {site.title}.",
                "FirstPartyCookies": first_party,
                "Hosts": list(hosts.values()),
                "Parent": "",
                "ShowInPopup": True,
            }
        )
    return {
        "cctId": ONETRUST_ID,
        "Language": {"Culture": "en"},
        "IsGPPEnabled": False,
        "IsGPCEnabled": True,
        "BannerText": {
            "title": "We value your privacy",
            "notice": "We and our partners use cookies to measure and personalise. Choose below.",
            "accept": "Accept All Cookies",
            "reject": "Reject All",
            "settings": "Cookie Settings",
            "save": "Confirm My Choices",
            "pcTitle": "Privacy Preference Center",
        },
        "Groups": groups,
    }


COOKIEBOT_TABLES = {
    "necessary": "cookieTableNecessary",
    "preferences": "cookieTablePreference",
    "statistics": "cookieTableStatistics",
    "marketing": "cookieTableAdvertising",
}


def cookiebot_tables(site: ConsentSite) -> dict[str, list[list[str]]]:
    """CookieConsentDialog.cookieTable*: rows [name, provider, purpose, expiry, type]."""
    domain = _registrable(site.host)
    tables: dict[str, list[list[str]]] = {
        key: [] for key in (*COOKIEBOT_TABLES.values(), "cookieTableUnclassified")
    }
    tables["cookieTableNecessary"].append(
        ["CookieConsent", "Cookiebot", "Stores the user's cookie consent state.", "1 year", "HTTP"]
    )
    for placement in site.placements:
        if placement.declared_as is None:
            continue
        for cookie, host in _declared_cookies(placement, domain):
            expiry = "Session" if cookie.max_age is None else f"{cookie.max_age // DAY} days"
            row = [cookie.name, host, f"Used by {placement.tag.vendor}.", expiry, "HTTP"]
            tables[COOKIEBOT_TABLES[placement.declared_as]].append(row)
    return tables


TCF_PURPOSES = set(range(1, 12))


def gvl(site: ConsentSite) -> dict:
    """A small Global Vendor List (v3 shape) with the site's TCF vendors."""
    vendors = {}
    names = {
        91: "Criteo SA",
        755: "Google Advertising Products",
        1126: "Microsoft Advertising",
        11: "Quantcast",
    }
    lifetimes = {91: 34214400, 755: 33696000, 1126: 33696000, 11: 33696000}
    for vendor_id in sorted(tcf_vendor_ids(site)):
        vendors[str(vendor_id)] = {
            "id": vendor_id,
            "name": names[vendor_id],
            "purposes": [1, 2, 3, 4, 7, 9, 10],
            "legIntPurposes": [],
            "flexiblePurposes": [2, 7, 9, 10],
            "specialPurposes": [1, 2],
            "features": [1, 2],
            "specialFeatures": [],
            "cookieMaxAgeSeconds": lifetimes[vendor_id],
            "usesCookies": True,
            "cookieRefresh": True,
            "usesNonCookieAccess": False,
            "deviceStorageDisclosureUrl": f"https://vendors.example-gvl.org/{vendor_id}/storage.json",
            "urls": [{"langId": "en", "privacy": f"https://vendors.example-gvl.org/{vendor_id}/privacy"}],
        }
    return {
        "gvlSpecificationVersion": 3,
        "vendorListVersion": cmps.GVL_VERSION,
        "tcfPolicyVersion": cmps.TCF_POLICY_VERSION,
        "lastUpdated": "2026-01-08T16:00:00Z",
        "purposes": {str(i): {"id": i, "name": f"Purpose {i}"} for i in sorted(TCF_PURPOSES)},
        "specialPurposes": {},
        "features": {},
        "specialFeatures": {},
        "vendors": vendors,
    }


def tcf_vendor_ids(site: ConsentSite) -> set[int]:
    ids = {p.vendor_id for p in site.placements if isinstance(p.vendor_id, int)}
    return {*ids, 11, 755}


# Fixed so the strings are the same on every run (created 2026-01-08 16:00:00 UTC, in deciseconds).
TC_CREATED_DS = 17678880000


def tc_strings(site: ConsentSite) -> dict[str, str]:
    """The TC strings the TCF CMP stores after "agree" (``all``) and "disagree" (``none``)."""
    vendors = tcf_vendor_ids(site)
    common = {
        "created_ds": TC_CREATED_DS,
        "cmp_id": cmps.QUANTCAST_CMP_ID,
        "cmp_version": cmps.QUANTCAST_CMP_VERSION,
        "vendor_list_version": cmps.GVL_VERSION,
        "disclosed": vendors,
    }
    return {
        "all": cmps.encode_tc_string(purposes=TCF_PURPOSES, vendors=vendors, **common),
        "none": cmps.encode_tc_string(purposes=set(), vendors=set(), **common),
    }


def didomi_config(site: ConsentSite) -> dict:
    vendors = [{"id": "c:didomi", "name": "Didomi", "purposeIds": ["cookies"]}]
    names = {"google": "Google Advertising Products", "c:facebook": "Facebook", "c:tiktok": "TikTok"}
    for placement in site.placements:
        if placement.declared_as is None:
            continue
        vendor_id = placement.vendor_id or f"c:{placement.tag.vendor.lower().split()[0]}"
        purpose = "measure_content" if placement.declared_as == "statistics" else "select_personalized_ads"
        vendors.append(
            {
                "id": vendor_id,
                "name": names.get(str(vendor_id), placement.tag.vendor),
                "purposeIds": ["cookies", purpose],
            }
        )
    purposes = [
        {"id": "cookies", "name": "Store and/or access information on a device"},
        {"id": "select_personalized_ads", "name": "Use profiles to select personalised advertising"},
        {"id": "measure_content", "name": "Measure content performance"},
    ]
    return {
        "vendors": vendors,
        "purposes": purposes,
        "texts": {
            "title": "Cookie notice",
            "notice": "With your agreement, we and our partners use cookies to measure and personalise.",
            "more": "Learn more",
            "disagree": "Decline",
            "agree": "Agree and close",
        },
    }


def _script(js: str) -> Response:
    return Response(
        200,
        [("Content-Type", "application/javascript; charset=utf-8"), ("Cache-Control", "no-cache")],
        js.encode(),
    )


def _json(data: object) -> Response:
    return Response(
        200, [("Content-Type", "application/json"), ("Cache-Control", "no-cache")], json.dumps(data).encode()
    )


def _no_cache(response: Response) -> Response:
    headers = [(k, v) for k, v in response.headers if k.lower() != "cache-control"]
    return Response(response.status, [*headers, ("Cache-Control", "no-cache")], response.body)


def consent_routes(site: ConsentSite) -> dict[str, dict[str, Response | Handler]]:
    """The hosts a OneTrust ``site`` needs besides its own pages: the consent manager (its script and
    the site's domain data) and every placement's tag and endpoints (for a world of its own, such as
    the demo's)."""
    if site.cmp != "onetrust":
        raise ValueError("consent_routes serves OneTrust sites only")
    routes: dict[str, dict[str, Response | Handler]] = {
        "cdn.cookielaw.org": {
            "/scripttemplates/otSDKStub.js": _script(cmps.onetrust_js()),
            f"/consent/{ONETRUST_ID}/{ONETRUST_ID}.json": _json(onetrust_domain_data(site)),
        }
    }
    for placement in site.placements:
        tag = placement.tag
        routes.setdefault(tag.host, {})[tag.path] = lambda _r, tag=tag: _no_cache(tag_response(tag))
        for endpoint in tag.endpoints:
            routes.setdefault(endpoint.host, {})[endpoint.path] = lambda r, e=endpoint: endpoint_response(
                e, r
            )
    return routes


def consent_world() -> dict[str, Site]:
    """The five consent sites, their consent managers and trackers (see the module docstring)."""
    world: dict[str, Site] = {}

    def site(host: str) -> Site:
        return world.setdefault(host, Site())

    for spec in SITES:
        for path, title in PAGE_PATHS:
            site(spec.host).add(path, _page_handler(spec, path, title))
        site(spec.host).add("/favicon.ico", Response(404, [("Content-Type", "text/plain")], b"no favicon"))
        if spec.gpc_json:
            site(spec.host).add("/.well-known/gpc.json", _json(GPC_JSON))
        for placement in spec.placements:
            tag = placement.tag
            site(tag.host).add(tag.path, lambda _r, tag=tag: _no_cache(tag_response(tag)))
            for endpoint in tag.endpoints:
                site(endpoint.host).add(endpoint.path, lambda r, e=endpoint: endpoint_response(e, r))

    site("cdn.cookielaw.org").add("/scripttemplates/otSDKStub.js", _script(cmps.onetrust_js()))
    site("cdn.cookielaw.org").add(
        f"/consent/{ONETRUST_ID}/{ONETRUST_ID}.json", _json(onetrust_domain_data(OT))
    )

    cookiebot_texts = {
        "title": "This website uses cookies",
        "notice": "We use cookies to personalise content and ads and to analyse our traffic.",
        "decline": "Use necessary cookies only",
        "selection": "Allow selection",
        "accept": "Allow all cookies",
    }
    site("consent.cookiebot.com").add("/uc.js", _script(cmps.js("cookiebot_uc.js")))
    site("consent.cookiebot.com").add(
        f"/{COOKIEBOT_ID}/cc.js", _script(cmps.cookiebot_cc_js(cookiebot_tables(CB), cookiebot_texts))
    )

    gvl_url = "https://quantcast.mgr.consensu.org/GVL-v3/vendor-list.json"
    tcf_config = {
        "cmpId": cmps.QUANTCAST_CMP_ID,
        "cmpVersion": cmps.QUANTCAST_CMP_VERSION,
        "tcfPolicyVersion": cmps.TCF_POLICY_VERSION,
        "gvlUrl": gvl_url,
        "tcStrings": tc_strings(TCF),
        "purposes": sorted(TCF_PURPOSES),
        "vendors": sorted(tcf_vendor_ids(TCF)),
        "texts": {
            "title": "We value your privacy",
            "notice": "We and our partners store and/or access information on a device, such as cookies.",
            "more": "MORE OPTIONS",
            "disagree": "DISAGREE",
            "agree": "AGREE",
        },
    }
    site("quantcast.mgr.consensu.org").add(
        f"/choice/{QUANTCAST_PCODE}/{TCF.host}/choice.js",
        _script(cmps.quantcast_choice_js(tcf_config)),
    )
    site("quantcast.mgr.consensu.org").add("/GVL-v3/vendor-list.json", _json(gvl(TCF)))

    site("sdk.privacy-center.org").add(
        f"/{DIDOMI_KEY}/loader.js", _script(cmps.didomi_js(didomi_config(DIDOMI)))
    )
    return world
