/**
 * The call log on a cluster (docs/cluster.md): one node writes each call to Kommo (the fixture
 * CRM here), from an outbox kept in Redis. Its holder killed with kill -9 while Kommo holds a
 * write: another node takes the role, goes on from the saved outbox, and every call is on the
 * card once, its call-back task once.
 */
import { SEED_NUMBERS, startCrmServer } from '../../../scripts/crm';
import { startRedis } from '../../support/redis-server';
import type { RedisServer } from '../../support/redis-server';
import { waitUntil } from '../../support/wait';
import { buildRelayIfStale } from '../harness';
import { health, post, startNode, stopNodes } from './nodes';

jest.setTimeout(60_000);

const API_TOKEN = 'private-integration-long-lived-token';
let redis: RedisServer;
let crm: Awaited<ReturnType<typeof startCrmServer>>;
beforeAll(() => buildRelayIfStale());
beforeEach(async () => {
  redis = await startRedis();
  crm = await startCrmServer(undefined, { apiToken: API_TOKEN });
});
afterEach(async () => {
  await stopNodes();
  await crm.close();
  await redis.stop();
});

const call = (id: string, state: string, extra: Record<string, unknown> = {}) => ({ call_id: id, state, direction: 'inbound', phone: SEED_NUMBERS.adamNoah, extension: '101', ...extra });
const logged = () => crm.crm.calls.map((c) => c.uniq);

test('one node logs each call; its holder killed mid-write, another takes over from the saved outbox: every call once', async () => {
  const start = () => startNode(redis.url, ['--kommo-api-url', crm.url, '--call-log-settle-ms', '50'], { RELAY_KOMMO_API_TOKEN: API_TOKEN });
  const nodes = [await start(), await start()];
  const holderOf = async () => (await Promise.all(nodes.map((n) => health(n.url)))).findIndex((h) => (h.cluster.roles as string[]).includes('call-log'));
  await waitUntil('a node holds the call log', async () => (await holderOf()) >= 0, { everyMs: 50 });
  const holder = await holderOf();
  const other = nodes[1 - holder]!;

  // Posted to the node that does not log: the holder logs it.
  expect((await post(other.url, [call('c1', 'ringing'), call('c1', 'answered'), call('c1', 'ended', { duration: 20, result: 'answered' })])).status).toBe(200);
  await waitUntil('c1 on the card', () => logged().includes('c1'), { everyMs: 20 });
  // The node that does not log shows the outbox as last saved: the call's writes done.
  await waitUntil('the other node sees them done', async () => (await health(other.url)).call_log.done === (await health(nodes[holder]!.url)).call_log.done, { everyMs: 100 });

  // Kommo holds the next write; the holder is killed before it is answered.
  crm.crm.setFaults({ hang: true });
  expect((await post(other.url, [call('c2', 'ringing'), call('c2', 'ended', { result: 'missed' })])).status).toBe(200);
  await waitUntil('the write in flight', () => crm.crm.requests.filter((r) => r.path === '/api/v4/calls').length === 2, { everyMs: 10 });
  await nodes[holder]!.kill9();
  crm.crm.setFaults({});

  await waitUntil('the other node takes the call log', async () => ((await health(other.url)).cluster.roles as string[]).includes('call-log'), { everyMs: 100, timeoutMs: 15_000 });
  await waitUntil('c2 on the card', () => logged().includes('c2'), { everyMs: 20 });
  await waitUntil('the call-back task', () => crm.crm.tasks.length === 1, { everyMs: 20 });
  await waitUntil('the outbox idle', async () => (await health(other.url)).call_log.pending === 0, { everyMs: 50 });
  expect(logged()).toEqual(['c1', 'c2']);
  expect(crm.crm.tasks).toHaveLength(1);
});
