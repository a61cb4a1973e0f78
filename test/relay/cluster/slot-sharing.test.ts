/**
 * The socket counts a node reports (cluster/slot-sharing.ts): written only when they change (the
 * changed fields only), otherwise only kept alive; written whole again after a failed exchange or
 * when Redis no longer holds the node's last write (lost, or older after a restart).
 */
import type { ClusterBackend } from '../../../relay/src/cluster/backend';
import { SLOTS_WRITE_FIELD } from '../../../relay/src/cluster/backend';
import { createSlotSharing } from '../../../relay/src/cluster/slot-sharing';
import { SubscriberCaps } from '../../../relay/src/guard/subscriber-caps';
import { createManualClock } from '../../support/stepped-clock';

const LIMITS = { maxSubscribers: 100, maxSubscribersPerAddress: 10, maxSubscribersPerUser: 10 };

/** Redis's part in memory: the node's hash, and every call made. */
function fakeBackend() {
  let hash: Map<string, number | string> | null = null;
  const calls: string[] = [];
  let failNext = false;
  const fail = () => {
    if (!failNext) return;
    failNext = false;
    throw new Error('Redis is away');
  };
  const held = (name: string) => hash !== null && hash.get(SLOTS_WRITE_FIELD) === name;
  const backend = {
    async reportSlots(_node: string, counts: ReadonlyMap<string, number | string>) {
      fail();
      calls.push(`whole ${counts.size - 1}`);
      hash = new Map(counts);
    },
    async updateSlots(_node: string, from: string, to: string, changed: ReadonlyMap<string, number>, removed: readonly string[]) {
      fail();
      if (!held(from)) return false;
      calls.push(`update +${[...changed].join(',')} -${removed.join(',')}`);
      for (const [k, n] of changed) hash!.set(k, n);
      for (const k of removed) hash!.delete(k);
      hash!.set(SLOTS_WRITE_FIELD, to);
      return true;
    },
    async renewSlots(_node: string, current: string) {
      fail();
      if (!held(current)) return false;
      calls.push('renew');
      return true;
    },
    async otherSlots() {
      return new Map<string, number>();
    },
  };
  return {
    backend: backend as unknown as ClusterBackend,
    calls,
    counts: () => new Map([...(hash ?? [])].filter(([k]) => k !== SLOTS_WRITE_FIELD)),
    failOnce: () => (failNext = true),
    lose: () => (hash = null),
    restoreOlder: (older: Map<string, number | string>) => (hash = older),
    snapshot: () => new Map(hash ?? []),
  };
}

function setUp() {
  const clock = createManualClock();
  const redis = fakeBackend();
  const caps = new SubscriberCaps<string>(LIMITS);
  const logs: string[] = [];
  const sharing = createSlotSharing({ backend: redis.backend, nodeId: 'n1', everyMs: 500, ttlMs: 3_000, log: (m) => logs.push(m), timers: clock });
  sharing.report(() => caps.counts());
  return { clock, redis, caps, sharing, logs };
}

test('unchanged counts are only kept alive; a change writes the changed fields only', async () => {
  const { clock, redis, caps, sharing } = setUp();
  caps.take('s1', '198.51.100.1', '1001');
  sharing.start();
  await clock.advance(0);
  await clock.advance(1_500);
  expect(redis.calls).toEqual(['whole 2', 'renew', 'renew', 'renew']);
  caps.take('s2', '198.51.100.1', '1002');
  caps.release('s1');
  await clock.advance(500);
  // The address went 1 -> 2 -> 1: unchanged, not written.
  expect(redis.calls.slice(4)).toEqual(['update +u:1002,1 -u:1001']);
  expect(redis.counts()).toEqual(new Map([['a:198.51.100.1', 1], ['u:1002', 1]]));
  await clock.advance(500);
  expect(redis.calls.slice(5)).toEqual(['renew']);
  sharing.stop();
});

test('after a failed exchange the next report writes the counts whole', async () => {
  const { clock, redis, caps, sharing, logs } = setUp();
  caps.take('s1', null, '1001');
  sharing.start();
  await clock.advance(0);
  redis.failOnce();
  await clock.advance(500);
  expect(logs.join()).toMatch(/could not be exchanged/);
  await clock.advance(500);
  expect(redis.calls).toEqual(['whole 1', 'whole 1']);
  sharing.stop();
});

test('a hash Redis lost, or holds older after a restart, is written whole again', async () => {
  const { clock, redis, caps, sharing } = setUp();
  caps.take('s1', null, '1001');
  sharing.start();
  await clock.advance(0);
  const older = redis.snapshot();
  redis.lose();
  await clock.advance(500);
  expect(redis.calls).toEqual(['whole 1', 'whole 1']);
  caps.take('s2', null, '1002');
  await clock.advance(500);
  // Restarted from its append-only file without the last write: the update is refused, the counts written whole.
  redis.restoreOlder(older);
  caps.take('s3', null, '1003');
  await clock.advance(500);
  expect(redis.calls.slice(2)).toEqual(['update +u:1002,1 -', 'whole 3']);
  expect(redis.counts()).toEqual(new Map([['u:1001', 1], ['u:1002', 1], ['u:1003', 1]]));
  sharing.stop();
});
