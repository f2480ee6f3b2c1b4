  function fromCookiebot() {
    var cb = window.Cookiebot;
    return { choice: !!cb.hasResponse, statistics: !!cb.consent.statistics, marketing: !!cb.consent.marketing };
  }
  window.addEventListener('CookiebotOnLoad', function () { update(fromCookiebot()); });
  window.addEventListener('CookiebotOnAccept', function () { update(fromCookiebot()); });
  window.addEventListener('CookiebotOnDecline', function () { update(fromCookiebot()); });
