/**
 * `POST /originate` (click-to-call) through a real relay on loopback, against a PBX double: what
 * the PBX receives (the JSON, the bearer), how each PBX answer reaches the widget (accepted,
 * refused, 5xx, unreachable, timeout), who may ring which extension, the rate limit on the
 * relay's clock, the in-flight cap, bad requests, CORS, and an adapter that breaks its promise.
 */
import { createHttpAdapter } from '../../relay/src';
import type { OriginateRequest, PbxAdapter, RelayOptions } from '../../relay/src';
import { waitUntil } from '../support/wait';
import { KOMMO, kommoAuth, kommoJwt, relay, stopAll, T0, ticketFor, TOKEN } from './harness';
import type { TestRelay } from './harness';
import { garbageUrl, pbxDouble, refusingUrl, stopDoubles } from './pbx-double';
import type { PbxAnswer, PbxDouble } from './pbx-double';

afterEach(async () => {
  await stopAll();
  await stopDoubles();
});

const ORIGINATE_TOKEN = 'pbx-originate-secret-for-tests';
/** The harness's users (1001: 101, 1002: 102, 1003: none) and 1004 with two extensions. */
const USERS = new Map<string, readonly string[]>([...KOMMO.users, ['1004', ['104', '105']]]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const INTERVAL = 3000;

/** A relay with the Kommo settings and the generic HTTP adapter pointed at `pbx`. */
const clickToCall = (pbx: PbxDouble | string, extra: Partial<RelayOptions> = {}, timeoutMs = 5000) =>
  relay({ token: undefined, auth: kommoAuth({ users: USERS }), originate: { adapter: createHttpAdapter({ url: typeof pbx === 'string' ? pbx : pbx.url, token: ORIGINATE_TOKEN, timeoutMs }) }, ...extra });

interface Answer {
  status: number;
  headers: Headers;
  body: Record<string, unknown>;
}

/** The widget's request: JSON from the Kommo page's origin. */
async function originate(t: TestRelay, body: unknown, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await fetch(`${t.r.url}/originate`, {
    method: 'POST',
    headers: { Origin: KOMMO.origin, 'Content-Type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, unknown> };
}

/** `$authorizedAjax`'s header for `userId`, at the relay's clock. */
const asUser = async (t: TestRelay, userId: number = 1001) => ({ 'X-Auth-Token': await kommoJwt(t.clock.ms, { user_id: userId }) });
const short = (a: Answer) => ({ status: a.status, ...a.body });

test('accepted: the PBX gets the contract\'s JSON with the bearer, the widget gets 200 with the relay\'s id and the PBX\'s call_id; no secret is logged', async () => {
  const pbx = await pbxDouble(() => ({ status: 200, body: { call_id: 'pbx-77' } }));
  const t = await clickToCall(pbx);
  const headers = await asUser(t);
  const answer = await originate(t, { number: '+74951234567' }, headers);
  expect(answer.status).toBe(200);
  expect(answer.body).toEqual({ ok: true, id: expect.stringMatching(UUID), extension: '101', number: '+74951234567', call_id: 'pbx-77' });
  expect(answer.headers.get('access-control-allow-origin')).toBe(KOMMO.origin);
  expect(pbx.received).toHaveLength(1);
  const [got] = pbx.received;
  expect({ method: got?.method, path: got?.path, auth: got?.headers.authorization, type: got?.headers['content-type'] }).toEqual({
    method: 'POST',
    path: '/originate',
    auth: `Bearer ${ORIGINATE_TOKEN}`,
    type: 'application/json',
  });
  expect(got?.text).toBe(JSON.stringify({ v: 1, id: answer.body.id, extension: '101', number: '+74951234567', user_id: '1001' }));
  // The Kommo token, the ticket and the PBX's bearer never reach the log.
  for (const secret of [ORIGINATE_TOKEN, headers['X-Auth-Token']]) expect(t.logs.join('\n')).not.toContain(secret);
});

test('a ticket works too; the user\'s first extension rings unless another of theirs is named; an empty 2xx has no call_id', async () => {
  const answers: PbxAnswer[] = [{ status: 204 }, { status: 202, raw: 'queued' }, { status: 200, body: { call_id: 'x'.repeat(129) } }];
  const pbx = await pbxDouble(() => answers.shift() ?? { status: 500 });
  const t = await clickToCall(pbx);
  const bearer = { Authorization: `Bearer ${await ticketFor(t, 1004)}` };
  expect(short(await originate(t, { number: '102' }, bearer))).toEqual({ status: 200, ok: true, id: expect.stringMatching(UUID), extension: '104', number: '102' });
  t.clock.ms += INTERVAL;
  expect(short(await originate(t, { number: '+14155550100', extension: '105' }, bearer))).toMatchObject({ status: 200, extension: '105', number: '+14155550100' });
  t.clock.ms += INTERVAL;
  // A call_id the contract does not allow (over 128 characters) is not passed on.
  expect((await originate(t, { number: '102' }, bearer)).body).not.toHaveProperty('call_id');
  expect(pbx.received.map((r) => JSON.parse(r.text) as Record<string, unknown>).map((b) => [b.extension, b.number, b.user_id])).toEqual([
    ['104', '102', '1004'],
    ['105', '+14155550100', '1004'],
    ['104', '102', '1004'],
  ]);
});

test('the PBX refuses: 409 pbx_refused with its code and its own reason (cut at 200 characters); any other 4xx is `other`', async () => {
  const answers: PbxAnswer[] = [
    { status: 409, body: { error: 'busy', reason: 'extension 101 is on a call' } },
    { status: 400, body: { error: 'bad_number', reason: 'no route to +7495' } },
    { status: 404, body: { error: 'unknown_extension' } },
    { status: 403, body: { error: 'not_allowed', reason: 'international calls are barred' } },
    { status: 403, body: { error: 'nope', reason: 'x'.repeat(500) } },
    { status: 422, raw: 'unprocessable' },
  ];
  const pbx = await pbxDouble(() => answers.shift() ?? { status: 500 });
  const t = await clickToCall(pbx);
  const results: unknown[] = [];
  for (let i = 0; i < 6; i += 1) {
    results.push(short(await originate(t, { number: '+74951234567' }, await asUser(t))));
    t.clock.ms += INTERVAL;
  }
  expect(results).toEqual([
    { status: 409, error: 'pbx_refused', code: 'busy', reason: 'extension 101 is on a call' },
    { status: 409, error: 'pbx_refused', code: 'bad_number', reason: 'no route to +7495' },
    { status: 409, error: 'pbx_refused', code: 'unknown_extension', reason: 'the PBX answered 404' },
    { status: 409, error: 'pbx_refused', code: 'not_allowed', reason: 'international calls are barred' },
    { status: 409, error: 'pbx_refused', code: 'other', reason: 'x'.repeat(200) },
    { status: 409, error: 'pbx_refused', code: 'other', reason: 'the PBX answered 422' },
  ]);
});

test('a PBX that answers 5xx, refuses the connection or answers garbage: 502 pbx_unreachable, logged', async () => {
  const pbx = await pbxDouble(() => ({ status: 503, body: { reason: 'maintenance' } }));
  for (const [url, reason] of [
    [pbx.url, 'the PBX answered 503: maintenance'],
    [await refusingUrl(), 'the PBX could not be reached (ECONNREFUSED)'],
    [await garbageUrl(), expect.stringMatching(/^the PBX could not be reached \(.+\)$/)],
  ] as const) {
    const t = await clickToCall(url);
    const answer = await originate(t, { number: '+74951234567' }, await asUser(t));
    expect(short(answer)).toEqual({ status: 502, error: 'pbx_unreachable', reason });
    expect(answer.headers.get('access-control-allow-origin')).toBe(KOMMO.origin);
    expect(t.logs).toEqual([expect.stringMatching(/^relay: originate: the PBX could not be reached \{"id":"[0-9a-f-]{36}","extension":"101","reason":/)]);
  }
});

test('a PBX that does not answer within the timeout: 504 pbx_timeout, the request cut', async () => {
  const pbx = await pbxDouble(() => 'hang');
  const t = await clickToCall(pbx, {}, 200);
  const answer = await originate(t, { number: '+74951234567' }, await asUser(t));
  expect(short(answer)).toEqual({ status: 504, error: 'pbx_timeout', reason: 'the PBX did not answer within 200 ms' });
  expect(pbx.received).toHaveLength(1);
  await waitUntil('the relay cuts its request to the PBX', () => pbx.held() === 0);
  expect(t.logs).toEqual([expect.stringContaining('relay: originate: the PBX did not answer in time')]);
});

test('who may ring which extension: another\'s is 403 forbidden_extension, none is 403 no_extension, and the PBX is never asked', async () => {
  const pbx = await pbxDouble();
  const t = await clickToCall(pbx);
  const cases: Array<[number, unknown, Record<string, unknown>]> = [
    [1001, { number: '+74951234567', extension: '102' }, { status: 403, error: 'forbidden_extension', extensions: ['102'] }],
    [1004, { number: '+74951234567', extension: '101' }, { status: 403, error: 'forbidden_extension', extensions: ['101'] }],
    [1003, { number: '+74951234567' }, { status: 403, error: 'no_extension' }],
    [4242, { number: '+74951234567', extension: '101' }, { status: 403, error: 'no_extension' }],
  ];
  for (const [user, body, expected] of cases) expect(short(await originate(t, body, await asUser(t, user)))).toEqual({ ...expected, reason: expect.any(String) });
  expect(pbx.received).toEqual([]);
});

test('bad numbers are 400 bad_number, a bad extension 400 bad_request; the PBX is never asked', async () => {
  const pbx = await pbxDouble();
  const t = await clickToCall(pbx);
  const headers = await asUser(t);
  const codes = [];
  for (const body of [{}, { number: 74951234567 }, { number: '8 495 123-45-67' }, { number: '74951234567' }, { number: '+7495' }, { number: '12345' }]) codes.push((await originate(t, body, headers)).body.error);
  for (const body of [{ number: '102', extension: 101 }, { number: '102', extension: '' }, { number: '102', extension: '10 1' }]) codes.push((await originate(t, body, headers)).body.error);
  expect(codes).toEqual([...Array(6).fill('bad_number'), ...Array(3).fill('bad_request')]);
  expect((await originate(t, { number: 'call me' }, headers)).body.reason).toMatch(/^number must be E\.164 \("\+74951234567": "\+" then digits, no spaces\) or an internal extension of 1\.\.4 digits/);
  expect(pbx.received).toEqual([]);
});

test('no credential, a wrong one or a bad Kommo token: 401 unauthorized (the Kommo check\'s reason); an expired ticket: 401 ticket_expired', async () => {
  const pbx = await pbxDouble();
  const t = await clickToCall(pbx);
  const ticket = await ticketFor(t);
  const answers = await Promise.all([
    originate(t, { number: '102' }),
    originate(t, { number: '102' }, { Authorization: 'Bearer not-a-ticket' }),
    originate(t, { number: '102' }, { Authorization: `Bearer ${TOKEN}` }),
    originate(t, { number: '102' }, { 'X-Auth-Token': await kommoJwt(T0, {}, 'another-secret') }),
    originate(t, { number: '102' }, { 'X-Auth-Token': await kommoJwt(T0, { account_id: 1 }) }),
    originate(t, { number: '102' }, { 'X-Auth-Token': '' }),
  ]);
  expect(answers.map((a) => [a.status, a.body.error, a.body.reason])).toEqual([
    [401, 'unauthorized', expect.stringContaining('send X-Auth-Token')],
    [401, 'unauthorized', expect.stringContaining('send X-Auth-Token')],
    [401, 'unauthorized', expect.stringContaining('send X-Auth-Token')],
    [401, 'unauthorized', 'bad_signature'],
    [401, 'unauthorized', 'wrong_account'],
    [401, 'unauthorized', 'missing'],
  ]);
  expect(answers.every((a) => a.headers.get('access-control-allow-origin') === KOMMO.origin)).toBe(true);
  t.clock.ms += 10 * 60_000;
  expect(short(await originate(t, { number: '102' }, { Authorization: `Bearer ${ticket}` }))).toEqual({ status: 401, error: 'ticket_expired', reason: expect.stringContaining('POST <relay>/ticket') });
  expect(pbx.received).toEqual([]);
});

test('the rate limit: a second originate of the same user within 3 s is 429 with Retry-After, whatever the PBX answered; allowed again after it', async () => {
  const pbx = await pbxDouble(() => ({ status: 409, body: { error: 'busy' } }));
  const t = await clickToCall(pbx);
  expect((await originate(t, { number: '102' }, await asUser(t))).body.code).toBe('busy');
  const limited = await originate(t, { number: '+74951234567' }, { Authorization: `Bearer ${await ticketFor(t)}` });
  expect(short(limited)).toEqual({ status: 429, error: 'rate_limited', retry_after: 3, reason: 'one call per user every 3 s: try again in 3 s' });
  expect({ retryAfter: limited.headers.get('retry-after'), cors: limited.headers.get('access-control-allow-origin') }).toEqual({ retryAfter: '3', cors: KOMMO.origin });
  // Another user is not held.
  expect((await originate(t, { number: '102' }, await asUser(t, 1002))).body.code).toBe('busy');
  t.clock.ms += 2001;
  expect(short(await originate(t, { number: '102' }, await asUser(t)))).toMatchObject({ status: 429, retry_after: 1 });
  t.clock.ms += 999;
  expect((await originate(t, { number: '102' }, await asUser(t))).status).toBe(409);
  expect(pbx.received).toHaveLength(3);
});

test('the legacy shared token: the extension must be named, any extension, the limit kept per extension', async () => {
  const pbx = await pbxDouble();
  const t = await relay({ token: TOKEN, originate: { adapter: createHttpAdapter({ url: pbx.url }) } });
  const shared = { Authorization: `Bearer ${TOKEN}` };
  expect(short(await originate(t, { number: '+74951234567' }, shared))).toEqual({ status: 400, error: 'bad_request', reason: 'extension is required with the shared token (no user to pick one for)' });
  expect((await originate(t, { number: '+74951234567', extension: '777' }, shared)).status).toBe(200);
  expect((await originate(t, { number: '+74951234567', extension: '777' }, shared)).status).toBe(429);
  expect((await originate(t, { number: '+74951234567', extension: '778' }, shared)).status).toBe(200);
  expect(pbx.received.map((r) => JSON.parse(r.text) as Record<string, unknown>).map((b) => [b.extension, b.user_id])).toEqual([['777', null], ['778', null]]);
  // Without --originate-token the relay sends no Authorization.
  expect(pbx.received[0]?.headers.authorization).toBeUndefined();
});

test('without an adapter: 404 originate_disabled (readable cross-origin); only POST and OPTIONS', async () => {
  for (const t of [await relay(), await relay({ token: undefined, auth: kommoAuth() })]) {
    const answer = await originate(t, { number: '102' }, { Authorization: `Bearer ${TOKEN}` });
    expect({ status: answer.status, error: answer.body.error, cors: answer.headers.get('access-control-allow-origin') }).toEqual({ status: 404, error: 'originate_disabled', cors: KOMMO.origin });
  }
  const t = await clickToCall(await pbxDouble());
  const get = await fetch(`${t.r.url}/originate`, { headers: { Origin: KOMMO.origin } });
  expect({ status: get.status, allow: get.headers.get('allow'), cors: get.headers.get('access-control-allow-origin') }).toEqual({ status: 405, allow: 'POST, OPTIONS', cors: KOMMO.origin });
});

test('CORS: the preflight of the Kommo origin is answered, another origin is refused', async () => {
  const t = await clickToCall(await pbxDouble());
  const preflight = (origin: string) => fetch(`${t.r.url}/originate`, { method: 'OPTIONS', headers: { Origin: origin, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type, x-auth-token' } });
  const allowed = await preflight(KOMMO.origin);
  expect([allowed.status, allowed.headers.get('access-control-allow-origin'), allowed.headers.get('access-control-allow-methods'), allowed.headers.get('access-control-allow-headers')]).toEqual([
    204,
    KOMMO.origin,
    'GET, POST',
    'Authorization, Content-Type, If-None-Match, X-Auth-Token',
  ]);
  const refused = await preflight('https://evil.example.com');
  expect([refused.status, refused.headers.get('access-control-allow-origin')]).toEqual([403, null]);
});

test('a body that is not a JSON object, over 4 KB, or not application/json: 400 / 413 / 415, the PBX never asked', async () => {
  const pbx = await pbxDouble();
  const t = await clickToCall(pbx);
  const headers = await asUser(t);
  const answers = [
    await originate(t, '{"number": ', headers),
    await originate(t, '["+74951234567"]', headers),
    await originate(t, { number: '+74951234567', padding: 'x'.repeat(4096) }, headers),
    await originate(t, { number: '+74951234567' }, { ...headers, 'Content-Type': 'text/plain' }),
  ];
  expect(answers.map((a) => [a.status, a.body.error, a.headers.get('access-control-allow-origin')])).toEqual([
    [400, 'bad_json', KOMMO.origin],
    [400, 'bad_json', KOMMO.origin],
    [413, 'too_large', KOMMO.origin],
    [415, 'unsupported_media_type', KOMMO.origin],
  ]);
  expect(pbx.received).toEqual([]);
});

test('more than 50 originates waiting on the PBX: 503 overloaded with Retry-After 1, not counted against the rate limit', async () => {
  let hold = true;
  const pbx = await pbxDouble(() => (hold ? 'hang' : { status: 200 }));
  const t = await relay({ originate: { adapter: createHttpAdapter({ url: pbx.url }) } });
  const ask = (extension: string) => originate(t, { number: '102', extension }, { Authorization: `Bearer ${TOKEN}` });
  const waiting = Array.from({ length: 50 }, (_, i) => ask(`e${i}`));
  await waitUntil('50 originates held by the PBX', () => pbx.received.length === 50);
  const refused = await ask('e50');
  expect({ ...short(refused), retryAfter: refused.headers.get('retry-after') }).toEqual({ status: 503, error: 'overloaded', retry_after: 1, reason: expect.any(String), retryAfter: '1' });
  hold = false;
  pbx.release({ status: 200, body: {} });
  expect((await Promise.all(waiting)).map((a) => a.status)).toEqual(Array(50).fill(200));
  expect((await ask('e50')).status).toBe(200);
  expect(pbx.received).toHaveLength(51);
});

test('an adapter that throws, rejects or answers no outcome: 500 with a log line, the slot freed; the relay closes it once', async () => {
  const behaviours: Array<(r: OriginateRequest) => Promise<unknown>> = [
    () => {
      throw new Error('sync boom');
    },
    () => Promise.reject(new Error('async boom')),
    () => Promise.resolve({ ok: 'maybe' }),
    (r) => Promise.resolve({ ok: true, callId: r.id }),
  ];
  let closes = 0;
  const adapter: PbxAdapter = { originate: (r) => (behaviours.shift() as (r: OriginateRequest) => Promise<never>)(r), close: () => void (closes += 1) };
  const t = await relay({ token: undefined, auth: kommoAuth(), originate: { adapter, intervalMs: 0 }, maxOriginatesInFlight: 1 });
  const statuses = [];
  for (let i = 0; i < 4; i += 1) statuses.push(short(await originate(t, { number: '102' }, await asUser(t))));
  expect(statuses.slice(0, 3)).toEqual(Array(3).fill({ status: 500, error: 'internal', reason: 'the relay\'s PBX adapter failed; see the relay\'s log' }));
  expect(statuses[3]).toEqual({ status: 200, ok: true, id: expect.stringMatching(UUID), extension: '101', number: '102', call_id: expect.stringMatching(UUID) });
  expect(t.logs).toEqual([
    expect.stringMatching(/^relay: originate: the PBX adapter failed \(it must answer an outcome, never throw\) \{"id":"[0-9a-f-]{36}","error":"Error: sync boom"\}$/),
    expect.stringMatching(/^relay: originate: the PBX adapter failed .*"error":"Error: async boom"\}$/),
    expect.stringMatching(/^relay: originate: the PBX adapter answered something that is not an outcome \{"id":"[0-9a-f-]{36}","outcome":"\{\\"ok\\":\\"maybe\\"\}"\}$/),
  ]);
  await t.close();
  await t.close();
  expect(closes).toBe(1);
});
