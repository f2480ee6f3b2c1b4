"""What the extractors hand back: candidate vendor rows and the things they chose to skip."""

from __future__ import annotations

from dataclasses import dataclass, field

KINDS = ("table", "list", "prose")


@dataclass
class Found:
    name: str
    purpose: str
    privacy_policy: str
    source: str  # where in the document, e.g. "table 'Marketing Cookies' row 3"
    kind: str  # table | list | prose
    cookies: tuple[str, ...] = ()
    lifetime: str | None = None  # as written in an expiry column ("2 years", "Session")


@dataclass
class Extraction:
    found: list[Found] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)

    def skip(self, what: str, why: str) -> None:
        self.skipped.append((what, why))
