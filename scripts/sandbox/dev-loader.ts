/**
 * The dev-loader switch, as Kommo's own widget template has it (`localStorage.setItem(
 * '<code>_is_dev', '<port>')` makes the uploaded widget load its code from the developer's
 * machine). Only a development build carries it (`npm run build -- --dev` writes
 * dist/widget-dev.zip; dist/widget.zip never has it, and the validator refuses a zip that does).
 * Upload that zip to a test account, run the sandbox (`npm start`), and in the Kommo tab:
 *
 *   localStorage.setItem('kommo_telephony_is_dev', '8080')                   // http://localhost:8080
 *   localStorage.setItem('kommo_telephony_is_dev', 'https://127.0.0.1:8080') // a loopback origin
 *
 * then reload: the widget's `define` is answered with `<origin>/widget/script.js` from the running
 * sandbox instead of the uploaded copy, and `this.params.path` points at `<origin>/widget`, so the
 * parts it loads (src/platform/widget-part.ts) come from the sandbox too. Only the developer's own machine is accepted
 * (http(s)://localhost or http(s)://127.0.0.1, any port): a value naming any other origin is
 * ignored with a console warning, so whoever can write that key cannot make the page run their
 * code. Remove the key to go back. Without the key the wrapped file behaves exactly like the bundle
 * (the wrapper only hands `define` through). See docs/sandbox.md.
 */
export const DEV_LOADER_KEY = 'kommo_telephony_is_dev';

/**
 * Evaluated in the page: `define` itself, or a `define` that swaps the module for the dev copy.
 * The origin is rebuilt from the matched scheme, host and port, never taken from the stored text.
 */
const SWITCH = `(function (realDefine) {
  var dev = null;
  try { dev = window.localStorage.getItem(${JSON.stringify(DEV_LOADER_KEY)}); } catch (e) { /* storage blocked: production */ }
  var self = document.currentScript && document.currentScript.src;
  // The dev copy carries the marker: it must define itself, not load itself again.
  if (!dev || !realDefine || (self && /[?&]telephony_dev=1(&|$)/.test(self))) return realDefine;
  var m = /^(?:(https?):\\/\\/(localhost|127\\.0\\.0\\.1)(?::([0-9]{1,5}))?\\/*|([0-9]{1,5}))$/.exec(String(dev));
  var port = m && (m[3] || m[4]);
  if (!m || (port && Number(port) > 65535)) {
    if (window.console) window.console.warn('[telephony] ${DEV_LOADER_KEY} is not a port or an http(s) origin on localhost or 127.0.0.1; loading the uploaded widget');
    return realDefine;
  }
  var origin = m[4] ? 'http://localhost:' + m[4] : m[1] + '://' + m[2] + (m[3] ? ':' + m[3] : '');
  var url = origin + '/widget/script.js?telephony_dev=1';
  if (window.console) window.console.info('[telephony] dev-loader: loading the widget from ' + url);
  var devDefine = function () {
    return realDefine([url], function (Widget) {
      // The dev copy's parts (leader.js, settings.js...) come from the same origin, not the uploaded folder.
      function DevWidget() {
        var params = this.params, own = {};
        if (params && typeof params === 'object') {
          for (var key in params) own[key] = params[key];
          own.path = origin + '/widget';
          try { this.params = own; } catch (e) { /* read-only: the parts come from the uploaded folder */ }
        }
        return Widget.apply(this, arguments);
      }
      DevWidget.prototype = Widget.prototype;
      return DevWidget;
    });
  };
  devDefine.amd = realDefine.amd;
  return devDefine;
})(typeof define === 'function' ? define : undefined)`;

/** The bundle (an AMD `define(...)` call) wrapped so that its `define` goes through the switch. */
export function withDevLoader(bundle: string): string {
  return `/* Dev-loader (development build only): localStorage['${DEV_LOADER_KEY}'] = port or loopback origin loads the widget from a local sandbox (docs/sandbox.md). */\n(function (define) {\n${bundle}\n})(${SWITCH});\n`;
}
