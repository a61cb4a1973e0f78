/** A caller the lookup already knows (lookup.peek): the pop-up is shown in the ringing change's own call, no promise awaited. */
import type { CallerLookup, LookupResult } from '../../../src/lookup/types';
import { entity, found } from './fixtures';
import { end, recordingLog, ring, setup } from './notifier-harness';

/** A lookup whose peek answers `cached` (or throws), and whose findByNumber is counted and never answers. */
function cachedLookup(cached: () => LookupResult | undefined) {
  const asked: string[] = [];
  const lookup: CallerLookup = {
    peek: cached,
    findByNumber: (raw) => (asked.push(raw), new Promise<LookupResult>(() => undefined)),
    dispose() {},
  };
  return { lookup, asked };
}

test('a cached caller pops synchronously, with the name, leaving no budget timer and no lookup', () => {
  const { lookup, asked } = cachedLookup(() => found(entity('contact', 42, 'Adam Noah')));
  const { clock, sink, notifier } = setup({ lookup });
  notifier.handle(ring());
  expect(sink.popups).toHaveLength(1);
  expect(sink.popups[0]?.text).toContain('/contacts/detail/42');
  expect(asked).toEqual([]);
  expect(clock.pendingTimers).toBe(0);
  notifier.handle(ring());
  expect(sink.popups).toHaveLength(1);
  notifier.dispose();
});

test('the completed call names the cached caller too', async () => {
  const { lookup } = cachedLookup(() => found(entity('contact', 42, 'Adam Noah')));
  const { clock, sink, notifier } = setup({ lookup });
  notifier.handle(ring());
  notifier.handle(end());
  await clock.advance(0);
  expect(sink.calls).toEqual([expect.objectContaining({ from: 'Adam Noah', element: { id: 42, type: 'contact' } })]);
  notifier.dispose();
});

test('peek misses: findByNumber is asked and the pop-up waits for it', () => {
  const { lookup, asked } = cachedLookup(() => undefined);
  const { sink, notifier } = setup({ lookup });
  notifier.handle(ring({ phone: '+18305803077' }));
  expect(asked).toEqual(['+18305803077']);
  expect(sink.popups).toHaveLength(0);
  notifier.dispose();
});

test('a throwing peek is logged and findByNumber is asked instead', () => {
  const { lookup, asked } = cachedLookup(() => {
    throw new Error('bug');
  });
  const logger = recordingLog();
  const { sink, notifier } = setup({ lookup, logger });
  notifier.handle(ring());
  expect(logger.warnings).toEqual(['notify: lookup peek threw']);
  expect(asked).toHaveLength(1);
  expect(sink.popups).toHaveLength(0);
  notifier.dispose();
});
