/* Quantcast-Choice-like TCF v2 CMP - an imitation for tests */
(function () {

  /*@helpers*/

  var config = __CONFIG__;
  var queue = (window.__tcfapi && window.__tcfapi.queue) || [];
  var listeners = {};
  var nextId = 1;
  var gvl = null;
  var stored = getCookie('euconsent-v2');
  var choice = stored === config.tcStrings.all ? 'all' : stored === config.tcStrings.none ? 'none' : '';
  var status = choice ? 'tcloaded' : 'cmpuishown';
  function flags(ids, on) {
    var out = {};
    ids.forEach(function (id) { out[id] = on; });
    return out;
  }
  function tcData(listenerId) {
    var all = choice === 'all';
    return {
      tcString: choice ? config.tcStrings[choice] : '',
      tcfPolicyVersion: config.tcfPolicyVersion, cmpId: config.cmpId, cmpVersion: config.cmpVersion,
      gdprApplies: true, eventStatus: status, cmpStatus: 'loaded', listenerId: listenerId,
      isServiceSpecific: false, useNonStandardTexts: false, publisherCC: 'DE', purposeOneTreatment: false,
      purpose: { consents: choice ? flags(config.purposes, all) : {}, legitimateInterests: {} },
      vendor: { consents: choice ? flags(config.vendors, all) : {}, legitimateInterests: {},
                disclosedVendors: choice ? flags(config.vendors, true) : {} },
      specialFeatureOptins: {},
      publisher: { consents: {}, legitimateInterests: {}, customPurpose: { consents: {}, legitimateInterests: {} },
                   restrictions: {} }
    };
  }
  function notify() {
    Object.keys(listeners).forEach(function (id) { listeners[id](tcData(+id), true); });
  }
  function api(command, version, callback, parameter) {
    if (command === 'ping') {
      callback({ gdprApplies: true, cmpLoaded: true, cmpStatus: 'loaded',
                 displayStatus: status === 'cmpuishown' ? 'visible' : 'hidden', apiVersion: '2.3',
                 cmpVersion: config.cmpVersion, cmpId: config.cmpId, gvlVersion: gvl ? gvl.vendorListVersion : undefined,
                 tcfPolicyVersion: config.tcfPolicyVersion }, true);
    } else if (command === 'addEventListener') {
      var id = nextId++;
      listeners[id] = callback;
      callback(tcData(id), true);
    } else if (command === 'removeEventListener') {
      var found = !!listeners[parameter];
      delete listeners[parameter];
      callback(found);
    } else if (command === 'getTCData') {
      callback(tcData(undefined), true);
    } else if (command === 'getVendorList') {
      callback(gvl, !!gvl);
    } else if (typeof callback === 'function') {
      callback(null, false);
    }
  }
  function decide(which) {
    choice = which;
    setCookie('euconsent-v2', config.tcStrings[which], 396 * 86400);
    setCookie('addtl_consent', which === 'all' ? '1~' : '1~', 396 * 86400);
    var container = document.getElementById('qc-cmp2-container');
    var main = document.getElementById('qc-cmp2-main');
    if (main) main.parentNode.removeChild(main);
    status = 'useractioncomplete';
    notify();
  }
  function render() {
    var texts = config.texts;
    var container = el('<div id="qc-cmp2-container" data-nosnippet=""></div>');
    if (!choice) {
      var vendorCount = gvl ? Object.keys(gvl.vendors).length : 0;
      container.appendChild(el('<div class="qc-cmp2-main" id="qc-cmp2-main" style="position:fixed;inset:0;' +
        'background:rgba(0,0,0,.5);z-index:2147483647"><div id="qc-cmp2-ui" role="dialog" aria-label="qc-cmp2-ui" ' +
        'aria-modal="true" tabindex="0" style="background:#fff;margin:10% auto;width:60%;padding:1em">' +
        '<div class="qc-cmp2-summary-section"><h2 class="qc-cmp2-summary-title">' + texts.title + '</h2>' +
        '<div class="qc-cmp2-summary-info"><p>' + texts.notice + '</p><p class="qc-cmp2-partners">' +
        vendorCount + ' partners</p></div>' +
        '<div class="qc-cmp2-summary-buttons"><button mode="secondary" size="large"><span>' + texts.more +
        '</span></button><button mode="secondary" size="large"><span>' + texts.disagree +
        '</span></button><button mode="primary" size="large"><span>' + texts.agree +
        '</span></button></div></div></div></div>'));
      container.addEventListener('click', function (event) {
        var t = event.target.closest('button');
        if (!t) return;
        var buttons = container.querySelectorAll('.qc-cmp2-summary-buttons > button');
        if (t === buttons[2]) decide('all');
        else if (t === buttons[1]) decide('none');
      });
    }
    document.body.appendChild(container);
  }
  fetch(config.gvlUrl)
    .then(function (r) { return r.json(); })
    .then(function (list) {
      gvl = list;
      window.__tcfapi = api;
      whenBody(function () {
        render();
        queue.forEach(function (args) { api.apply(null, args); });
      });
    });
})();
