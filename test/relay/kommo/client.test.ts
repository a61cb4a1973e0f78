/**
 * The Kommo client against a Kommo double on loopback: what Kommo receives for each method
 * (method, path, query, headers, JSON body) and what the call log gets back from each answer
 * Kommo may give (filed on a card, an unknown number, a duplicate uniq, nothing found, a gone
 * card), including answers missing what the API documents.
 */
import { KommoApiError } from '../../../relay/src/kommo';
import type { KommoCallBody, KommoUnsortedSipBody } from '../../../relay/src/kommo';
import { clientOf, kommoDouble, rejectionOf, stopKommoDoubles, TOKEN } from './kommo-double';
import type { Reply } from './kommo-double';

afterEach(stopKommoDoubles);

const CALL: KommoCallBody = {
  direction: 'inbound',
  duration: 42,
  source: 'Acme PBX',
  phone: '+74951234567',
  uniq: 'call-1',
  link: 'https://pbx.example.com/rec/call-1.mp3',
  call_status: 4,
  responsible_user_id: 1001,
  created_by: 1001,
  created_at: 1_700_000_000,
  request_id: 'call-1',
};

const LEAD: KommoUnsortedSipBody = {
  source_uid: 'call-2',
  source_name: 'Acme PBX',
  created_at: 1_700_000_000,
  _embedded: { contacts: [{ name: '+74951234567', custom_fields_values: [{ field_code: 'PHONE', values: [{ value: '+74951234567' }] }] }] },
  metadata: { is_call_event_needed: true, uniq: 'call-2', duration: 0, service_code: 'acme', phone: '+74951234567', called_at: 1_700_000_000, from: '+74951234567' },
};

/** A double answering every request with `reply`, and its client. */
async function kommo(reply: Reply | ((n: number) => Reply)) {
  const double = await kommoDouble(() => (typeof reply === 'function' ? reply(double.received.length) : reply));
  return { double, api: clientOf(double.url) };
}

const kindOf = async (promise: Promise<unknown>) => {
  const error = await rejectionOf(promise);
  expect(error).toBeInstanceOf(KommoApiError);
  return error as KommoApiError;
};

