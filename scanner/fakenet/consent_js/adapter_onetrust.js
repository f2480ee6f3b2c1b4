  function fromOneTrust() {
    var groups = (window.OnetrustActiveGroups || '').split(',');
    return { choice: !!(window.OneTrust && window.OneTrust.IsAlertBoxClosed()),
             statistics: groups.indexOf('C0002') >= 0, marketing: groups.indexOf('C0004') >= 0 };
  }
  // OneTrust calls OptanonWrapper once loaded and after every change; OneTrustGroupsUpdated too.
  window.OptanonWrapper = function () { update(fromOneTrust()); };
  window.addEventListener('OneTrustGroupsUpdated', function () { update(fromOneTrust()); });
