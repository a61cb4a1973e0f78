/**
 * Per-user authorization as a manager and an admin see it (issue 13), in Chromium against the
 * sandbox: the Kommo double's `$authorizedAjax` signs a one-time token, the relay exchanges it for
 * a ticket naming the user's own extensions, and the built widget subscribes with it. A relay that
 * issues no tickets still works with the shared token, and the settings panel then warns.
 */
import type { Page } from 'playwright-core';
import { SEED_NUMBERS } from '../../scripts/crm';
import { nthPopup, startHarness, waitUntil } from '../support/browser';
import type { Harness } from '../support/browser';

jest.setTimeout(60_000);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const popups = (page: Page) => page.evaluate(() => document.querySelectorAll('[data-testid=popup]').length);

async function settingsLines(page: Page): Promise<{ status: string; warning: string | null }> {
  await page.click('[data-testid=open-settings]');
  const status = (await page.locator('[data-testid=telephony-status]').innerText()).trim();
  const warning = await page.locator('[data-testid=telephony-access-warning]').count();
  return { status, warning: warning === 0 ? null : (await page.locator('[data-testid=telephony-access-warning]').innerText()).trim() };
}

test("tickets only (no shared token anywhere): the manager hears their own extension, never a colleague's, and sees no warning", async () => {
  h = await startHarness({ legacyToken: false });
  // Alice (101) with the settings' phones saying she also has 102: the relay's users map decides.
  const page = await h.openWidget({ user: 101, settings: { token: '', phones: JSON.stringify({ 8320148: '101, 102' }) } });
  await waitUntil('the widget subscribed', () => h!.sandbox.relay.subscribedCount() === 1);
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  expect((await nthPopup(page, 1)).text).toContain('Adam Noah');
  // Bruno's extension, then Alice's again: when the second of hers is up, his never came.
  await h.ring(SEED_NUMBERS.kommoCompany, '102');
  await h.ring(SEED_NUMBERS.kommoCompany, '101');
  await nthPopup(page, 2);
  expect(await popups(page)).toBe(2);
  const lines = await settingsLines(page);
  expect(lines.status).toBe('Connected to the PBX: calls will pop up.');
  expect(lines.warning).toBeNull();
  expect(h.pageErrors).toEqual([]);
});

test('a relay without tickets (version 1): the shared token still works, and the settings panel warns that every user can read every extension', async () => {
  h = await startHarness({ tickets: false });
  const page = await h.openWidget({ user: 101 });
  await h.ring(SEED_NUMBERS.adamNoah, '101');
  expect((await nthPopup(page, 1)).text).toContain('Adam Noah');
  const lines = await settingsLines(page);
  expect(lines.status).toBe('Connected to the PBX: calls will pop up.');
  expect(lines.warning).toMatch(/every user of the account can read every extension/);
});
