// Theme, sorting, filtering and paging for report.html (and the history and campaign pages). No data
// is read from or written as HTML: rows and header cells are only moved and hidden, so page content
// stays inert text. Long tables show their first rows only (laying out thousands of rows is what makes
// a big report slow); "Show more" reveals the next batch. Without JavaScript every row is simply shown
// and the theme follows the system.
(function () {
  "use strict";
  var PAGE = 200;
  var THEME_KEY = "scanner-report-theme";
  var THEMES = ["light", "dark"];
  var limits = {};

  // ---- theme: "light", "dark" or "system" (no data-theme: the CSS follows prefers-color-scheme) ----
  // Runs at once (report.html has this script in its head) so a stored choice applies before the first
  // paint. localStorage may be missing or refuse (file:// in some browsers, private modes): the switch
  // then still works for this page.
  function storedTheme() {
    try {
      var value = window.localStorage.getItem(THEME_KEY);
      return THEMES.indexOf(value) !== -1 ? value : "system";
    } catch (e) {
      return "system";
    }
  }
  function storeTheme(choice) {
    try {
      if (choice === "system") window.localStorage.removeItem(THEME_KEY);
      else window.localStorage.setItem(THEME_KEY, choice);
    } catch (e) { /* not remembered: nothing else to do */ }
  }
  function applyTheme(choice) {
    if (THEMES.indexOf(choice) !== -1) document.documentElement.setAttribute("data-theme", choice);
    else document.documentElement.removeAttribute("data-theme");
    document.querySelectorAll("[data-theme-choice]").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-theme-choice") === choice));
    });
  }
  applyTheme(storedTheme());

  function themeSwitch() {
    document.querySelectorAll(".theme-switch").forEach(function (box) {
      box.hidden = false;
      box.addEventListener("click", function (ev) {
        var button = ev.target.closest("[data-theme-choice]");
        if (!button) return;
        var choice = button.getAttribute("data-theme-choice");
        storeTheme(choice);
        applyTheme(choice);
      });
    });
    applyTheme(storedTheme());
  }

  // ---- tables ----
  function units(table) {
    if (table.classList.contains("grouped")) return Array.from(table.tBodies);
    return table.tBodies.length ? Array.from(table.tBodies[0].rows) : [];
  }
  function firstRow(unit) { return unit.rows ? unit.rows[0] : unit; }
  function cellKey(unit, col, numeric) {
    var cell = firstRow(unit).cells[col];
    if (!cell) return numeric ? -Infinity : "";
    var raw = cell.hasAttribute("data-v") ? cell.getAttribute("data-v") : cell.textContent;
    if (numeric) { var n = parseFloat(raw); return isNaN(n) ? -Infinity : n; }
    return raw.trim().toLowerCase();
  }
  function sortBy(table, th) {
    var col = th.cellIndex, numeric = th.getAttribute("data-sort") === "num";
    var asc = !th.classList.contains("asc");
    Array.from(th.parentNode.cells).forEach(function (c) {
      c.classList.remove("asc", "desc");
      c.removeAttribute("aria-sort");
    });
    th.classList.add(asc ? "asc" : "desc");
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    var keyed = units(table).map(function (u, i) { return [cellKey(u, col, numeric), i, u]; });
    keyed.sort(function (a, b) {
      if (a[0] < b[0]) return asc ? -1 : 1;
      if (a[0] > b[0]) return asc ? 1 : -1;
      return a[1] - b[1];
    });
    var parent = table.classList.contains("grouped") ? table : table.tBodies[0];
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k[2]); });
    parent.appendChild(frag);
    refresh(table);
  }
  // A sortable header gets a real button (reachable with Tab, pressed with Enter or Space) holding its
  // own nodes, moved, not copied.
  function sortButtons(table) {
    table.tHead.querySelectorAll("th[data-sort]").forEach(function (th) {
      if (th.querySelector("button.sort")) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
    });
  }
  function conditions(table) {
    var box = document.querySelector('.filters[data-for="' + table.id + '"]');
    if (!box) return [];
    return Array.from(box.querySelectorAll("[data-key]")).map(function (el) {
      return [el.getAttribute("data-key"), el.value.trim().toLowerCase()];
    }).filter(function (c) { return c[1] !== ""; });
  }
  function matches(u, conds) {
    return conds.every(function (c) {
      if (c[0] === "text") {
        if (u._text === undefined) u._text = u.textContent.toLowerCase();
        return u._text.indexOf(c[1]) !== -1;
      }
      return (u.getAttribute("data-" + c[0]) || "").toLowerCase() === c[1];
    });
  }
  function refresh(table) {
    var conds = conditions(table), all = units(table), limit = limits[table.id] || PAGE;
    var matching = 0, shown = 0;
    all.forEach(function (u) {
      var ok = matches(u, conds);
      if (ok) matching++;
      var show = ok && shown < limit;
      if (show) shown++;
      if (u.hidden === show) u.hidden = !show;
    });
    var counter = document.querySelector('[data-count-for="' + table.id + '"]');
    var text = shown + " of " + all.length + " shown";
    if (matching > shown && matching < all.length) text = shown + " of " + matching + " matching shown (" + all.length + " in all)";
    if (counter && counter.textContent !== text) counter.textContent = text;
    var more = document.querySelector('[data-more-for="' + table.id + '"]');
    if (more) {
      more.hidden = matching <= shown;
      more.textContent = "Show " + Math.min(matching - shown, 1000) + " more";
    }
  }

  // Sticky table headers sit just below the sticky page header, whatever its height (a long title or a
  // narrow window wraps it).
  function headerHeight() {
    var header = document.querySelector("header.top");
    if (!header) return;
    var set = function () {
      document.documentElement.style.setProperty("--header-h", header.getBoundingClientRect().height + "px");
    };
    set();
    if (window.ResizeObserver) new ResizeObserver(set).observe(header);
  }

  // A table wider than its card (long unbreakable values, a narrow window) scrolls sideways inside the
  // card instead of being cut off; tables that fit keep their sticky header row. Checked whenever a
  // table or its card changes size, only for tables that are rendered (content-visibility skips the
  // others until they come near the screen).
  function fitTables() {
    if (!window.ResizeObserver) return;
    var tables = Array.from(document.querySelectorAll("main table.grid:not(.inner)"));
    function check(table) {
      if (table.checkVisibility && !table.checkVisibility({ contentVisibilityAuto: true })) return;
      var box = table.parentElement, style = getComputedStyle(box);
      var room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      if (table.classList.contains("scroll-x")) {
        if (table.scrollWidth <= table.clientWidth + 1) table.classList.remove("scroll-x");
      } else if (table.offsetWidth > room + 1) {
        table.classList.add("scroll-x");
      }
    }
    var observer = new ResizeObserver(function (entries) {
      entries.forEach(function (entry) {
        tables.forEach(function (t) { if (t === entry.target || t.parentElement === entry.target) check(t); });
      });
    });
    tables.forEach(function (t) { observer.observe(t); observer.observe(t.parentElement); });
  }

  // Printing from the browser: every row the paging holds back and every closed <details> are shown, and
  // put back afterwards (print.css opens details too where the engine allows; report.pdf has them open).
  function printAll() {
    var printed = null;
    window.addEventListener("beforeprint", function () {
      printed = { limits: Object.assign({}, limits), opened: [] };
      document.querySelectorAll("table.sortable").forEach(function (t) { limits[t.id] = Infinity; refresh(t); });
      document.querySelectorAll("details:not([open])").forEach(function (d) { d.open = true; printed.opened.push(d); });
    });
    window.addEventListener("afterprint", function () {
      if (!printed) return;
      printed.opened.forEach(function (d) { d.open = false; });
      limits = printed.limits;
      printed = null;
      document.querySelectorAll("table.sortable").forEach(function (t) { refresh(t); });
    });
  }

  function init() {
    themeSwitch();
    headerHeight();
    fitTables();
    document.querySelectorAll("table.sortable").forEach(function (table) {
      if (!table.tHead) return;
      sortButtons(table);
      table.tHead.addEventListener("click", function (ev) {
        var th = ev.target.closest("th[data-sort]");
        if (th) sortBy(table, th);
      });
      refresh(table);
    });
    document.querySelectorAll("[data-count-for]").forEach(function (counter) {
      counter.setAttribute("aria-live", "polite");  // filtering announces the new count
    });
    document.querySelectorAll(".filters").forEach(function (box) {
      var table = document.getElementById(box.getAttribute("data-for"));
      if (!table) return;
      var timer = null;
      box.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { limits[table.id] = PAGE; refresh(table); }, 120);
      });
      box.addEventListener("change", function () { limits[table.id] = PAGE; refresh(table); });
    });
    document.querySelectorAll("[data-more-for]").forEach(function (button) {
      var table = document.getElementById(button.getAttribute("data-more-for"));
      if (!table) return;
      button.addEventListener("click", function () {
        limits[table.id] = (limits[table.id] || PAGE) + 1000;
        refresh(table);
      });
    });
    printAll();
    document.body.setAttribute("data-ready", "1");
    document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
