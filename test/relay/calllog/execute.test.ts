/**
 * The call log's rules between a completed call and Kommo: what is written, on which card, what
 * follows, and that a try whose answer was lost doubles nothing. Kommo is an account in memory
 * (fake-kommo.ts); the outbox is the MemoryOutbox; `drain` plays the worker with it (a key added
 * once, a job that threw tried again).
 */
import { createCallLogExecutor, jobsForCompletedCall } from '../../../relay/src/calllog/execute';
import type { CallLogExecutor } from '../../../relay/src/calllog/execute';
import type { CallLogConfig, CallOutcome, CompletedCall, KeyedJob, UnknownCallerAction } from '../../../relay/src/calllog/types';
import { FakeKommo } from './fake-kommo';
import { MemoryOutbox } from '../../../relay/src/calllog/memory-outbox';

const MIN = 60_000;
const T0 = Date.UTC(2024, 2, 1, 14, 5, 0);
const PHONE = '+1 830 580 3077';
const nothing = { talked: 'nothing', no_answer: 'nothing', busy: 'nothing', failed: 'nothing' } as const;
const baseConfig = (extra: Partial<CallLogConfig> = {}): CallLogConfig => ({
  source: 'Telephony relay',
  unknownCallers: { inbound: { ...nothing }, outbound: { ...nothing } },
  callBackTask: { delayMs: 30 * MIN, closeOnAnsweredCall: true },
  settleMs: 5_000,
  ...extra,
});
const call = (extra: Partial<CompletedCall> = {}): CompletedCall => ({
  uniq: 'u1', direction: 'inbound', phone: PHONE, internal: false, outcome: 'talked', extension: '101', extensions: ['101'],
  duration: 65, recordingUrl: 'https://pbx.example/u1.mp3', startedAt: T0, endedAt: T0 + MIN, ...extra,
});
const missed = (extra: Partial<CompletedCall> = {}) => call({ outcome: 'no_answer', duration: 0, recordingUrl: undefined, ...extra });
const USERS: Record<string, number> = { '101': 11, '102': 12 };

let kommo: FakeKommo;
let book: MemoryOutbox;
let logged: Array<{ message: string; context?: Record<string, unknown> }>;
let clock: number;

function executor(config = baseConfig()): CallLogExecutor {
  return createCallLogExecutor({
    api: kommo, outbox: book, config, userOf: (extension) => USERS[extension] ?? null, now: () => clock,
    log: (message, context) => logged.push({ message, context }),
  });
}

/** The worker's part, on the outbox: oldest first, follow-ups added with the success, a job that threw tried again (3 tries). */
async function drain(run: CallLogExecutor, jobs: KeyedJob[]): Promise<string[]> {
  book.add(jobs, clock);
  const ran: string[] = [];
  for (let [entry] = book.due(clock, 1); entry !== undefined; [entry] = book.due(clock, 1)) {
    try {
      book.succeed(entry.id, await run(entry.job), clock);
      ran.push(entry.key);
    } catch (error) {
      if (entry.attempts === 2) throw error;
      book.retry(entry.id, clock, String(error), clock);
    }
  }
  return ran;
}

/** Every call-back task the outbox remembers (of the numbers used here). */
const remembered = () => [...book.openTasks('8305803077', 0), ...book.openTasks('2079460958', 0)];

const keys = (jobs: KeyedJob[]) => jobs.map((j) => j.key);

beforeEach(() => {
  kommo = new FakeKommo();
  book = new MemoryOutbox();
  logged = [];
  clock = T0 + 2 * MIN;
});

test('jobsForCompletedCall: one log-call keyed by the uniq', () => {
  expect(jobsForCompletedCall(call())).toEqual([{ key: 'log-call:u1', job: { kind: 'log-call', call: call() } }]);
});

