/**
 * The fixture CRM's v4 gate and shared behaviour: the integration's token, Kommo's rate limits
 * (injected faults and the real 7/s window on a hand-moved clock), the v2 faults on v4 routes,
 * GET /sandbox/timeline and reset.
 */
import { DEFAULT_API_TOKEN } from '../../../scripts/crm/crm-server';
import { SEED_NUMBERS } from '../../../scripts/crm/seed';
import { KOMMO_MAX_PER_SECOND } from '../../../scripts/crm/v4-gate';
import { waitUntil } from '../../support/wait';
import { callBody, startV4Crm, v4Client } from './v4-http';
import type { CrmServer } from './v4-http';

let now = 1_700_000_000_000;
let server: CrmServer;
let api: ReturnType<typeof v4Client>;
beforeAll(async () => {
  server = await startV4Crm({ now: () => now });
  api = v4Client(server);
});
afterAll(() => server.close());
beforeEach(() => {
  server.crm.reset();
  now = 1_700_000_000_000;
});

describe('the token', () => {
  test('v4 needs Authorization: Bearer <apiToken>; v2 (the browser session) does not', async () => {
    const none = await v4Client(server, null).get('/api/v4/users');
    expect(none.status).toBe(401);
    expect(none.headers.get('content-type')).toContain('application/problem+json');
    expect(none.body).toEqual({ title: 'Unauthorized', type: 'https://httpstatus.es/401', status: 401, detail: 'Authorization: Bearer <access token> is required' });
    expect((await v4Client(server, 'someone-else').get('/api/v4/users')).body.detail).toBe('the access token is invalid or revoked');
    expect((await api.get('/api/v4/users')).status).toBe(200);
    expect(server.crm.apiToken).toBe(DEFAULT_API_TOKEN);
    expect((await fetch(`${server.url}/api/v2/search/by_phone?phone=18305803077`)).status).toBe(200);
  });

  test('after revokeApiToken every v4 request is 401 and nothing is added; reset restores the token', async () => {
    server.crm.revokeApiToken();
    expect(server.crm.apiToken).toBeNull();
    const res = await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'revoked')]);
    expect(res.status).toBe(401);
    expect(res.body).toMatchObject({ title: 'Unauthorized', status: 401 });
    expect(server.crm.calls).toEqual([]);
    server.crm.reset();
    expect((await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'back')])).status).toBe(200);
  });

  test('an unknown v4 path is 404 and a wrong method 405, before the token is looked at', async () => {
    const anonymous = v4Client(server, null);
    expect((await anonymous.get('/api/v4/leads')).status).toBe(404);
    const wrong = await anonymous.send('DELETE', '/api/v4/tasks');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET, POST, PATCH');
  });
});

describe('rate limits', () => {
  const statuses = async (n: number): Promise<number[]> => {
    const out: number[] = [];
    for (let i = 0; i < n; i += 1) out.push((await api.get('/api/v4/users')).status);
    return out;
  };

  test('rateLimit {every: 5}: every fifth v4 request is 429 with Retry-After: 1; setFaults starts the count again', async () => {
    server.crm.setFaults({ rateLimit: { every: 5 } });
    expect(await statuses(11)).toEqual([200, 200, 200, 200, 429, 200, 200, 200, 200, 429, 200]);
    const limited = await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'c')]);
    expect(limited.status).toBe(200); // the 12th
    server.crm.setFaults({ rateLimit: { every: 5 } });
    const fifth = await (async () => {
      await statuses(4);
      return api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'refused')]);
    })();
    expect(fifth.status).toBe(429);
    expect(fifth.headers.get('retry-after')).toBe('1');
    expect(fifth.body).toMatchObject({ title: 'Too Many Requests', status: 429 });
    expect(server.crm.calls.map((c) => c.uniq)).toEqual(['c']);
    // v2 is not limited, and does not count.
    expect((await fetch(`${server.url}/api/v2/search/by_phone?phone=18305803077`)).status).toBe(200);
  });

  test('rateLimit {fraction, seed}: the same requests on every run, about that share', async () => {
    server.crm.setFaults({ rateLimit: { fraction: 0.2, seed: 7 } });
    const first = await statuses(100);
    server.crm.setFaults({ rateLimit: { fraction: 0.2, seed: 7 } });
    expect(await statuses(100)).toEqual(first);
    const refused = first.filter((s) => s === 429).length;
    expect(refused).toBeGreaterThan(8);
    expect(refused).toBeLessThan(35);
    server.crm.setFaults({ rateLimit: { fraction: 0.2, seed: 8 } });
    expect(await statuses(100)).not.toEqual(first);
  });

  test(`maxPerSecond ${KOMMO_MAX_PER_SECOND}: the 8th request within one second is 429; a second later it passes`, async () => {
    server.crm.setFaults({ maxPerSecond: KOMMO_MAX_PER_SECOND });
    expect(await statuses(7)).toEqual(Array(7).fill(200));
    const eighth = await api.get('/api/v4/users');
    expect(eighth.status).toBe(429);
    expect(eighth.headers.get('retry-after')).toBe('1');
    expect(eighth.body.detail).toBe('more than 7 requests in one second');
    now += 999;
    expect(await statuses(1)).toEqual([429]);
    now += 1; // the first seven are a full second old
    expect(await statuses(8)).toEqual([...Array(7).fill(200), 429]);
  });

  test('the window slides: requests spread over the second free their places one by one', async () => {
    server.crm.setFaults({ maxPerSecond: 2 });
    expect(await statuses(1)).toEqual([200]); // t = 0
    now += 600;
    expect(await statuses(2)).toEqual([200, 429]); // t = 600
    now += 400;
    expect(await statuses(2)).toEqual([200, 429]); // t = 1000: the one at 0 left
  });

  test('bad limits are refused by setFaults', () => {
    expect(() => server.crm.setFaults({ rateLimit: { every: 0 } })).toThrow('rateLimit.every must be a positive integer');
    expect(() => server.crm.setFaults({ rateLimit: { fraction: 2, seed: 1 } })).toThrow('rateLimit.fraction');
    expect(() => server.crm.setFaults({ maxPerSecond: 0.5 })).toThrow('maxPerSecond');
  });
});

