/* WordPress-like emoji support check (inline in the page head, as wp-emoji-loader is) - an imitation
 * for tests. Each test draws one or two emoji on a fresh default canvas and compares pixels: the flag
 * test draws a flag and the same two letters split by a zero-width space and compares toDataURL(); the
 * emoji test reads back one pixel. Without support it loads wp-emoji-release, which swaps emoji for
 * images. A feature check, not a fingerprint. */
(function (window, document, settings) {
  'use strict';
  var supports = {};
  function canvasContext() {
    var canvas = document.createElement('canvas');
    var context = canvas.getContext && canvas.getContext('2d');
    if (!context || !context.fillText) return null;
    context.textBaseline = 'top';
    context.font = '600 32px Arial';
    return context;
  }
  function sameImage(context, a, b) {
    var canvas = context.canvas;
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.fillText(a, 0, 0);
    var first = canvas.toDataURL();
    context.clearRect(0, 0, canvas.width, canvas.height);
    context.fillText(b, 0, 0);
    return first === canvas.toDataURL();
  }
  function browserSupportsEmoji(type) {
    var context = canvasContext();
    if (!context) return false;
    if (type === 'flag') {
      // United Nations flag vs the two regional indicators U and N with a zero-width space between.
      return !sameImage(context, '\ud83c\uddfa\ud83c\uddf3', '\ud83c\uddfa\u200b\ud83c\uddf3');
    }
    context.fillText('\ud83d\ude00', 0, 0);  // grinning face: coloured if an emoji font drew it
    return context.getImageData(16, 16, 1, 1).data[0] !== 0;
  }
  try {
    var cached = JSON.parse(sessionStorage.getItem('wpEmojiSettingsSupports') || 'null');
    if (cached && cached.supportTests) supports = cached.supportTests;
  } catch (e) { supports = {}; }
  ['flag', 'emoji'].forEach(function (type) {
    if (typeof supports[type] !== 'boolean') supports[type] = browserSupportsEmoji(type);
  });
  try {
    sessionStorage.setItem('wpEmojiSettingsSupports', JSON.stringify({ timestamp: Date.now(), supportTests: supports }));
  } catch (e) { /* storage off */ }
  settings.supports = supports;
  settings.supports.everything = supports.flag && supports.emoji;
  if (!settings.supports.everything) {
    var script = document.createElement('script');
    script.src = settings.source.concatemoji;
    script.defer = true;
    document.head.appendChild(script);
  }
})(window, document, window._wpemojiSettings);
