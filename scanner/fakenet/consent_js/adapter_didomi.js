  function fromDidomi(Didomi) {
    var status = Didomi.getCurrentUserStatus(), vendors = {};
    Object.keys(status.vendors).forEach(function (id) { vendors[id] = status.vendors[id].enabled; });
    return { choice: !Didomi.shouldConsentBeCollected(), vendors: vendors,
             statistics: status.purposes.measure_content.enabled,
             marketing: status.purposes.select_personalized_ads.enabled };
  }
  window.didomiOnReady = window.didomiOnReady || [];
  window.didomiOnReady.push(function (Didomi) { update(fromDidomi(Didomi)); });
  window.didomiEventListeners = window.didomiEventListeners || [];
  window.didomiEventListeners.push({ event: 'consent.changed', listener: function () { update(fromDidomi(window.Didomi)); } });
