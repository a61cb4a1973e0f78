import { createCallTracker } from '../../../src/feed';
import type { CallEvent, CallState } from '../../../src/feed';
import { ManualClock } from './support';

function call(callId: string, state: CallState, extension = '101'): CallEvent {
  return { callId, state, direction: 'inbound', phone: '+14155550100', extension, at: 0 };
}

describe('CallTracker', () => {
  test('states move forward only; repeats and late states produce nothing', () => {
    const tracker = createCallTracker({ clock: new ManualClock() });
    expect(tracker.apply({ events: [call('a', 'ringing')], complete: false })).toEqual([{ kind: 'state', call: call('a', 'ringing'), previous: null, leg: 'a' }]);
    expect(tracker.apply({ events: [call('a', 'ringing')], complete: false })).toEqual([]);
    expect(tracker.apply({ events: [call('a', 'answered')], complete: false })).toEqual([{ kind: 'state', call: call('a', 'answered'), previous: 'ringing', leg: 'a' }]);
    expect(tracker.apply({ events: [call('a', 'ringing')], complete: false })).toEqual([]);
    expect(tracker.apply({ events: [call('a', 'ended')], complete: false })).toEqual([{ kind: 'state', call: call('a', 'ended'), previous: 'answered', leg: 'a' }]);
    expect(tracker.apply({ events: [call('a', 'answered'), call('a', 'ended')], complete: false })).toEqual([]);
    expect(tracker.active()).toEqual([]);
  });

  test('a call may be first seen in any state, and skip a state', () => {
    const tracker = createCallTracker({ clock: new ManualClock() });
    expect(tracker.apply({ events: [call('a', 'answered'), call('b', 'ended')], complete: false }).map((c) => c.kind === 'state' && c.previous)).toEqual([null, null]);
    expect(tracker.apply({ events: [call('a', 'ended')], complete: false })).toEqual([{ kind: 'state', call: call('a', 'ended'), previous: 'answered', leg: 'a' }]);
  });

  test('poll diff: a complete batch without a call that never ended reports it vanished, once', () => {
    const tracker = createCallTracker({ clock: new ManualClock() });
    tracker.apply({ events: [call('a', 'ringing'), call('b', 'ringing')], complete: true });
    const changes = tracker.apply({ events: [call('a', 'answered')], complete: true });
    expect(changes).toEqual([
      { kind: 'state', call: call('a', 'answered'), previous: 'ringing', leg: 'a' },
      { kind: 'vanished', call: call('b', 'ringing'), leg: 'b' },
    ]);
    expect(tracker.apply({ events: [call('a', 'answered')], complete: true })).toEqual([]);
    // b is over: it does not come back as a new call, nor get an `ended` after vanishing.
    expect(tracker.apply({ events: [call('b', 'ended')], complete: false })).toEqual([]);
    expect(tracker.active()).toEqual([call('a', 'answered')]);
  });

  test('an incomplete batch (a single WebSocket call frame) never vanishes anything', () => {
    const tracker = createCallTracker({ clock: new ManualClock() });
    tracker.apply({ events: [call('a', 'ringing')], complete: true });
    expect(tracker.apply({ events: [call('b', 'ringing')], complete: false })).toHaveLength(1);
    expect(tracker.active().map((c) => c.callId)).toEqual(['a', 'b']);
  });

  test('a snapshot after reconnect that repeats what was seen produces nothing', () => {
    const tracker = createCallTracker({ clock: new ManualClock() });
    tracker.apply({ events: [call('a', 'ringing'), call('b', 'answered')], complete: true });
    expect(tracker.apply({ events: [call('b', 'answered'), call('a', 'ringing')], complete: true })).toEqual([]);
  });

  test('ended calls are forgotten after the retention time; memory is capped', () => {
    const clock = new ManualClock();
    const tracker = createCallTracker({ clock, forgetEndedAfterMs: 600_000, maxCalls: 50 });
    tracker.apply({ events: [call('a', 'ended')], complete: false });
    clock.advance(599_000);
    tracker.apply({ events: [], complete: false });
    expect(tracker.size()).toBe(1);
    clock.advance(1_000);
    tracker.apply({ events: [], complete: false });
    expect(tracker.size()).toBe(0);
    for (let i = 0; i < 500; i += 1) tracker.apply({ events: [call(`x${i}`, 'ringing'), call(`x${i}`, 'ended')], complete: false });
    expect(tracker.size()).toBeLessThanOrEqual(50);
    for (let i = 0; i < 500; i += 1) tracker.apply({ events: [call(`y${i}`, 'ringing')], complete: false });
    expect(tracker.size()).toBe(50);
  });
});

describe('CallTracker, version 2', () => {
  const clock = { now: () => 1_000 };
  const leg = (id: string, state: CallEvent['state'], extension: string): CallEvent => ({ ...call(id, state), extension });

  test('legs: the same call on two extensions is two legs, each forward on its own; a v1 batch keys by call id', () => {
    const tracker = createCallTracker({ clock });
    const changes = tracker.apply({ events: [leg('q', 'ringing', '101'), leg('q', 'ringing', '102')], complete: false, legs: true });
    expect(changes.map((c) => c.leg)).toEqual(['q\n101', 'q\n102']);
    expect(tracker.apply({ events: [leg('q', 'ended', '101'), leg('q', 'ringing', '102')], complete: false, legs: true }).map((c) => c.leg)).toEqual(['q\n101']);
    const v1 = createCallTracker({ clock });
    expect(v1.apply({ events: [leg('q', 'ringing', '101'), leg('q', 'ringing', '102')], complete: false }).map((c) => c.leg)).toEqual(['q']);
  });

  test('a fresh first answer: ended legs are remembered silently, active ones reported; later repeats of them report nothing', () => {
    const tracker = createCallTracker({ clock });
    const first = tracker.apply({ events: [leg('old', 'ended', '101'), leg('live', 'ringing', '101')], complete: true, legs: true, fresh: true });
    expect(first.map((c) => `${c.call.callId}:${c.call.state}`)).toEqual(['live:ringing']);
    expect(tracker.apply({ events: [leg('old', 'ended', '101'), leg('live', 'ended', '101')], complete: true, legs: true }).map((c) => c.call.callId)).toEqual(['live']);
    // Not fresh (a reconnect): an unknown ended leg is reported.
    expect(tracker.apply({ events: [leg('gap', 'ended', '101')], complete: true, legs: true }).map((c) => c.call.callId)).toEqual(['gap']);
  });
});
