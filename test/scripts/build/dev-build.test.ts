/**
 * The dev loader lives in development builds only (issue 13). `npm run build` gives a script.js
 * without it; `npm run build -- --dev` writes widget-dev.zip (never widget.zip), whose script.js
 * loads the widget from http(s)://localhost or 127.0.0.1 when localStorage names one, and ignores
 * any other origin there. The dev script.js runs in a VM context with the page's globals as
 * doubles: `define` records what the page's RequireJS is asked for.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { DEV_LOADER_KEY } from '../../../scripts/sandbox/dev-loader';
import { formatFault, readWidget, validateWidget } from '../../../scripts/validator';
import { runCommand } from '../../support/command';
import { ROOT, tempDir } from './fixtures';

const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const tsx = (script: string, args: string[]) => runCommand(TSX, [path.join(ROOT, 'scripts', script), ...args], { cwd: ROOT });

const out = tempDir('widget-dev-build-');
let dev: Awaited<ReturnType<typeof tsx>>;
let devScript: string;

beforeAll(async () => {
  dev = await tsx('build.ts', ['--dev', '--out', out]);
  if (dev.code !== 0) throw new Error(`the dev build failed:\n${dev.stderr}`);
  devScript = fs.readFileSync(path.join(out, 'widget-dev', 'script.js'), 'utf8');
}, 180_000);
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

type Factory = (module: unknown) => unknown;

/** Runs `script` as the page would with `stored` under the dev-loader key; what `define` was asked for. */
function pageLoads(script: string, stored: string | null): { requested: unknown[]; warnings: string[]; factories: Factory[] } {
  const requested: unknown[] = [];
  const warnings: string[] = [];
  const factories: Factory[] = [];
  const define = Object.assign((deps: unknown, factory: Factory) => void (requested.push(deps), factories.push(factory)), { amd: {} });
  const window = {
    localStorage: { getItem: (key: string) => (key === DEV_LOADER_KEY ? stored : null) },
    console: { warn: (line: string) => void warnings.push(line), info: () => {} },
  };
  const document = { currentScript: { src: 'https://account.kommo.com/upl/kommo_telephony/widget/script.js' } };
  vm.runInNewContext(script, { define, window, document });
  return { requested, warnings, factories };
}

test('--dev exits 0, says the dev-loader finding is a warning, and writes widget-dev.zip, not widget.zip', () => {
  expect(dev.stderr).toBe('');
  expect(dev.code).toBe(0);
  expect(dev.stdout).toContain('warning (development build, not for a production account): script.js: can load code from an address read at run time from localStorage');
  expect(dev.stdout).toMatch(/widget-dev\.zip \d+\.\d KB/);
  expect(fs.readdirSync(out).sort()).toEqual(['build-dev', 'widget-dev', 'widget-dev.zip']);
  expect(devScript).toContain(DEV_LOADER_KEY);
});

test('the validator refuses the dev zip: it is not for a production account', async () => {
  const checked = await tsx('validate.ts', [path.join(out, 'widget-dev.zip')]);
  expect(checked.code).toBe(1);
  expect(checked.stderr).toContain('script.js: can load code from an address read at run time from localStorage: realDefine([url],function(Widget){function DevWidget(){');
});

test('the dev script.js ignores any origin in localStorage that is not localhost or 127.0.0.1', () => {
  const foreign = [
    'https://evil.example',
    'http://127.0.0.1.evil.example:8080',
    'http://localhost.evil.example',
    'http://localhost@evil.example',
    'http://localhost:8080@evil.example',
    'https://evil.example/#http://localhost:8080',
    'http://localhost:8080/../../evil.example',
    'http://127.0.0.2:8080',
    '//evil.example',
    'javascript:alert(1)',
    'data:text/javascript,alert(1)',
    '99999',
  ];
  for (const stored of foreign) {
    const { requested, warnings } = pageLoads(devScript, stored);
    expect({ stored, requested, warnings }).toEqual({
      stored,
      requested: [['jquery']],
      warnings: ['[telephony] kommo_telephony_is_dev is not a port or an http(s) origin on localhost or 127.0.0.1; loading the uploaded widget'],
    });
  }
  expect(pageLoads(devScript, null)).toMatchObject({ requested: [['jquery']], warnings: [] });
});

test('the dev script.js loads the widget from a port on localhost or an http(s) loopback origin', () => {
  const cases: Array<[string, string]> = [
    ['8080', 'http://localhost:8080'],
    ['http://localhost:8080', 'http://localhost:8080'],
    ['https://127.0.0.1:8443/', 'https://127.0.0.1:8443'],
    ['http://127.0.0.1', 'http://127.0.0.1'],
  ];
  for (const [stored, origin] of cases) {
    expect({ stored, requested: pageLoads(devScript, stored).requested }).toEqual({ stored, requested: [[`${origin}/widget/script.js?telephony_dev=1`]] });
  }
});

test("the widget loaded from the dev origin takes its parts from there too: this.params.path is that origin's /widget", () => {
  const [factory] = pageLoads(devScript, '8080').factories;
  const seen: unknown[] = [];
  function Widget(this: { params?: unknown }) {
    seen.push(this.params);
    return this;
  }
  const DevWidget = factory!(Widget) as (this: object) => unknown;
  const instance = Object.assign(Object.create(Widget.prototype) as object, { params: { path: '/upl/kommo_telephony/widget', widget_code: 'kommo_telephony' } });
  DevWidget.call(instance);
  expect(seen).toEqual([{ path: 'http://localhost:8080/widget', widget_code: 'kommo_telephony' }]);
  expect(instance).toBeInstanceOf(Widget);
});

describe('the production build', () => {
  // As in build.test.ts: `npm test` builds dist/widget.zip first (pretest); run alone, build it here.
  let zipPath = path.join(ROOT, 'dist', 'widget.zip');
  beforeAll(async () => {
    if (fs.existsSync(zipPath)) return;
    const built = await tsx('build.ts', ['--out', out]);
    if (built.code !== 0) throw new Error(`build failed:\n${built.stderr}`);
    zipPath = path.join(out, 'widget.zip');
  }, 180_000);

  test('has no dev loader in script.js, and its zip passes the validator', async () => {
    const script = (await readWidget(zipPath)).files.get('script.js')?.toString('utf8') ?? '';
    expect(script).toMatch(/^define\(\[/);
    expect(script).not.toContain(DEV_LOADER_KEY);
    expect((await validateWidget(zipPath)).map(formatFault)).toEqual([]);
  });

  test('its script.js asks the page for jquery only, whatever localStorage holds', () => {
    const script = fs.readFileSync(path.join(path.dirname(zipPath), 'widget', 'script.js'), 'utf8');
    expect(pageLoads(script, 'http://localhost:8080')).toMatchObject({ requested: [['jquery']], warnings: [] });
  });
});
