/**
 * The relay access's shell without a network: a post the test answers by hand and a manual
 * clock. When it asks for tickets, what waits for them, and what `stop()` leaves.
 */
import { createRelayAccess } from '../../../src/feed/relay-access';
import type { TicketAnswer } from '../../../src/feed/relay-access';
import { ManualClock, recordingLogger } from './support';

const TICKET = (ticket: string, ttlS = 100): TicketAnswer => ({ status: 200, body: { v: 2, ticket, expires_in: ttlS, user_id: '1', extensions: ['101'] } });

function setup(options: { token?: string; hidden?: boolean } = {}) {
  const clock = new ManualClock();
  const asked: Array<(answer: TicketAnswer) => void> = [];
  const access = createRelayAccess({
    ticketUrl: 'https://relay.example.com/ticket',
    post: () => new Promise<TicketAnswer>((resolve) => asked.push(resolve)),
    token: options.token ?? '',
    clock,
    logger: recordingLogger(),
    random: () => 0,
    hidden: () => options.hidden ?? false,
  });
  const ready: unknown[] = [];
  access.start((granted) => ready.push(granted));
  const answer = async (a: TicketAnswer) => {
    asked.shift()!(a);
    await new Promise((resolve) => setImmediate(resolve));
  };
  return { clock, asked, access, ready, answer };
}

test('the first ticket makes it ready; the renewal goes out at 80 % of its life and tells the open sockets', async () => {
  const t = setup();
  expect(t.asked).toHaveLength(1);
  await t.answer(TICKET('one'));
  expect(t.ready).toMatchObject([{ mode: 'ticket', ticket: 'one', extensions: ['101'] }]);
  expect(t.access.credentials.current()).toEqual({ kind: 'ticket', ticket: 'one' });
  let renewed = 0;
  t.access.credentials.onRenewed(() => (renewed += 1));
  t.clock.advance(79_999);
  expect(t.asked).toHaveLength(0);
  t.clock.advance(1);
  expect(t.asked).toHaveLength(1);
  await t.answer(TICKET('two'));
  expect(t.access.credentials.current()).toEqual({ kind: 'ticket', ticket: 'two' });
  expect(renewed).toBe(1);
  expect(t.ready).toHaveLength(1);
});

test('no answer and no token: asked again after the quick delay (visible) or the backoff (hidden), never ready meanwhile', async () => {
  const visible = setup();
  await visible.answer({ status: 0, body: null });
  expect(visible.ready).toEqual([]);
  visible.clock.advance(249);
  expect(visible.asked).toHaveLength(0);
  visible.clock.advance(1);
  expect(visible.asked).toHaveLength(1);
  await visible.answer(TICKET('late'));
  expect(visible.ready).toMatchObject([{ mode: 'ticket' }]);

  const hidden = setup({ hidden: true });
  await hidden.answer({ status: 503, body: null });
  // random 0: the full-jitter backoff waits 0 ms, at once.
  hidden.clock.advance(0);
  expect(hidden.asked).toHaveLength(1);
});

test('a refused credential: renew() asks at once, once, and the next socket waits for the answer (whenReady)', async () => {
  const t = setup();
  await t.answer(TICKET('one'));
  t.access.credentials.renew();
  t.access.credentials.renew();
  expect(t.asked).toHaveLength(1);
  const waited: string[] = [];
  t.access.credentials.whenReady(() => waited.push('socket'));
  expect(waited).toEqual([]);
  await t.answer(TICKET('fresh'));
  expect(waited).toEqual(['socket']);
  expect(t.access.credentials.current()).toEqual({ kind: 'ticket', ticket: 'fresh' });
  // Nothing in flight: at once.
  t.access.credentials.whenReady(() => waited.push('now'));
  expect(waited).toEqual(['socket', 'now']);
});

test('a relay without tickets and a token setting: the shared token; without a token: refused no-tickets', async () => {
  const withToken = setup({ token: 'shared' });
  await withToken.answer({ status: 404, body: { error: 'tickets_disabled' } });
  expect(withToken.ready).toEqual([{ mode: 'token' }]);
  expect(withToken.access.credentials.current()).toEqual({ kind: 'token', token: 'shared' });
  const without = setup();
  await without.answer({ status: 404, body: null });
  expect(without.ready).toEqual([{ mode: 'refused', reason: 'no-tickets' }]);
});

test('stop(): no timer left, no more requests, late answers change nothing', async () => {
  const t = setup();
  await t.answer(TICKET('one'));
  t.access.stop();
  expect(t.clock.pending()).toBe(0);
  t.clock.advance(1_000_000);
  expect(t.asked).toHaveLength(0);
});

test('a ticket handed over by the previous leader: ready at once with no request, renewed when it says, a refusal asks anew', async () => {
  const clock = new ManualClock();
  const asked: Array<(answer: TicketAnswer) => void> = [];
  const handed = { access: { mode: 'ticket' as const, ticket: 'handed', expiresInMs: 100_000, extensions: ['101'] }, expiresAt: clock.now() + 90_000 };
  const access = createRelayAccess({
    ticketUrl: 'https://relay.example.com/ticket',
    post: () => new Promise<TicketAnswer>((resolve) => asked.push(resolve)),
    token: '',
    clock,
    logger: recordingLogger(),
    random: () => 0,
    hidden: () => false,
    handedOver: { held: handed, renewInMs: 70_000 },
  });
  const ready: unknown[] = [];
  access.start((granted) => ready.push(granted));
  expect(ready).toEqual([handed.access]);
  expect(asked).toHaveLength(0);
  expect(access.credentials.current()).toEqual({ kind: 'ticket', ticket: 'handed' });
  expect(access.held()).toEqual(handed);
  const waited: string[] = [];
  access.credentials.whenReady(() => waited.push('socket'));
  expect(waited).toEqual(['socket']);
  let renewed = 0;
  access.credentials.onRenewed(() => (renewed += 1));
  clock.advance(69_999);
  expect(asked).toHaveLength(0);
  clock.advance(1);
  expect(asked).toHaveLength(1);
  asked.shift()!(TICKET('own'));
  await new Promise((resolve) => setImmediate(resolve));
  expect(renewed).toBe(1);
  expect(access.held()).toEqual({ access: { mode: 'ticket', ticket: 'own', expiresInMs: 100_000, extensions: ['101'] }, expiresAt: clock.now() + 100_000 });
  // The relay refuses it (4401/4419): renew() asks at once.
  access.credentials.renew();
  expect(asked).toHaveLength(1);
  access.stop();
});

test('held(): the ticket in use with its expiry; none with the shared token', async () => {
  const t = setup({ token: 'shared' });
  expect(t.access.held()).toBeNull();
  await t.answer(TICKET('one'));
  expect(t.access.held()).toEqual({ access: { mode: 'ticket', ticket: 'one', expiresInMs: 100_000, extensions: ['101'] }, expiresAt: t.clock.now() + 100_000 });
  t.access.credentials.renew();
  await t.answer({ status: 404, body: null });
  expect(t.access.held()).toBeNull();
  expect(t.access.credentials.current()).toEqual({ kind: 'token', token: 'shared' });
});
