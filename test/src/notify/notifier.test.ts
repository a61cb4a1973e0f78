import { systemClock } from '../../../src/core/clock';
import { silentLogger } from '../../../src/core/logger';
import type { Logger } from '../../../src/core/logger';
import type { CallChange, CallEvent } from '../../../src/feed/types';
import type { CallerLookup, LookupResult } from '../../../src/lookup/types';
import { createCallNotifier, ENGLISH_NOTIFY_STRINGS } from '../../../src/notify';
import type { CallNotifierDeps } from '../../../src/notify';
import { callEvent, entity, found, internal, notFound, recordingSink } from './fixtures';

/** A lookup whose answers the test releases by hand (or never). */
function manualLookup() {
  const calls: string[] = [];
  const pending: { raw: string; resolve: (r: LookupResult) => void; reject: (e: unknown) => void }[] = [];
  const lookup: CallerLookup = {
    findByNumber(raw) {
      calls.push(raw);
      return new Promise((resolve, reject) => pending.push({ raw, resolve, reject }));
    },
    dispose() {},
  };
  return { lookup, calls, pending };
}

/** A lookup that answers at once (next microtask). */
function instantLookup(result: LookupResult) {
  const calls: string[] = [];
  const lookup: CallerLookup = { findByNumber: async (raw) => (calls.push(raw), result), dispose() {} };
  return { lookup, calls };
}

const state = (call: CallEvent, previous: CallEvent['state'] | null = null): CallChange => ({ kind: 'state', call, previous });
const ring = (o: Partial<CallEvent> = {}) => state(callEvent({ state: 'ringing', ...o }));
const answer = (o: Partial<CallEvent> = {}) => state(callEvent({ state: 'answered', ...o }), 'ringing');
const end = (o: Partial<CallEvent> = {}) => state(callEvent({ state: 'ended', duration: 42, result: 'answered', ...o }), 'answered');
const vanish = (o: Partial<CallEvent> = {}): CallChange => ({ kind: 'vanished', call: callEvent({ state: 'answered', ...o }) });

function setup(overrides: Partial<CallNotifierDeps> & { lookup: CallerLookup }) {
  const sink = recordingSink();
  const notifier = createCallNotifier({
    sink,
    strings: ENGLISH_NOTIFY_STRINGS,
    locale: 'en',
    clock: systemClock,
    logger: silentLogger,
    manager: { id: '504141', name: 'Maria Silva', extension: '101' },
    mode: 'widget',
    ...overrides,
  });
  return { sink, notifier };
}

beforeEach(() => {
  jest.useFakeTimers({ now: Date.UTC(2026, 10, 21, 12, 0, 0) });
});
afterEach(() => {
  jest.useRealTimers();
});

