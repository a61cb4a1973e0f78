/**
 * Failover (b): Redis away for `outageMs` (stopped with SIGTERM, its AOF kept, or killed with
 * SIGKILL), then started again on its port and dir. N nodes, `count` widget-like feeds
 * (cluster-feed.ts) straight on their node (feed i on node i mod N, extension r<i>).
 * A PBX-like poster starts one POST every 100 ms for the length of the outage, node after node in
 * turn, together carrying one ringing call for every feed; each POST that is not answered 200
 * (the relay says 503 store_unavailable) is sent again every 500 ms until it is.
 * Reported: the answers that were not 200, the feeds' sockets lost (there should be none),
 * what /health said during the outage, and Redis ready again -> every call at its feed.
 */
import type { RedisServer } from '../../test/support/redis-server';
import { waitUntil } from '../../test/support/wait';
import { openFeed } from './cluster-feed';
import type { ClusterFeed } from './cluster-feed';
import { startNodes } from './cluster-nodes';
import { inWaves, post, postEvents, ringing, TOKEN } from './relay-scale';

export interface RedisOutageResult {
  nodes: number;
  subscribers: number;
  outageMs: number;
  how: 'stop' | 'kill9';
  posts: number;
  /** POST answers by status ('error': no answer at all), 200s left out. */
  refused: Record<string, number>;
  /** Redis ready again -> the last call at its feed. */
  catchUpMs: number;
  /** Redis ready again -> the last POST answered 200. */
  acceptedMs: number;
  drops: number;
  duplicates: number;
  missing: number;
  healthDuring: string;
}

const RETRY_MS = 500;
const SPACING_MS = 100;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function measureRedisOutage(nodeCount: number, count: number, redis: RedisServer, outageMs: number, how: 'stop' | 'kill9', log: (line: string) => void): Promise<RedisOutageResult> {
  const cluster = await startNodes(nodeCount, redis.url);
  const { nodes } = cluster;
  const feeds: ClusterFeed[] = [];
  const refused: Record<string, number> = {};
  try {
    feeds.push(...(await inWaves(count, (i) => openFeed(nodes[i % nodeCount]!.wsUrl, TOKEN, `r${i}`))));
    await post(nodes[0]!.url, [ringing('warm-up', 'none')]);

    const posts = Math.max(1, Math.floor(outageMs / SPACING_MS));
    const stoppedAt = Date.now();
    await (how === 'stop' ? redis.stop({ keepData: true }) : redis.kill9());
    let lastAccepted = 0;
    // Bounded: a POST still refused a minute after the outage ends gives up (and its calls count as missing).
    const deadline = stoppedAt + outageMs + 60_000;
    const deliver = async (k: number) => {
      await sleep(k * SPACING_MS);
      const batch: unknown[] = [];
      for (let j = k; j < count; j += posts) batch.push(ringing(`o-${j}`, `r${j}`));
      if (batch.length === 0) return;
      while (Date.now() < deadline) {
        const status = await postEvents(nodes[k % nodeCount]!.url, batch).then(
          async (res) => {
            await res.arrayBuffer(); // read, so the connection is reused
            return String(res.status);
          },
          () => 'error',
        );
        if (status === '200') return void (lastAccepted = Math.max(lastAccepted, Date.now()));
        refused[status] = (refused[status] ?? 0) + 1;
        await sleep(RETRY_MS);
      }
    };
    const poster = Promise.all(Array.from({ length: posts }, (_, k) => deliver(k)));

    await sleep(Math.min(2_000, outageMs / 2));
    const health = await cluster.health(0).catch((e: unknown) => ({ cluster: { redis: `no answer (${String(e)})` } }));
    const healthDuring = `node 1 /health cluster.redis "${health.cluster?.redis ?? 'absent'}"`;
    await sleep(Math.max(0, stoppedAt + outageMs - Date.now()));
    await redis.restart();
    const upAt = Date.now();
    log(`cluster Redis outage: Redis ready again ${upAt - stoppedAt} ms after it was ${how === 'stop' ? 'stopped' : 'killed'}`);

    await poster;
    const key = (i: number) => `o-${i}/ringing`;
    await waitUntil('every call posted during the outage at its feed', () => feeds.every((f, i) => f.seen.has(key(i))), { timeoutMs: Math.max(1_000, deadline + 10_000 - Date.now()), everyMs: 10 }).catch(() => undefined);
    const arrived = feeds.map((f, i) => f.seen.get(key(i))).filter((t): t is number => t !== undefined);
    const result: RedisOutageResult = {
      nodes: nodeCount,
      subscribers: count,
      outageMs,
      how,
      posts,
      refused,
      catchUpMs: arrived.length ? Math.max(...arrived) - upAt : NaN,
      acceptedMs: lastAccepted - upAt,
      drops: feeds.reduce((n, f) => n + f.drops(), 0),
      duplicates: feeds.reduce((n, f) => n + f.duplicates(), 0),
      missing: count - arrived.length,
      healthDuring,
    };
    log(`cluster Redis outage: refused ${JSON.stringify(refused)}; all delivered ${result.catchUpMs} ms after Redis was back; ${result.drops} sockets lost, ${result.missing} missing, ${result.duplicates} duplicates`);
    return result;
  } finally {
    for (const f of feeds) f.close();
    await cluster.stop();
  }
}