describe('log-call', () => {
  test.each([
    ['withheld', { phone: '' }],
    ['a number without digits', { phone: 'anonymous' }],
    ['internal', { phone: '102', internal: true }],
  ])('%s: not logged, no request, a log line', async (_, extra) => {
    expect(await executor()({ kind: 'log-call', call: missed(extra) })).toEqual([]);
    expect(kommo.requests).toEqual([]);
    expect(logged).toHaveLength(1);
  });

  test('a known customer: the call on its card by the extension\'s user; a talked call closes the number\'s tasks', async () => {
    kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21, lead: { id: 7, responsibleUserId: 22 } });
    const followUps = await executor()({ kind: 'log-call', call: call() });
    expect(kommo.calls).toEqual([expect.objectContaining({ uniq: 'u1', phone: PHONE, call_status: 4, responsible_user_id: 11, created_by: 11, source: 'Telephony relay' })]);
    expect(followUps).toEqual([{ key: 'close-tasks:u1', job: { kind: 'close-tasks', call: call() } }]);
  });

  test('an extension without a Kommo user: the call has no responsible or author', async () => {
    kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21 });
    await executor()({ kind: 'log-call', call: call({ extension: '199' }) });
    expect(kommo.calls[0]).not.toHaveProperty('created_by');
  });

  test('a missed inbound call on a card: a call-back task on that card; a missed outbound call: none', async () => {
    kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21, lead: { id: 7, responsibleUserId: 22 } });
    expect(await executor()({ kind: 'log-call', call: missed() })).toEqual([
      { key: 'call-back-task:u1', job: { kind: 'call-back-task', call: missed(), entity: { id: 7, type: 'leads' } } },
    ]);
    expect(await executor()({ kind: 'log-call', call: missed({ uniq: 'u2', direction: 'outbound' }) })).toEqual([]);
    expect(await executor()({ kind: 'log-call', call: call({ uniq: 'u3', outcome: 'busy' }) })).toEqual([]);
  });

  test('tasks off: no call-back task, nothing closed; closing off: the task still made, nothing closed', async () => {
    kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21 });
    const off = executor(baseConfig({ callBackTask: null }));
    expect(await off({ kind: 'log-call', call: missed() })).toEqual([]);
    expect(await off({ kind: 'log-call', call: call({ uniq: 'u2' }) })).toEqual([]);
    const keep = executor(baseConfig({ callBackTask: { delayMs: 30 * MIN, closeOnAnsweredCall: false } }));
    expect(keys(await keep({ kind: 'log-call', call: missed({ uniq: 'u3' }) }))).toEqual(['call-back-task:u3']);
    expect(await keep({ kind: 'log-call', call: call({ uniq: 'u4' }) })).toEqual([]);
  });

  test('duplicate (a retry of a write that landed): the same follow-ups, the card looked up later', async () => {
    kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21, lead: { id: 7, responsibleUserId: 22 } });
    kommo.loseAnswer('logCall');
    const run = executor();
    await expect(run({ kind: 'log-call', call: missed() })).rejects.toThrow();
    expect(await run({ kind: 'log-call', call: missed() })).toEqual([
      { key: 'call-back-task:u1', job: { kind: 'call-back-task', call: missed(), entity: null } },
    ]);
    expect(keys(await run({ kind: 'log-call', call: call({ uniq: 'u2' }) }))).toEqual(['close-tasks:u2']);
    expect(kommo.calls.filter((c) => c.uniq === 'u1')).toHaveLength(1);
  });

  test('an API error is thrown on for the worker to classify', async () => {
    const down = new Error('Kommo down');
    kommo.fail('logCall', down);
    await expect(executor()({ kind: 'log-call', call: call() })).rejects.toBe(down);
  });
});

