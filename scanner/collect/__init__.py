"""Collectors: one small module per kind of evidence, all behind ``scanner.collect.base.Collector``."""

from scanner.collect.api_calls import ApiCallCollector
from scanner.collect.base import Collector, Visit
from scanner.collect.beacons import BeaconCollector
from scanner.collect.cookies import CookieCollector
from scanner.collect.form_probe import Canaries, FormProbe
from scanner.collect.initiators import InitiatorCollector
from scanner.collect.payloads import PayloadCollector
from scanner.collect.requests import RequestCollector
from scanner.collect.screenshot import ScreenshotCollector
from scanner.collect.storage import StorageCollector
from scanner.collect.websockets import WebSocketCollector


def default_collectors(
    *,
    keep_values: bool,
    screenshots_dir=None,
    api_hooks: bool = False,
    probe_forms: bool = False,
    probe_budget_s: float = 8.0,
) -> list[Collector]:
    """The evidence collectors of a scan (the crawl adds the consent driver itself: see
    ``scanner.crawl.crawler.Crawl``). ``api_hooks``: the behaviour hooks' API call rows (the hooks
    themselves are installed per page by the crawl's router with the same flag). With ``probe_forms``
    the form probe types this crawl's canaries into the page and the payload collector looks for them
    in what the page sends."""
    canaries = Canaries.new() if probe_forms else None
    collectors: list[Collector] = [
        InitiatorCollector(),
        RequestCollector(keep_values=keep_values),
        BeaconCollector(),
        CookieCollector(keep_values=keep_values),
        StorageCollector(keep_values=keep_values),
        WebSocketCollector(),
        PayloadCollector(canaries),
    ]
    if canaries is not None:
        collectors.append(FormProbe(canaries, budget_s=probe_budget_s))
    if api_hooks:
        collectors.append(ApiCallCollector())
    if screenshots_dir is not None:
        collectors.append(ScreenshotCollector(screenshots_dir))
    return collectors


__all__ = ["Collector", "Visit", "default_collectors"]
