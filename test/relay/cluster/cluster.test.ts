/**
 * Several relay nodes on one Redis (docs/cluster.md), as they run in production: the built relay
 * started with `--redis-url`, a real redis-server, a TCP balancer in front. What the PBX and the
 * widgets see: an event posted to any node reaches every node's widgets at one offset; a node
 * killed with kill -9 loses nothing its widgets cannot recover from another node; a Redis that
 * is away makes the PBX retry (503) and is caught up after; a node started later joins the same
 * stream.
 */
import fs from 'node:fs';
import path from 'node:path';
import { startRedis } from '../../support/redis-server';
import type { RedisServer } from '../../support/redis-server';
import { startBalancer } from '../../support/tcp-balancer';
import { waitUntil } from '../../support/wait';
import { buildRelayIfStale, client, event, stopAll } from '../harness';
import type { Frame, TestClient } from '../harness';
import { health, post, startNode, stopNodes, subscribe } from './nodes';

jest.setTimeout(60_000);

let redis: RedisServer;
beforeAll(() => buildRelayIfStale());
beforeEach(async () => {
  redis = await startRedis();
});
afterEach(async () => {
  await stopAll();
  await stopNodes();
  await redis.stop();
});

const callFrames = (c: TestClient) => c.frames.filter((f) => f.type === 'call') as Array<Frame & { offset: number; call: Record<string, unknown> }>;
const states = (c: TestClient) => callFrames(c).map((f) => `${String(f.call.call_id)}:${String(f.call.state)}@${f.offset}`);

test('an event posted to one node reaches the widgets of every node, at the same offset; one node maintains', async () => {
  const nodes = [await startNode(redis.url), await startNode(redis.url), await startNode(redis.url)];
  const widgets = await Promise.all(nodes.map((node) => client(node.wsUrl, subscribe())));
  await Promise.all(widgets.map((w) => w.frame('snapshot')));
  expect((await post(nodes[0]!.url, event('c1', 'ringing'))).status).toBe(200);
  expect((await post(nodes[2]!.url, event('c1', 'answered'))).status).toBe(200);
  for (const w of widgets) await waitUntil('both events on every node', () => callFrames(w).length >= 2);
  expect(widgets.map(states)).toEqual(Array(3).fill(['c1:ringing@1', 'c1:answered@2']));
  const figures = await Promise.all(nodes.map((node) => health(node.url)));
  expect(figures.map((h) => [h.store, h.offset, h.cluster.redis])).toEqual(Array(3).fill(['redis', 2, 'reachable']));
  expect(new Set(figures.map((h) => h.epoch)).size).toBe(1);
  await waitUntil('one maintainer', async () => (await Promise.all(nodes.map((n) => health(n.url)))).filter((h) => h.cluster.maintainer === true).length === 1);
});

test('a node killed with kill -9 mid-call: its widget reconnects through the balancer to another node and recovers the answer, once', async () => {
  const nodes = [await startNode(redis.url), await startNode(redis.url)];
  const balancer = await startBalancer(nodes.map((n) => ({ host: '127.0.0.1', port: Number(new URL(n.url).port) })));
  const widget = await client(`ws://127.0.0.1:${balancer.port}/ws`, subscribe());
  await widget.frame('snapshot');
  expect((await post(nodes[1]!.url, event('c1', 'ringing'))).status).toBe(200);
  await waitUntil('the ring', () => callFrames(widget).length === 1);
  const servedBy = (await Promise.all(nodes.map((n) => health(n.url)))).findIndex((h) => h.subscribers === 1);
  const survivor = nodes[1 - servedBy]!;
  await nodes[servedBy]!.kill9();
  expect(await widget.closed()).toBe(1006);
  expect((await post(survivor.url, event('c1', 'answered'))).status).toBe(200);
  const last = callFrames(widget).at(-1)!;
  const back = await client(`ws://127.0.0.1:${balancer.port}/ws`, subscribe({ epoch: (await widget.frame('snapshot')).epoch, offset: last.offset }));
  const snapshot = await back.frame('snapshot');
  expect(snapshot).toMatchObject({ recovered: true, offset: 2 });
  expect((snapshot.events as Array<{ offset: number; call: Record<string, unknown> }>).map((e) => `${String(e.call.state)}@${e.offset}`)).toEqual(['answered@2']);
  expect((await post(survivor.url, event('c1', 'ended', '101', { duration: 42 }))).status).toBe(200);
  await waitUntil('the hang-up', () => callFrames(back).length === 1);
  expect(states(back)).toEqual(['c1:ended@3']);
  await balancer.close();
});

