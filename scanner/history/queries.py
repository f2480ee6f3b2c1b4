"""Questions to the history: :func:`trend` (one site over time), :func:`matrix` (a campaign's sites ×
vendors), :func:`compare` (two scans), :func:`list_scans`.

Scans are ordered by their start time (then id); "latest" is the last of that order. The SQL is plain
(joins, GROUP BY, ``NOT EXISTS``), for SQLite and PostgreSQL alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.errors import BadInput
from scanner.history import dialect
from scanner.history.db import open_history
from scanner.history.extract import site_key, vendor_key

DECLARATION_ORDER = ("undeclared", "mismatch", "not_observed", "declared")
# A matrix cell: the declaration status of the vendor on the site, else "seen" (observed, not a tracker
# the declaration is compared with), else "" (not on that site).
CELL_STATUSES = (*DECLARATION_ORDER, "seen")


@dataclass(frozen=True)
class ScanInfo:
    id: int
    site: str
    campaign: str | None
    start_url: str
    started_at: str
    verdict: str
    exit_code: int
    interrupted: bool
    pages: int
    scan_json: str


# Where an item of a trend stands: in the site's latest scan; gone (a complete scan after it was last
# seen did not see it); or not seen since only by partial scans (cut short: no evidence it is gone).
PRESENT, GONE, NOT_SEEN_PARTIAL = "present", "gone", "not_seen_partial"
STATE_ORDER = {PRESENT: 0, NOT_SEEN_PARTIAL: 1, GONE: 2}


@dataclass(frozen=True)
class TrendRow:
    """One vendor, cookie or finding of a site across its scans."""

    type: str  # vendor | cookie | finding
    name: str  # vendor name; cookie name; finding kind
    detail: str  # vendor: its status in the latest scan it was in; cookie: its domain; finding: the vendor
    first_seen: str  # started_at of the first scan it was in
    last_seen: str
    first_scan: int
    last_scan: int
    scans: int  # scans it was in, complete and partial (scans_partial of them)
    in_latest: bool  # in the site's latest scan
    key: str = ""  # finding: its fingerprint
    # PRESENT, GONE or NOT_SEEN_PARTIAL: a partial scan that did not see it is no evidence it is gone
    state: str = PRESENT
    scans_partial: int = 0  # of ``scans``, those that were partial (cut short)


@dataclass(frozen=True)
class Trend:
    site: str
    scans: tuple[ScanInfo, ...]
    rows: tuple[TrendRow, ...]

    @property
    def partial(self) -> int:
        """How many of the site's scans were partial (cut short)."""
        return sum(s.interrupted for s in self.scans)

    @property
    def latest(self) -> ScanInfo:
        return self.scans[-1]


@dataclass(frozen=True)
class Cell:
    status: str  # CELL_STATUSES
    kinds: tuple[str, ...] = ()  # consent and behaviour finding kinds of the vendor on the site
    passes: tuple[str, ...] = ()  # passes in which it was seen
    pages: int = 0  # pages of the crawl (or the pass) where it was seen, the largest of its passes


@dataclass(frozen=True)
class MatrixVendor:
    name: str
    category: str | None
    sites: int  # sites where it was seen, by complete and partial scans (partial_sites of them)
    undeclared: int  # sites where it is undeclared
    partial_sites: int = 0  # of ``sites``, those whose latest scan was partial (cut short)


@dataclass(frozen=True)
class Matrix:
    campaign: str
    sites: tuple[ScanInfo, ...]  # each site's latest scan in the campaign
    vendors: tuple[MatrixVendor, ...]  # most widespread first
    cells: dict[tuple[str, str], Cell] = field(default_factory=dict)  # (site, vendor) -> cell

    def cell(self, site: str, vendor: str) -> Cell | None:
        return self.cells.get((site, vendor))


@dataclass(frozen=True)
class Change:
    name: str
    detail: str
    before: str | None  # status / kind in scan A (None: absent)
    after: str | None


@dataclass(frozen=True)
class Comparison:
    a: ScanInfo
    b: ScanInfo
    vendors: tuple[Change, ...]  # added, removed or with another declaration status
    cookies: tuple[Change, ...]  # added or removed (name, domain)
    findings: tuple[Change, ...]  # new or gone (kind, vendor)


