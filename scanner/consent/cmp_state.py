"""What the consent manager (CMP) of a page says, read in the page, and normalised into records.

``CMP_STATE_JS`` is an async function the consent driver evaluates in each page's main world at the
end of a visit (``await frame.evaluate(CMP_STATE_JS)``, or ``read_cmp_state`` below). It asks the
standard and vendor APIs a page may define:

* IAB TCF: ``__tcfapi('ping')`` and ``__tcfapi('addEventListener')`` (the current TCData, then the
  listener is removed);
* IAB US Privacy: ``__uspapi('getUSPData')``; IAB GPP: ``__gpp('ping')`` (``parsedSections``);
* OneTrust: ``OneTrust.GetDomainData()`` groups with their declared cookies and hosts, and
  ``OnetrustActiveGroups``;
* Cookiebot: ``Cookiebot.consent`` and ``CookieConsentDialog.cookieTable*`` rows;
* Didomi: ``Didomi.getVendors()`` and ``Didomi.getUserStatus()``.

The page is hostile: every property read and call is inside try/catch, a callback API that never
answers is given up after ``CALLBACK_MS`` (500 ms), only primitive values are copied out (so no
getter of the page runs while Playwright serialises the result), and every string and list is
capped, the bulk parts (cookie rows, GPP sections, Didomi lists) to about 500,000 characters in
all. A page can still freeze its own main thread, or replace ``setTimeout``: callers put a timeout
around the evaluation (``read_cmp_state`` does). ``normalise`` re-checks every type and cap in
Python and returns a ``CmpState`` and the ``CmpDeclaredCookie`` rows; it never raises.

``gvl_vendors`` reads an IAB Global Vendor List document captured from a response body during the
visit (the CMP downloads it): vendor ids to names and declared cookie lifetimes.
"""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from scanner.catalog.categories import normalize_category
from scanner.consent import tcf
from scanner.consent.signals import UsPrivacy, us_privacy

CALLBACK_MS = 500
SCHEMA = 1  # of the snippet's result

