/** POST /api/v4/calls on the fixture CRM: where Kommo files a call, and what it refuses. */
import { SEED_NUMBERS, SEED_USERS } from '../../../scripts/crm/seed';
import { callBody, startV4Crm, v4Client } from './v4-http';
import type { CrmServer } from './v4-http';

let server: CrmServer;
let api: ReturnType<typeof v4Client>;
beforeAll(async () => {
  server = await startV4Crm();
  api = v4Client(server);
});
afterAll(() => server.close());
beforeEach(() => server.crm.reset());

describe('filing', () => {
  test("a number formatted differently still files on Adam Noah's contact (his only lead is closed)", async () => {
    for (const [i, phone] of ['8305803077', '+1-830-580-3077', '001 (830) 580 30 77'].entries()) {
      const res = await api.post('/api/v4/calls', [callBody(phone, `adam-${i}`, { link: 'https://pbx.test/r.mp3', responsible_user_id: SEED_USERS.manager, created_by: SEED_USERS.manager })]);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ _embedded: { calls: [{ entity_id: 5760184, entity_type: 'contacts', request_id: `adam-${i}` }] }, errors: [] });
      expect(res.body._embedded.calls[0].id).toEqual(expect.any(Number));
    }
    expect(server.crm.calls.map((c) => c.entity_id)).toEqual([5760184, 5760184, 5760184]);
    const notes = server.crm.timeline('contacts', 5760184);
    expect(notes).toHaveLength(3);
    expect(notes[0]).toEqual({
      kind: 'call',
      call_id: server.crm.calls[0]?.id,
      direction: 'inbound',
      duration: 42,
      phone: '8305803077',
      source: 'PBX relay',
      uniq: 'adam-0',
      link: 'https://pbx.test/r.mp3',
      call_status: 4,
      call_result: null,
      responsible_user_id: SEED_USERS.manager,
      created_by: SEED_USERS.manager,
      created_at: 1_700_000_100,
    });
  });

  test("Lama Company's number files on its one active lead; Eva Noah's on her customer; lead + customer: the contact", async () => {
    const res = await api.post('/api/v4/calls', [
      callBody(SEED_NUMBERS.lamaCompany, 'lama'),
      callBody(SEED_NUMBERS.customerContact, 'eva'),
      callBody(SEED_NUMBERS.leadAndCustomer, 'budi'),
      callBody(SEED_NUMBERS.kommoCompany, 'kommo'),
    ]);
    expect(res.body._embedded.calls.map((c: { entity_type: string; entity_id: number }) => `${c.entity_type}:${c.entity_id}`)).toEqual([
      'leads:5102790',
      'customers:3970',
      'contacts:5760240',
      'companies:6811296',
    ]);
    expect(server.crm.timeline('leads', 5102790)).toEqual([expect.objectContaining({ kind: 'call', uniq: 'lama' })]);
    expect(server.crm.timeline('companies', 6811297)).toEqual([]);
  });

  test('matching is on the last ten digits: a number sharing only Adam’s last seven is unknown', async () => {
    const res = await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoahTail, 'tail')]);
    expect(res.body).toMatchObject({ _embedded: { calls: [] }, errors: [{ request_id: 'tail', detail: expect.stringContaining('not found') }] });
  });

  test('an unknown number is not added and comes back in errors for its request_id; the others are filed', async () => {
    const res = await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.unknown, 'nobody'), callBody(SEED_NUMBERS.adamNoah, 'adam')]);
    expect(res.status).toBe(200);
    expect(res.body.errors).toEqual([{ request_id: 'nobody', status: 400, title: 'Entity not found', detail: `Entity not found for phone ${SEED_NUMBERS.unknown}` }]);
    expect(res.body._embedded.calls).toEqual([expect.objectContaining({ request_id: 'adam', entity_id: 5760184 })]);
    expect(server.crm.calls.map((c) => c.uniq)).toEqual(['adam']);
  });

  test('a repeated uniq is not added again (a retry), nor a second one in the same body', async () => {
    expect((await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'u-1')])).body.errors).toEqual([]);
    const again = await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'u-1'), callBody(SEED_NUMBERS.adamNoah, 'u-2'), callBody(SEED_NUMBERS.adamNoah, 'u-2', { request_id: 'twice' })]);
    expect(again.status).toBe(200);
    expect(again.body._embedded.calls.map((c: { request_id: string }) => c.request_id)).toEqual(['u-2']);
    expect(again.body.errors).toEqual([
      { request_id: 'u-1', status: 400, title: 'Duplicate call', detail: 'Call with uniq "u-1" already exists' },
      { request_id: 'twice', status: 400, title: 'Duplicate call', detail: 'Call with uniq "u-2" already exists' },
    ]);
    expect(server.crm.calls.map((c) => c.uniq)).toEqual(['u-1', 'u-2']);
    expect(server.crm.timeline('contacts', 5760184)).toHaveLength(2);
  });

  test('calls without uniq are never duplicates; request_id defaults to the index; the body is logged', async () => {
    const { uniq: _u, request_id: _r, ...bare } = callBody(SEED_NUMBERS.adamNoah, 'x');
    const res = await api.post('/api/v4/calls', [bare, bare]);
    expect(res.body._embedded.calls.map((c: { request_id: string }) => c.request_id)).toEqual(['0', '1']);
    expect(server.crm.requests.at(-1)).toMatchObject({ method: 'POST', path: '/api/v4/calls', body: [bare, bare] });
  });
});

describe('validation', () => {
  test('a call without direction, duration, source or phone refuses the whole body, naming each field', async () => {
    const res = await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.adamNoah, 'good'), { uniq: 'bad', request_id: 'bad' }]);
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toContain('application/problem+json');
    expect(res.body).toMatchObject({ title: 'Bad Request', status: 400, detail: 'Request validation failed' });
    expect(res.body['validation-errors']).toEqual([
      { request_id: 'bad', errors: ['direction', 'duration', 'source', 'phone'].map((path) => ({ code: 'NotBlank', path, detail: `${path} is required` })) },
    ]);
    expect(server.crm.calls).toEqual([]);
  });

  test('wrong values name their field', async () => {
    const res = await api.post('/api/v4/calls', [callBody('no digits', 'a', { direction: 'sideways', duration: -1, call_status: 9, link: 5 })]);
    expect(res.status).toBe(400);
    const errors = res.body['validation-errors'][0].errors as Array<{ code: string; path: string }>;
    expect(errors.map((e) => `${e.code}:${e.path}`)).toEqual(['NotSupportedChoice:direction', 'OutOfRange:duration', 'InvalidType:phone', 'InvalidType:link', 'OutOfRange:call_status']);
  });

  test('the body must be a non-empty JSON array', async () => {
    for (const [body, detail] of [
      ['{not json', 'body is not JSON'],
      [callBody(SEED_NUMBERS.adamNoah, 'one'), 'body must be a JSON array'],
      [[], 'body must not be an empty array'],
    ] as const) {
      const res = await api.post('/api/v4/calls', body);
      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ status: 400, detail });
    }
    const notObject = await api.post('/api/v4/calls', ['call']);
    expect(notObject.body['validation-errors']).toEqual([{ request_id: '0', errors: [{ code: 'InvalidType', path: 'call', detail: 'each call must be an object' }] }]);
  });
});
