(function () {
  var queue = [];
  function addLocator() {
    if (window.frames.__tcfapiLocator) return;
    if (!document.body) { setTimeout(addLocator, 5); return; }
    var frame = document.createElement('iframe');
    frame.style.display = 'none';
    frame.name = '__tcfapiLocator';
    document.body.appendChild(frame);
  }
  addLocator();
  window.__tcfapi = function (command, version, callback) {
    if (command === 'ping') {
      callback({ gdprApplies: true, cmpLoaded: false, cmpStatus: 'stub', displayStatus: 'hidden', apiVersion: '2.3' }, true);
      return;
    }
    queue.push([command, version, callback].concat([].slice.call(arguments, 3)));
  };
  window.__tcfapi.queue = queue;
})();
