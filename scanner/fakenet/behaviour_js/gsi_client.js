/* Google-Identity-Services-like client (https://accounts.google.com/gsi/client) - an imitation for
 * tests. Reads the page's #g_id_onload configuration, loads the button stylesheet and replaces each
 * .g_id_signin element with the "Sign in with Google" button frame served by accounts.google.com. */
(function () {
  'use strict';
  var ORIGIN = 'https://accounts.google.com';
  function rand() { return Math.random().toString(36).slice(2, 10); }
  function render() {
    var onload = document.getElementById('g_id_onload');
    if (!onload) return;
    var clientId = onload.getAttribute('data-client_id') || '';
    var style = document.createElement('link');
    style.rel = 'stylesheet';
    style.href = ORIGIN + '/gsi/style';
    document.head.appendChild(style);
    Array.prototype.forEach.call(document.querySelectorAll('.g_id_signin'), function (box) {
      var q = new URLSearchParams({
        theme: box.getAttribute('data-theme') || 'outline',
        size: box.getAttribute('data-size') || 'large',
        client_id: clientId,
        iframe_id: 'gsi_' + rand() + '_' + rand()
      });
      var frame = document.createElement('iframe');
      frame.src = ORIGIN + '/gsi/button?' + q.toString();
      frame.title = 'Sign in with Google Button';
      frame.style.cssText = 'border:0;width:240px;height:44px';
      box.appendChild(frame);
    });
  }
  window.google = window.google || {};
  window.google.accounts = { id: { initialize: function () {}, renderButton: render, prompt: function () {} } };
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', render);
  else render();
})();
