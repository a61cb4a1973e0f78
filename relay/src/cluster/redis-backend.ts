/**
 * The cluster's Redis, through ioredis: one connection for commands and one for the blocking
 * read of the log (a blocked XREAD would hold up every other command on its connection).
 *
 * Nothing is queued while Redis is away (`enableOfflineQueue: false`, a command timeout): a POST
 * must be told at once that its events were not stored, so that the PBX retries (503), rather
 * than wait in a queue that a crash of this node would lose. ioredis reconnects by itself.
 */
import { Redis } from 'ioredis';
import type { RedisOptions } from 'ioredis';
import { SLOTS_WRITE_FIELD } from './backend';
import type { ClusterBackend, LogRecord } from './backend';

export interface RedisBackendOptions {
  url: string;
  /** Key prefix: several clusters can share one Redis. */
  prefix: string;
  /** A command without an answer this long fails (Redis hung, not gone). */
  commandTimeoutMs: number;
}

// Renews the lease only while this holder has it (a plain SET would steal it back).
const HOLD_LEASE = `
local current = redis.call('GET', KEYS[1])
if current == false then redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2]) return 1 end
if current == ARGV[1] then redis.call('PEXPIRE', KEYS[1], ARGV[2]) return 1 end
return 0`;
const RELEASE_LEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`;

// A node's slots hash changes, or is kept, only while it holds the write the node last made
// (ARGV[1] the field naming it, ARGV[2] that write): else the node writes it whole again. Either
// way the node stays among the live ones (KEYS[2], scored by when it last reported).
const SLOTS_HELD = `
if redis.call('HGET', KEYS[1], ARGV[1]) ~= ARGV[2] then return 0 end
local ttl, now = tonumber(ARGV[3]), tonumber(ARGV[4])
redis.call('PEXPIRE', KEYS[1], ttl)
redis.call('ZADD', KEYS[2], now, ARGV[5])
redis.call('ZREMRANGEBYSCORE', KEYS[2], 0, now - ttl)`;
const RENEW_SLOTS = `${SLOTS_HELD}
return 1`;
// ARGV[6] the new write, ARGV[7] how many field/count pairs follow, then the fields removed.
// In chunks: Lua's unpack() refuses a few thousand values at once.
const UPDATE_SLOTS = `${SLOTS_HELD}
local last = 7 + 2 * tonumber(ARGV[7])
for i = 8, last, 1000 do redis.call('HSET', KEYS[1], unpack(ARGV, i, math.min(i + 999, last))) end
for i = last + 1, #ARGV, 1000 do redis.call('HDEL', KEYS[1], unpack(ARGV, i, math.min(i + 999, #ARGV))) end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[6])
return 1`;

export function createRedisBackend(o: RedisBackendOptions): ClusterBackend {
  const common: RedisOptions = {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: o.commandTimeoutMs,
    // Reconnect quickly and forever: 100 ms doubling to 1 s (a restarted Redis is used within a second).
    retryStrategy: (times: number) => Math.min(100 * 2 ** Math.min(times - 1, 4), 1000),
    lazyConnect: false,
  };
  const commands = new Redis(o.url, { ...common, commandTimeout: o.commandTimeoutMs, connectionName: 'relay-commands' });
  const reader = new Redis(o.url, { ...common, connectionName: 'relay-log-reader' });
  // ioredis emits 'error' for every failed reconnect; the cluster's health says so once.
  let lastError = '';
  for (const client of [commands, reader]) client.on('error', (error: Error) => (lastError = error.message));
  const key = (name: string) => `${o.prefix}:${name}`;
  const log = key('log');

  const records = (reply: Array<[string, Array<[string, string[]]>]> | null): LogRecord[] => {
    const items = reply?.[0]?.[1] ?? [];
    return items.map(([id, fields]) => ({ id, payload: fields[1] ?? '' }));
  };

  return {
    async append(payload) {
      const id = await commands.xadd(log, '*', 'e', payload);
      if (id === null) throw new Error('XADD returned no id');
      return id;
    },
    async read(afterId, blockMs, count) {
      if (blockMs === 0) return records((await commands.xread('COUNT', count, 'STREAMS', log, afterId)) as Array<[string, Array<[string, string[]]>]> | null);
      // A hung Redis (SIGSTOP, a stalled host) never answers a blocked read, and ioredis's own
      // timeouts do not cover it: past its block and the command timeout, the connection is
      // dropped (ioredis connects again) and the read fails, so the node says Redis is away.
      const limitMs = blockMs + o.commandTimeoutMs;
      let timer: NodeJS.Timeout | undefined;
      const hung = new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          reader.disconnect(true);
          reject(new Error(`Redis did not answer a read within ${limitMs} ms`));
        }, limitMs);
      });
      try {
        const reply = await Promise.race([reader.xread('COUNT', count, 'BLOCK', blockMs, 'STREAMS', log, afterId), hung]);
        return records(reply as Array<[string, Array<[string, string[]]>]> | null);
      } finally {
        clearTimeout(timer);
      }
    },
    async firstId() {
      const first = await commands.xrange(log, '-', '+', 'COUNT', 1);
      return first[0]?.[0] ?? null;
    },
    async claimEpoch(candidate) {
      const created = (await commands.set(key('epoch'), candidate, 'NX')) === 'OK';
      const epoch = created ? candidate : await commands.get(key('epoch'));
      if (epoch === null) throw new Error('the epoch vanished while it was read');
      return { epoch, created };
    },
    loadSnapshot: () => commands.get(key('snapshot')),
    async saveSnapshot(payload, trimBefore) {
      await commands.set(key('snapshot'), payload);
      if (trimBefore !== null) await commands.xtrim(log, 'MINID', trimBefore);
    },
    async holdLease(name, holder, ttlMs) {
      return (await commands.eval(HOLD_LEASE, 1, key(`lease:${name}`), holder, ttlMs)) === 1;
    },
    async releaseLease(name, holder) {
      await commands.eval(RELEASE_LEASE, 1, key(`lease:${name}`), holder);
    },
    readValue: (name) => commands.get(key(`value:${name}`)),
    async writeValue(name, payload) {
      await commands.set(key(`value:${name}`), payload);
    },
    async claimOnce(name, ttlMs) {
      const claimed = await commands.set(key(name), '1', 'PX', ttlMs, 'NX');
      if (claimed === 'OK') return null;
      return Math.max(0, await commands.pttl(key(name)));
    },
    async reportSlots(node, counts, ttlMs) {
      const slots = key(`slots:${node}`);
      const now = Date.now();
      const write = commands.multi().del(slots);
      if (counts.size > 0) write.hset(slots, Object.fromEntries(counts)).pexpire(slots, ttlMs);
      // The live nodes, by when they last reported: a node that stops reporting drops out.
      write.zadd(key('nodes'), now, node).zremrangebyscore(key('nodes'), 0, now - ttlMs);
      await write.exec();
    },
    async updateSlots(node, from, to, changed, removed, ttlMs) {
      const pairs = [...changed].flatMap(([field, n]) => [field, n]);
      const args = [SLOTS_WRITE_FIELD, from, ttlMs, Date.now(), node, to, changed.size, ...pairs, ...removed];
      return (await commands.eval(UPDATE_SLOTS, 2, key(`slots:${node}`), key('nodes'), ...args)) === 1;
    },
    async renewSlots(node, current, ttlMs) {
      return (await commands.eval(RENEW_SLOTS, 2, key(`slots:${node}`), key('nodes'), SLOTS_WRITE_FIELD, current, ttlMs, Date.now(), node)) === 1;
    },
    async otherSlots(node, aliveWithinMs) {
      const live = (await commands.zrangebyscore(key('nodes'), Date.now() - aliveWithinMs, '+inf')).filter((id) => id !== node);
      const sums = new Map<string, number>();
      if (live.length === 0) return sums;
      const read = commands.pipeline();
      for (const id of live) read.hgetall(key(`slots:${id}`));
      for (const [error, fields] of (await read.exec()) ?? []) {
        if (error !== null) throw error;
        for (const [field, value] of Object.entries(fields as Record<string, string>)) {
          const n = Number(value);
          if (Number.isSafeInteger(n) && n > 0) sums.set(field, (sums.get(field) ?? 0) + n);
        }
      }
      return sums;
    },
    async waitReady(timeoutMs) {
      const deadline = Date.now() + timeoutMs;
      let last: unknown = null;
      // A client that is not ready refuses commands (no offline queue): ask until it answers.
      while (Date.now() < deadline) {
        try {
          if (commands.status === 'ready' && reader.status === 'ready') return void (await commands.ping());
        } catch (error) {
          last = error;
        }
        await new Promise((done) => setTimeout(done, 50));
      }
      throw new Error(`Redis did not answer within ${timeoutMs} ms (${last === null ? lastError || 'no connection' : String(last)})`);
    },
    async close() {
      // quit() waits for Redis; a Redis that is away is not waited for.
      await Promise.all([commands, reader].map((client) => (client.status === 'ready' ? client.quit().catch(() => client.disconnect()) : client.disconnect())));
    },
  };
}
