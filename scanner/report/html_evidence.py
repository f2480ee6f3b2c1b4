"""Evidence that explains itself, for report.html (``build_view(...)["evidence"]``).

A finding's evidence in scan.json is a capped sample with true totals. The report reads the scan's own
records instead, so a vendor's script fetched on nine pages is one row "hotjar-3210.js × 9 pages", not
nine rows or a sample of them:

- **Request groups**: every request of the vendor (``result.requests``) grouped by host and path (the
  query string and ``;name=value`` path parameters are what changes from page to page), with the
  request and page counts, a sample of pages and the initiating scripts. Beacons and other requests are
  grouped apart; the group counts add up to the finding's totals.
- **Decoded parameters**: each group's query string (and matrix parameters) URL-decoded into key/value
  rows, across all the group's requests ("same on all 9 requests" / "9 different values"), with what
  a value is marked: a visitor identifier (by name or by the look of the value,
  :mod:`scanner.attribute.identifiers`), the value of a cookie the scan saw (by the value hash the
  cookie collector keeps) or of a cookie or storage key the payload scanner found in it
  (``result.value_leaks``, request bodies included), an e-mail address, the page's own URL, a consent
  signal. Request bodies themselves are not kept by the scan, so only what the payload scanner found in
  them is shown.
- **Set-Cookie**: the header line behind each HTTP cookie, from its setter response's recorded headers
  (values are redacted by the collector unless ``--keep-cookie-values``: the line is shown as kept).
- **Anchors**: a stable id per finding (``vendor-google-analytics``, ``consent-before-consent-criteo``,
  ``behaviour-fingerprinting-...``) and links to it from the cookie, host and storage inventories.
- **Passed group**: declared-and-consistent vendors that nothing flags go below the problems.

Everything here comes from the scanned site; the template prints it as text (autoescape). Anchor ids
are made of ``[a-z0-9-]`` only, whatever the vendor's name.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from urllib.parse import parse_qsl, unquote

from scanner.attribute.identifiers import ID_PARAM_NAMES, looks_like_identifier
from scanner.consent.consent_mode import CONSENT_PARAMS
from scanner.model import Cookie, Finding, Request, ScanResult

GROUPS_SHOWN = 20  # request groups listed per finding and kind (beacons, other requests)
PAGES_SHOWN = 3  # sample pages per group
INITIATORS_SHOWN = 3
PARAMS_SHOWN = 40  # decoded parameters per group
VALUE_CHARS = 300  # of a decoded value
VALUES_TRACKED = 50  # distinct values counted per parameter (more: "50+ different values")
PARAM_REQUESTS = 2000  # requests of a group whose parameters are decoded
INVENTORY_HEADER_CHARS = 300  # of a Set-Cookie line in the cookie inventory (the finding's evidence: all)

# Parameter names that carry a visitor, session or click id, besides ID_PARAM_NAMES (the attribution's
# list): Facebook's browser and click ids, Google Analytics' cookies by name, and common spellings.
EXTRA_ID_NAMES = frozenset(
    {
        "fbp",
        "_fbp",
        "fbc",
        "_fbc",
        "_ga",
        "_gid",
        "user",
        "visitor",
        "session",
        "sessionid",
        "client",
        "uid2",
        "external_id",
        "advertising_id",
        "idfa",
        "gaid",
        "ecid",
        "mid",
        "tuid",
        "pid_uid",
    }
)
_EMAIL = re.compile(r"^[^@\s/?#]{1,64}@[^@\s/?#]+\.[A-Za-z]{2,}$")
_SLUG_OUT = re.compile(r"[^a-z0-9]+")

MARK_LABELS = {
    "identifier": "identifier",
    "cookie": "cookie value",
    "storage": "storage value",
    "form": "typed form value",
    "email": "e-mail address",
    "page": "page URL",
    "url": "a URL",
    "consent": "consent signal",
}
HIGHLIGHT = frozenset({"identifier", "cookie", "storage", "form", "email", "page"})


# ---- anchors -----------------------------------------------------------------------------------------


def slug(name: str) -> str:
    """``[a-z0-9-]`` only: "Google Analytics" -> "google-analytics"; a name with no such letters (all
    non-Latin, or markup) gets a short hash of itself, so the id is stable across scans."""
    ascii_text = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii").lower()
    text = _SLUG_OUT.sub("-", ascii_text).strip("-")[:60].strip("-")
    if not text or ascii_text != name.lower():  # letters were lost: keep names apart by their hash
        digest = hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        text = f"{text}-{digest}" if text else digest
    return text


class Anchors:
    """Unique ids: ``prefix-slug``, and on a clash (two names with the same slug) the name's hash."""

    def __init__(self) -> None:
        self.used: set[str] = set()

    def make(self, *parts: str) -> str:
        *prefix, name = parts
        base = "-".join([*(slug(p) for p in prefix), slug(name)])
        anchor = base
        if anchor in self.used:
            anchor = f"{base}-{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:6]}"
            n = 2
            while anchor in self.used:
                anchor, n = f"{base}-{n}", n + 1
        self.used.add(anchor)
        return anchor


