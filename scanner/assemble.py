"""Raw visits -> records: the one step between what the browser saw and the typed ``ScanResult``.

A raw visit is what the crawl saves for one page (a line of ``pages.jsonl``): ``{"page": {...},
"requests": [...], "beacon_marks": [...], "cookie_observations": [...], "storage": [...], "links": [...],
"api_calls": [...], "value_leaks": [...]}`` (the last two from the behaviour collectors: rows of
:class:`~scanner.model.ApiCall` and :class:`~scanner.model.ValueLeak` before attribution; a malformed
one is dropped with a note on its page, ``scanner.saved_visit.salvage_rows``).
``assemble`` folds a stream of them into one result (beacons marked on their requests, cookie
observations merged into one record per cookie, storage de-duplicated); it never holds more than the
result itself. ``recover`` rebuilds a scan from its folder when ``scan.json`` was never written.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import replace
from itertools import chain
from pathlib import Path

from scanner.collect.setcookie import DAY
from scanner.domains import cookie_registrable_domain
from scanner.errors import BadInput
from scanner.model import (
    CONSENT_PASSES,
    ApiCall,
    Cookie,
    Page,
    Request,
    ScanMeta,
    ScanResult,
    StorageItem,
    ValueLeak,
    from_jsonable,
    to_jsonable,
)
from scanner.safetext import repair_text, repair_visit
from scanner.saved_visit import ShapeError, check_meta, check_visit, salvage_rows
from scanner.scope import Scope

VISITS_FILE = "pages.jsonl"


def pass_visits_file(name: str) -> str:
    """The file of a consent pass's visits (the crawl itself, pass "none", is ``pages.jsonl``)."""
    return VISITS_FILE if name == "none" else f"consent-{name}.jsonl"


# Behaviour rows are bounded again here (the collectors bound them too): what a page controls (argument
# samples, canvas facts) never grows a record beyond these.
MAX_API_ROWS = 5000  # per visit
MAX_LEAK_ROWS = 2000  # per visit
MAX_ARGS = 64
MAX_ARG_CHARS = 300
MAX_CANVAS_READS = 32
MAX_URL_CHARS = 2000

META_FILE = "scan-meta.json"
MAX_META_BYTES = 16 * 2**20  # a scan's scan-meta.json is a few kB


def assemble(
    meta: ScanMeta, scope: Scope, visits: Iterable[dict], problems: list[str] | None = None
) -> ScanResult:
    """ScanResult from raw visits, in visit order. A visit that is not a usable record is skipped and
    described in ``meta.errors`` (plus anything already in ``problems``); the result is then partial.

    Visits of consent passes (``page.consent_pass``, see ``scanner.consent``) are visits of another
    browser profile: their cookies and storage are merged within their pass only, and every record is
    tagged with its pass and, in a pass whose banner was answered, its phase (before or after the
    action: by time on the page where it happened, after it on every later page of the pass).
    """
    problems = list(problems or ())
    pages, requests, storage = [], [], []
    api_calls: list[ApiCall] = []
    value_leaks: list[ValueLeak] = []
    observations: dict[str, list[dict]] = {}
    seen_storage: set[tuple[str, str, str, str]] = set()
    acted: set[str] = set()  # passes whose banner has been answered by the current visit
    for n, visit in enumerate(visits, 1):
        try:
            page, reqs, obs, items, calls, leaks = _records(repair_visit(visit))
        except Exception as exc:  # noqa: BLE001 - one bad visit is a note, never the end of the result
            problems.append(f"saved visit {n} is unusable ({type(exc).__name__}: {str(exc)[:200]}); skipped")
            continue
        name = page.consent_pass
        action_at = (page.consent or {}).get("action_at")
        action_at = action_at if isinstance(action_at, (int, float)) and name not in acted else None
        after = name in acted

        def phase(ts: object, action_at=action_at, after=after) -> str | None:
            if after:
                return "after_action"
            if action_at is None:
                return None
            return "before_action" if isinstance(ts, (int, float)) and ts < action_at else "after_action"

        if action_at is not None:
            acted.add(name)
        pages.append(page)
        api_calls.extend(replace(a, consent_pass=name) for a in calls)
        value_leaks.extend(replace(v, consent_pass=name) for v in leaks)
        requests.extend(replace(r, consent_pass=name, consent_phase=phase(r.timestamp)) for r in reqs)
        for o in obs:
            o["consent_pass"], o["consent_phase"] = name, phase(o.get("ts"))
        observations.setdefault(name, []).extend(obs)
        for item in items:
            ident = (name, item.origin, item.kind, item.key)
            if ident not in seen_storage:
                seen_storage.add(ident)
                # A key seen written (a DevTools storage event) has the time of its first write; one
                # only read at the end of the visit has none, so a phase only after the action page.
                timed = item.written_at is not None and not after
                when = phase(item.written_at) if timed else ("after_action" if after else None)
                storage.append(replace(item, consent_pass=name, consent_phase=when))
    if problems:
        meta = replace(meta, interrupted=True, errors=(*meta.errors, *problems))
    meta = valid_text_meta(meta)
    cookies = [c for group in observations.values() for c in merge_cookies(group, scope)]
    return ScanResult(
        meta=meta,
        pages=tuple(pages),
        requests=tuple(requests),
        cookies=tuple(cookies),
        storage=tuple(storage),
        api_calls=tuple(api_calls),
        value_leaks=tuple(value_leaks),
    )