describe('the v2 faults on v4 routes', () => {
  test('status with Retry-After, garbage, delay', async () => {
    server.crm.setFaults({ status: 503, retryAfterS: 4 });
    const down = await api.get('/api/v4/users');
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('4');
    server.crm.setFaults({ garbage: true });
    const garbage = await fetch(`${server.url}/api/v4/users`, { headers: { Authorization: `Bearer ${DEFAULT_API_TOKEN}` } });
    expect(garbage.status).toBe(200);
    await expect(garbage.json()).rejects.toThrow();
    server.crm.setFaults({ delayMs: 5 });
    expect((await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'late')])).status).toBe(200);
    expect(server.crm.calls).toHaveLength(1);
  });

  test('hang holds a v4 write until reset drops it; nothing is added', async () => {
    server.crm.setFaults({ hang: true });
    const pending = api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'held')]).then(
      () => 'answered',
      () => 'dropped',
    );
    await waitUntil('the CRM receives the request', () => server.crm.requests.length === 1);
    server.crm.reset();
    await expect(pending).resolves.toBe('dropped');
    expect(server.crm.calls).toEqual([]);
  });
});

test('GET /sandbox/timeline shows every card’s notes and the incoming leads; it is read-only and not logged', async () => {
  await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.lamaCompany, 'lama')]);
  await api.post('/api/v4/tasks', [{ text: 'Call back', complete_till: 1_700_003_600, entity_id: 5102790, entity_type: 'leads', task_type_id: 1, responsible_user_id: 8375357 }]);
  const requestsBefore = server.crm.requests.length;
  const res = await fetch(`${server.url}/sandbox/timeline`);
  expect(res.status).toBe(200);
  expect(await res.json()).toEqual({
    cards: [{ key: 'leads:5102790', entity_type: 'leads', entity_id: 5102790, name: 'First patch', notes: [expect.objectContaining({ kind: 'call', uniq: 'lama' }), expect.objectContaining({ kind: 'task', text: 'Call back' })] }],
    unsorted: [],
  });
  expect((await fetch(`${server.url}/sandbox/timeline`, { method: 'POST' })).status).toBe(405);
  expect(server.crm.requests).toHaveLength(requestsBefore);
});

test('reset clears calls, tasks, incoming leads and timelines', async () => {
  await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'a')]);
  await api.post('/api/v4/tasks', [{ text: 'x', complete_till: 1, entity_id: 5760184, entity_type: 'contacts' }]);
  await api.post('/api/v4/leads/unsorted/sip', [
    { source_uid: 's', source_name: 'S', _embedded: { contacts: [{ name: 'n' }] }, metadata: { uniq: 'u', phone: '1', called_at: 1, duration: 0, service_code: 's', from: 'x' } },
  ]);
  expect([server.crm.calls.length, server.crm.tasks.length, server.crm.unsorted.length, server.crm.timeline('contacts', 5760184).length]).toEqual([1, 1, 1, 2]);
  server.crm.reset();
  expect([server.crm.calls.length, server.crm.tasks.length, server.crm.unsorted.length, server.crm.timeline('contacts', 5760184).length]).toEqual([0, 0, 0, 0]);
  // A uniq from before the reset is new again.
  expect((await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'a')])).body.errors).toEqual([]);
});