CMP_STATE_JS = r"""
async () => {
  "use strict";
  const CALLBACK_MS = 500, MAX_STR = 500, MAX_LONG = 8192, MAX_IDS = 5000, MAX_ROWS = 2000;
  const out = { v: 1, errors: [], timeouts: [] };
  let rows = 0, budget = 20000;
  const note = (where, e) => {
    try {
      let m = "";
      try {
        m = e && typeof e.message === "string" ? e.message.slice(0, 200) : typeof e;
      } catch (_) { m = "?"; }
      if (out.errors.length < 50) out.errors.push(where + ": " + m);
    } catch (_) {}
  };
  const get = (o, k) => {
    try {
      return o === null || o === undefined ? undefined : o[k];
    } catch (e) { note("read " + k, e); return undefined; }
  };
  // Strings of the bulk parts draw on a budget of characters each: past it, they read as null.
  const pools = { rows: 300000, plain: 100000, didomi: 100000 };
  const str = (x, n, pool) => {
    try {
      let s = null;
      if (typeof x === "string") s = x.slice(0, n || MAX_STR);
      else if (typeof x === "number" && isFinite(x)) s = String(x);
      if (s === null || !pool) return s;
      pools[pool] -= s.length;
      return pools[pool] >= 0 ? s : null;
    } catch (e) { note("string", e); }
    return null;
  };
  const num = (x) => (typeof x === "number" && isFinite(x) ? x : null);
  const bool = (x) => (typeof x === "boolean" ? x : null);
  const list = (x, cap) => {
    const a = [];
    try {
      if (!Array.isArray(x)) return a;
      const n = Math.min(x.length >>> 0, cap);
      for (let i = 0; i < n; i++) a.push(get(x, i));
    } catch (e) { note("list", e); }
    return a;
  };
  const keys = (o, cap) => {
    try {
      return o && typeof o === "object" ? Object.keys(o).slice(0, cap) : [];
    } catch (e) { note("keys", e); return []; }
  };
  // A copy made only of primitives, arrays and plain objects, bounded in depth and size.
  const plain = (x, depth) => {
    if (budget-- <= 0) return null;
    if (x === null || typeof x === "boolean") return x;
    if (typeof x === "number") return isFinite(x) ? x : null;
    if (typeof x === "string") return str(x, MAX_STR, "plain");
    if (typeof x !== "object" || depth <= 0) return null;
    if (Array.isArray(x)) return list(x, 300).map((v) => plain(v, depth - 1));
    const o = {};
    for (const k of keys(x, 100)) o[str(k, 100, "plain")] = plain(get(x, k), depth - 1);
    return o;
  };
  const trueIds = (o) => {
    const ids = [];
    for (const k of keys(o, MAX_IDS)) if (/^[0-9]{1,5}$/.test(k) && get(o, k) === true) ids.push(Number(k));
    return ids;
  };
  // Call a callback API; resolve with the first answer, or undefined after CALLBACK_MS.
  const ask = (label, invoke) => new Promise((resolve) => {
    let done = false;
    const finish = (v) => { if (!done) { done = true; resolve(v); } };
    try {
      setTimeout(() => { if (!done) { out.timeouts.push(label); finish(undefined); } }, CALLBACK_MS);
    } catch (e) { note(label, e); finish(undefined); return; }
    try { invoke(finish); } catch (e) { note(label, e); finish(undefined); }
  });

  const readTcf = async () => {
    const api = get(window, "__tcfapi");
    if (typeof api !== "function") return;
    const t = (out.tcf = {});
    const ping = await ask("tcf ping", (done) => api("ping", 2, (p) => done(p)));
    if (ping && typeof ping === "object") {
      t.ping = {
        gdprApplies: bool(get(ping, "gdprApplies")), cmpLoaded: bool(get(ping, "cmpLoaded")),
        cmpStatus: str(get(ping, "cmpStatus"), 40), displayStatus: str(get(ping, "displayStatus"), 40),
        apiVersion: str(get(ping, "apiVersion"), 20), cmpId: num(get(ping, "cmpId")),
        cmpVersion: num(get(ping, "cmpVersion")), gvlVersion: num(get(ping, "gvlVersion")),
        tcfPolicyVersion: num(get(ping, "tcfPolicyVersion")),
      };
    }
    let listenerId = null;
    const d = await ask("tcf addEventListener", (done) => api("addEventListener", 2, (data, ok) => {
      if (data && typeof data === "object") done(data);
    }));
    if (d && typeof d === "object") {
      listenerId = get(d, "listenerId");
      const purpose = get(d, "purpose"), vendor = get(d, "vendor");
      t.data = {
        tcString: str(get(d, "tcString"), MAX_LONG), eventStatus: str(get(d, "eventStatus"), 40),
        cmpStatus: str(get(d, "cmpStatus"), 40), cmpId: num(get(d, "cmpId")),
        cmpVersion: num(get(d, "cmpVersion")),
        gdprApplies: bool(get(d, "gdprApplies")), tcfPolicyVersion: num(get(d, "tcfPolicyVersion")),
        isServiceSpecific: bool(get(d, "isServiceSpecific")),
        purposeConsents: trueIds(get(purpose, "consents")),
        purposeLegitimateInterests: trueIds(get(purpose, "legitimateInterests")),
        vendorConsents: trueIds(get(vendor, "consents")),
        vendorLegitimateInterests: trueIds(get(vendor, "legitimateInterests")),
      };
    }
    if (typeof listenerId === "number") {
      try {
        api("removeEventListener", 2, () => {}, listenerId);
      } catch (e) { note("tcf removeEventListener", e); }
    }
  };

  const readUsp = async () => {
    const api = get(window, "__uspapi");
    if (typeof api !== "function") return;
    const d = await ask("usp getUSPData", (done) => api("getUSPData", 1, (data) => done(data)));
    out.usp = d && typeof d === "object"
      ? { version: num(get(d, "version")), uspString: str(get(d, "uspString"), 20) }
      : {};
  };

  const readGpp = async () => {
    const api = get(window, "__gpp");
    if (typeof api !== "function") return;
    const d = await ask("gpp ping", (done) => {
      const r = api("ping", (data) => done(data));  // GPP 1.1: callback; 1.0: returns the answer
      if (r && typeof r === "object") done(r);
    });
    if (!d || typeof d !== "object") { out.gpp = {}; return; }
    out.gpp = {
      gppVersion: str(get(d, "gppVersion"), 20), cmpStatus: str(get(d, "cmpStatus"), 40),
      cmpDisplayStatus: str(get(d, "cmpDisplayStatus"), 40), signalStatus: str(get(d, "signalStatus"), 40),
      cmpId: num(get(d, "cmpId")), gppString: str(get(d, "gppString"), MAX_LONG),
      applicableSections: list(get(d, "applicableSections"), 50).map(num),
      sectionList: list(get(d, "sectionList"), 50).map((s) => str(s, 40)),
      parsedSections: plain(get(d, "parsedSections"), 4),
    };
  };

  const cookieRow = (c, hostName) => {
    if (rows >= MAX_ROWS || !c || typeof c !== "object") return null;
    rows++;
    return {
      name: str(get(c, "Name"), 200, "rows"), host: str(get(c, "Host"), 200, "rows"),
      length: str(get(c, "Length"), 20), session: bool(get(c, "IsSession")),
      purpose: str(get(c, "description"), 300, "rows"), hostName: str(hostName, 200, "rows"),
    };
  };

  const readOneTrust = () => {
    const ot = get(window, "OneTrust");
    const active = get(window, "OnetrustActiveGroups");
    if (!ot && active === undefined) return;
    const o = (out.onetrust = { activeGroups: str(active, 2000), groups: [] });
    if (typeof get(ot, "GetDomainData") !== "function") return;
    let dd;
    try { dd = ot.GetDomainData(); } catch (e) { note("OneTrust.GetDomainData", e); return; }
    for (const g of list(get(dd, "Groups"), 100)) {
      if (!g || typeof g !== "object") continue;
      const cookies = [];
      for (const c of list(get(g, "FirstPartyCookies"), 500)) {
        const r = cookieRow(c, null);
        if (r) cookies.push(r);
      }
      for (const h of list(get(g, "Hosts"), 200)) {
        const hostName = get(h, "HostName");
        for (const c of list(get(h, "Cookies"), 200)) {
          const r = cookieRow(c, hostName);
          if (r) cookies.push(r);
        }
      }
      o.groups.push({
        name: str(get(g, "GroupName"), 200), id: str(get(g, "CustomGroupId"), 40),
        optanonId: str(get(g, "OptanonGroupId"), 40), status: str(get(g, "Status"), 60), cookies,
      });
    }
  };

  const readCookiebot = () => {
    const cb = get(window, "Cookiebot");
    let dialog = get(window, "CookieConsentDialog");
    if (!dialog) dialog = get(cb, "dialog");
    if (!cb && !dialog) return;
    const c = get(cb, "consent");
    const o = (out.cookiebot = {
      consent: c && typeof c === "object" ? {
        necessary: bool(get(c, "necessary")), preferences: bool(get(c, "preferences")),
        statistics: bool(get(c, "statistics")), marketing: bool(get(c, "marketing")),
        method: str(get(c, "method"), 20),
      } : null,
      consented: bool(get(cb, "consented")), declined: bool(get(cb, "declined")),
      hasResponse: bool(get(cb, "hasResponse")), tables: {},
    });
    for (const t of ["Necessary", "Preference", "Statistics", "Advertising", "Unclassified"]) {
      const table = [];
      for (const row of list(get(dialog, "cookieTable" + t), 1000)) {
        if (rows >= MAX_ROWS) break;
        if (!Array.isArray(row)) continue;
        rows++;
        table.push(list(row, 6).map((x, i) => str(x, [200, 200, 300, 60, 20, 40][i], "rows")));
      }
      o.tables[t] = table;
    }
  };

  const readDidomi = () => {
    const di = get(window, "Didomi");
    if (!di || typeof di !== "object") return;
    const o = (out.didomi = { vendors: [] });
    if (typeof get(di, "getVendors") === "function") {
      let vs;
      try { vs = di.getVendors(); } catch (e) { note("Didomi.getVendors", e); }
      for (const v of list(vs, 2000)) {
        if (!v || typeof v !== "object") continue;
        o.vendors.push({ id: str(get(v, "id"), 100, "didomi"), name: str(get(v, "name"), 200, "didomi"),
                         iab2: num(get(get(v, "namespaces"), "iab2")) });
      }
    }
    if (typeof get(di, "getUserStatus") === "function") {
      let s;
      try { s = di.getUserStatus(); } catch (e) { note("Didomi.getUserStatus", e); }
      if (s && typeof s === "object") {
        const ids = (x) => list(x, MAX_IDS).map((i) => str(i, 100, "didomi"));
        const part = (o2, basis) => get(get(o2, basis), "enabled");
        const partOff = (o2, basis) => get(get(o2, basis), "disabled");
        const purposes = get(s, "purposes"), vendors = get(s, "vendors");
        o.status = {
          purposesConsentEnabled: ids(part(purposes, "consent")),
          purposesConsentDisabled: ids(partOff(purposes, "consent")),
          vendorsConsentEnabled: ids(part(vendors, "consent")),
          vendorsConsentDisabled: ids(partOff(vendors, "consent")),
          regulation: str(get(s, "regulation"), 40), consentString: str(get(s, "consent_string"), MAX_LONG),
        };
      }
    }
  };

  const sync = [["onetrust", readOneTrust], ["cookiebot", readCookiebot], ["didomi", readDidomi]];
  for (const [label, fn] of sync) { try { fn(); } catch (e) { note(label, e); } }
  const jobs = [readTcf, readUsp, readGpp].map((fn) => {
    try {
      return Promise.resolve(fn()).catch((e) => note(fn.name, e));
    } catch (e) { note(fn.name, e); return null; }
  });
  for (const j of jobs) { try { await j; } catch (e) { note("await", e); } }
  return out;
}
"""


