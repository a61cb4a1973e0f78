/**
 * The store's contract, run against both implementations: forward-only legs, offsets, the
 * history's bounds and floors, expiry and eviction. A networked store must pass the same.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { CallEvent } from '../../src/protocol';
import { MemoryStore, SqliteStore } from '../../relay/src';
import type { CallStore, StoreLimits } from '../../relay/src';

const NOW = 1_700_000_000_000;
const LIMITS: StoreLimits = {
  maxLegs: 4,
  ringingMaxAgeMs: 1_000,
  answeredMaxAgeMs: 5_000,
  endedKeepMs: 2_000,
  historyMaxAgeMs: 10_000,
  historyMaxPerExtension: 3,
  historyMaxEvents: 5,
};
const ev = (callId: string, state: CallEvent['state'], extension = '101'): CallEvent => ({ callId, state, direction: 'inbound', phone: '1', extension, at: NOW });

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const kinds: Array<[string, () => CallStore]> = [
  ['memory', () => new MemoryStore(LIMITS)],
  [
    'sqlite',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-contract-'));
      dirs.push(dir);
      return new SqliteStore({ dataDir: dir, limits: LIMITS });
    },
  ],
];

describe.each(kinds)('%s store', (_kind, open) => {
  let store: CallStore;
  beforeEach(() => {
    store = open();
  });
  afterEach(() => store.close());

  test('apply: forward states get the next offsets, the rest change nothing', () => {
    const out = store.apply([ev('a', 'ringing'), ev('a', 'ringing'), ev('a', 'answered'), ev('a', 'ringing', '102')], NOW);
    expect(out.results).toEqual(['changed', 'unchanged', 'changed', 'changed']);
    expect(out.emitted.map((e) => `${e.offset}:${e.event.callId}:${e.event.extension}:${e.event.state}`)).toEqual(['1:a:101:ringing', '2:a:101:answered', '3:a:102:ringing']);
    expect(store.position().offset).toBe(3);
    expect(store.activeLegs().map((l) => l.offset)).toEqual([2, 3]);
  });

  test('history bounds: per extension and in all raise floors; recovery is refused below them', () => {
    const { epoch } = store.position();
    store.apply([ev('a', 'ringing'), ev('b', 'ringing'), ev('c', 'ringing'), ev('d', 'ringing')], NOW); // 101 keeps 2..4, forgot 1
    expect(store.missedSince(new Set(['101']), { epoch, offset: 0 }).recovered).toBe(false);
    expect(store.missedSince(new Set(['101']), { epoch, offset: 1 }).missed.map((m) => m.offset)).toEqual([2, 3, 4]);
    store.apply([ev('a', 'ended'), ev('x', 'ringing', '102'), ev('b', 'answered')], NOW); // 7 events, at most 5 in all
    expect(store.counts().history).toBeLessThanOrEqual(5);
    expect(store.missedSince(new Set(['102']), { epoch, offset: 1 }).recovered).toBe(false);
    expect(store.missedSince(new Set(['102']), { epoch, offset: 2 }).missed.map((m) => m.event.callId)).toEqual(['x']);
  });

  test('expire: live legs past their age end (expired), ended legs past their keep are forgotten, history past its age too', () => {
    store.apply([ev('r', 'ringing'), ev('a', 'answered')], NOW);
    expect(store.expire(NOW + 999)).toEqual([]);
    expect(store.expire(NOW + 1_000).map((e) => [e.offset, e.event.callId, e.event.result, e.event.expired])).toEqual([[3, 'r', 'missed', true]]);
    // At +5 s, a expires, and r (ended at +1 s, kept 2 s) is forgotten.
    expect(store.expire(NOW + 5_000).map((e) => e.event.callId)).toEqual(['a']);
    expect(store.counts().legs).toBe(1);
    store.expire(NOW + 7_000);
    expect(store.counts().legs).toBe(0);
    store.expire(NOW + 20_000);
    expect(store.counts().history).toBe(0);
    expect(store.missedSince(new Set(['101']), { ...store.position() }).recovered).toBe(true);
  });

  test('full: the oldest ended leg makes room; with only live legs a new one is refused', () => {
    store.apply([ev('a', 'ringing'), ev('b', 'ringing'), ev('c', 'ringing'), ev('a', 'ended'), ev('d', 'ringing')], NOW);
    const out = store.apply([ev('e', 'ringing'), ev('f', 'ringing'), ev('b', 'answered')], NOW);
    expect(out.results).toEqual(['changed', 'refused_full', 'changed']);
    expect(out.evicted).toBe(1);
    expect(store.activeLegs().map((l) => l.event.callId).sort()).toEqual(['b', 'c', 'd', 'e']);
  });
});

test('the sqlite store reopens with what it had; a failed write keeps memory and file in step', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'relay-reopen-'));
  dirs.push(dir);
  const first = new SqliteStore({ dataDir: dir, limits: LIMITS });
  first.apply([ev('a', 'ringing'), ev('b', 'ringing', '102')], NOW);
  const position = first.position();
  first.close();
  const second = new SqliteStore({ dataDir: dir, limits: LIMITS });
  expect(second.position()).toEqual(position);
  expect(second.activeLegs().map((l) => l.event.callId)).toEqual(['a', 'b']);
  expect(second.missedSince(new Set(['101', '102']), { epoch: position.epoch, offset: 0 }).missed.map((m) => m.offset)).toEqual([1, 2]);
  second.close();
});
