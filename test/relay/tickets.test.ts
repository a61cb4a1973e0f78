/**
 * `POST /ticket` as the widget's `$authorizedAjax` reaches it: Kommo's one-time token (X-Auth-Token)
 * is verified (signature, HS256 only, exp/nbf with 30 s of tolerance, the account, the user) and
 * exchanged for a relay ticket carrying that user's extensions; each refusal names its reason;
 * CORS only for the account's Kommo origin. Against the real relay on loopback.
 */
import { createSecretKey } from 'node:crypto';
import { jwtVerify } from 'jose';
import { KOMMO, kommoAuth, kommoJwt, postTicket, relay, stopAll, T0 } from './harness';

afterEach(stopAll);

const authRelay = (extra: Parameters<typeof kommoAuth>[0] = {}) => relay({ token: undefined, auth: kommoAuth(extra) });
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

test('a valid one-time token gets a ticket for that user with the users file\'s extensions; the ticket is the relay\'s JWT', async () => {
  const t = await authRelay();
  const answer = await postTicket(t.r.url, await kommoJwt(T0));
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ v: 2, ticket: expect.any(String), expires_in: 600, user_id: '1001', extensions: ['101'] });
  expect(answer.headers.get('access-control-allow-origin')).toBe(KOMMO.origin);
  expect(answer.headers.get('cache-control')).toBe('no-store');
  // Opaque to the widget, but the contract says what it is: HS256 with the ticket secret, sub/acc/iat/exp.
  const { payload, protectedHeader } = await jwtVerify(answer.body.ticket as string, createSecretKey(Buffer.from(KOMMO.ticketSecret)), { currentDate: new Date(T0) });
  expect(protectedHeader.alg).toBe('HS256');
  expect(payload).toEqual({ sub: '1001', acc: KOMMO.accountId, iat: T0 / 1000, exp: T0 / 1000 + 600 });
});

test('user_id as a string works the same; a user the file does not list, or lists with none, gets no extensions', async () => {
  const t = await authRelay({ ticketTtlS: 900 });
  const asString = await postTicket(t.r.url, await kommoJwt(T0, { user_id: '1002' }));
  expect(asString.body).toMatchObject({ expires_in: 900, user_id: '1002', extensions: ['102'] });
  expect((await postTicket(t.r.url, await kommoJwt(T0, { user_id: 1003 }))).body).toMatchObject({ user_id: '1003', extensions: [] });
  expect((await postTicket(t.r.url, await kommoJwt(T0, { user_id: 4242 }))).body).toMatchObject({ user_id: '4242', extensions: [] });
});

test('each refused token gets 401 with its reason: forged, alg none, RS256, expired, not yet valid, wrong account, missing, malformed', async () => {
  const t = await authRelay();
  const now = T0 / 1000;
  const valid = await kommoJwt(T0);
  const [, payload] = valid.split('.');
  const cases: Array<[string, string | null]> = [
    ['bad_signature', await kommoJwt(T0, {}, 'not-the-integration-secret')],
    ['bad_signature', `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`],
    // The same signature under another algorithm's name: refused before any key is tried.
    ['bad_signature', `${b64({ alg: 'RS256', typ: 'JWT' })}.${payload}.${valid.split('.')[2]}`],
    ['bad_signature', `${valid.slice(0, -4)}AAAA`],
    ['expired', await kommoJwt(T0, { iat: now - 700, nbf: now - 700, exp: now - 31 })],
    ['not_yet_valid', await kommoJwt(T0, { nbf: now + 31 })],
    ['wrong_account', await kommoJwt(T0, { account_id: KOMMO.accountId + 1 })],
    ['wrong_account', await kommoJwt(T0, { account_id: undefined })],
    ['missing', null],
    ['missing', ''],
    ['malformed', 'not.a.jwt'],
    ['malformed', 'garbage'],
    ['malformed', await kommoJwt(T0, { exp: undefined })],
    ['malformed', await kommoJwt(T0, { user_id: undefined })],
    ['malformed', await kommoJwt(T0, { user_id: { id: 1 } })],
  ];
  const answers = await Promise.all(cases.map(([, token]) => postTicket(t.r.url, token)));
  expect(answers.map((a) => [a.status, a.body])).toEqual(cases.map(([reason]) => [401, { error: 'unauthorized', reason }]));
  // Refusals carry CORS too, so the widget can read why.
  expect(answers.every((a) => a.headers.get('access-control-allow-origin') === KOMMO.origin)).toBe(true);
});

