"""Plain, immutable records that flow through the pipeline and serialize to scan.json.

crawl -> collect -> attribute -> compare -> report. Every stage reads and returns these
records; nothing downstream needs a browser. ``to_dict``/``from_dict`` give the JSON form
documented by ``scanner/schema/scan.schema.json``.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar, Literal, get_args

SCHEMA_VERSION = "1.4"  # 1.1: consent passes (consent_pass/consent_phase on records, the consent block)
# 1.2: behaviour (api_calls and value_leaks records, the behaviour block, Finding.severity)
# 1.3: crawl coverage (ScanMeta.coverage), Finding.waiver (an accepted finding, scanner.waivers)
# 1.4: logged-in audits (ScanMeta.login, Page.logged_in, Coverage.excluded)
# 1.4: Page.thumbnail (a small JPEG of the page's screenshot that report.html embeds)
# 1.4: timeline (Page.nav_started_at, Cookie.set_at, StorageItem.written_at, ``ms`` on requests, cookies
#      and storage, the timeline block: scanner.timeline)

SetBy = Literal["http", "js"]
StorageKind = Literal["local", "session"]
DeclarationStatus = Literal["declared", "undeclared", "not_observed", "mismatch"]
# Kinds of consent findings (Finding.status in ScanResult.consent.findings). The bad ones fail a gate.
ConsentKind = Literal[
    "before_consent",
    "despite_reject",
    "reject_unverified",
    "gpc_ignored",
    "not_in_cmp",
    "cmp_mismatch",
    "granted_before_choice",
    "no_banner",
    "consent_gated",
    "gpc_honoured",
]
# Kinds of behaviour findings (ScanResult.behaviour.findings, scanner.behaviour): what scripts DO.
BehaviourKind = Literal[
    "fingerprinting",  # canvas, canvas-font, WebGL, audio, WebRTC IP, navigator sweep, font probing
    "security_fingerprinting",  # the same by a captcha / bot-manager / anti-fraud vendor
    "session_recording",  # a session-replay vendor with recording traffic
    "possible_session_recording",  # a third-party script observing the DOM plus input/mouse listeners
    "form_data_leak",  # a typed value (--probe-forms canary) sent to a third party before submit
    "id_sharing",  # a cookie / storage identifier sent to another party
    "cname_cloaked",  # a first-party subdomain that behaves as a known tracker
    "embed",  # social widget, SSO button, video / map embed (information)
]
FindingStatus = Literal[DeclarationStatus, ConsentKind, BehaviourKind]
FINDING_STATUSES: tuple[str, ...] = ("undeclared", "mismatch", "not_observed", "declared")

# Consent passes (scanner.consent): the crawl itself is "none" (nobody touched the banner); "accept" and
# "reject" answer the banner on their first page; "gpc" sends Global Privacy Control and answers nothing.
CONSENT_PASSES: tuple[str, ...] = ("none", "accept", "reject", "gpc")
# Where a record stands against the banner answer of its pass: before or after the click on the page
# where the banner was answered, after it on every later page of that pass; None in passes without one.
ConsentPhase = Literal["before_action", "after_action"]
CONSENT_KINDS: tuple[str, ...] = get_args(ConsentKind)
BEHAVIOUR_KINDS: tuple[str, ...] = get_args(BehaviourKind)
# Behaviour findings that never fail a gate: they inform (an embed is named so the auditor knows it).
INFO_BEHAVIOUR_KINDS: frozenset[str] = frozenset({"embed"})
SEVERITIES: tuple[str, ...] = ("high", "medium", "low", "info")
BAD_CONSENT_KINDS: frozenset[str] = frozenset(
    {"before_consent", "despite_reject", "gpc_ignored", "not_in_cmp", "cmp_mismatch", "granted_before_choice"}
)


@dataclass(frozen=True)
class Page:
    url: str  # the URL the crawler asked for (normalised)
    depth: int
    final_url: str | None = None  # after redirects
    status: int | None = None
    title: str | None = None
    referrer: str | None = None  # page whose link led here (None for seeds)
    source: str = "link"  # seed | link | sitemap
    started_at: str | None = None  # ISO 8601 UTC
    load_ms: int | None = None  # until the load event
    total_ms: int | None = None  # whole visit incl. waits
    screenshot: str | None = None  # path relative to the scan folder
    thumbnail: str | None = None  # a small JPEG of the screenshot (report.html embeds it), same folder
    content_type: str | None = None
    error: str | None = None  # set when the visit failed; the crawl goes on
    error_kind: str | None = None  # machine kind of ``error``: timeout, dns, tls, http_status, ...
    # Evidence that could not be read on this page, one {collector, stage, error} each: the page's
    # records are incomplete in that respect (a lost jar read, a pixel body, a storage read...).
    collector_errors: tuple[dict, ...] = ()
    consent_pass: str = "none"  # the pass this visit belongs to (CONSENT_PASSES)
    # What the consent driver saw and did on this visit (scanner.consent.driver): the consent manager,
    # the banner, the action taken, its result and self-test, screenshots; None when it did not run.
    consent: dict[str, Any] | None = None
    # What --probe-forms did on this page (scanner.collect.form_probe): {"fields": typed, "skipped":
    # {reason: n}, "frames": n}; None when it did not run.
    form_probe: dict[str, Any] | None = None
    # --logged-in-check on this page (scanner.login): True logged in, False the session was lost, None not
    # checked (no check given, or the page did not load).
    logged_in: bool | None = None
    # When the navigation of this visit started (epoch seconds, the clock of Request.timestamp): the zero
    # of the page's timeline (scanner.timeline). None: not recorded (schema < 1.4).
    nav_started_at: float | None = None


@dataclass(frozen=True)
class Request:
    url: str
    method: str
    resource_type: str  # Playwright's: document, script, image, ping, xhr, fetch, ...
    host: str
    registrable_domain: str
    third_party: bool
    page_url: str  # page (top-level visit) the request belongs to
    frame_url: str | None = None
    initiator: str | None = None  # script URL that caused the request, when known
    initiator_type: str | None = None  # parser | script | other | ...
    redirect_chain: tuple[str, ...] = ()  # earlier URLs, oldest first
    status: int | None = None
    content_type: str | None = None
    body_size: int | None = None
    failure: str | None = None
    query_params: tuple[str, ...] = ()  # parameter *names* only
    is_beacon: bool = False
    beacon_reason: str | None = None  # ping | send_beacon | pixel_1x1 | tiny_image | known_endpoint
    image_size: tuple[int, int] | None = None
    service_worker: bool = False
    timestamp: float | None = None  # epoch seconds
    vendor: str | None = None
    vendor_reason: str | None = None
    # WebSocket connections (resource_type "websocket"): messages and payload bytes each way, and when
    # the handshake completed / the connection closed (epoch seconds; None: not seen). None otherwise.
    ws_frames_sent: int | None = None
    ws_frames_received: int | None = None
    ws_bytes_sent: int | None = None
    ws_bytes_received: int | None = None
    ws_opened_at: float | None = None
    ws_closed_at: float | None = None
    # For the HAR (scanner.report.har): headers as sent and received, bounded and redacted
    # (scanner.collect.httpdata), and HAR 1.2 timings in ms (send/wait/receive >= 0, others -1 = n/a).
    request_headers: tuple[dict, ...] = ()  # {"name", "value"} each
    response_headers: tuple[dict, ...] = ()
    status_text: str | None = None
    http_version: str | None = None  # "http/1.1", "h2", ... as the browser reports it
    timings: dict | None = None  # blocked, dns, connect, ssl, send, wait, receive
    # Values of the consent signals in the URL (Google Consent Mode gcs/gcd, us_privacy, gdpr, ...:
    # scanner.consent.consent_mode); signals, never identifiers.
    consent_params: dict[str, str] | None = None
    consent_pass: str = "none"
    consent_phase: ConsentPhase | None = None
    ms: int | None = None  # ``timestamp`` in ms after its page's navigation start (scanner.timeline)


@dataclass(frozen=True)
class Cookie:
    name: str
    domain: str  # as stored: ".example.com" for domain cookies, "example.com" for host-only
    path: str
    expires: float | None  # epoch seconds; None = session cookie
    secure: bool
    http_only: bool
    same_site: str | None  # Strict | Lax | None (string) | null when unknown
    first_party: bool
    set_by: SetBy
    page_url: str  # first page where the cookie was seen
    registrable_domain: str = ""
    host_only: bool = False
    in_jar: bool = True  # False: a Set-Cookie the browser refused to store
    declared_lifetime_days: float | None = None  # from Max-Age/Expires as sent, before any cap
    lifetime_days: float | None = None  # effective lifetime as stored (None = session)
    setter_url: str | None = None  # response (http) or script (js) that set it, when known
    value_hash: str | None = None  # sha256 of the value, first 16 hex chars
    value: str | None = None  # only with --keep-cookie-values
    pages: tuple[str, ...] = ()  # every page where it was seen
    vendor: str | None = None
    vendor_reason: str | None = None
    consent_pass: str = "none"
    consent_phase: ConsentPhase | None = None  # of its first observation
    # When it was first written on ``page_url`` (epoch seconds): the Set-Cookie response arrived or the
    # document.cookie write ran. None: only the jar showed it (no write seen). ``ms``: that time after the
    # page's navigation start (scanner.timeline).
    set_at: float | None = None
    ms: int | None = None

    @property
    def session(self) -> bool:
        return self.expires is None

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.name, self.domain, self.path)


@dataclass(frozen=True)
class StorageItem:
    origin: str
    kind: StorageKind
    key: str
    page_url: str
    registrable_domain: str = ""
    third_party: bool = False
    value_hash: str | None = None
    value_length: int = 0
    value: str | None = None  # only with --keep-cookie-values
    vendor: str | None = None
    vendor_reason: str | None = None
    consent_pass: str = "none"
    consent_phase: ConsentPhase | None = None  # of the first time it was seen written
    # When the first write of the key was seen on ``page_url`` (epoch seconds, a DevTools storage event).
    # None: only read when the page had settled. ``ms``: after the page's navigation start.
    written_at: float | None = None
    ms: int | None = None


@dataclass(frozen=True)
class ApiCall:
    """Calls of one browser API by one script in one frame of a page, counted in the page by the
    behaviour hooks (scanner.collect.api_calls) and pulled at the end of the visit.

    ``api`` is ``Interface.member`` as the browser names it ("CanvasRenderingContext2D.measureText",
    "HTMLCanvasElement.toDataURL", "Navigator.userAgent" for a getter, "CanvasRenderingContext2D.font"
    for a setter, "OfflineAudioContext" for a constructor, "EventTarget.addEventListener:keydown" for a
    listener of one event type). ``args`` samples distinct argument values (bounded); ``args_total``
    counts the distinct values seen. ``canvas`` holds the facts of canvas reads (toDataURL, toBlob,
    getImageData): per read, ``width``/``height`` of the canvas, ``read_width``/``read_height`` of the
    area read, ``text_chars`` (distinct characters drawn as text), ``colors`` (distinct fill/stroke
    styles), ``save_restore`` and ``listeners`` (whether the canvas saw those calls) — the inputs of the
    Englehardt & Narayanan (2016) criteria, decided in scanner.behaviour.
    """

    page_url: str
    api: str
    count: int
    script: str | None = None  # URL of the calling script (None: unknown)
    frame_url: str | None = None
    args: tuple[str, ...] = ()
    args_total: int = 0
    canvas: tuple[dict, ...] = ()
    host: str | None = None  # of the script
    registrable_domain: str | None = None
    third_party: bool = False
    vendor: str | None = None
    vendor_reason: str | None = None
    consent_pass: str = "none"


@dataclass(frozen=True)
class ValueLeak:
    """A value found in what the page sent: a typed canary (``--probe-forms``) or an identifier from a
    cookie or storage, in a request URL, body, beacon or WebSocket frame (scanner.collect.payloads).
    The value itself is never stored, only where it came from and where and how it was found."""

    kind: Literal["form_data", "identifier"]
    page_url: str
    source: str  # cookie | local | session | input (its type: email, text, search)
    name: str  # cookie name, storage key, or the input's name / id / label
    url: str  # the request that carried it (bounded)
    encoding: str  # plain | url | base64 | md5 | sha1 | sha256 (of the value as found)
    location: str  # url | body | beacon | websocket
    param: str | None = None  # the query / form parameter or JSON key holding it, when one did
    source_domain: str | None = None  # cookie domain or storage origin (None for an input)
    source_first_party: bool = True
    source_vendor: str | None = None  # vendor of the cookie / storage key (attributed)
    method: str | None = None
    resource_type: str | None = None
    timestamp: float | None = None  # epoch seconds
    host: str = ""  # of the receiving request
    registrable_domain: str = ""
    third_party: bool = False
    vendor: str | None = None  # of the receiving request (attributed)
    vendor_reason: str | None = None
    consent_pass: str = "none"


@dataclass(frozen=True)
class Declared:
    """One row of vendors.csv (or of an imported policy), resolved against the catalog."""

    name: str
    purpose: str = ""
    privacy_policy: str = ""
    category: str | None = None
    domains: tuple[str, ...] = ()
    cookies: tuple[str, ...] = ()
    line: int | None = None
    source: str | None = None  # e.g. "vendors.csv:3" or "policy: table 'Cookies', row 4"
    vendor: str | None = None  # catalog vendor it resolved to
    resolution: str | None = None  # how: exact | alias | parent | domains | unresolved
    lifetime: str | None = None  # declared cookie lifetime ("session", "30 days"), optional CSV column


EVIDENCE_KINDS: tuple[str, ...] = ("pages", "cookies", "requests", "beacons", "storage")


@dataclass(frozen=True)
class Evidence:
    """What a finding rests on. The lists are samples (``scanner.compare`` caps them: 50 pages,
    20 requests, ...); ``<kind>_total`` counts everything of that kind, so a report prints the
    total and says "showing N of M" when ``len(<kind>) < <kind>_total``. A total left out (an
    older scan.json, a hand-built Evidence) is the length of its list."""

    pages: tuple[str, ...] = ()
    cookies: tuple[dict, ...] = ()  # compact cookie refs: name, domain, path, lifetime_days, flags, ...
    requests: tuple[dict, ...] = ()  # url, page_url, resource_type, initiator
    beacons: tuple[dict, ...] = ()  # the same plus reason and query_params
    storage: tuple[dict, ...] = ()  # origin, kind, key, page_url
    pages_total: int | None = None  # distinct pages where the vendor was seen
    cookies_total: int | None = None  # distinct cookies (name, domain)
    requests_total: int | None = None  # requests that are not beacons
    beacons_total: int | None = None
    storage_total: int | None = None  # distinct storage keys (origin, kind, key)
    # What a behaviour finding rests on (scanner.behaviour), one dict per observation: the technique or
    # criterion met, the script, page and frame, the API calls counted, or where a value was found
    # (request URL, location, encoding). Not one of EVIDENCE_KINDS: other findings leave it empty.
    behaviour: tuple[dict, ...] = ()
    behaviour_total: int | None = None

    def __post_init__(self) -> None:
        for kind in (*EVIDENCE_KINDS, "behaviour"):
            listed = len(getattr(self, kind))
            total = getattr(self, kind + "_total")
            if total is None or total < listed:
                object.__setattr__(self, kind + "_total", listed)

    def total(self, kind: str) -> int:
        """Everything of ``kind`` (one of :data:`EVIDENCE_KINDS`), listed or not."""
        return int(getattr(self, kind + "_total"))

    def listed(self, kind: str) -> int:
        """How many of ``kind`` the sample list holds."""
        return len(getattr(self, kind))

    def cut(self, kind: str) -> bool:
        """True when the list of ``kind`` is a sample of a longer total."""
        return self.listed(kind) < self.total(kind)


@dataclass(frozen=True)
class Waiver:
    """The entry of a waivers file (scanner.waivers) that accepted a finding: who accepted it, why and
    until when. ``expired``: ``expires`` lies before the scan's date, so the finding fails the gate
    again. ``status`` is the finding status the entry names, or "any"."""

    vendor: str
    status: str
    reason: str
    owner: str
    expires: str  # ISO date (YYYY-MM-DD), the last day the waiver holds
    source: str  # where the entry is: "waivers.toml:12"
    expired: bool = False


@dataclass(frozen=True)
class Finding:
    vendor: str
    status: FindingStatus
    category: str | None = None
    declared_name: str | None = None
    detail: str = ""
    reasons: tuple[str, ...] = ()  # machine-readable tags, e.g. "purpose", "lifetime"
    evidence: Evidence = field(default_factory=Evidence)
    unknown: bool = False  # an unknown tracker (no catalog entry), named by its domain
    severity: str | None = None  # behaviour findings: high | medium | low | info (SEVERITIES)
    waiver: Waiver | None = None  # an accepted finding (--waivers): listed, not failing while it holds


# Why a crawl stopped short of the whole site (Coverage.stopped_by), "complete" when nothing in scope was
# left; the same words, "complete" aside, say why one discovered page was not visited (Coverage.skipped).
STOP_REASONS: tuple[str, ...] = ("complete", "max_pages", "max_depth", "trap", "interrupted", "errors")


@dataclass(frozen=True)
class Coverage:
    """How much of the site the crawl covered (``scanner.crawl.frontier``), so no report reads as more
    than it saw. Counts are true totals of distinct pages by the crawl's URL key; ``skipped`` is a sample.

    ``discovered``: in-scope pages found (start URLs, links, sitemap entries; not files such as PDFs,
    counted in ``not_html``). ``visited``: those the crawl visited, ``failed`` of which ended in an error
    (HTTP error, timeout, not HTML...). ``not_visited`` = discovered - visited, split by reason in
    ``not_visited_by``: ``max_pages`` (queued when --max-pages was reached), ``max_depth`` (linked only
    beyond --max-depth), ``trap`` (a crawl-trap bound: more query-string variants of one path than
    --max-query-variants, a path repeating its segments or too deep), ``interrupted`` (Ctrl-C, SIGTERM, a
    kill), ``errors`` (the crawl stopped on an error). ``stopped_by``: the reasons of STOP_REASONS that
    applied, or ("complete",). ``out_of_scope``: distinct links outside the first-party domains.
    ``skipped``: at most 50 unvisited pages as ``{"url", "why"}``, of ``skipped_total``. ``recovered``:
    rebuilt from the saved pages of a scan that stopped before it could save its coverage (`scanner
    report` of a killed scan): links found by the visits in flight at the kill are missing.
    """

    discovered: int
    visited: int
    failed: int = 0
    not_visited: int = 0
    not_visited_by: dict[str, int] = field(default_factory=dict)
    out_of_scope: int = 0
    not_html: int = 0
    excluded: int = 0  # distinct links never followed: log out, delete account, unsubscribe, --exclude
    stopped_by: tuple[str, ...] = ()
    skipped: tuple[dict, ...] = ()
    skipped_total: int = 0
    recovered: bool = False


@dataclass(frozen=True)
class ScanMeta:
    tool_version: str
    start_urls: tuple[str, ...]
    started_at: str
    finished_at: str | None = None
    browser: str | None = None  # executable path
    browser_source: str | None = None  # "playwright", "system" or "explicit" (--browser)
    browser_version: str | None = None
    user_agent: str | None = None
    # What a page of the scan's browser saw of it: user agent, client hints, navigator.webdriver,
    # languages, time zone, screen, viewport (scanner.visitor.READ_PRESENTED)
    presented: dict[str, Any] | None = None
    options: dict[str, Any] = field(default_factory=dict)
    catalog_version: str | None = None
    declared_source: str | None = None  # vendors.csv path or policy source
    # A partial scan: the crawl was interrupted or killed, stopped on an error, or saved evidence could
    # not be read back. Every report says so and the CI gate never passes it (exit 4).
    interrupted: bool = False
    errors: tuple[str, ...] = ()
    resumed_at: tuple[str, ...] = ()  # each `scanner scan --resume` that continued this scan
    # The consent passes run after the crawl (scanner.consent.passes): name, pages, started_at,
    # finished_at, gpc_presented, dnt_presented, error.
    consent_passes: tuple[dict, ...] = ()
    coverage: Coverage | None = None  # what the crawl discovered and visited; None: not known (schema < 1.3)
    # A logged-in audit (scanner.login): methods, check, the cookies and localStorage keys the login
    # injected (never the site's evidence; no values) and the first page found logged out. None: no login.
    login: dict[str, Any] | None = None


@dataclass(frozen=True)
class ConsentPass:
    """One pass of a consent audit, summed up from its pages' consent records."""

    name: str  # none | accept | reject | gpc
    pages: tuple[str, ...] = ()  # visited, in order
    cmp: str | None = None  # consent manager detected (autoconsent's name), None: no banner found
    popup_found: bool = False
    action: str | None = None  # optIn | optOut, on the first page where the banner was shown
    action_page: str | None = None
    action_at: float | None = None  # epoch seconds (the clock of Request.timestamp)
    result: bool | None = None  # what the consent manager's rules reported for the action
    self_test: bool | None = None  # the rules' check that a rejection stuck (None: not run)
    verified: bool = False  # accept: the action succeeded; reject: result and self-test (or CMP state)
    banner_text: str | None = None
    buttons: tuple[str, ...] = ()
    screenshot_before: str | None = None
    screenshot_after: str | None = None
    errors: tuple[str, ...] = ()
    signals: dict[str, Any] = field(default_factory=dict)  # GPC / DNT presented, consent state read


