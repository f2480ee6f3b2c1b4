"""report.html for every reader: axe-core (vendored, tests/vendor/axe-core) finds no serious or critical
violation in the light and the dark theme, the page never scrolls sideways on a 390 px phone, sorting works
from the keyboard (a button per header, aria-sort), the skip link reaches the report, and the theme switch
changes the colours and remembers the choice. All in real Chromium on a report of the real pipeline with a
consent audit and a behaviour audit (raw visits -> assemble -> analyse, as `scanner scan` does)."""

from __future__ import annotations

import json
import re
from contextlib import contextmanager
from pathlib import Path

import pytest
from behaviour_factory import PAGES, T0, declaration, request, site_visits, visit
from consent_factory import driver
from report_browser import browser

from scanner.assemble import assemble
from scanner.history.files import MATRIX_CSS
from scanner.model import ScanMeta, ScanResult
from scanner.pipeline import analyse
from scanner.report import write_reports
from scanner.report.html import STYLE_PARTS, asset
from scanner.scope import Scope

AXE = Path(__file__).with_name("vendor") / "axe-core" / "axe.min.js"
THEME_KEY = "scanner-report-theme"
LIGHT_BG, DARK_BG = "rgb(246, 248, 251)", "rgb(18, 22, 29)"  # --bg of each theme
LIGHT_FG = "rgb(29, 36, 48)"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


def audited_site() -> ScanResult:
    """The behaviour shop (every behaviour finding kind, a declaration, findings of every status) with a
    consent banner answered both ways on two pages: Criteo and Google Analytics keep going after it."""
    visits = site_visits()
    banner = {"banner_text": "We use cookies", "banner_buttons": ["Accept all", "Reject all"]}
    visits[0]["consent"] = [driver("Onetrust", **banner)]
    for name, action in (("accept", "optIn"), ("reject", "optOut")):
        for i, page in enumerate(PAGES[:2]):
            v = visit(
                page,
                [
                    request("https://static.criteo.net/js/ld/ld.js", page, ts=T0 + 3),
                    request(
                        "https://www.google-analytics.com/g/collect?v=2&cid=1.2", page, "image", ts=T0 + 3
                    ),
                ],
            )
            v["page"]["consent_pass"] = name
            if i == 0:
                v["consent"] = [driver("Onetrust", action, True, verified=True, **banner)]
            visits.append(v)
    meta = ScanMeta(
        tool_version="test",
        start_urls=(PAGES[0],),
        started_at="2027-01-01T00:00:00Z",
        finished_at="2027-01-01T00:01:00Z",
        options={"api_hooks": True, "probe_forms": True},
        consent_passes=tuple(
            {"name": n, "pages": PAGES[:2], "gpc_presented": False} for n in ("accept", "reject")
        ),
    )
    raw = assemble(meta, Scope([PAGES[0]]), json.loads(json.dumps(visits)))
    return analyse(raw, declared=declaration())


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    result = audited_site()
    assert result.consent is not None and result.consent.findings
    assert result.behaviour is not None and result.behaviour.findings
    out = tmp_path_factory.mktemp("a11y")
    write_reports(result, out, ["html"], fail_on=["undeclared", "before-consent"])
    return out / "report.html"


@pytest.fixture(scope="module")
def chromium():
    with browser() as b:
        yield b


@contextmanager
def opened(b, path: Path, **context):
    """report.html in a context of its own; ``.errors`` collects page errors and CSP reports."""
    ctx = b.new_context(**context)
    page = ctx.new_page()
    page.errors = []
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on("console", lambda m: page.errors.append(m.text) if "Content Security Policy" in m.text else None)
    try:
        page.goto(path.resolve().as_uri(), wait_until="load")
        page.wait_for_selector("body[data-ready]", state="attached")
        yield page
    finally:
        ctx.close()


# ---- axe-core -------------------------------------------------------------------------------------

# Rules about structure that must pass whatever their impact.
STRUCTURE = ("heading-order", "page-has-heading-one", "landmark-one-main", "region", "skip-link", "bypass")
# The dark theme changes colours only: there axe checks the colour rules (a third of the time).
COLOUR_RULES = ["color-contrast", "link-in-text-block"]
ALL_RULES = "{type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}"


