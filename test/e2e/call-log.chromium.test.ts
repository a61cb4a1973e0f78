/**
 * The call log as the admin and the manager see it (issue 16), in real Chromium inside the
 * sandbox: a call answered and hung up in the PBX panel reaches Adam Noah's card timeline
 * through the relay (not the widget: the page does not write it), and the widget's settings
 * modal says the relay logs calls on the cards; a user who is no admin is not shown the block.
 */
import { SEED_NUMBERS } from '../../scripts/crm';
import { ENGLISH_CALL_LOG_STRINGS as EN } from '../../src/settings/call-log-strings';
import { startHarness, waitUntil } from '../support/browser';
import type { Harness } from '../support/browser';

jest.setTimeout(60_000);

let h: Harness;
beforeEach(async () => {
  h = await startHarness({ callLog: { settleMs: 100 } });
});
afterEach(async () => {
  await h?.close();
});

test('a talked call lands on the customer\'s card timeline, once, by the user of the extension', async () => {
  const page = await h.openWidget();
  await waitUntil('the widget subscribed', () => h.sandbox.relay.subscribedCount() >= 1);
  const call = await h.ring(SEED_NUMBERS.adamNoah, '101');
  await h.pbx({ action: 'answer', callId: call.callId });
  await h.pbx({ action: 'hangup', callId: call.callId, duration: 12 });
  await waitUntil('the call on the card', () => h.sandbox.crm.calls.some((c) => c.uniq === call.callId));
  // The bell has it too, under the same id: the widget and the relay agree which call it is.
  await page.waitForFunction(() => document.querySelectorAll('[data-testid=bell-entry]').length === 1);
  await page.goto(new URL('/contacts/detail/5760184', h.sandbox.url).href);
  const entry = page.locator(`[data-testid=timeline-call][data-uniq="${call.callId}"]`);
  await entry.waitFor();
  expect(await entry.innerText()).toMatch(/inbound call \+1 830 580 3077, 12 s, talked by user 8320148 \(Sandbox PBX\)/);
  expect(await page.locator('[data-testid=timeline-call]').count()).toBe(1);
  expect(h.sandbox.crm.calls.filter((c) => c.uniq === call.callId)).toHaveLength(1);
  expect(h.pageErrors).toEqual([]);
});

test('the settings modal tells the admin the relay logs calls on the cards; a manager who is not an admin sees no such block', async () => {
  const page = await h.openWidget();
  await page.click('[data-testid=open-settings]');
  const text = page.locator('[data-testid=telephony-call-log-text]');
  await page.waitForFunction((checking) => {
    const el = document.querySelector('[data-testid=telephony-call-log-text]');
    return el !== null && el.textContent !== checking;
  }, EN.checking);
  expect((await text.innerText()).trim()).toBe(EN.ok_none_yet);
  expect(await page.getAttribute('[data-testid=telephony-call-log]', 'data-tone')).toBe('ok');
  await page.close();

  const bruno = await h.openWidget({ user: '102' });
  await bruno.click('[data-testid=open-settings]');
  await bruno.waitForSelector('[data-testid=telephony-settings-check]');
  expect(await bruno.locator('[data-testid=telephony-call-log]').count()).toBe(0);
});

test('a relay without the call log: the block says so, plainly', async () => {
  await h.close();
  h = await startHarness({ callLog: false });
  const page = await h.openWidget();
  await page.click('[data-testid=open-settings]');
  await page.waitForFunction((off) => document.querySelector('[data-testid=telephony-call-log-text]')?.textContent === off, EN.off);
  expect(await page.getAttribute('[data-testid=telephony-call-log]', 'data-tone')).toBe('pending');
});
