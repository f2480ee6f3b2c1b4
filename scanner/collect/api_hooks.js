  // ---- behaviour hooks: browser APIs that fingerprint, record or listen (scanner/collect/api_hooks.js) ----
  // Spliced into page_hooks.js by scanner.collect.hooks.hook_script when the behaviour hooks are on; runs
  // in the same closure, before any page script, and uses only what was captured before page code ran.
  //
  // Wrapped on the prototypes (never a constructor: identity, prototype.constructor and instanceof stay
  // as they are): methods, getters and setters listed in scanner/collect/api_spec.py, which generates
  // TABLE below with one literal wrapper each: a distinct source text each, so that another frame's
  // Function.prototype.toString maps it to its own native text. Every wrapper forwards the call as it
  // came (same receiver, arguments, result and exceptions, errors with the stack they would have had),
  // then counts it; counting never throws into the page.
  //
  // Counted IN THE PAGE per (calling script, API): a counter, up to MAX_SAMPLES distinct argument values
  // (MAX_ARG characters each) and a count of distinct values (capped at MAX_DISTINCT), plus the facts of
  // each canvas read. Nothing is sent per call: the rows go out in one go (split in chunks of at most
  // CHUNK characters) when the collector asks (a CustomEvent with a random name, API_EVENT, on the
  // document, dispatched from an isolated world the page cannot see; the listener was added here with the
  // captured native addEventListener) or when the document goes away (beforeunload, pagehide).
  //
  // The calling script costs a stack capture (about 10-30 us, growing with stack depth, against 0.5-1 us
  // for a measureText): it is read for the first EXACT calls of each API in the document, then for one
  // call in SAMPLE_EVERY at random; the calls in between count for the script read last for that API.
  {
    const API_EVENT = __API_EVENT__;
    const MAX_ROWS = 1000; // (script, API) rows per document; calls beyond are counted as lost
    const MAX_SAMPLES = 20;
    const MAX_ARG = 200;
    const MAX_DISTINCT = 1000;
    const MAX_KEPT = 20000; // distinct values remembered per document (then args_total is a lower bound)
    const MAX_READS = 10; // canvas reads kept per row (the most fingerprint-like when there are more)
    const MAX_CHARS = 256; // distinct characters remembered per canvas
    const MAX_COLORS = 64;
    const MAX_URL = 2000;
    const CHUNK = 48 * 1024;
    const EXACT = 256;
    const SAMPLE_EVERY = 32;

    const NativeMap = Map;
    const mapGet = Map.prototype.get;
    const mapSet = Map.prototype.set;
    const mapForEach = Map.prototype.forEach;
    const mapClear = Map.prototype.clear;
    const mapSize = getOwnPropertyDescriptor(Map.prototype, "size").get;
    const setPrototypeOf = O.setPrototypeOf;
    const random = Math.random;
    const codePointAt = String.prototype.codePointAt;
    const hasInstance = Function.prototype[Symbol.hasInstance];
    const nativeAddListener = EventTarget.prototype.addEventListener;
    const getter = (proto, key) => {
      const d = proto && descriptor(proto, key);
      return d && d.get;
    };
    const nodeType = getter(Node.prototype, "nodeType");
    const localName = getter(Element.prototype, "localName");
    const canvasOf = getter(G.CanvasRenderingContext2D && G.CanvasRenderingContext2D.prototype, "canvas");
    const canvasWidth = getter(G.HTMLCanvasElement && G.HTMLCanvasElement.prototype, "width");
    const canvasHeight = getter(G.HTMLCanvasElement && G.HTMLCanvasElement.prototype, "height");
    const Offline = G.OfflineAudioContext;

    // Arrays without a prototype: a page that puts setters on Array.prototype indexes sees nothing.
    const list = () => {
      const a = [];
      setPrototypeOf(a, null);
      return a;
    };
    const size = (map) => apply(mapSize, map, []);
    const cut = (s, n) => (s.length > n ? apply(slice, s, [0, n]) : s);
    // An argument as text, without running page code (no toString / valueOf of page objects).
    const text = (v) => {
      const t = typeof v;
      if (t === "string") return cut(v, MAX_ARG);
      if (t === "number" || t === "boolean" || t === "bigint" || v === null || v === undefined) return `${v}`;
      return `<${t}>`;
    };

    // ---- the calling script, read for every call at first, then sampled ----
    const perApi = new NativeMap(); // api -> { n: calls so far, script: last read }
    const attribute = (api) => {
      let a = apply(mapGet, perApi, [api]);
      if (a === undefined) {
        a = { __proto__: null, n: 0, script: null };
        apply(mapSet, perApi, [api, a]);
      }
      a.n++;
      if (a.n <= EXACT || apply(random, undefined, []) * SAMPLE_EVERY < 1) {
        const script = callerScript();
        a.script = script === null ? null : cut(script, MAX_URL);
      }
      return a.script;
    };

    // ---- the rows ----
    const table = new NativeMap(); // script + "\u0000" + api -> row
    let lost = 0; // calls not counted in a row (over MAX_ROWS)
    let distinctKept = 0; // argument values remembered to count distinct ones, all rows together
    const record = (api, arg) => {
      const script = attribute(api);
      const key = `${script === null ? "" : script}\u0000${api}`;
      let row = apply(mapGet, table, [key]);
      if (row === undefined) {
        if (size(table) >= MAX_ROWS) { lost++; return undefined; }
        row = { __proto__: null, script, api, count: 0, args: list(), seen: null, total: 0, canvas: null };
        apply(mapSet, table, [key, row]);
      }
      row.count++;
      if (arg !== undefined && row.total < MAX_DISTINCT && distinctKept < MAX_KEPT) {
        if (row.seen === null) row.seen = new NativeMap();
        if (apply(mapGet, row.seen, [arg]) === undefined) {
          apply(mapSet, row.seen, [arg, true]);
          distinctKept++;
          row.total++;
          if (row.args.length < MAX_SAMPLES) row.args[row.args.length] = arg;
        }
      }
      return row;
    };

    // ---- what each canvas saw (Englehardt & Narayanan 2016) ----
    const canvases = new NativeWeakMap(); // canvas element -> state
    const stateOf = (canvas) => {
      let st = apply(weakGet, canvases, [canvas]);
      if (st === undefined) {
        st = { __proto__: null, chars: new NativeMap(), colors: new NativeMap(), saveRestore: false, listeners: false };
        apply(weakSet, canvases, [canvas, st]);
      }
      return st;
    };
    const contextCanvas = (ctx) => {
      try { return apply(canvasOf, ctx, []); } catch (e) { return null; }
    };
    const addChars = (st, s) => {
      const n = s.length < 512 ? s.length : 512;
      for (let i = 0; i < n && size(st.chars) < MAX_CHARS; i++) {
        const c = apply(codePointAt, s, [i]);
        if (c > 0xffff) i++;
        apply(mapSet, st.chars, [c, true]);
      }
    };
    const addColor = (st, v) => {
      if (size(st.colors) < MAX_COLORS) apply(mapSet, st.colors, [text(v), true]);
    };
    const dimension = (v) => (typeof v === "number" && v === v ? (v < 0 ? -v : v) : null);
    const score = (f) =>
      (f.width >= 16 && f.height >= 16 ? 2 : 0) + (f.read_width >= 16 && f.read_height >= 16 ? 1 : 0) +
      (f.text_chars >= 10 ? 2 : 0) + (f.colors >= 2 ? 1 : 0) + (f.save_restore ? 0 : 1) + (f.listeners ? 0 : 1);
    const canvasRead = (row, canvas, readWidth, readHeight) => {
      if (row === undefined || canvas === null) return;
      let width = null;
      let height = null;
      try { width = apply(canvasWidth, canvas, []); height = apply(canvasHeight, canvas, []); } catch (e) { /* not an HTML canvas */ }
      const st = apply(weakGet, canvases, [canvas]);
      const fact = {
        __proto__: null, width, height,
        read_width: readWidth === undefined ? width : readWidth,
        read_height: readHeight === undefined ? height : readHeight,
        text_chars: st ? size(st.chars) : 0, colors: st ? size(st.colors) : 0,
        save_restore: st ? st.saveRestore : false, listeners: st ? st.listeners : false,
      };
      if (row.canvas === null) row.canvas = list();
      const reads = row.canvas;
      if (reads.length < MAX_READS) { reads[reads.length] = fact; return; }
      let low = 0;
      for (let i = 1; i < reads.length; i++) if (score(reads[i]) < score(reads[low])) low = i;
      if (score(fact) > score(reads[low])) reads[low] = fact;
    };

    // What a listener or observer is attached to: "window", "document", an element's tag name, "node"
    // or "other". Only asked after the native call succeeded, so the target is a real platform object.
    const kindOf = (target) => {
      if (target === undefined || target === null || target === G) return "window";
      try {
        const type = apply(nodeType, target, []);
        if (type === 9) return "document";
        if (type === 1) return cut(apply(localName, target, []), 40);
        return "node";
      } catch (e) {
        return "other";
      }
    };

    // ---- per API: what to note besides the count (api = "Interface.member") ----
    const TRACKED = new NativeMap(); // event types whose listeners are counted
    const types = ["keydown", "keyup", "keypress", "input", "beforeinput", "change", "select",
      "mousemove", "mousedown", "mouseup", "mouseover", "mouseout", "mouseenter", "mouseleave",
      "click", "dblclick", "contextmenu", "pointermove", "pointerdown", "pointerup", "pointerover",
      "pointerout", "pointerenter", "pointerleave", "touchstart", "touchmove", "touchend", "touchcancel",
      "wheel", "scroll", "focus", "blur", "focusin", "focusout", "copy", "cut", "paste", "submit",
      "devicemotion", "deviceorientation", "icecandidate"];
    for (let i = 0; i < types.length; i++) apply(mapSet, TRACKED, [types[i], true]);
    const OBSERVE = ["attributeFilter", "attributeOldValue", "attributes", "characterData",
      "characterDataOldValue", "childList", "subtree"]; // the order the browser reads them in
    const FLAGS = ["childList", "subtree", "attributes", "characterData", "attributeOldValue",
      "characterDataOldValue", "attributeFilter"]; // the order they are noted in
    const first = (api, self, args) => record(api, args.length ? text(args[0]) : undefined);
    const HANDLERS = {
      __proto__: null,
      count: (api) => record(api, undefined),
      first,
      second: (api, self, args) => record(api, args.length > 1 ? text(args[1]) : undefined),
      canvasRead: (api, self, args) => {
        canvasRead(record(api, args.length ? text(args[0]) : undefined), self, undefined, undefined);
      },
      toBlob: (api, self, args) => {
        canvasRead(record(api, args.length > 1 ? text(args[1]) : undefined), self, undefined, undefined);
      },
      imageData: (api, self, args) => {
        const row = record(api, undefined);
        canvasRead(row, contextCanvas(self), dimension(args[2]), dimension(args[3]));
      },
      drawText: (api, self, args) => {
        const value = args.length ? args[0] : undefined;
        const canvas = contextCanvas(self);
        if (canvas !== null && (typeof value === "string" || typeof value === "number")) addChars(stateOf(canvas), `${value}`);
        first(api, self, args);
      },
      style: (api, self, args) => {
        const canvas = contextCanvas(self);
        if (canvas !== null) addColor(stateOf(canvas), args[0]);
        first(api, self, args);
      },
      saveRestore: (api, self) => {
        const canvas = contextCanvas(self);
        if (canvas !== null) stateOf(canvas).saveRestore = true;
        record(api, undefined);
      },
      audio: (api, self) => {
        let offline = false;
        try { offline = typeof Offline === "function" && apply(hasInstance, Offline, [self]); } catch (e) { /* unknown */ }
        record(api, offline ? "offline" : "realtime");
      },
      listener: (api, self, args) => {
        const kind = kindOf(self);
        if (kind === "canvas") stateOf(self).listeners = true;
        const type = args[0];
        if (typeof type === "string" && apply(mapGet, TRACKED, [type]) === true) record(`${api}:${type}`, kind);
      },
      observe: (api, self, args, options) => {
        let flags = "";
        for (let i = 0; i < FLAGS.length; i++) {
          if (options !== null && options[FLAGS[i]]) flags += (flags ? "," : "") + FLAGS[i];
        }
        record(api, `${kindOf(args[0])}|${flags}`);
      },
    };

    // MutationObserver.observe: its options are read here once, in the browser's order, and handed on
    // as a copy, so the page's getters run once each (as without the hooks) and we know what was asked.
    const observeOptions = (args) => {
      const options = args.length > 1 ? args[1] : undefined;
      if (options === undefined || options === null) return null;
      const t = typeof options;
      if (t !== "object" && t !== "function") return undefined; // left to the browser to refuse
      const copy = { __proto__: null };
      for (let i = 0; i < OBSERVE.length; i++) {
        const v = options[OBSERVE[i]];
        if (v !== undefined) copy[OBSERVE[i]] = v;
      }
      return copy;
    };

    // ---- the wrappers ----
    const API = list();
    const NATIVE = list();
    const WRAP = list();
    const HANDLE = list();
    const M = (i, self, args) => {
      if (HANDLE[i] === HANDLERS.observe) {
        const copy = observeOptions(args);
        if (copy !== undefined) {
          const forwarded = list();
          forwarded[0] = args[0];
          forwarded[1] = copy;
          for (let k = 2; k < args.length; k++) forwarded[k] = args[k];
          const result = forward(WRAP[i], NATIVE[i], self, forwarded);
          try { HANDLERS.observe(API[i], self, args, copy); } catch (e) { /* never break the page */ }
          return result;
        }
      }
      const result = forward(WRAP[i], NATIVE[i], self, args);
      try { HANDLE[i](API[i], self, args); } catch (e) { /* never break the page */ }
      return result;
    };
    const GET = (i, self) => {
      const result = forward(WRAP[i], NATIVE[i], self, []);
      try { HANDLE[i](API[i], self, []); } catch (e) { /* never break the page */ }
      return result;
    };
    const SET = (i, self, value) => {
      forward(WRAP[i], NATIVE[i], self, [value]);
      try {
        const args = list();
        args[0] = value;
        HANDLE[i](API[i], self, args);
      } catch (e) { /* never break the page */ }
    };
    // [interface, member, kind ("m" method, "g" getter, "s" setter), handler, wrapper]
    const TABLE = __API_TABLE__;
    for (let i = 0; i < TABLE.length; i++) {
      const entry = TABLE[i];
      const iface = entry[0];
      const member = entry[1];
      const kind = entry[2];
      const wrapper = entry[4];
      API[i] = `${iface}.${member}`;
      WRAP[i] = wrapper;
      HANDLE[i] = HANDLERS[entry[3]];
      try {
        const C = G[iface];
        const proto = typeof C === "function" ? C.prototype : undefined;
        const d = proto && descriptor(proto, member);
        if (!d || !d.configurable) continue;
        const field = kind === "m" ? "value" : kind === "g" ? "get" : "set";
        const native = d[field];
        if (typeof native !== "function") continue;
        NATIVE[i] = native;
        disguise(wrapper, native);
        d[field] = wrapper;
        defineProperty(proto, member, d);
      } catch (e) { /* this one stays unwrapped */ }
    }

    // ---- handing the rows over ----
    const frameURL = () => {
      try { return cut(apply(documentURL, doc, []), MAX_URL); } catch (e) { return null; }
    };
    const flush = () => {
      try {
        const frame = frameURL();
        let rows = list();
        let length = 0;
        const send = () => {
          report("api", { __proto__: null, frame, rows, lost });
          lost = 0;
          rows = list();
          length = 0;
        };
        apply(mapForEach, table, [(row) => {
          const out = {
            __proto__: null, script: row.script, api: row.api, count: row.count, args: row.args,
            args_total: row.total, canvas: row.canvas === null ? list() : row.canvas,
          };
          const n = apply(stringify, undefined, [out]).length;
          if (rows.length && length + n > CHUNK) send();
          rows[rows.length] = out;
          length += n;
        }]);
        if (rows.length || lost) send();
        apply(mapClear, table, []);
        distinctKept = 0;
      } catch (e) { /* never break the page */ }
    };
    try {
      apply(nativeAddListener, doc, [API_EVENT, flush]);
      // A document replaced by a navigation: Chromium drops binding calls made during its pagehide, so
      // its rows go at beforeunload (calls after that are lost); a removed iframe gets no beforeunload
      // but its pagehide calls arrive.
      // Only the browser's own events (the page may dispatch look-alikes to split the rows into many
      // reports and run the channel out of its budget).
      const isTrusted = getOwnPropertyDescriptor(new Event("x"), "isTrusted").get;
      const leaving = (event) => {
        let trusted = false;
        try { trusted = apply(isTrusted, event, []) === true; } catch (e) { /* not an event */ }
        if (trusted) flush();
      };
      apply(nativeAddListener, G, ["beforeunload", leaving]);
      apply(nativeAddListener, G, ["pagehide", leaving]);
    } catch (e) { /* no pull: counts stay in the page */ }
  }
