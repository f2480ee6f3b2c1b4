"""Web beacons: ``ping`` / ``navigator.sendBeacon`` requests and tiny "clear gif" images."""

from __future__ import annotations

import struct
from typing import Any

from scanner.collect.base import Collector, Visit

TINY_IMAGE_BYTES = 100  # an image response smaller than this carries no picture worth showing
MAX_SNIFF_BYTES = 4096  # only small images are read back to measure them


def image_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the header bytes of a GIF, PNG, WebP, BMP or JPEG, or None."""
    if len(data) >= 10 and data[:6] in (b"GIF87a", b"GIF89a"):
        return struct.unpack("<HH", data[6:10])
    if len(data) >= 24 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR":
        return struct.unpack(">II", data[16:24])
    if len(data) >= 30 and data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        chunk = data[12:16]
        if chunk == b"VP8X":
            w = int.from_bytes(data[24:27], "little") + 1
            h = int.from_bytes(data[27:30], "little") + 1
            return w, h
        if chunk == b"VP8L" and len(data) >= 25:
            bits = int.from_bytes(data[21:25], "little")
            return (bits & 0x3FFF) + 1, ((bits >> 14) & 0x3FFF) + 1
        if chunk == b"VP8 " and len(data) >= 30:
            w, h = struct.unpack("<HH", data[26:30])
            return w & 0x3FFF, h & 0x3FFF
    if len(data) >= 26 and data[:2] == b"BM":
        w, h = struct.unpack("<ii", data[18:26])
        return abs(w), abs(h)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 <= len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD, 0xCE, 0xCF):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return w, h
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            i += 2 + length
    return None


def classify_image(size: tuple[int, int] | None, body_length: int | None) -> str | None:
    """Beacon reason for an image response, or None for a real picture.

    A beacon is 1x1 (or at most 2x2, zero-size included). An image whose header gives a larger size
    is a picture however few bytes it has (a 16x16 favicon-like icon in 70 bytes); only an image of
    unknown size (an empty or undecodable body) is judged by its byte count."""
    if size is not None:
        if size[0] <= 2 and size[1] <= 2:
            return "pixel_1x1" if size == (1, 1) else "tiny_image"
        return None
    if body_length is not None and 0 <= body_length < TINY_IMAGE_BYTES:
        return "tiny_image"
    return None


class BeaconCollector(Collector):
    """Marks requests that are beacons; the request rows themselves come from RequestCollector."""

    name = "beacons"

    async def start(self, visit: Visit) -> None:
        visit.state[self.name] = {"hits": {}, "send_beacon_urls": set()}

    def on_report(self, visit: Visit, kind: str, data: dict) -> None:
        if kind == "beacon" and data.get("url"):
            visit.state[self.name]["send_beacon_urls"].add(data["url"])

    async def on_finished(self, visit: Visit, request: Any) -> None:
        if request.resource_type == "ping":
            state = visit.state[self.name]
            reason = "send_beacon" if request.url in state["send_beacon_urls"] else "ping"
            state["hits"][visit.request_id(request)] = {"reason": reason, "size": None}

    async def on_response(self, visit: Visit, response: Any) -> None:
        """Small image responses are read back and measured; big ones are pictures, not beacons."""
        request = response.request
        if request.resource_type != "image" or response.status >= 300:
            return
        length = response.headers.get("content-length")
        if length and length.isdigit() and int(length) > MAX_SNIFF_BYTES:
            return
        try:
            body = await response.body()
        except Exception as exc:  # noqa: BLE001 - a body the browser no longer holds: say it is missing
            visit.fail(self.name, f"pixel body {request.url[:200]}", exc)
            return
        size = image_size(body[:MAX_SNIFF_BYTES])
        reason = classify_image(size, len(body))
        if reason:
            hit = {"reason": reason, "size": list(size) if size else None}
            visit.state[self.name]["hits"][visit.request_id(request)] = hit

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        state = visit.state.get(self.name, {"hits": {}, "send_beacon_urls": set()})
        # Pings seen by the hook but whose request never finished still count as beacon attempts.
        return {"beacon_marks": [{"id": rid, **hit} for rid, hit in state["hits"].items()]}