def run_axe(page, run_only: str = ALL_RULES) -> dict:
    # Every evidence block open, so its tables are checked too. Sticky headers and deferred rendering
    # (content-visibility) make axe give up on the colours of what they cover ("incomplete"): make them
    # static for the check; no colour changes.
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    page.add_style_tag(
        content="header.top,.grid th{position:static!important}section{content-visibility:visible!important}"
    )
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    return page.evaluate(f"axe.run(document, {{runOnly: {run_only}}})")


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_serious_violation(chromium, report, scheme):
    # bypass_csp only to inject axe; the report's own CSP is checked by the other tests of this module
    with opened(chromium, report, viewport=DESKTOP, color_scheme=scheme, bypass_csp=True) as page:
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == (DARK_BG if scheme == "dark" else LIGHT_BG)
        results = run_axe(page, ALL_RULES if scheme == "light" else json.dumps(COLOUR_RULES))
    found = [
        f"{v['impact']} {v['id']}: {[n['target'] for n in v['nodes'][:5]]}"
        for v in results["violations"]
        if v["impact"] in ("serious", "critical") or v["id"] in STRUCTURE
    ]
    assert found == []
    # the colours were really measured: every status chip and badge passed the contrast check
    contrast = {
        json.dumps(n["target"]) for r in results["passes"] if r["id"] == "color-contrast" for n in r["nodes"]
    }
    assert len(contrast) > 300
    for cls in (
        "chip.mismatch",
        "chip.not_observed",
        "chip.sev-medium",
        "badge.undeclared",
        "badge.mismatch",
    ):
        assert any(cls.split(".")[1] in t and cls.split(".")[0] in t for t in contrast), cls
    ran = {r["id"] for r in results["passes"]} | {r["id"] for r in results["violations"]}
    expected = {"heading-order", "skip-link", "aria-allowed-attr"} if scheme == "light" else set()
    assert {"color-contrast", *expected} <= ran


# ---- phone ------------------------------------------------------------------------------------------

# Elements wider than the viewport that are not inside a horizontal scroll container.
OVERFLOWING = """() => {
  const width = document.documentElement.clientWidth, out = [];
  const scrolls = e => {
    for (let a = e.parentElement; a; a = a.parentElement) {
      const x = getComputedStyle(a).overflowX;
      if (x === 'auto' || x === 'scroll') return true;
    }
    return false;
  };
  document.querySelectorAll('body *').forEach(e => {
    const r = e.getBoundingClientRect();
    if (r.width && (r.right > width + 1 || r.left < -1) && !scrolls(e))
      out.push(e.tagName.toLowerCase() + '.' + (e.getAttribute('class') || '') + ' ' + Math.round(r.right));
  });
  return out.slice(0, 10);
}"""


def test_phone_has_no_horizontal_page_scroll(chromium, report):
    with opened(chromium, report, viewport=PHONE, device_scale_factor=1, is_mobile=True) as page:
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        sections = page.evaluate("Array.from(document.querySelectorAll('main > section')).map(s => s.id)")
        assert {"verdict", "consent", "behaviour", "findings", "cookies", "pages"} <= set(sections)
        for sid in sections:  # each section is laid out once it is on screen (content-visibility)
            page.evaluate("id => document.getElementById(id).scrollIntoView()", sid)
            frames(page)
            assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], sid
            assert page.evaluate(OVERFLOWING) == [], sid
        # the wide tables scroll inside their cards instead
        table = page.evaluate(
            "(() => { const t = document.getElementById('findings-table');"
            " return [t.scrollWidth, t.clientWidth, getComputedStyle(t).overflowX]; })()"
        )
        assert table[0] > table[1] and table[2] == "auto"
        # the charts shrink to the card
        charts = page.evaluate(
            "Array.from(document.querySelectorAll('svg.chart')).map(s => s.getBoundingClientRect().width)"
        )
        assert charts and all(w <= PHONE["width"] - 20 for w in charts)
        assert page.errors == []


def frames(page) -> None:
    """Wait two animation frames: resize observers have been notified and the page laid out again."""
    page.evaluate("new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")


