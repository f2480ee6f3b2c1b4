/* Cookiebot-like consent script - an imitation for tests */
(function () {

  /*@helpers*/

  var me = document.currentScript;
  var cbid = me ? me.getAttribute('data-cbid') : '';
  var origin = me ? me.src.split('/uc.js')[0] : 'https://consent.cookiebot.com';
  function fire(name) {
    window.dispatchEvent(new Event(name));
    var callback = window['CookiebotCallback_' + name.replace('CookiebotOn', 'On')];
    if (typeof callback === 'function') callback();
  }
  function parseStored() {
    var raw = decodeURIComponent(getCookie('CookieConsent') || '');
    if (!raw) return null;
    if (raw === '-1') return { necessary: true, preferences: false, statistics: false, marketing: false, stamp: '-1' };
    var out = {};
    raw.replace(/^\{|\}$/g, '').split(',').forEach(function (pair) {
      var i = pair.indexOf(':');
      if (i > 0) out[pair.slice(0, i)] = pair.slice(i + 1).replace(/^'|'$/g, '');
    });
    return { stamp: out.stamp, necessary: true, preferences: out.preferences === 'true',
             statistics: out.statistics === 'true', marketing: out.marketing === 'true', method: out.method };
  }
  var cb = window.Cookiebot = window.CookieConsent = {
    consent: { necessary: true, preferences: false, statistics: false, marketing: false, method: null, stamp: '0' },
    consented: false, declined: false, hasResponse: false, doNotTrack: false, consentID: '0',
    consentUTC: null, cbid: cbid, version: '1', dialog: { visible: false },
    show: function () { var d = document.getElementById('CybotCookiebotDialog'); if (d) { d.style.display = 'flex'; cb.dialog.visible = true; } },
    hide: function () { var d = document.getElementById('CybotCookiebotDialog'); if (d) d.style.display = 'none'; cb.dialog.visible = false; },
    renew: function () { if (!document.getElementById('CybotCookiebotDialog')) loadDialog(); else cb.show(); },
    withdraw: function () { cb.submitCustomConsent(false, false, false); },
    submitCustomConsent: function (preferences, statistics, marketing) {
      var stamp = cb.consent.stamp && cb.consent.stamp !== '0' ? cb.consent.stamp :
        btoa(String(Math.random())).slice(0, 40);
      cb.consent = { necessary: true, preferences: !!preferences, statistics: !!statistics, marketing: !!marketing,
                     method: 'explicit', stamp: stamp };
      var value = "{stamp:'" + stamp + "',necessary:true,preferences:" + !!preferences + ',statistics:' + !!statistics +
        ',marketing:' + !!marketing + ",method:'explicit',ver:1,utc:" + Date.now() + ",region:'de'}";
      setCookie('CookieConsent', encodeURIComponent(value), 31536000);
      applied(true);
    }
  };
  function applied(fresh) {
    var any = cb.consent.preferences || cb.consent.statistics || cb.consent.marketing;
    cb.hasResponse = true;
    cb.consented = any;
    cb.declined = !any;
    cb.consentID = cb.consent.stamp;
    if (fresh) cb.hide();
    else fire('CookiebotOnLoad');
    fire('CookiebotOnConsentReady');
    fire(any ? 'CookiebotOnAccept' : 'CookiebotOnDecline');
  }
  function loadDialog() {
    var s = document.createElement('script');
    s.src = origin + '/' + cbid + '/cc.js?renew=false&referer=' + encodeURIComponent(location.hostname);
    document.head.appendChild(s);
  }
  cb.__dialogLoaded = function (texts) {
    if (cb.hasResponse) return;
    whenBody(function () {
      var levels = [['Preferences', 'preferences'], ['Statistics', 'statistics'], ['Marketing', 'marketing']];
      var boxes = levels.map(function (p) {
        return '<label><input type="checkbox" id="CybotCookiebotDialogBodyLevelButton' + p[0] +
          '" class="CybotCookiebotDialogBodyLevelButton" data-target="' + p[1] + '">' + p[0] + '</label>';
      }).join('');
      var dialog = el('<div id="CybotCookiebotDialog" name="CybotCookiebotDialog" role="dialog" aria-modal="true" ' +
        'lang="en" style="display:flex;flex-direction:column;position:fixed;bottom:0;left:0;right:0;background:#fff;z-index:2147483631">' +
        '<div id="CybotCookiebotDialogBody"><h2 id="CybotCookiebotDialogBodyContentTitle">' + texts.title + '</h2>' +
        '<div id="CybotCookiebotDialogBodyContentText">' + texts.notice + '</div>' +
        '<div id="CybotCookiebotDialogBodyLevelWrapper"><label><input type="checkbox" ' +
        'id="CybotCookiebotDialogBodyLevelButtonNecessary" class="CybotCookiebotDialogBodyLevelButton" checked disabled>' +
        'Necessary</label>' + boxes + '</div></div>' +
        '<div id="CybotCookiebotDialogFooter">' +
        '<button id="CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll">' + texts.decline + '</button>' +
        '<button id="CybotCookiebotDialogBodyLevelButtonLevelOptinAllowallSelection">' + texts.selection + '</button>' +
        '<button id="CybotCookiebotDialogBodyButtonAccept">' + texts.accept + '</button></div></div>');
      document.body.appendChild(dialog);
      dialog.addEventListener('click', function (event) {
        var t = event.target.closest('button');
        if (!t) return;
        function checked(name) { return document.getElementById('CybotCookiebotDialogBodyLevelButton' + name).checked; }
        if (t.id === 'CybotCookiebotDialogBodyButtonAccept') cb.submitCustomConsent(true, true, true);
        else if (t.id === 'CybotCookiebotDialogBodyLevelButtonLevelOptinDeclineAll') cb.submitCustomConsent(false, false, false);
        else if (t.id === 'CybotCookiebotDialogBodyLevelButtonLevelOptinAllowallSelection') {
          cb.submitCustomConsent(checked('Preferences'), checked('Statistics'), checked('Marketing'));
        }
      });
      cb.dialog.visible = true;
      fire('CookiebotOnDialogInit');
      fire('CookiebotOnDialogDisplay');
    });
  };
  var stored = parseStored();
  if (stored) {
    cb.consent = stored;
    applied(false);  // CookiebotOnLoad, then CookiebotOnConsentReady and CookiebotOnAccept/OnDecline
  } else {
    fire('CookiebotOnLoad');
  }
  loadDialog();  // the declaration (CookieConsentDialog) on every page; the dialog only without a choice
})();