# ---- the scan's records, indexed once ----------------------------------------------------------------


def _split(url: str) -> tuple[str, str, str, str]:
    """(host, path without ;params, query, matrix parameters) of a URL; never raises. A plain string
    split (urlsplit's checks cost more than the grouping of a 10,000-request scan itself)."""
    _, sep, rest = url.partition("://")
    if not sep:
        return "", url[:200] or "/", "", ""
    rest = rest.split("#", 1)[0]
    rest, _, query = rest.partition("?")
    netloc, slash, path = rest.partition("/")
    host = netloc.rpartition("@")[2]
    host = host[1:].partition("]")[0] if host.startswith("[") else host.partition(":")[0]
    path, _, matrix = ("/" + path if slash else "/").partition(";")
    return host.lower(), path, query, matrix


def _page_key(url: str) -> str:
    return url.split("#", 1)[0].rstrip("/")


class Index:
    """What the evidence view looks up: requests per vendor (and per consent pass and phase), setter
    responses by URL, cookies by (name, domain, path), cookie value hashes, value leaks by endpoint."""

    def __init__(self, result: ScanResult) -> None:
        self.by_vendor: dict[str, list[Request]] = defaultdict(list)
        for r in result.requests:
            if r.vendor:
                self.by_vendor[r.vendor].append(r)
        # a page's URL as visited and where it ended up (a beacon reports the page it is on)
        self.page_urls: dict[str, tuple[str, ...]] = {
            p.url: tuple({_page_key(p.url), _page_key(p.final_url or p.url)}) for p in result.pages
        }
        self.cookies: dict[tuple[str, str, str], Cookie] = {}
        self.hash_names: dict[str, list[str]] = defaultdict(list)
        setters: set[str] = set()
        for c in result.cookies:
            self.cookies.setdefault((c.name, c.domain, c.path), c)
            if c.value_hash and c.name not in self.hash_names[c.value_hash]:
                self.hash_names[c.value_hash].append(c.name)
            if c.set_by == "http" and c.setter_url:
                setters.add(c.setter_url)
        self.responses: dict[str, list[Request]] = defaultdict(list)
        for r in result.requests:
            if r.url in setters and r.response_headers:
                self.responses[r.url].append(r)
        # (host, path) -> {param: {labels}}, and the body parameters found there
        self.leaks: dict[tuple[str, str], dict[str, dict]] = defaultdict(dict)
        for leak in result.value_leaks:
            host, path, _, _ = _split(leak.url)
            name = leak.param or ("" if leak.location == "url" else "(whole body)")
            if not name:
                continue
            entry = self.leaks[(leak.host or host, path)].setdefault(
                name,
                {"labels": [], "kinds": set(), "where": "query" if leak.location == "url" else leak.location},
            )
            kind = (
                "form" if leak.kind == "form_data" else ("cookie" if leak.source == "cookie" else "storage")
            )
            what = (
                "a value typed into a form field"
                if kind == "form"
                else f"{_source_word(leak.source)} {leak.name}"
            )
            label = f"{what} ({leak.encoding})" if leak.encoding != "plain" else what
            entry["kinds"].add(kind)
            if label not in entry["labels"] and len(entry["labels"]) < 5:
                entry["labels"].append(label)

    def pools(self, vendor: str) -> Iterable[list[Request]]:
        """The vendor's requests, then those of each consent pass, then of each pass and phase."""
        everything = self.by_vendor.get(vendor, [])
        yield everything
        by_pass: dict[str, list[Request]] = defaultdict(list)
        by_phase: dict[tuple[str, str | None], list[Request]] = defaultdict(list)
        for r in everything:
            by_pass[r.consent_pass].append(r)
            by_phase[(r.consent_pass, r.consent_phase)].append(r)
        yield from by_pass.values()
        yield from by_phase.values()

    def set_cookie(self, c: Cookie) -> str | None:
        """The Set-Cookie line (as recorded) that set ``c``, from its setter response's headers."""
        if c.set_by != "http" or not c.setter_url:
            return None
        for r in self.responses.get(c.setter_url, ()):
            for h in r.response_headers:
                if str(h.get("name", "")).lower() != "set-cookie":
                    continue
                line = str(h.get("value", ""))
                if line.split("=", 1)[0].strip() == c.name:
                    return line
        return None


