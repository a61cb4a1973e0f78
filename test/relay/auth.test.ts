/**
 * Each Kommo user hears only their own calls: a relay ticket on the WebSocket, in a JSON poll and
 * in script mode gets that user's extensions and nothing else (4403 / 403 with the refused ones);
 * a forged ticket is 4401 / 401, an expired one 4419 / 401 ticket_expired; `auth` renews a ticket
 * on the open socket without dropping it or its calls; an unrenewed socket is closed at its
 * ticket's exp. Against the real relay on loopback, its clock moved by the test.
 */
import { createSecretKey } from 'node:crypto';
import { SignJWT } from 'jose';
import { event, KOMMO, kommoAuth, relay, stopAll, T0, ticketFor, TOKEN } from './harness';
import type { TestRelay } from './harness';

afterEach(stopAll);

const MINUTE = 60_000;
const authRelay = (extra: Parameters<typeof kommoAuth>[0] = {}, token?: string) => relay({ token, auth: kommoAuth(extra) }, { ms: T0 });
const subscribe = (ticket: string, extensions: string[]) => ({ type: 'subscribe', v: 2, ticket, extensions });
const poll = (t: TestRelay, credential: string, extensions: string) => fetch(`${t.r.url}/calls?v=2&extensions=${extensions}`, { headers: { Authorization: `Bearer ${credential}` } });
const script = async (t: TestRelay, query: string) => (await fetch(`${t.r.url}/calls.js?callback=cb&extensions=${query}`)).text();

/** A ticket with the relay's claims, signed with another key (what an attacker can make). */
const forged = () =>
  new SignJWT({ acc: KOMMO.accountId }).setProtectedHeader({ alg: 'HS256' }).setSubject('1001').setIssuedAt(T0 / 1000).setExpirationTime(T0 / 1000 + 600).sign(createSecretKey(Buffer.from('guessed-secret')));

test('user A asking for user B\'s extension: WebSocket 4403 with the frame, JSON poll 403, script mode the same code; A\'s own is served', async () => {
  const t = await authRelay();
  await t.post(event('c-b', 'ringing', '102'));
  const alice = await ticketFor(t, 1001);

  const own = await t.client(subscribe(alice, ['101']));
  expect(await own.frame('snapshot')).toMatchObject({ v: 2, calls: [] });
  const greedy = await t.client(subscribe(alice, ['101', '102']));
  expect(await greedy.closed()).toBe(4403);
  expect(greedy.frames).toEqual([{ type: 'error', code: 'forbidden_extension', extensions: ['102'] }]);

  const refused = await poll(t, alice, '101,102');
  expect({ status: refused.status, body: await refused.json() }).toEqual({ status: 403, body: { error: 'forbidden_extension', reason: expect.any(String), extensions: ['102'] } });
  const served = await poll(t, alice, '101');
  expect(served.status).toBe(200);
  expect(await script(t, `102&ticket=${alice}`)).toBe('cb({"error":"forbidden_extension","extensions":["102"]});');
  // Bob's call reaches Bob, never Alice.
  const bob = await ticketFor(t, 1002);
  expect(await script(t, `102&v=2&ticket=${bob}`)).toContain('"call_id":"c-b"');
  expect(JSON.stringify(own.frames)).not.toContain('c-b');
});

test('a forged ticket, a Kommo token or a shared token instead of a ticket: unauthorized everywhere (4401, 401)', async () => {
  const t = await authRelay();
  const fake = await forged();
  for (const credential of [fake, 'not-a-ticket', TOKEN]) {
    const ws = await t.client(subscribe(credential, ['101']));
    expect(await ws.closed()).toBe(4401);
    expect(ws.frames).toEqual([{ type: 'error', code: 'unauthorized' }]);
    const answer = await poll(t, credential, '101');
    expect({ status: answer.status, error: ((await answer.json()) as { error: string }).error }).toEqual({ status: 401, error: 'unauthorized' });
    expect(await script(t, `101&ticket=${credential}`)).toBe('cb({"error":"unauthorized"});');
  }
  // Without --token the shared token is no credential at all, in any field.
  const legacy = await t.client({ type: 'subscribe', token: TOKEN, extensions: ['101'] });
  expect(await legacy.closed()).toBe(4401);
  expect(await script(t, `101&token=${TOKEN}`)).toBe('cb({"error":"unauthorized"});');
  // Another relay process (its own random ticket secret) does not take this one's tickets.
  const other = await relay({ token: undefined, auth: kommoAuth({ ticketSecret: undefined }) }, t.clock);
  const mine = await ticketFor(t);
  expect((await poll(other, mine, '101')).status).toBe(401);
});

test('an expired ticket: ticket_expired with close 4419, 401 ticket_expired in a poll and in script mode', async () => {
  const t = await authRelay();
  const ticket = await ticketFor(t);
  t.clock.ms += 10 * MINUTE;
  const ws = await t.client(subscribe(ticket, ['101']));
  expect(await ws.closed()).toBe(4419);
  expect(ws.frames).toEqual([{ type: 'error', code: 'ticket_expired' }]);
  const answer = await poll(t, ticket, '101');
  expect({ status: answer.status, error: ((await answer.json()) as { error: string }).error }).toEqual({ status: 401, error: 'ticket_expired' });
  expect(await script(t, `101&ticket=${ticket}`)).toBe('cb({"error":"ticket_expired"});');
});

