import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { checkWidget, formatFault, validateWidget } from '../../../scripts/validator';
import type { Fault } from '../../../scripts/validator';
import { GOOD_SCRIPT, goodFolder, readJsonFile, tempDir, writeJsonFile, writeZip, zipFolder } from '../build/fixtures';

const made: string[] = [];
function folder(): string {
  const dir = goodFolder();
  made.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

const lines = (faults: Fault[]) => faults.map(formatFault);
const onFile = (faults: Fault[], file: string) => faults.filter((f) => f.file === file);

describe('validator: the real package', () => {
  it('accepts the repository manifest, i18n and images as a folder and as a zip', async () => {
    const dir = folder();
    expect(lines(await validateWidget(dir))).toEqual([]);
    const zip = path.join(tempDir(), 'widget.zip');
    made.push(path.dirname(zip));
    zipFolder(dir, zip);
    expect(lines(await validateWidget(zip))).toEqual([]);
  });
});

describe('validator: i18n', () => {
  it('names the locale that lacks a key another locale has, and the fix', async () => {
    const dir = folder();
    const tr = readJsonFile(path.join(dir, 'i18n/tr.json'));
    delete tr.settings.problem_ws_insecure;
    writeJsonFile(path.join(dir, 'i18n/tr.json'), tr);
    const faults = await validateWidget(dir);
    expect(faults).toEqual([
      { file: 'i18n/tr.json', problem: 'lacks the key "settings.problem_ws_insecure" (present in i18n/en.json)', fix: 'add "settings.problem_ws_insecure" to i18n/tr.json, translated' },
    ]);
  });

  it('catches a whole section missing in one locale once, and a manifest name missing everywhere', async () => {
    const dir = folder();
    const id = readJsonFile(path.join(dir, 'i18n/id.json'));
    delete id.widget;
    writeJsonFile(path.join(dir, 'i18n/id.json'), id);
    const faults = await validateWidget(dir);
    expect(onFile(faults, 'i18n/id.json').map((f) => f.problem)).toEqual([
      'lacks the key "widget" (present in i18n/en.json)',
      'lacks "widget.name", which manifest.json uses for widget.name',
      'lacks "widget.description", which manifest.json uses for widget.description',
      'lacks "widget.short_description", which manifest.json uses for widget.short_description',
    ]);
  });

  it('refuses a BOM, and English left untranslated in another locale', async () => {
    const dir = folder();
    const file = path.join(dir, 'i18n/es.json');
    fs.writeFileSync(file, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(file)]));
    const pt = readJsonFile(path.join(dir, 'i18n/pt.json'));
    const en = readJsonFile(path.join(dir, 'i18n/en.json'));
    pt.settings.problem_token_missing = en.settings.problem_token_missing;
    writeJsonFile(path.join(dir, 'i18n/pt.json'), pt);
    const faults = await validateWidget(dir);
    expect(onFile(faults, 'i18n/es.json')[0]).toEqual({
      file: 'i18n/es.json',
      problem: 'starts with a UTF-8 byte order mark (BOM)',
      fix: 'save it as UTF-8 without BOM',
    });
    expect(onFile(faults, 'i18n/pt.json').map((f) => f.problem)).toEqual([
      `has "settings.problem_token_missing" identical to i18n/en.json ("${en.settings.problem_token_missing.slice(0, 60)}")`,
    ]);
  });

  it('wants the manifest locale list and the i18n files to match', async () => {
    const dir = folder();
    fs.copyFileSync(path.join(dir, 'i18n/es.json'), path.join(dir, 'i18n/de.json'));
    fs.rmSync(path.join(dir, 'i18n/ru.json'));
    const problems = lines(await validateWidget(dir));
    expect(problems).toContain('manifest.json: widget.locale does not list "de", but i18n/de.json exists. Fix: add "de" to widget.locale or remove i18n/de.json');
    expect(problems).toContain('i18n/ru.json: is missing, but manifest.json lists the locale "ru". Fix: add i18n/ru.json or remove "ru" from widget.locale');
  });
});