describe('pop-up', () => {
  test('shown once the lookup answers, with the matched name', async () => {
    const { lookup, pending } = manualLookup();
    const { sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(300);
    expect(sink.popups).toHaveLength(0);
    pending[0]?.resolve(found(entity('contact', 42, 'Adam Noah')));
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups).toHaveLength(1);
    expect(sink.popups[0]?.text).toContain('/contacts/detail/42');
    notifier.dispose();
  });

  test('a lookup that never answers: the number alone at 1.5 s, not a moment later, and nothing more after', async () => {
    const { lookup, pending } = manualLookup();
    const { sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(1499);
    expect(sink.popups).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(sink.popups).toEqual([expect.objectContaining({ header: 'Incoming call: +1 (830) 580-3077', text: '+1 (830) 580-3077' })]);
    pending[0]?.resolve(found(entity('contact', 42, 'Adam Noah')));
    await jest.advanceTimersByTimeAsync(5000);
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('the budget is configurable', async () => {
    const { lookup } = manualLookup();
    const { sink, notifier } = setup({ lookup, lookupBudgetMs: 800 });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(800);
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('a rejecting lookup shows the number at once, without waiting out the budget', async () => {
    const { lookup, pending } = manualLookup();
    const { sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    pending[0]?.reject(new Error('boom'));
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups).toHaveLength(1);
    expect(sink.popups[0]?.text).toBe('+1 (830) 580-3077');
    notifier.dispose();
  });

  test('a lookup that throws synchronously: the number at once, handle does not throw', async () => {
    const lookup: CallerLookup = {
      findByNumber: () => {
        throw new Error('sync');
      },
      dispose() {},
    };
    const { sink, notifier } = setup({ lookup });
    expect(() => notifier.handle(ring())).not.toThrow();
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('internal extension: "internal number" pop-up', async () => {
    const { lookup } = instantLookup(internal('204'));
    const { sink, notifier } = setup({ lookup });
    notifier.handle(ring({ phone: '204' }));
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups[0]?.header).toBe('Internal number: 204');
    notifier.dispose();
  });

  test('rang and ended before the lookup answered: no late pop-up, a missed-call notice instead', async () => {
    const { lookup, pending } = manualLookup();
    const { sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(500);
    notifier.handle(end({ result: 'missed', duration: 0 }));
    pending[0]?.resolve(notFound());
    await jest.advanceTimersByTimeAsync(5000);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls.map((c) => c.text)).toEqual(['Missed call from +1 830 580 3077']);
    notifier.dispose();
  });
});

describe('once per call_id', () => {
  test('duplicated and replayed changes: one pop-up, one completed notification, one lookup', async () => {
    const { lookup, calls } = instantLookup(found(entity('contact', 42, 'Adam Noah')));
    const { sink, notifier } = setup({ lookup });
    for (const change of [ring(), ring(), answer(), ring(), answer(), end(), end(), ring(), answer(), end(), vanish()]) {
      notifier.handle(change);
      await jest.advanceTimersByTimeAsync(100);
    }
    await jest.advanceTimersByTimeAsync(20_000);
    expect(sink.popups).toHaveLength(1);
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]).toMatchObject({ text: 'Incoming call from Adam Noah, 0:42', from: 'Adam Noah', to: 'Maria Silva', element: { id: 42, type: 'contact' } });
    expect(calls).toEqual(['+1 (830) 580-3077']);
    notifier.dispose();
  });

  test('different call ids are separate calls', async () => {
    const { lookup } = instantLookup(notFound());
    const { sink, notifier } = setup({ lookup });
    notifier.handle(ring({ callId: 'a' }));
    notifier.handle(ring({ callId: 'b' }));
    await jest.advanceTimersByTimeAsync(0);
    notifier.handle(end({ callId: 'a' }));
    notifier.handle(end({ callId: 'b' }));
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups.map((p) => p.callId)).toEqual(['a', 'b']);
    expect(sink.calls).toHaveLength(2);
    notifier.dispose();
  });

  test('first seen answered: no pop-up, still its completed notification', async () => {
    const { lookup, calls } = instantLookup(notFound());
    const { sink, notifier } = setup({ lookup });
    notifier.handle(answer());
    await jest.advanceTimersByTimeAsync(5000);
    expect(sink.popups).toHaveLength(0);
    notifier.handle(end());
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.calls).toHaveLength(1);
    expect(calls).toHaveLength(1);
    notifier.dispose();
  });

  test('first seen ended: the completed notification only, once the lookup answers', async () => {
    const { lookup, pending } = manualLookup();
    const { sink, notifier } = setup({ lookup });
    notifier.handle(end({ recordingUrl: 'https://pbx.example.com/r/1.mp3' }));
    await jest.advanceTimersByTimeAsync(1000);
    expect(sink.calls).toHaveLength(0);
    pending[0]?.resolve(found(entity('lead', 5, 'Deal'), entity('company', 6, 'Acme')));
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls).toEqual([expect.objectContaining({ from: 'Acme', link: 'https://pbx.example.com/r/1.mp3', element: { id: 5, type: 'lead' } })]);
    notifier.dispose();
  });

  test('ended while the lookup never answers: filed by number after the completed budget', async () => {
    const { lookup } = manualLookup();
    const { sink, notifier } = setup({ lookup, completedBudgetMs: 4000 });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(2000);
    notifier.handle(end());
    await jest.advanceTimersByTimeAsync(3999);
    expect(sink.calls).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(sink.calls).toEqual([expect.objectContaining({ from: '+1 (830) 580-3077', text: 'Incoming call from +1 (830) 580-3077, 0:42' })]);
    expect(sink.calls[0]?.element).toBeUndefined();
    notifier.dispose();
  });

  test('vanished: nothing more, even an ended replay or a late lookup answer', async () => {
    const { lookup, pending } = manualLookup();
    const { sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    notifier.handle(vanish());
    pending[0]?.resolve(notFound());
    await jest.advanceTimersByTimeAsync(0);
    notifier.handle(end());
    await jest.advanceTimersByTimeAsync(20_000);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls).toHaveLength(0);
    expect(jest.getTimerCount()).toBe(0);
    notifier.dispose();
  });

  test('the manager is named by the extension the call rang on when the user has no name', async () => {
    const { lookup } = instantLookup(notFound());
    const { sink, notifier } = setup({ lookup, manager: { id: '1', extension: '101' } });
    notifier.handle(end({ extension: '105' }));
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.calls[0]?.to).toBe('105');
    notifier.dispose();
  });
});