# --- records ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TcfState:
    """What ``__tcfapi`` reported. ``tc`` is ``tc_string`` decoded (None when absent or invalid)."""

    cmp_id: int | None = None
    cmp_version: int | None = None
    gdpr_applies: bool | None = None
    event_status: str | None = None  # tcloaded | cmpuishown | useractioncomplete
    cmp_status: str | None = None
    tcf_policy_version: int | None = None
    gvl_version: int | None = None
    tc_string: str | None = None
    tc: tcf.TCString | None = None
    purpose_consents: frozenset[int] = frozenset()
    purpose_legitimate_interests: frozenset[int] = frozenset()
    vendor_consents: frozenset[int] = frozenset()
    vendor_legitimate_interests: frozenset[int] = frozenset()

    @property
    def disclosed_vendors(self) -> frozenset[int] | None:
        """The vendors the CMP showed the user (the TC string's Disclosed Vendors segment)."""
        return self.tc.disclosed_vendors if self.tc else None


@dataclass(frozen=True)
class GppState:
    """What ``__gpp('ping')`` reported. ``parsed_sections``: section name -> fields, as the CMP
    decoded them (bounded plain JSON)."""

    gpp_version: str | None = None
    cmp_id: int | None = None
    cmp_status: str | None = None
    signal_status: str | None = None
    gpp_string: str | None = None
    applicable_sections: tuple[int, ...] = ()
    section_list: tuple[str, ...] = ()
    parsed_sections: Mapping[str, Any] = field(default_factory=dict)

    def opt_outs(self) -> dict[str, tuple[str, ...]]:
        """Per parsed section, the US opt-out fields set to 1 (opted out): ``SaleOptOut``,
        ``SharingOptOut``, ``TargetedAdvertisingOptOut``."""
        out: dict[str, tuple[str, ...]] = {}
        for name, section in self.parsed_sections.items():
            for fields in section if isinstance(section, list) else [section]:
                if isinstance(fields, dict):
                    hits = tuple(f for f in _GPP_OPT_OUTS if fields.get(f) == 1)
                    if hits:
                        out[name] = hits
        return out