describe('validator: manifest.json', () => {
  it('checks the widget block, locations and settings', async () => {
    const dir = folder();
    const manifest = readJsonFile(path.join(dir, 'manifest.json'));
    manifest.widget.interface_version = '2';
    manifest.widget.version = 'v1';
    manifest.widget.init_once = 'yes';
    delete manifest.widget.support;
    manifest.locations.push('everywhere-1');
    manifest.settings.token.type = 'password';
    manifest.settings.extra = { name: 'settings.extra', type: 'text' };
    writeJsonFile(path.join(dir, 'manifest.json'), manifest);
    const faults = await validateWidget(dir);
    expect(faults.map((f) => `${f.file}: ${f.problem}`).sort()).toEqual(
      [
        'manifest.json: widget.version is "v1", not a version like "1.0.0"',
        'manifest.json: widget.interface_version is "2"',
        'manifest.json: widget.init_once is "yes", not a boolean',
        'manifest.json: widget.support is missing (Kommo requires it)',
        'manifest.json: location "everywhere-1" is not a Kommo location',
        'manifest.json: settings.token.type is "password"',
        ...['en', 'es', 'id', 'pt', 'ru', 'tr'].map((l) => `i18n/${l}.json: lacks "settings.extra", which manifest.json uses for settings.extra.name`),
      ].sort(),
    );
    expect(faults.find((f) => f.problem.startsWith('settings.token.type'))?.fix).toBe('set settings.token.type to one of text, pass, users, users_lp, custom');
  });

  it('reports a manifest that is not JSON', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'manifest.json'), '{"widget": ');
    const faults = await validateWidget(dir);
    expect(faults).toHaveLength(1);
    expect(faults[0]?.file).toBe('manifest.json');
    expect(faults[0]?.problem).toMatch(/^is not valid JSON/);
  });
});

describe('validator: images', () => {
  const solid = (width: number, height: number) => {
    const png = new PNG({ width, height });
    png.data.fill(200);
    return PNG.sync.write(png);
  };

  it('names a logo at the wrong size, a missing one, and a non-PNG', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'images/logo.png'), solid(100, 100));
    fs.rmSync(path.join(dir, 'images/logo_dp.png'));
    fs.writeFileSync(path.join(dir, 'images/logo_min.png'), 'GIF89a not a png at all');
    expect(lines(await validateWidget(dir))).toEqual([
      'images/logo.png: is 100x100, Kommo wants exactly 130x100. Fix: resize it to 130x100',
      'images/logo_min.png: is not a PNG file. Fix: save it as PNG, 84x84',
      'images/logo_dp.png: is missing. Fix: add a 174x109 PNG at images/logo_dp.png',
    ]);
  });

  it('refuses a logo over 300 KB', async () => {
    const dir = folder();
    const png = new PNG({ width: 400, height: 272 });
    let seed = 1;
    for (let i = 0; i < png.data.length; i++) {
      seed = (seed * 1103515245 + 12345) >>> 0; // noise does not compress
      png.data[i] = seed >>> 24;
    }
    const bytes = PNG.sync.write(png);
    expect(bytes.length).toBeGreaterThan(300 * 1024);
    fs.writeFileSync(path.join(dir, 'images/logo_main.png'), bytes);
    const faults = await validateWidget(dir);
    expect(faults).toHaveLength(1);
    expect(faults[0]?.file).toBe('images/logo_main.png');
    expect(faults[0]?.problem).toMatch(/^weighs \d+\.\d KB, over Kommo's 300 KB$/);
  });
});

