/* An unknown third-party device-fingerprinting script (no catalog entry) - an imitation for tests.
 * Self-starting, as such scripts are; one technique per served file (its configuration's mode):
 * "canvas" (text in two colours on a 280x60 canvas, read back whole with getImageData), "fonts"
 * (canvas font probing: one measureText per candidate font, compared with the fallback families),
 * "webgl" (the unmasked vendor and renderer), "audio" (an offline-rendered oscillator through a
 * compressor), "webrtc" (local IP discovery: a data-channel-only peer connection and its ICE
 * candidates), "navigator" (a sweep of navigator and screen properties), "fontcheck" (font probing:
 * document.fonts.check for every candidate system font). The result is POSTed to its own collector. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {mode, endpoint, sid}
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

  // Which system fonts are installed, asked of the font loading API: check() is true for a family
  // the system has (and for one it cannot match at all), so the answers are a list of installed fonts.
  function fontCheck() {
    if (!document.fonts || !document.fonts.check) return;
    var found = FONTS.filter(function (name) { return document.fonts.check("12px '" + name + "'"); });
    post({ kind: 'fontcheck', tested: FONTS.length, fonts: found });
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

  function digest(data) {  // djb2 over the pixel bytes
    var h = 5381;
    for (var i = 0; i < data.length; i += 4) h = ((h << 5) + h + data[i] + data[i + 1] + data[i + 2]) | 0;
    return (h >>> 0).toString(36);
  }

  function canvas() {
    var c = document.createElement('canvas');
    c.width = 280;
    c.height = 60;
    var ctx = c.getContext('2d');
    if (!ctx) return;
    ctx.textBaseline = 'top';
    ctx.font = "16px 'Arial'";
    ctx.fillStyle = '#3a7';
    ctx.fillText('DeviceTrace <canvas> 2.4 \u2603 qwxz', 4, 8);
    ctx.fillStyle = 'rgba(190, 40, 90, 0.6)';
    ctx.font = "bold 18px 'Georgia'";
    ctx.fillText('DeviceTrace <canvas> 2.4 \u2603 qwxz', 6, 30);
    post({ kind: 'canvas', hash: digest(ctx.getImageData(0, 0, c.width, c.height).data) });
  }

  function webgl() {
    var gl = document.createElement('canvas').getContext('webgl2') ||
      document.createElement('canvas').getContext('webgl');
    if (!gl) return post({ kind: 'webgl', supported: false });
    var info = gl.getExtension('WEBGL_debug_renderer_info');
    post({
      kind: 'webgl',
      vendor: info ? gl.getParameter(info.UNMASKED_VENDOR_WEBGL) : null,
      renderer: info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : null
    });
  }

  function audio() {
    var Offline = window.OfflineAudioContext || window.webkitOfflineAudioContext;
    if (!Offline) return;
    var ctx = new Offline(1, 44100, 44100);
    var osc = ctx.createOscillator();
    osc.type = 'triangle';
    osc.frequency.setValueAtTime(10000, ctx.currentTime);
    var comp = ctx.createDynamicsCompressor();
    [['threshold', -50], ['knee', 40], ['ratio', 12], ['attack', 0], ['release', 0.25]].forEach(function (p) {
      comp[p[0]].setValueAtTime(p[1], ctx.currentTime);
    });
    osc.connect(comp);
    comp.connect(ctx.destination);
    osc.start(0);
    ctx.oncomplete = function (event) {
      var data = event.renderedBuffer.getChannelData(0), sum = 0;
      for (var i = 4500; i < 5000; i++) sum += Math.abs(data[i]);
      post({ kind: 'audio', sum: sum });
    };
    ctx.startRendering();
  }

  function navigatorSweep() {
    var n = navigator, s = screen, out = {};
    ['userAgent', 'appVersion', 'platform', 'language', 'languages', 'hardwareConcurrency', 'deviceMemory',
      'maxTouchPoints', 'cookieEnabled', 'doNotTrack', 'vendor', 'vendorSub', 'product', 'productSub',
      'oscpu', 'webdriver', 'pdfViewerEnabled'].forEach(function (k) { out[k] = String(n[k]); });
    ['width', 'height', 'availWidth', 'availHeight', 'colorDepth', 'pixelDepth'].forEach(function (k) {
      out['screen.' + k] = s[k];
    });
    post({ kind: 'navigator', properties: out });
  }

  var MODES = {
    canvas: canvas, fonts: fonts, webgl: webgl, audio: audio, webrtc: webrtc, navigator: navigatorSweep,
    fontcheck: fontCheck
  };
  if (MODES[CONFIG.mode]) MODES[CONFIG.mode]();
})();
