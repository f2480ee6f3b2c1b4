/* Web Font Loader-like script (ajax.googleapis.com/ajax/libs/webfont/<v>/webfont.js) - an imitation for
 * tests. It loads the two families the site's stylesheet uses and asks document.fonts.check whether each
 * is ready, to reveal the text once they are: a handful of the site's own fonts, not a probe of the
 * system's. */
(function () {
  'use strict';
  var config = window.WebFontConfig || { families: [] };
  var root = document.documentElement;
  root.className += ' wf-loading';
  function ready() {
    var all = config.families.every(function (family) { return document.fonts.check("16px '" + family + "'"); });
    root.className = root.className.replace('wf-loading', all ? 'wf-active' : 'wf-inactive');
  }
  if (!document.fonts) return ready();
  Promise.all(config.families.map(function (family) {
    return document.fonts.load("16px '" + family + "'").catch(function () { return []; });
  })).then(ready, ready);
  config.families.forEach(function (family) { document.fonts.check("400 16px '" + family + "'"); });
})();
