/* Clarity-like tag - an imitation for tests (scanner.fakenet.behaviour).
 * https://www.clarity.ms/tag/<projectId>: defines the clarity() command queue and decides, from the
 * project's sampling rate, whether this session is recorded. This project samples at 0 %: the tag
 * stops there - no recorder script, no cookies, no listeners, no upload. */
(function () {
  'use strict';
  var CONFIG = __CONFIG__;  // {projectId, sampling (percent), recorder}
  var c = window.clarity = window.clarity || function () { (c.q = c.q || []).push(arguments); };
  c.v = '0.7.49';
  var sampled = Math.random() * 100 < CONFIG.sampling;
  c.sampled = sampled;
  if (!sampled) return;
  var s = document.createElement('script');
  s.async = true;
  s.src = CONFIG.recorder;
  document.head.appendChild(s);
})();