def valid_text_meta(meta: ScanMeta) -> ScanMeta:
    """``meta`` with its text valid Unicode (an error message may quote a page's text)."""
    fixed, count = repair_text(to_jsonable(meta))
    return from_jsonable(ScanMeta, fixed) if count else meta


def _records(
    visit: dict,
) -> tuple[Page, list[Request], list[dict], list[StorageItem], list[ApiCall], list[ValueLeak]]:
    visit = salvage_rows(visit)  # a malformed behaviour row costs that row (noted), not the page
    check_visit(visit)  # ShapeError (a ValueError) names the first value of the wrong type
    page = from_jsonable(Page, visit["page"])
    consent = visit.get("consent")
    if isinstance(consent, list) and consent and isinstance(consent[0], dict) and page.consent is None:
        page = replace(page, consent=consent[0])
    marks = {m["id"]: m for m in visit.get("beacon_marks", [])}
    requests = []
    for row in visit.get("requests", []):
        mark = marks.get(row.get("id"))
        row = {k: v for k, v in row.items() if k != "id"}
        if mark:
            row["is_beacon"] = True
            row["beacon_reason"] = mark["reason"]
            row["image_size"] = mark.get("size")
        requests.append(from_jsonable(Request, row))
    observations = [dict(o) for o in visit.get("cookie_observations", [])]
    for o in observations:
        _key(o)  # a malformed observation fails here, with its visit
    storage = [from_jsonable(StorageItem, item) for item in visit.get("storage", [])]
    calls = [_api_call(row) for row in visit.get("api_calls", [])[:MAX_API_ROWS]]
    leaks = [_value_leak(row) for row in visit.get("value_leaks", [])[:MAX_LEAK_ROWS]]
    return page, requests, observations, storage, calls, leaks


def _api_call(row: dict) -> ApiCall:
    """An ApiCall from a collector row, bounded; attribution fields are left for ``attribute``."""
    row = {
        k: row[k]
        for k in ("page_url", "api", "count", "script", "frame_url", "args", "args_total", "canvas")
        if k in row
    }
    call = from_jsonable(ApiCall, row)
    args = tuple(a[:MAX_ARG_CHARS] for a in call.args[:MAX_ARGS])
    return replace(
        call,
        api=call.api[:200],
        count=max(0, call.count),
        script=call.script[:MAX_URL_CHARS] if call.script else call.script,
        args=args,
        args_total=max(call.args_total, len(set(args))),
        canvas=tuple(_canvas_read(c) for c in call.canvas[:MAX_CANVAS_READS] if isinstance(c, dict)),
    )


