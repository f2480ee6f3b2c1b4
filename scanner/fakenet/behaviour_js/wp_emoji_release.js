/* WordPress-like wp-emoji-release (first party) - an imitation for tests: replaces the emoji in the
 * page's text with <img class="emoji"> from the settings' image CDN. No canvas. */
(function (settings) {
  'use strict';
  var SOURCE = '(?:\\ud83c[\\udde6-\\uddff]){2}|[\\ud83c-\\ud83e][\\udc00-\\udfff]';
  var HAS_EMOJI = new RegExp(SOURCE);
  function codepoints(text) {
    var out = [];
    for (var i = 0; i < text.length; i++) {
      var c = text.codePointAt(i);
      out.push(c.toString(16));
      if (c > 0xffff) i++;
    }
    return out.join('-');
  }
  function replace() {
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    var nodes = [];
    while (walker.nextNode()) if (HAS_EMOJI.test(walker.currentNode.nodeValue)) nodes.push(walker.currentNode);
    nodes.forEach(function (node) {
      var frag = document.createDocumentFragment(), text = node.nodeValue, last = 0;
      text.replace(new RegExp(SOURCE, 'g'), function (match, offset) {
        frag.appendChild(document.createTextNode(text.slice(last, offset)));
        var img = document.createElement('img');
        img.className = 'emoji';
        img.alt = match;
        img.src = settings.svgUrl + codepoints(match) + settings.svgExt;
        frag.appendChild(img);
        last = offset + match.length;
        return match;
      });
      frag.appendChild(document.createTextNode(text.slice(last)));
      node.parentNode.replaceChild(frag, node);
    });
  }
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', replace);
  else replace();
})(window._wpemojiSettings);
