"""Answer a page's consent banner with the vendored ``@duckduckgo/autoconsent``, unseen by the page.

Per visit, over the page's own DevTools session (``visit.cdp``): the content script runs in an isolated
world with a random name in every frame (``Page.addScriptToEvaluateOnNewDocument`` with ``worldName``;
cross-origin iframes share the session because the browser runs with ``--disable-site-isolation-trials``),
and talks to this side through a binding that exists only in that world (``Runtime.addBinding`` with
``executionContextName``). The page's own scripts share the DOM with that world but none of its globals:
they can neither see the script nor call into it, and messages are accepted only from the isolated
contexts this visit created. Replies go back with ``Runtime.evaluate`` in the sender's context.

The configuration uses ``isMainWorld: false``: autoconsent then asks for its page checks (``eval``
messages) and this side runs them in the frame's main world, answering within autoconsent's 1 s. The
choice is made here (``autoAction: null``): on ``popupFound`` the banner's text and buttons are read from
the isolated world, a screenshot is taken, then ``optIn`` (mode "accept") or ``optOut`` ("reject") is
sent; "none" only watches. The self-test runs only after an opt-out that asked for it. Nothing is hidden
(no prehide, no cosmetic rules).

Event handlers never wait for the page: every reply is a task. ``finish`` waits, in short bounded steps,
for what is still pending; a page without a consent manager costs at most ``detect_grace_s`` more.
"""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scanner.collect.base import Collector, Visit
from scanner.consent import rules

MODES = ("none", "accept", "reject")
HEURISTICS = {"none": "off", "accept": "tier2", "reject": "reject"}
ACTIONS = {"accept": "optIn", "reject": "optOut"}
MAX_MESSAGE = 256 * 1024  # characters of one message from the content script
MAX_TEXT = 2000  # characters of banner text kept
MAX_BUTTONS = 40  # button/link labels kept
MAX_LABEL = 200
MAX_ERRORS = 20
CALL_S = 5.0  # one DevTools call
CMP_READ_S = 3.0  # reading the consent manager's state in the page

# Runs in the isolated world of the frame that found the banner: the first visible element a selector
# names (autoconsent's forms: CSS, "xpath/...", or a chain through shadow roots and frames), its text and
# the labels of its visible controls. In a frame that names no element (a CMP's own iframe), its body.
SCRAPE = r"""(selectors, top, maxText, maxButtons, maxLabel) => {
  const shown = (el) => {
    if (!el || !el.getBoundingClientRect) return false;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return style.display !== "none" && style.visibility !== "hidden" && box.width > 0 && box.height > 0;
  };
  const query = (selector, root) => {
    if (selector.startsWith("xpath/")) {
      const doc = root.ownerDocument || root;
      const found = doc.evaluate(selector.slice(6), root, null, XPathResult.ORDERED_NODE_SNAPSHOT_TYPE, null);
      const out = [];
      for (let i = 0; i < found.snapshotLength; i++) out.push(found.snapshotItem(i));
      return out;
    }
    if (/^(aria|text|pierce)\//.test(selector)) return [];
    return Array.from(root.querySelectorAll(selector));
  };
  const resolve = (selector) => {
    if (typeof selector === "string") return query(selector, document);
    let root = document;
    let found = [];
    for (const part of selector) {
      found = query(part, root);
      if (!found.length) return [];
      const el = found[0];
      const inner = el.contentDocument && el.contentDocument.documentElement ? el.contentDocument : el;
      root = el.shadowRoot || inner;
    }
    return found;
  };
  let banner = null;
  let matched = null;
  for (const selector of selectors) {
    try { banner = resolve(selector).find(shown) || null; } catch (e) { banner = null; }
    if (banner) { matched = selector; break; }
  }
  if (!banner && !top && document.body) banner = document.body;
  if (!banner) return null;
  const clean = (s) => String(s || "").replace(/[ \t\r\f\v]+/g, " ").replace(/\s*\n\s*/g, "\n").trim();
  const roots = [banner];
  if (banner.shadowRoot) roots.push(banner.shadowRoot);
  let text = clean(banner.innerText);
  if (!text && banner.shadowRoot) text = clean(banner.shadowRoot.textContent);
  const labels = [];
  const controls = "button, a[href], [role=button], [role=link], input[type=button], input[type=submit]";
  for (const root of roots) {
    for (const el of root.querySelectorAll(controls)) {
      if (labels.length >= maxButtons) break;
      if (!shown(el)) continue;
      const label = clean(el.innerText || el.value || el.getAttribute("aria-label") || el.title)
        .replace(/\n/g, " ");
      if (label) labels.push(label.slice(0, maxLabel));
    }
  }
  return { text: text.slice(0, maxText), buttons: labels, selector: matched };
}"""


