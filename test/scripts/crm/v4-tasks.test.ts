/** /api/v4/tasks on the fixture CRM: the call-back tasks the relay sets, finds and completes. */
import { SEED_USERS } from '../../../scripts/crm/seed';
import { startV4Crm, v4Client } from './v4-http';
import type { CrmServer } from './v4-http';

const NOW_S = 1_700_001_000;
let server: CrmServer;
let api: ReturnType<typeof v4Client>;
beforeAll(async () => {
  server = await startV4Crm({ now: () => NOW_S * 1000 });
  api = v4Client(server);
});
afterAll(() => server.close());
beforeEach(() => server.crm.reset());

/** The relay's KommoTaskBody. */
const task = (entity_type: string, entity_id: number, extra: Record<string, unknown> = {}) => ({
  text: 'Call back +1 830 580 3077',
  complete_till: NOW_S + 3600,
  entity_id,
  entity_type,
  task_type_id: 1,
  responsible_user_id: SEED_USERS.sales,
  ...extra,
});

const openCallTasksOf = (type: string, id: number) => api.get(`/api/v4/tasks?filter[entity_type]=${type}&filter[entity_id][]=${id}&filter[is_completed]=0&filter[task_type][]=1`);

test('tasks are created, found by the filters, and go on the card’s timeline', async () => {
  const res = await api.post('/api/v4/tasks', [task('leads', 5102790, { request_id: 'cb-1' }), task('contacts', 5760184), task('leads', 5102790, { task_type_id: 2, text: 'Meet' })]);
  expect(res.status).toBe(200);
  const ids = res.body._embedded.tasks.map((t: { id: number }) => t.id);
  expect(res.body._embedded.tasks.map((t: { request_id: string }) => t.request_id)).toEqual(['cb-1', '1', '2']);

  const open = await openCallTasksOf('leads', 5102790);
  expect(open.status).toBe(200);
  expect(open.body._embedded.tasks).toEqual([
    expect.objectContaining({
      id: ids[0],
      text: 'Call back +1 830 580 3077',
      entity_id: 5102790,
      entity_type: 'leads',
      task_type_id: 1,
      responsible_user_id: SEED_USERS.sales,
      complete_till: NOW_S + 3600,
      is_completed: false,
      result: [],
    }),
  ]);
  expect((await openCallTasksOf('contacts', 5760184)).body._embedded.tasks.map((t: { id: number }) => t.id)).toEqual([ids[1]]);
  expect((await openCallTasksOf('contacts', 5102790)).status).toBe(204);
  expect((await api.get('/api/v4/tasks?filter[entity_id]=5102790')).body._embedded.tasks).toHaveLength(2);
  expect(server.crm.timeline('leads', 5102790)).toEqual([
    { kind: 'task', task_id: ids[0], text: 'Call back +1 830 580 3077', task_type_id: 1, responsible_user_id: SEED_USERS.sales, complete_till: NOW_S + 3600, created_at: NOW_S },
    expect.objectContaining({ kind: 'task', task_id: ids[2], task_type_id: 2 }),
  ]);
});

test('PATCH completes tasks with a result; they leave the open filter and the timeline says so', async () => {
  const created = await api.post('/api/v4/tasks', [task('contacts', 5760184), task('contacts', 5760184)]);
  const [first, second] = created.body._embedded.tasks.map((t: { id: number }) => t.id);
  const res = await api.patch('/api/v4/tasks', [{ id: first, is_completed: true, result: { text: 'Answered call' } }]);
  expect(res.status).toBe(200);
  expect(res.body._embedded.tasks).toEqual([{ id: first, updated_at: NOW_S, request_id: '0' }]);

  expect((await openCallTasksOf('contacts', 5760184)).body._embedded.tasks.map((t: { id: number }) => t.id)).toEqual([second]);
  const done = await api.get('/api/v4/tasks?filter[entity_type]=contacts&filter[entity_id][]=5760184&filter[is_completed]=1');
  expect(done.body._embedded.tasks).toEqual([expect.objectContaining({ id: first, is_completed: true, result: { text: 'Answered call' } })]);
  expect(server.crm.timeline('contacts', 5760184).at(-1)).toEqual({ kind: 'task_completed', task_id: first, result_text: 'Answered call', created_at: NOW_S });
  // Completing it again changes nothing on the timeline.
  await api.patch('/api/v4/tasks', [{ id: first, is_completed: true, result: { text: 'Answered call' } }]);
  expect(server.crm.timeline('contacts', 5760184).filter((n) => n.kind === 'task_completed')).toHaveLength(1);
});

