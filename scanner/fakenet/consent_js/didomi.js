/* Didomi-like consent SDK - an imitation for tests */
(function () {

  /*@helpers*/

  var config = __CONFIG__;
  var listeners = {};
  function b64(text) { return btoa(unescape(encodeURIComponent(text))); }
  function unb64(text) { try { return JSON.parse(decodeURIComponent(escape(atob(text)))); } catch (e) { return null; } }
  var token = unb64(getCookie('didomi_token') || localStorage.getItem('didomi_token') || '');
  function ids(list) { return list.map(function (x) { return x.id; }); }
  function enabledSet(kind) {
    var out = {};
    if (token) token[kind].enabled.forEach(function (id) { out[id] = true; });
    return out;
  }
  function emit(name, data) { (listeners[name] || []).forEach(function (fn) { try { fn(data); } catch (e) {} }); }
  function store(agree) {
    var now = new Date().toISOString();
    var purposeIds = ids(config.purposes), vendorIds = ids(config.vendors);
    token = {
      user_id: token ? token.user_id : (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2)),
      created: token ? token.created : now, updated: now,
      vendors: { enabled: agree ? vendorIds : [], disabled: agree ? [] : vendorIds },
      purposes: { enabled: agree ? purposeIds : [], disabled: agree ? [] : purposeIds },
      version: 2
    };
    var value = b64(JSON.stringify(token));
    setCookie('didomi_token', value, 31536000);
    try { localStorage.setItem('didomi_token', value); } catch (e) {}
    var host = document.getElementById('didomi-host');
    if (host) while (host.firstChild) host.removeChild(host.firstChild);
    emit('notice.hidden', {});
    emit('consent.changed', { action: agree ? 'accept' : 'reject' });
    return true;
  }
  function statusOf(list, kind) {
    var on = enabledSet(kind), out = {};
    list.forEach(function (x) { out[x.id] = { id: x.id, enabled: !!on[x.id] }; });
    return out;
  }
  var Didomi = window.Didomi = {
    version: '2.1.0',
    isReady: function () { return true; },
    on: function (name, fn) { (listeners[name] = listeners[name] || []).push(fn); },
    getVendors: function () { return config.vendors.slice(); },
    getPurposes: function () { return config.purposes.slice(); },
    isConsentRequired: function () { return true; },
    shouldConsentBeCollected: function () { return !token; },
    getCurrentUserStatus: function () {
      return { vendors: statusOf(config.vendors, 'vendors'), purposes: statusOf(config.purposes, 'purposes'),
               regulation: 'gdpr', user_id: token ? token.user_id : '', created: token ? token.created : '',
               updated: token ? token.updated : '', consent_string: '', addtl_consent: '' };
    },
    getUserConsentStatusForAll: function () {
      var p = enabledSet('purposes'), v = enabledSet('vendors');
      return {
        purposes: { enabled: ids(config.purposes).filter(function (id) { return p[id]; }),
                    disabled: token ? ids(config.purposes).filter(function (id) { return !p[id]; }) : [] },
        vendors: { enabled: ids(config.vendors).filter(function (id) { return v[id]; }),
                   disabled: token ? ids(config.vendors).filter(function (id) { return !v[id]; }) : [] }
      };
    },
    getUserConsentStatusForVendor: function (id) { return token ? !!enabledSet('vendors')[id] : undefined; },
    setUserAgreeToAll: function () { return store(true); },
    setUserDisagreeToAll: function () { return store(false); },
    notice: {
      isVisible: function () { return !!document.getElementById('didomi-notice'); },
      show: function () { render(true); },
      hide: function () { var n = document.getElementById('didomi-notice'); if (n) n.parentNode.removeChild(n); }
    }
  };
  function render(force) {
    var host = document.getElementById('didomi-host');
    if (!host) {
      host = document.createElement('div');
      host.id = 'didomi-host';
      host.setAttribute('data-nosnippet', 'true');
      document.body.appendChild(host);
    }
    if (token && !force) return;
    var texts = config.texts;
    host.appendChild(el('<div class="didomi-popup-notice didomi-notice-banner didomi-popup-notice-position-bottom" ' +
      'id="didomi-notice" role="region" aria-label="' + texts.title + '" style="position:fixed;bottom:0;left:0;right:0;' +
      'background:#fff;z-index:2147483640"><div class="didomi-notice-text">' + texts.notice + '</div>' +
      '<button id="didomi-notice-learn-more-button" class="didomi-components-button">' + texts.more + '</button>' +
      '<button id="didomi-notice-disagree-button" class="didomi-components-button">' + texts.disagree + '</button>' +
      '<button id="didomi-notice-agree-button" class="didomi-components-button">' + texts.agree + '</button></div>'));
    host.querySelector('#didomi-notice-agree-button').addEventListener('click', function () { store(true); });
    host.querySelector('#didomi-notice-disagree-button').addEventListener('click', function () { store(false); });
    emit('notice.shown', {});
  }
  whenBody(function () {
    (window.didomiEventListeners || []).forEach(function (item) { Didomi.on(item.event, item.listener); });
    window.didomiEventListeners = { push: function (item) { Didomi.on(item.event, item.listener); } };
    render(false);
    var ready = window.didomiOnReady || [];
    window.didomiOnReady = { push: function (fn) { fn(Didomi); } };
    ready.forEach(function (fn) { try { fn(Didomi); } catch (e) {} });
  });
})();