def test_a_table_wider_than_its_card_scrolls_in_it_and_one_that_fits_keeps_its_sticky_header(
    chromium, report
):
    """Between phone and desktop (here 1000 px) the vendor table with its evidence open is wider than its
    card: it scrolls inside the card rather than being cut off (sections clip what overflows them)."""
    with opened(chromium, report, viewport={"width": 1000, "height": 900}) as page:
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        for sid in page.evaluate("Array.from(document.querySelectorAll('main > section')).map(s => s.id)"):
            page.evaluate("id => document.getElementById(id).scrollIntoView()", sid)
            frames(page)
            clipped = page.evaluate(
                "id => { const s = document.getElementById(id); return s.scrollWidth - s.clientWidth; }", sid
            )
            assert clipped <= 0, sid
        assert "findings-table" in page.evaluate(
            "Array.from(document.querySelectorAll('table.scroll-x')).map(t => t.id)"
        )
        page.emulate_media(media="print")  # paper does not scroll: printed, the table does not either
        printed = "(() => { const s = getComputedStyle(document.getElementById('findings-table'));"
        printed += " return [s.overflowX, s.maxWidth]; })()"
        assert page.evaluate(printed) == ["visible", "none"]  # print.css: each finding a grid, Detail below
        page.emulate_media(media="screen")
        page.set_viewport_size(DESKTOP)
        page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = false; })")
        page.evaluate("document.getElementById('findings').scrollIntoView()")
        frames(page)
        state = page.evaluate(
            "(() => { const t = document.getElementById('findings-table'), th = t.tHead.rows[0].cells[0];"
            " return [t.classList.contains('scroll-x'), getComputedStyle(th).position]; })()"
        )
        assert state == [False, "sticky"]
        assert page.errors == []


# ---- keyboard --------------------------------------------------------------------------------------


def focused(page) -> dict:
    return page.evaluate(
        """(() => { const e = document.activeElement, th = e.closest('th');
          return {tag: e.tagName.toLowerCase(), cls: e.className, id: e.id, text: e.textContent.trim(),
                  visible: e.matches(':focus-visible') && getComputedStyle(e).outlineStyle !== 'none',
                  sort: th ? th.getAttribute('aria-sort') : null}; })()"""
    )


def vendors(page) -> list[str]:
    return page.evaluate(
        "Array.from(document.querySelectorAll('#findings-table > tbody.unit')).filter(u => !u.hidden)"
        ".map(u => u.rows[0].cells[1].querySelector('b').textContent)"
    )


def test_skip_link_and_keyboard_sorting(chromium, report):
    with opened(chromium, report, viewport=DESKTOP) as page:
        page.keyboard.press("Tab")
        assert focused(page)["cls"] == "skip-link" and focused(page)["visible"]
        page.keyboard.press("Enter")
        assert focused(page)["id"] == "main"

        # from the vendor search box, Tab goes to the table's header buttons
        page.focus("#findings .filters input[data-key='text']")
        page.keyboard.press("Tab")
        page.keyboard.press("Tab")
        now = focused(page)
        assert now["tag"] == "button" and now["cls"] == "sort" and now["text"] == "Vendor"
        assert now["visible"] and now["sort"] is None
        before = vendors(page)
        page.keyboard.press("Enter")
        assert focused(page)["sort"] == "ascending"
        assert vendors(page) == sorted(before, key=str.lower) != before
        page.keyboard.press(" ")
        assert focused(page)["sort"] == "descending"
        assert vendors(page) == sorted(before, key=str.lower, reverse=True)
        # one sorted column at a time
        sorted_headers = page.evaluate("document.querySelectorAll('#findings-table th[aria-sort]').length")
        assert sorted_headers == 1
        # headers without data-sort get no button
        assert page.evaluate("document.querySelectorAll('th:not([data-sort]) button.sort').length") == 0
        assert (
            page.evaluate("document.querySelectorAll('th[data-sort]:not(:has(> button.sort))').length") == 0
        )


# ---- theme -----------------------------------------------------------------------------------------


def theme(page) -> dict:
    return page.evaluate(
        f"""(() => ({{attr: document.documentElement.getAttribute('data-theme'),
          bg: getComputedStyle(document.body).backgroundColor,
          stored: localStorage.getItem('{THEME_KEY}'),
          pressed: Array.from(document.querySelectorAll('[data-theme-choice][aria-pressed=true]'))
            .map(b => b.getAttribute('data-theme-choice'))}}))()"""
    )


def reload_until(page, stored, tries: int = 100) -> dict:
    """Load the report again, as a reader reopening it would. Chromium hands a localStorage write to the
    browser process asynchronously; a reload in a new renderer right after the click may come before it
    (a reader reopening a report later never does), so reload until the write has arrived."""
    for _ in range(tries):
        page.reload(wait_until="load")
        if stored():
            break
        page.wait_for_timeout(50)
    return theme(page)


