/** The language switch reloads the widget's strings; the polling transport works across origins. */
import fs from 'node:fs';
import path from 'node:path';
import { SEED_NUMBERS } from '../../scripts/crm';
import { nthPopup, startHarness, waitForWidget } from '../support/browser';
import type { Harness } from '../support/browser';
import type { Page } from 'playwright-core';

jest.setTimeout(60_000);

function notifyStrings(lang: string): Record<string, string> {
  const file = path.resolve(__dirname, '../../i18n', `${lang}.json`);
  return (JSON.parse(fs.readFileSync(file, 'utf8')) as { notify: Record<string, string> }).notify;
}

/** The widget's own files the page fetched besides script.js (its parts: poll.js, lease.js, settings.js). */
const partsFetched = (page: Page) =>
  page.evaluate(() => performance.getEntriesByType('resource').map((e) => new URL(e.name).pathname).filter((p) => /^\/widget\/[\w-]+\.js$/.test(p) && p !== '/widget/script.js'));

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

test('switching the language to Russian gives the pop-up in Russian', async () => {
  const page = await h.openWidget({ lang: 'en' });
  await Promise.all([page.waitForEvent('load'), page.selectOption('[data-testid=lang-switch]', 'ru')]);
  await waitForWidget(page);
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  const popup = await nthPopup(page, 1);
  const prefix = notifyStrings('ru').incoming_header!.split('{{')[0]!.trim();
  expect(prefix).not.toBe(notifyStrings('en').incoming_header!.split('{{')[0]!.trim());
  expect(popup.header).toContain(prefix);
  expect(popup.text).toContain('Adam Noah');
  // A WebSocket install never fetches polling's code (poll.js); the one tab leads, so it fetches the call code.
  expect(await partsFetched(page)).toEqual(['/widget/leader.js']);
});

test('with a poll URL instead of the WebSocket the call still pops up', async () => {
  const page = await h.openWidget({ settings: { ws_url: '', poll_url: h.sandbox.pollUrl, poll_interval: '1' } });
  await h.ring(SEED_NUMBERS.kommoCompany, '101');
  expect((await nthPopup(page, 1)).text).toContain('Kommo');
  expect(h.sandbox.relay.subscriberCount()).toBe(0);
  // The leader's call code, then polling's (poll.js), each once (Chromium has Web Locks: no lease.js).
  expect(await partsFetched(page)).toEqual(['/widget/leader.js', '/widget/poll.js']);
  expect(h.pageErrors).toEqual([]);
});
