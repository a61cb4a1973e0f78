import type { CallerLookup } from '../../../src/lookup/types';
import { createCallNotifier, ENGLISH_NOTIFY_STRINGS, NOTIFY_TIMING } from '../../../src/notify';
import { createManualClock } from '../../support/stepped-clock';
import { entity, found, internal, notFound, CALL_BACK } from './fixtures';
import { answer, end, instantLookup, manualLookup, recordingLog, ring, setup, vanish } from './notifier-harness';

const BUDGET = NOTIFY_TIMING.popupBudgetMs;

describe('pop-up', () => {
  test('shown once the lookup answers, with the matched name', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    await clock.advance(300);
    expect(sink.popups).toHaveLength(0);
    pending[0]?.resolve(found(entity('contact', 42, 'Adam Noah')));
    await clock.advance(0);
    expect(sink.popups).toHaveLength(1);
    expect(sink.popups[0]?.text).toContain('/contacts/detail/42');
    expect(clock.pendingTimers).toBe(0);
    notifier.dispose();
  });

  test('a lookup that never answers: at the budget the number (header) and that the CRM is slow, and nothing more after', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    await clock.advance(BUDGET);
    expect(sink.popups).toEqual([expect.objectContaining({ header: 'Incoming call: +1 (830) 580-3077', text: ENGLISH_NOTIFY_STRINGS.lookup_slow })]);
    pending[0]?.resolve(found(entity('contact', 42, 'Adam Noah')));
    await clock.advance(5000);
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('the budget can be lined up with a lookup timeout', async () => {
    const { lookup } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup, lookupBudgetMs: 800 });
    notifier.handle(ring());
    await clock.advance(799);
    expect(sink.popups).toHaveLength(0);
    await clock.advance(1);
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('a rejecting lookup shows the number at once, without waiting out the budget, as a failed lookup (not a slow one)', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    pending[0]?.reject(new Error('boom'));
    await clock.advance(0);
    expect(sink.popups).toHaveLength(1);
    expect(sink.popups[0]?.header).toBe('Incoming call: +1 (830) 580-3077');
    expect(sink.popups[0]?.text).toBe(ENGLISH_NOTIFY_STRINGS.lookup_failed);
    notifier.dispose();
  });

  test('a lookup that throws synchronously: the number at once, handle does not throw', async () => {
    const lookup: CallerLookup = {
      findByNumber: () => {
        throw new Error('sync');
      },
      dispose() {},
    };
    const { clock, sink, notifier } = setup({ lookup });
    expect(() => notifier.handle(ring())).not.toThrow();
    await clock.advance(0);
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('internal extension: "extension 204" pop-up', async () => {
    const { lookup } = instantLookup(internal('204'));
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring({ phone: '204' }));
    await clock.advance(0);
    expect(sink.popups[0]?.header).toBe('Incoming call: extension 204');
    expect(sink.popups[0]?.text).toBe('Internal call');
    notifier.dispose();
  });

  test('rang and ended before the lookup answered: no late ringing pop-up; a missed-call pop-up with Call back, and the notice', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    await clock.advance(500);
    notifier.handle(end({ result: 'missed', duration: 0 }));
    pending[0]?.resolve(notFound());
    await clock.advance(5000);
    expect(sink.popups).toEqual([{ callId: 'c1:missed', header: 'Missed call: +1 830 580 3077', text: CALL_BACK('+18305803077').slice(4), date: expect.any(Number) }]);
    expect(sink.calls.map((c) => c.text)).toEqual([`Missed call from +1 830 580 3077${CALL_BACK('+18305803077')}`]);
    notifier.dispose();
  });
});

