"""report.html: one self-contained file people read.

Rendered with jinja2 and autoescape on: every value from the scanned site is printed as
text. The page carries a Content-Security-Policy that allows exactly its own inline style
and script (by SHA-256 hash) and images from the report's own folder or data: URIs; no
connections, frames, forms, fonts or other scripts. Page thumbnails and the consent banner
screenshots are embedded as data: URIs, so the file alone is the whole report; the full page
screenshots are linked files next to it unless ``self_contained`` embeds them too (see
``scanner.report.html_images``: full screenshots of a 1,000-page crawl would make the file
hundreds of megabytes). The stylesheet ends with the running header of printed pages (site, date,
verdict: ``scanner.report.html_print``).
"""

from __future__ import annotations

import base64
import hashlib
import warnings
from collections.abc import Collection
from functools import lru_cache
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from scanner.model import ScanResult
from scanner.report.html_images import Images, LargeReport, large_report_text
from scanner.report.html_view import build_view


def csp_hash(text: str) -> str:
    digest = hashlib.sha256(text.encode("utf-8")).digest()
    return "'sha256-" + base64.b64encode(digest).decode("ascii") + "'"


def content_security_policy(css: str, js: str) -> str:
    return "; ".join(
        [
            "default-src 'none'",
            f"style-src {csp_hash(css)}",
            f"script-src {csp_hash(js)}",
            "img-src 'self' data:",
            "base-uri 'none'",
            "form-action 'none'",
        ]
    )


# The stylesheet and script of every HTML page we write (report, diff, history, campaign), in parts
# concatenated in this order: base look and themes, evidence tables, the timeline, print.
STYLE_PARTS = ("report.css", "evidence.css", "timeline.css", "print.css")
SCRIPT_PARTS = ("report.js", "evidence.js")


def asset(name: str) -> str:
    return resources.files("scanner.report").joinpath("templates", name).read_text(encoding="utf-8")


def theme_switch() -> Markup:
    """The header's Light / Dark / System switch of every HTML page we write (templates/_theme_switch.html,
    hidden until :data:`SCRIPT_PARTS` show it). A page with the switch has the script in its head, so that
    a stored choice applies before the first paint."""
    return Markup(asset("_theme_switch.html").strip())


def stylesheet() -> str:
    return "\n".join(asset(name) for name in STYLE_PARTS)


def script() -> str:
    return "\n".join(asset(name) for name in SCRIPT_PARTS)


@lru_cache(maxsize=1)
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("scanner.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
    )


def render_html(
    result: ScanResult,
    *,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
    scan_dir: Path | None = None,
    out_dir: Path | None = None,
    warn_on: Collection[str] | None = None,
    self_contained: bool = False,
    images: Images | None = None,
) -> str:
    """The report as one HTML string. ``scan_dir`` holds the screenshots; ``out_dir`` is
    where the file will live (relative image paths are computed between the two);
    ``self_contained`` embeds the full screenshots too (``images`` decides otherwise: the PDF's)."""
    from scanner.report.html_print import running_header_css

    view = build_view(
        result,
        fail_on=fail_on,
        baseline=baseline,
        scan_dir=scan_dir,
        out_dir=out_dir,
        warn_on=warn_on,
        self_contained=self_contained,
        images=images,
    )
    css, js = stylesheet() + "\n" + running_header_css(view), script()
    for text, tag in ((css, "</style"), (js, "</script")):
        if tag in text.lower():  # our own assets; guard against an edit that would break out
            raise ValueError(f"asset contains {tag}")
    template = environment().get_template("report.html.j2")
    return template.render(
        v=view,
        css=Markup(css),
        js=Markup(js),
        csp=content_security_policy(css, js),
    )


def write_html(
    result: ScanResult,
    out_dir: Path,
    *,
    fail_on: Collection[str] | None = None,
    baseline: ScanResult | None = None,
    scan_dir: Path | None = None,
    warn_on: Collection[str] | None = None,
    self_contained: bool = False,
) -> Path:
    """report.html in ``out_dir``. Warns (:class:`~scanner.report.html_images.LargeReport`, a
    ScannerWarning the CLI prints as one line) when its embedded images pass ``LARGE_EMBEDDED``."""
    path = out_dir / "report.html"
    images = Images(scan_dir or out_dir, out_dir, self_contained)
    html = render_html(
        result,
        fail_on=fail_on,
        baseline=baseline,
        scan_dir=scan_dir or out_dir,
        out_dir=out_dir,
        warn_on=warn_on,
        self_contained=self_contained,
        images=images,
    )
    path.write_text(html, encoding="utf-8")
    if images.large:
        warnings.warn(LargeReport(large_report_text(images.embedded_total, self_contained)), stacklevel=2)
    return path
