/**
 * The anonymous-socket flood (issue 13): sockets that open and never authenticate used to take
 * subscriber slots, so 1000 of them re-opened every 10 s kept real widgets on `overloaded`. Now
 * they hold only a place in the pending pool (bounded: the oldest make room) and the subscriber
 * cap counts authenticated sockets alone. Against the real relay on loopback.
 */
import { waitUntil } from '../support/wait';
import { anonymousSockets, closeGuardSockets, watchedSocket } from './guard-support';
import type { Watched } from './guard-support';
import { PBX, relay, stopAll, TOKEN } from './harness';

afterEach(async () => {
  closeGuardSockets();
  await stopAll();
});

const subscribe = { type: 'subscribe', v: 2, token: TOKEN, extensions: ['101'] };
const figures = async (url: string) => (await (await fetch(`${url}/health`, { headers: { Authorization: `Bearer ${PBX}` } })).json()) as Record<string, unknown>;

test('1000 anonymous sockets held open take no subscriber slot: widgets up to the cap get their snapshot, the next is told overloaded', async () => {
  const t = await relay({ maxSubscribers: 3 });
  const flood = await anonymousSockets(t.r.wsUrl, 1000);
  expect(flood.filter((s) => s.close !== null || s.refusedWith !== null)).toEqual([]);
  for (let i = 0; i < 3; i += 1) expect(await (await t.client(subscribe)).frame('snapshot')).toMatchObject({ type: 'snapshot', v: 2 });
  expect(await figures(t.r.url)).toMatchObject({ subscribers: 3, pending: 1000 });
  // The cap is reached by widgets, not by the flood: the fourth widget is the one told to wait.
  const fourth = await t.client(subscribe);
  expect(await fourth.frame('error')).toEqual({ type: 'error', code: 'overloaded', retry_after: 10 });
  expect(await fourth.closed()).toBe(4503);
  expect(flood.filter((s) => s.close !== null)).toEqual([]);
}, 30_000);

test('beyond maxPending the oldest anonymous sockets are closed (4408) and a widget still gets in', async () => {
  const t = await relay({ maxPending: 50 });
  const flood = await anonymousSockets(t.r.wsUrl, 80);
  await waitUntil('the 30 oldest closed', () => flood.filter((s) => s.close !== null).length === 30);
  expect(flood.slice(0, 30).map((s) => s.close)).toEqual(Array.from({ length: 30 }, () => ({ code: 4408, reason: 'too many unauthenticated sockets' })));
  expect(flood.slice(30).every((s) => s.close === null)).toBe(true);
  const widget = await t.client(subscribe);
  expect((await widget.frame('snapshot')).type).toBe('snapshot');
  // Its place came from the oldest anonymous socket left; the pool stays at its bound.
  await waitUntil('the 31st closed', () => flood[30]?.close !== null);
  expect(await figures(t.r.url)).toMatchObject({ subscribers: 1, pending: 49 });
  expect(t.logs.filter((line) => line.startsWith('relay: too many unauthenticated sockets')).length).toBe(1);
}, 30_000);

test('anonymous sockets re-opened as soon as the deadline closes them never keep a widget out', async () => {
  const t = await relay({ subscribeTimeoutMs: 200, maxPending: 300 });
  let flooding = true;
  let reopened = 0;
  const hold = (socket: Watched): void => {
    socket.ws.once('close', () => {
      if (!flooding) return;
      reopened += 1;
      void watchedSocket(t.r.wsUrl).then(hold);
    });
  };
  for (const socket of await anonymousSockets(t.r.wsUrl, 400)) hold(socket);
  try {
    // Widgets come and go while the attacker keeps the pool full and churning.
    for (let i = 0; i < 5; i += 1) {
      const widget = await t.client(subscribe);
      expect((await widget.frame('snapshot')).type).toBe('snapshot');
      widget.ws.close();
      await waitUntil('a round of the flood', () => reopened >= (i + 1) * 100);
    }
  } finally {
    flooding = false;
  }
}, 30_000);
