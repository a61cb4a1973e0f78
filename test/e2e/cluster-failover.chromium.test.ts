/**
 * Issue 19 in Chromium: the BUILT widget on two relay nodes (the built relay, `--redis-url`, a
 * real redis-server) behind a TCP balancer. The node serving the widget is killed with kill -9
 * while the call rings; the call is answered and hung up meanwhile on the other node. The widget
 * reconnects through the balancer, recovers what it missed there, and the manager sees one
 * pop-up and one completed call in the bell, with its talk time.
 */
import { startRedis } from '../support/redis-server';
import type { RedisServer } from '../support/redis-server';
import { startBalancer } from '../support/tcp-balancer';
import type { TcpBalancer } from '../support/tcp-balancer';
import { nthPopup, sandboxRecord, startHarness, waitUntil } from '../support/browser';
import type { Harness } from '../support/browser';
import { buildRelayIfStale, event } from '../relay/harness';
import { health, post, startNode, stopNodes, WIDGET_TOKEN } from '../relay/cluster/nodes';
import type { RelayProcess } from '../../scripts/bench/relay-process';

jest.setTimeout(90_000);

let redis: RedisServer;
let balancer: TcpBalancer;
let nodes: RelayProcess[];
let h: Harness;

beforeAll(async () => {
  buildRelayIfStale();
  redis = await startRedis();
  nodes = [await startNode(redis.url), await startNode(redis.url)];
  balancer = await startBalancer(nodes.map((n) => ({ host: '127.0.0.1', port: Number(new URL(n.url).port) })));
  h = await startHarness({ callLog: false });
}, 120_000);

afterAll(async () => {
  await h?.close();
  await balancer?.close();
  await stopNodes();
  await redis?.stop();
});

test('the node serving the widget dies mid-call: one pop-up, and the call answered meanwhile is filed once with its talk time', async () => {
  const page = await h.openWidget({ user: '101', settings: { ws_url: `ws://127.0.0.1:${balancer.port}/ws`, token: WIDGET_TOKEN } });
  const served = async () => (await Promise.all(nodes.map((n) => health(n.url)))).findIndex((figures) => figures.subscribers === 1);
  await waitUntil('the widget subscribed to a node', async () => (await served()) >= 0);
  const dying = await served();
  const survivor = nodes[1 - dying]!;
  expect((await post(nodes[dying]!.url, event('c1', 'ringing', '101', { phone: '+18305803077' }))).status).toBe(200);
  expect((await nthPopup(page, 1)).header).toBe('Incoming call: +1 830 580 3077');

  await nodes[dying]!.kill9();
  expect((await post(survivor.url, event('c1', 'answered', '101', { phone: '+18305803077' }))).status).toBe(200);
  expect((await post(survivor.url, event('c1', 'ended', '101', { phone: '+18305803077', duration: 42 }))).status).toBe(200);
  await waitUntil('the widget on the surviving node', async () => (await health(survivor.url)).subscribers === 1, { everyMs: 50 });

  await waitUntil('filed', async () => (await sandboxRecord(page)).calls.add_call.length >= 1, { timeoutMs: 15_000 });
  const record = await sandboxRecord(page);
  expect(record.calls.add_call).toHaveLength(1);
  expect(record.calls.add_call[0]).toMatchObject({ duration: 42 });
  expect(await page.locator('[data-testid=popup]').count()).toBe(1);
  expect(h.pageErrors).toEqual([]);
  await page.close();
});
