  var parts = location.hostname.split('.');
  var site = parts.length > 2 ? parts.slice(-2).join('.') : location.hostname;
  function getCookie(name) {
    var all = document.cookie ? document.cookie.split('; ') : [];
    for (var i = 0; i < all.length; i++) {
      if (all[i].indexOf(name + '=') === 0) return all[i].slice(name.length + 1);
    }
    return '';
  }
  function setCookie(name, value, maxAge) {
    document.cookie = name + '=' + value + '; path=/; domain=.' + site + '; max-age=' + maxAge +
      '; SameSite=Lax' + (location.protocol === 'https:' ? '; Secure' : '');
  }
  function el(html) {
    var box = document.createElement('div');
    box.innerHTML = html;
    return box.firstElementChild;
  }
  function whenBody(fn) {
    if (document.body) fn(); else document.addEventListener('DOMContentLoaded', fn);
  }
  var gpc = navigator.globalPrivacyControl === true;
