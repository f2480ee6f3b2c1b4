// Installed in every frame before any page script runs. Reports, through the exposed binding
// __scannerReport, what the network alone cannot tell: which script wrote document.cookie, called
// navigator.sendBeacon or pointed an <img> at a URL. Page code can see these wrappers; they change no
// behaviour (every call is forwarded unchanged) and never throw into the page.
(() => {
  if (window.__scannerHooked) return;
  Object.defineProperty(window, "__scannerHooked", { value: true });
  let send = null;
  const report = (kind, data) => {
    try {
      if (!send && typeof window.__scannerReport === "function") send = window.__scannerReport;
      if (send) send(kind, data);
    } catch (e) { /* never break the page */ }
  };
  const scriptUrlRe = /(https?:\/\/[^\s()]+?):\d+:\d+/;
  const callerScript = () => {
    const lines = String(new Error().stack || "").split("\n");
    for (const line of lines) {
      const m = scriptUrlRe.exec(line);
      if (m) return m[1];
    }
    return null;
  };
  const absolute = (u) => {
    try { return new URL(String(u), document.baseURI).href; } catch (e) { return String(u); }
  };

  const cookieDesc = Object.getOwnPropertyDescriptor(Document.prototype, "cookie");
  if (cookieDesc && cookieDesc.set) {
    Object.defineProperty(Document.prototype, "cookie", {
      configurable: true,
      enumerable: cookieDesc.enumerable,
      get() { return cookieDesc.get.call(this); },
      set(value) {
        report("cookie", { value: String(value), script: callerScript(), url: location.href, ts: Date.now() });
        return cookieDesc.set.call(this, value);
      },
    });
  }

  if (Navigator.prototype.sendBeacon) {
    const sendBeacon = Navigator.prototype.sendBeacon;
    Navigator.prototype.sendBeacon = function (url, data) {
      report("beacon", { url: absolute(url), script: callerScript() });
      return sendBeacon.apply(this, arguments);
    };
  }

  const srcDesc = Object.getOwnPropertyDescriptor(HTMLImageElement.prototype, "src");
  if (srcDesc && srcDesc.set) {
    Object.defineProperty(HTMLImageElement.prototype, "src", {
      configurable: true,
      enumerable: srcDesc.enumerable,
      get() { return srcDesc.get.call(this); },
      set(value) {
        const script = callerScript();
        if (script) report("image", { url: absolute(value), script });
        return srcDesc.set.call(this, value);
      },
    });
  }
})();
