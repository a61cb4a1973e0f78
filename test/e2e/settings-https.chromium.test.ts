/**
 * The sandbox over https (self-signed certificate): the widget connects over wss, and its
 * settings modal refuses a ws: URL, which the browser would block as mixed content.
 */
import fs from 'node:fs';
import path from 'node:path';
import { SEED_NUMBERS } from '../../scripts/crm';
import { nthPopup, sandboxRecord, startHarness } from '../support/browser';
import type { Harness } from '../support/browser';

jest.setTimeout(60_000);

const en = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../i18n/en.json'), 'utf8')) as { settings: Record<string, string> };

let h: Harness;
afterEach(async () => {
  await h?.close();
});

test('on an https page the settings modal rejects a ws: URL and accepts wss:', async () => {
  h = await startHarness({ https: true });
  expect(h.sandbox.url).toMatch(/^https:/);
  expect(h.sandbox.wsUrl).toMatch(/^wss:/);
  const page = await h.openWidget();

  // The widget works over wss with the sandbox's certificate.
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  expect((await nthPopup(page, 1)).text).toContain('Adam Noah');

  await page.click('[data-testid=open-settings]');
  await page.waitForSelector('[data-testid=telephony-settings-check]');
  const insecureWs = `ws://127.0.0.1:${new URL(h.sandbox.wsUrl).port}/ws`;
  await page.fill('[data-testid=setting-ws_url]', insecureWs);
  // The live check says why, in the user's language.
  await page.waitForFunction(
    (text) => document.querySelector('[data-testid=telephony-settings-check]')?.textContent?.includes(text) ?? false,
    en.settings.problem_ws_insecure!,
  );
  await page.click('[data-testid=settings-save]');
  await page.waitForSelector('[data-testid=settings-refused]:not([hidden])');
  expect(await page.isVisible('[data-testid=settings-modal]')).toBe(true);
  const stored = await page.evaluate(() => JSON.parse(localStorage.getItem('sandbox.settings') ?? '{}') as { ws_url?: string });
  expect(stored.ws_url).toBe(h.sandbox.wsUrl);

  // A wss: URL is accepted and the modal closes.
  await page.fill('[data-testid=setting-ws_url]', h.sandbox.wsUrl);
  await page.click('[data-testid=settings-save]');
  await page.waitForSelector('[data-testid=settings-modal]', { state: 'hidden' });
  const record = await sandboxRecord(page);
  expect(record.lifecycle).toEqual(expect.arrayContaining(['settings', 'onSave:refused', 'onSave:accepted']));
  expect(record.errors).toEqual([]);
  expect(h.pageErrors).toEqual([]);
});
