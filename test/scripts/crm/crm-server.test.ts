/** The fixture CRM over real HTTP: what the sandbox and the lookup tests rely on. */
import { startCrmServer } from '../../../scripts/crm/crm-server';
import { SEED_NUMBERS, SEED_USERS } from '../../../scripts/crm/seed';
import { waitUntil } from '../../support/wait';


let server: Awaited<ReturnType<typeof startCrmServer>>;
beforeAll(async () => {
  server = await startCrmServer();
});
afterAll(() => server.close());
beforeEach(() => server.crm.reset());

const get = (path: string) => fetch(`${server.url}${path}`);
const post = (path: string, body: unknown) =>
  fetch(`${server.url}${path}`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('GET /api/v2/search/by_phone', () => {
  test('phone= and query= both work; a raw "+" (decoded as a space) is fine', async () => {
    for (const q of ['phone=18305803077', 'query=18305803077', 'phone=+18305803077']) {
      const res = await get(`/api/v2/search/by_phone?${q}`);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('json');
      expect(await res.json()).toMatchObject({ _embedded: { items: [{ id: 5760184, type: 1, name: 'Adam Noah' }] } });
    }
    expect(server.crm.requests.map((r) => r.query)).toEqual([{ phone: '18305803077' }, { query: '18305803077' }, { phone: ' 18305803077' }]);
  });

  test('no match: 204 with no body', async () => {
    const res = await get(`/api/v2/search/by_phone?phone=${SEED_NUMBERS.unknown.replace(/\D/g, '')}`);
    expect(res.status).toBe(204);
    expect(await res.text()).toBe('');
  });

  test('bad requests get 400 with a reason', async () => {
    for (const q of ['', 'phone=', 'phone=abc', 'other=1']) {
      const res = await get(`/api/v2/search/by_phone?${q}`);
      expect(res.status).toBe(400);
      expect((await res.json()) as { detail: string }).toMatchObject({ status: 400, detail: expect.stringMatching(/phone/) });
    }
  });

  test('wrong method 405, unknown /api/ route 404, anything else is not the CRM', async () => {
    expect((await post('/api/v2/search/by_phone?phone=1', {})).status).toBe(405);
    expect((await get('/api/v4/leads')).status).toBe(404);
    const res = await get('/index.html');
    expect(res.status).toBe(404);
    expect(server.crm.requests).toHaveLength(2);
  });

  test('faults: status with Retry-After, garbage, and reset clears them', async () => {
    server.crm.setFaults({ status: 429, retryAfterS: 3 });
    const limited = await get('/api/v2/search/by_phone?phone=18305803077');
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    server.crm.setFaults({ garbage: true });
    const garbage = await get('/api/v2/search/by_phone?phone=18305803077');
    expect(garbage.status).toBe(200);
    await expect(garbage.json()).rejects.toThrow();
    server.crm.reset();
    expect(server.crm.requests).toHaveLength(0);
    expect((await get('/api/v2/search/by_phone?phone=18305803077')).status).toBe(200);
  });

  test('hang: the request stays open until reset drops it', async () => {
    server.crm.setFaults({ hang: true });
    const pending = get('/api/v2/search/by_phone?phone=18305803077').then(
      () => 'answered',
      () => 'dropped',
    );
    // The server saw it; then reset drops the held response.
    await waitUntil('the CRM receives the request', () => server.crm.requests.length === 1);
    server.crm.reset();
    await expect(pending).resolves.toBe('dropped');
  });
});

describe('POST /api/v2/events', () => {
  test('records the body and answers with the matched element (contacts first, last 8 digits)', async () => {
    const body = { add: [{ type: 'phone_call', phone_number: '+18305803077', users: [SEED_USERS.manager] }, { type: 'phone_call', phone_number: '+12025550199', users: [SEED_USERS.sales] }] };
    const res = await post('/api/v2/events', body);
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { _embedded: { items: Array<Record<string, unknown>> } };
    expect(answer._embedded.items).toEqual([
      { element_type: 1, element_id: 5760184, uid: expect.any(String), phone_number: '+18305803077', query_string: '05803077' },
      { uid: expect.any(String), phone_number: '+12025550199', query_string: '25550199' },
    ]);
    expect(server.crm.events).toEqual([body]);
  });

  test.each([
    ['not JSON', '{add:'],
    ['no add', {}],
    ['empty add', { add: [] }],
    ['wrong type', { add: [{ type: 'sms', phone_number: '+1', users: [1] }] }],
    ['no digits', { add: [{ type: 'phone_call', phone_number: 'abc', users: [1] }] }],
    ['no users', { add: [{ type: 'phone_call', phone_number: '+18305803077' }] }],
    ['bad user ids', { add: [{ type: 'phone_call', phone_number: '+18305803077', users: ['x'] }] }],
  ])('%s: 400 with a reason, nothing recorded', async (_what, body) => {
    const res = await post('/api/v2/events/', body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toEqual(expect.any(String));
    expect(server.crm.events).toHaveLength(0);
  });
});
