/* MapLibre-GL-like map library (https://unpkg.com/maplibre-gl@<v>/dist/maplibre-gl.js) - an imitation
 * for tests. A map draws with WebGL and asks only for the limits it needs (texture size, vertex
 * attributes, viewport, point sizes) and the extensions it uses - never the debug renderer info. */
(function () {
  'use strict';
  var VERTEX = 'attribute vec2 a_pos; void main() { gl_Position = vec4(a_pos, 0.0, 1.0); gl_PointSize = 4.0; }';
  var FRAGMENT = 'precision mediump float; uniform vec4 u_color; void main() { gl_FragColor = u_color; }';

  function Map(options) {
    var container = typeof options.container === 'string' ? document.getElementById(options.container) : options.container;
    this.canvas = document.createElement('canvas');
    this.canvas.className = 'maplibregl-canvas';
    this.canvas.width = container.clientWidth || 600;
    this.canvas.height = container.clientHeight || 400;
    container.appendChild(this.canvas);
    var attribution = document.createElement('div');
    attribution.className = 'maplibregl-ctrl-attrib';
    attribution.textContent = '\u00a9 OpenStreetMap contributors';
    container.appendChild(attribution);
    var gl = this.canvas.getContext('webgl2', { antialias: false, preserveDrawingBuffer: false }) ||
      this.canvas.getContext('webgl', { antialias: false });
    this.gl = gl;
    if (!gl) {
      container.setAttribute('data-error', 'webgl unavailable');
      return;
    }
    this.limits = {
      maxTextureSize: gl.getParameter(gl.MAX_TEXTURE_SIZE),
      maxVertexAttribs: gl.getParameter(gl.MAX_VERTEX_ATTRIBS),
      maxViewport: gl.getParameter(gl.MAX_VIEWPORT_DIMS),
      pointSizes: gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE)
    };
    this.anisotropic = gl.getExtension('EXT_texture_filter_anisotropic');
    this.center = options.center || [0, 0];
    this.zoom = options.zoom || 1;
    var self = this;
    fetch(options.style).then(function (r) { return r.json(); }).then(function (style) {
      self.style = style;
      self.render();
    });
  }
  Map.prototype.program = function () {
    var gl = this.gl;
    function shader(type, source) {
      var s = gl.createShader(type);
      gl.shaderSource(s, source);
      gl.compileShader(s);
      return s;
    }
    var p = gl.createProgram();
    gl.attachShader(p, shader(gl.VERTEX_SHADER, VERTEX));
    gl.attachShader(p, shader(gl.FRAGMENT_SHADER, FRAGMENT));
    gl.linkProgram(p);
    return p;
  };
  Map.prototype.render = function () {
    var gl = this.gl, bg = (this.style && this.style.background) || [0.9, 0.93, 0.95, 1];
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    gl.clearColor(bg[0], bg[1], bg[2], bg[3]);
    gl.clear(gl.COLOR_BUFFER_BIT);
    var program = this.program();
    gl.useProgram(program);
    var points = new Float32Array([-0.5, -0.2, 0.1, 0.4, 0.6, -0.3]);
    var buffer = gl.createBuffer();
    gl.bindBuffer(gl.ARRAY_BUFFER, buffer);
    gl.bufferData(gl.ARRAY_BUFFER, points, gl.STATIC_DRAW);
    var pos = gl.getAttribLocation(program, 'a_pos');
    gl.enableVertexAttribArray(pos);
    gl.vertexAttribPointer(pos, 2, gl.FLOAT, false, 0, 0);
    gl.uniform4f(gl.getUniformLocation(program, 'u_color'), 0.2, 0.4, 0.8, 1);
    gl.drawArrays(gl.LINE_STRIP, 0, 3);
    this.canvas.setAttribute('data-rendered', 'true');
  };
  window.maplibregl = { Map: Map, version: '4.1.2' };
})();