class _ReportBlock:
    """A block of scan.json made of record lists and plain fields (the consent and behaviour audits),
    with a summary of its findings. ``_RECORDS`` names each list field and the record type of its items
    (None: plain dicts)."""

    _RECORDS: ClassVar[dict[str, type | None]] = {}
    _WHERE: ClassVar[str] = ""
    findings: tuple[Finding, ...]

    @property
    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for f in self.findings:
            counts[f.status] = counts.get(f.status, 0) + 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        data = to_jsonable(self)
        data["summary"] = self.summary
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any], where: str | None = None) -> Any:
        from scanner.shapes import ShapeError

        where = where or cls._WHERE
        if not isinstance(data, dict):
            raise ShapeError(f"{where}: expected an object")
        lists: dict[str, tuple] = {}
        for key, kind in cls._RECORDS.items():
            rows = data.get(key, [])
            if not isinstance(rows, list):
                raise ShapeError(f"{where}.{key}: expected a list")
            lists[key] = tuple(
                row if kind is None else from_jsonable(kind, row, f"{where}.{key}[{i}]")
                for i, row in enumerate(rows)
            )
        plain = {k: v for k, v in data.items() if k not in cls._RECORDS and k != "summary"}
        return replace(from_jsonable(cls, plain, where), **lists)


