/**
 * `notify_mode: events` in the sandbox, in real Chromium: the widget POSTs /api/v2/events and the
 * Kommo double shows what Kommo would, a call notification under the bell linked to the card the
 * simulated CRM matched, or offering a new contact (scripts/sandbox/kommo/call-events.ts). And
 * the PBX panel's "an unknown number" link rings a number the CRM does not know.
 */
import type { Page } from 'playwright-core';
import { SEED_NUMBERS } from '../../../scripts/crm';
import { UNKNOWN_NUMBER } from '../../../scripts/sandbox/kommo/pbx-panel';
import { startHarness } from '../../support/browser';
import type { Harness } from '../../support/browser';

jest.setTimeout(60_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

const openEventsMode = () => h.openWidget({ user: '101', settings: { notify_mode: 'events' } });
const bellCount = (page: Page, n: number) => page.waitForFunction((want) => document.querySelector('[data-testid=bell-count]')?.textContent === String(want), n);
const bellRecord = (page: Page) => page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { __sandbox: { bell: unknown[] } }).__sandbox.bell)) as Array<Record<string, unknown>>);

test("the widget's call event shows as Kommo's notification under the bell, linked to the matched card", async () => {
  const page = await openEventsMode();
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  await bellCount(page, 1);
  expect(h.sandbox.crm.events).toEqual([{ add: [{ type: 'phone_call', phone_number: '+18305803077', users: [8320148] }] }]);
  // Kommo notifies; the widget does not pop up itself.
  expect(await page.locator('[data-testid=popup]').count()).toBe(0);
  expect(await bellRecord(page)).toEqual([expect.objectContaining({ phone_number: '+18305803077', element_type: 1, element_id: 5760184 })]);

  // A company with one active lead: Kommo links the lead.
  await h.ring(SEED_NUMBERS.lamaCompany, '101');
  await bellCount(page, 2);

  await page.locator('[data-testid=bell]').click();
  const entries = page.locator('[data-testid=bell-list] [data-testid=bell-entry]');
  await expect(entries.nth(0).locator('[data-testid=bell-text]').innerText()).resolves.toBe('Call: +14155237743');
  await expect(entries.nth(0).locator('[data-testid=bell-open]').getAttribute('href')).resolves.toBe('/leads/detail/5102790');
  await expect(entries.nth(0).locator('[data-testid=bell-open]').innerText()).resolves.toBe('First patch');
  await expect(entries.nth(1).locator('[data-testid=bell-text]').innerText()).resolves.toBe('Call: +18305803077');
  await entries.nth(1).locator('[data-testid=bell-open]', { hasText: 'Adam Noah' }).click();
  await page.waitForURL('**/contacts/detail/5760184');
  await expect(page.locator('[data-testid=card-name]').innerText()).resolves.toBe('Adam Noah');
  expect(h.pageErrors).toEqual([]);
});

test('"an unknown number" rings a number nobody has: Kommo\'s notification offers a new contact', async () => {
  const page = await openEventsMode();
  await page.locator('#pbx-numbers a.pick', { hasText: 'an unknown number' }).click();
  await expect(page.locator('[data-testid=pbx-number]').inputValue()).resolves.toBe(UNKNOWN_NUMBER);
  await page.locator('[data-testid=pbx-ring]').click();
  await bellCount(page, 1);
  expect(await bellRecord(page)).toEqual([expect.not.objectContaining({ element_id: expect.anything() })]);

  await page.locator('[data-testid=bell]').click();
  const entry = page.locator('[data-testid=bell-list] [data-testid=bell-entry]');
  await expect(entry.locator('[data-testid=bell-text]').innerText()).resolves.toBe('Call: +12025550199');
  await expect(entry.locator('[data-testid=bell-open]').count()).resolves.toBe(0);
  await entry.locator('[data-testid=bell-create-contact]').click();
  await page.waitForURL((url) => url.pathname === '/contacts/add/' && url.searchParams.get('phone') === '+12025550199');
});

test('a call event reaches the bell of the users it names only', async () => {
  const page = await openEventsMode(); // Alice Martin, user 8320148
  const post = (add: Record<string, unknown>) =>
    page.evaluate(async (item) => (await fetch('/api/v2/events', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ add: [item] }) })).status, add);
  const call = { type: 'phone_call', phone_number: SEED_NUMBERS.kommoCompany };
  expect(await post({ ...call, users: [8375357] })).toBe(200); // Bruno Costa's only
  expect(await post({ ...call, users: [8375357, 8320148] })).toBe(200);
  // Without users the simulated CRM refuses it (crm-server.ts), and nothing is filed.
  expect(await post({ ...call })).toBe(400);
  expect(await post({ ...call, users: [8320148] })).toBe(200);
  // Filed in the order posted, each after the same work: once the last is in, Bruno's would be too.
  await bellCount(page, 2);
  expect(await bellRecord(page)).toEqual([1, 2].map(() => expect.objectContaining({ element_type: 3, element_id: 6811296 })));
  expect(h.sandbox.crm.events).toHaveLength(3);
});

test('widget mode posts no call event and files nothing until the call ends', async () => {
  const page = await h.openWidget({ user: '101' });
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  await page.waitForSelector('[data-testid=popup]');
  expect(h.sandbox.crm.events).toEqual([]);
  await expect(page.locator('[data-testid=bell-count]').isHidden()).resolves.toBe(true);
});