describe('validator: script.js', () => {
  const withScript = async (script: string) => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'script.js'), script);
    return validateWidget(dir);
  };

  it('accepts jquery and underscore (or only jquery) from the page', async () => {
    expect(await withScript(GOOD_SCRIPT)).toEqual([]);
    expect(await withScript('/* banner */\ndefine(["jquery"], function ($) { return function () {}; });')).toEqual([]);
  });

  it('names an extra external and says to bundle it', async () => {
    const faults = await withScript('define(["jquery", "underscore", "moment"], function ($, _, m) { return function () {}; });');
    expect(lines(faults)).toEqual([
      `script.js: define() asks the page for "moment"; Kommo's page provides only jquery and underscore. Fix: bundle moment into script.js (remove it from webpack "externals") or drop it`,
    ]);
  });

  it('refuses a non-AMD bundle, a runtime require of another module, and a dangling source map link', async () => {
    expect((await withScript('(function(){ window.Widget = function(){}; })();'))[0]?.problem).toBe(
      'is not an AMD module starting with define([...], factory)',
    );
    expect(lines(await withScript('define(["jquery"], function ($) { require(["twigjs"], function () {}); return function () {}; });'))).toEqual([
      'script.js: loads "twigjs" with require() at runtime. Fix: import it from src/ so webpack bundles it; only jquery and underscore come from the page',
    ]);
    expect((await withScript(`${GOOD_SCRIPT}//# sourceMappingURL=script.js.map\n`))[0]?.problem).toBe(
      'points to a source map (script.js.map) that is not in the package',
    );
  });

});