@dataclass(frozen=True)
class ConsentReport(_ReportBlock):
    """The consent audit: its passes, the vendor x pass matrix and the consent findings.

    ``matrix`` rows: ``{"vendor", "category", "tracking", "cells": {pass: {"requests", "beacons",
    "cookies", "storage", "after_action", "pages"}}, "bad": [pass, ...]}``; a pass that did not run has
    no cell, a vendor not seen in a pass that ran has a cell of zeros.
    """

    passes: tuple[ConsentPass, ...] = ()
    matrix: tuple[dict, ...] = ()
    findings: tuple[Finding, ...] = ()
    autoconsent_version: str | None = None
    region: str | None = None  # what the results hold for: the scan's time zone and languages
    sample: int | None = None  # pages per accept/reject/gpc pass (--consent-sample)

    _RECORDS: ClassVar[dict[str, type | None]] = {"passes": ConsentPass, "matrix": None, "findings": Finding}
    _WHERE: ClassVar[str] = "consent"


@dataclass(frozen=True)
class Detection:
    """One behaviour the classifier (scanner.behaviour) recognised: a technique with the criterion it
    met, the script and vendor, and the observations it rests on."""

    kind: str  # a BehaviourKind
    technique: str  # canvas | canvas_font | webgl | audio | webrtc_ip | navigator_sweep | font_probing |
    # replay_traffic | dom_and_input | form_canary | cookie_value | storage_value | cloaked_path | ...
    criterion: str  # the published criterion met, in words
    script: str | None = None
    vendor: str | None = None
    category: str | None = None
    purpose: str = "tracking"  # tracking | security (captcha, bot manager, anti-fraud: catalog category)
    pages: tuple[str, ...] = ()  # a sample (at most 50)
    evidence: tuple[dict, ...] = ()  # a sample of the observations (at most 20)
    observations: int = 0  # every observation, listed in ``evidence`` or not
    # what the detection is about when it has no vendor: the unknown host that received a value or
    # the first-party host that hides a tracker (None: the script, or the vendor, names it)
    subject: str | None = None