_CANVAS_FACTS = {
    "width": int,
    "height": int,
    "read_width": int,
    "read_height": int,
    "text_chars": int,
    "colors": int,
    "save_restore": bool,
    "listeners": bool,
}


def _canvas_read(read: dict) -> dict:
    """The known facts of one canvas read with their types (anything else, or of another type, is
    dropped: the page drew the canvas, so nothing else of it is kept)."""
    out: dict = {}
    for key, kind in _CANVAS_FACTS.items():
        value = read.get(key)
        if kind is bool and isinstance(value, bool):
            out[key] = value
        elif (
            kind is int
            and isinstance(value, (int, float))
            and not isinstance(value, bool)
            and abs(value) < 2**31
        ):
            out[key] = int(value)  # saved numbers are finite (scanner.saved_visit); not absurd either
    return out


def _value_leak(row: dict) -> ValueLeak:
    """A ValueLeak from a collector row; the receiving side and vendors are left for ``attribute``."""
    keep = (
        "kind",
        "page_url",
        "source",
        "name",
        "url",
        "encoding",
        "location",
        "param",
        "source_domain",
        "source_first_party",
        "method",
        "resource_type",
        "timestamp",
    )
    leak = from_jsonable(ValueLeak, {k: row[k] for k in keep if k in row})
    return replace(leak, url=leak.url[:MAX_URL_CHARS], name=leak.name[:300])


def _key(obs: dict) -> tuple[str, str, str]:
    return (obs["name"], obs["domain"].lower(), obs["path"])


def merge_cookies(observations: list[dict], scope: Scope) -> list[Cookie]:
    """One Cookie per (name, domain, path) from all observations of a scan, oldest first.

    Attributes come from the jar when the browser stored the cookie (that is what it keeps), else from
    the header. ``set_by`` is "http" when any Set-Cookie header set it, or when it is HttpOnly: scripts
    cannot write HttpOnly cookies (a document.cookie write asking for HttpOnly is ignored by the
    browser, so it sets nothing here either). Else "js": a cookie in the jar that no response header
    set can only come from script. A header observation the jar never confirmed is kept with
    ``in_jar = False`` (e.g. a third-party cookie the browser blocked). Deletions (expiry in the past)
    do not create cookies. The lifetime is measured from the first time the jar held the cookie, so it
    does not shrink the longer a crawl runs.
    """
    groups: dict[tuple[str, str, str], list[dict]] = {}
    for obs in sorted(observations, key=lambda o: o.get("ts") or 0):
        groups.setdefault(_key(obs), []).append(obs)
    cookies = []
    for (name, domain, path), group in groups.items():
        jar = [o for o in group if o["source"] == "jar"]
        # A script cannot write an HttpOnly cookie: the browser ignores such a document.cookie write.
        setters = [
            o for o in group if o["source"] == "set-cookie" or (o["source"] != "jar" and not o["http_only"])
        ]
        live_setters = [
            o for o in setters if (o["declared_lifetime_days"] is None or o["declared_lifetime_days"] > 0)
        ]
        if not jar and not live_setters:
            continue  # only deletions or expired writes
        base = jar[-1] if jar else live_setters[-1]
        first = group[0]
        http = [o for o in setters if o["source"] == "set-cookie"]
        origin = http[0] if http else (setters[0] if setters else None)
        declared = [
            o["declared_lifetime_days"] for o in live_setters if o["declared_lifetime_days"] is not None
        ]
        measured = next((o for o in (jar or live_setters) if o["expires"] is not None), None)
        if base["expires"] is None or measured is None:
            lifetime = None
        else:
            lifetime = round(max(0.0, (measured["expires"] - measured["ts"]) / DAY), 3)
        pages: dict[str, None] = {}
        for o in group:
            pages.setdefault(o["page_url"], None)
        # The first write seen on its first page (a header or a script); the jar's reading is no write.
        write = next((o for o in group if o["source"] != "jar" and o["page_url"] == first["page_url"]), None)
        reg = cookie_registrable_domain(domain)
        cookies.append(
            Cookie(
                name=name,
                domain=base["domain"],
                path=path,
                expires=base["expires"],
                secure=base["secure"],
                http_only=base["http_only"],
                same_site=base["same_site"],
                first_party=reg in scope.domains,
                # An HttpOnly cookie comes from a response even when its header was not seen (a tab
                # closed before the header event arrived): scripts cannot set one.
                set_by="http" if http or base["http_only"] else "js",
                page_url=first["page_url"],
                registrable_domain=reg,
                host_only=base["host_only"],
                in_jar=bool(jar),
                declared_lifetime_days=max(declared)
                if declared
                else (None if base["expires"] is None else lifetime),
                lifetime_days=lifetime,
                setter_url=origin["setter_url"] if origin else None,
                value_hash=base["value_hash"],
                value=base["value"],
                pages=tuple(pages),
                consent_pass=first.get("consent_pass", "none"),
                consent_phase=first.get("consent_phase"),
                set_at=write["ts"] if write is not None and _finite(write.get("ts")) else None,
            )
        )
    return cookies


