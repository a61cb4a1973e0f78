/**
 * Per-address and per-user caps. The relay sits behind a TLS proxy on the same machine, as
 * relay/README.md advises, so each client is named by the `X-Forwarded-For` the proxy appends;
 * the test plays that proxy on loopback. A peer that is not a trusted proxy cannot pick its
 * address that way. Per-user caps need tickets (the legacy token is one user for everyone).
 */
import { waitUntil } from '../support/wait';
import { anonymousSockets, closeGuardSockets, watchedSocket } from './guard-support';
import { kommoAuth, relay, stopAll, ticketFor, TOKEN } from './harness';

afterEach(async () => {
  closeGuardSockets();
  await stopAll();
});

const legacy = { type: 'subscribe', v: 2, token: TOKEN, extensions: ['101'] };
const from = (address: string) => ({ 'X-Forwarded-For': address });
const OFFICE = '203.0.113.7';
const OTHER = '198.51.100.20';

test('pending sockets per address: the 21st from one address closes that address\'s oldest (4408); other addresses keep theirs', async () => {
  const t = await relay();
  const office = await anonymousSockets(t.r.wsUrl, 20, from(OFFICE));
  const other = await anonymousSockets(t.r.wsUrl, 5, from(OTHER));
  const next = await watchedSocket(t.r.wsUrl, from(OFFICE));
  expect(await office[0]?.closed()).toEqual({ code: 4408, reason: 'too many unauthenticated sockets' });
  expect(office.slice(1).every((s) => s.close === null) && other.every((s) => s.close === null) && next.close === null).toBe(true);
  // The newcomer is the one that gets its chance: it subscribes and is served.
  next.send(legacy);
  expect((await next.frame('snapshot')).type).toBe('snapshot');
});

test('authenticated sockets per address: one more than the cap is told overloaded (limit address, 4503); another address and loopback are not counted with it', async () => {
  const t = await relay({ maxSubscribersPerAddress: 3 });
  for (let i = 0; i < 3; i += 1) {
    const widget = await watchedSocket(t.r.wsUrl, from(OFFICE));
    widget.send(legacy);
    await widget.frame('snapshot');
  }
  const fourth = await watchedSocket(t.r.wsUrl, from(OFFICE));
  fourth.send(legacy);
  expect(await fourth.frame('error')).toEqual({ type: 'error', code: 'overloaded', retry_after: 10, reason: 'too many sockets from one address', limit: 'address' });
  expect((await fourth.closed()).code).toBe(4503);
  const elsewhere = await watchedSocket(t.r.wsUrl, from(OTHER));
  elsewhere.send(legacy);
  expect((await elsewhere.frame('snapshot')).type).toBe('snapshot');
  for (let i = 0; i < 4; i += 1) expect((await (await t.client(legacy)).frame('snapshot')).type).toBe('snapshot');
  expect(t.logs.filter((line) => line.startsWith('relay: per-address cap reached'))).toEqual([`relay: per-address cap reached, a widget was told to come back later {"address":"${OFFICE}","cap":3}`]);
});

test('X-Forwarded-For from a peer that is not a trusted proxy is ignored: the client cannot pick an address per socket', async () => {
  // Only 192.0.2.1 is trusted, so these loopback peers are themselves: this machine, not capped per address...
  const t = await relay({ maxSubscribersPerAddress: 2, trustedProxies: ['192.0.2.1'] });
  for (let i = 0; i < 3; i += 1) {
    const widget = await watchedSocket(t.r.wsUrl, from(OFFICE));
    widget.send(legacy);
    expect((await widget.frame('snapshot')).type).toBe('snapshot');
  }
  // ...while with loopback trusted (the default) the same header names the office, and its cap holds.
  const proxied = await relay({ maxSubscribersPerAddress: 2 });
  const outcomes: string[] = [];
  for (let i = 0; i < 3; i += 1) {
    const widget = await watchedSocket(proxied.r.wsUrl, from(OFFICE));
    widget.send(legacy);
    await waitUntil('an answer', () => widget.frames.length > 0);
    outcomes.push(String(widget.frames[0]?.type === 'error' ? widget.frames[0].code : widget.frames[0]?.type));
  }
  expect(outcomes).toEqual(['snapshot', 'snapshot', 'overloaded']);
});

test('sockets per Kommo user (tickets): one more than the cap is told overloaded (limit user, 4503); another user is served; the legacy token is not one user', async () => {
  const t = await relay({ token: TOKEN, auth: kommoAuth(), maxSubscribersPerUser: 2 });
  const alice = await ticketFor(t, 1001);
  const bob = await ticketFor(t, 1002);
  const subscribe = (ticket: string, extension: string) => ({ type: 'subscribe', v: 2, ticket, extensions: [extension] });
  const served = [await t.client(subscribe(alice, '101')), await t.client(subscribe(alice, '101'))];
  for (const socket of served) expect((await socket.frame('snapshot')).type).toBe('snapshot');
  const third = await t.client(subscribe(alice, '101'));
  expect(await third.frame('error')).toEqual({ type: 'error', code: 'overloaded', retry_after: 10, reason: 'too many sockets of one user', limit: 'user' });
  expect(await third.closed()).toBe(4503);
  expect((await (await t.client(subscribe(bob, '102'))).frame('snapshot')).type).toBe('snapshot');
  for (let i = 0; i < 3; i += 1) expect((await (await t.client(legacy)).frame('snapshot')).type).toBe('snapshot');
  // A slot is freed when its socket closes: Alice's next socket is served again.
  const before = t.r.connections();
  served[0]?.ws.close();
  await waitUntil('the relay saw it close', () => t.r.connections() === before - 1);
  expect((await (await t.client(subscribe(alice, '101'))).frame('snapshot')).type).toBe('snapshot');
});

test('IPv6 clients are counted per /64: addresses of one prefix share the cap, another prefix has its own', async () => {
  const t = await relay({ maxSubscribersPerAddress: 2 });
  const answers: string[] = [];
  for (const address of ['2001:db8:1:2::10', '2001:db8:1:2:aaaa::11', '2001:db8:1:2:ffff:ffff:ffff:12', '2001:db8:1:3::10']) {
    const widget = await watchedSocket(t.r.wsUrl, from(address));
    widget.send(legacy);
    await waitUntil('an answer', () => widget.frames.length > 0);
    answers.push(`${address}: ${String(widget.frames[0]?.type === 'error' ? widget.frames[0].code : widget.frames[0]?.type)}`);
  }
  expect(answers).toEqual(['2001:db8:1:2::10: snapshot', '2001:db8:1:2:aaaa::11: snapshot', '2001:db8:1:2:ffff:ffff:ffff:12: overloaded', '2001:db8:1:3::10: snapshot']);
});
