/**
 * The limits hold over the cluster, not per node (docs/cluster.md): the per-address socket cap
 * counts every node's sockets, sockets taken on two nodes at once beyond it are let go, and the
 * per-user click-to-call interval is one interval whichever node is asked.
 */
import { WebSocket } from 'ws';
import { startRedis } from '../../support/redis-server';
import type { RedisServer } from '../../support/redis-server';
import { eventually, waitUntil } from '../../support/wait';
import { buildRelayIfStale } from '../harness';
import { pbxDouble, stopDoubles } from '../pbx-double';
import { startNode, stopNodes, subscribe, WIDGET_TOKEN } from './nodes';

jest.setTimeout(60_000);

let redis: RedisServer;
beforeAll(() => buildRelayIfStale());
beforeEach(async () => {
  redis = await startRedis();
});
const sockets: WebSocket[] = [];
afterEach(async () => {
  for (const ws of sockets.splice(0)) ws.terminate();
  await stopNodes();
  await stopDoubles();
  await redis.stop();
});

interface Widget {
  ws: WebSocket;
  frames: Array<Record<string, unknown>>;
  closeCode: () => number | null;
}

/** A widget behind an office NAT: the node's trusted proxy (loopback) names its address. */
function officeWidget(wsUrl: string): Widget {
  const ws = new WebSocket(wsUrl, { headers: { 'X-Forwarded-For': '203.0.113.7' } });
  sockets.push(ws);
  const frames: Array<Record<string, unknown>> = [];
  let code: number | null = null;
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Record<string, unknown>));
  ws.on('close', (c) => (code = c));
  ws.on('error', () => undefined);
  ws.on('open', () => ws.send(JSON.stringify(subscribe())));
  return { ws, frames, closeCode: () => code };
}
const subscribed = (w: Widget) => w.frames.some((f) => f.type === 'snapshot');
const refusedForAddress = (w: Widget) => w.closeCode() === 4503 && w.frames.some((f) => f.type === 'error' && f.limit === 'address');

test('the per-address cap counts the sockets of every node', async () => {
  const nodes = [await startNode(redis.url, ['--max-subscribers-per-address', '2']), await startNode(redis.url, ['--max-subscribers-per-address', '2'])];
  const held = [officeWidget(nodes[0]!.wsUrl), officeWidget(nodes[0]!.wsUrl)];
  await waitUntil('two sockets of the office on the first node', () => held.every(subscribed));
  // The second node learns of them within its next exchange (every half second): a third socket there is refused.
  let third: Widget | undefined;
  const refused = await eventually(
    async () => {
      third = officeWidget(nodes[1]!.wsUrl);
      await waitUntil('an answer', () => subscribed(third!) || third!.closeCode() !== null);
      if (refusedForAddress(third!)) return true;
      third!.ws.terminate();
      return false;
    },
    { timeoutMs: 5_000, everyMs: 100 },
  );
  expect(refused).toBe(true);
  expect(held.map((w) => w.closeCode())).toEqual([null, null]);
});

test('sockets taken on two nodes at once beyond the cap are let go until the nodes together hold the cap', async () => {
  const nodes = [await startNode(redis.url, ['--max-subscribers-per-address', '2']), await startNode(redis.url, ['--max-subscribers-per-address', '2'])];
  const burst = [...nodes, ...nodes].map((node) => officeWidget(node.wsUrl));
  await waitUntil('every socket subscribed or refused', () => burst.every((w) => subscribed(w) || w.closeCode() !== null));
  await waitUntil('the nodes together hold the cap', () => burst.filter((w) => w.closeCode() === null).length <= 2, { timeoutMs: 5_000 });
  const open = burst.filter((w) => w.closeCode() === null);
  expect(open.length).toBeGreaterThanOrEqual(1);
  expect(burst.filter((w) => w.closeCode() !== null).every(refusedForAddress)).toBe(true);
});

test('the click-to-call interval is one interval over the cluster: the second node refuses the same extension within it', async () => {
  const pbx = await pbxDouble(() => ({ status: 200, body: { call_id: 'pbx-1' } }));
  const flags = ['--originate-url', pbx.url, '--originate-interval-ms', '60000'];
  const nodes = [await startNode(redis.url, flags), await startNode(redis.url, flags)];
  const dial = async (url: string) => {
    const res = await fetch(`${url}/originate`, { method: 'POST', headers: { Authorization: `Bearer ${WIDGET_TOKEN}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ number: '+74951234567', extension: '101' }) });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  expect(await dial(nodes[0]!.url)).toMatchObject({ status: 200, body: { ok: true, extension: '101' } });
  expect(await dial(nodes[1]!.url)).toMatchObject({ status: 429, body: { error: 'rate_limited', retry_after: 60 } });
  expect(pbx.received).toHaveLength(1);
});