describe('every request', () => {
  test('carries the bearer token, JSON content type, a User-Agent naming the relay, and no token elsewhere', async () => {
    const { double, api } = await kommo({ status: 200, body: { _embedded: { calls: [{ id: 1, entity_id: 5, entity_type: 'leads', request_id: 'call-1' }] } } });
    await api.logCall(CALL);
    const [seen] = double.received;
    expect(seen?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(seen?.headers['content-type']).toBe('application/json');
    expect(seen?.headers['user-agent']).toMatch(/relay/);
    expect(`${seen?.path}?${seen?.rawQuery} ${seen?.text}`).not.toContain(TOKEN);
  });

  test('a base URL with a path prefix (a proxy, the sandbox) keeps it', async () => {
    const double = await kommoDouble(() => ({ status: 204 }));
    await clientOf(`${double.url}/kommo/`).findContact('+74951234567');
    expect(double.received[0]?.path).toBe('/kommo/api/v4/contacts');
  });
});

describe('logCall: POST /api/v4/calls', () => {
  test('sends an array with the one call; a call Kommo filed names its card', async () => {
    const { double, api } = await kommo({ status: 200, body: { _total_items: 1, _embedded: { calls: [{ id: 9, entity_id: 77, entity_type: 'leads', request_id: 'call-1', account_id: 3 }] } } });
    expect(await api.logCall(CALL)).toEqual({ filed: 'on-card', entity: { id: 77, type: 'leads' } });
    expect(double.received.map((r) => [r.method, r.path, r.rawQuery])).toEqual([['POST', '/api/v4/calls', '']]);
    expect(double.received[0]?.json).toEqual([CALL]);
  });

  test.each([
    ['lead', 'leads'],
    ['leads', 'leads'],
    ['contact', 'contacts'],
    ['contacts', 'contacts'],
    ['company', 'companies'],
    ['companies', 'companies'],
    ['customer', 'customers'],
    ['customers', 'customers'],
  ])('entity_type %s is a card of %s', async (given, type) => {
    const { api } = await kommo({ status: 200, body: { _embedded: { calls: [{ id: 9, entity_id: 5, entity_type: given, request_id: 'call-1' }] } } });
    expect(await api.logCall(CALL)).toEqual({ filed: 'on-card', entity: { id: 5, type } });
  });

  test('the call of its request_id is read when Kommo lists others', async () => {
    const { api } = await kommo({
      status: 200,
      body: { _embedded: { calls: [{ id: 8, entity_id: 4, entity_type: 'contacts', request_id: 'other' }, { id: 9, entity_id: 5, entity_type: 'companies', request_id: 'call-1' }] } },
    });
    expect(await api.logCall(CALL)).toEqual({ filed: 'on-card', entity: { id: 5, type: 'companies' } });
  });

  test.each([
    ['Entity not found', 'unknown-number'],
    ['No entities found for the phone', 'unknown-number'],
    ['CONTACT NOT FOUND', 'unknown-number'],
    ['Call with this uniq already exists', 'duplicate'],
    ['Duplicate call', 'duplicate'],
    ['uniq: This value is already used.', 'duplicate'],
  ])('an error "%s" for its request_id: %s', async (title, filed) => {
    const { api } = await kommo({ status: 200, body: { _embedded: { calls: [] }, errors: [{ request_id: 'call-1', title, status: 400 }] } });
    expect(await api.logCall(CALL)).toEqual({ filed });
  });

  test('errors keyed by request_id (an object) are read too', async () => {
    const { api } = await kommo({ status: 200, body: { errors: { 'call-1': { request_id: 'call-1', detail: 'Entity not found' } } } });
    expect(await api.logCall(CALL)).toEqual({ filed: 'unknown-number' });
  });

  test('any other error is refused with its text; a phone "not matching the pattern" is not an unknown number', async () => {
    for (const detail of ['Source is required', 'phone: This value does not match the pattern']) {
      const { api } = await kommo({ status: 200, body: { errors: [{ request_id: 'call-1', detail }] } });
      const error = await kindOf(api.logCall(CALL));
      expect({ kind: error.kind, status: error.status, path: error.path }).toEqual({ kind: 'refused', status: 200, path: '/api/v4/calls' });
      expect(error.detail).toContain(detail);
    }
  });

  test('a 400/422 refusing the whole POST is read like an error item (duplicate, unknown number); another 400 is refused', async () => {
    const dup = await kommo({ status: 400, body: { title: 'Bad Request', status: 400, detail: 'Request validation failed', 'validation-errors': [{ request_id: '0', errors: [{ code: 'NotUnique', path: 'uniq', detail: 'uniq already exists' }] }] } });
    expect(await dup.api.logCall(CALL)).toEqual({ filed: 'duplicate' });
    const unknown = await kommo({ status: 422, body: { title: 'Unprocessable Entity', detail: 'No entities found for the phone' } });
    expect(await unknown.api.logCall(CALL)).toEqual({ filed: 'unknown-number' });
    const other = await kommo({ status: 400, body: { title: 'Bad Request', detail: 'Request validation failed', 'validation-errors': [{ request_id: '0', errors: [{ path: 'direction', detail: 'The value you selected is not a valid choice.' }] }] } });
    const error = await kindOf(other.api.logCall(CALL));
    expect(error.kind).toBe('refused');
    expect(error.detail).toBe('Bad Request: Request validation failed (direction: The value you selected is not a valid choice.)');
  });

  test.each([
    ['neither the call nor an error', { _embedded: { calls: [] } }],
    ['an answer that is an array', []],
    ['a call without entity_id', { _embedded: { calls: [{ id: 1, entity_type: 'leads', request_id: 'call-1' }] } }],
    ['a call on an entity type Kommo does not document', { _embedded: { calls: [{ id: 1, entity_id: 5, entity_type: 'segments', request_id: 'call-1' }] } }],
    ['an empty 200', undefined],
  ])('%s: transient, with a clear detail', async (_what, body) => {
    const { api } = await kommo({ status: 200, body });
    const error = await kindOf(api.logCall(CALL));
    expect(error.kind).toBe('transient');
    expect(error.detail).toMatch(/not as documented/);
  });
});

describe('addUnsortedSip: POST /api/v4/leads/unsorted/sip', () => {
  test('sends an array with the lead; created when Kommo lists it', async () => {
    const { double, api } = await kommo({ status: 200, body: { _total_items: 1, _embedded: { unsorted: [{ uid: 'u1', _embedded: { leads: [{ id: 1 }] } }] } } });
    expect(await api.addUnsortedSip(LEAD)).toEqual({ added: 'created' });
    expect([double.received[0]?.method, double.received[0]?.path]).toEqual(['POST', '/api/v4/leads/unsorted/sip']);
    expect(double.received[0]?.json).toEqual([LEAD]);
  });

  test('a 400 about a duplicate uniq is a duplicate', async () => {
    const { api } = await kommo({ status: 400, body: { title: 'Bad Request', detail: 'Duplicate metadata.uniq' } });
    expect(await api.addUnsortedSip(LEAD)).toEqual({ added: 'duplicate' });
  });

  test('another 400 is refused with Kommo\'s detail; a 200 without the lead is transient', async () => {
    const refused = await kommo({ status: 400, body: { title: 'Bad Request', detail: 'source_name is required' } });
    const error = await kindOf(refused.api.addUnsortedSip(LEAD));
    expect([error.kind, error.status, error.detail]).toEqual(['refused', 400, 'Bad Request: source_name is required']);
    const empty = await kommo({ status: 200, body: { _embedded: { unsorted: [] } } });
    expect((await kindOf(empty.api.addUnsortedSip(LEAD))).kind).toBe('transient');
  });
});

describe('findContact: GET /api/v4/contacts?query=<digits>', () => {
  const contact = (id: number, phone: string | null, responsible = 1001) => ({
    id,
    name: `c${id}`,
    responsible_user_id: responsible,
    custom_fields_values: phone === null ? null : [{ field_id: 1, field_code: 'PHONE', values: [{ value: phone, enum_code: 'WORK' }] }],
  });

  test('asks with the digits of the number; the first contact and its responsible user', async () => {
    const { double, api } = await kommo({ status: 200, body: { _embedded: { contacts: [contact(31, '+7 (495) 123-45-67', 1002)] } } });
    expect(await api.findContact('+7 (495) 123-45-67')).toEqual({ entity: { id: 31, type: 'contacts' }, responsibleUserId: 1002 });
    expect([double.received[0]?.method, double.received[0]?.path, double.received[0]?.rawQuery]).toEqual(['GET', '/api/v4/contacts', 'query=74951234567']);
    expect(double.received[0]?.text).toBe('');
  });

  test('prefers the contact whose phone matches (last 10 digits) over one matched by another field', async () => {
    const { api } = await kommo({ status: 200, body: { _embedded: { contacts: [contact(1, null), contact(2, '8 495 123 45 67', 1003)] } } });
    expect(await api.findContact('+74951234567')).toEqual({ entity: { id: 2, type: 'contacts' }, responsibleUserId: 1003 });
    const none = await kommo({ status: 200, body: { _embedded: { contacts: [contact(1, null)] } } });
    expect(await none.api.findContact('+74951234567')).toEqual({ entity: { id: 1, type: 'contacts' }, responsibleUserId: 1001 });
  });

  test('204 or an empty list is no contact; a number without digits asks nothing', async () => {
    expect(await (await kommo({ status: 204 })).api.findContact('+74951234567')).toBeNull();
    expect(await (await kommo({ status: 200, body: { _embedded: { contacts: [] } } })).api.findContact('+74951234567')).toBeNull();
    const { double, api } = await kommo({ status: 500 });
    expect(await api.findContact('anonymous')).toBeNull();
    expect(double.received).toHaveLength(0);
  });

  test('a contact without id or responsible user is transient, not a TypeError', async () => {
    for (const body of [{ _embedded: { contacts: [{ name: 'x', responsible_user_id: 1 }] } }, { _embedded: { contacts: [{ id: 3 }] } }, 'text']) {
      const { api } = await kommo({ status: 200, body });
      expect((await kindOf(api.findContact('+74951234567'))).kind).toBe('transient');
    }
  });
});

describe('addContact: POST /api/v4/contacts', () => {
  test('sends the name and the phone as a WORK phone, with the responsible user when given', async () => {
    const { double, api } = await kommo({ status: 200, body: { _embedded: { contacts: [{ id: 55, request_id: '0' }] } } });
    expect(await api.addContact('Caller +74951234567', '+74951234567', 1002)).toEqual({ id: 55, type: 'contacts' });
    expect(await api.addContact('Caller', '+74951234567', null)).toEqual({ id: 55, type: 'contacts' });
    expect(double.received.map((r) => [r.method, r.path])).toEqual([['POST', '/api/v4/contacts'], ['POST', '/api/v4/contacts']]);
    const phone = [{ field_code: 'PHONE', values: [{ value: '+74951234567', enum_code: 'WORK' }] }];
    expect(double.received[0]?.json).toEqual([{ name: 'Caller +74951234567', responsible_user_id: 1002, custom_fields_values: phone }]);
    expect(double.received[1]?.json).toEqual([{ name: 'Caller', custom_fields_values: phone }]);
  });

  test('an answer without the contact\'s id is transient', async () => {
    const { api } = await kommo({ status: 200, body: { _embedded: { contacts: [{ name: 'x' }] } } });
    const error = await kindOf(api.addContact('x', '+74951234567', null));
    expect([error.kind, error.detail]).toEqual(['transient', "Kommo's answer is not as documented: no _embedded.contacts[0].id in the answer of POST /api/v4/contacts"]);
  });
});

describe('responsibleOf: GET /api/v4/{type}/{id}', () => {
  test('the card\'s responsible user', async () => {
    const { double, api } = await kommo({ status: 200, body: { id: 5, name: 'Deal', responsible_user_id: 1003 } });
    expect(await api.responsibleOf({ id: 5, type: 'leads' })).toBe(1003);
    expect(await api.responsibleOf({ id: 6, type: 'customers' })).toBe(1003);
    expect(double.received.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /api/v4/leads/5', 'GET /api/v4/customers/6']);
  });

  test('404 or 204: the card is gone (null)', async () => {
    expect(await (await kommo({ status: 404, body: { title: 'Not Found' } })).api.responsibleOf({ id: 5, type: 'contacts' })).toBeNull();
    expect(await (await kommo({ status: 204 })).api.responsibleOf({ id: 5, type: 'companies' })).toBeNull();
  });

  test('a bad card is refused before anything is sent; a card without responsible user is transient', async () => {
    const { double, api } = await kommo({ status: 200, body: { id: 5 } });
    for (const entity of [{ id: 0, type: 'leads' }, { id: 5, type: '../users' }, { id: 1.5, type: 'leads' }] as const) {
      const error = await kindOf(api.responsibleOf(entity as never));
      expect([error.kind, error.status]).toEqual(['refused', null]);
    }
    expect(double.received).toHaveLength(0);
    expect((await kindOf(api.responsibleOf({ id: 5, type: 'leads' }))).kind).toBe('transient');
  });
});

describe('openCallTasks: GET /api/v4/tasks (filtered)', () => {
  test('filters by the card, open, call tasks; reads each task', async () => {
    const { double, api } = await kommo({
      status: 200,
      body: {
        _embedded: {
          tasks: [
            { id: 11, text: 'Call back +74951234567', entity_id: 5, entity_type: 'leads', complete_till: 1_700_003_600, is_completed: false, task_type_id: 1 },
            { id: 12, text: 'done', entity_id: 5, entity_type: 'leads', complete_till: 1_700_000_000, is_completed: true, task_type_id: 1 },
            { id: 13, text: 'meeting', entity_id: 5, entity_type: 'leads', complete_till: 1_700_000_000, is_completed: false, task_type_id: 2 },
          ],
        },
      },
    });
    expect(await api.openCallTasks({ id: 5, type: 'leads' })).toEqual([{ id: 11, text: 'Call back +74951234567', entity: { id: 5, type: 'leads' }, completeTill: 1_700_003_600 }]);
    const [seen] = double.received;
    expect([seen?.method, seen?.path]).toEqual(['GET', '/api/v4/tasks']);
    expect(seen?.rawQuery).toBe('filter[entity_type]=leads&filter[entity_id][]=5&filter[is_completed]=0&filter[task_type][]=1');
  });

  test('204 is no task; a task without its fields is transient', async () => {
    expect(await (await kommo({ status: 204 })).api.openCallTasks({ id: 5, type: 'contacts' })).toEqual([]);
    const { api } = await kommo({ status: 200, body: { _embedded: { tasks: [{ id: 11, text: 'x' }] } } });
    expect((await kindOf(api.openCallTasks({ id: 5, type: 'contacts' }))).kind).toBe('transient');
  });
});

describe('addTask and completeTasks: POST and PATCH /api/v4/tasks', () => {
  const TASK = { text: 'Call back +74951234567', complete_till: 1_700_003_600, entity_id: 5, entity_type: 'leads', task_type_id: 1, responsible_user_id: 1001 } as const;

  test('addTask sends an array with the task and returns its id', async () => {
    const { double, api } = await kommo({ status: 200, body: { _embedded: { tasks: [{ id: 901, request_id: '0' }] } } });
    expect(await api.addTask(TASK)).toBe(901);
    expect([double.received[0]?.method, double.received[0]?.path, double.received[0]?.json]).toEqual(['POST', '/api/v4/tasks', [TASK]]);
  });

  test('addTask: an answer without the id is transient', async () => {
    const { api } = await kommo({ status: 200, body: { _embedded: { tasks: [] } } });
    expect((await kindOf(api.addTask(TASK))).kind).toBe('transient');
  });

  test('completeTasks marks each done with the result, at most 50 a request; none asks nothing', async () => {
    const { double, api } = await kommo({ status: 200, body: { _embedded: { tasks: [] } } });
    await api.completeTasks([], 'answered');
    expect(double.received).toHaveLength(0);
    await api.completeTasks([7, 8], 'Answered call on 2024-01-01');
    expect([double.received[0]?.method, double.received[0]?.path]).toEqual(['PATCH', '/api/v4/tasks']);
    expect(double.received[0]?.json).toEqual([
      { id: 7, is_completed: true, result: { text: 'Answered call on 2024-01-01' } },
      { id: 8, is_completed: true, result: { text: 'Answered call on 2024-01-01' } },
    ]);
    const ids = Array.from({ length: 120 }, (_, i) => i + 1);
    await api.completeTasks(ids, 'x');
    expect(double.received.slice(1).map((r) => (r.json as Array<{ id: number }>).map((t) => t.id))).toEqual([ids.slice(0, 50), ids.slice(50, 100), ids.slice(100)]);
  });

  test('completeTasks with a bad id is refused before anything is sent', async () => {
    const { double, api } = await kommo({ status: 200, body: {} });
    const error = await kindOf(api.completeTasks([7, -1], 'x'));
    expect([error.kind, error.status, error.method, error.path]).toEqual(['refused', null, 'PATCH', '/api/v4/tasks']);
    expect(double.received).toHaveLength(0);
  });
});
