/**
 * The cluster's copies agree: every node applies the shared log to its own copy of the store, and
 * a node that starts later begins from a snapshot of another's copy. Whatever the log holds, a
 * copy built from a snapshot taken anywhere in it ends equal to the copy that applied it all, and
 * emits the same events at the same offsets from the snapshot on (what its widgets are sent).
 */
import fc from 'fast-check';
import { parseCallEvent } from '../../../src/protocol';
import type { CallEvent } from '../../../src/protocol';
import { MemoryStore } from '../../../relay/src/memory-store';
import type { StoreLimits } from '../../../relay/src/store';
import { decodeEntry, encodeEntry } from '../../../relay/src/cluster/log-entry';
import type { LogEntry } from '../../../relay/src/cluster/log-entry';
import { Replica } from '../../../relay/src/cluster/replica';
import { decodeSnapshot, encodeSnapshot } from '../../../relay/src/cluster/snapshot';

const T0 = 1_700_000_000_000;
// Small bounds, so that eviction, expiry and every history limit happen within a short log.
const LIMITS: StoreLimits = { maxLegs: 5, ringingMaxAgeMs: 3_000, answeredMaxAgeMs: 6_000, endedKeepMs: 4_000, historyMaxAgeMs: 8_000, historyMaxPerExtension: 3, historyMaxEvents: 7 };

const wireEvent = fc.record({
  call_id: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'),
  state: fc.constantFrom('ringing', 'answered', 'ended'),
  direction: fc.constantFrom('inbound', 'outbound'),
  phone: fc.constantFrom('+14155550100', '+442079460958', ''),
  extension: fc.constantFrom('101', '102', '103'),
  duration: fc.option(fc.integer({ min: 0, max: 600 }), { nil: undefined }),
});

/** A log: batches of events and ticks, the clock moving 0-2.5 s between entries (now and then back a little: nodes' clocks differ). */
const log = fc.array(
  fc.record({ step: fc.integer({ min: -300, max: 2_500 }), tick: fc.boolean(), events: fc.array(wireEvent, { minLength: 1, maxLength: 4 }) }),
  { minLength: 1, maxLength: 60 },
);

function entries(raw: Array<{ step: number; tick: boolean; events: Array<Record<string, unknown>> }>): LogEntry[] {
  let now = T0;
  return raw.map((r, i) => {
    now += r.step;
    if (r.tick) return { kind: 'tick', now };
    const events = r.events.map((wire) => {
      const parsed = parseCallEvent({ ...wire, at: now / 1000 }, now);
      if (!parsed.ok) throw new Error(parsed.reason);
      return parsed.event;
    });
    return { kind: 'events', now, events, source: `node-a:${i}` };
  });
}

/** Through the log's wire form, as a node reads it back from Redis. */
const fromLog = (entry: LogEntry): LogEntry => {
  const decoded = decodeEntry(encodeEntry(entry));
  if (!decoded.ok) throw new Error(decoded.reason);
  return decoded.entry;
};

const comparable = (store: MemoryStore) => {
  const saved = store.save();
  return { ...saved, floors: [...saved.floors].sort(([a], [b]) => a.localeCompare(b)) };
};

test('a copy started from a snapshot anywhere in the log ends equal to the copy that applied all of it, and emits the same from there', () => {
  fc.assert(
    fc.property(log, fc.nat(), (raw, cut) => {
      const all = entries(raw).map(fromLog);
      const at = cut % (all.length + 1);
      const first = new Replica(new MemoryStore(LIMITS, 'epoch-a'));
      all.slice(0, at).forEach((entry) => first.apply(entry));
      const decoded = decodeSnapshot(encodeSnapshot({ epoch: 'epoch-a', id: `${at}-0`, clock: first.clock, state: first.store.save() }));
      if (!decoded.ok) throw new Error(decoded.reason);
      const later = new Replica(new MemoryStore(LIMITS, decoded.snapshot.epoch), decoded.snapshot.clock);
      later.store.restore(decoded.snapshot.state);
      for (const entry of all.slice(at)) {
        const a = first.apply(entry);
        const b = later.apply(entry);
        expect(b.emitted).toEqual(a.emitted);
        expect(b.outcome).toEqual(a.outcome);
      }
      expect(comparable(later.store)).toEqual(comparable(first.store));
      expect(later.store.position()).toEqual(first.store.position());
      const since = { epoch: 'epoch-a', offset: Math.max(0, first.store.position().offset - 3) };
      expect(later.store.missedSince(new Set(['101', '102', '103']), since)).toEqual(first.store.missedSince(new Set(['101', '102', '103']), since));
    }),
    { numRuns: 300 },
  );
});

test('an entry stamped earlier than the last one applied is applied at the later time on every copy', () => {
  const replica = new Replica(new MemoryStore(LIMITS, 'e'));
  const ring: CallEvent = { callId: 'c1', state: 'ringing', direction: 'inbound', phone: '1', extension: '101', at: T0 };
  replica.apply({ kind: 'events', now: T0 + 1_000, events: [ring], source: 'a:1' });
  replica.apply({ kind: 'tick', now: T0 + 500 });
  expect(replica.clock).toBe(T0 + 1_000);
  expect(replica.store.legsOf(new Set(['101']))[0]?.stateAt).toBe(T0 + 1_000);
  // The ringing leg expires 3 s after the later time, not the earlier one.
  expect(replica.apply({ kind: 'tick', now: T0 + 3_900 }).emitted).toEqual([]);
  expect(replica.apply({ kind: 'tick', now: T0 + 4_000 }).emitted.map((e) => e.event.expired)).toEqual([true]);
});

describe('a log entry read back from Redis is checked like any input', () => {
  test.each([
    ['not JSON', '{', 'not JSON'],
    ['no clock', '{"k":"t"}', 'no clock'],
    ['a negative clock', '{"k":"t","n":-1}', 'no clock'],
    ['an unknown kind', '{"k":"x","n":1}', 'unknown kind'],
    ['events without their source', '{"k":"e","n":1,"e":[]}', 'unknown kind'],
    ['an invalid event', '{"k":"e","n":1,"s":"a:1","e":[{"call_id":"c1","state":"gone"}]}', 'event: state'],
  ])('%s is refused', (_what, payload, reason) => {
    expect(decodeEntry(payload)).toEqual({ ok: false, reason });
  });

  test('a snapshot that is not whole is refused, not half used', () => {
    const store = new MemoryStore(LIMITS, 'e');
    store.apply([{ callId: 'c1', state: 'ringing', direction: 'inbound', phone: '1', extension: '101', at: T0 }], T0);
    const good = JSON.parse(encodeSnapshot({ epoch: 'e', id: '1-0', clock: T0, state: store.save() })) as Record<string, unknown>;
    expect(decodeSnapshot(JSON.stringify(good)).ok).toBe(true);
    expect(decodeSnapshot(JSON.stringify({ ...good, v: 2 }))).toEqual({ ok: false, reason: 'unknown format' });
    expect(decodeSnapshot(JSON.stringify({ ...good, offset: -1 }))).toEqual({ ok: false, reason: 'bad header' });
    expect(decodeSnapshot(JSON.stringify({ ...good, legs: [[1, T0, { call_id: 'c1' }]] }))).toEqual({ ok: false, reason: 'bad rows' });
    expect(decodeSnapshot(JSON.stringify({ ...good, floors: [['101']] }))).toEqual({ ok: false, reason: 'bad floors' });
  });
});
