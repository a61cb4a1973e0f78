/**
 * The socket counts a node reports, on a real redis-server (the Lua scripts of redis-backend.ts):
 * a second node reads the first's counts after a whole write, after updates of the changed
 * fields (5000 of them, past Lua's unpack limit) and after renewals that write none; after Redis
 * restarts (its append-only file holding an older hash) the counts are written whole again. The
 * commands Redis counted say what each report cost.
 */
import Redis from 'ioredis';
import { createRedisBackend } from '../../../relay/src/cluster/redis-backend';
import type { ClusterBackend } from '../../../relay/src/cluster/backend';
import { createSlotSharing } from '../../../relay/src/cluster/slot-sharing';
import { SubscriberCaps } from '../../../relay/src/guard/subscriber-caps';
import { startRedis } from '../../support/redis-server';
import type { RedisServer } from '../../support/redis-server';
import { createManualClock } from '../../support/stepped-clock';
import { waitUntil } from '../../support/wait';

jest.setTimeout(60_000);

const LIMITS = { maxSubscribers: 100_000, maxSubscribersPerAddress: 100_000, maxSubscribersPerUser: 100_000 };
let redis: RedisServer;
const backends: ClusterBackend[] = [];
beforeEach(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await Promise.all(backends.splice(0).map((b) => b.close()));
  await redis.stop();
});

const backend = async () => {
  const b = createRedisBackend({ url: redis.url, prefix: 'slots-test', commandTimeoutMs: 2_000 });
  backends.push(b);
  await b.waitReady(10_000);
  return b;
};

/** Redis's own count of commands by name since the last reset. */
async function commandCounts(): Promise<Record<string, number>> {
  const admin = new Redis(redis.url);
  try {
    const info = await admin.info('commandstats');
    const counts: Record<string, number> = {};
    for (const match of info.matchAll(/cmdstat_(\w+):calls=(\d+)/g)) counts[match[1] as string] = Number(match[2]);
    await admin.config('RESETSTAT');
    return counts;
  } finally {
    admin.disconnect();
  }
}

test('5000 sockets: written whole once, then only renewed while idle, then the changed fields only; a lost hash is written whole again; another node reads every count', async () => {
  const clock = createManualClock();
  const caps = new SubscriberCaps<number>(LIMITS);
  for (let i = 0; i < 5_000; i += 1) caps.take(i, `10.0.${Math.floor(i / 250)}.${i % 250}`, `user-${i}`);
  const sharing = createSlotSharing({ backend: await backend(), nodeId: 'n1', everyMs: 500, ttlMs: 3_000, log: () => undefined, timers: clock });
  sharing.report(() => caps.counts());
  let exchanges = 0;
  sharing.onRefresh(() => (exchanges += 1));
  const reader = await backend();
  const seen = () => reader.otherSlots('n2', 3_000);
  /** One report interval, and its exchange with Redis done. */
  const tick = async () => {
    const before = exchanges;
    await clock.advance(500);
    await waitUntil('the exchange', () => exchanges > before);
  };
  sharing.start();
  await waitUntil('the whole write', () => exchanges === 1);
  expect((await seen()).size).toBe(10_000);
  await commandCounts();
  for (let i = 0; i < 10; i += 1) await tick();
  const idle = await commandCounts();
  // Ten idle reports: ten scripts, no field written.
  expect({ eval: idle.eval, hset: idle.hset ?? 0, del: idle.del ?? 0, pexpire: idle.pexpire }).toEqual({ eval: 10, hset: 0, del: 0, pexpire: 10 });
  caps.take(5_000, '10.0.0.0', 'user-0');
  for (let i = 1; i < 5_000; i += 2) caps.release(i);
  await tick();
  const update = await commandCounts();
  // Two changed fields and the write's name (HSET), 5000 removed in chunks of 1000 (HDEL).
  expect({ eval: update.eval, hset: update.hset, hdel: update.hdel, del: update.del ?? 0 }).toEqual({ eval: 1, hset: 2, hdel: 5, del: 0 });
  const after = await seen();
  expect([after.size, after.get('a:10.0.0.0'), after.get('u:user-0'), after.has('u:user-1')]).toEqual([5_000, 2, 2, false]);
  // Redis lost the hash (a restart without its data): the next report writes it whole.
  const admin = new Redis(redis.url);
  await admin.del('slots-test:slots:n1');
  admin.disconnect();
  await tick();
  await waitUntil('written whole again', async () => (await seen()).size === 5_000, { everyMs: 50 });
  sharing.stop();
});
