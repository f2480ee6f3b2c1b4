(function () {
  var placements = __PLACEMENTS__;
  var gpc = navigator.globalPrivacyControl === true;
  var loaded = {};
  window.dataLayer = window.dataLayer || [];
  function load(url) {
    if (loaded[url]) return;
    loaded[url] = true;
    var s = document.createElement('script');
    s.async = true;
    s.src = url;
    document.head.appendChild(s);
  }
  // state: {choice: a choice is stored/made, statistics, marketing: granted, vendors: {id: granted}}
  function update(state) {
    if (state.choice && typeof window.gtag === 'function') {
      var a = state.statistics ? 'granted' : 'denied', m = state.marketing ? 'granted' : 'denied';
      gtag('consent', 'update', { ad_storage: m, analytics_storage: a, ad_user_data: m, ad_personalization: m });
    }
    placements.forEach(function (p) {
      if (p.gpc === 'navigator' && gpc) return;
      var granted = !!state[p.purpose] && (p.vendor === null || !state.vendors || !!state.vendors[p.vendor]);
      var go = p.behaviour === 'always' ||
        (p.behaviour === 'until_refused' && (!state.choice || granted)) ||
        (p.behaviour === 'gated' && state.choice && granted) ||
        (p.behaviour === 'any_choice' && state.choice);
      if (go) load(p.url);
    });
    // as a tag manager's event: the consent state was applied (tests wait for it)
    window.dataLayer.push({ event: 'consent_state', consent_choice: !!state.choice });
  }
__ADAPTER__
})();
