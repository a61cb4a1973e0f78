/**
 * The README's screenshots (scripts/sandbox/screenshots.ts) as a developer retakes them after a
 * build: the script reaches each screen in the sandbox (it waits for the pop-up naming Adam
 * Noah, the settings panel's desktop-notification button, two entries under the bell) and writes
 * PNGs of a size a README can show; the README shows exactly those, and they are in the repository.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PNG } from 'pngjs';
import { widgetDir } from '../../support/browser';
import { runCommand } from '../../support/command';

jest.setTimeout(120_000);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const SHOTS = ['popup.png', 'settings.png', 'bell.png'];

let out: string;
beforeAll(() => {
  out = fs.mkdtempSync(path.join(os.tmpdir(), 'kommo-shots-test-'));
});
afterAll(() => fs.rmSync(out, { recursive: true, force: true }));

/** Width, height and how many distinct colours (a blank or failed page has a handful). */
function picture(file: string): { width: number; height: number; colours: number; bytes: number } {
  const bytes = fs.readFileSync(file);
  const png = PNG.sync.read(bytes);
  const colours = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) colours.add(png.data.readUInt32BE(i));
  return { width: png.width, height: png.height, colours: colours.size, bytes: bytes.length };
}

test('the script takes the pop-up, the settings panel and the bell from the current build', async () => {
  const run = await runCommand(process.execPath, ['--import', 'tsx', path.join(ROOT, 'scripts/sandbox/screenshots.ts'), '--widget-dir', widgetDir(), '--out', out], { cwd: ROOT });
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: '' });
  expect(fs.readdirSync(out).sort()).toEqual([...SHOTS].sort());
  for (const name of SHOTS) {
    const shot = picture(path.join(out, name));
    expect({ name, width: shot.width >= 400 && shot.width <= 1400, height: shot.height >= 200 && shot.height <= 1200, small: shot.bytes < 300_000, drawn: shot.colours > 50 }).toEqual({
      name,
      width: true,
      height: true,
      small: true,
      drawn: true,
    });
  }
});

test('the README shows exactly those screenshots, and the repository has them as PNGs', () => {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
  const shown = [...readme.matchAll(/!\[[^\]]+\]\(docs\/screenshots\/([^)]+)\)/g)].map((m) => m[1]);
  expect(shown.sort()).toEqual([...SHOTS].sort());
  for (const name of SHOTS) expect(picture(path.join(ROOT, 'docs/screenshots', name)).colours).toBeGreaterThan(50);
});