describe('an unknown number', () => {
  const policy: CallLogConfig['unknownCallers'] = {
    inbound: { talked: 'lead', no_answer: 'contact', busy: 'nothing', failed: 'lead' },
    outbound: { talked: 'contact', no_answer: 'nothing', busy: 'lead', failed: 'nothing' },
  };
  const cases: Array<['inbound' | 'outbound', CallOutcome, UnknownCallerAction]> = [];
  for (const direction of ['inbound', 'outbound'] as const) for (const outcome of ['talked', 'no_answer', 'busy', 'failed'] as const) cases.push([direction, outcome, policy[direction][outcome]]);

  test.each(cases)('%s %s: %s, and a talked call closes the number\'s tasks', async (direction, outcome, action) => {
    const c = call({ direction, outcome });
    const followUps = await executor(baseConfig({ unknownCallers: policy }))({ kind: 'log-call', call: c });
    const expected: KeyedJob[] = [];
    if (action !== 'nothing') expected.push({ key: 'unknown-caller:u1', job: { kind: 'unknown-caller', call: c, action } });
    if (outcome === 'talked') expected.push({ key: 'close-tasks:u1', job: { kind: 'close-tasks', call: c } });
    expect(followUps).toEqual(expected);
  });

  test('lead: an incoming lead with the call, no task (an unsorted lead is not a card); a second try is harmless', async () => {
    const run = executor(baseConfig({ unknownCallers: { inbound: { ...nothing, no_answer: 'lead' }, outbound: { ...nothing } } }));
    expect(await drain(run, jobsForCompletedCall(missed()))).toEqual(['log-call:u1', 'unknown-caller:u1']);
    expect(kommo.leads).toEqual([expect.objectContaining({ source_uid: 'u1', metadata: expect.objectContaining({ uniq: 'u1', is_call_event_needed: true, from: '101' }) })]);
    expect(kommo.tasks).toEqual([]);
    // Kommo answers 'duplicate' to a retry whose first answer was lost: done, not an error.
    expect(await run({ kind: 'unknown-caller', call: missed(), action: 'lead' })).toEqual([]);
    expect(kommo.leads).toHaveLength(1);
  });

  test('contact: a contact named by the number, for the extension\'s user; the call lands on it, and its call-back task', async () => {
    const run = executor(baseConfig({ unknownCallers: { inbound: { ...nothing, no_answer: 'contact' }, outbound: { ...nothing } } }));
    expect(await drain(run, jobsForCompletedCall(missed()))).toEqual(['log-call:u1', 'unknown-caller:u1', 'log-call-on-contact:u1', 'call-back-task:u1']);
    expect(kommo.contactsMade).toEqual([{ name: PHONE, phone: PHONE, responsibleUserId: 11 }]);
    expect(kommo.calls).toEqual([expect.objectContaining({ uniq: 'u1' })]);
    expect(kommo.tasks).toEqual([expect.objectContaining({ entity_type: 'contacts', responsible_user_id: 11, text: expect.stringContaining('(call u1)') })]);
  });

  test('contact: when Kommo still matches nothing, no second contact (no loop)', async () => {
    kommo.matchesNewContacts = false;
    const run = executor(baseConfig({ unknownCallers: { inbound: { ...nothing, talked: 'contact' }, outbound: { ...nothing } } }));
    const ran = await drain(run, jobsForCompletedCall(call()));
    expect(ran).toEqual(['log-call:u1', 'unknown-caller:u1', 'close-tasks:u1', 'log-call-on-contact:u1']);
    expect(kommo.count('addContact')).toBe(1);
    expect(kommo.count('logCall')).toBe(2);
    expect(logged.map((l) => l.message)).toContainEqual(expect.stringContaining('even after its contact was made'));
  });

  test('contact: a try whose answer was lost made the contact; the retry finds it and makes none', async () => {
    kommo.loseAnswer('addContact');
    const run = executor();
    const job = { kind: 'unknown-caller', call: call(), action: 'contact' } as const;
    await expect(run(job)).rejects.toThrow();
    expect(await run(job)).toEqual([{ key: 'log-call-on-contact:u1', job: { kind: 'log-call', call: call(), onNewContact: true } }]);
    expect(kommo.count('addContact')).toBe(1);
    expect(kommo.count('findContact')).toBe(2);
  });

  test('nothing: no write beyond the call, a log line', async () => {
    expect(await drain(executor(), jobsForCompletedCall(missed()))).toEqual(['log-call:u1']);
    expect(kommo.requests.map((r) => r.method)).toEqual(['logCall']);
    expect(logged).toHaveLength(1);
  });
});