test('renewal with auth keeps the socket and its calls flowing past the old ticket\'s expiry', async () => {
  const t = await authRelay();
  const ws = await t.client(subscribe(await ticketFor(t), ['101']));
  await ws.frame('snapshot');
  t.clock.ms += 8 * MINUTE; // 80 % of 600 s, when the widget renews
  ws.send({ type: 'auth', ticket: await ticketFor(t) });
  expect(await ws.frame('auth_ok')).toEqual({ type: 'auth_ok', expires_in: 600 });
  t.clock.ms += 5 * MINUTE; // the first ticket expired 3 minutes ago
  expect((await t.postJson(event('late', 'ringing'))).status).toBe(200);
  expect(await ws.frame('call')).toMatchObject({ call: { call_id: 'late', state: 'ringing' } });
  ws.send({ type: 'ping' });
  expect(await ws.frame('pong')).toMatchObject({ type: 'pong' });
  expect(ws.closeCode()).toBeNull();
});

test('a renewal with another user\'s ticket or a forged one is unauthorized (4401); auth before subscribe is a bad request', async () => {
  const t = await authRelay();
  const bobs = await t.client(subscribe(await ticketFor(t, 1001), ['101']));
  await bobs.frame('snapshot');
  bobs.send({ type: 'auth', ticket: await ticketFor(t, 1002) });
  expect(await bobs.closed()).toBe(4401);
  expect(bobs.frames.slice(1)).toEqual([{ type: 'error', code: 'unauthorized' }]);

  const faked = await t.client(subscribe(await ticketFor(t), ['101']));
  await faked.frame('snapshot');
  faked.send({ type: 'auth', ticket: await forged() });
  expect(await faked.closed()).toBe(4401);

  const early = await t.client({ type: 'auth', ticket: await ticketFor(t) });
  expect(await early.closed()).toBe(4400);
  expect(early.frames).toEqual([{ type: 'error', code: 'bad_request', reason: expect.stringContaining('subscribe first') }]);
});

test('a socket whose ticket is not renewed is closed with ticket_expired + 4419 at its exp, without sending anything', async () => {
  const t = await authRelay();
  const ticket = await ticketFor(t);
  // Just before its exp, so the relay's timer (real time) is due soon; it closes once the relay's clock has passed exp.
  t.clock.ms = T0 + 10 * MINUTE - 200;
  const quiet = await t.client(subscribe(ticket, ['101']));
  await quiet.frame('snapshot');
  const talker = await t.client(subscribe(ticket, ['101']));
  await talker.frame('snapshot');
  t.clock.ms = T0 + 10 * MINUTE;
  expect(await quiet.closed()).toBe(4419);
  expect(quiet.frames.slice(1)).toEqual([{ type: 'error', code: 'ticket_expired' }]);
  // A frame after exp is not handled: the socket is closed on it, whether or not its timer fired yet.
  talker.send({ type: 'ping' });
  expect(await talker.closed()).toBe(4419);
  expect(talker.frames.some((f) => f.type === 'pong')).toBe(false);
});

test('the users file is asked at every use: a changed map applies to polls at once and to a socket at its renewal (4403)', async () => {
  let users = new Map<string, readonly string[]>([['1001', ['101', '103']]]);
  const t = await authRelay({ users: () => users });
  const ticket = await ticketFor(t);
  const ws = await t.client(subscribe(ticket, ['101', '103']));
  await ws.frame('snapshot');
  users = new Map([['1001', ['101']]]);
  expect((await poll(t, ticket, '103')).status).toBe(403);
  ws.send({ type: 'auth', ticket: await ticketFor(t) });
  expect(await ws.closed()).toBe(4403);
  expect(ws.frames.slice(1)).toEqual([{ type: 'error', code: 'forbidden_extension', extensions: ['103'] }]);
});

test('with --token as well, the legacy token keeps version 1\'s rule (any extension) next to tickets', async () => {
  const t = await authRelay({}, TOKEN);
  const legacy = await t.client({ type: 'subscribe', token: TOKEN, extensions: ['101', '102', '999'] });
  expect(await legacy.frame('snapshot')).toMatchObject({ type: 'snapshot' });
  expect((await poll(t, TOKEN, '102,999')).status).toBe(200);
  expect(await script(t, `102&token=${TOKEN}`)).toBe('cb({"calls":[]});');
  // A socket on the shared token may move to a ticket; from then on the ticket's rules hold.
  legacy.send({ type: 'auth', ticket: await ticketFor(t, 1001) });
  expect(await legacy.closed()).toBe(4403);
});

test('nothing the relay logs names a secret or a ticket', async () => {
  const t = await authRelay({}, TOKEN);
  const ticket = await ticketFor(t);
  const ws = await t.client(subscribe(ticket, ['101']));
  await ws.frame('snapshot');
  // Entries that do get logged: a clamped `at`, a full relay.
  await t.post(event('c1', 'ringing', '101', { at: 1 }));
  ws.send({ type: 'auth', ticket: await forged() });
  await ws.closed();
  await poll(t, ticket, '102');
  expect(t.logs.length).toBeGreaterThan(0);
  const logged = t.logs.join('\n');
  for (const secret of [KOMMO.secret, KOMMO.ticketSecret, TOKEN, 'pbx-token', ticket, ticket.split('.')[2]!]) expect(logged).not.toContain(secret);
});