def _source_word(source: str) -> str:
    return {"cookie": "cookie", "local": "localStorage", "session": "sessionStorage"}.get(source, source)


def _requests_of(f: Finding, index: Index) -> tuple[list[Request] | None, bool]:
    """All the requests behind a finding's evidence: the pool of the vendor's requests whose counts are
    the finding's totals and which holds every sampled request. (None, False) when none fits (a result
    whose records were not kept, a finding made of a subset the pools cannot tell): the sample is used."""
    want_other, want_beacons = f.evidence.total("requests"), f.evidence.total("beacons")
    if not want_other and not want_beacons:
        return [], True
    sampled = {(d.get("url"), d.get("page_url")) for d in (*f.evidence.requests, *f.evidence.beacons)}
    for pool in index.pools(f.vendor):
        beacons = sum(r.is_beacon for r in pool)
        if beacons != want_beacons or len(pool) - beacons != want_other:
            continue
        if sampled <= {(r.url, r.page_url) for r in pool}:
            return pool, True
    return None, False


# ---- request groups ----------------------------------------------------------------------------------


def _label(host: str, path: str) -> str:
    """The name a reader knows a resource by: its file name ("hotjar-3210.js"), with the folder before
    it when the name alone says little ("action/0", "viewthroughconversion/123456")."""
    segments = [s for s in path.split("/") if s]
    if not segments:
        return host or path
    if len(segments) > 1 and (len(segments[-1]) < 3 or segments[-1].isdigit()):
        return "/".join(segments[-2:])
    return segments[-1]


def _could_identify(value: str) -> bool:
    """A value an id parameter could identify someone with: not empty, not a flag word ("ON", "true")."""
    return len(value) >= 8 or (len(value) >= 4 and any(c.isdigit() for c in value))


def _classify(key: str, value: str, page: tuple[str, ...]) -> set[str]:
    marks: set[str] = set()
    lower = key.lower()
    named = lower in ID_PARAM_NAMES or lower in EXTRA_ID_NAMES
    if (named and _could_identify(value)) or looks_like_identifier(value):
        marks.add("identifier")
    if value and _EMAIL.match(value):
        marks.add("email")
    if value.startswith(("http://", "https://")):
        marks.add("page" if _page_key(value) in page else "url")
    if key in CONSENT_PARAMS:
        marks.add("consent")
    return marks


def _value_hash(value: str) -> str:
    return hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()[:16]


