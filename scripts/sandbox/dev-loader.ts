/**
 * The dev-loader switch, as Kommo's own widget template has it (`localStorage.setItem(
 * '<code>_is_dev', '<port>')` makes the uploaded widget load its code from the developer's
 * machine): wrap the built script.js with `withDevLoader()` and, in a real Kommo account,
 *
 *   localStorage.setItem('kommo_telephony_is_dev', '8080')                  // http://localhost:8080
 *   localStorage.setItem('kommo_telephony_is_dev', 'https://127.0.0.1:8080') // any sandbox origin
 *
 * then reload: the widget's `define` is answered with `<origin>/widget/script.js` from the running
 * sandbox (`npm start`) instead of the uploaded copy. Remove the key to go back. Without the key
 * the wrapped file behaves exactly like the bundle (the wrapper only hands `define` through).
 * See docs/sandbox.md.
 */
export const DEV_LOADER_KEY = 'kommo_telephony_is_dev';

/** Evaluated in the page: `define` itself, or a `define` that swaps the module for the dev copy. */
const SWITCH = `(function (realDefine) {
  var dev = null;
  try { dev = window.localStorage.getItem(${JSON.stringify(DEV_LOADER_KEY)}); } catch (e) { /* storage blocked: production */ }
  var self = document.currentScript && document.currentScript.src;
  // The dev copy carries the marker: it must define itself, not load itself again.
  if (!dev || !realDefine || (self && /[?&]telephony_dev=1(&|$)/.test(self))) return realDefine;
  var origin = /^[0-9]{1,5}$/.test(dev) ? 'http://localhost:' + dev : String(dev).replace(/\\/+$/, '');
  if (!/^https?:\\/\\/[^\\s"'<>\\\\]+$/.test(origin)) {
    if (window.console) window.console.warn('[telephony] ${DEV_LOADER_KEY} is not a port or an http(s) origin; loading the uploaded widget');
    return realDefine;
  }
  var url = origin + '/widget/script.js?telephony_dev=1';
  if (window.console) window.console.info('[telephony] dev-loader: loading the widget from ' + url);
  var devDefine = function () {
    return realDefine([url], function (Widget) { return Widget; });
  };
  devDefine.amd = realDefine.amd;
  return devDefine;
})(typeof define === 'function' ? define : undefined)`;

/** The bundle (an AMD `define(...)` call) wrapped so that its `define` goes through the switch. */
export function withDevLoader(bundle: string): string {
  return `/* Dev-loader: localStorage['${DEV_LOADER_KEY}'] = port or origin loads the widget from a local sandbox (docs/sandbox.md). */\n(function (define) {\n${bundle}\n})(${SWITCH});\n`;
}
