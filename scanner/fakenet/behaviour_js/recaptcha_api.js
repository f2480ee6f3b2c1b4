/* reCAPTCHA v3-like loader - an imitation for tests (scanner.fakenet.behaviour).
 * https://www.recaptcha.net/recaptcha/api.js?render=<sitekey> defines grecaptcha.ready/execute, shows
 * the badge and opens the invisible anchor frame on the same host; the frame collects its browser
 * signals (recaptcha__en.js) and hands a token back with postMessage. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {sitekey, version, origin}
  var pending = [], token = null, readyQueue = [];
  function settle() {
    if (token === null) return;
    pending.splice(0).forEach(function (resolve) { resolve(token); });
  }
  window.addEventListener('message', function (event) {
    if (event.origin !== CONFIG.origin || !event.data || event.data.type !== 'rc-token') return;
    token = String(event.data.token);
    settle();
  });
  function badge() {
    var box = document.createElement('div');
    box.className = 'grecaptcha-badge';
    box.setAttribute('data-style', 'bottomright');
    box.style.cssText = 'width:256px;height:60px;position:fixed;bottom:14px;right:-186px;box-shadow:0 0 5px grey';
    var frame = document.createElement('iframe');
    frame.title = 'reCAPTCHA';
    frame.width = '256';
    frame.height = '60';
    frame.setAttribute('frameborder', '0');
    frame.src = CONFIG.origin + '/recaptcha/api2/anchor?ar=1&k=' + encodeURIComponent(CONFIG.sitekey) +
      '&co=' + btoa(location.origin + ':443').replace(/=+$/, '.') + '&hl=en&v=' + CONFIG.version +
      '&size=invisible&cb=' + Math.random().toString(36).slice(2, 14);
    box.appendChild(frame);
    document.body.appendChild(box);
  }
  window.grecaptcha = {
    ready: function (fn) { if (document.body) fn(); else readyQueue.push(fn); },
    execute: function (sitekey, options) {
      return new Promise(function (resolve) { pending.push(resolve); settle(); });
    }
  };
  function start() {
    badge();
    readyQueue.splice(0).forEach(function (fn) { fn(); });
  }
  if (document.body) start(); else document.addEventListener('DOMContentLoaded', start);
})();