describe('memory and handover', () => {
  test('notifiedIds lists finished calls, not the ones in progress', async () => {
    const { lookup } = instantLookup(notFound());
    const { notifier } = setup({ lookup });
    notifier.handle(ring({ callId: 'active' }));
    notifier.handle(end({ callId: 'done' }));
    notifier.handle(ring({ callId: 'gone' }));
    notifier.handle(vanish({ callId: 'gone' }));
    await jest.advanceTimersByTimeAsync(0);
    expect(notifier.notifiedIds().sort()).toEqual(['done', 'gone']);
    notifier.dispose();
  });

  test('finished ids are forgotten after rememberMs, and at most maxRemembered are kept', async () => {
    const { lookup } = instantLookup(notFound());
    const { notifier } = setup({ lookup, rememberMs: 60_000, maxRemembered: 3 });
    for (const id of ['a', 'b', 'c', 'd']) notifier.handle(end({ callId: id }));
    await jest.advanceTimersByTimeAsync(0);
    expect(notifier.notifiedIds()).toEqual(['b', 'c', 'd']);
    await jest.advanceTimersByTimeAsync(60_000);
    expect(notifier.notifiedIds()).toEqual([]);
    notifier.dispose();
  });

  test('remembered ids from a previous leader: no pop-up; an ended replay files nothing; a call still active is filed', async () => {
    const { lookup } = instantLookup(notFound());
    const { sink, notifier } = setup({ lookup });
    notifier.remember(['filed', 'talking', 'ringing']);
    notifier.handle(end({ callId: 'filed' }));
    notifier.handle(answer({ callId: 'talking' }));
    notifier.handle(ring({ callId: 'ringing' }));
    await jest.advanceTimersByTimeAsync(2000);
    notifier.handle(end({ callId: 'talking' }));
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls).toHaveLength(1);
    expect(notifier.notifiedIds()).toEqual(expect.arrayContaining(['filed', 'talking']));
    notifier.dispose();
  });

  test('remember ignores junk', () => {
    const { lookup } = instantLookup(notFound());
    const { notifier } = setup({ lookup });
    notifier.remember(['', 3 as never, null as never, 'ok']);
    notifier.remember('x' as never);
    expect(notifier.notifiedIds()).toEqual(['ok']);
    notifier.dispose();
  });

  test('dispose clears every timer; late answers show nothing', async () => {
    const { lookup, pending } = manualLookup();
    const { sink, notifier } = setup({ lookup });
    notifier.handle(ring({ callId: 'a' }));
    notifier.handle(end({ callId: 'b' }));
    expect(jest.getTimerCount()).toBe(2);
    notifier.dispose();
    expect(jest.getTimerCount()).toBe(0);
    for (const p of pending) p.resolve(notFound());
    await jest.advanceTimersByTimeAsync(20_000);
    notifier.handle(ring({ callId: 'c' }));
    await jest.advanceTimersByTimeAsync(20_000);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls).toHaveLength(0);
  });

  test('more calls at once than maxActive: the oldest is dropped, its timers cleared', async () => {
    const { lookup } = manualLookup();
    const { notifier } = setup({ lookup, maxActive: 2 });
    notifier.handle(ring({ callId: 'a' }));
    notifier.handle(ring({ callId: 'b' }));
    notifier.handle(ring({ callId: 'c' }));
    expect(jest.getTimerCount()).toBe(2);
    expect(notifier.notifiedIds()).toEqual(['a']);
    notifier.dispose();
  });
});