describe('call-back-task', () => {
  const lead = { id: 7, type: 'leads' } as const;

  test('on the card, for the card\'s responsible user, due the delay after the call', async () => {
    kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21, lead: { id: 7, responsibleUserId: 22 } });
    expect(await executor()({ kind: 'call-back-task', call: missed(), entity: lead })).toEqual([]);
    expect(kommo.tasks).toEqual([expect.objectContaining({
      entity_id: 7, entity_type: 'leads', responsible_user_id: 22, task_type_id: 1,
      complete_till: Math.floor((T0 + MIN + 30 * MIN) / 1000), text: 'Call back +1 830 580 3077: missed call at 14:05 UTC (call u1)',
    })]);
    expect(remembered()).toEqual([{ taskId: kommo.tasks[0]!.id, phoneKey: '8305803077', dueAt: T0 + MIN + 30 * MIN }]);
  });

  test('a card Kommo no longer has a responsible for: the extension\'s user; neither: no task, a log line', async () => {
    await executor()({ kind: 'call-back-task', call: missed({ extension: '102' }), entity: lead });
    expect(kommo.tasks).toEqual([expect.objectContaining({ responsible_user_id: 12 })]);
    await executor()({ kind: 'call-back-task', call: missed({ uniq: 'u2', extension: '199' }), entity: lead });
    expect(kommo.count('addTask')).toBe(1);
    expect(logged.map((l) => l.message)).toContainEqual(expect.stringContaining('nobody to call back'));
  });

  test('no card given: the number\'s contact, for its responsible user; no contact: no task, a log line', async () => {
    await executor()({ kind: 'call-back-task', call: missed(), entity: null });
    expect(kommo.tasks).toEqual([]);
    expect(logged).toHaveLength(1);
    kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21 });
    await executor()({ kind: 'call-back-task', call: missed(), entity: null });
    expect(kommo.tasks).toEqual([expect.objectContaining({ entity_id: 5, entity_type: 'contacts', responsible_user_id: 21 })]);
    expect(kommo.count('responsibleOf')).toBe(0);
  });

  test('a try whose answer was lost made the task: the retry recognises it by the uniq and remembers it', async () => {
    kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21 });
    const run = executor();
    // Another missed call's open task whose uniq begins the same: not this call's.
    await run({ kind: 'call-back-task', call: missed({ uniq: 'u10' }), entity: { id: 5, type: 'contacts' } });
    kommo.loseAnswer('addTask');
    const job = { kind: 'call-back-task', call: missed(), entity: { id: 5, type: 'contacts' } } as const;
    await expect(run(job)).rejects.toThrow();
    expect(remembered()).toHaveLength(1);
    expect(await run(job)).toEqual([]);
    expect(kommo.tasks).toHaveLength(2);
    const made = kommo.tasks.find((t) => t.text.includes('(call u1)'))!;
    expect(remembered()).toContainEqual({ taskId: made.id, phoneKey: '8305803077', dueAt: T0 + 31 * MIN });
    expect(remembered()).toHaveLength(2);
  });

  test('made after its due time (Kommo was out of reach): still made, and said', async () => {
    kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21 });
    clock = T0 + 3 * 60 * MIN;
    await executor()({ kind: 'call-back-task', call: missed(), entity: null });
    expect(kommo.tasks).toHaveLength(1);
    expect(logged.map((l) => l.message)).toContainEqual(expect.stringContaining('after its due time'));
  });
});

