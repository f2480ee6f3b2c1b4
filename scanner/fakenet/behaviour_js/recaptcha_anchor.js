/* reCAPTCHA-like anchor frame script (recaptcha__en.js) - an imitation for tests.
 * Risk analysis runs in the anchor frame: a canvas image (text in several colours, read with
 * toDataURL) and a sweep of navigator and screen properties, POSTed to /recaptcha/api2/reload; the
 * answer carries the token handed to the embedding page. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {sitekey, version, parentOrigin}
  function canvasSignal() {
    var canvas = document.createElement('canvas');
    canvas.width = 200;
    canvas.height = 50;
    var ctx = canvas.getContext('2d');
    ctx.textBaseline = 'top';
    ctx.font = '14px Arial';
    ctx.fillStyle = '#f60';
    ctx.fillRect(125, 1, 62, 20);
    ctx.fillStyle = '#069';
    ctx.fillText('reCAPTCHA <canvas> 1.0', 2, 15);
    ctx.fillStyle = 'rgba(102, 204, 0, 0.7)';
    ctx.fillText('reCAPTCHA <canvas> 1.0', 4, 17);
    return canvas.toDataURL().length;
  }
  function navigatorSignal() {
    var n = navigator, s = screen;
    return [
      n.userAgent, n.platform, n.language, (n.languages || []).join(','), n.hardwareConcurrency,
      n.deviceMemory, n.maxTouchPoints, n.cookieEnabled, n.doNotTrack, n.vendor, n.webdriver,
      n.plugins ? n.plugins.length : -1, n.mimeTypes ? n.mimeTypes.length : -1, n.pdfViewerEnabled,
      s.width, s.height, s.colorDepth, s.pixelDepth, s.availWidth, s.availHeight
    ].join('|');
  }
  var body = JSON.stringify({
    v: CONFIG.version, k: CONFIG.sitekey, c: canvasSignal(), n: navigatorSignal(), t: Date.now()
  });
  fetch('/recaptcha/api2/reload?k=' + encodeURIComponent(CONFIG.sitekey), {
    method: 'POST',
    credentials: 'include',
    headers: { 'Content-Type': 'application/x-protobuffer' },
    body: body
  }).then(function (r) { return r.text(); }).then(function (text) {
    var answer = JSON.parse(text.replace(/^\)\]\}'\n/, ''));
    parent.postMessage({ type: 'rc-token', token: answer[1] }, CONFIG.parentOrigin);
  });
})();
