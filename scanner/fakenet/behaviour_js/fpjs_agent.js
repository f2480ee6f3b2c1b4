/* Fingerprint-like browser agent - an imitation for tests (scanner.fakenet.behaviour).
 * Served per public API key from https://fpjscdn.net/v3/<key>/iife.min.js, as the vendor's CDN does;
 * the page calls FPJS.load({apiKey}).then(fp => fp.get()). The sources collected for a key come from
 * the key's configuration (canvas, WebGL, audio, navigator). The result is POSTed to the vendor's
 * collection endpoint, which answers with a visitor id. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {apiKey, endpoint, version, sources: [canvas|webgl|audio|navigator]}

  function hash(text) {  // 32-bit FNV-1a, hex: a stand-in for the agent's murmur hash
    var h = 0x811c9dc5;
    for (var i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    return ('0000000' + h.toString(16)).slice(-8);
  }

  // Canvas: a text image with an emoji in two fonts and three colours (read with toDataURL), and a
  // geometry image of blended circles; the text image is read twice (a noisy canvas answers
  // differently).
  function canvasSource() {
    var canvas = document.createElement('canvas');
    canvas.width = 240;
    canvas.height = 60;
    var ctx = canvas.getContext('2d');
    if (!ctx || !canvas.toDataURL) return { supported: false };
    ctx.rect(0, 0, 10, 10);
    ctx.rect(2, 2, 6, 6);
    var winding = !ctx.isPointInPath(5, 5, 'evenodd');
    function draw() {
      ctx.textBaseline = 'alphabetic';
      ctx.fillStyle = '#f60';
      ctx.fillRect(100, 1, 62, 20);
      ctx.fillStyle = '#069';
      ctx.font = '11pt "Times New Roman"';
      var printed = 'Cwm fjordbank gly \ud83d\ude03';
      ctx.fillText(printed, 2, 15);
      ctx.fillStyle = 'rgba(102, 204, 0, 0.2)';
      ctx.font = '18pt Arial';
      ctx.fillText(printed, 4, 45);
    }
    draw();
    var first = canvas.toDataURL();
    var stable = first === canvas.toDataURL();  // a canvas that adds noise answers differently
    var geo = document.createElement('canvas');
    geo.width = 122;
    geo.height = 110;
    var g = geo.getContext('2d');
    g.globalCompositeOperation = 'multiply';
    [['#f2f', 40, 40], ['#2ff', 80, 40], ['#ff2', 60, 80]].forEach(function (c) {
      g.fillStyle = c[0];
      g.beginPath();
      g.arc(c[1], c[2], 40, 0, Math.PI * 2, true);
      g.closePath();
      g.fill();
    });
    return { winding: winding, stable: stable, text: hash(first), geometry: hash(geo.toDataURL()) };
  }

  // WebGL: the ordinary parameters, then the unmasked vendor and renderer through the debug extension.
  function webglSource() {
    var canvas = document.createElement('canvas');
    var gl = canvas.getContext('webgl') || canvas.getContext('experimental-webgl');
    if (!gl) return { supported: false };
    var out = {
      version: gl.getParameter(gl.VERSION),
      shadingLanguage: gl.getParameter(gl.SHADING_LANGUAGE_VERSION),
      vendor: gl.getParameter(gl.VENDOR),
      renderer: gl.getParameter(gl.RENDERER),
      maxTextureSize: gl.getParameter(gl.MAX_TEXTURE_SIZE),
      extensions: (gl.getSupportedExtensions() || []).length
    };
    var debug = gl.getExtension('WEBGL_debug_renderer_info');
    if (debug) {
      out.unmaskedVendor = gl.getParameter(debug.UNMASKED_VENDOR_WEBGL);  // 37445
      out.unmaskedRenderer = gl.getParameter(debug.UNMASKED_RENDERER_WEBGL);  // 37446
    }
    return out;
  }

  // Audio: a triangle oscillator through a dynamics compressor, rendered offline; the sum of the
  // absolute sample values of the tail of the rendered buffer.
  function audioSource() {
    var Offline = window.OfflineAudioContext || window.webkitOfflineAudioContext;
    if (!Offline) return Promise.resolve({ supported: false });
    var context = new Offline(1, 5000, 44100);
    var oscillator = context.createOscillator();
    oscillator.type = 'triangle';
    oscillator.frequency.value = 10000;
    var compressor = context.createDynamicsCompressor();
    compressor.threshold.value = -50;
    compressor.knee.value = 40;
    compressor.ratio.value = 12;
    compressor.attack.value = 0;
    compressor.release.value = 0.25;
    oscillator.connect(compressor);
    compressor.connect(context.destination);
    oscillator.start(0);
    return context.startRendering().then(function (buffer) {
      var samples = buffer.getChannelData(0).subarray(4500);
      var sum = 0;
      for (var i = 0; i < samples.length; i++) sum += Math.abs(samples[i]);
      return { sum: sum };
    });
  }

  // Navigator and screen: the properties that tell one browser set-up from another.
  function navigatorSource() {
    var n = navigator, s = screen;
    return {
      userAgent: n.userAgent,
      platform: n.platform,
      language: n.language,
      languages: (n.languages || []).join(','),
      hardwareConcurrency: n.hardwareConcurrency,
      deviceMemory: n.deviceMemory,
      maxTouchPoints: n.maxTouchPoints,
      cookieEnabled: n.cookieEnabled,
      doNotTrack: n.doNotTrack,
      vendor: n.vendor,
      productSub: n.productSub,
      plugins: n.plugins ? n.plugins.length : -1,
      mimeTypes: n.mimeTypes ? n.mimeTypes.length : -1,
      pdfViewerEnabled: n.pdfViewerEnabled,
      webdriver: n.webdriver,
      screen: [s.width, s.height, s.availWidth, s.availHeight, s.colorDepth, s.pixelDepth].join('x'),
      timezone: Intl.DateTimeFormat().resolvedOptions().timeZone
    };
  }

  var SOURCES = { canvas: canvasSource, webgl: webglSource, audio: audioSource, navigator: navigatorSource };

  function collect() {
    var names = CONFIG.sources, results = {};
    return Promise.all(names.map(function (name) {
      return Promise.resolve(SOURCES[name]()).then(function (value) { results[name] = value; });
    })).then(function () { return results; });
  }

  function send(components) {
    var body = JSON.stringify({
      apiKey: CONFIG.apiKey,
      url: location.href,
      components: components,
      ts: Date.now()
    });
    return fetch(CONFIG.endpoint + '/?ci=js/' + CONFIG.version, {
      method: 'POST',
      credentials: 'include',
      headers: { 'Content-Type': 'text/plain' },
      body: body
    }).then(function (r) { return r.json(); });
  }

  window.FPJS = {
    load: function () {
      return Promise.resolve({
        get: function () { return collect().then(send); }
      });
    }
  };
})();
