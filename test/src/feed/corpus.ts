/**
 * The XSS corpus for the fault suite: strings that run code if any layer puts them into the page
 * as HTML. Each one, if it ever executes, sets `window.__pwned` (or opens a dialog), which the
 * Chromium test watches. test/notify/xss.test.ts keeps its own corpus private, hence this file.
 */

/** CRM entity names (any length Kommo allows). */
export const NAME_PAYLOADS: readonly string[] = [
  `<img src=x onerror="window.__pwned='img'">`,
  `"><script>window.__pwned='script'</script>`,
  `<svg onload=window.__pwned='svg'>`,
  `' onmouseover='window.__pwned="attr"' x='`,
  `<a href="javascript:window.__pwned='a'">click me</a>`,
  `<iframe srcdoc="<script>parent.__pwned='iframe'</script>"></iframe>`,
  `</a><a href=javascript:alert(1) onclick=alert(2)>x`,
  `<details open ontoggle=window.__pwned='toggle'>`,
  `&lt;b&gt;not bold&lt;/b&gt; {{number}} $&`,
];

/** PBX phone numbers: the protocol allows any string up to 64 characters. */
export const PHONE_PAYLOADS: readonly string[] = [
  `<img src=x onerror="window.__pwned='phone'">`,
  `"><script>window.__pwned='phone2'</script>`,
  `+1 646<svg/onload=alert(1)>`,
  `javascript:window.__pwned='phone3'`,
];

/** Recording URLs the relay must refuse (not http(s)): the protocol table drops them. */
export const REFUSED_RECORDING_URLS: readonly string[] = [
  `javascript:window.__pwned='rec'`,
  `JaVaScRiPt:alert(1)`,
  `data:text/html,<script>window.__pwned='data'</script>`,
  `vbscript:msgbox(1)`,
];

/** http(s) recording URLs that carry a payload in their path/query: accepted, must stay inert. */
export const ACCEPTED_RECORDING_URLS: readonly string[] = [
  `https://pbx.example.com/r?x="><img/src=x/onerror=window.__pwned='rec2'>`,
  `http://pbx.example.com/"onmouseover="window.__pwned='rec3'`,
];