_SCAN_COLUMNS = (
    "s.id, t.site_key, s.campaign, s.start_url, s.started_at, s.verdict, s.exit_code, s.interrupted, "
    "s.pages, s.scan_json"
)


def _info(row) -> ScanInfo:
    return ScanInfo(
        id=int(row[0]),
        site=row[1],
        campaign=row[2],
        start_url=row[3],
        started_at=row[4],
        verdict=row[5],
        exit_code=int(row[6]),
        interrupted=bool(row[7]),
        pages=int(row[8]),
        scan_json=row[9],
    )


def list_scans(db: str | Path, *, site: str | None = None, campaign: str | None = None) -> list[ScanInfo]:
    """The scans recorded (of one site, of one campaign), oldest first."""
    where, params = ["1 = 1"], []
    if site is not None:
        where.append("t.site_key = ?")
        params.append(site_key(site))
    if campaign is not None:
        where.append("s.campaign = ?")
        params.append(campaign)
    with open_history(db, create=False) as conn:
        rows = conn.execute(
            dialect.sql(
                f"SELECT {_SCAN_COLUMNS} FROM scans s JOIN sites t ON t.id = s.site_id "
                f"WHERE {' AND '.join(where)} ORDER BY s.started_at, s.id"
            ),
            params,
        ).fetchall()
    return [_info(r) for r in rows]


def trend(db: str | Path, site: str) -> Trend:
    """Each vendor, cookie (name, domain) and finding (by fingerprint) of ``site`` (a URL or host):
    first and last seen, in how many of the site's scans, whether the latest scan has it, and if not
    whether it is gone (a complete scan since did not see it) or only not seen by partial scans."""
    key = site_key(site)
    with open_history(db, create=False) as conn:
        scans = [
            _info(r)
            for r in conn.execute(
                dialect.sql(
                    f"SELECT {_SCAN_COLUMNS} FROM scans s JOIN sites t ON t.id = s.site_id "
                    "WHERE t.site_key = ? ORDER BY s.started_at, s.id"
                ),
                (key,),
            )
        ]
        if not scans:
            raise BadInput(f"no scan of {key} in the history database {db}")
        order = {s.id: i for i, s in enumerate(scans)}
        rows: list[TrendRow] = []
        seen = _seen(conn, "vendor_obs", "o.vendor", "''", key)
        status = {
            (vendor, int(scan_id)): value or "seen"
            for vendor, scan_id, value in conn.execute(
                dialect.sql(
                    "SELECT o.vendor, o.scan_id, MAX(o.status) FROM vendor_obs o "
                    "JOIN scans s ON s.id = o.scan_id JOIN sites t ON t.id = s.site_id "
                    "WHERE t.site_key = ? GROUP BY o.vendor, o.scan_id"
                ),
                (key,),
            )
        }
        # a vendor's detail: its declaration status in the last scan that saw it
        rows += _rows("vendor", seen, order, scans, lambda name, _, last: status.get((name, last), "seen"))
        rows += _rows("cookie", _seen(conn, "cookie_obs", "o.name", "o.domain", key), order, scans)
        rows += _rows(
            "finding", _seen(conn, "findings", "o.kind", "o.vendor", key, "o.fingerprint"), order, scans
        )
    return Trend(site=key, scans=tuple(scans), rows=tuple(rows))


def _seen(conn, table: str, name: str, detail: str, key: str, ident: str | None = None) -> list[tuple]:
    """(name, detail, ident, scan id) for every scan of the site that has the item."""
    ident = ident or "''"
    return conn.execute(
        dialect.sql(
            f"SELECT DISTINCT {name}, {detail}, {ident}, o.scan_id FROM {table} o "
            "JOIN scans s ON s.id = o.scan_id JOIN sites t ON t.id = s.site_id WHERE t.site_key = ?"
        ),
        (key,),
    ).fetchall()