describe('close-tasks', () => {
  const remember = (taskId: number, dueAt: number, phoneKey = '8305803077') => book.rememberTask({ taskId, phoneKey, dueAt });

  test('an answered call completes the number\'s tasks due after it, of calls missed before it, and forgets them', async () => {
    const answered = call({ uniq: 'u9', direction: 'outbound', startedAt: T0 + 20 * MIN, endedAt: T0 + 22 * MIN });
    remember(1, T0 + 31 * MIN); // missed at T0, due later: closed
    remember(2, T0 + 10 * MIN); // due before the call back: left alone
    remember(3, T0 + 31 * MIN, '2079460958'); // another number
    remember(4, T0 + 21 * MIN + 30 * MIN); // a call missed after the answered one began (a job run late): left alone
    expect(await executor()({ kind: 'close-tasks', call: answered })).toEqual([]);
    expect(kommo.requests).toEqual([{ method: 'completeTasks', args: [[1], 'Called back: call u9'] }]);
    expect(remembered().map((t) => t.taskId).sort()).toEqual([2, 3, 4]);
  });

  test('the customer calling again and answered: "Answered call"; no open task: no request', async () => {
    remember(1, T0 + 31 * MIN);
    await executor()({ kind: 'close-tasks', call: call({ uniq: 'u9', phone: '18305803077', startedAt: T0 + 5 * MIN }) });
    expect(kommo.requests).toEqual([{ method: 'completeTasks', args: [[1], 'Answered call u9'] }]);
    await executor()({ kind: 'close-tasks', call: call({ uniq: 'u10', startedAt: T0 + 6 * MIN }) });
    expect(kommo.count('completeTasks')).toBe(1);
  });

  test('Kommo failing: the tasks stay remembered for the retry', async () => {
    remember(1, T0 + 31 * MIN);
    kommo.fail('completeTasks', new Error('down'));
    await expect(executor()({ kind: 'close-tasks', call: call({ uniq: 'u9', startedAt: T0 + 5 * MIN }) })).rejects.toThrow('down');
    expect(remembered()).toHaveLength(1);
  });

  test('closing off by config: nothing closed', async () => {
    remember(1, T0 + 31 * MIN);
    await executor(baseConfig({ callBackTask: { delayMs: 30 * MIN, closeOnAnsweredCall: false } }))({ kind: 'close-tasks', call: call({ uniq: 'u9', startedAt: T0 + 5 * MIN }) });
    expect(kommo.requests).toEqual([]);
  });
});

describe('a missed call, then the call back', () => {
  beforeEach(() => kommo.knowCustomer(PHONE, { contactId: 5, responsibleUserId: 21, lead: { id: 7, responsibleUserId: 22 } }));

  test('called back before the task is due: the task is completed', async () => {
    const run = executor();
    expect(await drain(run, jobsForCompletedCall(missed()))).toEqual(['log-call:u1', 'call-back-task:u1']);
    const back = call({ uniq: 'u2', direction: 'outbound', phone: '18305803077', startedAt: T0 + 10 * MIN, endedAt: T0 + 12 * MIN });
    expect(await drain(run, jobsForCompletedCall(back))).toEqual(['log-call:u2', 'close-tasks:u2']);
    expect(kommo.tasks).toEqual([expect.objectContaining({ completed: true, result: 'Called back: call u2', responsible_user_id: 22 })]);
    expect(remembered()).toEqual([]);
  });

  test('called back after it was due: the task stays open', async () => {
    const run = executor();
    await drain(run, jobsForCompletedCall(missed()));
    await drain(run, jobsForCompletedCall(call({ uniq: 'u2', direction: 'outbound', startedAt: T0 + 45 * MIN, endedAt: T0 + 46 * MIN })));
    expect(kommo.tasks).toEqual([expect.objectContaining({ completed: false })]);
  });

  test('every write\'s answer lost once: still one call, one task, and it is completed', async () => {
    const run = executor();
    kommo.loseAnswer('logCall');
    kommo.loseAnswer('addTask');
    await drain(run, jobsForCompletedCall(missed()));
    kommo.loseAnswer('completeTasks');
    await drain(run, jobsForCompletedCall(call({ uniq: 'u2', startedAt: T0 + 10 * MIN })));
    expect(kommo.calls.map((c) => c.uniq)).toEqual(['u1', 'u2']);
    expect(kommo.tasks).toEqual([expect.objectContaining({ completed: true, result: 'Answered call u2' })]);
    expect(remembered()).toEqual([]);
  });
});
