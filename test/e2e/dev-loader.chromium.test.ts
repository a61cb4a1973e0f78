/**
 * The dev-loader switch: a "Kommo account" (sandbox A) hosts an uploaded script.js wrapped with
 * withDevLoader(); with localStorage['kommo_telephony_is_dev'] set to a developer's sandbox (B),
 * the widget's code comes from B instead.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SEED_NUMBERS } from '../../scripts/crm';
import { DEV_LOADER_KEY, withDevLoader } from '../../scripts/sandbox/dev-loader';
import { startSandbox } from '../../scripts/sandbox/server';
import type { Sandbox } from '../../scripts/sandbox/server';
import { nthPopup, startHarness } from '../support/browser';
import type { Harness } from '../support/browser';

jest.setTimeout(60_000);

const UPLOADED = `define(['jquery', 'underscore'], function () {
  function Uploaded() {
    this.marker = 'uploaded';
    this.callbacks = {
      render: function () { return true; }, init: function () { return true; }, bind_actions: function () { return true; },
      settings: function () { return true; }, onSave: function () { return true; }, destroy: function () {},
    };
    return this;
  }
  return Uploaded;
});`;

let h: Harness | undefined;
let dev: Sandbox | undefined;
const dirs: string[] = [];

function widgetCopy(script: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'kommo-devloader-'));
  dirs.push(dir);
  fs.writeFileSync(path.join(dir, 'script.js'), script);
  return dir;
}

afterEach(async () => {
  await h?.close();
  await dev?.close();
  h = dev = undefined;
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

test('without the switch the uploaded widget runs', async () => {
  h = await startHarness({ widgetDir: widgetCopy(withDevLoader(UPLOADED)) });
  const page = await h.openWidget();
  await expect(page.evaluate(() => (window as unknown as { __sandbox: { widget: { marker?: string } } }).__sandbox.widget.marker)).resolves.toBe('uploaded');
});

test("with the switch the widget's code comes from the developer's sandbox", async () => {
  // The developer's sandbox serves the whole built widget: the code it hands over fetches its parts (leader.js) from there.
  dev = await startSandbox({ port: 0 });
  h = await startHarness({ widgetDir: widgetCopy(withDevLoader(UPLOADED)) });
  const devOrigin = new URL(dev.url).origin;
  const loaded: string[] = [];
  h.context.on('request', (req) => {
    if (req.url().startsWith(devOrigin)) loaded.push(new URL(req.url()).pathname);
  });
  const page = await h.openWidget({ storage: { [DEV_LOADER_KEY]: devOrigin } });
  expect(loaded).toContain('/widget/script.js');
  await expect(page.evaluate(() => (window as unknown as { __sandbox: { widget: { marker?: string } } }).__sandbox.widget.marker)).resolves.toBeUndefined();
  // The real widget (from the dev sandbox) pops up calls of the account's relay.
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  expect((await nthPopup(page, 1)).text).toContain('Adam Noah');
  expect(loaded.filter((p) => p === '/widget/script.js')).toHaveLength(1);
});
