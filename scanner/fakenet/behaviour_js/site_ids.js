/* The shop's own identifiers and the partners it hands them to (first party).
 * - bs_vid: the visitor id the shop's server sets (HTTP Set-Cookie); this script reads it.
 * - _ga: a Google-Analytics-style client id cookie written here (GA1.1.<random>.<seconds>).
 * - bs_device_id: a device id kept in localStorage.
 * The visitor id goes to DoubleClick in the query of a Floodlight-style image (u1, with _ga as u2)
 * and base64-encoded in the JSON body of a POST (key "uid"); the device id goes to Scorecard Research
 * as cs_fpid. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {activity, s2s, scorecard, c2}
  var parts = location.hostname.split('.');
  var site = parts.length > 2 ? parts.slice(-2).join('.') : location.hostname;
  function cookie(name) {
    var all = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < all.length; i++) if (all[i].indexOf(name + '=') === 0) return all[i].slice(name.length + 1);
    return '';
  }
  var ga = cookie('_ga');
  if (!ga) {
    ga = 'GA1.1.' + (1000000000 + Math.floor(Math.random() * 8999999999)) + '.' + Math.floor(Date.now() / 1000);
    document.cookie = '_ga=' + ga + '; path=/; domain=.' + site + '; max-age=' + 2 * 365 * 86400 + '; SameSite=Lax; Secure';
  }
  var device = localStorage.getItem('bs_device_id');
  if (!device) {
    device = crypto.randomUUID().replace(/-/g, '');
    localStorage.setItem('bs_device_id', device);
  }
  var vid = cookie('bs_vid');
  var ord = Math.floor(Math.random() * 1e13);
  if (vid) {
    new Image().src = CONFIG.activity + ';ord=' + ord + '?u1=' + encodeURIComponent(vid) + '&u2=' + encodeURIComponent(ga);
    fetch(CONFIG.s2s, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ event: 'visit', uid: btoa(vid), page: location.pathname })
    }).catch(function () { /* offline: dropped */ });
  }
  new Image().src = CONFIG.scorecard + '?c1=2&c2=' + CONFIG.c2 + '&cs_fpid=' + device + '&cs_fpit=lo&c7=' +
    encodeURIComponent(location.href);
})();