_GPP_OPT_OUTS = ("SaleOptOut", "SharingOptOut", "TargetedAdvertisingOptOut")


@dataclass(frozen=True)
class CmpState:
    """The consent state a page's CMP APIs reported at the end of a visit.

    ``cmp``: the consent manager recognised (``onetrust``, ``cookiebot``, ``didomi``, else ``tcf`` /
    ``gpp`` / ``usp`` when only a standard API answered; None: none). ``granted_groups`` /
    ``denied_groups``: the CMP's own categories (OneTrust group ids, Cookiebot categories, Didomi
    purposes) with their state. ``timeouts``: APIs that never answered; ``errors``: what threw."""

    cmp: str | None = None
    cmps: tuple[str, ...] = ()
    tcf: TcfState | None = None
    us_privacy: UsPrivacy | None = None
    us_privacy_raw: str | None = None  # when present but not a valid US Privacy string
    gpp: GppState | None = None
    granted_groups: tuple[str, ...] = ()
    denied_groups: tuple[str, ...] = ()
    didomi_vendors: tuple[tuple[str, str, int | None], ...] = ()  # (id, name, IAB id)
    timeouts: tuple[str, ...] = ()
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class CmpDeclaredCookie:
    """One cookie a CMP declares to visitors (OneTrust's groups, Cookiebot's cookie tables).

    ``group``: the CMP's name for its category ("Strictly Necessary Cookies", "Statistics");
    ``category``: that name in the catalog's vocabulary when it maps (``advertising``, ``analytics``,
    ``utility`` ...). ``lifetime_days`` None: not stated or not understood."""

    cmp: str
    name: str
    host: str | None = None
    group: str | None = None
    group_id: str | None = None
    category: str | None = None
    necessary: bool = False
    lifetime_days: float | None = None
    session: bool = False
    purpose: str | None = None