test('Redis away: the PBX is told to retry (503), the widgets stay and the health says so; after Redis is back the retry reaches every node', async () => {
  const nodes = [await startNode(redis.url), await startNode(redis.url)];
  const widgets = await Promise.all(nodes.map((node) => client(node.wsUrl, subscribe())));
  await Promise.all(widgets.map((w) => w.frame('snapshot')));
  expect((await post(nodes[0]!.url, event('c1', 'ringing'))).status).toBe(200);
  await redis.kill9();
  const refused = await post(nodes[0]!.url, event('c2', 'ringing'));
  expect(refused).toMatchObject({ status: 503, body: { error: 'store_unavailable' } });
  expect(Number(refused.retryAfter)).toBeGreaterThan(0);
  await waitUntil('both nodes say Redis is unreachable', async () => (await Promise.all(nodes.map((n) => health(n.url)))).every((h) => h.cluster.redis === 'unreachable'));
  expect(widgets.map((w) => w.closeCode())).toEqual([null, null]);
  // A widget connecting meanwhile is served the node's copy.
  const meanwhile = await client(nodes[1]!.wsUrl, subscribe());
  expect(((await meanwhile.frame('snapshot')).calls as Array<Record<string, unknown>>).map((c) => c.call_id)).toEqual(['c1']);
  await redis.restart();
  await waitUntil('the PBX retry taken', async () => (await post(nodes[0]!.url, event('c2', 'ringing'))).status === 200, { everyMs: 200 });
  for (const w of [...widgets, meanwhile]) await waitUntil('c2 on every widget', () => callFrames(w).some((f) => f.call.call_id === 'c2'));
  expect(widgets.map(states)).toEqual([['c1:ringing@1', 'c2:ringing@2'], ['c1:ringing@1', 'c2:ringing@2']]);
  expect((await health(nodes[1]!.url)).cluster.redis).toBe('reachable');
});

test('a node started later joins from the snapshot and the log: the same epoch and offsets, and a widget away since before it recovers there', async () => {
  const first = await startNode(redis.url);
  expect((await post(first.url, event('c1', 'ringing'))).status).toBe(200);
  const early = await client(first.wsUrl, subscribe());
  const position = await early.frame('snapshot');
  for (const state of ['answered', 'ended']) expect((await post(first.url, event('c1', state))).status).toBe(200);
  await waitUntil('a snapshot after the hang-up', async () => (await health(first.url)).cluster.snapshot !== null && (await health(first.url)).offset === 3, { everyMs: 100 });
  expect((await post(first.url, event('c2', 'ringing'))).status).toBe(200);
  const later = await startNode(redis.url);
  const joined = await health(later.url);
  expect([joined.epoch, joined.offset, joined.calls]).toEqual([position.epoch, 4, 2]);
  const back = await client(later.wsUrl, subscribe({ epoch: position.epoch, offset: position.offset }));
  const snapshot = await back.frame('snapshot');
  expect(snapshot.recovered).toBe(true);
  expect((snapshot.events as Array<{ call: Record<string, unknown> }>).map((e) => `${String(e.call.call_id)}:${String(e.call.state)}`)).toEqual(['c1:answered', 'c1:ended', 'c2:ringing']);
});

test('Redis restarted without its data: a node seeds it again from its copy, and a new node joins the same stream', async () => {
  const first = await startNode(redis.url);
  expect((await post(first.url, event('c1', 'ringing'))).status).toBe(200);
  const epoch = (await health(first.url)).epoch;
  await redis.kill9();
  fs.rmSync(path.join(redis.dir, 'appendonlydir'), { recursive: true, force: true });
  await redis.restart();
  await waitUntil('the node took Redis back', async () => (await health(first.url)).cluster.redis === 'reachable', { everyMs: 100 });
  const later = await startNode(redis.url);
  expect((await health(later.url))).toMatchObject({ epoch, offset: 1, calls: 1 });
  expect((await post(later.url, event('c1', 'answered'))).status).toBe(200);
  await waitUntil('both at offset 2', async () => (await Promise.all([first, later].map((n) => health(n.url)))).every((h) => h.offset === 2));
});

test('Redis hung (SIGSTOP): a POST is refused within the command timeout instead of hanging, and taken once Redis answers again', async () => {
  const node = await startNode(redis.url);
  const widget = await client(node.wsUrl, subscribe());
  await widget.frame('snapshot');
  redis.pause();
  try {
    const started = Date.now();
    const refused = await post(node.url, event('c1', 'ringing'));
    expect(refused).toMatchObject({ status: 503, body: { error: 'store_unavailable' } });
    // The relay's command timeout is 2 s: the PBX is not kept waiting on a Redis that does not answer.
    expect(Date.now() - started).toBeLessThan(10_000);
    await waitUntil('the node says Redis is unreachable', async () => (await health(node.url)).cluster.redis === 'unreachable', { everyMs: 100 });
  } finally {
    redis.resume();
  }
  await waitUntil('the PBX retry taken', async () => (await post(node.url, event('c1', 'ringing'))).status === 200, { everyMs: 200 });
  await waitUntil('the ring on the widget', () => callFrames(widget).length === 1);
  expect(states(widget)).toEqual(['c1:ringing@1']);
});
