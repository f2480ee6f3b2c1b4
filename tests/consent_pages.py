"""Small consent-manager pages for the driver tests: markup the real vendored autoconsent rules match.

The OneTrust-like page shows ``#onetrust-banner-sdk`` with accept, reject and settings buttons; its own
script keeps ``window.OneTrust``, ``OnetrustActiveGroups`` and the ``OptanonConsent`` cookie, and after
a choice loads ``/after.gif?choice=...`` (the cookie travels in its ``Cookie`` header). The hostile
variant's reject button does nothing, predefines autoconsent's globals and calls every global function
it finds with forged autoconsent messages. A probe reports (``/found``) which non-standard globals the
main world has, against a clean iframe's window.
"""

from __future__ import annotations

from scanner.fakenet import Response, Site

HOST = "www.consent-shop.test"
EVIL = "www.evil-shop.test"
PLAIN = "www.no-cmp.test"
FRAMED = "www.framed-shop.test"  # its banner lives in a cross-origin iframe (a piano.io-like one)
FRAME_CMP = "cmp.frame-consent.test"

BANNER = """<div id="onetrust-consent-sdk">
<div id="onetrust-banner-sdk" role="dialog"
     style="position:fixed;bottom:0;left:0;right:0;padding:20px;background:#eee;border-top:2px solid #333">
  <p id="onetrust-policy-text">We and our 42 partners use cookies to measure and personalise ads.
  Click "Accept All Cookies" to agree, or reject them.</p>
  <button id="onetrust-pc-btn-handler">Cookie Settings</button>
  <button id="onetrust-reject-all-handler">Reject All</button>
  <button id="onetrust-accept-btn-handler">Accept All Cookies</button>
  <a href="/privacy">Privacy notice</a>
</div></div>"""

# The page's own consent manager (what OneTrust's SDK does, in a few lines).
OT_SDK = r"""
(() => {
  const ALL = ["C0001", "C0002", "C0003", "C0004"];
  const read = () => {
    const m = document.cookie.match(/(?:^|; )OptanonConsent=([^;]*)/);
    if (!m) return null;
    const g = decodeURIComponent(m[1]).match(/groups=([^&]*)/);
    return g ? g[1].split(",").filter((p) => p.endsWith(":1")).map((p) => p.split(":")[0]) : null;
  };
  const banner = document.getElementById("onetrust-banner-sdk");
  const store = (groups, choice) => {
    const value = "isGpcEnabled=0&groups=" + ALL.map((g) => g + ":" + (groups.includes(g) ? 1 : 0)).join(",");
    document.cookie = "OptanonConsent=" + encodeURIComponent(value) + "; path=/; max-age=31536000";
    window.OnetrustActiveGroups = "," + groups.join(",") + ",";
    banner.style.display = "none";
    new Image().src = "/after.gif?choice=" + choice;
  };
  const saved = read();
  // The hostile page grants everything by default (and its reject button does nothing).
  const before = window.__brokenReject ? ALL : ["C0001"];
  window.OnetrustActiveGroups = "," + (saved || before).join(",") + ",";
  window.OneTrust = {
    GetDomainData: () => ({ Groups: ALL.map((id) => ({ CustomGroupId: id })) }),
    IsAlertBoxClosed: () => read() !== null,
  };
  if (saved) { banner.style.display = "none"; return; }
  const accept = document.getElementById("onetrust-accept-btn-handler");
  accept.addEventListener("click", () => store(ALL, "accept"));
  const reject = document.getElementById("onetrust-reject-all-handler");
  if (!window.__brokenReject) reject.addEventListener("click", () => store(["C0001"], "reject"));
})();
"""

# Which non-standard globals the main world has, against a clean iframe's window; the page's own are
# named in window.__own. Runs twice: soon after load, and once the banner is gone (or 4 s passed).
PROBE = r"""
(() => {
  const report = (when) => {
    const clean = document.createElement("iframe");
    clean.style.display = "none";
    document.documentElement.appendChild(clean);
    const base = new Set(Object.getOwnPropertyNames(clean.contentWindow));
    clean.remove();
    const own = new Set(window.__own || []);
    const extra = Object.getOwnPropertyNames(window)
      .filter((n) => !base.has(n) && !own.has(n) && !/^\d+$/.test(n));
    const q = new URLSearchParams({
      when, names: extra.join(","), receive: typeof window.autoconsentReceiveMessage,
      forged: String(window.__forged || 0),
    });
    fetch("/found?" + q, { mode: "no-cors" });
  };
  addEventListener("load", () => {
    setTimeout(() => report("load"), 300);
    const t0 = Date.now();
    const poll = setInterval(() => {
      const b = document.getElementById("onetrust-banner-sdk");
      if ((b && b.style.display === "none") || Date.now() - t0 > 4000) {
        clearInterval(poll);
        report("late");
      }
    }, 100);
  });
})();
"""