@dataclass(frozen=True)
class CmpReading:
    state: CmpState
    cookies: tuple[CmpDeclaredCookie, ...] = ()


# --- normalising -----------------------------------------------------------------------------------

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")
MAX_STR = 500
MAX_COOKIES = 2000
MAX_IDS = 5000


def _s(x: object, cap: int = MAX_STR) -> str | None:
    if not isinstance(x, str):
        return None
    x = _CONTROL.sub("", x[: cap * 2]).strip()[:cap]
    return x or None


def _i(x: object, lo: int = 0, hi: int = 2**31) -> int | None:
    if isinstance(x, bool) or not isinstance(x, (int, float)):
        return None
    if isinstance(x, float) and (x != x or not x.is_integer()):
        return None
    return int(x) if lo <= x <= hi else None


def _b(x: object) -> bool | None:
    return x if isinstance(x, bool) else None


def _d(x: object) -> dict:
    return x if isinstance(x, dict) else {}


def _l(x: object, cap: int) -> list:
    return x[:cap] if isinstance(x, list) else []


def _ids(x: object, hi: int = 65_535) -> frozenset[int]:
    return frozenset(i for i in (_i(v, 1, hi) for v in _l(x, MAX_IDS)) if i is not None)


def _plain(x: object, depth: int = 5, budget: list[int] | None = None) -> Any:
    """A bounded copy of JSON-like data (the snippet's caps, re-applied)."""
    budget = budget if budget is not None else [20_000]
    budget[0] -= 1
    if budget[0] < 0:
        return None
    if x is None or isinstance(x, bool):
        return x
    if isinstance(x, (int, float)):
        return x if x == x and abs(x) != float("inf") else None
    if isinstance(x, str):
        return _s(x) or ""
    if depth <= 0:
        return None
    if isinstance(x, list):
        return [_plain(v, depth - 1, budget) for v in x[:300]]
    if isinstance(x, dict):
        return {str(k)[:100]: _plain(v, depth - 1, budget) for k, v in list(x.items())[:100]}
    return None


def _tcf(raw: dict) -> TcfState:
    ping, data = _d(raw.get("ping")), _d(raw.get("data"))
    text = _s(data.get("tcString"), tcf.MAX_LENGTH)
    return TcfState(
        cmp_id=_i(data.get("cmpId"), 0, 4095) if "cmpId" in data else _i(ping.get("cmpId"), 0, 4095),
        cmp_version=_i(data.get("cmpVersion"), 0, 4095) or _i(ping.get("cmpVersion"), 0, 4095),
        gdpr_applies=_b(data.get("gdprApplies"))
        if _b(data.get("gdprApplies")) is not None
        else _b(ping.get("gdprApplies")),
        event_status=_s(data.get("eventStatus"), 40),
        cmp_status=_s(data.get("cmpStatus"), 40) or _s(ping.get("cmpStatus"), 40),
        tcf_policy_version=_i(data.get("tcfPolicyVersion"), 0, 63) or _i(ping.get("tcfPolicyVersion"), 0, 63),
        gvl_version=_i(ping.get("gvlVersion"), 0, 4095),
        tc_string=text,
        tc=tcf.try_decode(text) if text else None,
        purpose_consents=_ids(data.get("purposeConsents"), 24),
        purpose_legitimate_interests=_ids(data.get("purposeLegitimateInterests"), 24),
        vendor_consents=_ids(data.get("vendorConsents")),
        vendor_legitimate_interests=_ids(data.get("vendorLegitimateInterests")),
    )