describe('never throws into the page', () => {
  test('a throwing sink is logged; the next call still works', async () => {
    const { lookup } = instantLookup(notFound());
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (m) => void errors.push(m) };
    let popups = 0;
    const notifier = createCallNotifier({
      lookup,
      sink: {
        showPopup: () => {
          popups++;
          throw new Error('host');
        },
        addCall: () => {
          throw new Error('host');
        },
      },
      strings: ENGLISH_NOTIFY_STRINGS,
      locale: 'en',
      clock: systemClock,
      logger,
      manager: { id: '1', extension: '101' },
      mode: 'widget',
    });
    notifier.handle(ring({ callId: 'a' }));
    notifier.handle(end({ callId: 'b' }));
    await jest.advanceTimersByTimeAsync(0);
    notifier.handle(ring({ callId: 'c' }));
    await jest.advanceTimersByTimeAsync(0);
    expect(popups).toBe(2);
    expect(errors).toHaveLength(3);
    notifier.dispose();
  });

  test('a malformed lookup answer (a bug) is logged, never thrown into the page, and leaves no timer', async () => {
    const errors: string[] = [];
    const logger: Logger = { ...silentLogger, error: (m) => void errors.push(m) };
    const { lookup } = instantLookup({ kind: 'found' } as never);
    const { sink, notifier } = setup({ lookup, logger });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(0);
    notifier.handle(end());
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups).toHaveLength(0);
    expect(errors.length).toBeGreaterThanOrEqual(1);
    expect(jest.getTimerCount()).toBe(0);
    notifier.dispose();
  });

  test('malformed changes are dropped', () => {
    const { lookup, calls } = instantLookup(notFound());
    const { notifier } = setup({ lookup });
    expect(() => notifier.handle({ kind: 'state' } as never)).not.toThrow();
    expect(() => notifier.handle(null as never)).not.toThrow();
    expect(() => notifier.handle({ kind: 'state', call: { callId: '' } } as never)).not.toThrow();
    expect(calls).toHaveLength(0);
    notifier.dispose();
  });
});

describe('events mode', () => {
  test('POSTs /api/v2/events once instead of the pop-up; the completed notification still comes', async () => {
    const { lookup } = instantLookup(notFound());
    const bodies: unknown[] = [];
    const { sink, notifier } = setup({ lookup, mode: 'events', postEvent: async (body) => void bodies.push(body) });
    notifier.handle(ring());
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(0);
    notifier.handle(end());
    await jest.advanceTimersByTimeAsync(0);
    expect(bodies).toEqual([{ add: [{ type: 'phone_call', phone_number: '+18305803077', users: [504141] }] }]);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls).toHaveLength(1);
    notifier.dispose();
  });

  test('a failed POST falls back to the widget pop-up, once', async () => {
    const { lookup } = instantLookup(found(entity('contact', 42, 'Adam Noah')));
    let posts = 0;
    const { sink, notifier } = setup({
      lookup,
      mode: 'events',
      postEvent: () => {
        posts++;
        return Promise.reject(new Error('403'));
      },
    });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(0);
    notifier.handle(ring());
    notifier.handle(answer());
    await jest.advanceTimersByTimeAsync(5000);
    expect(posts).toBe(1);
    expect(sink.popups).toHaveLength(1);
    expect(sink.popups[0]?.text).toContain('Adam Noah');
    notifier.dispose();
  });

  test('a POST that throws synchronously falls back too', async () => {
    const { lookup } = instantLookup(notFound());
    const { sink, notifier } = setup({
      lookup,
      mode: 'events',
      postEvent: () => {
        throw new Error('sync');
      },
    });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('the lookup not answering within the budget: the POST carries the raw number at 1.5 s', async () => {
    const { lookup } = manualLookup();
    const bodies: unknown[] = [];
    const { notifier } = setup({ lookup, mode: 'events', postEvent: async (body) => void bodies.push(body) });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(1499);
    expect(bodies).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(bodies).toEqual([{ add: [{ type: 'phone_call', phone_number: '+1 (830) 580-3077', users: [504141] }] }]);
    notifier.dispose();
  });

  test('an internal number is not posted: the widget pop-up says it', async () => {
    const { lookup } = instantLookup(internal('204'));
    const post = jest.fn(async () => {});
    const { sink, notifier } = setup({ lookup, mode: 'events', postEvent: post });
    notifier.handle(ring({ phone: '204' }));
    await jest.advanceTimersByTimeAsync(0);
    expect(post).not.toHaveBeenCalled();
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('events mode without a poster: the widget pop-up', async () => {
    const { lookup } = instantLookup(notFound());
    const { sink, notifier } = setup({ lookup, mode: 'events' });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('a POST failing after dispose shows nothing', async () => {
    const { lookup } = instantLookup(notFound());
    let reject: (e: unknown) => void = () => {};
    const { sink, notifier } = setup({ lookup, mode: 'events', postEvent: () => new Promise<void>((_, r) => (reject = r)) });
    notifier.handle(ring());
    await jest.advanceTimersByTimeAsync(0);
    notifier.dispose();
    reject(new Error('late'));
    await jest.advanceTimersByTimeAsync(0);
    expect(sink.popups).toHaveLength(0);
  });
});
