/**
 * The support contact placeholders of manifest.json (scripts/validator/support-contact.ts): a
 * warning for any package, a fault for a marketplace one, in the library and on the command line
 * (`npm run validate -- --marketplace`).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkWidget, formatFault, TEMPLATE_SUPPORT, validateWidget } from '../../../scripts/validator';
import { runCommand } from '../../support/command';
import { goodFolder, readJsonFile, ROOT, writeJsonFile } from '../build/fixtures';

jest.setTimeout(60_000);

const made: string[] = [];
afterAll(() => {
  for (const dir of made) fs.rmSync(dir, { recursive: true, force: true });
});

/** A good package whose manifest says `support`. */
function withSupport(support: Record<string, unknown>): string {
  const dir = goodFolder();
  made.push(dir);
  const manifest = readJsonFile(path.join(dir, 'manifest.json'));
  manifest.widget.support = support;
  writeJsonFile(path.join(dir, 'manifest.json'), manifest);
  return dir;
}

const REAL = { link: 'https://help.acme-telecom.com/kommo', email: 'kommo-support@acme-telecom.com' };
const problems = (faults: { problem: string }[]) => faults.map((f) => f.problem);

test("the repository's own manifest ships placeholders: warned, not refused", async () => {
  const dir = withSupport({ ...TEMPLATE_SUPPORT });
  const { faults, warnings } = await checkWidget(dir);
  expect(faults).toEqual([]);
  expect(warnings.map(formatFault)).toEqual([
    `manifest.json: widget.support.link is "${TEMPLATE_SUPPORT.link}", a placeholder (the value this repository ships for you to replace). Fix: set widget.support.link to the page where your users ask for help before you publish (npm run validate -- --marketplace refuses a placeholder)`,
    'manifest.json: widget.support.email is "support@example.com", a placeholder (example.com is a domain reserved for examples). Fix: set widget.support.email to the address your users write to before you publish (npm run validate -- --marketplace refuses a placeholder)',
  ]);
  // What scripts/build.ts reads: the faults alone, so a build of the repository still passes.
  expect(await validateWidget(dir)).toEqual([]);
});

test('a marketplace package is refused for them', async () => {
  const { faults, warnings } = await checkWidget(withSupport({ ...TEMPLATE_SUPPORT }), { marketplace: true });
  expect(warnings).toEqual([]);
  expect(problems(faults)).toEqual([
    `widget.support.link is "${TEMPLATE_SUPPORT.link}", a placeholder (the value this repository ships for you to replace)`,
    'widget.support.email is "support@example.com", a placeholder (example.com is a domain reserved for examples)',
  ]);
  expect(faults[0]?.fix).toBe("set widget.support.link to the page where your users ask for help: Kommo's marketplace shows it to every account that installs the widget");
});

test('any address on a domain reserved for examples is a placeholder; a real contact is not', async () => {
  const reserved = await checkWidget(withSupport({ link: 'https://help.example.org/widget', email: 'desk@acme.test' }), { marketplace: true });
  expect(problems(reserved.faults)).toEqual([
    'widget.support.link is "https://help.example.org/widget", a placeholder (help.example.org is a domain reserved for examples)',
    'widget.support.email is "desk@acme.test", a placeholder (acme.test is a domain reserved for examples)',
  ]);
  expect(await checkWidget(withSupport(REAL), { marketplace: true })).toEqual({ faults: [], warnings: [] });
  // Not a look-alike: example.com.br and examples.com are real domains.
  expect(await checkWidget(withSupport({ link: 'https://example.com.br/help', email: 'help@examples.com' }), { marketplace: true })).toEqual({ faults: [], warnings: [] });
});

describe('npm run validate', () => {
  const validate = (args: string[]) => runCommand(process.execPath, [path.join(ROOT, 'node_modules', 'tsx', 'dist', 'cli.mjs'), 'scripts/validate.ts', ...args], { cwd: ROOT });

  it('documents --marketplace in --help', async () => {
    const help = await validate(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: npm run validate -- [--marketplace] [folder-or-zip]');
    expect(help.stdout).toMatch(/--marketplace +the package is for Kommo's marketplace: a placeholder widget\.support\.link/);
  });

  it('passes placeholders with a warning, exit 0; --marketplace refuses them, exit 1', async () => {
    const dir = withSupport({ ...TEMPLATE_SUPPORT });
    const plain = await validate([dir]);
    expect(plain.code).toBe(0);
    expect(plain.stdout).toBe(`${dir}: OK (2 warnings)\n`);
    expect(plain.stderr.split('\n').filter((line) => line.startsWith('  warning: manifest.json: widget.support.'))).toHaveLength(2);
    const market = await validate(['--marketplace', dir]);
    expect(market.code).toBe(1);
    expect(market.stderr).toContain(`${dir}: 2 faults\n  manifest.json: widget.support.link is`);
    const real = await validate(['--marketplace', withSupport(REAL)]);
    expect([real.code, real.stderr]).toEqual([0, '']);
  });
});