describe('once per call_id', () => {
  test('duplicated and replayed changes: one pop-up, one completed notification, one lookup', async () => {
    const { lookup, calls } = instantLookup(found(entity('contact', 42, 'Adam Noah')));
    const { clock, sink, notifier } = setup({ lookup });
    for (const change of [ring(), ring(), answer(), ring(), answer(), end(), end(), ring(), answer(), end(), vanish()]) {
      notifier.handle(change);
      await clock.advance(100);
    }
    await clock.advance(20_000);
    expect(sink.popups).toHaveLength(1);
    expect(sink.calls).toHaveLength(1);
    expect(sink.calls[0]).toMatchObject({ text: `Incoming call from Adam Noah, 0:42${CALL_BACK('+18305803077')}`, from: 'Adam Noah', to: 'Maria Silva', element: { id: 42, type: 'contact' } });
    expect(calls).toEqual(['+1 (830) 580-3077']);
    notifier.dispose();
  });

  test('different call ids are separate calls', async () => {
    const { lookup } = instantLookup(notFound());
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring({ callId: 'a' }));
    notifier.handle(ring({ callId: 'b' }));
    await clock.advance(0);
    notifier.handle(end({ callId: 'a' }));
    notifier.handle(end({ callId: 'b' }));
    await clock.advance(0);
    expect(sink.popups.map((p) => p.callId)).toEqual(['a', 'b']);
    expect(sink.calls.map((c) => c.callId)).toEqual(['a', 'b']);
    notifier.dispose();
  });

  test('first seen answered: no pop-up, still its completed notification', async () => {
    const { lookup, calls } = instantLookup(notFound());
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(answer());
    await clock.advance(5000);
    expect(sink.popups).toHaveLength(0);
    notifier.handle(end());
    await clock.advance(0);
    expect(sink.calls).toHaveLength(1);
    expect(calls).toHaveLength(1);
    notifier.dispose();
  });

  test('first seen ended: the completed notification only, once the lookup answers', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(end({ recordingUrl: 'https://pbx.example.com/r/1.mp3' }));
    await clock.advance(1000);
    expect(sink.calls).toHaveLength(0);
    pending[0]?.resolve(found(entity('lead', 5, 'Deal'), entity('company', 6, 'Acme')));
    await clock.advance(0);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls).toEqual([expect.objectContaining({ from: 'Acme', link: 'https://pbx.example.com/r/1.mp3', element: { id: 5, type: 'lead' } })]);
    expect(clock.pendingTimers).toBe(0);
    notifier.dispose();
  });

  test('ended while the lookup never answers: filed by number, without an element, after the filing budget', async () => {
    const { lookup } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    await clock.advance(2000);
    notifier.handle(end());
    await clock.advance(NOTIFY_TIMING.filingBudgetMs);
    // The lookup never answered: Call back dials the PBX's own digits (the dialer normalises them).
    expect(sink.calls).toEqual([expect.objectContaining({ from: '+1 (830) 580-3077', text: `Incoming call from +1 (830) 580-3077, 0:42${CALL_BACK('+1 (830) 580-3077')}` })]);
    expect(sink.calls[0]?.element).toBeUndefined();
    notifier.dispose();
  });

  test('vanished: nothing more, even an ended replay or a late lookup answer', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    notifier.handle(vanish());
    pending[0]?.resolve(notFound());
    await clock.advance(0);
    notifier.handle(end());
    await clock.advance(20_000);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls).toHaveLength(0);
    expect(clock.pendingTimers).toBe(0);
    notifier.dispose();
  });

  test('vanished while its filing waits for the lookup: still filed once the lookup answers', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.handle(ring());
    notifier.handle(end());
    notifier.handle(vanish());
    pending[0]?.resolve(notFound());
    await clock.advance(0);
    expect(sink.calls).toHaveLength(1);
    notifier.dispose();
  });

  test('the manager is named by the extension the call rang on when the user has no name', async () => {
    const { lookup } = instantLookup(notFound());
    const { clock, sink, notifier } = setup({ lookup, manager: { id: '1', extension: '101' } });
    notifier.handle(end({ extension: '105' }));
    await clock.advance(0);
    expect(sink.calls[0]?.to).toBe('105');
    notifier.dispose();
  });
});

describe('memory and handover', () => {
  test('notifiedIds lists finished calls, not the ones in progress', async () => {
    const { lookup } = instantLookup(notFound());
    const { clock, notifier } = setup({ lookup });
    notifier.handle(ring({ callId: 'active' }));
    notifier.handle(end({ callId: 'done' }));
    notifier.handle(ring({ callId: 'gone' }));
    notifier.handle(vanish({ callId: 'gone' }));
    await clock.advance(0);
    expect(notifier.notifiedIds().sort()).toEqual(['done', 'gone']);
    notifier.dispose();
  });

  test('remembered ids from a previous leader: no pop-up; an ended replay files nothing; a call still active is filed', async () => {
    const { lookup } = instantLookup(notFound());
    const { clock, sink, notifier } = setup({ lookup });
    notifier.remember(['filed', 'talking', 'ringing']);
    notifier.handle(end({ callId: 'filed' }));
    notifier.handle(answer({ callId: 'talking' }));
    notifier.handle(ring({ callId: 'ringing' }));
    await clock.advance(2000);
    notifier.handle(end({ callId: 'talking' }));
    await clock.advance(0);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls.map((c) => c.callId)).toEqual(['talking']);
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

  test('dispose clears every timer; late answers show nothing; the filed ids stay listed for the next leader', async () => {
    const { lookup, pending } = manualLookup();
    const { clock, sink, notifier } = setup({ lookup });
    notifier.remember(['old']);
    notifier.handle(ring({ callId: 'a' }));
    notifier.handle(end({ callId: 'b' }));
    expect(clock.pendingTimers).toBe(2);
    notifier.dispose();
    expect(clock.pendingTimers).toBe(0);
    for (const p of pending) p.resolve(notFound());
    await clock.advance(20_000);
    notifier.handle(ring({ callId: 'c' }));
    notifier.remember(['d']);
    await clock.advance(20_000);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls).toHaveLength(0);
    expect(notifier.notifiedIds()).toEqual(['old']);
  });
});

