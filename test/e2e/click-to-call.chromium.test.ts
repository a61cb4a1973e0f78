/**
 * Click-to-call as the manager sees it (issue 14), in Chromium against the sandbox, with the
 * built widget: the card's Call button (Kommo's `add_action('phone')`), the dialer button
 * (`APP.widgets.notificationsPhone`) and a missed call's "Call back" each have the relay ask the
 * simulated PBX (the generic HTTP adapter) to ring the manager's extension, then the customer;
 * the call comes back through the feed as ONE outbound pop-up naming the contact.
 */
import type { Page } from 'playwright-core';
import { SEED_NUMBERS } from '../../scripts/crm';
import type { PbxCall } from '../../scripts/sandbox/pbx';
import { nthPopup, sandboxRecord, startHarness, waitUntil } from '../support/browser';
import type { Harness } from '../support/browser';

jest.setTimeout(90_000);

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Adam Noah's contact card: one phone, `+1 (830) 580-3077`, with its Call button. */
const ADAM_CARD = '/contacts/detail/5760184';

const outbound = (): PbxCall[] => h!.sandbox.pbx.calls().filter((c) => c.direction === 'outbound');
const popups = (page: Page) => page.locator('[data-testid=popup]').count();
const toasts = (page: Page) => page.locator('[data-testid=toast-text]').allInnerTexts();

async function openCard(user = 101): Promise<Page> {
  const page = await h!.openWidget({ user, path: ADAM_CARD });
  await waitUntil('the widget subscribed', () => h!.sandbox.relay.subscribedCount() >= 1);
  await page.locator('.call-btn').first().waitFor();
  return page;
}

test("the card's Call button: 'Calling ... from your phone (101)' at once, the PBX rings 101 then Adam, and one outbound pop-up names him", async () => {
  h = await startHarness({ legacyToken: false });
  const page = await openCard();
  // A double click dials once.
  await page.locator('.call-btn').first().dblclick();
  await waitUntil('the PBX started the call', () => outbound().length === 1);
  const [call] = outbound();
  expect(call).toMatchObject({ direction: 'outbound', extension: '101', phone: '+18305803077', state: 'ringing' });
  expect(await toasts(page)).toEqual(['Calling +1 830 580 3077 from your phone (101)...']);
  const popup = await nthPopup(page, 1);
  expect(popup.header).toBe('Outgoing call: +1 830 580 3077');
  expect(popup.text).toBe('Dialing Adam Noah');
  // The customer answers and hangs up: still one pop-up; the call is filed once, as outgoing.
  await h.pbx({ action: 'answer', callId: call!.callId });
  await h.pbx({ action: 'hangup', callId: call!.callId, duration: 42 });
  await waitUntil('filed', async () => (await sandboxRecord(page)).calls.add_call.length === 1);
  expect(((await sandboxRecord(page)).calls.add_call[0] as { text: string }).text).toMatch(/^Outgoing call to Adam Noah, 0:42<br><a [^>]*data-telephony-dial="\+18305803077"/);
  // A later inbound ring pops: by then the outbound call's events are all processed.
  await h.ring(SEED_NUMBERS.kommoCompany, '101');
  await nthPopup(page, 2);
  expect(await popups(page)).toBe(2);
  expect(outbound()).toHaveLength(1);
  expect(h.pageErrors).toEqual([]);
});

test('the dialer button: the manager types a national number, it is dialled in the account country', async () => {
  h = await startHarness({ legacyToken: false });
  const page = await openCard();
  await page.click('[data-testid=dialer]');
  const input = page.locator('#telephony-dialer input');
  await input.fill('(830) 570-3077');
  await input.press('Enter');
  await waitUntil('the PBX started the call', () => outbound().length === 1);
  expect(outbound()[0]).toMatchObject({ extension: '101', phone: '+18305703077' });
  expect(await page.locator('#telephony-dialer').count()).toBe(0);
  expect((await nthPopup(page, 1)).text).toBe('Dialing Kommo');
});

test('a missed call pops up with "Call back", and the link dials the caller', async () => {
  h = await startHarness({ legacyToken: false });
  const page = await openCard();
  const missed = await h.ring(SEED_NUMBERS.adamNoah, '101');
  await nthPopup(page, 1);
  await h.pbx({ action: 'hangup', callId: missed.callId, result: 'missed' });
  const popup = await nthPopup(page, 2);
  expect(popup.header).toBe('Missed call: +1 830 580 3077');
  expect(popup.text).toContain('Adam Noah');
  await page.locator('[data-testid=popup]').nth(1).getByText('Call back').click();
  await waitUntil('the PBX started the call', () => outbound().length === 1);
  expect(outbound()[0]).toMatchObject({ extension: '101', phone: '+18305803077' });
});

test('what goes wrong is said in the manager\'s language: a busy phone, too soon again, not a number', async () => {
  h = await startHarness({ legacyToken: false });
  const page = await h.openWidget({ user: 101, path: ADAM_CARD, lang: 'es' });
  await page.locator('.call-btn').first().waitFor();
  // A live call on 101: the PBX says busy.
  await h.ring(SEED_NUMBERS.lamaCompany, '101');
  await page.locator('.call-btn').first().click();
  await waitUntil('busy said', async () => (await toasts(page)).some((t) => t.includes('ocupado')));
  expect(await toasts(page)).toContain('Su teléfono (101) está ocupado. Cuelgue e inténtelo de nuevo.');
  // Within the relay's 3 s: too soon (another number, so the double-click rule is not what stops it).
  await page.click('[data-testid=dialer]');
  await page.locator('#telephony-dialer input').fill('+1 830 570 3077');
  await page.locator('#telephony-dialer input').press('Enter');
  await waitUntil('rate limit said', async () => (await toasts(page)).some((t) => t.startsWith('Acaba de iniciar una llamada')));
  await page.click('[data-testid=dialer]');
  await page.locator('#telephony-dialer input').fill('call me');
  await page.locator('#telephony-dialer input').press('Enter');
  await waitUntil('not a number said', async () => (await toasts(page)).includes('"call me" no es un número de teléfono.'));
  expect(outbound()).toHaveLength(0);
  expect(h.pageErrors).toEqual([]);
});