@dataclass(frozen=True)
class BehaviourReport(_ReportBlock):
    """The behaviour audit: what was instrumented, the detections and the findings made of them."""

    detections: tuple[Detection, ...] = ()
    findings: tuple[Finding, ...] = ()
    probe_forms: bool = False  # --probe-forms ran (form_data_leak can only be found then)
    hooks: bool = True  # the API hooks ran (off: --behaviour off; no fingerprinting evidence)
    blind_spots: tuple[str, ...] = ()  # what this audit could not see, in words

    _RECORDS: ClassVar[dict[str, type | None]] = {"detections": Detection, "findings": Finding}
    _WHERE: ClassVar[str] = "behaviour"


@dataclass(frozen=True)
class TimelinePage:
    """The timeline of one visit (scanner.timeline): its zero, what happened on it, the banner answer.

    ``clock`` says what the zero is: "navigation" (``Page.nav_started_at``, recorded by the crawler) or
    "document" (the start of the page's own document request: scans made before schema 1.4).
    ``events``: tracker events with a time (requests and beacons of vendors or third parties, cookie and
    storage writes), between ``first_ms`` and ``last_ms``."""

    page_url: str
    consent_pass: str = "none"
    clock: Literal["navigation", "document"] = "navigation"
    started_at: float | None = None  # epoch seconds: the zero of the page's ``ms``
    events: int = 0
    first_ms: int | None = None
    last_ms: int | None = None
    vendors: int = 0  # distinct vendors among the events
    consent_action: str | None = None  # optIn | optOut: the banner was answered on this page
    consent_action_ms: int | None = None


