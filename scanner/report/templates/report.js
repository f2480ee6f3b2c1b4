// Sorting and filtering for report.html. No data is read from or written as HTML:
// rows are only moved and hidden, so page content stays inert text.
(function () {
  "use strict";
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
    var grouped = table.classList.contains("grouped");
    var parent = grouped ? table : table.tBodies[0];
    var frag = document.createDocumentFragment();
    keyed.forEach(function (k) { frag.appendChild(k[2]); });
    parent.appendChild(frag);
  }
  function applyFilters(box) {
    var table = document.getElementById(box.getAttribute("data-for"));
    if (!table) return;
    var conds = Array.from(box.querySelectorAll("[data-key]")).map(function (el) {
      return [el.getAttribute("data-key"), el.value.trim().toLowerCase()];
    }).filter(function (c) { return c[1] !== ""; });
    var all = units(table), shown = 0;
    all.forEach(function (u) {
      var ok = conds.every(function (c) {
        if (c[0] === "text") {
          if (u._text === undefined) u._text = u.textContent.toLowerCase();
          return u._text.indexOf(c[1]) !== -1;
        }
        return (u.getAttribute("data-" + c[0]) || "").toLowerCase() === c[1];
      });
      u.hidden = !ok;
      if (ok) shown++;
    });
    var counter = document.querySelector('[data-count-for="' + table.id + '"]');
    if (counter) counter.textContent = shown + " of " + all.length + " shown";
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.tHead.addEventListener("click", function (ev) {
      var th = ev.target.closest("th[data-sort]");
      if (th) sortBy(table, th);
    });
  });
  document.querySelectorAll(".filters").forEach(function (box) {
    var timer = null;
    box.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { applyFilters(box); }, 120);
    });
    box.addEventListener("change", function () { applyFilters(box); });
    applyFilters(box);
  });
  document.body.setAttribute("data-ready", "1");
})();
