"""The result of ``scanner email``: per message its references (pixels, tracked links, remote content, the
List-Unsubscribe URIs) with vendors, identifiers and address leaks, and the findings of the whole run.

Serialised as ``email.json`` (``to_dict``), documented by ``scanner/email/email.schema.json``. URLs in it
are redacted (``scanner.email.links.redact``): the recipient's address and identifiers never appear.
Findings are ``scanner.model.Finding`` records: the declaration's (undeclared, mismatch, not_observed,
declared, from ``scanner.compare``) and ``address_leak``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from scanner.model import Declared, Finding, to_jsonable

EMAIL_SCHEMA_VERSION = "1.0"
# Finding statuses of an e-mail audit, in report order.
EMAIL_STATUSES: tuple[str, ...] = ("address_leak", "undeclared", "mismatch", "not_observed", "declared")
STATUS_LABELS: dict[str, str] = {
    "address_leak": "Address leak",
    "undeclared": "Undeclared",
    "mismatch": "Mismatch",
    "not_observed": "Not seen",
    "declared": "Declared",
}


@dataclass(frozen=True)
class HopRecord:
    url: str  # redacted
    host: str
    registrable_domain: str
    via: str | None = None  # how it was unwrapped from the previous hop
    recipient_side: bool = False  # unwrapped from a wrapper of the recipient's mail system (Safe Links, ...)
    wrapper: bool = False  # this hop is such a wrapper: not the sender's, not evidence
    first_party: bool = False  # the sender's own domain (From, --first-party)
    vendor: str | None = None
    vendor_reason: str | None = None
    category: str | None = None


@dataclass(frozen=True)
class Reference:
    """One URL of a message: where it is, what it is for, where it leads, what it carries."""

    message: str  # the message's key
    kind: str  # image | background | stylesheet | css_import | media | frame | link | form | list_unsubscribe
    source: str  # where in the message ("<img src>", "List-Unsubscribe header", ...)
    url: str  # as written, redacted
    remote: bool  # http(s): fetched or opened over the network (cid:, data:, mailto: are not)
    auto_load: bool  # fetched when the message is shown with remote content on (no click)
    pixel: bool = False  # an open-tracking pixel
    pixel_reasons: tuple[str, ...] = ()  # "1x1", "display:none", "known open pixel (Mailchimp)", ...
    tracked: bool = False  # tracking: a pixel, a click redirect, or it carries an identifier or the address
    tracking: str | None = None  # what the tracking is, in words
    hops: tuple[HopRecord, ...] = ()  # first: the URL itself; then each URL unwrapped from the previous
    final_url: str | None = None  # the destination, when the URL says it (redacted)
    vendor: str | None = None  # who receives the request: the first hop not added by the mail system
    vendor_reason: str | None = None
    category: str | None = None
    first_party: bool = False
    identifiers: tuple[dict, ...] = ()  # {"hop", "where", "length", "reason"}: never the value
    leaks: tuple[dict, ...] = ()  # {"hop", "host", "vendor", "encoding", "where"}
    rendered: bool = False  # a request the rendered message fired (--render), not found statically
    render: dict | None = None  # for rendered requests: resource_type, status, redirected_from, failure


@dataclass(frozen=True)
class MessageReport:
    key: str
    path: str
    kind: str  # eml | html
    index: int | None = None
    subject: str | None = None
    sender: str | None = None
    sender_domain: str | None = None
    recipients: tuple[str, ...] = ()  # the addresses searched for (their count is in the report)
    recipient_source: str | None = None  # --recipient | Delivered-To | To | none
    date: str | None = None
    message_id: str | None = None
    list_id: str | None = None
    mailer: str | None = None
    list_unsubscribe: dict[str, Any] = field(default_factory=dict)  # uris (redacted), one_click, post
    parts: tuple[dict, ...] = ()
    references: tuple[Reference, ...] = ()
    counts: dict[str, int] = field(default_factory=dict)
    notes: tuple[str, ...] = ()
    rendered: dict[str, Any] | None = None  # --render: {"requests": n, "error": str | None, "blocked": ...}


@dataclass(frozen=True)
class EmailAudit:
    tool_version: str
    generated_at: str
    messages: tuple[MessageReport, ...] = ()
    declared: tuple[Declared, ...] = ()
    vendors: tuple[dict, ...] = ()
    findings: tuple[Finding, ...] = ()
    options: dict[str, Any] = field(default_factory=dict)
    catalog_version: str | None = None
    declared_source: str | None = None
    rendered: bool = False  # --render ran: every output says so
    skipped: tuple[str, ...] = ()  # files of a folder that were not messages, and why
    blind_spots: tuple[str, ...] = ()
    schema_version: str = EMAIL_SCHEMA_VERSION

    @property
    def summary(self) -> dict[str, int]:
        counts = dict.fromkeys(EMAIL_STATUSES, 0)
        for f in self.findings:
            counts[f.status] = counts.get(f.status, 0) + 1
        return counts

    def totals(self) -> dict[str, int]:
        keys = ("pixels", "tracked_links", "remote", "leaks", "identifiers", "rendered_requests")
        out = dict.fromkeys(keys, 0)
        for m in self.messages:
            for k in keys:
                out[k] += int(m.counts.get(k, 0))
        out["messages"] = len(self.messages)
        return out

    def to_dict(self) -> dict[str, Any]:
        return {
            "schema_version": self.schema_version,
            "kind": "email-audit",
            "tool_version": self.tool_version,
            "generated_at": self.generated_at,
            "rendered": self.rendered,
            "options": to_jsonable(self.options),
            "catalog_version": self.catalog_version,
            "declared_source": self.declared_source,
            "messages": [to_jsonable(m) for m in self.messages],
            "declared": [to_jsonable(d) for d in self.declared],
            "vendors": [dict(v) for v in self.vendors],
            "findings": [to_jsonable(f) for f in self.findings],
            "summary": self.summary,
            "totals": self.totals(),
            "skipped": list(self.skipped),
            "blind_spots": list(self.blind_spots),
        }
