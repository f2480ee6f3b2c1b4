// Anchors (scanner/report/html_evidence.py): a link to a finding opens what hides it (the collapsed
// "passed" group, a row paged out or filtered away) and scrolls to it. Reads only the URL's fragment
// and looks it up as an element id; nothing is written as HTML.
(function () {
  "use strict";
  function reveal() {
    var id;
    try { id = decodeURIComponent(location.hash.slice(1)); } catch (e) { return; }
    var target = id && document.getElementById(id);
    if (!target) return;
    var moved = false;
    for (var el = target; el; el = el.parentElement) {
      if (el.tagName === "DETAILS" && !el.open) { el.open = true; moved = true; }
      if (el.hidden) { el.hidden = false; moved = true; }
    }
    if (moved) target.scrollIntoView();
  }
  window.addEventListener("hashchange", reveal);
  reveal();
})();
