/** The relay goes away mid-session (every socket closed) and comes back on the same port. */
import { SEED_NUMBERS } from '../../scripts/crm';
import { nthPopup, sandboxRecord, startHarness } from '../support/browser';
import type { Harness } from '../support/browser';

jest.setTimeout(60_000);

let h: Harness;
afterEach(async () => {
  await h?.close();
});

test('after a relay restart the widget reconnects and the next call still pops up', async () => {
  h = await startHarness();
  const page = await h.openWidget();
  const first = await h.ring(SEED_NUMBERS.adamNoah, '101');
  expect((await nthPopup(page, 1)).text).toContain('Adam Noah');
  // Answered (a missed one would add its missed-call pop-up).
  await h.pbx({ action: 'answer', callId: first.callId });
  await h.pbx({ action: 'hangup', callId: first.callId });
  const before = h.sandbox.relay;

  await h.sandbox.restartRelay();
  expect(h.sandbox.relay).not.toBe(before);
  expect(h.sandbox.relay.subscriberCount()).toBe(0);

  await h.ring(SEED_NUMBERS.kommoCompany, '101');
  expect((await nthPopup(page, 2)).text).toContain('Kommo');
  expect(h.sandbox.relay.subscriberCount()).toBe(1);
  // The page was never reloaded: the same widget instance reconnected by itself.
  const record = await sandboxRecord(page);
  expect(record.lifecycle.filter((c) => c === 'init')).toHaveLength(1);
  expect(h.pageErrors).toEqual([]);
});
