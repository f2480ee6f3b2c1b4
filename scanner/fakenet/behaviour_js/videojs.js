/* Video.js-like player (https://vjs.zencdn.net/<v>/video.min.js) - an imitation for tests. Wraps a
 * <video>, adds a control bar, and routes the element's sound through a realtime AudioContext gain node
 * for its volume boost (createMediaElementSource -> gain -> speakers). No OfflineAudioContext, no
 * oscillator, no samples read back: playback, not a fingerprint. */
(function () {
  'use strict';
  function Player(video, options) {
    this.video = video;
    var wrap = document.createElement('div');
    wrap.className = 'video-js vjs-default-skin';
    video.parentNode.insertBefore(wrap, video);
    wrap.appendChild(video);
    var bar = document.createElement('div');
    bar.className = 'vjs-control-bar';
    var play = document.createElement('button');
    play.className = 'vjs-play-control';
    play.textContent = 'Play';
    var boost = document.createElement('input');
    boost.type = 'range';
    boost.min = '0';
    boost.max = '200';
    boost.value = String(Math.round((options.boost || 1) * 100));
    boost.className = 'vjs-volume-boost';
    bar.appendChild(play);
    bar.appendChild(boost);
    wrap.appendChild(bar);
    var Context = window.AudioContext || window.webkitAudioContext;
    if (Context) {
      this.audio = new Context();
      this.source = this.audio.createMediaElementSource(video);
      this.gain = this.audio.createGain();
      this.gain.gain.value = Number(boost.value) / 100;
      this.source.connect(this.gain);
      this.gain.connect(this.audio.destination);
    }
    var self = this;
    play.addEventListener('click', function () {
      if (self.audio && self.audio.state === 'suspended') self.audio.resume();
      if (video.paused) video.play().catch(function () { /* no source to play */ }); else video.pause();
    });
    boost.addEventListener('change', function () { if (self.gain) self.gain.gain.value = Number(boost.value) / 100; });
  }
  window.videojs = function (id, options) {
    var video = typeof id === 'string' ? document.getElementById(id) : id;
    return video ? new Player(video, options || {}) : null;
  };
  window.videojs.VERSION = '8.10.0';
})();