test('exp and nbf have 30 s of tolerance for clock skew, no more', async () => {
  const t = await authRelay();
  const now = T0 / 1000;
  const answers = async (tokens: Array<Promise<string>>) => Promise.all((await Promise.all(tokens)).map((jwt) => postTicket(t.r.url, jwt)));
  const within = await answers([kommoJwt(T0, { iat: now - 620, nbf: now - 620, exp: now - 29 }), kommoJwt(T0, { nbf: now + 30 })]);
  expect(within.map((a) => a.status)).toEqual([200, 200]);
  const beyond = await answers([kommoJwt(T0, { iat: now - 620, nbf: now - 620, exp: now - 30 }), kommoJwt(T0, { nbf: now + 31 })]);
  expect(beyond.map((a) => a.body.reason)).toEqual(['expired', 'not_yet_valid']);
});

test('CORS: the preflight of the account\'s origin is answered; another origin (or null) gets no Access-Control-Allow-Origin', async () => {
  const t = await authRelay();
  const preflight = (origin: string) =>
    fetch(`${t.r.url}/ticket`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'x-auth-token' } });
  const allowed = await preflight(KOMMO.origin);
  expect(allowed.status).toBe(204);
  expect(Object.fromEntries(['access-control-allow-origin', 'access-control-allow-methods', 'access-control-allow-headers', 'vary'].map((h) => [h, allowed.headers.get(h)]))).toEqual({
    'access-control-allow-origin': KOMMO.origin,
    'access-control-allow-methods': 'GET, POST',
    'access-control-allow-headers': 'Authorization, Content-Type, If-None-Match, X-Auth-Token',
    vary: 'Origin',
  });
  for (const origin of ['https://evil.example.com', 'null', 'https://acme.kommo.com.evil.example.com']) {
    const refused = await preflight(origin);
    expect({ origin, status: refused.status, allow: refused.headers.get('access-control-allow-origin'), error: ((await refused.json()) as { error: string }).error }).toEqual({
      origin,
      status: 403,
      allow: null,
      error: 'origin_not_allowed',
    });
  }
  // A POST from another origin is answered (a non-browser client could send any Origin) but not named in CORS.
  const foreign = await postTicket(t.r.url, await kommoJwt(T0), 'https://evil.example.com');
  expect({ status: foreign.status, allow: foreign.headers.get('access-control-allow-origin') }).toEqual({ status: 200, allow: null });
  // The JSON poll follows the same allow-list.
  const poll = await fetch(`${t.r.url}/calls`, { method: 'OPTIONS', headers: { Origin: 'https://evil.example.com' } });
  expect({ status: poll.status, allow: poll.headers.get('access-control-allow-origin') }).toEqual({ status: 403, allow: null });
  expect((await fetch(`${t.r.url}/calls`, { method: 'OPTIONS', headers: { Origin: KOMMO.origin } })).headers.get('access-control-allow-origin')).toBe(KOMMO.origin);
});

test('a relay without Kommo settings answers 404 tickets_disabled (readable cross-origin); only POST is a ticket request', async () => {
  const legacy = await relay();
  const answer = await postTicket(legacy.r.url, await kommoJwt(T0), 'https://acme.kommo.com');
  expect({ status: answer.status, body: answer.body, allow: answer.headers.get('access-control-allow-origin') }).toEqual({
    status: 404,
    body: { error: 'tickets_disabled' },
    allow: 'https://acme.kommo.com',
  });
  const t = await authRelay();
  const get = await fetch(`${t.r.url}/ticket`);
  expect({ status: get.status, allow: get.headers.get('allow'), error: ((await get.json()) as { error: string }).error }).toEqual({ status: 405, allow: 'POST, OPTIONS', error: 'method_not_allowed' });
});
