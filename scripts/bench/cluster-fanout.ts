/**
 * Fan-out across a cluster: N nodes (cluster-nodes.ts), `count` version-2 subscribers spread
 * evenly (subscriber i on node i mod N, extension e<i>), connected straight to their node.
 *  - latency: single-event POSTs to node 1, one at a time, each for a random subscriber on
 *    ANOTHER node (1 node: the same one); Date.now() before the POST -> Date.now() here when
 *    that subscriber's frame arrives (relay-scale.ts's measure, across nodes);
 *  - events a second: POSTs of 100 events (calls first seen ended, each for a random
 *    subscriber) back to back for burstMs, node after node in turn; counted when every one of
 *    those frames had arrived at its subscriber.
 */
import { waitUntil } from '../../test/support/wait';
import { openFeed } from './cluster-feed';
import type { ClusterFeed } from './cluster-feed';
import { startNodes } from './cluster-nodes';
import { inWaves, missed, post, ringing, TOKEN } from './relay-scale';
import { summarize } from './report/stats';
import type { Summary } from './report/stats';

export interface FanoutOptions {
  events: number;
  burstMs: number;
}

export interface FanoutResult {
  nodes: number;
  count: number;
  /** Null: the relay alone on its --data-dir store. */
  redis: boolean;
  samplesMs: number[];
  summary: Summary;
  eventsPerS: number;
  sent: number;
  joinMs: number;
}

const pick = <T>(list: readonly T[]) => list[Math.floor(Math.random() * list.length)]!;

export async function measureFanout(nodeCount: number, count: number, redisUrl: string | null, o: FanoutOptions, log: (line: string) => void): Promise<FanoutResult> {
  const cluster = await startNodes(nodeCount, redisUrl);
  const { nodes } = cluster;
  const feeds: ClusterFeed[] = [];
  const name = redisUrl === null ? 'no Redis' : `${nodeCount} node(s)`;
  try {
    // Every node at rest first (its store joined, its modules loaded), then the sockets.
    await Promise.all(nodes.map((n, i) => post(n.url, [ringing(`warm-up-${i}`, 'none')])));
    const joinStarted = Date.now();
    feeds.push(...(await inWaves(count, (i) => openFeed(nodes[i % nodeCount]!.wsUrl, TOKEN, `e${i}`))));
    const joinMs = Date.now() - joinStarted;
    log(`cluster fan-out, ${name}, ${count} subscribers: all subscribed in ${joinMs} ms`);

    const elsewhere = nodeCount === 1 ? feeds : feeds.filter((_, i) => i % nodeCount !== 0);
    const samples: number[] = [];
    for (let i = 0; i < o.events; i += 1) {
      const feed = pick(elsewhere);
      const key = `f-${i}/ringing`;
      const sentAt = Date.now();
      await post(nodes[0]!.url, [ringing(`f-${i}`, feed.extension)]);
      await waitUntil(`frame f-${i} at ${feed.extension}`, () => feed.seen.has(key), { timeoutMs: 10_000 });
      samples.push(feed.seen.get(key)! - sentAt);
    }

    const started = Date.now();
    let pending: Array<{ feed: ClusterFeed; key: string }> = [];
    let sent = 0;
    for (let turn = 0; Date.now() - started < o.burstMs; turn += 1) {
      const batch = Array.from({ length: 100 }, (_, k) => {
        const feed = pick(feeds);
        const callId = `t-${sent + k}`;
        pending.push({ feed, key: `${callId}/ended` });
        return missed(callId, feed.extension);
      });
      await post(nodes[turn % nodeCount]!.url, batch);
      sent += batch.length;
    }
    await waitUntil(`the burst's ${sent} frames delivered`, () => (pending = pending.filter((p) => !p.feed.seen.has(p.key))).length === 0, { timeoutMs: 60_000, everyMs: 5 });
    const eventsPerS = Math.round((sent * 1000) / (Date.now() - started));
    const drops = feeds.reduce((n, f) => n + f.drops(), 0);
    if (drops > 0) log(`cluster fan-out, ${name}, ${count} subscribers: ${drops} sockets dropped during the run (reconnected)`);
    log(`cluster fan-out, ${name}, ${count} subscribers: p95 ${summarize(samples).p95} ms, ${eventsPerS} events/s`);
    return { nodes: nodeCount, count, redis: redisUrl !== null, samplesMs: samples, summary: summarize(samples), eventsPerS, sent, joinMs };
  } finally {
    for (const f of feeds) f.close();
    await cluster.stop();
  }
}
