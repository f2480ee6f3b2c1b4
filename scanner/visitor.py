"""Who the scan's browser says it is: an ordinary desktop Chrome of the same major version.

Headless Chromium gives itself away: ``HeadlessChrome`` in its user agent, ``navigator.webdriver`` true
under automation, no "Google Chrome" among its client-hint brands. Real tags check exactly that and stay
silent (Hotjar logs "not launching due to suspicious userAgent"), so a scan that looks like a robot
under-reports the trackers that matter most. The scan presents instead:

- the browser's own user agent with ``HeadlessChrome/`` read as ``Chrome/`` (the reduced form real
  Chrome sends: ``Chrome/156.0.0.0``), set for the whole browser (pages, workers, service workers);
- the matching client hints (``Sec-CH-UA*`` headers, ``navigator.userAgentData``): the browser's own
  brands and platform plus "Google Chrome" of the same version, set on every page before it loads;
- ``navigator.webdriver`` false (the AutomationControlled Blink feature off);
- languages, Accept-Language, a 1920×1080 desktop screen and the machine's time zone, each of which
  ``--locale``, ``--timezone`` (and ``--user-agent``) override.

What a page actually saw is read back from a page of the scan's browser and recorded in
``meta.presented``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

DEFAULT_LOCALE = "en-US"
DESKTOP_SCREEN = {"width": 1920, "height": 1080}
AUTOMATION_SWITCH = "--disable-blink-features=AutomationControlled"
_HEADLESS = re.compile(r"HeadlessChrome/")
_LOCALE = re.compile(r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

# Read in a page: what the page sees of the browser.
READ_PRESENTED = """async () => {
  const ua = navigator.userAgentData;
  let hints = null;
  if (ua) {
    const high = await ua.getHighEntropyValues(
      ["platform", "platformVersion", "architecture", "bitness", "model", "fullVersionList", "wow64"]);
    hints = { brands: ua.brands.map(b => ({ brand: b.brand, version: b.version })), mobile: ua.mobile,
              platform: high.platform, platformVersion: high.platformVersion,
              architecture: high.architecture, bitness: high.bitness, model: high.model,
              fullVersionList: (high.fullVersionList || [])
                .map(b => ({ brand: b.brand, version: b.version })),
              wow64: high.wow64 };
  }
  return {
    user_agent: navigator.userAgent,
    platform: navigator.platform,
    webdriver: navigator.webdriver === true,
    languages: Array.from(navigator.languages || []),
    timezone: Intl.DateTimeFormat().resolvedOptions().timeZone || null,
    screen: { width: screen.width, height: screen.height },
    viewport: { width: innerWidth, height: innerHeight },
    client_hints: hints,
    global_privacy_control: navigator.globalPrivacyControl === true,
    do_not_track: navigator.doNotTrack === "1",
  };
}"""


def check_locale(value: str) -> str:
    """A BCP 47 language tag such as ``en-US`` or ``de``; ValueError otherwise."""
    if not _LOCALE.match(value):
        raise ValueError(f"not a language tag such as en-US or de: {value!r}")
    return value


def languages(locale: str) -> tuple[str, ...]:
    """``navigator.languages`` of desktop Chrome set up in ``locale``: ``("de-DE", "de")``."""
    base = locale.split("-")[0]
    return (locale,) if base == locale else (locale, base)


@dataclass(frozen=True)
class Presentation:
    """The identity every page of the scan sees. ``metadata`` is the client-hints override
    (``Emulation.setUserAgentOverride``'s ``userAgentMetadata``), None with a custom --user-agent."""

    user_agent: str
    platform: str
    locale: str
    timezone: str | None = None  # None: the machine's
    metadata: dict[str, Any] | None = None
    screen: dict[str, int] = field(default_factory=lambda: dict(DESKTOP_SCREEN))

    def override(self) -> dict[str, Any]:
        """Parameters of ``Emulation.setUserAgentOverride`` for one page."""
        params: dict[str, Any] = {
            "userAgent": self.user_agent,
            "acceptLanguage": ",".join(languages(self.locale)),  # Chromium adds the q-values
            "platform": self.platform,
        }
        if self.metadata is not None:
            params["userAgentMetadata"] = self.metadata
        return params


def visitor_user_agent(browser_user_agent: str) -> str:
    """The browser's own user agent as desktop Chrome of that version sends it."""
    return _HEADLESS.sub("Chrome/", browser_user_agent)


def chrome_metadata(seen: dict[str, Any], full_version: str | None) -> dict[str, Any] | None:
    """Client hints of desktop Chrome built from what the browser itself reports (``seen`` as read by
    READ_PRESENTED): its brands with any headless brand renamed, "Google Chrome" added."""
    hints = seen.get("client_hints")
    if not isinstance(hints, dict):
        return None

    def brands(key: str) -> list[dict[str, str]]:
        out = []
        for item in hints.get(key) or []:
            name = str(item.get("brand", "")).replace("HeadlessChrome", "Chromium")
            if name != "Google Chrome" and all(b["brand"] != name for b in out):
                out.append({"brand": name, "version": str(item.get("version", ""))})
        chromium = next((b for b in out if b["brand"] == "Chromium"), None)
        if chromium is not None:
            out.insert(out.index(chromium) + 1, {"brand": "Google Chrome", "version": chromium["version"]})
        return out

    full_list = brands("fullVersionList")
    version = full_version or next((b["version"] for b in full_list if b["brand"] == "Chromium"), "")
    return {
        "brands": brands("brands"),
        "fullVersionList": full_list,
        "fullVersion": version,
        "platform": str(hints.get("platform") or ""),
        "platformVersion": str(hints.get("platformVersion") or ""),
        "architecture": str(hints.get("architecture") or ""),
        "model": str(hints.get("model") or ""),
        "mobile": bool(hints.get("mobile")),
        "bitness": str(hints.get("bitness") or ""),
        "wow64": bool(hints.get("wow64")),
    }


def presentation(
    seen: dict[str, Any],
    full_version: str | None,
    *,
    user_agent: str | None = None,
    locale: str | None = None,
    timezone: str | None = None,
) -> Presentation | None:
    """The visitor to present, from what the bare browser reports (``seen``) and the user's overrides;
    None when the browser could not be read (it then presents itself as it is)."""
    own = str(seen.get("user_agent") or "")
    if not (user_agent or own):
        return None
    return Presentation(
        user_agent=user_agent or visitor_user_agent(own),
        platform=str(seen.get("platform") or ""),
        locale=locale or DEFAULT_LOCALE,
        timezone=timezone,
        metadata=None if user_agent else chrome_metadata(seen, full_version),
    )


async def present(cdp: Any, who: Presentation | None) -> None:
    """Apply ``who`` to the page behind the DevTools session ``cdp`` (before it loads anything)."""
    if who is not None and cdp is not None:
        await cdp.send("Emulation.setUserAgentOverride", who.override())