@dataclass(frozen=True)
class VendorFirstSeen:
    """Where and when a vendor was first seen in a pass: the page of its earliest timed evidence, that
    time in ms after the page's navigation start, and what it was (a request URL, a beacon URL, a cookie
    ``name@domain``, a storage ``origin key``). ``ms`` None: its first page gave it no time (a cookie only
    the jar showed, storage read at the end). ``after_action``: in a pass whose banner was answered, that
    evidence came after the answer."""

    vendor: str
    consent_pass: str = "none"
    page_url: str = ""
    ms: int | None = None
    kind: Literal["request", "beacon", "cookie", "storage"] = "request"
    what: str = ""
    tracker: bool = True  # the vendor is a tracker (result.vendors), not a CDN or a consent manager
    after_action: bool | None = None


@dataclass(frozen=True)
class Timeline:
    """What happened when (scanner.timeline): one entry per visit with a clock, and each vendor's first
    appearance per consent pass. The times of single records are their ``ms`` fields."""

    pages: tuple[TimelinePage, ...] = ()
    vendors: tuple[VendorFirstSeen, ...] = ()

    @classmethod
    def from_dict(cls, data: Any, where: str = "timeline") -> Timeline:
        from scanner.shapes import ShapeError

        if not isinstance(data, dict):
            raise ShapeError(f"{where}: expected an object")
        lists = {}
        for key, kind in (("pages", TimelinePage), ("vendors", VendorFirstSeen)):
            rows = data.get(key, [])
            if not isinstance(rows, list):
                raise ShapeError(f"{where}.{key}: expected a list")
            lists[key] = tuple(from_jsonable(kind, row, f"{where}.{key}[{i}]") for i, row in enumerate(rows))
        return cls(**lists)