def _finite(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def read_meta(folder: Path) -> tuple[ScanMeta, Scope]:
    """The scan's meta and scope as saved in ``scan-meta.json`` (BadInput when absent, too large, not
    JSON or not the shape the scanner writes)."""
    folder = Path(folder)
    meta_path = folder / META_FILE
    if not meta_path.exists():
        raise BadInput(f"{folder}: no {META_FILE}; not a scan folder")
    try:
        with meta_path.open("rb") as fh:
            raw = fh.read(MAX_META_BYTES + 1)
        if len(raw) > MAX_META_BYTES:
            raise ShapeError(f"larger than {MAX_META_BYTES // 2**20} MB")
        data = json.loads(raw.decode("utf-8", "replace"))
        check_meta(data)
        fixed, _ = repair_text(data)
        meta = from_jsonable(ScanMeta, fixed["meta"])
        scope = Scope.from_domains(list(fixed.get("first_party_domains", [])))
    except (OSError, ValueError, RecursionError) as exc:
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise BadInput(f"{meta_path}: unreadable ({why[:200]})") from None
    return meta, scope


def recover(folder: Path) -> ScanResult:
    """Assemble the scan saved in ``folder`` (a scan that stopped before writing scan.json).

    A scan whose meta has no ``finished_at`` was killed (SIGKILL, power loss, OOM): it is marked
    interrupted, as is one with saved lines that cannot be read back, each described in ``meta.errors``.
    """
    from scanner.sink import JsonlSink  # the file format lives with its writer

    meta, scope = read_meta(folder)
    killed = meta.finished_at is None
    if killed:
        meta = replace(
            meta,
            interrupted=True,
            errors=(*meta.errors, "the scan was killed before it finished: evidence is partial"),
        )
    sinks = [JsonlSink(folder)]
    sinks += [
        JsonlSink(folder, visits_file=pass_visits_file(name), write_meta=False)
        for name in CONSENT_PASSES[1:]
        if (Path(folder) / pass_visits_file(name)).exists()
    ]
    crawled: list[dict] = []  # what the coverage needs of each crawl visit: its page and the links found

    def tapped(visits: Iterable[dict]) -> Iterable[dict]:
        for visit in visits:
            crawled.append({k: visit[k] for k in ("page", "links", "sitemap_links") if k in visit})
            yield visit

    visits = (visit for sink in sinks[1:] for visit in sink.visits())
    result = assemble(meta, scope, chain(tapped(sinks[0].visits()), visits))
    problems = [p for sink in sinks for p in sink.problems]
    if problems:
        result = replace(
            result,
            meta=replace(result.meta, interrupted=True, errors=(*result.meta.errors, *problems)),
        )
    if killed or result.meta.coverage is None:  # a killed scan saved none (a resumed one: the old run's)
        from scanner.crawl.frontier import recovered_coverage

        options = meta.options if isinstance(meta.options, dict) else {}
        stopped = "interrupted" if killed else None
        coverage = recovered_coverage(meta.start_urls, scope, options, crawled, stopped)
        result = replace(result, meta=replace(result.meta, coverage=coverage))
    return result
