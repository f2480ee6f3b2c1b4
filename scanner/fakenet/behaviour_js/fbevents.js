/* Meta-Pixel-like fbevents.js - an imitation for tests (scanner.fakenet.behaviour).
 * Runs the fbq('init' | 'track') queue of the page's base code, keeps the _fbp browser id and sends
 * events as image GETs to https://www.facebook.com/tr/. "Automatic advanced matching": it watches the
 * page's e-mail and phone fields (input, change, blur), normalises what is typed (trim, lower case;
 * digits only for phones), hashes it with SHA-256 and sends it as ud[em] / ud[ph] on a PageView -
 * as soon as the value looks complete, long before (and whether or not) the form is submitted. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {version, endpoint}
  var fbq = window.fbq;
  if (!fbq || fbq.__imitationLoaded) return;
  fbq.__imitationLoaded = true;
  var pixels = [], userData = {}, sentHashes = {};
  var parts = location.hostname.split('.');
  var site = parts.length > 2 ? parts.slice(-2).join('.') : location.hostname;

  function cookie(name) {
    var all = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < all.length; i++) if (all[i].indexOf(name + '=') === 0) return all[i].slice(name.length + 1);
    return '';
  }
  var fbp = cookie('_fbp');
  if (!fbp) {
    fbp = 'fb.1.' + Date.now() + '.' + Math.floor(Math.random() * 1e10);
    document.cookie = '_fbp=' + fbp + '; path=/; domain=.' + site + '; max-age=' + 90 * 86400 + '; SameSite=Lax; Secure';
  }

  function send(pixelId, event, extra) {
    var q = new URLSearchParams();
    q.set('id', pixelId);
    q.set('ev', event);
    q.set('dl', location.href);
    q.set('rl', document.referrer);
    q.set('if', 'false');
    q.set('ts', String(Date.now()));
    q.set('sw', String(screen.width));
    q.set('sh', String(screen.height));
    q.set('v', CONFIG.version);
    q.set('r', 'stable');
    q.set('ec', '0');
    q.set('fbp', fbp);
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    new Image().src = CONFIG.endpoint + '?' + q.toString();
  }

  function sha256(text) {
    return crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)).then(function (buf) {
      return Array.prototype.map.call(new Uint8Array(buf), function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
    });
  }

  var EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]{2,}$/;
  function kindOf(input) {
    var hint = (input.type + ' ' + input.name + ' ' + input.id + ' ' + (input.autocomplete || '')).toLowerCase();
    if (input.type === 'email' || /e-?mail/.test(hint)) return 'em';
    if (input.type === 'tel' || /phone|mobile/.test(hint)) return 'ph';
    return null;
  }
  function normalise(kind, value) {
    value = String(value || '').trim().toLowerCase();
    if (kind === 'em') return EMAIL.test(value) ? value : '';
    var digits = value.replace(/\D/g, '');
    return digits.length >= 7 ? digits : '';
  }
  function capture(input) {
    var kind = kindOf(input);
    var value = kind && normalise(kind, input.value);
    if (!value) return;
    sha256(value).then(function (hex) {
      if (sentHashes[hex]) return;
      sentHashes[hex] = true;
      userData[kind] = hex;
      var extra = {};
      extra['ud[' + kind + ']'] = hex;
      pixels.forEach(function (id) { send(id, 'PageView', extra); });
    });
  }
  var timers = new WeakMap();
  function watch(input) {
    if (input.__fbWatched || !kindOf(input)) return;
    input.__fbWatched = true;
    input.addEventListener('input', function () {
      clearTimeout(timers.get(input));
      timers.set(input, setTimeout(function () { capture(input); }, 300));
    });
    input.addEventListener('change', function () { capture(input); });
    input.addEventListener('blur', function () { capture(input); });
  }
  function scan() { Array.prototype.forEach.call(document.querySelectorAll('input'), watch); }

  function run(args) {
    var command = args[0];
    if (command === 'init') {
      if (pixels.indexOf(String(args[1])) < 0) pixels.push(String(args[1]));
    } else if (command === 'track' || command === 'trackCustom') {
      pixels.forEach(function (id) { send(id, String(args[1])); });
    }
  }
  var queued = fbq.queue || [];
  fbq.callMethod = function () { run(arguments); };
  queued.splice(0).forEach(run);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', scan);
  else scan();
})();
