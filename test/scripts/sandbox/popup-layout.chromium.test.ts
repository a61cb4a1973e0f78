/**
 * The sandbox page's layout in real Chromium with a stack of pop-ups (scripts/sandbox/public/
 * host.css): they once covered the PBX panel's Answer buttons and the open bell list. Clicks go
 * through Playwright, which clicks only an element that would receive the click itself.
 */
import type { Page } from 'playwright-core';
import { SEED_NUMBERS } from '../../../scripts/crm';
import { startHarness } from '../../support/browser';
import type { Harness } from '../../support/browser';
import { waitUntil } from '../../support/wait';

jest.setTimeout(60_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness();
});
afterEach(async () => {
  await h?.close();
});

const RINGING = [SEED_NUMBERS.adamNoah, SEED_NUMBERS.kommoCompany, SEED_NUMBERS.lamaCompany, SEED_NUMBERS.sharedContacts, SEED_NUMBERS.companyAndContact, SEED_NUMBERS.unnamedCustomer];
const CLICK = { timeout: 5_000 };

/** What `selector`'s elements would not get a click at their centre: the element on top there instead. */
function covered(page: Page, selector: string): Promise<string[]> {
  return page.evaluate((wanted) => {
    const out: string[] = [];
    for (const el of document.querySelectorAll(wanted)) {
      const box = el.getBoundingClientRect();
      const hit = document.elementFromPoint(box.left + box.width / 2, box.top + box.height / 2);
      if (!hit || !el.contains(hit)) out.push(`${wanted} under ${hit ? hit.closest('[data-testid]')?.getAttribute('data-testid') ?? hit.tagName : 'nothing (off screen)'}`);
    }
    return out;
  }, selector);
}

const popupCount = (page: Page) => page.locator('[data-testid=popup]').count();

test("five stacked pop-ups leave the PBX panel's Answer buttons and the open bell list reachable", async () => {
  const page = await h.openWidget({ user: '101' });
  for (const phone of RINGING) await h.ring(phone, '101');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=popup]').length >= n, RINGING.length);
  // The panel lists the calls (it catches up every 2 s).
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=pbx-answer]').length >= n, RINGING.length);

  expect(await covered(page, '[data-testid=pbx-answer]')).toEqual([]);
  expect(await covered(page, '[data-testid=pbx-hangup]')).toEqual([]);

  // Answer the first call from the panel, then hang it up there: the widget files it under the bell.
  const first = h.sandbox.pbx.calls().find((c) => c.phone === SEED_NUMBERS.adamNoah)!;
  const row = page.locator(`[data-testid=pbx-call][data-call-id="${first.callId}"]`);
  await row.locator('[data-testid=pbx-answer]').click(CLICK);
  await waitUntil('the PBX answered the call', () => h.sandbox.pbx.calls().find((c) => c.callId === first.callId)?.state === 'answered');
  await row.locator('[data-testid=pbx-hangup]').click(CLICK);
  await waitUntil('the PBX ended the call', () => h.sandbox.pbx.calls().find((c) => c.callId === first.callId)?.state === 'ended');
  await page.waitForFunction(() => document.querySelector('[data-testid=bell-count]')?.textContent === '1');
  expect(await popupCount(page)).toBeGreaterThanOrEqual(5);

  // The bell opens over the stack, and its entry's link is the one that gets the click.
  await page.locator('[data-testid=bell]').click(CLICK);
  await page.locator('[data-testid=bell-list]').waitFor({ state: 'visible' });
  expect(await covered(page, '[data-testid=bell-list] .bell-title')).toEqual([]);
  expect(await covered(page, '[data-testid=bell-entry]')).toEqual([]);
  await page.locator('[data-testid=bell-list] [data-testid=bell-open]').click(CLICK);
  await page.waitForURL('**/contacts/detail/5760184');
});

test('a stack taller than the window scrolls instead of running off it', async () => {
  const page = await h.openWidget({ user: '101' });
  const numbers = Array.from({ length: 14 }, (_, i) => `+1 415 555 01${String(i).padStart(2, '0')}`);
  for (const phone of numbers) await h.ring(phone, '101');
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=popup]').length >= n, numbers.length);
  const layer = await page.locator('[data-testid=popups]').boundingBox();
  const viewport = page.viewportSize()!;
  expect(layer!.y + layer!.height).toBeLessThanOrEqual(viewport.height);
  // The last one is reached by scrolling the stack with the wheel over a pop-up, and closes.
  await page.locator('[data-testid=popup]').first().hover();
  await page.mouse.wheel(0, 5_000);
  await page.waitForFunction(() => (document.querySelector('[data-testid=popups]')?.scrollTop ?? 0) > 0);
  const last = page.locator('[data-testid=popup]').last();
  expect(await covered(page, '[data-testid=popup]:last-child .popup-close')).toEqual([]);
  await last.locator('.popup-close').click(CLICK);
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=popup]').length === n - 1, numbers.length);
});