test('PATCH with an unknown id refuses the whole body: nothing is completed', async () => {
  const created = await api.post('/api/v4/tasks', [task('contacts', 5760184)]);
  const id = created.body._embedded.tasks[0].id;
  const res = await api.patch('/api/v4/tasks', [{ id, is_completed: true, result: { text: 'x' } }, { id: 424242, is_completed: true }]);
  expect(res.status).toBe(400);
  expect(res.body['validation-errors']).toEqual([{ request_id: '1', errors: [{ code: 'NotFound', path: 'id', detail: 'task 424242 not found' }] }]);
  expect(server.crm.tasks.map((t) => t.is_completed)).toEqual([false]);
});

test('POST validation: required text and complete_till, entity_id with entity_type, an existing card', async () => {
  const res = await api.post('/api/v4/tasks', [
    { entity_id: 5760184, entity_type: 'contacts' },
    { text: 'x', complete_till: NOW_S, entity_id: 5760184 },
    { text: 'x', complete_till: NOW_S, entity_type: 'contacts', entity_id: 1 },
    { text: 'x', complete_till: NOW_S, entity_type: 'deals', entity_id: 1 },
  ]);
  expect(res.status).toBe(400);
  expect(res.body['validation-errors'].map((item: { request_id: string; errors: Array<{ path: string; detail: string }> }) => [item.request_id, item.errors.map((e) => `${e.path}: ${e.detail}`)])).toEqual([
    ['0', ['text: text is required', 'complete_till: complete_till is required']],
    ['1', ['entity_type: entity_type is required with entity_id']],
    ['2', ['entity_id: contacts 1 not found']],
    ['3', ['entity_type: entity_type must be one of leads, contacts, companies, customers']],
  ]);
  expect(server.crm.tasks).toEqual([]);
  // A task on no card is Kommo's too: allowed, on no timeline; the defaults fill in.
  const free = await api.post('/api/v4/tasks', [{ text: 'General', complete_till: NOW_S }]);
  expect(free.status).toBe(200);
  expect(server.crm.tasks).toEqual([expect.objectContaining({ entity_id: null, entity_type: null, task_type_id: 1, responsible_user_id: SEED_USERS.manager })]);
});

test('bad filters are 400 naming the filter; limit pages the list', async () => {
  for (const [query, what] of [
    ['filter[entity_type]=deals', 'filter[entity_type]'],
    ['filter[entity_id][]=abc', 'filter[entity_id]'],
    ['filter[is_completed]=maybe', 'filter[is_completed]'],
    ['limit=0', 'limit'],
  ]) {
    const res = await api.get(`/api/v4/tasks?${query}`);
    expect(res.status).toBe(400);
    expect(res.body.detail).toContain(what);
  }
  await api.post('/api/v4/tasks', [task('leads', 5102790), task('leads', 5102790), task('leads', 5102790)]);
  const page1 = await api.get('/api/v4/tasks?filter[entity_type]=leads&limit=2');
  expect(page1.body._embedded.tasks).toHaveLength(2);
  const next = page1.body._links.next.href as string;
  expect(Object.fromEntries(new URL(next, server.url).searchParams)).toEqual({ 'filter[entity_type]': 'leads', limit: '2', page: '2' });
  const page2 = await api.get(next);
  expect(page2.body._embedded.tasks).toHaveLength(1);
  expect(page2.body._links.next).toBeUndefined();
});