def _rows(kind: str, seen: list[tuple], order: dict[int, int], scans: list[ScanInfo], detail=None):
    grouped: dict[tuple[str, str, str], list[int]] = {}
    for name, extra, ident, scan_id in seen:
        grouped.setdefault((name, extra or "", ident or ""), []).append(order[int(scan_id)])
    latest = len(scans) - 1
    complete = [i for i, s in enumerate(scans) if not s.interrupted]
    last_complete = complete[-1] if complete else -1
    rows = []
    for (name, extra, ident), positions in grouped.items():
        first, last = min(positions), max(positions)
        state = PRESENT if last == latest else GONE if last_complete > last else NOT_SEEN_PARTIAL
        rows.append(
            TrendRow(
                type=kind,
                name=name,
                detail=detail(name, extra, scans[last].id) if detail else extra,
                first_seen=scans[first].started_at,
                last_seen=scans[last].started_at,
                first_scan=scans[first].id,
                last_scan=scans[last].id,
                scans=len(set(positions)),
                in_latest=last == latest,
                key=ident,
                state=state,
                scans_partial=sum(scans[i].interrupted for i in set(positions)),
            )
        )
    rows.sort(key=lambda r: (STATE_ORDER[r.state], r.first_seen, r.name.casefold(), r.detail))
    return rows


def campaigns(conn) -> list[str]:
    rows = conn.execute(
        dialect.sql("SELECT DISTINCT campaign FROM scans WHERE campaign IS NOT NULL ORDER BY campaign")
    )
    return [r[0] for r in rows]


# The scan ``s`` is its site's latest in the campaign given as the parameter.
_LATEST_IN_CAMPAIGN = (
    "s.campaign = ? AND NOT EXISTS (SELECT 1 FROM scans n WHERE n.site_id = s.site_id "
    "AND n.campaign = s.campaign AND (n.started_at > s.started_at OR "
    "(n.started_at = s.started_at AND n.id > s.id)))"
)


def matrix(db: str | Path, campaign: str) -> Matrix:
    """The campaign's sites (each by its latest scan in the campaign) × the vendors seen or declared on
    them, a :class:`Cell` where a vendor was seen or has a finding."""
    with open_history(db, create=False) as conn:
        sites = [
            _info(r)
            for r in conn.execute(
                dialect.sql(
                    f"SELECT {_SCAN_COLUMNS} FROM scans s JOIN sites t ON t.id = s.site_id "
                    f"WHERE {_LATEST_IN_CAMPAIGN} ORDER BY t.site_key"
                ),
                (campaign,),
            )
        ]
        if not sites:
            known = ", ".join(campaigns(conn)[:20]) or "none"
            raise BadInput(
                f"no scan of campaign {campaign!r} in the history database {db} (campaigns: {known})"
            )
        by_scan = {s.id: s.site for s in sites}
        # joined with the latest-scan condition, not a list of ids: a campaign may have 10,000 sites
        observed = conn.execute(
            dialect.sql(
                "SELECT o.scan_id, o.vendor, o.consent_pass, o.category, o.status, o.pages FROM vendor_obs o "
                f"JOIN scans s ON s.id = o.scan_id WHERE {_LATEST_IN_CAMPAIGN} "
                "ORDER BY o.scan_id, o.vendor, o.consent_pass"
            ),
            (campaign,),
        ).fetchall()
        found = conn.execute(
            dialect.sql(
                "SELECT f.scan_id, f.vendor, f.family, f.kind, f.category FROM findings f "
                f"JOIN scans s ON s.id = f.scan_id WHERE {_LATEST_IN_CAMPAIGN} "
                "ORDER BY f.scan_id, f.vendor, f.kind"
            ),
            (campaign,),
        ).fetchall()
    return _build_matrix(campaign, sites, by_scan, observed, found)