@dataclass(frozen=True)
class ScanResult:
    meta: ScanMeta
    pages: tuple[Page, ...] = ()
    requests: tuple[Request, ...] = ()
    cookies: tuple[Cookie, ...] = ()
    storage: tuple[StorageItem, ...] = ()
    declared: tuple[Declared, ...] = ()
    vendors: tuple[dict, ...] = ()  # observed vendors: name, category, parent, counts
    findings: tuple[Finding, ...] = ()
    consent: ConsentReport | None = None  # the consent audit (scanner.consent), when it ran
    api_calls: tuple[ApiCall, ...] = ()  # browser APIs called by scripts (behaviour hooks)
    value_leaks: tuple[ValueLeak, ...] = ()  # typed values and identifiers found in outgoing traffic
    behaviour: BehaviourReport | None = None  # the behaviour audit (scanner.behaviour)
    timeline: Timeline | None = None  # what happened when (scanner.timeline); None: not analysed
    schema_version: str = SCHEMA_VERSION

    @property
    def summary(self) -> dict[str, int]:
        counts = {s: 0 for s in FINDING_STATUSES}
        for f in self.findings:
            counts[f.status] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "meta": to_jsonable(self.meta),
            "pages": [to_jsonable(p) for p in self.pages],
            "requests": [to_jsonable(r) for r in self.requests],
            "cookies": [to_jsonable(c) for c in self.cookies],
            "storage": [to_jsonable(s) for s in self.storage],
            "declared": [to_jsonable(d) for d in self.declared],
            "vendors": [dict(v) for v in self.vendors],
            "findings": [to_jsonable(f) for f in self.findings],
            "summary": self.summary,
            **({"consent": self.consent.to_dict()} if self.consent is not None else {}),
            "api_calls": [to_jsonable(a) for a in self.api_calls],
            "value_leaks": [to_jsonable(v) for v in self.value_leaks],
            **({"behaviour": self.behaviour.to_dict()} if self.behaviour is not None else {}),
            **({"timeline": to_jsonable(self.timeline)} if self.timeline is not None else {}),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ScanResult:
        """The result a scan.json document holds; ShapeError (a ValueError naming the place) when any
        part of it has the wrong shape."""
        from scanner.shapes import ShapeError, check_value

        if not isinstance(data, dict):
            raise ShapeError("(root): expected an object")
        if "meta" not in data:
            raise ShapeError("(root): missing 'meta'")
        check_value(str, data.get("schema_version", SCHEMA_VERSION), "schema_version")

        def records(key: str, kind: type) -> tuple:
            rows = data.get(key, [])
            if not isinstance(rows, list):
                raise ShapeError(f"{key}: expected a list, got {type(rows).__name__}")
            return tuple(from_jsonable(kind, row, f"{key}[{i}]") for i, row in enumerate(rows))

        vendors = data.get("vendors", [])
        check_value(tuple[dict, ...], vendors, "vendors")
        return cls(
            schema_version=data.get("schema_version", SCHEMA_VERSION),
            meta=from_jsonable(ScanMeta, data["meta"], "meta"),
            pages=records("pages", Page),
            requests=records("requests", Request),
            cookies=records("cookies", Cookie),
            storage=records("storage", StorageItem),
            declared=records("declared", Declared),
            vendors=tuple(vendors),
            findings=records("findings", Finding),
            consent=ConsentReport.from_dict(data["consent"]) if data.get("consent") is not None else None,
            api_calls=records("api_calls", ApiCall),
            value_leaks=records("value_leaks", ValueLeak),
            behaviour=BehaviourReport.from_dict(data["behaviour"])
            if data.get("behaviour") is not None
            else None,
            timeline=Timeline.from_dict(data["timeline"]) if data.get("timeline") is not None else None,
        )


