/**
 * The validator parses script.js and the parts it loads (scripts/validator/syntax.ts): a file
 * with stray characters appended (`}}}(`) or cut short still starts with define([...]) and passed
 * every other check, then would fail in every Kommo page.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { formatFault, validateWidget } from '../../../scripts/validator';
import { GOOD_SCRIPT, goodFolder } from '../build/fixtures';

const made: string[] = [];
function folder(): string {
  const dir = goodFolder();
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

async function withScript(script: string) {
  const dir = folder();
  fs.writeFileSync(path.join(dir, 'script.js'), script);
  return validateWidget(dir);
}

test('a syntax error appended to a good module is the one fault, with where it is', async () => {
  expect(await withScript(GOOD_SCRIPT)).toEqual([]);
  const lastLine = GOOD_SCRIPT.trimEnd().split('\n').length;
  expect((await withScript(`${GOOD_SCRIPT.trimEnd()}}}}(`)).map(formatFault)).toEqual([
    `script.js: is not valid JavaScript: Unexpected "}" at line ${lastLine}, column 7, near "})());}}}(". Fix: rebuild it (npm run build) rather than edit it, and upload the script.js the build wrote, whole`,
  ]);
});

test('a module cut short, as an interrupted copy leaves it', async () => {
  expect(await withScript(GOOD_SCRIPT.slice(0, -10))).toEqual([
    expect.objectContaining({ file: 'script.js', problem: expect.stringMatching(/^is not valid JavaScript: Unexpected end of file at line 3, column \d+/) }),
  ]);
});

test('the parts script.js loads are parsed too', async () => {
  const dir = folder();
  fs.writeFileSync(path.join(dir, 'script.js'), 'define(["jquery"], function ($) { var parts = {settings:"/settings.js"}; return function () {}; });');
  fs.writeFileSync(path.join(dir, 'settings.js'), 'define(function () { return { open: function () { }; });');
  expect((await validateWidget(dir)).map((f) => `${f.file}: ${f.problem}`)).toEqual([
    'settings.js: is not valid JavaScript: Expected "}" but found ";" at line 1, column 52, near "pen: function () { }; });"',
  ]);
});
