/** Every documented constant of the notifier, at both edges: just under it, and at it. */
import { ENGLISH_NOTIFY_STRINGS, NOTIFY_LIMITS, NOTIFY_TIMING } from '../../../src/notify';
import { notFound } from './fixtures';
import { end, instantLookup, manualLookup, ring, setup } from './notifier-harness';

test('the pop-up waits for the lookup 1.4 s, then shows the number and that the CRM is slow', async () => {
  expect(NOTIFY_TIMING.popupBudgetMs).toBe(1400);
  const { lookup } = manualLookup();
  const { clock, sink, notifier } = setup({ lookup });
  notifier.handle(ring());
  await clock.advance(1399);
  expect(sink.popups).toHaveLength(0);
  await clock.advance(1);
  expect(sink.popups).toEqual([expect.objectContaining({ header: 'Incoming call: +1 (830) 580-3077', text: ENGLISH_NOTIFY_STRINGS.lookup_slow })]);
  notifier.dispose();
});

test('an ended call waits 10 s for its lookup, then is filed by number', async () => {
  expect(NOTIFY_TIMING.filingBudgetMs).toBe(10_000);
  const { lookup } = manualLookup();
  const { clock, sink, notifier } = setup({ lookup });
  notifier.handle(end());
  await clock.advance(9999);
  expect(sink.calls).toHaveLength(0);
  await clock.advance(1);
  expect(sink.calls).toEqual([expect.objectContaining({ from: '+1 (830) 580-3077' })]);
  notifier.dispose();
});

test('a finished call id is remembered 10 minutes: a replay just before is ignored, one at 10 minutes is a new call', async () => {
  expect(NOTIFY_TIMING.rememberMs).toBe(600_000);
  const { lookup } = instantLookup(notFound());
  const { clock, sink, notifier } = setup({ lookup });
  notifier.handle(end());
  await clock.advance(599_999);
  expect(notifier.notifiedIds()).toEqual(['c1']);
  notifier.handle(end());
  await clock.advance(0);
  expect(sink.calls).toHaveLength(1);
  await clock.advance(1);
  expect(notifier.notifiedIds()).toEqual([]);
  notifier.handle(end());
  await clock.advance(0);
  expect(sink.calls).toHaveLength(2);
  notifier.dispose();
});

test('a handed-over id is remembered 10 minutes too', async () => {
  const { lookup } = instantLookup(notFound());
  const { clock, notifier } = setup({ lookup });
  notifier.remember(['old']);
  await clock.advance(599_999);
  expect(notifier.notifiedIds()).toEqual(['old']);
  await clock.advance(1);
  expect(notifier.notifiedIds()).toEqual([]);
  notifier.dispose();
});

test('at most 1000 finished ids are remembered: the 1001st forgets the oldest, whose replay is then a new call', async () => {
  expect(NOTIFY_LIMITS.maxRemembered).toBe(1000);
  const { lookup } = instantLookup(notFound());
  const { clock, sink, notifier } = setup({ lookup });
  for (let i = 0; i < 1000; i++) {
    notifier.handle(end({ callId: `c${i}` }));
    await clock.advance(0);
  }
  expect(notifier.notifiedIds()).toHaveLength(1000);
  notifier.handle(end({ callId: 'c0' }));
  await clock.advance(0);
  expect(sink.calls).toHaveLength(1000);
  notifier.handle(end({ callId: 'c1000' }));
  await clock.advance(0);
  const ids = notifier.notifiedIds();
  expect(ids).toHaveLength(1000);
  expect(ids[0]).toBe('c1');
  expect(ids).not.toContain('c0');
  notifier.handle(end({ callId: 'c0' }));
  await clock.advance(0);
  expect(sink.calls).toHaveLength(1002);
  notifier.dispose();
});

test('at most 200 calls are tracked at once: the 201st forgets the oldest and clears its timer', async () => {
  expect(NOTIFY_LIMITS.maxActive).toBe(200);
  const { lookup } = manualLookup();
  const { clock, sink, notifier } = setup({ lookup });
  for (let i = 0; i < 200; i++) notifier.handle(ring({ callId: `c${i}` }));
  expect(clock.pendingTimers).toBe(200);
  expect(notifier.notifiedIds()).toEqual([]);
  notifier.handle(ring({ callId: 'c200' }));
  expect(clock.pendingTimers).toBe(200);
  expect(notifier.notifiedIds()).toEqual(['c0']);
  await clock.advance(NOTIFY_TIMING.popupBudgetMs);
  expect(sink.popups).toHaveLength(200);
  expect(sink.popups.map((p) => p.callId)).not.toContain('c0');
  notifier.dispose();
});
