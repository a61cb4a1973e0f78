/**
 * Failover (a): a node killed with kill -9 mid-call. N nodes behind the test's TCP balancer
 * (test/support/tcp-balancer.ts, round robin, skips a refusing backend); `count` widget-like
 * feeds (cluster-feed.ts) connect through it, so about count/N sit on each node.
 *  1. Every feed's extension k<i> gets a call c-<i>, ringing then answered (POSTed to node 1);
 *  2. the last node is killed (SIGKILL); at once the PBX posts every call's `ended` to node 1;
 *  3. the killed node's feeds (those whose socket dropped) reconnect through the balancer with
 *     `since` = their position, and must get the `ended` (in the recovered snapshot, or live).
 * Per dropped feed: kill -> subscribed again and holding its `ended`. Every feed must hold each
 * of its call's three states exactly once (no duplicate offset or state).
 */
import { startBalancer } from '../../test/support/tcp-balancer';
import { eventually, waitUntil } from '../../test/support/wait';
import { openFeed } from './cluster-feed';
import type { ClusterFeed } from './cluster-feed';
import { startNodes } from './cluster-nodes';
import { inWaves, post, ringing, TOKEN } from './relay-scale';
import { summarize } from './report/stats';
import type { Summary } from './report/stats';

export interface NodeKillResult {
  nodes: number;
  subscribers: number;
  /** Feeds whose socket the kill dropped. */
  dropped: number;
  recoveredMs: number[];
  summary: Summary;
  /** Dropped feeds whose `ended` came in the recovered snapshot's `events` (the rest: live). */
  inSnapshot: number;
  /** Reconnects answered `recovered: false` (the history could not cover the gap). */
  notRecovered: number;
  duplicates: number;
  /** Call states (3 per feed) never received within the wait. */
  missing: number;
}

const STATES = ['ringing', 'answered', 'ended'] as const;
const event = (i: number, state: (typeof STATES)[number]) => ({
  ...ringing(`c-${i}`, `k${i}`),
  state,
  ...(state === 'ended' ? { result: 'answered', duration: 42 } : {}),
});

/** POSTs one state of every feed's call, 100 events at a time. */
async function postAll(url: string, count: number, state: (typeof STATES)[number]): Promise<void> {
  for (let from = 0; from < count; from += 100) {
    await post(url, Array.from({ length: Math.min(100, count - from) }, (_, k) => event(from + k, state)));
  }
}

const holds = (f: ClusterFeed, i: number, state: string) => f.seen.has(`c-${i}/${state}`);

export async function measureNodeKill(nodeCount: number, count: number, redisUrl: string, log: (line: string) => void): Promise<NodeKillResult> {
  if (nodeCount < 2) throw new Error('cluster bench: a node kill needs at least 2 nodes');
  const cluster = await startNodes(nodeCount, redisUrl);
  const { nodes } = cluster;
  const balancer = await startBalancer(nodes.map((n) => ({ host: '127.0.0.1', port: Number(new URL(n.url).port) })));
  const feeds: ClusterFeed[] = [];
  try {
    feeds.push(...(await inWaves(count, (i) => openFeed(`ws://127.0.0.1:${balancer.port}/ws`, TOKEN, `k${i}`))));
    const first = nodes[0]!.url;
    await postAll(first, count, 'ringing');
    await postAll(first, count, 'answered');
    await waitUntil('every call answered at its feed', () => feeds.every((f, i) => holds(f, i, 'answered')), { timeoutMs: 30_000, everyMs: 10 });

    const killedAt = Date.now();
    await nodes[nodeCount - 1]!.kill9();
    await postAll(first, count, 'ended');
    log(`cluster node kill: node ${nodeCount} killed; the ${count} ended events posted to node 1 within ${Date.now() - killedAt} ms`);

    const back = (f: ClusterFeed, i: number) => f.drops() === 0 || (f.recoveries.length > 0 && f.live() && holds(f, i, 'ended'));
    await eventually(() => feeds.every((f, i) => holds(f, i, 'ended') && back(f, i)), { timeoutMs: 30_000, everyMs: 10 });

    const dropped = feeds.map((f, i) => ({ f, i })).filter(({ f }) => f.drops() > 0);
    const recoveredMs = dropped
      .filter(({ f, i }) => f.recoveries.length > 0 && holds(f, i, 'ended'))
      .map(({ f, i }) => Math.max(f.recoveries[0]!.at, f.seen.get(`c-${i}/ended`)!) - killedAt);
    const endedAt = (f: ClusterFeed, i: number) => f.seen.get(`c-${i}/ended`) ?? Infinity;
    const result: NodeKillResult = {
      nodes: nodeCount,
      subscribers: count,
      dropped: dropped.length,
      recoveredMs,
      summary: summarize(recoveredMs),
      inSnapshot: dropped.filter(({ f, i }) => f.recoveries[0] !== undefined && f.recoveries[0].events > 0 && endedAt(f, i) === f.recoveries[0].at).length,
      notRecovered: feeds.reduce((n, f) => n + f.recoveries.filter((r) => !r.recovered).length, 0),
      duplicates: feeds.reduce((n, f) => n + f.duplicates(), 0),
      missing: feeds.reduce((n, f, i) => n + STATES.filter((s) => !holds(f, i, s)).length, 0),
    };
    log(`cluster node kill: ${result.dropped} feeds dropped, ${recoveredMs.length} recovered, p95 ${result.summary.p95} ms, max ${result.summary.max} ms; ${result.duplicates} duplicates, ${result.missing} missing`);
    return result;
  } finally {
    for (const f of feeds) f.close();
    await balancer.close();
    await cluster.stop();
  }
}