OWN = '<script>window.__own = ["__own", "OneTrust", "OnetrustActiveGroups", "__brokenReject"];</script>'

# Predefines autoconsent's globals and throws forged messages at every function it can reach, again and
# again while the visit runs.
HOSTILE = r"""
window.__own.push("autoconsentSendMessage", "autoconsentReceiveMessage", "__forged");
window.__brokenReject = true;
window.__forged = 0;
window.autoconsentSendMessage = () => Promise.resolve();
window.autoconsentReceiveMessage = () => Promise.resolve();
(() => {
  const forged = [
    { type: "cmpDetected", cmp: "Forged", url: location.href },
    { type: "popupFound", cmp: "Forged", url: location.href },
    { type: "optOutResult", cmp: "Forged", result: true, scheduleSelfTest: true, url: location.href },
    { type: "optInResult", cmp: "Forged", result: true, scheduleSelfTest: false, url: location.href },
    { type: "autoconsentDone", cmp: "Forged", isCosmetic: false, url: location.href, duration: 1,
      totalClicks: 99 },
    { type: "selfTestResult", cmp: "Forged", result: true, url: location.href },
    { type: "optOut" }, { type: "optIn" }, { type: "selfTest" },
    { type: "autoconsentError", details: { msg: "forged error" } },
  ];
  // Functions whose call would end or block the visit, or wait for a person.
  const SKIP = new Set(("fetch alert confirm prompt print close open stop find postMessage setInterval " +
    "setTimeout queueMicrotask requestAnimationFrame requestIdleCallback showOpenFilePicker " +
    "showSaveFilePicker showDirectoryPicker getScreenDetails focus blur moveBy moveTo resizeBy resizeTo " +
    "scroll scrollBy scrollTo webkitRequestFileSystem webkitResolveLocalFileSystemURL queryLocalFonts")
    .split(" "));
  const fire = () => {
    for (const name of Object.getOwnPropertyNames(window)) {
      let f;
      try { f = window[name]; } catch (e) { continue; }
      if (typeof f !== "function" || /^[A-Z]/.test(name) || SKIP.has(name)) continue;
      for (const m of forged) {
        for (const arg of [m, JSON.stringify(m)]) {
          try { const r = f(arg); if (r && r.catch) r.catch(() => {}); window.__forged++; } catch (e) {}
        }
      }
    }
  };
  fire();
  addEventListener("DOMContentLoaded", fire);
  let n = 0;
  const again = setInterval(() => { fire(); if (++n > 20) clearInterval(again); }, 150);
})();
"""


def page(*, hostile: bool = False) -> str:
    head = OWN + ("<script>" + HOSTILE + "</script>" if hostile else "")
    return f"""<!doctype html><meta charset=utf-8><title>Consent shop</title>{head}
<script src="/probe.js"></script>
<body><h1>Shop</h1><p>Products.</p>
{BANNER}
<script src="/otSDKStub.js"></script>
</body>"""


PLAIN_PAGE = """<!doctype html><meta charset=utf-8><title>No banner here</title>
<body><h1>Plain</h1><p>No consent manager on this page.</p></body>"""


FRAMED_PAGE = f"""<!doctype html><meta charset=utf-8><title>Framed shop</title>
<body><h1>Framed</h1>
<iframe src="https://{FRAME_CMP}/banner" style="position:fixed;bottom:0;width:100%;height:160px"></iframe>
</body>"""

FRAME_BANNER = """<!doctype html><meta charset=utf-8><title>banner</title>
<body><div id="piano-cookie_banner">
<p>This site uses cookies for analytics and ads.</p>
<button data-acceptance-button>Agree</button> <button data-close-button>Decline</button>
</div><script>
for (const [sel, choice] of [["[data-acceptance-button]", "accept"], ["[data-close-button]", "reject"]]) {
  document.querySelector(sel).addEventListener("click", () => {
    document.getElementById("piano-cookie_banner").style.display = "none";
    new Image().src = "/choice.gif?choice=" + choice;
  });
}
</script></body>"""


def world() -> dict:
    return {
        HOST: Site(
            {
                "/": Response.html(page()),
                "/probe.js": Response.script(PROBE),
                "/otSDKStub.js": Response.script(OT_SDK),
                "/after.gif": Response.pixel(),
                "/found": Response.no_content(),
                "/privacy": Response.html("<title>Privacy</title>"),
            }
        ),
        EVIL: Site(
            {
                "/": Response.html(page(hostile=True)),
                "/probe.js": Response.script(PROBE),
                "/otSDKStub.js": Response.script(OT_SDK),
                "/after.gif": Response.pixel(),
                "/found": Response.no_content(),
            }
        ),
        PLAIN: Site({"/": Response.html(PLAIN_PAGE)}),
        FRAMED: Site({"/": Response.html(FRAMED_PAGE)}),
        FRAME_CMP: Site({"/banner": Response.html(FRAME_BANNER), "/choice.gif": Response.pixel()}),
    }