describe('validator: layout', () => {
  it('spots a zip of the widget/ folder instead of its contents, and says nothing false after it', async () => {
    const dir = folder();
    const zip = path.join(dir, '..', `${path.basename(dir)}.zip`);
    zipFolder(dir, zip, (name) => `widget/${name}`);
    try {
      expect(await validateWidget(zip)).toEqual([
        {
          file: 'widget/manifest.json',
          problem: 'manifest.json is inside a "widget/" folder, not at the root of the zip (the files in "widget/" were checked as if they were at the root)',
          fix: 'zip the contents of "widget/" (manifest.json, script.js, i18n/, images/), not the folder itself',
        },
      ]);
    } finally {
      fs.rmSync(zip, { force: true });
    }
  });

  it('checks the files inside that folder and names them there', async () => {
    const dir = folder();
    fs.rmSync(path.join(dir, 'images/logo_dp.png'));
    fs.appendFileSync(path.join(dir, 'script.js'), '}}}(');
    const zip = path.join(dir, '..', `${path.basename(dir)}-nested.zip`);
    zipFolder(dir, zip, (name) => `widget/${name}`);
    try {
      const findings = await checkWidget(zip);
      expect(findings.faults.map((f) => `${f.file}: ${f.problem.replace(/:.*/, '')}`)).toEqual([
        'widget/manifest.json: manifest.json is inside a "widget/" folder, not at the root of the zip (the files in "widget/" were checked as if they were at the root)',
        'widget/images/logo_dp.png: is missing',
        'widget/script.js: is not valid JavaScript',
      ]);
      expect(findings.warnings.map((f) => f.file)).toEqual(['widget/manifest.json', 'widget/manifest.json']);
    } finally {
      fs.rmSync(zip, { force: true });
    }
  });

  it('spots a folder holding the widget in a widget/ subfolder, says so once and nothing false after it', async () => {
    const outer = tempDir();
    made.push(outer);
    fs.renameSync(folder(), path.join(outer, 'widget'));
    expect(await validateWidget(outer)).toEqual([
      {
        file: 'widget/manifest.json',
        problem: 'manifest.json is inside a "widget/" folder, not at the root of the folder (the files in "widget/" were checked as if they were at the root)',
        fix: `check the "widget/" folder itself (pass ${path.join(outer, 'widget')}), or move its contents (manifest.json, script.js, i18n/, images/) up to the root`,
      },
    ]);
  });

  it('checks the files inside that subfolder and names them there, as for a zip', async () => {
    const outer = tempDir();
    made.push(outer);
    const dir = path.join(outer, 'widget');
    fs.renameSync(folder(), dir);
    fs.rmSync(path.join(dir, 'images/logo_dp.png'));
    fs.appendFileSync(path.join(dir, 'script.js'), '}}}(');
    fs.writeFileSync(path.join(dir, 'images/notes.txt'), 'x');
    const findings = await checkWidget(outer);
    expect(findings.faults.map((f) => `${f.file}: ${f.problem.replace(/:.*/, '')}`)).toEqual([
      'widget/manifest.json: manifest.json is inside a "widget/" folder, not at the root of the folder (the files in "widget/" were checked as if they were at the root)',
      'widget/images/notes.txt: is not a PNG image',
      'widget/images/logo_dp.png: is missing',
      'widget/script.js: is not valid JavaScript',
    ]);
    expect(findings.warnings.map((f) => f.file)).toEqual(['widget/manifest.json', 'widget/manifest.json']);
  });

  it('refuses source maps, stray files and folders in the zip', async () => {
    const dir = folder();
    fs.writeFileSync(path.join(dir, 'script.js.map'), '{}');
    fs.writeFileSync(path.join(dir, 'README.md'), '# hi');
    fs.mkdirSync(path.join(dir, 'src'));
    fs.writeFileSync(path.join(dir, 'src/index.ts'), 'export {}');
    const zip = path.join(dir, '..', `${path.basename(dir)}-extra.zip`);
    zipFolder(dir, zip);
    try {
      expect((await validateWidget(zip)).map((f) => `${f.file}: ${f.problem}`)).toEqual([
        'README.md: is not part of a widget package',
        'script.js.map: is a source map, which must not ship in the widget',
        'src/: is a folder a widget package does not have (1 file)',
      ]);
    } finally {
      fs.rmSync(zip, { force: true });
    }
  });

  it('accepts the modules script.js loads from the widget folder, holds them to the AMD rules, and still refuses other .js files', async () => {
    const dir = folder();
    const loader = 'define(["jquery"], function ($) { return function () { requirejs([this.params.path + "/settings.js"]); }; });';
    fs.writeFileSync(path.join(dir, 'script.js'), loader);
    const faults = async () => (await validateWidget(dir)).map((f) => `${f.file}: ${f.problem}`);
    expect(await faults()).toEqual(['settings.js: is loaded by script.js but missing from the root of the folder']);
    fs.writeFileSync(path.join(dir, 'settings.js'), 'define(function () { return { openSettings: function () {} }; });');
    expect(await faults()).toEqual([]);
    fs.writeFileSync(path.join(dir, 'settings.js'), 'define(["jquery", "moment"], function ($, m) { return {}; });');
    expect(await faults()).toEqual([`settings.js: define() asks the page for "moment"; Kommo's page provides only jquery and underscore`]);
    fs.writeFileSync(path.join(dir, 'settings.js'), 'window.openSettings = function () {};');
    expect(await faults()).toEqual(['settings.js: is not an AMD module starting with define([...], factory)']);
    fs.writeFileSync(path.join(dir, 'settings.js'), 'define(function () { return {}; });');
    fs.writeFileSync(path.join(dir, 'old.js'), 'define(function () { return {}; });');
    expect(await faults()).toEqual(['old.js: is not part of a widget package']);
  });

  it('accepts every part named in a table the way script.js names them ({settings: "/settings.js", poll: "/poll.js", lease: "/lease.js"})', async () => {
    const dir = folder();
    const loader = 'define(["jquery"], function ($) { var parts = {settings:"/settings.js",poll:"/poll.js",lease:"/lease.js"}; return function (p) { requirejs([this.params.path + parts[p]]); }; });';
    fs.writeFileSync(path.join(dir, 'script.js'), loader);
    const faults = async () => (await validateWidget(dir)).map((f) => `${f.file}: ${f.problem}`);
    expect(await faults()).toEqual(['lease.js', 'poll.js', 'settings.js'].map((name) => `${name}: is loaded by script.js but missing from the root of the folder`));
    for (const name of ['settings.js', 'poll.js', 'lease.js']) fs.writeFileSync(path.join(dir, name), 'define(function () { return {}; });');
    expect(await faults()).toEqual([]);
  });

  it('reports a missing script.js and manifest.json', async () => {
    const dir = tempDir();
    made.push(dir);
    writeZip(path.join(dir, 'w.zip'), [{ name: 'i18n/en.json', data: Buffer.from('{"widget": {"name": "x"}}') }]);
    const problems = lines(await validateWidget(path.join(dir, 'w.zip')));
    expect(problems).toContain('manifest.json: is missing from the root of the zip. Fix: add manifest.json at the root');
    expect(problems).toContain('script.js: is missing from the root of the zip. Fix: add script.js at the root');
    expect(problems).toContain('images/: is missing from the zip. Fix: add the six logos in images/');
  });
});
