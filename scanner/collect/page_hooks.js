// In-page hooks: tell what the network alone cannot — which script wrote document.cookie, called
// navigator.sendBeacon or pointed an <img> at a URL. Installed by scanner/collect/hooks.py in every
// document of a page (all frames) before any page script runs.
//
// The page must neither see nor steer them:
// - Reports go through a DevTools binding whose random name (__BINDING__) is taken into this closure
//   and deleted from the global object before page code runs; each report carries a nonce
//   (__NONCE__) that lives only here, checked on the Python side. No global is left behind and there is
//   no re-entry marker: a second run in the same document finds no binding and does nothing.
// - Everything used after page code has run (Reflect.apply, JSON.stringify, property descriptors, the
//   V8 call-site methods, ...) is captured now, so a page that patches built-ins changes nothing here.
// - The wrappers look native: same names and lengths, Function.prototype.toString (also across frames)
//   gives the native-code text for them and for itself.
// - The writing script is read from V8's structured stack (the real script URL of each frame, not its
//   //# sourceURL), with Error.prepareStackTrace and Error.stackTraceLimit swapped for ours meanwhile;
//   when a page pinned those, the script is unknown (null) rather than what the page chose.
// - At most __LIMIT__ reports per document; what is dropped above that is counted and reported.
// - With the behaviour hooks on, scanner/collect/api_hooks.js is spliced in at __API_HOOKS__ (same closure:
//   it shares the channel, the disguise and the calling-script reader); off, nothing of it is there.
// Every call is forwarded unchanged (its argument converted to a string once, as the browser would)
// and nothing here throws into the page.
(function () {
  "use strict";
  const G = globalThis;
  const BINDING = __BINDING__;
  const send = G[BINDING];
  if (typeof send !== "function") return;
  delete G[BINDING];
  const NONCE = __NONCE__;
  const LIMIT = __LIMIT__;

  const O = Object;
  const apply = Reflect.apply;
  const defineProperty = O.defineProperty;
  const getOwnPropertyDescriptor = O.getOwnPropertyDescriptor;
  const hasOwn = O.hasOwn;
  const getPrototypeOf = O.getPrototypeOf;
  const stringify = JSON.stringify;
  const now = Date.now;
  const NativeError = Error;
  const captureStackTrace = Error.captureStackTrace;
  const NativeURL = URL;
  const urlHref = getOwnPropertyDescriptor(NativeURL.prototype, "href").get;
  const baseURI = getOwnPropertyDescriptor(Node.prototype, "baseURI").get;
  const documentURL = getOwnPropertyDescriptor(Document.prototype, "URL").get;
  const slice = String.prototype.slice;
  const setTimer = G.setTimeout;
  const NativeWeakMap = WeakMap;
  const weakGet = WeakMap.prototype.get;
  const weakSet = WeakMap.prototype.set;
  const nativeToString = Function.prototype.toString;
  const doc = G.document;

  // ---- the channel ----
  let sent = 0;
  let dropped = 0;
  let flushing = false;
  const post = (kind, data) => {
    apply(send, undefined, [apply(stringify, undefined, [{ __proto__: null, n: NONCE, k: kind, d: data }])]);
  };
  const flush = () => {
    flushing = false;
    try { post("dropped", { __proto__: null, count: dropped }); } catch (e) { /* never break the page */ }
  };
  // True when one more report may be sent; otherwise counts it and schedules a count report.
  const admit = () => {
    if (sent < LIMIT) { sent++; return true; }
    dropped++;
    if (!flushing) {
      flushing = true;
      try { apply(setTimer, G, [flush, 250]); } catch (e) { flushing = false; }
    }
    return false;
  };
  const report = (kind, data) => {
    try { post(kind, data); } catch (e) { /* never break the page */ }
  };

  // A property descriptor as a null-prototype copy: once page code ran, reading a field the descriptor
  // lacks (or passing it to defineProperty) would reach a getter the page put on Object.prototype.
  const FIELDS = ["value", "writable", "get", "set", "enumerable", "configurable"]; // indexed, not iterated
  const descriptor = (object, key) => {
    const d = getOwnPropertyDescriptor(object, key);
    if (d === undefined) return undefined;
    const copy = { __proto__: null };
    for (let i = 0; i < FIELDS.length; i++) {
      if (apply(hasOwn, O, [d, FIELDS[i]])) copy[FIELDS[i]] = d[FIELDS[i]];
    }
    return copy;
  };

  // ---- the calling script, from V8's structured stack ----
  const passSites = function (error, sites) { return sites; };
  const swap = (limit) => {
    const prepare = descriptor(NativeError, "prepareStackTrace");
    const depth = descriptor(NativeError, "stackTraceLimit");
    if ((prepare && !prepare.configurable) || (depth && !depth.configurable)) return null;
    const restore = () => {
      if (prepare) defineProperty(NativeError, "prepareStackTrace", prepare);
      else delete NativeError.prepareStackTrace;
      if (depth) defineProperty(NativeError, "stackTraceLimit", depth);
      else delete NativeError.stackTraceLimit;
    };
    try {
      defineProperty(NativeError, "prepareStackTrace",
        { __proto__: null, value: passSites, writable: true, configurable: true, enumerable: false });
      defineProperty(NativeError, "stackTraceLimit",
        { __proto__: null, value: limit, writable: true, configurable: true, enumerable: depth ? depth.enumerable : true });
    } catch (e) { // Error made non-extensible: put back what was changed, the script stays unknown
      try { restore(); } catch (e2) { /* nothing more to do */ }
      return null;
    }
    return restore;
  };
  const stackSites = (limit) => {
    const restore = swap(limit);
    if (!restore) return null;
    try {
      const error = new NativeError();
      const own = descriptor(error, "stack");
      if (!own) return null;
      return own.get ? apply(own.get, error, []) : own.value;
    } finally {
      restore();
    }
  };
  // The V8 CallSite methods, taken before any page code could patch their prototype.
  let fileName = null;
  let isEval = null;
  try {
    const sites = stackSites(1);
    if (sites && sites.length) {
      const proto = getPrototypeOf(sites[0]);
      fileName = proto.getFileName;
      isEval = proto.isEval;
    }
  } catch (e) { /* no structured stacks: scripts stay unknown */ }
  const isWeb = (url) => {
    const head = apply(slice, url, [0, 8]);
    return head === "https://" || apply(slice, head, [0, 7]) === "http://";
  };
  // URL of the nearest script on the stack; eval'd code counts as the script that evaluated it.
  const callerScript = () => {
    if (!fileName) return null;
    try {
      const sites = stackSites(64);
      if (!sites) return null;
      for (let i = 0; i < sites.length; i++) {
        const site = sites[i];
        if (apply(isEval, site, [])) continue;
        const name = apply(fileName, site, []);
        if (typeof name === "string" && isWeb(name)) return name;
      }
    } catch (e) { /* unknown */ }
    return null;
  };
  const absolute = (url) => {
    try {
      return apply(urlHref, new NativeURL(url, apply(baseURI, doc, [])), []);
    } catch (e) {
      return url;
    }
  };

  // ---- wrappers that look native ----
  // An error the browser throws through a wrapper gets the stack it would have had without it (only
  // errors with a stack of their own: a thrown plain object gains no property).
  const forward = (wrapper, fn, self, args) => {
    try {
      return apply(fn, self, args);
    } catch (error) {
      try {
        if (descriptor(error, "stack")) apply(captureStackTrace, NativeError, [error, wrapper]);
      } catch (e) { /* keep it as is */ }
      throw error;
    }
  };
  const natives = new NativeWeakMap(); // wrapper -> native text
  const sources = { __proto__: null }; // wrapper source text -> native text (wrappers of other frames)
  const disguise = (wrapper, original) => {
    defineProperty(wrapper, "name", { __proto__: null, value: original.name, configurable: true });
    defineProperty(wrapper, "length", { __proto__: null, value: original.length, configurable: true });
    const nativeText = apply(nativeToString, original, []);
    apply(weakSet, natives, [wrapper, nativeText]);
    sources[apply(nativeToString, wrapper, [])] = nativeText;
  };
  const toStringWrapper = {
    toString() {
      const known = apply(weakGet, natives, [this]);
      if (known !== undefined) return known;
      const source = forward(toStringWrapper, nativeToString, this, []); // throws for non-functions
      const other = sources[source];
      return other !== undefined ? other : source;
    },
  }.toString;

  const cookie = getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (cookie && cookie.get && cookie.set) {
    const nativeGet = cookie.get;
    const nativeSet = cookie.set;
    const wrapped = getOwnPropertyDescriptor({
      get cookie() { return forward(wrapped.get, nativeGet, this, []); },
      set cookie(value) {
        // Converted once, here (a Symbol is left to the browser to refuse); an object's toString runs
        // with this frame on the stack: the one trace of the wrapper a page can provoke.
        if (typeof value === "symbol") return forward(wrapped.set, nativeSet, this, [value]);
        const value_ = typeof value === "string" ? value : `${value}`;
        forward(wrapped.set, nativeSet, this, [value_]);
        if (admit()) {
          report("cookie", {
            __proto__: null, value: apply(slice, value_, [0, 8192]), script: callerScript(),
            url: apply(documentURL, this, []), ts: apply(now, undefined, []),
          });
        }
      },
    }, "cookie");
    disguise(wrapped.get, nativeGet);
    disguise(wrapped.set, nativeSet);
    defineProperty(Document.prototype, "cookie", {
      __proto__: null, get: wrapped.get, set: wrapped.set, enumerable: cookie.enumerable, configurable: cookie.configurable,
    });
  }

  const beacon = getOwnPropertyDescriptor(Navigator.prototype, "sendBeacon");
  if (beacon && typeof beacon.value === "function") {
    const nativeBeacon = beacon.value;
    const wrapped = {
      sendBeacon(url) {
        if (arguments.length === 0 || typeof url === "symbol") {
          return forward(wrapped, nativeBeacon, this, arguments.length === 0 ? [] : [url]);
        }
        const url_ = typeof url === "string" ? url : `${url}`;
        const result = forward(wrapped, nativeBeacon, this, arguments.length < 2 ? [url_] : [url_, arguments[1]]);
        if (admit()) report("beacon", { __proto__: null, url: absolute(url_), script: callerScript() });
        return result;
      },
    }.sendBeacon;
    disguise(wrapped, nativeBeacon);
    defineProperty(Navigator.prototype, "sendBeacon", {
      __proto__: null, value: wrapped, writable: beacon.writable, enumerable: beacon.enumerable, configurable: beacon.configurable,
    });
  }

  const src = getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  if (src && src.get && src.set) {
    const nativeGet = src.get;
    const nativeSet = src.set;
    const wrapped = getOwnPropertyDescriptor({
      get src() { return forward(wrapped.get, nativeGet, this, []); },
      set src(value) {
        if (typeof value === "symbol") return forward(wrapped.set, nativeSet, this, [value]);
        const value_ = typeof value === "string" ? value : `${value}`;
        forward(wrapped.set, nativeSet, this, [value_]);
        if (sent >= LIMIT) { admit(); return; }
        const script = callerScript();
        if (script && admit()) report("image", { __proto__: null, url: absolute(value_), script });
      },
    }, "src");
    disguise(wrapped.get, nativeGet);
    disguise(wrapped.set, nativeSet);
    defineProperty(HTMLImageElement.prototype, "src", {
      __proto__: null, get: wrapped.get, set: wrapped.set, enumerable: src.enumerable, configurable: src.configurable,
    });
  }

  /*__API_HOOKS__*/

  disguise(toStringWrapper, nativeToString);
  defineProperty(Function.prototype, "toString", {
    __proto__: null, value: toStringWrapper, writable: true, enumerable: false, configurable: true,
  });
})();