def to_jsonable(obj: Any) -> Any:
    """Dataclass -> JSON-ready dict (tuples become lists)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_jsonable(getattr(obj, f.name)) for f in dataclasses.fields(obj)}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(x) for x in obj]
    if isinstance(obj, dict):
        return {k: to_jsonable(v) for k, v in obj.items()}
    return obj


def from_jsonable(cls: type, data: dict[str, Any], where: str = "") -> Any:
    """JSON dict -> dataclass, converting lists back to tuples; unknown keys are ignored. A value of the
    wrong type (``scanner.shapes``) is a ShapeError (ValueError) naming ``where`` and the field."""
    from scanner.shapes import check_record, field_types

    check_record(cls, data, where or cls.__name__)
    hints = field_types(cls)
    kwargs = {}
    for name in (f.name for f in dataclasses.fields(cls)):
        if name not in data:
            continue
        value = data[name]
        if isinstance(value, dict) and (record := _record_type(hints[name])) is not None:
            value = from_jsonable(record, value, f"{where}.{name}")  # Finding.evidence, ScanMeta.coverage
        elif isinstance(value, list):
            value = tuple(tuple(v) if isinstance(v, list) else v for v in value)
        kwargs[name] = value
    return cls(**kwargs)


def _record_type(annotation: Any) -> type | None:
    """The record class a field holds (``X`` or ``X | None`` for a dataclass ``X``), else None."""
    options = get_args(annotation) if get_args(annotation) and type(None) in get_args(annotation) else ()
    for candidate in (annotation, *options):
        if dataclasses.is_dataclass(candidate) and isinstance(candidate, type):
            return candidate
    return None