def config(mode: str) -> dict:
    """autoconsent's configuration for one pass: the choice is made here, nothing is hidden."""
    return {
        "enabled": True,
        "autoAction": None,
        "disabledCmps": [],
        "enablePrehide": False,
        "enableCosmeticRules": False,
        "enableGeneratedRules": True,
        "detectRetries": 20,
        "isMainWorld": False,
        "enableHeuristicDetection": mode != "none",
        "heuristicMode": HEURISTICS[mode],
        "logs": {
            "lifecycle": False,
            "rulesteps": False,
            "detectionsteps": False,
            "evals": False,
            "errors": False,
            "messages": False,
            "waits": False,
        },
    }


def bridge(binding: str) -> str:
    """The line put before the bundle: autoconsent's outgoing messages go to the binding, as JSON."""
    name = json.dumps(binding)
    return (
        "window.autoconsentSendMessage = (message) => {\n"
        f"  globalThis[{name}](JSON.stringify(message));\n"
        "  return Promise.resolve();\n"
        "};\n"
    )


@dataclass
class ConsentState:
    """What one visit's autoconsent did, filled in as its messages arrive."""

    mode: str
    detected: list[str] = field(default_factory=list)
    detected_at: float | None = None
    cmp: str | None = None  # the CMP whose banner was found (else the first detected)
    popup_found: bool = False
    popup_at: float | None = None
    popup_frame: str | None = None  # URL of the frame that showed it
    popup_again: bool = False  # a banner was found again after the action (e.g. after a reload)
    action: str | None = None
    action_at: float | None = None
    result: bool | None = None
    result_at: float | None = None
    self_test: bool | None = None
    clicks: int | None = None
    banner_text: str | None = None
    banner_buttons: list[str] = field(default_factory=list)
    screenshot_before: str | None = None
    screenshot_after: str | None = None
    errors: list[str] = field(default_factory=list)
    heuristic_patterns: list[str] = field(default_factory=list)

    def error(self, text: str) -> None:
        if len(self.errors) < MAX_ERRORS:
            self.errors.append(text[:300])