def test_theme_switch_changes_and_remembers(chromium, report):
    with opened(chromium, report, viewport=DESKTOP, color_scheme="light") as page:
        assert page.is_visible(".theme-switch")
        assert theme(page) == {"attr": None, "bg": LIGHT_BG, "stored": None, "pressed": ["system"]}
        page.click("[data-theme-choice=dark]")
        assert theme(page) == {"attr": "dark", "bg": DARK_BG, "stored": "dark", "pressed": ["dark"]}
        reopened = reload_until(page, lambda: theme(page)["stored"] == "dark")
        assert reopened == {"attr": "dark", "bg": DARK_BG, "stored": "dark", "pressed": ["dark"]}
        # printing always uses the light colours
        page.emulate_media(media="print")
        assert page.evaluate("getComputedStyle(document.body).color") == LIGHT_FG
        page.emulate_media(media="screen", color_scheme="dark")
        page.click("[data-theme-choice=light]")
        assert theme(page) == {"attr": "light", "bg": LIGHT_BG, "stored": "light", "pressed": ["light"]}
        page.click("[data-theme-choice=system]")  # forgets the choice: the system's dark applies
        assert theme(page) == {"attr": None, "bg": DARK_BG, "stored": None, "pressed": ["system"]}
        # a stored value that is not a theme (another page on file:// may write anything) is ignored
        junk = '"><img src=x onerror=window.__pwned=1>'
        page.evaluate("([key, value]) => localStorage.setItem(key, value)", [THEME_KEY, junk])
        reload_until(page, lambda: page.evaluate(f"localStorage.getItem('{THEME_KEY}')") == junk)
        assert theme(page)["attr"] is None and theme(page)["pressed"] == ["system"]
        assert page.evaluate("window.__pwned") is None
        assert page.errors == []


def test_theme_switch_works_without_storage(chromium, report):
    with opened(chromium, report, viewport=DESKTOP, color_scheme="light") as page:
        page.context.add_init_script(
            "Object.defineProperty(window, 'localStorage', {get() { throw new DOMException('denied'); }})"
        )
        page.reload(wait_until="load")
        page.click("[data-theme-choice=dark]")
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == DARK_BG
        assert page.evaluate("document.body.getAttribute('data-ready')") == "1"
        assert page.errors == []


def test_no_script_error_or_csp_report(chromium, report):
    with opened(chromium, report, viewport=DESKTOP) as page:
        page.click("[data-theme-choice=dark]")
        page.click("#findings-table th[data-sort] button.sort")
        page.fill("#findings .filters input[data-key='text']", "criteo")
        page.dispatch_event("#findings .filters input[data-key='text']", "change")  # no debounce
        counter = page.text_content("[data-count-for=findings-table]")
        assert counter.startswith("1 of") and vendors(page) == ["Criteo"]
        assert page.errors == []


# ---- the stylesheet ------------------------------------------------------------------------------

COLOUR = re.compile(r"#[0-9a-fA-F]{3,8}\b|\b(?:rgb|rgba|hsl|hsla)\(")
DARK_BLOCK = re.compile(r"\{:root(?::not\(\[data-theme=light\]\)|\[data-theme=dark\])\{(.*?)\}\}", re.S)


def test_dark_theme_blocks_are_identical():
    css = asset("report.css")
    blocks = DARK_BLOCK.findall(css)
    assert len(blocks) == 2 and blocks[0] == blocks[1]


def test_every_colour_is_a_variable():
    """So that the dark theme reaches every page that shares the stylesheet (report, diff, history and
    campaign). print.css may name colours: print is always light."""
    from scanner.batch.campaign_html import campaign_css

    css = re.sub(r"/\*.*?\*/", "", asset("report.css"), flags=re.S)
    themes, rest = css.split("*{box-sizing", 1)
    light = re.findall(r"--([\w-]+):", themes.split("@media")[0])
    assert len(light) > 20
    for block in DARK_BLOCK.findall(css):
        assert sorted(re.findall(r"--([\w-]+):", block)) == sorted(light)
    others = [asset(name) for name in STYLE_PARTS if name not in ("report.css", "print.css")]
    leftovers = []
    for source in (rest, *others, campaign_css(), MATRIX_CSS):
        source = re.sub(r"/\*.*?\*/", "", source, flags=re.S)
        leftovers += [source[max(0, m.start() - 40) : m.end() + 10] for m in COLOUR.finditer(source)]
    assert leftovers == []
