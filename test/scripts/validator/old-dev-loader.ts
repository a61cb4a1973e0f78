/**
 * The dev-loader switch exactly as dist/widget/script.js shipped it before issue 13 (minified by
 * the production build): any origin in localStorage['kommo_telephony_is_dev'] supplied the code.
 */
export const OLD_SWITCH_HEAD = '!function(define){';
export const OLD_SWITCH_TAIL = String.raw`}(function(realDefine){var dev=null;try{dev=window.localStorage.getItem("kommo_telephony_is_dev")}catch(e){}var self=document.currentScript&&document.currentScript.src;if(!dev||!realDefine||self&&/[?&]telephony_dev=1(&|$)/.test(self))return realDefine;var origin=/^[0-9]{1,5}$/.test(dev)?"http://localhost:"+dev:String(dev).replace(/\/+$/,"");if(!/^https?:\/\/[^\s"'<>\\]+$/.test(origin))return window.console&&window.console.warn("[telephony] kommo_telephony_is_dev is not a port or an http(s) origin; loading the uploaded widget"),realDefine;var url=origin+"/widget/script.js?telephony_dev=1";window.console&&window.console.info("[telephony] dev-loader: loading the widget from "+url);var devDefine=function(){return realDefine([url],function(Widget){return Widget})};return devDefine.amd=realDefine.amd,devDefine}("function"==typeof define?define:void 0));`;

/** `bundle` wrapped the way the old production build wrapped script.js. */
export const withOldDevLoader = (bundle: string): string => `${OLD_SWITCH_HEAD}${bundle}${OLD_SWITCH_TAIL}`;
