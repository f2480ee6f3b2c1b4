  window.__tcfapi('addEventListener', 2, function (tcData, success) {
    if (!success) return;
    var choice = tcData.eventStatus === 'tcloaded' || tcData.eventStatus === 'useractioncomplete';
    var p = tcData.purpose.consents;
    update({ choice: choice, statistics: !!(p[1] && p[8] && p[9]), marketing: !!(p[1] && p[2] && p[3] && p[4]),
             vendors: tcData.vendor.consents });
  });
