/** POST /api/v4/leads/unsorted/sip on the fixture CRM: an incoming lead for an unknown caller. */
import { DEFAULT_ACCOUNT_ID } from '../../../scripts/crm/crm-server';
import { SEED_NUMBERS } from '../../../scripts/crm/seed';
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

/** The relay's KommoUnsortedSipBody. */
function sipBody(uniq: string, phone: string = SEED_NUMBERS.unknown): Record<string, unknown> {
  return {
    source_uid: 'pbx-relay',
    source_name: 'PBX relay',
    created_at: 1_700_000_200,
    _embedded: { contacts: [{ name: phone, custom_fields_values: [{ field_code: 'PHONE', values: [{ value: phone }] }] }] },
    metadata: { is_call_event_needed: true, uniq, duration: 0, service_code: 'pbx-relay', link: 'https://pbx.test/r.mp3', phone, called_at: 1_700_000_190, from: 'ext 101' },
  };
}

test('creates an incoming lead with a uid, its lead and contact ids, and keeps it in crm.unsorted', async () => {
  const res = await api.post('/api/v4/leads/unsorted/sip', [{ ...sipBody('call-1'), request_id: 'r1' }]);
  expect(res.status).toBe(200);
  const [entry] = res.body._embedded.unsorted;
  expect(entry).toEqual({ uid: expect.stringMatching(/^[0-9a-f]{40}$/), account_id: DEFAULT_ACCOUNT_ID, request_id: 'r1', _embedded: { leads: [{ id: expect.any(Number) }], contacts: [{ id: expect.any(Number) }] } });
  expect(server.crm.unsorted).toEqual([
    expect.objectContaining({
      uid: entry.uid,
      source_uid: 'pbx-relay',
      lead_id: entry._embedded.leads[0].id,
      contacts: [{ id: entry._embedded.contacts[0].id, name: SEED_NUMBERS.unknown, phones: [SEED_NUMBERS.unknown] }],
      metadata: expect.objectContaining({ uniq: 'call-1', phone: SEED_NUMBERS.unknown, called_at: 1_700_000_190, link: 'https://pbx.test/r.mp3', is_call_event_needed: true }),
    }),
  ]);
  // Not accepted yet: the number is still unknown to the calls API.
  const call = await api.post('/api/v4/calls', [callBody(SEED_NUMBERS.unknown, 'after')]);
  expect(call.body.errors).toEqual([expect.objectContaining({ detail: expect.stringContaining('not found') })]);
});

test('a duplicate metadata.uniq refuses the request: 400 "uniq already exists", nothing added', async () => {
  expect((await api.post('/api/v4/leads/unsorted/sip', [sipBody('call-1')])).status).toBe(200);
  const again = await api.post('/api/v4/leads/unsorted/sip', [sipBody('call-1')]);
  expect(again.status).toBe(400);
  expect(again.body).toMatchObject({ status: 400, detail: 'uniq already exists', 'validation-errors': [{ request_id: '0', errors: [{ code: 'NotUnique', path: 'metadata.uniq', detail: 'uniq already exists' }] }] });
  const twice = await api.post('/api/v4/leads/unsorted/sip', [sipBody('call-2'), sipBody('call-2')]);
  expect(twice.status).toBe(400);
  expect(twice.body.detail).toBe('uniq already exists');
  expect(server.crm.unsorted.map((u) => u.metadata.uniq)).toEqual(['call-1']);
});

test('validation names every missing field; nothing is added', async () => {
  const bad = sipBody('call-3') as { metadata: Record<string, unknown>; _embedded: unknown; source_uid?: unknown };
  delete bad.source_uid;
  delete bad.metadata.called_at;
  bad.metadata.phone = '';
  bad._embedded = { contacts: [] };
  const res = await api.post('/api/v4/leads/unsorted/sip', [bad]);
  expect(res.status).toBe(400);
  expect(res.body.detail).toBe('Request validation failed');
  expect(res.body['validation-errors'][0].errors.map((e: { path: string }) => e.path)).toEqual(['source_uid', 'metadata.phone', 'metadata.called_at', '_embedded.contacts']);
  const noParts = await api.post('/api/v4/leads/unsorted/sip', [{ source_uid: 'x', source_name: 'y' }]);
  expect(noParts.body['validation-errors'][0].errors.map((e: { path: string }) => e.path)).toEqual(['metadata', '_embedded']);
  expect(server.crm.unsorted).toEqual([]);
});

test('a duplicate in an otherwise invalid body is reported as a validation failure', async () => {
  await api.post('/api/v4/leads/unsorted/sip', [sipBody('call-4')]);
  const res = await api.post('/api/v4/leads/unsorted/sip', [{ ...sipBody('call-4'), source_name: '' }]);
  expect(res.status).toBe(400);
  expect(res.body.detail).toBe('Request validation failed');
  expect(res.body['validation-errors'][0].errors.map((e: { code: string }) => e.code)).toEqual(['NotBlank', 'NotUnique']);
});
