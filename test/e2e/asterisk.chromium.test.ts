/**
 * Issue 15 in Chromium: a real call on a real Asterisk 20 (test/support/asterisk/) pops up in
 * the BUILT widget. The sandbox's relay reads the PBX through the Asterisk adapter (AMI) instead
 * of the simulated PBX; the manager's card Call button dials through AMI Originate.
 */
import type { OpenedAsterisk } from '../../relay/src/asterisk/open-asterisk';
import { openAsterisk } from '../../relay/src/asterisk/open-asterisk';
import { startAsteriskPair } from '../support/asterisk/asterisk-pair';
import type { AsteriskPair } from '../support/asterisk/asterisk-pair';
import { nthPopup, sandboxRecord, startHarness, waitUntil } from '../support/browser';
import type { Harness } from '../support/browser';

jest.setTimeout(90_000);

let pair: AsteriskPair;
let h: Harness;
let opened: OpenedAsterisk | null = null;

beforeAll(async () => {
  pair = await startAsteriskPair();
  h = await startHarness({
    legacyToken: false,
    callLog: false,
    realPbx: {
      // The sandbox asks for the source, then the adapter, for each relay it makes: one AMI client for both.
      source: () => (opened = openAsterisk({ ami: { ...pair.pbx.ami, tls: false }, originate: {}, recordings: null }, () => {})).source,
      originate: () => opened!.originate!,
    },
  });
  await waitUntil('the relay is logged in to AMI', () => opened?.source.status().connected === true);
}, 120_000);

afterAll(async () => {
  await h?.close();
  await pair?.stop();
});

afterEach(async () => {
  await pair.drive.hangupAll();
});

test('Adam Noah calls the DID, 101 rings: the pop-up names him and links his card while it rings; answered and hung up, it is filed once with its talk time', async () => {
  await pair.drive.setPhone('101', { kind: 'answer', afterS: 2, hangUpAfterS: 2 });
  const page = await h.openWidget({ user: '101' });
  await waitUntil('the widget subscribed', () => h.sandbox.relay.subscribedCount() >= 1);
  await pair.drive.callIn({ from: '+18305803077', name: 'Adam Noah', did: '5550100' });
  const popup = await nthPopup(page, 1);
  expect(popup.header).toBe('Incoming call: +1 830 580 3077');
  expect(popup.text).toContain('Adam Noah');
  await expect(page.locator('[data-testid=popup-text] a', { hasText: 'Adam Noah' }).getAttribute('href')).resolves.toBe('/contacts/detail/5760184');
  // Still ringing when it showed: the phone answers 2 s after the call reached it.
  expect(h.sandbox.relay.activeCalls().map((c) => c.state)).toEqual(['ringing']);
  await waitUntil('filed', async () => (await sandboxRecord(page)).calls.add_call.length === 1, { timeoutMs: 15_000 });
  const [filed] = (await sandboxRecord(page)).calls.add_call as Array<{ duration: number; element: unknown }>;
  expect(filed!.element).toMatchObject({ id: 5760184, type: 'contact' });
  expect(filed!.duration).toBeGreaterThanOrEqual(1);
  expect(filed!.duration).toBeLessThanOrEqual(4);
  expect(await page.locator('[data-testid=popup]').count()).toBe(1);
  expect(h.pageErrors).toEqual([]);
  await page.close();
});

test("the card's Call button dials through AMI: 101's phone rings, then Adam's; one outbound pop-up naming him", async () => {
  await pair.drive.setPhone('101', { kind: 'answer', afterS: 1 });
  // The relay dials E.164 numbers without their `+` (FreePBX's outbound routes match digits).
  await pair.drive.setOutside('18305803077', { kind: 'answer', afterS: 1, hangUpAfterS: 1 });
  const page = await h.openWidget({ user: 101, path: '/contacts/detail/5760184' });
  await waitUntil('the widget subscribed', () => h.sandbox.relay.subscribedCount() >= 1);
  await page.locator('.call-btn').first().click();
  const popup = await nthPopup(page, 1);
  expect(popup.header).toBe('Outgoing call: +1 830 580 3077');
  expect(popup.text).toBe('Dialing Adam Noah');
  await waitUntil('filed', async () => (await sandboxRecord(page)).calls.add_call.length === 1, { timeoutMs: 15_000 });
  expect(((await sandboxRecord(page)).calls.add_call[0] as { text: string }).text).toMatch(/^Outgoing call to Adam Noah/);
  expect(await page.locator('[data-testid=popup]').count()).toBe(1);
  expect(h.pageErrors).toEqual([]);
  await page.close();
});
