/* An unknown third-party session recorder (no catalog entry) - an imitation for tests.
 * Observes DOM mutations of the whole document, listens to input, change, mouse and click events and
 * POSTs the batches to its own collector every second (and with sendBeacon when the page is hidden). */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {endpoint}
  var sid = crypto.randomUUID(), queue = [], seq = 0;
  function push(e) { if (queue.length < 300) queue.push(e); }
  function describe(node) {
    return node && node.nodeType === 1 ? node.tagName.toLowerCase() + (node.id ? '#' + node.id : '') :
      node && node.parentNode ? describe(node.parentNode) : '';
  }
  function batch() { return JSON.stringify({ sid: sid, seq: ++seq, url: location.href, events: queue.splice(0) }); }
  function flush() {
    if (!queue.length) return;
    fetch(CONFIG.endpoint, { method: 'POST', body: batch(), keepalive: true, credentials: 'include',
      headers: { 'Content-Type': 'text/plain' } }).catch(function () { /* offline: dropped */ });
  }
  new MutationObserver(function (records) {
    records.forEach(function (r) {
      push({ k: 'm', t: r.type, n: describe(r.target), a: r.addedNodes.length, r: r.removedNodes.length });
    });
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true, attributes: true });
  document.addEventListener('input', function (e) { push({ k: 'i', n: describe(e.target), l: String(e.target.value || '').length }); }, true);
  document.addEventListener('change', function (e) { push({ k: 'c', n: describe(e.target) }); }, true);
  document.addEventListener('mousemove', function (e) { push({ k: 'mv', x: e.clientX, y: e.clientY }); }, true);
  document.addEventListener('mousedown', function (e) { push({ k: 'md', n: describe(e.target) }); }, true);
  document.addEventListener('click', function (e) { push({ k: 'cl', n: describe(e.target) }); }, true);
  document.addEventListener('visibilitychange', function () {
    if (document.visibilityState === 'hidden' && queue.length) navigator.sendBeacon(CONFIG.endpoint, batch());
  });
  setInterval(flush, 1000);
})();
