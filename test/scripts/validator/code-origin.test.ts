/**
 * The validator refuses a package whose script.js (or a part it loads) can run code from an
 * address named at run time (issue 13): the old dev loader, and the same hole written other ways;
 * the widget's own way of loading its parts (from this.params.path) passes.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CODE_FROM_RUNTIME_ORIGIN, formatFault, validateWidget } from '../../../scripts/validator';
import { findRuntimeCodeLoads } from '../../../scripts/validator/code-origin';
import { withDevLoader } from '../../../scripts/sandbox/dev-loader';
import { GOOD_SCRIPT, goodFolder, tempDir, zipFolder } from '../build/fixtures';
import { withOldDevLoader } from './old-dev-loader';

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

function folderWith(files: Record<string, string>): string {
  const dir = goodFolder();
  made.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

/** A module body inside the AMD wrapper the validator wants. */
const amd = (body: string) => `define(["jquery"], function ($) { ${body} return function () {}; });`;
const loads = (code: string) => findRuntimeCodeLoads('script.js', code).map((load) => `${load.source} -> ${load.sink}`);

test('a zip whose script.js carries the old dev-loader switch fails, and the fault names the source, the loader call and the fix', async () => {
  const dir = folderWith({ 'script.js': withOldDevLoader(GOOD_SCRIPT) });
  const zip = path.join(tempDir(), 'widget.zip');
  made.push(path.dirname(zip));
  zipFolder(dir, zip);
  const faults = await validateWidget(zip);
  const column = withOldDevLoader(GOOD_SCRIPT).split('\n').at(-1)!.indexOf('realDefine([url]') + 1;
  expect(faults.map(formatFault)).toEqual([
    `script.js: can load code from an address read at run time from localStorage: realDefine([url],function(Widget){return Widget}) (line 5, column ${column}); ` +
      'whoever sets that value runs code in every Kommo page. ' +
      "Fix: build for production (npm run build, without --dev: no dev loader), and load only the widget's own files, from this.params.path",
  ]);
  expect(faults[0]?.rule).toBe(CODE_FROM_RUNTIME_ORIGIN);
});

test('the dev build\'s switch (loopback origins only) is still a loader of a run-time address: a dev zip is refused too', async () => {
  const faults = await validateWidget(folderWith({ 'script.js': withDevLoader(GOOD_SCRIPT) }));
  expect(faults.map((f) => f.problem)).toEqual([expect.stringMatching(/^can load code from an address read at run time from localStorage: realDefine\(\[url\], function \(Widget\) \{ \/\/ The dev copy/)]);
});

test('a part script.js loads (settings.js) is held to the same rule', async () => {
  const loader = 'define(["jquery"], function ($) { return function () { requirejs([this.params.path + "/settings.js"]); }; });';
  const part = 'define(function () { var s = document.createElement("script"); s.src = sessionStorage.getItem("cdn") + "/x.js"; return {}; });';
  const faults = await validateWidget(folderWith({ 'script.js': loader, 'settings.js': part }));
  expect(faults.map((f) => `${f.file}: ${f.problem.split(':')[0]}`)).toEqual(['settings.js: can load code from an address read at run time from sessionStorage']);
});

describe('the same hole written other ways is found', () => {
  test.each([
    ['a script element from sessionStorage', amd('var s = document.createElement("script"); s.src = sessionStorage.getItem("x") + "/a.js"; document.head.appendChild(s);'), 'sessionStorage -> s.src = sessionStorage.getItem("x") + "/a.js"'],
    ['require() of the page URL hash', amd('require([location.hash.slice(1)]);'), 'location.hash -> require([location.hash.slice(1)])'],
    ['import() of a cookie', amd('import(document.cookie.split("=")[1]);'), 'document.cookie -> import(document.cookie.split("=")[1])'],
    ['through a function return and a parameter, setAttribute("src")', amd('function base() { return window.localStorage.cdn; } function load(u) { var s = document.createElement("script"); s.setAttribute("src", u + "/x.js"); } load(base());'), 'localStorage -> s.setAttribute("src", u + "/x.js")'],
    ['through an object property', amd('var cfg = {}; cfg.origin = localStorage.getItem("o"); requirejs([cfg.origin + "/x.js"]);'), 'localStorage -> requirejs([cfg.origin + "/x.js"])'],
    ['aliases of the storage and of requirejs', amd('var w = window, ls = w["localStorage"], req = w.requirejs; var o = ls.getItem("d"); req([`${o}/w.js`]);'), 'localStorage -> req([`${o}/w.js`])'],
    ['$.getScript of a stored value', amd('var st = window.sessionStorage; $.getScript(st.dev);'), 'sessionStorage -> $.getScript(st.dev)'],
    ['eval of a stored value', amd('eval(localStorage.code);'), 'localStorage -> eval(localStorage.code)'],
    ['a storage event from another tab', amd('window.addEventListener("storage", function (e) { var s = document.createElement("script"); s.src = e.newValue; });'), "a storage event's newValue -> s.src = e.newValue"],
    ['the loader handed in through .call', '(function (load) { load([localStorage.getItem("o") + "/w.js"]); }).call(this, typeof define === "function" ? define : undefined);', 'localStorage -> load([localStorage.getItem("o") + "/w.js"])'],
    ['a jQuery script element', amd('$("<script>", { src: localStorage.getItem("u") }).appendTo("head");'), 'localStorage -> src: localStorage.getItem("u")'],
  ])('%s', (_what, code, found) => {
    expect(loads(code)).toEqual([found]);
  });
});

describe('what the widget legitimately does passes', () => {
  test.each([
    ['its parts from this.params.path, through a const bound to window.requirejs', 'define(["jquery"], function ($) { var parts = { settings: "/settings.js" }; function load(part, widgetPath) { const requirejs = window.requirejs; const url = `${widgetPath.replace(/\\/+$/, "")}${parts[part]}`; requirejs([url], function () {}, function () { requirejs.undef(url); }); } return function () { load("settings", this.params.path); }; });'],
    ['localStorage for data, shown as text', amd('localStorage.setItem("k", "v"); var v = localStorage.getItem("k"); $("#x").text(v);')],
    ['a stored flag choosing between two fixed files', amd('requirejs([localStorage.getItem("beta") ? "/a.js" : "/b.js"]);')],
    ['a script element from the settings (the polling transport\'s script mode)', 'define(["jquery"], function ($) { return function () { var s = document.createElement("script"); s.src = this.get_settings().poll_url; }; });'],
    ["the page's own origin", amd('var s = document.createElement("script"); s.src = location.origin + "/x.js";')],
    ['the same name tainted in another function', amd('function a() { var url = localStorage.getItem("u"); $("#x").text(url); } function b(path) { var url = path + "/settings.js"; requirejs([url]); }')],
  ])('%s', (_what, code) => {
    expect(loads(code)).toEqual([]);
  });
});
