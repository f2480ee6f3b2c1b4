"""Which screenshots report.html shows, and how: embedded as ``data:`` URIs or linked as relative files.

report.html is meant to be the whole report: moved, mailed or attached to an audit file, it must still
show its images. So by default it embeds

- each page's thumbnail (``Page.thumbnail``, a JPEG of a few kB made at capture time), up to
  :data:`THUMB_BUDGET` characters of the file in all: a 1,000-page scan grows by a few MB, not by its
  screenshots; pages past the budget link their thumbnail file instead (the report says how many);
- the consent banner screenshots (at most two a consent pass, each up to :data:`SHOT_MAX` bytes).

The full page screenshots stay files of the scan folder that the thumbnails link to (a relative path:
no network request). ``self_contained`` (``--self-contained``) embeds them too, with no budget: the file
is then as large as the screenshots, the price of one file that holds everything. Past
:data:`LARGE_EMBEDDED` characters of embedded images (a 1,000-page crawl embeds about 100 MB) the report's
methodology says so and writing it warns (:class:`LargeReport`): most mail systems refuse an attachment
of that size and a browser takes seconds to open it.

Only files inside the scan folder are ever read (no absolute path, no ``..``, no scheme), and only real
JPEG, PNG, GIF or WebP data is embedded (by its first bytes); anything else is at most linked, as before.
A scan from an older version without thumbnails links its screenshots as before.
"""

from __future__ import annotations

import base64
import os
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from urllib.parse import quote

from scanner.errors import ScannerWarning

THUMB_BUDGET = 4_000_000  # characters of embedded thumbnails in report.html by default (about 600 pages)
SHOT_MAX = 1_500_000  # a consent screenshot larger than this is linked, not embedded (default mode)
THUMB_MAX = 100_000  # a "thumbnail" larger than this is not a thumbnail: linked, not embedded
# Embedded images past this many characters (about 20 MB: what most mail systems accept as an attachment)
# make report.html too large to pass around: the methodology says so and writing it warns.
LARGE_EMBEDDED = 20_000_000


class LargeReport(ScannerWarning):
    """report.html embeds more than :data:`LARGE_EMBEDDED` characters of images."""


def large_report_text(embedded: int, self_contained: bool) -> str:
    """Why report.html is this large and what to do about it, in one sentence."""
    size = f"{embedded / 1_000_000:.0f} MB of screenshots"
    if self_contained:
        return (
            f"report.html embeds {size} (--self-contained): more than most mail systems accept and slow "
            "to open; without --self-contained it embeds the page thumbnails only and links the full "
            "screenshots (keep the report with its scan folder)"
        )
    return f"report.html embeds {size}: more than most mail systems accept and slow to open"


_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def image_type(data: bytes) -> str | None:
    """The MIME type of JPEG, PNG, GIF or WebP ``data`` by its first bytes, else None."""
    for magic, mime in _MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    return None


@dataclass
class Images:
    """The images of one report: ``scan_dir`` holds them, ``out_dir`` is where report.html goes."""

    scan_dir: Path | None
    out_dir: Path | None = None
    self_contained: bool = False
    budget: int = THUMB_BUDGET
    # For the PDF (its HTML is not kept): every thumbnail embedded, the screenshot itself when a page has
    # none, and no links to files (a PDF cannot open them).
    printing: bool = False
    embedded_bytes: int = 0  # of the thumbnails, against ``budget`` (default mode)
    embedded_total: int = 0  # characters of every image embedded (thumbnails, screenshots, banners)
    thumbs_linked: int = 0  # thumbnails past the budget (linked, not embedded)
    _cache: dict[str, str | None] = field(default_factory=dict)

    def file(self, shot: str | None) -> Path | None:
        """The existing file of a scan-relative path ``shot``, or None (outside the scan, missing)."""
        if not shot or not isinstance(shot, str) or self.scan_dir is None:
            return None
        rel = PurePosixPath(shot.replace("\\", "/"))
        if rel.is_absolute() or ".." in rel.parts or ":" in shot or not rel.parts:
            return None
        target = self.scan_dir / Path(*rel.parts)
        return target if target.is_file() else None

    def link(self, shot: str | None) -> str | None:
        """A relative, URL-quoted path from report.html to the existing file ``shot``, else None."""
        target = self.file(shot)
        if target is None:
            return None
        base = self.out_dir if self.out_dir is not None else self.scan_dir
        rel = os.path.relpath(target, base).replace(os.sep, "/")
        return quote(rel, safe="/._-")

    def data_uri(self, shot: str | None, limit: int | None = None) -> str | None:
        """``shot`` as a ``data:`` URI when it is a real image (of at most ``limit`` bytes), else None."""
        key = f"{shot}\0{limit}"
        if key in self._cache:
            return self._cache[key]
        uri = None
        target = self.file(shot)
        if target is not None:
            try:
                size = target.stat().st_size
                if limit is None or size <= limit:
                    data = target.read_bytes()
                    mime = image_type(data)
                    if mime:
                        uri = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
            except OSError:
                uri = None
        self._cache[key] = uri
        return uri

    def _count(self, *uris: str | None) -> None:
        self.embedded_total += sum(len(u) for u in uris if u and u.startswith("data:"))

    @property
    def large(self) -> bool:
        return self.embedded_total > LARGE_EMBEDDED

    def page(self, screenshot: str | None, thumbnail: str | None) -> dict | None:
        """:meth:`_page`, counted."""
        shown = self._page(screenshot, thumbnail)
        if shown is not None:
            self._count(shown["src"], shown["full"])
        return shown

    def _page(self, screenshot: str | None, thumbnail: str | None) -> dict | None:
        """How the pages table shows a page's screenshot: ``src`` (the thumbnail's image), ``href`` (a
        link to the full screenshot file) and ``full`` (the full screenshot embedded, self-contained
        only); None when there is nothing to show."""
        if self.printing:
            src = self.data_uri(thumbnail, THUMB_MAX) or self.data_uri(screenshot)
            return {"src": src, "href": None, "full": None} if src else None
        full_link = self.link(screenshot)
        if self.self_contained:
            full = self.data_uri(screenshot)
            thumb = self.data_uri(thumbnail, THUMB_MAX) or self.link(thumbnail)
            if thumb is None:  # no thumbnail (an older scan): the screenshot is the image, embedded once
                src = full or full_link
                return {"src": src, "href": None if full else full_link, "full": None} if src else None
            return {"src": thumb, "href": None if full else full_link, "full": full}
        src = None
        if self.embedded_bytes < self.budget:
            src = self.data_uri(thumbnail, THUMB_MAX)
            if src is not None:
                self.embedded_bytes += len(src)
        if src is None and self.file(thumbnail) is not None:
            src = self.link(thumbnail)
            self.thumbs_linked += 1
        src = src or full_link  # an older scan without thumbnails: the screenshot itself, linked
        if src is None:
            return None
        return {"src": src, "href": full_link, "full": None}

    def shot(self, path: str | None) -> str | None:
        """A consent screenshot: embedded (up to SHOT_MAX bytes; any size self-contained), else linked."""
        if self.printing:
            shown = self.data_uri(path)
        else:
            shown = self.data_uri(path, None if self.self_contained else SHOT_MAX) or self.link(path)
        self._count(shown)
        return shown
