/** Switching the widget off in its settings tears it down; switching it on again picks the feed back up. */
import { SEED_NUMBERS } from '../../scripts/crm';
import { nthPopup, sandboxRecord, startHarness, waitUntil } from '../support/browser';
import type { Harness } from '../support/browser';

jest.setTimeout(60_000);

let h: Harness;
afterEach(async () => {
  await h?.close();
});

test('switched off: no connection and no pop-up; switched on: the ringing call pops up', async () => {
  h = await startHarness();
  const page = await h.openWidget();
  await waitUntil('the widget subscribed', () => h.sandbox.relay.subscribedCount() === 1);

  await page.click('[data-testid=open-settings]');
  await page.click('[data-testid=settings-off]');
  await waitUntil('the widget closed its socket', () => h.sandbox.relay.subscriberCount() === 0);
  let record = await sandboxRecord(page);
  expect(record.lifecycle.slice(-3)).toEqual(['onSave', 'onSave:N', 'destroy']);

  await h.ring(SEED_NUMBERS.adamNoah, '101');
  await page.click('[data-testid=open-settings]');
  await page.click('[data-testid=settings-save]');
  await page.waitForSelector('[data-testid=settings-modal]', { state: 'hidden' });
  // The relay's snapshot on the new subscribe carries the call that rang while the widget was off.
  expect((await nthPopup(page, 1)).text).toContain('Adam Noah');
  record = await sandboxRecord(page);
  expect(record.calls.show_notification).toHaveLength(1);
  expect(record.errors).toEqual([]);
  expect(h.pageErrors).toEqual([]);
});

test('with a relay without tickets (version 1), extensions given as a JSON string (the users setting as Kommo may hand it over) work too', async () => {
  // With tickets the relay's users map decides the extensions; the phones setting is for relays without them.
  h = await startHarness({ tickets: false });
  const page = await h.openWidget({ user: '102', settings: { phones: JSON.stringify({ 8320148: '101', 8375357: '102, 150' }) } });
  await h.ring(SEED_NUMBERS.kommoCompany, '150');
  expect((await nthPopup(page, 1)).text).toContain('Kommo');
});