def _url_pairs(url: str) -> list[tuple[str, str, str]]:
    """(where, name, value) of each query parameter and each ``;name=value`` path parameter, decoded."""
    _, _, query, matrix = _split(url)
    pairs = [("query", k, v) for k, v in parse_qsl(query, keep_blank_values=True)]
    for segment in matrix.split(";") if matrix else ():
        if segment:
            name, _, value = segment.partition("=")
            pairs.append(("path", unquote(name), unquote(value)))
    return pairs


def _param_stats(requests: Sequence[Request], index: Index) -> dict[tuple[str, str], dict]:
    """Per (where, name), in first-seen order: on how many requests it was sent, its values (the first
    VALUES_TRACKED, ``more`` beyond), its marks, how often it held the page's own URL, and the cookies
    whose value it carried."""
    stats: dict[tuple[str, str], dict] = {}
    for r in requests:
        seen_here: set[tuple[str, str]] = set()
        page = index.page_urls.get(r.page_url) or (_page_key(r.page_url),)
        for where, key, value in _url_pairs(r.url):
            k = (where, key)
            if k in seen_here:
                continue
            seen_here.add(k)
            s = stats.get(k)
            if s is None:
                if len(stats) >= PARAMS_SHOWN * 4:
                    continue
                s = stats[k] = {"n": 0, "values": Counter(), "more": False, "marks": set(), "page": 0}
            s["n"] += 1
            if value in s["values"] or len(s["values"]) < VALUES_TRACKED:
                s["values"][value] += 1
            else:
                s["more"] = True
            marks = _classify(key, value, page)
            if "page" in marks:
                s["page"] += 1
            s["marks"] |= marks - {"page"}
            if value and "cookie" not in s and len(value) >= 6:
                names = index.hash_names.get(_value_hash(value))
                if names:
                    s["cookie"] = names
    return stats


def _spread(s: dict, total: int) -> tuple[str, bool]:
    """How a parameter's values spread over the requests ("same on all 9 requests", "3 different
    values; in 4 of 9 requests"), and whether it mostly held the page's own URL."""
    distinct = len(s["values"])
    page = bool(s["page"]) and s["page"] * 2 >= s["n"]
    if page:
        text = (
            "the page's own URL on each request"
            if s["page"] == s["n"]
            else f"the page's own URL on {s['page']} of {s['n']} requests"
        )
    elif distinct == 1:
        text = (
            ""
            if s["n"] == 1
            else "same on both requests"
            if s["n"] == 2
            else f"same on all {s['n']} requests"
        )
    else:
        text = f"{distinct}{'+' if s['more'] else ''} different values"
    if s["n"] < total:
        text = (text + "; " if text else "") + f"in {s['n']} of {total} requests"
    return text, page


def _params(requests: Sequence[Request], host: str, path: str, index: Index) -> tuple[list[dict], int]:
    """Decoded query and matrix parameters across ``requests``, in first-seen order, and the number of
    distinct names (of which at most PARAMS_SHOWN are listed)."""
    sample = requests[:PARAM_REQUESTS]
    stats = _param_stats(sample, index)
    leaks = index.leaks.get((host, path), {})
    rows = []
    for (where, key), s in list(stats.items())[:PARAMS_SHOWN]:
        first, _ = s["values"].most_common(1)[0] if s["values"] else ("", 0)
        spread, page = _spread(s, len(sample))
        marks = set(s["marks"])
        if page:
            marks.add("page")
            marks.discard("url")
        notes: list[str] = []
        if s.get("cookie"):
            marks.add("cookie")
            notes.extend(f"the value of cookie {name}" for name in s["cookie"][:3])
        leak = leaks.get(key) if where == "query" else None
        if leak:
            marks |= leak["kinds"]
            notes.extend(n for n in (f"the value of {label}" for label in leak["labels"]) if n not in notes)
        rows.append(_param_row(where, key, first, spread, marks, notes))
    # what the payload scanner found in request bodies (the bodies themselves are not kept)
    for name, leak in leaks.items():
        if leak["where"] == "query" or len(rows) >= PARAMS_SHOWN:
            continue
        rows.append(
            _param_row(
                leak["where"],
                name,
                "",
                "the body is not kept by the scan",
                set(leak["kinds"]),
                [f"the value of {label}" for label in leak["labels"]],
            )
        )
    return rows, len(stats) + sum(1 for leak in leaks.values() if leak["where"] != "query")


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _param_row(where: str, key: str, value: str, spread: str, marks: set[str], notes: list[str]) -> dict:
    ordered = [m for m in MARK_LABELS if m in marks]
    return {
        "where": where,
        "key": key[:200],
        "value": _clip(value, VALUE_CHARS),
        "spread": spread,
        "marks": [{"kind": m, "label": MARK_LABELS[m]} for m in ordered],
        "notes": notes,
        "highlight": bool(marks & HIGHLIGHT),
    }


