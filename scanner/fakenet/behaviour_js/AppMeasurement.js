/* Adobe-Analytics-like AppMeasurement, self-hosted by the shop - an imitation for tests.
 * Its tracking server is the shop's own subdomain (first-party data collection: in real life a CNAME
 * to Adobe's edge), so every hit and cookie looks first party. It keeps the Experience Cloud id in
 * AMCV_<org>%40AdobeOrg, sets s_cc, and sends the page view as an image GET to
 * https://<trackingServerSecure>/b/ss/<rsid>/1/JS-<version>/s<random>; the server answers with the
 * s_ecid cookie on the shop's domain. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {rsid, org, version, trackingServerSecure}
  var parts = location.hostname.split('.');
  var site = parts.length > 2 ? parts.slice(-2).join('.') : location.hostname;
  function cookie(name) {
    var all = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < all.length; i++) if (all[i].indexOf(name + '=') === 0) return all[i].slice(name.length + 1);
    return '';
  }
  function setCookie(name, value, maxAge) {
    document.cookie = name + '=' + value + '; path=/; domain=.' + site +
      (maxAge ? '; max-age=' + maxAge : '') + '; SameSite=Lax; Secure';
  }
  function digits(n) { var s = ''; while (s.length < n) s += Math.floor(Math.random() * 10); return s; }
  var amcvName = 'AMCV_' + encodeURIComponent(CONFIG.org + '@AdobeOrg');
  var amcv = decodeURIComponent(cookie(amcvName));
  var match = /MCMID\|(\d+)/.exec(amcv);
  var mid = match ? match[1] : digits(38);
  setCookie(amcvName, encodeURIComponent('-1124106680|MCIDTS|' + Math.floor(Date.now() / 86400000) +
    '|MCMID|' + mid + '|MCAAMLH-' + Math.floor(Date.now() / 1000 + 604800) + '|6|vVersion|5.5.0'), 2 * 365 * 86400);
  setCookie('s_cc', 'true', 0);
  var s = window.s = {
    account: CONFIG.rsid,
    trackingServerSecure: CONFIG.trackingServerSecure,
    pageName: document.title,
    t: function () {
      var q = [
        'AQB=1', 'ndh=1', 'pf=1', 't=' + encodeURIComponent(new Date().toString()), 'mid=' + mid,
        'aamlh=6', 'ce=UTF-8', 'pageName=' + encodeURIComponent(s.pageName), 'g=' + encodeURIComponent(location.href),
        'r=' + encodeURIComponent(document.referrer), 'cc=EUR', 's=' + screen.width + 'x' + screen.height,
        'c=' + screen.colorDepth, 'bw=' + innerWidth, 'bh=' + innerHeight, 'AQE=1'
      ];
      new Image().src = 'https://' + s.trackingServerSecure + '/b/ss/' + s.account + '/1/JS-' + CONFIG.version +
        '/s' + digits(14) + '?' + q.join('&');
    }
  };
})();
