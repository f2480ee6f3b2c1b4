/* gtag.js-like Google Analytics 4 tag with Consent Mode - an imitation for tests */
(function () {
  var parts = location.hostname.split('.');
  var site = parts.length > 2 ? parts.slice(-2).join('.') : location.hostname;
  function getCookie(name) {
    var all = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < all.length; i++) if (all[i].indexOf(name + '=') === 0) return all[i].slice(name.length + 1);
    return '';
  }
  function setCookie(name, value) {
    document.cookie = name + '=' + value + '; path=/; domain=.' + site + '; max-age=63072000; SameSite=Lax; Secure';
  }
  var me = document.currentScript;
  var id = (me && new URL(me.src).searchParams.get('id')) || 'G-UNKNOWN';
  var dl = window.dataLayer = window.dataLayer || [];
  var defaults = {}, updates = {};
  function consider(entry) {
    if (!entry || entry[0] !== 'consent') return;
    var target = entry[1] === 'default' ? defaults : entry[1] === 'update' ? updates : null;
    if (target) for (var k in entry[2]) target[k] = entry[2][k];
  }
  for (var i = 0; i < dl.length; i++) consider(dl[i]);
  var push = dl.push;
  dl.push = function () {
    for (var j = 0; j < arguments.length; j++) consider(arguments[j]);
    return push.apply(dl, arguments);
  };
  var KEYS = ['ad_storage', 'analytics_storage', 'ad_user_data', 'ad_personalization'];
  function letter(k) {
    var d = defaults[k], u = updates[k];
    if (d === undefined && u === undefined) return 'l';
    if (d === undefined) return u === 'granted' ? 'n' : 'm';
    if (u === undefined) return d === 'granted' ? 't' : 'p';
    if (d === 'granted') return u === 'granted' ? 'v' : 'u';
    return u === 'granted' ? 'r' : 'q';
  }
  function granted(k) { return (k in updates ? updates[k] : defaults[k]) !== 'denied'; }
  var consentMode = KEYS.some(function (k) { return k in defaults || k in updates; });
  var query = '';
  if (consentMode) {
    query = '&gcs=G1' + (granted('ad_storage') ? 1 : 0) + (granted('analytics_storage') ? 1 : 0) +
      '&gcd=11' + KEYS.map(letter).join('1') + '5';
  }
  var now = Math.floor(Date.now() / 1000);
  if (!consentMode || granted('analytics_storage')) {
    if (!getCookie('_ga')) setCookie('_ga', 'GA1.1.' + Math.floor(Math.random() * 1e10) + '.' + now);
    setCookie('_ga_' + id.slice(2), 'GS1.1.' + now + '.1.0.' + now + '.0.0.0');
  }
  var cid = getCookie('_ga') ? getCookie('_ga').split('.').slice(2).join('.') : Math.floor(Math.random() * 1e10) + '.' + now;
  navigator.sendBeacon('https://region1.google-analytics.com/g/collect?v=2&tid=' + id + '&gtm=45je5' + query +
    '&_p=' + Date.now() + '&cid=' + cid + '&ul=en-us&dl=' + encodeURIComponent(location.href) +
    '&dt=' + encodeURIComponent(document.title) + '&en=page_view');
})();
