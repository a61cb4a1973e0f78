/**
 * script.js: one AMD module, `define(['jquery', 'underscore'], factory)`, taking only those two
 * from the host page's RequireJS (https://developers.kommo.com/docs/script-js); anything else
 * would be a request Kommo's page cannot answer. The modules script.js loads from the widget's
 * folder (settings.js, poll.js, lease.js) are held to the same rules; their dependency list may be left out.
 * Each must first parse as JavaScript (syntax.ts).
 */
import type { Fault, WidgetFiles } from './types';
import { fault } from './types';
import { modulesLoadedBy } from './layout';
import { readText } from './text';
import { checkCodeOrigin } from './code-origin';
import { checkSyntax } from './syntax';

export const ALLOWED_EXTERNALS = ['jquery', 'underscore'];

/** Drops leading whitespace, `//` and block comments, and a `"use strict";`. */
function skipPreamble(text: string): string {
  let rest = text;
  for (;;) {
    const next = rest.replace(/^\s+/, '').replace(/^\/\/[^\n]*\n?/, '').replace(/^\/\*[\s\S]*?\*\//, '').replace(/^(['"])use strict\1;?/, '');
    if (next === rest) return rest;
    rest = next;
  }
}

function stringList(source: string): string[] | null {
  const items = source.split(',').map((item) => item.trim()).filter((item) => item !== '');
  const out: string[] = [];
  for (const item of items) {
    const match = /^(['"`])([^'"`]*)\1$/.exec(item);
    if (!match) return null;
    out.push(match[2] as string);
  }
  return out;
}

export function checkScript(pkg: WidgetFiles): Fault[] {
  const faults: Fault[] = [];
  for (const file of ['script.js', ...modulesLoadedBy(pkg)]) {
    const bytes = pkg.files.get(file);
    if (!bytes) continue; // the layout check reports it
    const text = readText(file, bytes, faults);
    const broken = text === null ? null : checkSyntax(file, text);
    // Code that does not parse runs nowhere: its other findings would only be noise.
    if (broken) faults.push(broken);
    else if (text !== null) {
      checkModule(pkg, file, text, faults);
      faults.push(...checkCodeOrigin(file, text));
    }
  }
  return faults;
}

function checkModule(pkg: WidgetFiles, file: string, text: string, faults: Fault[]): void {
  const head = skipPreamble(text);
  // A development build wraps script.js in the dev-loader switch (scripts/sandbox/dev-loader.ts), a
  // function that receives `define` as its parameter and calls it once, unchanged without the switch
  // (checkCodeOrigin reports the switch itself).
  const depsList = file === 'script.js' ? '\\[([^\\]]*)\\]\\s*,' : '(?:\\[([^\\]]*)\\]\\s*,\\s*)?';
  const define = new RegExp(`^(?:[!(]\\s*function\\s*\\(\\s*define\\s*\\)\\s*\\{\\s*)?define\\s*\\(\\s*${depsList}\\s*(function\\b|\\(|[\\w$]+\\s*=>|async\\b)`).exec(head);
  if (!define) {
    faults.push(fault(file, 'is not an AMD module starting with define([...], factory)', "build it as one AMD module (webpack output.library.type 'amd') with ['jquery', 'underscore'] as externals"));
    return;
  }
  const deps = stringList(define[1] ?? '');
  if (!deps) {
    faults.push(fault(file, 'has a define() dependency list that is not plain strings', "list the dependencies as strings: define(['jquery', 'underscore'], ...)"));
  } else {
    const extra = deps.filter((dep) => !ALLOWED_EXTERNALS.includes(dep));
    if (extra.length > 0) {
      faults.push(fault(file, `define() asks the page for ${extra.map((d) => `"${d}"`).join(', ')}; Kommo's page provides only jquery and underscore`, `bundle ${extra.join(', ')} into script.js (remove it from webpack "externals") or drop it`));
    }
    if (new Set(deps).size !== deps.length) faults.push(fault(file, 'define() lists a dependency twice', 'list jquery and underscore once each'));
  }
  const defines = text.match(/(?<![\w$.])define\s*\(\s*\[/g) ?? [];
  if (defines.length > 1) faults.push(fault(file, `calls define([...]) ${defines.length} times; it must be one module`, 'build one AMD module (one webpack entry, library type amd)'));

  // Runtime loads through the host's RequireJS: require(['x'], ...) or require('x') outside the define.
  const requires = new Set<string>();
  for (const match of text.matchAll(/(?<![\w$.])require\s*\(\s*(?:\[\s*)?(['"])([^'"]+)\1/g)) {
    if (!ALLOWED_EXTERNALS.includes(match[2] as string)) requires.add(match[2] as string);
  }
  if (requires.size > 0) {
    faults.push(fault(file, `loads ${[...requires].map((r) => `"${r}"`).join(', ')} with require() at runtime`, 'import it from src/ so webpack bundles it; only jquery and underscore come from the page'));
  }

  const map = /\/\/[#@]\s*sourceMappingURL=([^\s]+)\s*$/.exec(text);
  if (map && !/^data:/.test(map[1] as string) && !pkg.files.has(map[1] as string)) {
    faults.push(fault(file, `points to a source map (${map[1]}) that is not in the package`, "build with devtool 'hidden-source-map' (or no source map) for the zip"));
  }
}
