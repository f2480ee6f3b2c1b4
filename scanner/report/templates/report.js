// Sorting, filtering and paging for report.html. No data is read from or written as HTML:
// rows are only moved and hidden, so page content stays inert text. Long tables show their
// first rows only (laying out thousands of rows is what makes a big report slow); "Show
// more" reveals the next batch. Without JavaScript every row is simply shown.
(function () {
  "use strict";
  var PAGE = 200;
  var limits = {};
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
    Array.from(th.parentNode.cells).forEach(function (c) { c.classList.remove("asc", "desc"); });
    th.classList.add(asc ? "asc" : "desc");
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
    if (counter) counter.textContent = text;
    var more = document.querySelector('[data-more-for="' + table.id + '"]');
    if (more) {
      more.hidden = matching <= shown;
      more.textContent = "Show " + Math.min(matching - shown, 1000) + " more";
    }
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.tHead.addEventListener("click", function (ev) {
      var th = ev.target.closest("th[data-sort]");
      if (th) sortBy(table, th);
    });
    refresh(table);
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
  // Printing from the browser: every row the paging holds back and every closed <details> are shown, and
  // put back afterwards (print.css opens details too where the engine allows; report.pdf has them open).
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
  document.body.setAttribute("data-ready", "1");
  document.body.setAttribute("data-ready-ms", String(Math.round(performance.now())));
})();
