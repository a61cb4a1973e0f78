/**
 * `notify_mode: events` with several tabs, in real Chromium: the widget posts one call event,
 * and Kommo's notification appears under the bell of the user it is for in every tab of that
 * user, not only the tab whose widget posted it (scripts/sandbox/call-notices.ts), and in no tab
 * of another user.
 */
import type { Page } from 'playwright-core';
import { SEED_NUMBERS } from '../../scripts/crm';
import { startHarness } from '../support/browser';
import type { Harness } from '../support/browser';
import { waitUntil } from '../support/wait';

jest.setTimeout(90_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

const openEventsMode = (user: string) => h.openWidget({ user, settings: { notify_mode: 'events' } });
const bellCount = (page: Page, n: number) => page.waitForFunction((want) => document.querySelector('[data-testid=bell-count]')?.textContent === String(want), n);
const bellRecord = (page: Page) => page.evaluate(() => JSON.parse(JSON.stringify((window as unknown as { __sandbox: { bell: unknown[] } }).__sandbox.bell)) as Array<Record<string, unknown>>);

async function bellEntries(page: Page): Promise<Array<{ text: string; link: string; href: string | null }>> {
  await page.locator('[data-testid=bell]').click();
  const entries = page.locator('[data-testid=bell-list] [data-testid=bell-entry]');
  const out = [];
  for (let i = 0; i < (await entries.count()); i++) {
    const link = entries.nth(i).locator('.bell-links a');
    out.push({ text: await entries.nth(i).locator('[data-testid=bell-text]').innerText(), link: await link.innerText(), href: await link.getAttribute('href') });
  }
  return out;
}

test("one call event: Kommo's notification under the bell in both tabs of the user, none in another user's tab", async () => {
  const first = await openEventsMode('101'); // Alice Martin
  const second = await openEventsMode('101');
  const bruno = await openEventsMode('102');

  await h.ring(SEED_NUMBERS.adamNoah, '101');
  await Promise.all([bellCount(first, 1), bellCount(second, 1)]);
  // One event posted (by one tab's widget), shown in both.
  expect(h.sandbox.crm.events).toEqual([{ add: [{ type: 'phone_call', phone_number: '+18305803077', users: [8320148] }] }]);
  for (const page of [first, second]) {
    expect(await bellRecord(page)).toEqual([expect.objectContaining({ phone_number: '+18305803077', element_type: 1, element_id: 5760184 })]);
    expect(await bellEntries(page)).toEqual([{ text: 'Call: +18305803077', link: 'Adam Noah', href: '/contacts/detail/5760184' }]);
    expect(await page.locator('[data-testid=popup]').count()).toBe(0);
  }

  // Bruno's call reaches Bruno's tab; notifications come in the order filed, so Alice's never did.
  await h.ring(SEED_NUMBERS.lamaCompany, '102');
  await bellCount(bruno, 1);
  await waitUntil('two call events', () => h.sandbox.crm.events.length === 2);
  expect(await bellRecord(bruno)).toEqual([expect.objectContaining({ phone_number: '+14155237743', element_type: 2, element_id: 5102790 })]);
  expect((await bellRecord(first)).length).toBe(1);
  expect(h.pageErrors).toEqual([]);
});

test('a tab opened after a notification was filed shows the ones filed from then on', async () => {
  const first = await openEventsMode('101');
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  await bellCount(first, 1);
  const later = await openEventsMode('101');
  await h.ring(SEED_NUMBERS.kommoCompany, '101');
  await Promise.all([bellCount(first, 2), bellCount(later, 1)]);
  expect((await bellRecord(later)).map((item) => item.phone_number)).toEqual(['+18305703077']);
  expect(h.sandbox.crm.events).toHaveLength(2);
});