describe('never throws into the page', () => {
  test('a throwing sink is logged; the next call still works', async () => {
    const { lookup } = instantLookup(notFound());
    const logger = recordingLog();
    const clock = createManualClock();
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
      clock,
      logger,
      manager: { id: '1', extension: '101' },
      mode: 'widget',
    });
    notifier.handle(ring({ callId: 'a' }));
    notifier.handle(end({ callId: 'b' }));
    await clock.advance(0);
    notifier.handle(ring({ callId: 'c' }));
    await clock.advance(0);
    expect(popups).toBe(2);
    expect(logger.errors).toHaveLength(3);
    notifier.dispose();
  });

  test('a malformed lookup answer (a bug) is logged, never thrown into the page, and leaves no timer', async () => {
    const logger = recordingLog();
    const { lookup } = instantLookup({ kind: 'found' } as never);
    const { clock, sink, notifier } = setup({ lookup, logger });
    notifier.handle(ring());
    await clock.advance(0);
    notifier.handle(end());
    await clock.advance(0);
    expect(sink.popups).toHaveLength(0);
    expect(logger.errors.length).toBeGreaterThanOrEqual(1);
    expect(clock.pendingTimers).toBe(0);
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
    const { clock, sink, notifier } = setup({ lookup, mode: 'events', postEvent: async (body) => void bodies.push(body) });
    notifier.handle(ring());
    notifier.handle(ring());
    await clock.advance(0);
    notifier.handle(end());
    await clock.advance(0);
    expect(bodies).toEqual([{ add: [{ type: 'phone_call', phone_number: '+18305803077', users: [504141] }] }]);
    expect(sink.popups).toHaveLength(0);
    expect(sink.calls).toHaveLength(1);
    notifier.dispose();
  });

  test('a failed POST falls back to the widget pop-up, once, with the matched name', async () => {
    const { lookup } = instantLookup(found(entity('contact', 42, 'Adam Noah')));
    const logger = recordingLog();
    let posts = 0;
    const { clock, sink, notifier } = setup({
      lookup,
      logger,
      mode: 'events',
      postEvent: () => {
        posts++;
        return Promise.reject(new Error('403'));
      },
    });
    notifier.handle(ring());
    await clock.advance(0);
    notifier.handle(ring());
    notifier.handle(answer());
    await clock.advance(5000);
    expect(posts).toBe(1);
    expect(sink.popups).toHaveLength(1);
    expect(sink.popups[0]?.text).toContain('Adam Noah');
    expect(logger.warnings).toEqual(['notify: event post failed; pop-up instead']);
    notifier.dispose();
  });

  test('a POST that throws synchronously falls back too', async () => {
    const { lookup } = instantLookup(notFound());
    const { clock, sink, notifier } = setup({
      lookup,
      mode: 'events',
      postEvent: () => {
        throw new Error('sync');
      },
    });
    notifier.handle(ring());
    await clock.advance(0);
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('the lookup not answering within the budget: the POST carries the raw number at the budget', async () => {
    const { lookup } = manualLookup();
    const bodies: unknown[] = [];
    const { clock, notifier } = setup({ lookup, mode: 'events', postEvent: async (body) => void bodies.push(body) });
    notifier.handle(ring());
    await clock.advance(BUDGET - 1);
    expect(bodies).toHaveLength(0);
    await clock.advance(1);
    expect(bodies).toEqual([{ add: [{ type: 'phone_call', phone_number: '+1 (830) 580-3077', users: [504141] }] }]);
    notifier.dispose();
  });

  test('an internal number is not posted: the widget pop-up says it', async () => {
    const { lookup } = instantLookup(internal('204'));
    const post = jest.fn(async () => {});
    const { clock, sink, notifier } = setup({ lookup, mode: 'events', postEvent: post });
    notifier.handle(ring({ phone: '204' }));
    await clock.advance(0);
    expect(post).not.toHaveBeenCalled();
    expect(sink.popups).toHaveLength(1);
    notifier.dispose();
  });

  test('events mode without a poster: the widget pop-up, and a warning', async () => {
    const { lookup } = instantLookup(notFound());
    const logger = recordingLog();
    const { clock, sink, notifier } = setup({ lookup, logger, mode: 'events' });
    notifier.handle(ring());
    await clock.advance(0);
    expect(sink.popups).toHaveLength(1);
    expect(logger.warnings).toEqual(['notify: no way to post events; pop-up instead']);
    notifier.dispose();
  });

  test('a POST failing after dispose shows nothing', async () => {
    const { lookup } = instantLookup(notFound());
    let reject: (e: unknown) => void = () => {};
    const { clock, sink, notifier } = setup({ lookup, mode: 'events', postEvent: () => new Promise<void>((_, r) => (reject = r)) });
    notifier.handle(ring());
    await clock.advance(0);
    notifier.dispose();
    reject(new Error('late'));
    await clock.advance(0);
    expect(sink.popups).toHaveLength(0);
  });
});