def _groups(requests: Sequence[Request], index: Index, safe_href) -> tuple[list[dict], int]:
    """Requests grouped by host and path, most requests first: (the first GROUPS_SHOWN, how many)."""
    buckets: dict[tuple[str, str], list[Request]] = {}
    for r in requests:
        host, path, _, _ = _split(r.url)
        buckets.setdefault((host or r.host, path), []).append(r)
    ordered = sorted(buckets.items(), key=lambda kv: (-len(kv[1]), kv[0]))
    rows = []
    for (host, path), members in ordered[:GROUPS_SHOWN]:
        pages = list(dict.fromkeys(r.page_url for r in members))
        urls = list(dict.fromkeys(r.url for r in members))
        initiators = list(dict.fromkeys(r.initiator for r in members if r.initiator))
        types = Counter(r.resource_type for r in members)
        reasons = list(dict.fromkeys(r.beacon_reason for r in members if r.beacon_reason))
        methods = list(dict.fromkeys(r.method for r in members if r.method))
        params, params_total = _params(members, host, path, index)
        rows.append(
            {
                "label": _label(host, path),
                "where": (host + path)[:500],
                "url": urls[0][:2000],
                "urls": len(urls),
                "requests": len(members),
                "beacons": sum(r.is_beacon for r in members),
                "pages": len(pages),
                "page_sample": [{"url": p, "href": safe_href(p)} for p in pages[:PAGES_SHOWN]],
                "pages_more": max(0, len(pages) - PAGES_SHOWN),
                "types": ", ".join(t if n == len(members) else f"{t} {n}" for t, n in types.most_common()),
                "methods": ", ".join(methods),
                "reasons": ", ".join(reasons),
                "initiators": initiators[:INITIATORS_SHOWN],
                "initiators_more": max(0, len(initiators) - INITIATORS_SHOWN),
                "params": params,
                "params_more": max(0, params_total - len(params)),
            }
        )
    return rows, len(ordered)


def _sample_requests(f: Finding) -> list[Request]:
    """The finding's sampled requests as records (for a finding whose full set cannot be found)."""
    out = []
    for kind in ("requests", "beacons"):
        for d in getattr(f.evidence, kind):
            url = str(d.get("url", ""))
            out.append(
                Request(
                    url=url,
                    method=str(d.get("method") or ""),
                    resource_type=str(d.get("resource_type", "") or ""),
                    host=_split(url)[0],
                    registrable_domain="",
                    third_party=True,
                    page_url=str(d.get("page_url", "") or ""),
                    initiator=d.get("initiator") if isinstance(d.get("initiator"), str) else None,
                    is_beacon=kind == "beacons",
                    beacon_reason=str(d.get("reason") or "") or None,
                )
            )
    return out