def _build_matrix(campaign: str, sites: list[ScanInfo], by_scan: dict[int, str], observed, found) -> Matrix:
    names: dict[str, str] = {}  # vendor key -> the name shown (the first spelling met)
    category: dict[str, str | None] = {}
    parts: dict[tuple[str, str], dict[str, Any]] = {}

    def part(scan_id: int, vendor: str) -> dict[str, Any]:
        k = vendor_key(vendor)
        names.setdefault(k, vendor)
        return parts.setdefault(
            (by_scan[int(scan_id)], k), {"status": None, "kinds": [], "passes": [], "pages": 0}
        )

    for scan_id, vendor, consent_pass, cat, status, pages in observed:
        p = part(scan_id, vendor)
        category.setdefault(vendor_key(vendor), cat)
        p["passes"].append(consent_pass)
        p["pages"] = max(p["pages"], int(pages))
        p["status"] = p["status"] or status
    for scan_id, vendor, family, kind, cat in found:
        p = part(scan_id, vendor)
        category.setdefault(vendor_key(vendor), cat)
        if family == "declaration":
            p["status"] = kind
        elif kind not in p["kinds"]:
            p["kinds"].append(kind)
    cells: dict[tuple[str, str], Cell] = {}
    for (site, k), p in parts.items():
        status = p["status"] or ("seen" if p["passes"] else "")
        if not status:  # only consent / behaviour findings: seen by those audits
            status = "seen"
        cells[(site, names[k])] = Cell(
            status, tuple(p["kinds"]), tuple(dict.fromkeys(p["passes"])), p["pages"]
        )
    seen_on: dict[str, int] = dict.fromkeys(names.values(), 0)
    undeclared_on: dict[str, int] = dict.fromkeys(names.values(), 0)
    partial_on: dict[str, int] = dict.fromkeys(names.values(), 0)
    cut = {s.site for s in sites if s.interrupted}
    for (site, name), c in cells.items():  # one pass: a campaign may have 10,000 sites × 500 vendors
        seen_on[name] += c.status != "not_observed"
        undeclared_on[name] += c.status == "undeclared"
        partial_on[name] += c.status != "not_observed" and site in cut
    vendors = [
        MatrixVendor(name, category.get(k), seen_on[name], undeclared_on[name], partial_on[name])
        for k, name in names.items()
    ]
    vendors.sort(key=lambda v: (-v.sites, -v.undeclared, v.name.casefold()))
    return Matrix(campaign=campaign, sites=tuple(sites), vendors=tuple(vendors), cells=cells)


def compare(db: str | Path, scan_a: int, scan_b: int) -> Comparison:
    """What changed from scan ``scan_a`` to scan ``scan_b`` (ids): vendors added, removed or with another
    declaration status; cookies (name, domain) added or removed; findings (kind, vendor) new or gone."""
    with open_history(db, create=False) as conn:
        infos = {}
        for scan_id in (scan_a, scan_b):
            row = conn.execute(
                dialect.sql(
                    f"SELECT {_SCAN_COLUMNS} FROM scans s JOIN sites t ON t.id = s.site_id WHERE s.id = ?"
                ),
                (int(scan_id),),
            ).fetchone()
            if row is None:
                raise BadInput(f"no scan {scan_id} in the history database {db}")
            infos[scan_id] = _info(row)

        def vendors(scan_id: int) -> dict[str, tuple[str, str]]:
            rows = conn.execute(
                dialect.sql("SELECT vendor, MAX(status) FROM vendor_obs WHERE scan_id = ? GROUP BY vendor"),
                (scan_id,),
            )
            return {vendor_key(v): (v, s or "seen") for v, s in rows}

        def cookies(scan_id: int) -> dict[tuple[str, str], tuple[str, str]]:
            rows = conn.execute(
                dialect.sql("SELECT DISTINCT name, domain FROM cookie_obs WHERE scan_id = ?"), (scan_id,)
            )
            return {(n, d): (n, d) for n, d in rows}

        def findings(scan_id: int) -> dict[tuple[str, str], tuple[str, str]]:
            rows = conn.execute(
                dialect.sql("SELECT DISTINCT kind, vendor FROM findings WHERE scan_id = ?"), (scan_id,)
            )
            return {(k, vendor_key(v)): (k, v) for k, v in rows}

        va, vb = vendors(scan_a), vendors(scan_b)
        ca, cb = cookies(scan_a), cookies(scan_b)
        fa, fb = findings(scan_a), findings(scan_b)
    vendor_changes = [
        Change((vb.get(k) or va[k])[0], "", va[k][1] if k in va else None, vb[k][1] if k in vb else None)
        for k in sorted(set(va) | set(vb))
        if (va.get(k) or ("", None))[1] != (vb.get(k) or ("", None))[1]
    ]
    cookie_changes = [
        Change(k[0], k[1], "present" if k in ca else None, "present" if k in cb else None)
        for k in sorted(set(ca) ^ set(cb))
    ]
    finding_changes = [
        Change(
            (fb.get(k) or fa[k])[0],
            (fb.get(k) or fa[k])[1],
            "present" if k in fa else None,
            "present" if k in fb else None,
        )
        for k in sorted(set(fa) ^ set(fb))
    ]
    return Comparison(
        a=infos[scan_a],
        b=infos[scan_b],
        vendors=tuple(vendor_changes),
        cookies=tuple(cookie_changes),
        findings=tuple(finding_changes),
    )
