/* An unknown third-party device-fingerprinting script (no catalog entry) - an imitation for tests.
 * Self-starting, as such scripts are. Technique from its configuration: "fonts" (canvas font
 * probing: one measureText per candidate font, compared with the fallback families) or "webrtc"
 * (local IP discovery: a data-channel-only peer connection and its ICE candidates). The result is
 * POSTed to its own collector. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {mode: fonts|webrtc, endpoint, sid}
  var FONTS = [
    'Andale Mono', 'Arial', 'Arial Black', 'Arial Hebrew', 'Arial Narrow', 'Arial Rounded MT Bold',
    'Arial Unicode MS', 'Avenir', 'Avenir Next', 'Baskerville', 'Big Caslon', 'Bodoni 72', 'Bookman Old Style',
    'Calibri', 'Cambria', 'Cambria Math', 'Candara', 'Century', 'Century Gothic', 'Chalkboard', 'Charter',
    'Cochin', 'Comic Sans MS', 'Consolas', 'Constantia', 'Copperplate', 'Corbel', 'Courier', 'Courier New',
    'DejaVu Sans', 'DejaVu Serif', 'Didot', 'Franklin Gothic Medium', 'Futura', 'Garamond', 'Geneva',
    'Georgia', 'Gill Sans', 'Helvetica', 'Helvetica Neue', 'Hoefler Text', 'Impact', 'Lucida Bright',
    'Lucida Console', 'Lucida Grande', 'Lucida Sans Unicode', 'Marker Felt', 'Menlo', 'Microsoft Sans Serif',
    'Monaco', 'MS Gothic', 'MS Outlook', 'MS Reference Sans Serif', 'Noto Sans', 'Optima', 'Palatino',
    'Palatino Linotype', 'Papyrus', 'Segoe Print', 'Segoe Script', 'Segoe UI', 'Segoe UI Light',
    'Skia', 'Tahoma', 'Times', 'Times New Roman', 'Trebuchet MS', 'Ubuntu', 'Verdana', 'Wingdings'
  ];
  var BASES = ['monospace', 'sans-serif', 'serif'];
  var PROBE = 'mmmmmmmmmmlli';

  function post(payload) {
    payload.sid = CONFIG.sid;
    payload.page = location.href;
    var xhr = new XMLHttpRequest();
    xhr.open('POST', CONFIG.endpoint, true);
    xhr.setRequestHeader('Content-Type', 'text/plain;charset=UTF-8');
    xhr.withCredentials = true;
    xhr.send(JSON.stringify(payload));
  }

  function fonts() {
    var canvas = document.createElement('canvas');
    var ctx = canvas.getContext('2d');
    if (!ctx) return;
    var base = {};
    BASES.forEach(function (family) {
      ctx.font = '72px ' + family;
      base[family] = ctx.measureText(PROBE).width;
    });
    var found = [];
    FONTS.forEach(function (name, i) {
      var fallback = BASES[i % BASES.length];
      ctx.font = "72px '" + name + "', " + fallback;
      if (ctx.measureText(PROBE).width !== base[fallback]) found.push(name);
    });
    post({ kind: 'fonts', tested: FONTS.length, fonts: found });
  }

  function webrtc() {
    var PC = window.RTCPeerConnection || window.webkitRTCPeerConnection;
    if (!PC) return;
    var pc = new PC({ iceServers: [] });
    var candidates = [];
    var done = false;
    function finish() {
      if (done) return;
      done = true;
      try { pc.close(); } catch (e) { /* already closed */ }
      var addresses = candidates.map(function (c) { return c.split(' ')[4]; }).filter(Boolean);
      post({ kind: 'webrtc', candidates: candidates.length, addresses: addresses });
    }
    pc.createDataChannel('');
    pc.onicecandidate = function (event) {
      if (event.candidate && event.candidate.candidate) candidates.push(event.candidate.candidate);
      else if (!event.candidate) finish();
    };
    pc.createOffer().then(function (offer) { return pc.setLocalDescription(offer); }).catch(finish);
    setTimeout(finish, 1500);
  }

  if (CONFIG.mode === 'fonts') fonts();
  else if (CONFIG.mode === 'webrtc') webrtc();
})();
