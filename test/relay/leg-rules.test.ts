/**
 * The rules for a new event and what each version is shown, as pure functions: no clock, no
 * server, no store.
 */
import type { CallEvent } from '../../src/protocol';
import { admitTime, decideEvent, expiredEnd, legKey } from '../../relay/src/leg-rules';
import { callsForV1, callsForV2, vanishesForV1 } from '../../relay/src/versions';
import type { Leg } from '../../relay/src/store';

const NOW = 1_700_000_000_000;
const ev = (state: CallEvent['state'], extra: Partial<CallEvent> = {}): CallEvent => ({ callId: 'c', state, direction: 'inbound', phone: '1', extension: '101', at: NOW, ...extra });
const room = { legs: 1, maxLegs: 10, endedLegs: 0 };

describe('decideEvent', () => {
  test.each([
    [undefined, 'ringing', 'store'],
    ['ringing', 'answered', 'store'],
    ['ringing', 'ended', 'store'],
    ['ringing', 'ringing', 'ignore'],
    ['answered', 'ringing', 'ignore'],
    ['ended', 'answered', 'ignore'],
    ['ended', 'ended', 'ignore'],
  ] as const)('known %s, new %s: %s', (known, state, kind) => {
    expect(decideEvent(known === undefined ? undefined : ev(known), ev(state), room).kind).toBe(kind);
  });

  test('when full, a new leg evicts the oldest ended leg, or is refused when every leg is live; a known leg never needs room', () => {
    expect(decideEvent(undefined, ev('ringing'), { legs: 10, maxLegs: 10, endedLegs: 2 })).toEqual({ kind: 'store', evictOldestEnded: true });
    expect(decideEvent(undefined, ev('ringing'), { legs: 10, maxLegs: 10, endedLegs: 0 })).toEqual({ kind: 'refuse' });
    expect(decideEvent(ev('ringing'), ev('ended'), { legs: 10, maxLegs: 10, endedLegs: 0 })).toEqual({ kind: 'store', evictOldestEnded: false });
  });
});

test('a leg is a call on one extension', () => {
  expect(legKey(ev('ringing'))).not.toBe(legKey(ev('ringing', { extension: '102' })));
  expect(legKey({ callId: 'a","b', extension: 'c' })).not.toBe(legKey({ callId: 'a', extension: 'b","c' }));
});

test('expiredEnd: missed when it was ringing, answered when answered, never a duration, marked expired', () => {
  expect(expiredEnd(ev('ringing', { at: 5 }), NOW)).toEqual({ ...ev('ended'), at: NOW, result: 'missed', expired: true });
  expect(expiredEnd(ev('answered'), NOW)).toMatchObject({ result: 'answered', expired: true });
  expect(expiredEnd(ev('answered'), NOW)).not.toHaveProperty('duration');
});

test.each([
  [NOW, false],
  [NOW - 24 * 3600_000, false],
  [NOW - 24 * 3600_000 - 1, true],
  [NOW + 5 * 60_000, false],
  [NOW + 5 * 60_000 + 1, true],
  [0, true],
])('admitTime(at %p): clamped %p', (at, clamped) => {
  const admitted = admitTime(ev('ringing', { at }), NOW);
  expect(admitted).toEqual({ event: ev('ringing', { at: clamped ? NOW : at }), clamped });
});

describe('what each version is shown', () => {
  let offset = 0;
  const leg = (event: CallEvent, stateAt = NOW): Leg => ({ event, stateAt, offset: (offset += 1) });
  const rule = { now: NOW, recentEndedMs: 60_000 };

  test('v1 cannot express answered_elsewhere or expiry: those ends vanish', () => {
    expect(vanishesForV1(ev('ended', { result: 'answered_elsewhere' }))).toBe(true);
    expect(vanishesForV1(ev('ended', { result: 'missed', expired: true }))).toBe(true);
    expect(vanishesForV1(ev('ended', { result: 'missed' }))).toBe(false);
  });

  test('v2 lists every active leg and the legs ended in the last 60 s; v1 one call per call_id', () => {
    const legs = [
      leg(ev('ringing', { callId: 'g', extension: '101' })),
      leg(ev('answered', { callId: 'g', extension: '102' })),
      leg(ev('ended', { callId: 'old' }), NOW - 60_000),
      leg(ev('ended', { callId: 'new', result: 'busy' }), NOW - 59_999),
      leg(ev('ended', { callId: 'else', result: 'answered_elsewhere' })),
    ];
    const ids = (list: CallEvent[]) => list.map((e) => `${e.callId}:${e.extension}:${e.state}`);
    expect(ids(callsForV2(legs, rule))).toEqual(['g:101:ringing', 'g:102:answered', 'new:101:ended', 'else:101:ended']);
    expect(ids(callsForV1(legs, { ...rule, includeEnded: true }))).toEqual(['g:102:answered', 'new:101:ended']);
    expect(ids(callsForV1(legs, { ...rule, includeEnded: false }))).toEqual(['g:102:answered']);
  });
});
