"""A small fake internet that changes between two campaigns, for the history tests.

Two independent sites, each a page and an "about" page embedding imitations of real tags
(scanner.fakenet.demo_tags), and the hostile site (scanner.fakenet.hostile). What a site embeds depends
on ``world.phase``, read when a page is served, so one running FakeInternet plays both campaigns:

| site | jan | feb |
| --- | --- | --- |
| www.alpha-shop.com | Google Analytics, Facebook | Google Analytics, Criteo (Facebook gone, Criteo new) |
| www.beta-news.org | Google Analytics, Criteo | Google Analytics, Criteo |

Alpha declares Google Analytics and Facebook, plus two vendors named with payloads (a spreadsheet
formula and markup) that are never seen: in jan Facebook is declared, in feb it is "not observed" and
Criteo undeclared. Beta declares both of its vendors.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from scanner.fakenet import RequestInfo, Response, Site, hostile_world
from scanner.fakenet.demo_tags import CRITEO, FACEBOOK, GA4
from scanner.fakenet.tracking import Tag, endpoint_response, tag_response

ALPHA = "www.alpha-shop.com"
BETA = "www.beta-news.org"
HOSTILE = "www.hostile-example.com"
PLAN: dict[str, dict[str, tuple[Tag, ...]]] = {
    "jan": {ALPHA: (GA4, FACEBOOK), BETA: (GA4, CRITEO)},
    "feb": {ALPHA: (GA4, CRITEO), BETA: (GA4, CRITEO)},
}
FORMULA_VENDOR = '=HYPERLINK("https://evil.example/","click")'
MARKUP_VENDOR = "<img src=x onerror=alert(1)>"
ALPHA_VENDORS = (
    "name,purpose,privacy_policy\n"
    "Google analytics,Website analytics,https://policies.google.com/privacy\n"
    "Facebook,Advertising,https://www.facebook.com/about/privacy/\n"
    f'"{FORMULA_VENDOR.replace(chr(34), chr(34) * 2)}",Analytics,https://evil.example/\n'
    f"{MARKUP_VENDOR},Analytics,https://evil.example/\n"
)
BETA_VENDORS = (
    "name,purpose,privacy_policy\n"
    "Google analytics,Website analytics,https://policies.google.com/privacy\n"
    "Criteo,Advertising,https://www.criteo.com/privacy/\n"
)


class HistoryWorld:
    """The hosts of both phases; set ``phase`` before scanning a campaign."""

    def __init__(self) -> None:
        self.phase = "jan"
        self.on_request: Callable[[RequestInfo], None] | None = None

    def _page(self, host: str, title: str) -> Callable[[RequestInfo], Response]:
        def serve(request: RequestInfo) -> Response:
            if self.on_request is not None:
                self.on_request(request)
            tags = "\n".join(tag.html() for tag in PLAN[self.phase][host])
            links = '<a href="/">Home</a> <a href="/about">About</a>'
            return Response.html(f"<!doctype html><title>{title}</title>\n{tags}\n<h1>{title}</h1>{links}")

        return serve

    def hosts(self) -> dict[str, Site]:
        world: dict[str, Site] = dict(hostile_world())
        for host in (ALPHA, BETA):
            world[host] = Site({"/": self._page(host, "Home"), "/about": self._page(host, "About")})
        tags = {tag.key: tag for phase in PLAN.values() for site in phase.values() for tag in site}
        for tag in tags.values():
            world.setdefault(tag.host, Site()).add(tag.path, lambda _r, t=tag: tag_response(t))
            for endpoint in tag.endpoints:
                world.setdefault(endpoint.host, Site()).add(
                    endpoint.path, lambda r, e=endpoint: endpoint_response(e, r)
                )
        return world


def write_declarations(folder: Path) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    alpha, beta = folder / "alpha-vendors.csv", folder / "beta-vendors.csv"
    alpha.write_text(ALPHA_VENDORS, encoding="utf-8")
    beta.write_text(BETA_VENDORS, encoding="utf-8")
    return {ALPHA: alpha, BETA: beta}
