/* Hotjar-like session recorder - an imitation for tests (scanner.fakenet.behaviour).
 * https://static.hotjar.com/c/hotjar-<id>.js?sv=6: the _hjSessionUser_<id> / _hjSession_<id> cookies,
 * then a WebSocket to wss://ws.hotjar.com/api/v2/client/ws carrying an initial DOM snapshot (input
 * values masked) and batches of DOM mutations and mouse / click / input / key / scroll events,
 * flushed on a short timer and at once on scroll, for as long as the page is open. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {siteId, ws}
  var MAX_NODES = 400, MAX_TEXT = 200;
  var parts = location.hostname.split('.');
  var site = parts.length > 2 ? parts.slice(-2).join('.') : location.hostname;

  function cookie(name) {
    var all = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < all.length; i++) if (all[i].indexOf(name + '=') === 0) return all[i].slice(name.length + 1);
    return '';
  }
  function setCookie(name, value, maxAge) {
    document.cookie = name + '=' + value + '; path=/; domain=.' + site + '; max-age=' + maxAge + '; SameSite=Lax; Secure';
  }
  function uuid() { return crypto.randomUUID(); }

  var userKey = '_hjSessionUser_' + CONFIG.siteId, sessionKey = '_hjSession_' + CONFIG.siteId;
  var user = cookie(userKey) ? JSON.parse(atob(cookie(userKey))) : { id: uuid(), created: Date.now(), existing: false };
  user.existing = !!cookie(userKey);
  setCookie(userKey, btoa(JSON.stringify(user)), 365 * 86400);
  var session = { id: uuid(), c: Date.now(), s: 1, r: 1, sb: 0 };
  setCookie(sessionKey, btoa(JSON.stringify(session)), 1800);

  // A bounded, masked serialisation of the document.
  function serialise(node, budget) {
    if (budget.n-- <= 0) return null;
    if (node.nodeType === 3) return { t: 3, v: node.nodeValue.slice(0, MAX_TEXT) };
    if (node.nodeType !== 1) return null;
    var out = { t: 1, tag: node.tagName.toLowerCase(), a: {}, c: [] };
    for (var i = 0; i < node.attributes.length && i < 10; i++) {
      var attr = node.attributes[i];
      out.a[attr.name] = attr.name === 'value' ? '***' : attr.value.slice(0, MAX_TEXT);
    }
    if (out.tag === 'script') return out;
    for (var child = node.firstChild; child; child = child.nextSibling) {
      var s = serialise(child, budget);
      if (s) out.c.push(s);
    }
    return out;
  }
  function path(node) {
    var names = [];
    for (; node && node.nodeType === 1 && names.length < 8; node = node.parentNode) {
      names.unshift(node.tagName.toLowerCase() + (node.id ? '#' + node.id : ''));
    }
    return names.join('>');
  }

  var queue = [], seq = 0, socket = null, open = false;
  function push(entry) { if (queue.length < 500) queue.push(entry); }
  function flush() {
    if (!open || !queue.length) return;
    socket.send(JSON.stringify({ type: 'batch', seq: ++seq, session: session.id, events: queue.splice(0) }));
  }

  function connect() {
    socket = new WebSocket(CONFIG.ws);
    socket.onopen = function () {
      open = true;
      socket.send(JSON.stringify({
        type: 'hello', site_id: CONFIG.siteId, user: user.id, session: session.id, url: location.href,
        viewport: [innerWidth, innerHeight], ua: navigator.userAgent
      }));
      socket.send(JSON.stringify({
        type: 'snapshot', seq: ++seq, ts: Date.now(), dom: serialise(document.documentElement, { n: MAX_NODES })
      }));
    };
    socket.onclose = function () { open = false; };
    socket.onerror = function () { open = false; };
  }

  new MutationObserver(function (records) {
    records.forEach(function (r) {
      push({ k: 'mutation', type: r.type, target: path(r.target), added: r.addedNodes.length,
        removed: r.removedNodes.length, text: r.type === 'characterData' ? String(r.target.nodeValue).slice(0, MAX_TEXT) : undefined });
    });
  }).observe(document, { childList: true, subtree: true, attributes: true, characterData: true });

  var lastMove = 0;
  document.addEventListener('mousemove', function (e) {
    var now = Date.now();
    if (now - lastMove < 50) return;
    lastMove = now;
    push({ k: 'mousemove', x: e.clientX, y: e.clientY, ts: now });
  }, true);
  document.addEventListener('click', function (e) { push({ k: 'click', target: path(e.target), x: e.clientX, y: e.clientY }); }, true);
  document.addEventListener('input', function (e) { push({ k: 'input', target: path(e.target), length: String(e.target.value || '').length }); }, true);
  document.addEventListener('keydown', function (e) { push({ k: 'keydown', target: path(e.target) }); }, true);
  window.addEventListener('scroll', function () { push({ k: 'scroll', y: scrollY, ts: Date.now() }); flush(); }, { passive: true });

  setInterval(flush, 500);
  connect();
})();