class AutoconsentDriver:
    """One visit's autoconsent: its isolated worlds, their messages and the replies."""

    def __init__(self, session: Any, mode: str, on_popup: Any = None) -> None:
        self.session = session
        self.state = ConsentState(mode=mode)
        self.mode = mode
        self.world = "_" + secrets.token_hex(12)
        self.binding = "_" + secrets.token_hex(12)
        self.on_popup = on_popup  # async (driver, context id) -> None: evidence before the action
        self.top_frame: str | None = None
        self.isolated: dict[int, str] = {}  # isolated context id -> frame id
        self.main_world: dict[str, int] = {}  # frame id -> its page's (default) context id
        self.frame_urls: dict[int, str] = {}  # isolated context id -> URL its init reported
        self.reports: dict[str, dict] = {}  # autoconsent instance -> last report
        self.selftest_context: int | None = None
        self.selftest_sent = False
        self.acted = False  # the banner's evidence was taken and the pass's choice sent (or not possible)
        self.load_at: float | None = None  # monotonic time of the last main-frame load
        self.changed = asyncio.Event()
        self.tasks: set[asyncio.Task] = set()

    async def install(self) -> None:
        session = self.session
        session.on("Runtime.executionContextCreated", self._context_created)
        session.on("Runtime.executionContextDestroyed", self._context_destroyed)
        session.on("Runtime.executionContextsCleared", self._contexts_cleared)
        session.on("Runtime.bindingCalled", self._binding_called)
        session.on("Page.loadEventFired", self._loaded)
        session.on("Page.frameNavigated", self._navigated)
        await session.send("Page.enable")
        await session.send("Runtime.enable")
        tree = await session.send("Page.getFrameTree")
        self.top_frame = tree["frameTree"]["frame"]["id"]
        await session.send("Runtime.addBinding", {"name": self.binding, "executionContextName": self.world})
        source = bridge(self.binding) + rules.bundle()
        await session.send(
            "Page.addScriptToEvaluateOnNewDocument",
            {"source": source, "worldName": self.world, "runImmediately": True},
        )

    # ---- DevTools events (synchronous: anything that waits on the page becomes a task) ----

    def _context_created(self, event: dict) -> None:
        context = event.get("context") or {}
        aux = context.get("auxData") or {}
        frame, cid = aux.get("frameId"), context.get("id")
        if not isinstance(frame, str) or not isinstance(cid, int):
            return
        if aux.get("isDefault"):
            self.main_world[frame] = cid
        elif context.get("name") == self.world:
            self.isolated[cid] = frame

    def _context_destroyed(self, event: dict) -> None:
        cid = event.get("executionContextId")
        self.isolated.pop(cid, None)
        self.frame_urls.pop(cid, None)
        for frame, main in list(self.main_world.items()):
            if main == cid:
                del self.main_world[frame]

    def _contexts_cleared(self, _event: dict) -> None:
        self.isolated.clear()
        self.frame_urls.clear()
        self.main_world.clear()

    def _navigated(self, event: dict) -> None:
        frame = event.get("frame") or {}
        if not frame.get("parentId") and isinstance(frame.get("id"), str):
            self.top_frame = frame["id"]

    def _loaded(self, _event: dict) -> None:
        self.load_at = time.monotonic()
        self.changed.set()

    def _binding_called(self, event: dict) -> None:
        if event.get("name") != self.binding:
            return
        cid = event.get("executionContextId")
        if cid not in self.isolated:
            return  # not one of this visit's hidden worlds
        payload = event.get("payload")
        if not isinstance(payload, str) or len(payload) > MAX_MESSAGE:
            return
        try:
            message = json.loads(payload)
        except ValueError:
            return
        if isinstance(message, dict) and isinstance(message.get("type"), str):
            self._handle(cid, message)
            self.changed.set()

    def _handle(self, cid: int, message: dict) -> None:
        kind, state = message["type"], self.state
        if kind == "init":
            url = message.get("url")
            if isinstance(url, str) and url.startswith(("http://", "https://")):
                self.frame_urls[cid] = url
                top = self.isolated.get(cid) == self.top_frame
                reply = {"type": "initResp", "config": config(self.mode), "rules": {"autoconsent": []}}
                reply["rules"]["autoconsent"] = rules.rules_for(url, top)
                self._send(cid, reply)
        elif kind == "eval":
            self._spawn(self._eval(cid, message.get("id"), message.get("code")))
        elif kind == "cmpDetected":
            name = _name(message.get("cmp"))
            if name not in state.detected and len(state.detected) < 20:
                state.detected.append(name)
            if state.detected_at is None:
                state.detected_at = time.time()
        elif kind == "popupFound":
            self._popup(cid, _name(message.get("cmp")))
        elif kind in ("optInResult", "optOutResult"):
            if state.action is not None and kind == state.action + "Result" and state.result is None:
                state.result = message.get("result") is True
                state.result_at = time.time()
                if kind == "optOutResult" and message.get("scheduleSelfTest") is True:
                    self.selftest_context = cid
        elif kind == "autoconsentDone":
            clicks = message.get("totalClicks")
            if isinstance(clicks, int) and not isinstance(clicks, bool):
                state.clicks = clicks
            if self.selftest_context is not None and not self.selftest_sent and state.action == "optOut":
                self.selftest_sent = True
                self._send(self.selftest_context, {"type": "selfTest"})
        elif kind == "selfTestResult":
            if self.selftest_sent and state.self_test is None:
                state.self_test = message.get("result") is True
        elif kind == "autoconsentError":
            state.error("autoconsent: " + _text(message.get("details")))
        elif kind == "report":
            self._report(message)

    def _popup(self, cid: int, name: str) -> None:
        state = self.state
        if state.popup_found:
            if state.action_at is not None:
                state.popup_again = True
            return
        state.popup_found = True
        state.popup_at = time.time()
        state.cmp = name
        state.popup_frame = self.frame_urls.get(cid)
        self._spawn(self._act(cid))

    def _report(self, message: dict) -> None:
        instance, report = message.get("instanceId"), message.get("state")
        if not isinstance(instance, str) or not isinstance(report, dict):
            return
        if instance not in self.reports and len(self.reports) >= 50:
            return
        self.reports[instance] = {
            "main": message.get("mainFrame") is True,
            "lifecycle": report.get("lifecycle"),
            "clicks": report.get("clicks"),
        }
        patterns = report.get("heuristicPatterns")
        if isinstance(patterns, list) and patterns:
            self.state.heuristic_patterns = [_text(p)[:100] for p in patterns[:20]]

    # ---- tasks ----

    def _spawn(self, work: Any) -> None:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def _send(self, cid: int, message: dict) -> asyncio.Task:
        async def deliver() -> None:
            expression = f"autoconsentReceiveMessage({json.dumps(message)})"
            try:
                await asyncio.wait_for(
                    self.session.send("Runtime.evaluate", {"contextId": cid, "expression": expression}),
                    CALL_S,
                )
            except Exception as exc:  # noqa: BLE001 - the frame went away (navigated, closed)
                if message["type"] in ("optIn", "optOut", "selfTest"):
                    self.state.error(f"sending {message['type']}: {_first_line(exc)}")

        task = asyncio.ensure_future(deliver())
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    async def _eval(self, cid: int, request: Any, code: Any) -> None:
        """One of autoconsent's page checks, in the main world of the frame that asked."""
        if not isinstance(request, str) or not isinstance(code, str):
            return
        result = False
        main = self.main_world.get(self.isolated.get(cid, ""))
        if main is not None:
            try:
                answer = await asyncio.wait_for(
                    self.session.send(
                        "Runtime.evaluate",
                        {
                            "contextId": main,
                            "expression": code,
                            "returnByValue": True,
                            "allowUnsafeEvalBlockedByCSP": True,
                            "silent": True,
                        },
                    ),
                    0.9,
                )
                if "exceptionDetails" not in answer:
                    result = bool((answer.get("result") or {}).get("value"))
            except Exception:  # noqa: BLE001 - too slow or gone: the check fails, as autoconsent's own
                result = False
        self._send(cid, {"type": "evalResp", "id": request, "result": result})

    async def _act(self, cid: int) -> None:
        """The banner is up: keep its evidence, then make the pass's choice."""
        if self.on_popup is not None:
            try:
                await self.on_popup(self, cid)
            except Exception as exc:  # noqa: BLE001 - evidence lost, the choice is still made
                self.state.error(f"before the action: {_first_line(exc)}")
        action = ACTIONS.get(self.mode)
        if action is not None and cid not in self.isolated:
            self.state.error("the frame that showed the banner went away before the action")
        elif action is not None:
            self.state.action = action
            self.state.action_at = time.time()
            self._send(cid, {"type": action})
        self.acted = True
        self.changed.set()

    async def scrape(self, cid: int) -> dict | None:
        """The banner's text and button labels, read in the isolated world of frame context ``cid``."""
        selectors = rules.popup_selectors(self.state.cmp or "")
        top = self.isolated.get(cid) == self.top_frame
        args = ", ".join(json.dumps(a) for a in (selectors, top, MAX_TEXT, MAX_BUTTONS, MAX_LABEL))
        answer = await asyncio.wait_for(
            self.session.send(
                "Runtime.evaluate",
                {"contextId": cid, "expression": f"({SCRAPE})({args})", "returnByValue": True},
            ),
            CALL_S,
        )
        if "exceptionDetails" in answer:
            raise RuntimeError("reading the banner failed in the page")
        value = (answer.get("result") or {}).get("value")
        return value if isinstance(value, dict) else None

    async def screenshot(self, path: Path) -> None:
        """The viewport as JPEG, taken over DevTools (nothing runs in the page)."""
        shot = await asyncio.wait_for(
            self.session.send("Page.captureScreenshot", {"format": "jpeg", "quality": 60}), CALL_S
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    # ---- waiting (from finish) ----

    def nothing_detected(self) -> bool:
        """autoconsent gave up looking in the top frame."""
        return any(r["main"] and r["lifecycle"] == "nothingDetected" for r in self.reports.values())

    async def wait_for(self, done: Any, deadline: float) -> bool:
        while not done():
            left = deadline - time.monotonic()
            if left <= 0:
                return False
            self.changed.clear()
            try:
                await asyncio.wait_for(self.changed.wait(), min(left, 0.25))
            except TimeoutError:
                pass
        return True

    def close(self) -> None:
        for task in list(self.tasks):
            task.cancel()


def _name(value: Any) -> str:
    return value[:100] if isinstance(value, str) else "unknown"


def _text(value: Any) -> str:
    if isinstance(value, str):
        return value[:300]
    try:
        return json.dumps(value, default=str)[:300]
    except (TypeError, ValueError):
        return type(value).__name__


def _first_line(exc: BaseException) -> str:
    lines = [ln.strip() for ln in str(exc).splitlines() if ln.strip()]
    return f"{type(exc).__name__}: {lines[0]}"[:200] if lines else type(exc).__name__


class ConsentCollector(Collector):
    """Detect the consent banner of every visited page and, in the "accept"/"reject" passes, answer it.

    ``records(visit)`` gives ``{"consent": [row]}``: see ``row``. Screenshots go to ``screenshots_dir``
    (paths relative to the scan folder, as the page screenshots). The waits in ``finish`` are bounded by
    ``detect_s``/``popup_s``/``result_s`` and, all together, ``budget_s`` (keep it under ``--timeout``).
    """

    name = "consent"
    finish_first = True  # it may still be answering the banner: the other collectors read after it

    def __init__(
        self,
        mode: str = "none",
        screenshots_dir: Path | None = None,
        *,
        detect_s: float = 5.0,
        detect_grace_s: float = 1.0,
        popup_s: float = 5.0,
        result_s: float = 15.0,
        self_test_s: float = 6.0,
        settle_s: float = 0.5,
        budget_s: float = 25.0,
    ) -> None:
        if mode not in MODES:
            raise ValueError(f"consent mode must be one of {', '.join(MODES)}, not {mode!r}")
        self.mode = mode
        self.folder = Path(screenshots_dir) if screenshots_dir is not None else None
        self.detect_s, self.detect_grace_s = detect_s, detect_grace_s
        self.popup_s, self.result_s, self.self_test_s = popup_s, result_s, self_test_s
        self.settle_s, self.budget_s = settle_s, budget_s
        self.prefix = ""  # screenshot names of a consent pass start with its name (visits count from 1)

    async def start(self, visit: Visit) -> None:
        if visit.cdp is None:
            visit.fail(self.name, "start", "no DevTools session: consent banner not handled")
            return
        driver = AutoconsentDriver(visit.cdp, self.mode, on_popup=lambda d, cid: self._before(visit, d, cid))
        visit.state[self.name] = driver
        try:
            await driver.install()
        except Exception as exc:  # noqa: BLE001 - this page is audited without consent handling
            visit.fail(self.name, "start", exc)
            driver.state.error(f"setup: {_first_line(exc)}")

    async def _before(self, visit: Visit, driver: AutoconsentDriver, cid: int) -> None:
        state = driver.state
        try:
            banner = await driver.scrape(cid)
        except Exception as exc:  # noqa: BLE001
            state.error(f"reading the banner: {_first_line(exc)}")
            banner = None
        if banner:
            state.banner_text = _text(banner.get("text"))[:MAX_TEXT] if banner.get("text") else None
            buttons = banner.get("buttons")
            if isinstance(buttons, list):
                state.banner_buttons = [b[:MAX_LABEL] for b in buttons[:MAX_BUTTONS] if isinstance(b, str)]
        state.screenshot_before = await self._shot(visit, driver, "before")

    async def _shot(self, visit: Visit, driver: AutoconsentDriver, when: str) -> str | None:
        if self.folder is None:
            return None
        name = f"{self.prefix}{visit.index:04d}-consent-{when}.jpg"
        try:
            await driver.screenshot(self.folder / name)
        except Exception as exc:  # noqa: BLE001
            driver.state.error(f"screenshot {when}: {_first_line(exc)}")
            return None
        return f"{self.folder.name}/{name}"

    async def finish(self, visit: Visit) -> None:
        driver = visit.state.get(self.name)
        if not isinstance(driver, AutoconsentDriver):
            return
        try:
            await self._wait(visit, driver)
        except Exception as exc:  # noqa: BLE001 - what was recorded so far stays
            visit.fail(self.name, "finish", exc)
        finally:
            driver.close()
        await self._read_cmp(visit)

    async def _read_cmp(self, visit: Visit) -> None:
        """What the consent manager itself says (its state, declared cookies and vendors), read from the
        page's main world within CMP_READ_S: only its own APIs are called, nothing is left behind."""
        from scanner.consent.cmp_record import state_record
        from scanner.consent.cmp_state import read_cmp_state

        try:
            reading = await read_cmp_state(visit.page, timeout_s=CMP_READ_S)
        except Exception as exc:  # noqa: BLE001
            visit.fail(self.name, "cmp state", exc)
            return
        visit.state[f"{self.name}.cmp_state"] = state_record(reading, visit.state.get(f"{self.name}.gvl"))

    async def on_response(self, visit: Visit, response: Any) -> None:
        """Keep the IAB Global Vendor List the page's consent manager downloads (vendor names by id)."""
        url = response.url.lower()
        if "vendor-list" not in url and "vendorlist" not in url and "/gvl" not in url:
            return
        if f"{self.name}.gvl" in visit.state:
            return
        from scanner.consent.cmp_state import MAX_GVL_BYTES, gvl_vendors

        try:
            length = int(response.headers.get("content-length") or 0)
            if length > MAX_GVL_BYTES:
                return
            vendors = gvl_vendors(await response.body())
        except Exception:  # noqa: BLE001 - not readable (a redirect, a closed page): no names
            return
        if vendors:
            visit.state[f"{self.name}.gvl"] = vendors

    async def _wait(self, visit: Visit, driver: AutoconsentDriver) -> None:
        state = driver.state
        now = time.monotonic()
        end = now + self.budget_s
        load_at = driver.load_at or now
        # 1. A consent manager: at most detect_s after load, and never more than the grace from now.
        detect_by = min(load_at + self.detect_s, now + self.detect_grace_s, end)
        await driver.wait_for(lambda: bool(state.detected) or driver.nothing_detected(), detect_by)
        if not state.detected:
            return
        # 2. Its banner (autoconsent itself looks for about 5 s).
        popup_by = min(max(now, _mono(state.detected_at) + self.popup_s), end)
        await driver.wait_for(lambda: state.popup_found, popup_by)
        if not state.popup_found or self.mode == "none":
            return
        # 3. The evidence before the action is taken, the action sent, then its result.
        sent_by = min(time.monotonic() + 2 * CALL_S + 1, end)
        if not await driver.wait_for(lambda: driver.acted, sent_by):
            state.error("the action was not sent in time")
        if state.action_at is None:
            return
        result_by = min(_mono(state.action_at) + self.result_s, end)
        if not await driver.wait_for(lambda: state.result is not None, result_by):
            state.error(f"no {state.action} result within {self.result_s:g} s")
        elif driver.selftest_context is not None:
            # The self-test goes out when autoconsent says it is done (right after the result; never
            # for a rule that only opened a second layer).
            await driver.wait_for(lambda: driver.selftest_sent, min(time.monotonic() + 1.0, end))
            test_by = min(time.monotonic() + self.self_test_s, end)
            if driver.selftest_sent and not await driver.wait_for(
                lambda: state.self_test is not None, test_by
            ):
                state.error(f"no self-test result within {self.self_test_s:g} s")
        # 4. Some consent managers reload the page: let it load again, then settle.
        await asyncio.sleep(min(self.settle_s, max(0.0, end - time.monotonic())))
        try:
            left = max(0.1, end - time.monotonic())
            await visit.page.wait_for_load_state("load", timeout=min(left, 10.0) * 1000)
        except Exception as exc:  # noqa: BLE001
            state.error(f"waiting for the page after the action: {_first_line(exc)}")
        state.screenshot_after = await self._shot(visit, driver, "after")

    def records(self, visit: Visit) -> dict[str, list[dict]]:
        driver = visit.state.get(self.name)
        if not isinstance(driver, AutoconsentDriver):
            return {}
        record = row(visit, driver)
        record["cmp_state"] = visit.state.get(f"{self.name}.cmp_state")
        return {"consent": [record]}


def _mono(epoch: float | None) -> float:
    """An epoch time (time.time) as a monotonic one, for deadlines."""
    if epoch is None:
        return time.monotonic()
    return time.monotonic() - (time.time() - epoch)


def row(visit: Visit, driver: AutoconsentDriver) -> dict:
    """The visit's consent record."""
    s = driver.state
    cmp = s.cmp or (s.detected[0] if s.detected else None)
    clicks = s.clicks
    if clicks is None and s.action is not None:  # no "done" message: the last count autoconsent reported
        counts = [r["clicks"] for r in driver.reports.values() if isinstance(r.get("clicks"), int)]
        clicks = max(counts, default=None)
    return {
        "page_url": visit.page_url,
        "autoconsent_version": rules.version(),
        "mode": s.mode,
        "cmp": cmp,
        "cmps_detected": list(s.detected),
        "detected_at": s.detected_at,
        "popup_found": s.popup_found,
        "popup_at": s.popup_at,
        "popup_frame_url": s.popup_frame,
        "action": s.action,
        "action_at": s.action_at,
        "result": s.result,
        "result_at": s.result_at,
        "self_test": s.self_test,
        "verified": s.action == "optOut" and s.result is True and s.self_test is True,
        "clicks": clicks,
        "popup_again": s.popup_again,
        "banner_text": s.banner_text,
        "banner_buttons": list(s.banner_buttons),
        "screenshot_before": s.screenshot_before,
        "screenshot_after": s.screenshot_after,
        "heuristic_patterns": list(s.heuristic_patterns),
        "errors": list(s.errors),
    }
