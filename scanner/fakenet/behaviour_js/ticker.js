/* The shop's own live ticker (first party): rewrites the "people viewing" line and rotates the news
 * item a few times a second - ordinary DOM changes that a recorder on the page sees and uploads. */
(function () {
  'use strict';
  var items = ['Free shipping over 50 EUR', 'New: autumn collection', 'Gift cards available', 'Returns within 30 days'];
  var i = 0;
  function tick() {
    var viewers = document.getElementById('viewers'), news = document.getElementById('news');
    if (!viewers || !news) return;
    viewers.textContent = (12 + (i % 7)) + ' people are viewing this page';
    news.textContent = items[i % items.length];
    news.setAttribute('data-item', String(i % items.length));
    i++;
  }
  tick();
  setInterval(tick, 400);
})();