def _gpp(raw: dict) -> GppState:
    parsed = _plain(raw.get("parsedSections"), 4)
    return GppState(
        gpp_version=_s(raw.get("gppVersion"), 20),
        cmp_id=_i(raw.get("cmpId"), 0, 65_535),
        cmp_status=_s(raw.get("cmpStatus"), 40),
        signal_status=_s(raw.get("signalStatus"), 40),
        gpp_string=_s(raw.get("gppString"), 8192),
        applicable_sections=tuple(
            i for i in (_i(v, -1, 1000) for v in _l(raw.get("applicableSections"), 50)) if i is not None
        ),
        section_list=tuple(s for s in (_s(v, 40) for v in _l(raw.get("sectionList"), 50)) if s),
        parsed_sections=parsed if isinstance(parsed, dict) else {},
    )


_NECESSARY = re.compile(r"necessary|essential|required|strictly|notwendig|nécessaire|necesari", re.IGNORECASE)
_COOKIE_WORDS = re.compile(r"\b(cookies?|technologies|tracking technologies)\b", re.IGNORECASE)


def group_category(name: str | None) -> str | None:
    """A CMP group or table name in the catalog's vocabulary ("Targeting Cookies" -> advertising,
    "Performance Cookies" -> analytics, "Strictly Necessary Cookies" -> utility); None if unknown."""
    if not name:
        return None
    text = " ".join(_COOKIE_WORDS.sub(" ", name).split()).lower()
    if not text:
        return None
    if _NECESSARY.search(text):
        return "utility"
    found = normalize_category(text)
    if found:
        return found
    for word in reversed(text.replace("&", " ").replace("/", " ").split()):
        found = normalize_category(word) or normalize_category(word.rstrip("s"))
        if found:
            return found
    return None


_LIFETIME = re.compile(
    r"(\d{1,5})\s*(seconds?|sekunden?|minutes?|minuten?|hours?|stunden?|days?|tage?n?|weeks?|wochen?|"
    r"months?|monate?n?|years?|jahre?n?)\b",
    re.IGNORECASE,
)
_UNIT_DAYS = {
    "sec": 1 / 86400,
    "sek": 1 / 86400,
    "min": 1 / 1440,
    "hou": 1 / 24,
    "stu": 1 / 24,
    "day": 1,
    "tag": 1,
    "wee": 7,
    "woc": 7,
    "mon": 30,
    "yea": 365,
    "jah": 365,
}
_SESSION = re.compile(r"^\s*(session|sitzung|séance|sesión|sessione)\s*$", re.IGNORECASE)


def lifetime_from_text(text: str | None) -> tuple[float | None, bool]:
    """(lifetime in days, is session) from a CMP's expiry text: "Session", "1 year", "400 days",
    "2 Monate" ... (None, False) when not understood ("Persistent", other languages)."""
    if not text or len(text) > 100:
        return None, False
    if _SESSION.match(text):
        return None, True
    m = _LIFETIME.search(text)
    if not m:
        return None, False
    return round(int(m.group(1)) * _UNIT_DAYS[m.group(2)[:3].lower()], 4), False


def _onetrust(raw: dict, cookies: list[CmpDeclaredCookie]) -> tuple[list[str], list[str]]:
    active = _s(raw.get("activeGroups"), 2000) or ""
    granted = [g for g in (x.strip() for x in active.split(",")) if g and len(g) <= 40][:100]
    denied: list[str] = []
    for g in _l(raw.get("groups"), 100):
        g = _d(g)
        gid, name, status = (
            _s(g.get("id"), 40),
            _s(g.get("name"), 200),
            (_s(g.get("status"), 60) or "").lower(),
        )
        necessary = gid == "C0001" or status == "always active" or bool(name and _NECESSARY.search(name))
        if gid and active and gid not in granted and not necessary:
            denied.append(gid)
        for c in _l(g.get("cookies"), MAX_COOKIES):
            c = _d(c)
            cname = _s(c.get("name"), 200)
            if not cname or len(cookies) >= MAX_COOKIES:
                continue
            length = _s(c.get("length"), 20)
            session = _b(c.get("session")) is True
            days = float(length) if length and re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,4})?", length) else None
            cookies.append(
                CmpDeclaredCookie(
                    cmp="onetrust",
                    name=cname,
                    host=_s(c.get("host"), 200) or _s(c.get("hostName"), 200),
                    group=name,
                    group_id=gid,
                    category=group_category(name),
                    necessary=necessary,
                    lifetime_days=None if session else days,
                    session=session,
                    purpose=_s(c.get("purpose"), 300),
                )
            )
    return granted, denied