def request_evidence(f: Finding, index: Index, safe_href) -> dict:
    """The finding's requests as groups: beacons and other requests apart, with the totals."""
    pool, complete = _requests_of(f, index)
    if pool is None:
        pool = _sample_requests(f)
        complete = len(pool) == f.evidence.total("requests") + f.evidence.total("beacons")
    beacons = [r for r in pool if r.is_beacon]
    others = [r for r in pool if not r.is_beacon]
    beacon_groups, beacon_groups_n = _groups(beacons, index, safe_href)
    other_groups, other_groups_n = _groups(others, index, safe_href)
    return {
        "complete": complete,
        "listed": len(pool),
        "beacon_groups": beacon_groups,
        "beacon_groups_n": {"total": beacon_groups_n, "shown": len(beacon_groups)},
        "other_groups": other_groups,
        "other_groups_n": {"total": other_groups_n, "shown": len(other_groups)},
    }


# ---- the view ----------------------------------------------------------------------------------------


def _cookie_headers(refs: Iterable[dict], index: Index) -> list[str | None]:
    out = []
    for ref in refs:
        c = index.cookies.get(
            (str(ref.get("name", "")), str(ref.get("domain", "")), str(ref.get("path", "")))
        )
        out.append(index.set_cookie(c) if c is not None else None)
    return out


def _enrich(row: dict, f: Finding, index: Index, anchor: str, safe_href) -> None:
    """Add the evidence keys to a finding row of html_view (rows are plain dicts the template prints)."""
    row["anchor"] = anchor
    row["sent"] = f.evidence.total("requests") + f.evidence.total("beacons")
    row["request_groups"] = request_evidence(f, index, safe_href)
    for cookie_row, header in zip(
        row.get("cookies", ()), _cookie_headers(f.evidence.cookies, index), strict=False
    ):
        cookie_row["set_cookie"] = header or ""


def passed(row: dict) -> bool:
    """Declared and consistent, and nothing (gate, warning, waiver) asks to look at it."""
    return row.get("status") == "declared" and not row.get("failing") and not row.get("warning")


def evidence_view(
    result: ScanResult, findings: list[dict], consent: dict | None, behaviour: dict | None = None
) -> dict:
    """Adds the evidence keys to the finding rows (``findings``: one per ``result.findings``, in order;
    ``consent["findings"]``: one per consent finding, in the consent section's order) and returns the
    anchors, the inventory links and the problems / passed split of the findings table."""
    from scanner.report.consent_text import consent_findings
    from scanner.report.html_view import safe_href

    index = Index(result)
    anchors = Anchors()
    hrefs: dict[str, str | None] = {}

    def href(url: str) -> str | None:  # page URLs repeat from group to group
        if url not in hrefs:
            hrefs[url] = safe_href(url)
        return hrefs[url]

    vendor_anchor: dict[str, str] = {}
    for row, f in zip(findings, result.findings, strict=False):
        anchor = anchors.make("vendor", f.vendor)
        vendor_anchor.setdefault(f.vendor, anchor)
        _enrich(row, f, index, anchor, href)
    if consent:
        for row, f in zip(consent.get("findings", ()), consent_findings(result.consent), strict=False):
            _enrich(row, f, index, anchors.make("consent", f.status, f.vendor), href)
    if behaviour:
        for group in behaviour.get("groups", ()):
            for row in group.get("findings", ()):
                row["anchor"] = anchors.make(
                    "behaviour", str(row.get("kind", "")), str(row.get("vendor", ""))
                )

    hosts: dict[str, Counter[str]] = defaultdict(Counter)
    for r in result.requests:
        if r.third_party and r.vendor:
            hosts[r.host][r.vendor] += 1

    def link(name: str) -> dict:
        return {"name": name, "anchor": vendor_anchor.get(name)}

    problems = [row for row in findings if not passed(row)]
    ok = [row for row in findings if passed(row)]
    return {
        "anchors": vendor_anchor,
        "problems": problems,
        "passed": ok,
        "statuses": list(dict.fromkeys((row["status"], row["status_label"]) for row in problems)),
        "host_vendors": {h: [link(v) for v, _ in c.most_common()] for h, c in hosts.items()},
        "cookie_headers": [_clip(index.set_cookie(c) or "", INVENTORY_HEADER_CHARS) for c in result.cookies],
    }
