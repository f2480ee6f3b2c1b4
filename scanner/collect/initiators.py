"""Which script caused each request: Chromium's own initiator records, read over a CDP session."""

from __future__ import annotations

from typing import Any

from scanner.collect.base import Collector, Visit


def script_of(initiator: dict) -> str | None:
    """The script URL behind a CDP ``Network.Initiator``: top of the JS stack, else the parser's URL."""
    stack = initiator.get("stack")
    while stack:
        for frame in stack.get("callFrames", ()):
            url = frame.get("url")
            if url and url.startswith(("http://", "https://")):
                return url
        stack = stack.get("parent")
    url = initiator.get("url")
    return url if url and url.startswith(("http://", "https://")) else None


class InitiatorCollector(Collector):
    name = "initiators"

    async def start(self, visit: Visit) -> None:
        if visit.cdp is None:  # e.g. a browser without CDP: initiators stay unknown
            return

        def on_will_be_sent(event: dict) -> None:
            request = event.get("request", {})
            url = request.get("url")
            initiator = event.get("initiator") or {}
            if url and url not in visit.initiators:
                visit.initiators[url] = (script_of(initiator), initiator.get("type"))

        visit.cdp.on("Network.requestWillBeSent", on_will_be_sent)

    def records(self, visit: Visit) -> dict[str, list[Any]]:
        return {}