_CB_TABLES = {
    "Necessary": ("necessary", "utility", True),
    "Preference": ("preferences", "utility", False),
    "Statistics": ("statistics", "analytics", False),
    "Advertising": ("marketing", "advertising", False),
    "Unclassified": ("unclassified", None, False),
}


def _cookiebot(raw: dict, cookies: list[CmpDeclaredCookie]) -> tuple[list[str], list[str]]:
    consent = _d(raw.get("consent"))
    granted = [c for c in ("necessary", "preferences", "statistics", "marketing") if consent.get(c) is True]
    denied = [c for c in ("necessary", "preferences", "statistics", "marketing") if consent.get(c) is False]
    tables = _d(raw.get("tables"))
    for table, (group, category, necessary) in _CB_TABLES.items():
        for row in _l(tables.get(table), 1000):
            row = _l(row, 6)
            name = _s(row[0], 200) if row else None
            if not name or len(cookies) >= MAX_COOKIES:
                continue
            days, session = lifetime_from_text(_s(row[3], 100) if len(row) > 3 else None)
            cookies.append(
                CmpDeclaredCookie(
                    cmp="cookiebot",
                    name=name,
                    host=_s(row[1], 200) if len(row) > 1 else None,
                    group=group,
                    group_id=table,
                    category=category,
                    necessary=necessary,
                    lifetime_days=days,
                    session=session,
                    purpose=_s(row[2], 300) if len(row) > 2 else None,
                )
            )
    return granted, denied


def normalise(result: object) -> CmpReading:
    """The records of one ``CMP_STATE_JS`` result (anything: a hostile page chose much of it)."""
    raw = _d(result)
    cookies: list[CmpDeclaredCookie] = []
    cmps: list[str] = []
    granted: list[str] = []
    denied: list[str] = []
    if isinstance(raw.get("onetrust"), dict):
        cmps.append("onetrust")
        g, d = _onetrust(raw["onetrust"], cookies)
        granted += g
        denied += d
    if isinstance(raw.get("cookiebot"), dict):
        cmps.append("cookiebot")
        g, d = _cookiebot(raw["cookiebot"], cookies)
        granted += g
        denied += d
    didomi_vendors: list[tuple[str, str, int | None]] = []
    if isinstance(raw.get("didomi"), dict):
        cmps.append("didomi")
        di = raw["didomi"]
        for v in _l(di.get("vendors"), 2000):
            v = _d(v)
            vid = _s(v.get("id"), 100)
            if vid:
                didomi_vendors.append((vid, _s(v.get("name"), 200) or vid, _i(v.get("iab2"), 1, 65_535)))
        status = _d(di.get("status"))
        granted += [p for p in (_s(x, 100) for x in _l(status.get("purposesConsentEnabled"), 200)) if p]
        denied += [p for p in (_s(x, 100) for x in _l(status.get("purposesConsentDisabled"), 200)) if p]
    tcf_state = _tcf(raw["tcf"]) if isinstance(raw.get("tcf"), dict) else None
    gpp_state = _gpp(raw["gpp"]) if isinstance(raw.get("gpp"), dict) else None
    usp_raw = _s(_d(raw.get("usp")).get("uspString"), 20)
    usp = us_privacy(usp_raw) if usp_raw else None
    for name, present in (("tcf", tcf_state), ("gpp", gpp_state), ("usp", "usp" in raw)):
        if present:
            cmps.append(name)
    state = CmpState(
        cmp=cmps[0] if cmps else None,
        cmps=tuple(cmps),
        tcf=tcf_state,
        us_privacy=usp,
        us_privacy_raw=usp_raw if usp is None else None,
        gpp=gpp_state,
        granted_groups=tuple(dict.fromkeys(granted)),
        denied_groups=tuple(dict.fromkeys(denied)),
        didomi_vendors=tuple(didomi_vendors),
        timeouts=tuple(t for t in (_s(x, 60) for x in _l(raw.get("timeouts"), 20)) if t),
        errors=tuple(e for e in (_s(x, 300) for x in _l(raw.get("errors"), 50)) if e),
    )
    return CmpReading(state, tuple(cookies))


