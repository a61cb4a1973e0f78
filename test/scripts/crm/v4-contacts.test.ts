/** /api/v4/contacts, the cards by id and /api/v4/users on the fixture CRM. */
import { SEED_NUMBERS, SEED_USERS } from '../../../scripts/crm/seed';
import { callBody, startV4Crm, v4Client } from './v4-http';
import type { CrmServer } from './v4-http';

let server: CrmServer;
let api: ReturnType<typeof v4Client>;
beforeAll(async () => {
  server = await startV4Crm({ now: () => 1_700_000_500_000 });
  api = v4Client(server);
});
afterAll(() => server.close());
beforeEach(() => server.crm.reset());

const NEW_NUMBER = '+1 (303) 555-0142';
const newContact = { name: 'Zoe Park', responsible_user_id: SEED_USERS.sales, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: NEW_NUMBER, enum_code: 'WORK' }] }] };

describe('GET /api/v4/contacts?query=', () => {
  test('digits in any format find the contact whose phone ends with them', async () => {
    for (const query of ['18305803077', '%2B1%20830%20580%203077', '5803077']) {
      const res = await api.get(`/api/v4/contacts?query=${query}`);
      expect(res.status).toBe(200);
      expect(res.body._embedded.contacts).toEqual([expect.objectContaining({ id: 5760184, name: 'Adam Noah', responsible_user_id: SEED_USERS.manager })]);
    }
  });

  test('a shared number lists every contact with it, by id; a name query; nobody: 204', async () => {
    const shared = await api.get(`/api/v4/contacts?query=${encodeURIComponent(SEED_NUMBERS.sharedContacts)}`);
    expect(shared.body._embedded.contacts.map((c: { name: string }) => c.name)).toEqual(['Oliver Smith', 'Olivia Smith']);
    const byName = await api.get('/api/v4/contacts?query=noah');
    expect(byName.body._embedded.contacts.map((c: { id: number }) => c.id)).toEqual([5760184, 5760185]);
    const nobody = await api.get(`/api/v4/contacts?query=${SEED_NUMBERS.unknown.replace(/\D/g, '')}`);
    expect(nobody.status).toBe(204);
    expect(nobody.body).toBeNull();
  });
});

describe('POST /api/v4/contacts', () => {
  test('the new contact joins the account: the query, a call and by_phone find it; reset removes it', async () => {
    const res = await api.post('/api/v4/contacts', [{ ...newContact, request_id: 'zoe' }]);
    expect(res.status).toBe(200);
    const [{ id, request_id }] = res.body._embedded.contacts;
    expect(request_id).toBe('zoe');
    expect(server.crm.account.contacts.at(-1)).toEqual({ id, name: 'Zoe Park', phones: [NEW_NUMBER], createdAt: 1_700_000_500, responsibleUserId: SEED_USERS.sales });

    const found = await api.get('/api/v4/contacts?query=3035550142');
    expect(found.body._embedded.contacts).toEqual([expect.objectContaining({ id, name: 'Zoe Park', responsible_user_id: SEED_USERS.sales })]);
    const call = await api.post('/api/v4/calls', [callBody('13035550142', 'zoe-call')]);
    expect(call.body._embedded.calls).toEqual([expect.objectContaining({ entity_id: id, entity_type: 'contacts' })]);
    expect(server.crm.timeline('contacts', id)).toHaveLength(1);
    const byPhone = await fetch(`${server.url}/api/v2/search/by_phone?phone=13035550142`);
    expect(await byPhone.json()).toMatchObject({ _embedded: { items: [{ id, type: 1 }] } });

    server.crm.reset();
    expect(server.crm.account.contacts.some((c) => c.id === id)).toBe(false);
    expect((await api.get('/api/v4/contacts?query=3035550142')).status).toBe(204);
  });

  test('without a responsible user the first user gets it; a bad phone field is refused', async () => {
    const res = await api.post('/api/v4/contacts', [{ name: 'No owner', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+1 720 555 0100' }] }] }]);
    expect(server.crm.account.contacts.find((c) => c.id === res.body._embedded.contacts[0].id)?.responsibleUserId).toBe(SEED_USERS.manager);
    const bad = await api.post('/api/v4/contacts', [{ name: 7, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: 'call me' }] }, { values: [] }] }]);
    expect(bad.status).toBe(400);
    expect(bad.body['validation-errors'][0].errors.map((e: { path: string }) => e.path)).toEqual([
      'name',
      'custom_fields_values.0.values',
      'custom_fields_values.1.field_code',
      'custom_fields_values.1.values',
    ]);
  });
});

describe('GET /api/v4/{type}/{id}', () => {
  test('each kind of card answers its name and responsible user', async () => {
    for (const [path, name, user] of [
      ['/api/v4/leads/5102790', 'First patch', SEED_USERS.sales],
      ['/api/v4/contacts/5760184', 'Adam Noah', SEED_USERS.manager],
      ['/api/v4/companies/6811300', 'Romashka LLC', SEED_USERS.manager],
      ['/api/v4/customers/3972', 'Budi retainer', SEED_USERS.manager],
    ] as const) {
      const res = await api.get(path);
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({ id: Number(path.split('/').at(-1)), name, responsible_user_id: user });
    }
  });

  test('a missing id is 404 (the missingCard fault makes it 204)', async () => {
    const missing = await api.get('/api/v4/leads/1');
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ title: 'Not Found', status: 404, detail: 'leads 1 not found' });
    server.crm.setFaults({ missingCard: 204 });
    const empty = await api.get('/api/v4/customers/1');
    expect(empty.status).toBe(204);
    expect(empty.body).toBeNull();
  });
});

test('GET /api/v4/users lists the seed users', async () => {
  const res = await api.get('/api/v4/users');
  expect(res.status).toBe(200);
  expect(res.body._embedded.users).toEqual([
    { id: SEED_USERS.manager, name: 'Manager', email: 'manager@example.com', lang: 'en' },
    { id: SEED_USERS.sales, name: 'Sales', email: 'sales@example.com', lang: 'en' },
  ]);
});
