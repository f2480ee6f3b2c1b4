/* The shop's own search-as-you-type (first party): each pause in typing asks /suggest?q= on the shop
 * itself and lists the answers under the field. Expected behaviour, not a leak. */
(function () {
  'use strict';
  var field = document.getElementById('q'), list = document.getElementById('suggestions');
  if (!field || !list) return;
  var timer = null;
  field.addEventListener('input', function () {
    clearTimeout(timer);
    timer = setTimeout(function () {
      var q = field.value.trim();
      if (q.length < 2) { list.textContent = ''; return; }
      var xhr = new XMLHttpRequest();
      xhr.open('GET', '/suggest?q=' + encodeURIComponent(q), true);
      xhr.onload = function () {
        list.textContent = '';
        var answers = [];
        try { answers = JSON.parse(xhr.responseText); } catch (e) { answers = []; }
        answers.slice(0, 5).forEach(function (text) {
          var li = document.createElement('li');
          li.textContent = String(text);
          list.appendChild(li);
        });
      };
      xhr.send();
    }, 150);
  });
})();
