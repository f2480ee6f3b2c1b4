/* The shop's own page counter (first party): the browser and language for its statistics, nothing
 * more - two navigator properties are not a fingerprint. */
(function () {
  'use strict';
  var hit = JSON.stringify({ path: location.pathname, ua: navigator.userAgent, lang: navigator.language });
  navigator.sendBeacon('/stats/hit', hit);
})();
