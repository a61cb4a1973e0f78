/**
 * scripts/build.ts and scripts/validate.ts as a developer runs them (child processes: archiver 8
 * is an ES module jest cannot load), and the layout of the zip Kommo receives.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as yauzl from 'yauzl';
import { BuildError, packageWidget } from '../../../scripts/build';
import { validateWidget, formatFault } from '../../../scripts/validator';
import { GOOD_SCRIPT, ROOT, goodFolder, readJsonFile, tempDir, writeJsonFile } from './fixtures';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

function run(script: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(TSX, [path.join(ROOT, 'scripts', script), ...args], { cwd: ROOT, timeout: 170_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function zipEntries(zipPath: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    yauzl.open(zipPath, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const names: string[] = [];
      zip.on('entry', (entry: yauzl.Entry) => {
        names.push(entry.fileName);
        zip.readEntry();
      });
      zip.on('end', () => resolve(names));
      zip.on('error', reject);
      zip.readEntry();
    });
  });
}

/** What the zip must hold: exactly these, at the root; `loaded`: the modules script.js loads. */
const expectedEntries = (loaded: string[] = []) =>
  [
    'manifest.json',
    'script.js',
    ...loaded,
    ...fs.readdirSync(path.join(ROOT, 'i18n')).filter((f) => f.endsWith('.json')).map((f) => `i18n/${f}`),
    ...['logo.png', 'logo_dp.png', 'logo_main.png', 'logo_medium.png', 'logo_min.png', 'logo_small.png'].map((f) => `images/${f}`),
  ].sort();

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});
const scratch = () => {
  const dir = tempDir('widget-build-');
  made.push(dir);
  return dir;
};

describe('packaging', () => {
  it('refuses to zip a package with a fault, and names the file and the fix', async () => {
    const root = goodFolder();
    made.push(root);
    const es = readJsonFile(path.join(root, 'i18n/es.json'));
    delete es.settings.token;
    writeJsonFile(path.join(root, 'i18n/es.json'), es);
    const out = scratch();
    const error = await packageWidget({ root, outDir: out, scriptPath: path.join(root, 'script.js') }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BuildError);
    expect((error as BuildError).faults.map(formatFault)).toEqual([
      'i18n/es.json: lacks the key "settings.token" (present in i18n/en.json). Fix: add "settings.token" to i18n/es.json, translated',
      'i18n/es.json: lacks "settings.token", which manifest.json uses for settings.token.name. Fix: add "settings.token" to i18n/es.json, translated',
    ]);
    expect(fs.existsSync(path.join(out, 'widget.zip'))).toBe(false);
  });

  it('the build command exits non-zero with the faults; with a good package it writes a root-layout zip', async () => {
    const broken = goodFolder();
    made.push(broken);
    fs.writeFileSync(path.join(broken, 'script.js'), 'define(["jquery", "lodash"], function ($, l) { return function () {}; });');
    const failed = await run('build.ts', ['--root', broken, '--script', path.join(broken, 'script.js'), '--out', scratch()]);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain('script.js: define() asks the page for "lodash"');
    expect(failed.stderr).toContain('Fix: bundle lodash into script.js');

    const out = scratch();
    const script = path.join(out, 'bundle.js');
    fs.writeFileSync(script, GOOD_SCRIPT);
    const ok = await run('build.ts', ['--script', script, '--out', out]);
    expect(ok.stderr).toBe('');
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/widget\.zip \d+\.\d KB \(14 files\)/);
    expect((await zipEntries(path.join(out, 'widget.zip'))).sort()).toEqual(expectedEntries());
  }, 60_000);
});

describe('scripts/validate.ts', () => {
  it('exits 0 on a good folder and 1 with file-and-fix lines on a broken one', async () => {
    const good = goodFolder();
    const broken = goodFolder();
    made.push(good, broken);
    fs.writeFileSync(path.join(broken, 'images/logo_small.png'), fs.readFileSync(path.join(broken, 'images/logo_min.png')));
    const [pass, fail] = await Promise.all([run('validate.ts', [good]), run('validate.ts', [broken])]);
    expect(pass.code).toBe(0);
    expect(pass.stdout).toContain(': OK');
    expect(fail.code).toBe(1);
    expect(fail.stderr).toContain('images/logo_small.png: is 84x84, Kommo wants exactly 108x108. Fix: resize it to 108x108');
  }, 60_000);
});

describe('dist/widget.zip', () => {
  // `npm test` builds first (pretest); run alone, this test builds into a temp dir.
  let zipPath = path.join(ROOT, 'dist', 'widget.zip');

  beforeAll(async () => {
    if (fs.existsSync(zipPath)) return;
    const out = scratch();
    const built = await run('build.ts', ['--out', out]);
    if (built.code !== 0) throw new Error(`build failed:\n${built.stderr}`);
    zipPath = path.join(out, 'widget.zip');
  }, 180_000);

  it('holds manifest.json, script.js, the parts it loads where they are used (settings.js, poll.js, lease.js, leader.js), i18n/ and images/ at the root and nothing else', async () => {
    const names = await zipEntries(zipPath);
    expect(names.sort()).toEqual(expectedEntries(['leader.js', 'lease.js', 'poll.js', 'settings.js']));
    expect(names.filter((name) => name.endsWith('.map'))).toEqual([]);
  });

  it('passes the validator, and its script.js is the AMD module', async () => {
    expect((await validateWidget(zipPath)).map(formatFault)).toEqual([]);
  });
});
