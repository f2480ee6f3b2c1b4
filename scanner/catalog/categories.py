"""The catalog's category vocabulary and which categories count as tracking."""

from __future__ import annotations

import re

CATEGORIES: tuple[str, ...] = (
    "analytics",
    "advertising",
    "social",
    "session-replay",
    "tag-manager",
    "customer-support",
    "marketing-automation",
    "video",
    "cdn",
    "hosting",
    "consent",
    "payment",
    "security",
    "content",
    "utility",
    "other",
)

# "security": captcha, bot management, anti-fraud and device identification for fraud prevention. Such a
# vendor fingerprints the browser for another purpose than following the visitor: its fingerprinting is
# reported as security fingerprinting (scanner.behaviour), and it is not a tracker here.

# Observed vendors in these categories are trackers: they identify or follow the visitor.
TRACKING: frozenset[str] = frozenset(
    {
        "analytics",
        "advertising",
        "social",
        "session-replay",
        "marketing-automation",
        "video",
        "customer-support",
    }
)

# Spellings users (and the Open Cookie Database) use for our categories.
_SYNONYMS = {
    "ad": "advertising",
    "ads": "advertising",
    "advertisement": "advertising",
    "marketing": "advertising",
    "targeting": "advertising",
    "statistics": "analytics",
    "statistic": "analytics",
    "performance": "analytics",
    "social media": "social",
    "social-media": "social",
    "session replay": "session-replay",
    "replay": "session-replay",
    "tag manager": "tag-manager",
    "tag-management": "tag-manager",
    "customer support": "customer-support",
    "customer-success": "customer-support",
    "support": "customer-support",
    "chat": "customer-support",
    "marketing automation": "marketing-automation",
    "crm": "marketing-automation",
    "cdn/hosting": "cdn",
    "consent-provider": "consent",
    "cmp": "consent",
    "functional": "utility",
    "necessary": "utility",
    "anti-fraud": "security",
    "fraud prevention": "security",
    "bot management": "security",
    "bot protection": "security",
    "captcha": "security",
    "preferences": "utility",
    "personalization": "utility",
}


def normalize_category(text: str | None) -> str | None:
    """A category name in our vocabulary, or None when the text names none."""
    if not text:
        return None
    key = " ".join(text.strip().lower().replace("_", " ").split())
    if key in CATEGORIES:
        return key
    if key.replace(" ", "-") in CATEGORIES:
        return key.replace(" ", "-")
    return _SYNONYMS.get(key)


# Words in a declared purpose that say which kind of service it is. Order does not matter:
# every matching category is kept.
_PURPOSE_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (cat, re.compile(rx, re.IGNORECASE))
    for cat, rx in (
        ("analytics", r"\banalytic|\bstatistic|\bvisitor information\b|\bmeasur|\baudience measurement"),
        (
            "advertising",
            r"\bads?\b|\badvertis|\bad network|\bconversion|\bretarget|\bremarket|\btargeted\b|"
            r"\binterest[- ]based\b|\baffiliate|\bdisplay advertising|\bcampaign",
        ),
        ("social", r"\blike button|\bshare button|\bsocial\b|\bsocial media|\bsocial plugin|\bfollow button"),
        ("session-replay", r"\bsession replay|\bsession recording|\brecordings?\b|\bheat ?maps?\b"),
        ("customer-support", r"\blive chat|\bchat widget|\bhelp ?desk|\bcustomer support"),
        (
            "marketing-automation",
            r"\bmarketing automation|\bcrm\b|\blead generation|\bmarketing and sales|\bnewsletters?\b|"
            r"\be-?mail (?:marketing|campaigns?|delivery|service|sending)|\bmailing lists?\b",
        ),
        ("video", r"\bvideos?\b|\bvideo player"),
        ("consent", r"\bconsent\b"),
        ("payment", r"\bpayments?\b|\bcheckout"),
        (
            "security",
            r"\bcaptcha|\bbot (?:detection|protection|management|mitigation)|\bfraud|\bsecurity\b|"
            r"\bspam\b|\bdevice (?:fingerprint|identification|recognition)",
        ),
        ("cdn", r"\bcdn\b|\bcontent delivery|\bfonts?\b"),
    )
)


def categories_in_text(text: str | None) -> tuple[str, ...]:
    """Categories a free-text purpose mentions ("... the Like button" -> ("social",))."""
    if not text:
        return ()
    return tuple(cat for cat, rx in _PURPOSE_WORDS if rx.search(text))