async def read_cmp_state(frame: Any, timeout_s: float = 3.0) -> CmpReading:
    """Evaluate ``CMP_STATE_JS`` in ``frame`` (a Playwright page or frame, main world) with an overall
    timeout (a page that blocks its own main thread, or replaced ``setTimeout``, cannot hold the
    visit) and normalise the result. Errors and timeouts read as an empty state with the error."""
    try:
        result = await asyncio.wait_for(frame.evaluate(CMP_STATE_JS), timeout_s)
    except TimeoutError:
        return CmpReading(CmpState(timeouts=("evaluate",)))
    except Exception as exc:  # noqa: BLE001 - navigation, closed page, a page that broke evaluate
        return CmpReading(CmpState(errors=(f"evaluate: {type(exc).__name__}: {str(exc)[:200]}",)))
    return normalise(result)


# --- Global Vendor List ----------------------------------------------------------------------------

MAX_GVL_BYTES = 16 * 1024 * 1024
MAX_GVL_VENDORS = 10_000


@dataclass(frozen=True)
class GvlVendor:
    """One vendor of an IAB Global Vendor List, as far as the audit needs it."""

    id: int
    name: str
    uses_cookies: bool | None = None
    cookie_max_age_seconds: int | None = None
    cookie_refresh: bool | None = None
    uses_non_cookie_access: bool | None = None
    device_storage_disclosure_url: str | None = None
    purposes: frozenset[int] = frozenset()
    leg_int_purposes: frozenset[int] = frozenset()
    deleted: bool = False

    @property
    def cookie_max_age_days(self) -> float | None:
        if self.cookie_max_age_seconds is None:
            return None
        return round(self.cookie_max_age_seconds / 86400, 4)


def is_gvl(doc: object) -> bool:
    """A GVL document: a JSON object with an integer ``vendorListVersion`` and a ``vendors`` object."""
    return (
        isinstance(doc, dict)
        and _i(doc.get("vendorListVersion"), 1, 100_000) is not None
        and isinstance(doc.get("vendors"), dict)
    )


def gvl_vendors(doc: object) -> dict[int, GvlVendor]:
    """The vendors of a GVL document (``is_gvl``), or {} for anything else. Also accepts the body
    as text or bytes. Entries whose key and ``id`` disagree, or with no name, are skipped; at most
    ``MAX_GVL_VENDORS``."""
    if isinstance(doc, (bytes, str)):
        if len(doc) > MAX_GVL_BYTES:
            return {}
        try:
            doc = json.loads(doc)
        except (ValueError, RecursionError):
            return {}
    if not is_gvl(doc):
        return {}
    out: dict[int, GvlVendor] = {}
    for key, entry in list(doc["vendors"].items())[:MAX_GVL_VENDORS]:  # type: ignore[index]
        if not isinstance(entry, dict):
            continue
        vid = _i(entry.get("id"), 1, 65_535)
        name = _s(entry.get("name"), 200)
        if vid is None or str(vid) != str(key).strip() or not name:
            continue
        age = entry.get("cookieMaxAgeSeconds")
        out[vid] = GvlVendor(
            id=vid,
            name=name,
            uses_cookies=_b(entry.get("usesCookies")),
            cookie_max_age_seconds=_i(age, -1, 2**40) if age is not None else None,
            cookie_refresh=_b(entry.get("cookieRefresh")),
            uses_non_cookie_access=_b(entry.get("usesNonCookieAccess")),
            device_storage_disclosure_url=_s(entry.get("deviceStorageDisclosureUrl"), 500),
            purposes=_ids(entry.get("purposes"), 24),
            leg_int_purposes=_ids(entry.get("legIntPurposes"), 24),
            deleted=entry.get("deletedDate") is not None,
        )
    return out
