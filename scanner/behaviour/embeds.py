"""Social widgets, sign-in buttons and embeds, named from the frames and scripts the page loaded.

Kind ``embed``, severity ``info``: not a violation in itself, but the auditor should know that a Like
button or a video embed is a third party with its own cookies in the page (and, before consent, often
the reason for a ``before_consent`` finding). Techniques:

- ``like_button``: Facebook's Like / Page plugins (``facebook.com/plugins/like.php``, ``page.php``) and
  the Facebook SDK loaded with XFBML (``connect.facebook.net/<locale>/sdk.js#xfbml=1``), which renders them.
- ``share_button``: share / follow / tweet buttons: Facebook's share plugin, X's ``platform.twitter.com/
  widgets.js``, LinkedIn's ``platform.linkedin.com/in.js``, Pinterest's ``pinit.js``, AddThis, ShareThis.
- ``sso``: sign-in buttons: Sign in with Google (``accounts.google.com/gsi/``), Sign in with Apple
  (``appleid.cdn-apple.com/appleauth/``), Facebook Login (``facebook.com/*/dialog/oauth``,
  ``plugins/login_button.php``).
- ``video``: YouTube (``youtube.com/embed/``, ``youtube-nocookie.com/embed/``), Vimeo
  (``player.vimeo.com/video/``), Dailymotion (``dailymotion.com/embed/``), Wistia.
- ``map``: Google Maps embeds (``google.com/maps/embed``, ``maps.google.com/maps?…output=embed``)
  and the Maps JavaScript API (``maps.googleapis.com/maps/api/js``), OpenStreetMap's embed.

Only requests of frames (``document``) and scripts count: an image from youtube.com is not an embed.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from scanner.behaviour.classify import MAX_EVIDENCE, MAX_PAGES
from scanner.model import Detection, Request

EMBED_TYPES = frozenset({"document", "script"})

# (technique, label, host pattern, path-and-query pattern); hosts match the host or a subdomain of it.
_RULES: tuple[tuple[str, str, str, str], ...] = (
    (
        "like_button",
        "Facebook Like button",
        "facebook.com",
        r"^/(?:v[\d.]+/)?plugins/(?:like|like_box|page)\.php",
    ),
    (
        "like_button",
        "Facebook SDK with XFBML social plugins",
        "connect.facebook.net",
        r"^/[\w-]+/sdk\.js.*xfbml",
    ),
    ("share_button", "Facebook Share button", "facebook.com", r"^/(?:v[\d.]+/)?plugins/share_button\.php"),
    ("share_button", "X (Twitter) widgets", "platform.twitter.com", r"^/widgets(?:\.js|/)"),
    ("share_button", "LinkedIn share / follow plugin", "platform.linkedin.com", r"^/in\.js"),
    ("share_button", "Pinterest Save button", "assets.pinterest.com", r"^/js/pinit"),
    ("share_button", "AddThis share buttons", "addthis.com", r"^/js/"),
    ("share_button", "ShareThis share buttons", "sharethis.com", r"^/button/|^/js/"),
    ("sso", "Sign in with Google", "accounts.google.com", r"^/gsi/"),
    ("sso", "Sign in with Apple", "appleid.cdn-apple.com", r"^/appleauth/"),
    ("sso", "Facebook Login", "facebook.com", r"^/(?:v[\d.]+/)?(?:dialog/oauth|plugins/login_button\.php)"),
    ("video", "YouTube embed", "youtube.com", r"^/embed/"),
    ("video", "YouTube embed (privacy-enhanced mode)", "youtube-nocookie.com", r"^/embed/"),
    ("video", "Vimeo player", "player.vimeo.com", r"^/video/"),
    ("video", "Dailymotion embed", "dailymotion.com", r"^/embed/"),
    ("video", "Wistia embed", "fast.wistia.net", r"^/embed/"),
    ("map", "Google Maps embed", "google.com", r"^/maps/embed"),
    ("map", "Google Maps embed", "maps.google.com", r"^/maps.*[?&]output=embed"),
    ("map", "Google Maps JavaScript API", "maps.googleapis.com", r"^/maps/api/js"),
    ("map", "OpenStreetMap embed", "openstreetmap.org", r"^/export/embed\.html"),
)
_COMPILED = tuple((t, label, host, re.compile(rx, re.I)) for t, label, host, rx in _RULES)


def identify(url: str, host: str) -> tuple[str, str] | None:
    """(technique, label) of an embed's frame or script URL, or None."""
    host = host.lower()
    rest = url.split("://", 1)[-1]
    slash = rest.find("/")
    path = rest[slash:] if slash >= 0 else "/"
    for technique, label, base, rx in _COMPILED:
        if (host == base or host.endswith("." + base)) and rx.search(path):
            return technique, label
    return None


def embed_detections(requests: Iterable[Request]) -> list[Detection]:
    """One detection per (vendor or host, technique)."""
    hits: dict[tuple[str, str], dict] = {}
    for r in requests:
        if r.resource_type not in EMBED_TYPES or not r.third_party:
            continue
        found = identify(r.url, r.host)
        if found is None:
            continue
        technique, label = found
        who = r.vendor or r.registrable_domain or r.host
        hit = hits.setdefault(
            (who, technique),
            {"vendor": r.vendor, "host": r.registrable_domain or r.host, "pages": {}, "evidence": [], "n": 0},
        )
        hit["pages"].setdefault(r.page_url, None)
        hit["n"] += 1
        if len(hit["evidence"]) < MAX_EVIDENCE:
            hit["evidence"].append(
                {
                    "technique": technique,
                    "label": label,
                    "url": r.url[:500],
                    "resource_type": r.resource_type,
                    "page_url": r.page_url,
                    "frame_url": r.frame_url,
                }
            )
    return [
        Detection(
            kind="embed",
            technique=technique,
            criterion="; ".join(sorted({e["label"] for e in hit["evidence"]})),
            script=None,
            vendor=hit["vendor"],
            pages=tuple(list(hit["pages"])[:MAX_PAGES]),
            evidence=tuple(hit["evidence"]),
            observations=hit["n"],
            subject=None if hit["vendor"] else hit["host"],
        )
        for (_, technique), hit in hits.items()
    ]
