/**
 * Each layer that keeps a call to one pop-up and one completed notification, on its own: every
 * test here fails when only its layer is taken out (the others cannot make up for it).
 */
import { NOTIFY_TIMING } from '../../../src/notify';
import { entity, found, notFound } from './fixtures';
import { answer, end, instantLookup, manualLookup, ring, setup } from './notifier-harness';

test('a call in progress is tracked once: ringing repeated while the lookup runs asks once and pops up once', async () => {
  const { lookup, calls, pending } = manualLookup();
  const { clock, sink, notifier } = setup({ lookup });
  notifier.handle(ring());
  await clock.advance(200);
  notifier.handle(ring());
  notifier.handle(answer());
  notifier.handle(ring());
  for (const p of pending) p.resolve(found(entity('contact', 42, 'Adam Noah')));
  await clock.advance(NOTIFY_TIMING.popupBudgetMs * 2);
  expect(calls).toHaveLength(1);
  expect(sink.popups).toHaveLength(1);
  notifier.dispose();
});

test('the pop-up is decided once: the lookup answering after the budget changes nothing', async () => {
  const { lookup, pending } = manualLookup();
  const { clock, sink, notifier } = setup({ lookup });
  notifier.handle(ring());
  await clock.advance(NOTIFY_TIMING.popupBudgetMs);
  expect(sink.popups).toHaveLength(1);
  pending[0]?.resolve(found(entity('contact', 42, 'Adam Noah')));
  await clock.advance(0);
  expect(sink.popups).toHaveLength(1);
  notifier.dispose();
});

describe('a repeated `ended` while the lookup is still pending', () => {
  test('the lookup then answers: filed once, with the caller', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    notifier.handle(end());
    await clock.advance(1000);
    notifier.handle(end());
    pending[0]?.resolve(found(entity('contact', 42, 'Adam Noah')));
    await clock.advance(NOTIFY_TIMING.filingBudgetMs * 2);
    expect(sink.calls).toEqual([expect.objectContaining({ from: 'Adam Noah' })]);
    notifier.dispose();
  });

  test('the lookup never answers: filed once, by number, the budget counted from the first `ended`', async () => {
    const { lookup } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    notifier.handle(end());
    await clock.advance(3000);
    notifier.handle(end());
    await clock.advance(NOTIFY_TIMING.filingBudgetMs - 3000);
    expect(sink.calls).toEqual([expect.objectContaining({ from: '+1 (830) 580-3077' })]);
    await clock.advance(NOTIFY_TIMING.filingBudgetMs * 2);
    expect(sink.calls).toHaveLength(1);
    expect(clock.pendingTimers).toBe(0);
    notifier.dispose();
  });
});

test('a filed call stays filed: replays of it after the fact file nothing and pop up nothing', async () => {
  const { lookup, calls } = instantLookup(notFound());
  const { clock, sink, notifier } = setup({ lookup });
  notifier.handle(end());
  await clock.advance(0);
  expect(sink.calls).toHaveLength(1);
  notifier.handle(end());
  notifier.handle(ring());
  notifier.handle(answer());
  notifier.handle(end());
  await clock.advance(NOTIFY_TIMING.filingBudgetMs * 2);
  expect(sink.calls).toHaveLength(1);
  expect(sink.popups).toHaveLength(0);
  expect(calls).toHaveLength(1);
  notifier.dispose();
});

describe('handed over by a previous leader', () => {
  test('an id it filed: its `ended` replay files nothing, its ringing replay pops up nothing', async () => {
    const { lookup } = instantLookup(notFound());
    const { clock, sink, notifier } = setup({ lookup });
    notifier.remember(['filed', 'shown']);
    notifier.handle(end({ callId: 'filed' }));
    notifier.handle(ring({ callId: 'shown' }));
    await clock.advance(NOTIFY_TIMING.popupBudgetMs * 2);
    expect(sink.calls).toHaveLength(0);
    expect(sink.popups).toHaveLength(0);
    notifier.dispose();
  });

  test('an id handed over while this notifier waits to pop it up: the pop-up is called off, the end still filed', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    await clock.advance(100);
    notifier.remember(['c1']);
    pending[0]?.resolve(notFound());
    await clock.advance(NOTIFY_TIMING.popupBudgetMs * 2);
    expect(sink.popups).toHaveLength(0);
    notifier.handle(end());
    await clock.advance(0);
    expect(sink.calls).toHaveLength(1);
    notifier.dispose();
  });
});
