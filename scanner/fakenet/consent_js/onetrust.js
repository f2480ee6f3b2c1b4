/* OneTrust-like consent SDK - an imitation for tests */
(function () {

  /*@helpers*/

  var VERSION = '202409.1.0';
  var YEAR = 31536000;
  var me = document.currentScript;
  var domainId = me ? me.getAttribute('data-domain-script') : '';
  var base = me ? me.src.split('/scripttemplates/')[0] : 'https://cdn.cookielaw.org';
  var data = null;
  var groups = {};
  var consentId = '';
  function readConsent() {
    var out = {};
    getCookie('OptanonConsent').split('&').forEach(function (pair) {
      var i = pair.indexOf('=');
      if (i > 0) out[pair.slice(0, i)] = decodeURIComponent(pair.slice(i + 1));
    });
    return out;
  }
  function activeIds() {
    return data.Groups.map(function (g) { return g.CustomGroupId; }).filter(function (id) { return groups[id]; });
  }
  function writeConsent(interactions) {
    var list = data.Groups.map(function (g) { return g.CustomGroupId + ':' + (groups[g.CustomGroupId] ? 1 : 0); });
    var value = [
      'isGpcEnabled=' + (gpc ? 1 : 0), 'datestamp=' + encodeURIComponent(new Date().toString()),
      'version=' + VERSION, 'browserGpcFlag=' + (gpc ? 1 : 0), 'isIABGlobal=false', 'hosts=',
      'consentId=' + consentId, 'interactionCount=' + interactions, 'isAnonUser=1',
      'landingPath=NotLandingPage', 'groups=' + encodeURIComponent(list.join(',')), 'AwaitingReconsent=false'
    ].join('&');
    setCookie('OptanonConsent', value, YEAR);
  }
  function publish() {
    var ids = activeIds();
    window.OnetrustActiveGroups = window.OptanonActiveGroups = ',' + ids.join(',') + ',';
    window.dataLayer = window.dataLayer || [];
    window.dataLayer.push({ event: 'OneTrustGroupsUpdated', OnetrustActiveGroups: window.OnetrustActiveGroups });
    window.dispatchEvent(new CustomEvent('OneTrustGroupsUpdated', { detail: ids }));
    if (typeof window.OptanonWrapper === 'function') window.OptanonWrapper();
  }
  function hide(id) {
    var node = document.getElementById(id);
    if (node) node.style.display = 'none';
  }
  function save(chosen) {
    data.Groups.forEach(function (g) {
      var on = g.CustomGroupId === 'C0001' || !!chosen[g.CustomGroupId];
      if (gpc && g.CustomGroupId === 'C0004') on = false;  // GPC honoured: no "sale/sharing" group
      groups[g.CustomGroupId] = on ? 1 : 0;
    });
    var previous = +(readConsent().interactionCount || 0);
    writeConsent(previous + 1);
    setCookie('OptanonAlertBoxClosed', new Date().toISOString(), YEAR);
    hide('onetrust-banner-sdk');
    hide('onetrust-pc-sdk');
    var filter = document.querySelector('.onetrust-pc-dark-filter');
    if (filter) filter.style.display = 'none';
    publish();
  }
  function all(on) {
    var chosen = {};
    data.Groups.forEach(function (g) { chosen[g.CustomGroupId] = on; });
    save(chosen);
  }
  function render() {
    var text = data.BannerText;
    var sdk = el('<div id="onetrust-consent-sdk"></div>');
    sdk.appendChild(el('<div class="onetrust-pc-dark-filter ot-hide ot-fade-in" style="display:none"></div>'));
    var rows = data.Groups.map(function (g) {
      var fixed = g.CustomGroupId === 'C0001';
      return '<div class="ot-accordion-layout ot-cat-item" data-optanongroupid="' + g.CustomGroupId + '">' +
        '<h4 class="ot-cat-header">' + g.GroupName + '</h4>' +
        (fixed ? '<div class="ot-always-active">Always Active</div>' :
          '<input type="checkbox" class="category-switch-handler" id="ot-group-id-' + g.CustomGroupId +
          '" data-optanongroupid="' + g.CustomGroupId + '"' + (groups[g.CustomGroupId] ? ' checked' : '') +
          ' aria-label="' + g.GroupName + '">') + '</div>';
    }).join('');
    sdk.appendChild(el('<div id="onetrust-pc-sdk" class="otPcCenter ot-hide ot-fade-in" role="dialog" ' +
      'aria-modal="true" style="display:none;position:fixed;top:10%;left:25%;width:50%;background:#fff;z-index:2147483646">' +
      '<h2 id="ot-pc-title">' + text.pcTitle + '</h2><div id="ot-pc-content">' + rows + '</div>' +
      '<div class="ot-pc-footer"><button class="ot-pc-refuse-all-handler">' + text.reject + '</button>' +
      '<button class="save-preference-btn-handler onetrust-close-btn-handler">' + text.save + '</button></div></div>'));
    if (!getCookie('OptanonAlertBoxClosed')) {
      sdk.appendChild(el('<div id="onetrust-banner-sdk" class="otFlat" role="region" aria-label="Cookie banner" ' +
        'style="position:fixed;bottom:0;left:0;right:0;background:#fff;padding:1em;z-index:2147483645">' +
        '<div class="ot-sdk-container"><div id="onetrust-policy"><h2 id="onetrust-policy-title">' + text.title +
        '</h2><div id="onetrust-policy-text">' + text.notice + '</div></div>' +
        '<div id="onetrust-button-group-parent"><div id="onetrust-button-group">' +
        '<button id="onetrust-pc-btn-handler">' + text.settings + '</button>' +
        '<button id="onetrust-reject-all-handler">' + text.reject + '</button>' +
        '<button id="onetrust-accept-btn-handler">' + text.accept + '</button></div></div></div></div>'));
    }
    document.body.appendChild(sdk);
    sdk.addEventListener('click', function (event) {
      var t = event.target.closest('button');
      if (!t) return;
      if (t.id === 'onetrust-accept-btn-handler') all(true);
      else if (t.id === 'onetrust-reject-all-handler' || t.classList.contains('ot-pc-refuse-all-handler')) all(false);
      else if (t.id === 'onetrust-pc-btn-handler') OneTrust.ToggleInfoDisplay();
      else if (t.classList.contains('save-preference-btn-handler')) {
        var chosen = {};
        sdk.querySelectorAll('input.category-switch-handler').forEach(function (box) {
          chosen[box.getAttribute('data-optanongroupid')] = box.checked;
        });
        save(chosen);
      }
    });
  }
  function start(domainData) {
    data = domainData;
    var stored = readConsent();
    consentId = stored.consentId || (crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2));
    var storedGroups = {};
    (stored.groups || '').split(',').forEach(function (pair) {
      var kv = pair.split(':');
      if (kv.length === 2) storedGroups[kv[0]] = kv[1] === '1';
    });
    data.Groups.forEach(function (g) {
      groups[g.CustomGroupId] = g.CustomGroupId === 'C0001' ? 1 : (storedGroups[g.CustomGroupId] ? 1 : 0);
    });
    if (!stored.groups) writeConsent(0);  // written on the first view, with isGpcEnabled
    window.OneTrust = window.Optanon = {
      GetDomainData: function () { return data; },
      AllowAll: function () { all(true); },
      RejectAll: function () { all(false); },
      IsAlertBoxClosed: function () { return !!getCookie('OptanonAlertBoxClosed'); },
      ToggleInfoDisplay: function () {
        var pc = document.getElementById('onetrust-pc-sdk');
        var filter = document.querySelector('.onetrust-pc-dark-filter');
        pc.style.display = pc.style.display === 'none' ? 'block' : 'none';
        if (filter) filter.style.display = pc.style.display;
      },
      OnConsentChanged: function (fn) {
        window.addEventListener('OneTrustGroupsUpdated', function (e) { fn(e); });
      },
      getGeolocationData: function () { return { country: 'DE', state: '' }; },
      GetIsGpcEnabled: function () { return gpc; },
      version: VERSION
    };
    whenBody(function () { render(); publish(); });
  }
  fetch(base + '/consent/' + domainId + '/' + domainId + '.json')
    .then(function (r) { return r.json(); })
    .then(start);
})();
