/**
 * The outbox's contract, run against both implementations: keys added once, due jobs oldest
 * first, done with follow-ups, retried later, set aside with a reason; how long done and
 * failed jobs are kept; the remembered call-back tasks. A networked outbox must pass the same.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { MemoryOutbox } from '../../../relay/src/calllog/memory-outbox';
import type { Outbox } from '../../../relay/src/calllog/outbox';
import type { OutboxLimits } from '../../../relay/src/calllog/outbox-limits';
import { SqliteOutbox } from '../../../relay/src/calllog/sqlite-outbox';
import { completedCall, keyed, T0, uniqOf } from './outbox-jobs';

type PrunableOutbox = Outbox & { prune(now: number): void };

const dirs: string[] = [];
afterAll(() => dirs.forEach((dir) => fs.rmSync(dir, { recursive: true, force: true })));

const kinds: Array<[string, (limits?: Partial<OutboxLimits>) => PrunableOutbox]> = [
  ['memory', (limits) => new MemoryOutbox(limits)],
  [
    'sqlite',
    (limits) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'outbox-contract-'));
      dirs.push(dir);
      return new SqliteOutbox({ dataDir: dir, ...limits });
    },
  ],
];

describe.each(kinds)('%s outbox', (kind, open) => {
  let outbox: PrunableOutbox;
  const opened: Outbox[] = [];
  function make(limits?: Partial<OutboxLimits>): PrunableOutbox {
    const made = open(limits);
    opened.push(made);
    return made;
  }
  beforeEach(() => {
    outbox = make();
  });
  afterEach(() => opened.splice(0).forEach((o) => o.close()));

  const dueUniqs = (now: number, limit = 100) => outbox.due(now, limit).map((e) => uniqOf(e.job));

  test('says what it is', () => {
    expect(outbox.kind).toBe(kind);
  });

  test('added jobs are due at once, oldest first, at most `limit`, as they were added', () => {
    outbox.add([keyed('a'), keyed('b')], T0);
    outbox.add([keyed('c', 'call-back-task')], T0 + 5);
    expect(dueUniqs(T0 + 5, 2)).toEqual(['a', 'b']);
    const entries = outbox.due(T0 + 5, 10);
    expect(entries.map((e) => [e.key, e.attempts, e.addedAt])).toEqual([
      ['log-call:a', 0, T0],
      ['log-call:b', 0, T0],
      ['call-back-task:c', 0, T0 + 5],
    ]);
    expect(entries[2]?.job).toEqual({ kind: 'call-back-task', call: completedCall('c'), entity: { id: 7, type: 'contacts' } });
    // Not due before it was added.
    expect(dueUniqs(T0 + 4)).toEqual(['a', 'b']);
    expect(new Set(entries.map((e) => e.id)).size).toBe(3);
  });

  test('a job without its optional fields comes back without them', () => {
    const job = keyed('r');
    if (job.job.kind === 'log-call') job.job.call.recordingUrl = undefined;
    outbox.add([job], T0);
    expect(Object.keys(outbox.due(T0, 1)[0]?.job.call ?? {})).not.toContain('recordingUrl');
  });

  test('a key already there, pending, done or failed, is skipped; so is a repeat within one add', () => {
    outbox.add([keyed('a'), keyed('b'), keyed('a')], T0);
    const [a, b] = outbox.due(T0, 10);
    outbox.succeed(a!.id, [], T0 + 1);
    outbox.park(b!.id, 'refused', T0 + 1);
    outbox.add([keyed('a'), keyed('b'), keyed('c')], T0 + 2);
    outbox.add([keyed('c')], T0 + 3);
    expect(dueUniqs(T0 + 10)).toEqual(['c']);
    expect(outbox.counts()).toMatchObject({ pending: 1, done: 1, failed: 1 });
    // The same call's other kinds of job are other keys.
    outbox.add([keyed('a', 'close-tasks')], T0 + 4);
    expect(dueUniqs(T0 + 10)).toEqual(['c', 'a']);
  });

  test('nextDueAt: the earliest pending next try, null when nothing is pending', () => {
    expect(outbox.nextDueAt()).toBeNull();
    outbox.add([keyed('a'), keyed('b')], T0);
    const [a, b] = outbox.due(T0, 10);
    outbox.retry(a!.id, T0 + 5_000, 'Kommo 503', T0);
    expect(outbox.nextDueAt()).toBe(T0);
    outbox.retry(b!.id, T0 + 3_000, 'Kommo 503', T0);
    expect(outbox.nextDueAt()).toBe(T0 + 3_000);
    outbox.park(b!.id, 'no', T0 + 3_000);
    expect(outbox.nextDueAt()).toBe(T0 + 5_000);
    outbox.succeed(a!.id, [], T0 + 5_000);
    expect(outbox.nextDueAt()).toBeNull();
  });

  test('succeed: the job is done, never due again, and its follow-ups are added, a key already there skipped', () => {
    outbox.add([keyed('a'), keyed('b', 'close-tasks')], T0);
    const [a] = outbox.due(T0, 1);
    outbox.succeed(a!.id, [keyed('a', 'call-back-task'), keyed('b', 'close-tasks'), keyed('a')], T0 + 100);
    expect(outbox.due(T0 + 100, 10).map((e) => [e.key, e.addedAt])).toEqual([
      ['close-tasks:b', T0],
      ['call-back-task:a', T0 + 100],
    ]);
    expect(outbox.counts()).toMatchObject({ pending: 2, done: 1, failed: 0, lastSuccessAt: T0 + 100 });
  });

  test('succeed of a job that is not pending changes nothing, and adds no follow-ups', () => {
    outbox.add([keyed('a')], T0);
    const [a] = outbox.due(T0, 1);
    outbox.succeed(a!.id, [], T0 + 1);
    outbox.succeed(a!.id, [keyed('x')], T0 + 2);
    outbox.retry(a!.id, T0 + 10, 'late', T0 + 2);
    outbox.park(a!.id, 'late', T0 + 2);
    outbox.succeed(9_999, [keyed('y')], T0 + 2);
    expect(outbox.counts()).toMatchObject({ pending: 0, done: 1, failed: 0, lastSuccessAt: T0 + 1, lastRetryReason: null });
  });

  test('retry: not due before its next try, one more attempt, and its reason shown while it is pending', () => {
    outbox.add([keyed('a'), keyed('b')], T0);
    const [a, b] = outbox.due(T0, 10);
    expect(outbox.counts().lastRetryReason).toBeNull();
    outbox.retry(a!.id, T0 + 1_000, 'Kommo did not answer (503)', T0);
    expect(dueUniqs(T0 + 999)).toEqual(['b']);
    expect(outbox.due(T0 + 1_000, 10).map((e) => [uniqOf(e.job), e.attempts])).toEqual([
      ['a', 1],
      ['b', 0],
    ]);
    outbox.retry(b!.id, T0 + 2_000, 'Kommo is rate-limiting (429)', T0 + 1);
    expect(outbox.counts()).toMatchObject({ pending: 2, lastRetryReason: 'Kommo is rate-limiting (429)' });
    // Once the retried jobs are done, there is no retry to speak of.
    outbox.succeed(b!.id, [], T0 + 2_000);
    expect(outbox.counts().lastRetryReason).toBe('Kommo did not answer (503)');
    outbox.succeed(a!.id, [keyed('c')], T0 + 2_000);
    expect(outbox.counts()).toMatchObject({ pending: 1, lastRetryReason: null });
  });

  test('dueNow: every pending job waiting for a later try is due now; done and failed ones stay as they are', () => {
    outbox.add([keyed('a'), keyed('b'), keyed('c')], T0);
    const [a, b, c] = outbox.due(T0, 10);
    outbox.retry(a!.id, T0 + 60_000, 'Kommo refused the API token (401)', T0);
    outbox.retry(b!.id, T0 + 5_000, 'Kommo did not answer (503)', T0);
    outbox.park(c!.id, 'Kommo refused /api/v4/calls (400)', T0);
    expect(dueUniqs(T0 + 1)).toEqual([]);
    outbox.dueNow(T0 + 1);
    expect(dueUniqs(T0 + 1)).toEqual(['a', 'b']);
    expect(outbox.counts()).toMatchObject({ pending: 2, failed: 1 });
  });

  test('park: kept aside with its reason, newest first, never due again', () => {
    outbox.add([keyed('a'), keyed('b', 'unknown-caller')], T0);
    const [a, b] = outbox.due(T0, 10);
    outbox.retry(a!.id, T0 + 10, 'Kommo 503', T0);
    outbox.park(a!.id, 'Kommo refused POST /api/v4/calls (400)', T0 + 10);
    outbox.park(b!.id, 'Kommo refused POST /api/v4/leads/unsorted/sip (400)', T0 + 20);
    expect(dueUniqs(T0 + 1_000_000)).toEqual([]);
    expect(outbox.counts()).toEqual({
      pending: 0,
      failed: 2,
      done: 0,
      lastSuccessAt: null,
      lastRetryReason: null,
      failures: [
        { key: 'unknown-caller:b', kind: 'unknown-caller', reason: 'Kommo refused POST /api/v4/leads/unsorted/sip (400)', at: T0 + 20 },
        { key: 'log-call:a', kind: 'log-call', reason: 'Kommo refused POST /api/v4/calls (400)', at: T0 + 10 },
      ],
    });
  });

  test('failures show the latest 20; failed jobs beyond the cap are forgotten, the oldest first', () => {
    outbox = make({ maxFailed: 25 });
    const uniqs = Array.from({ length: 30 }, (_, i) => `f${i}`);
    outbox.add(uniqs.map((u) => keyed(u)), T0);
    outbox.due(T0, 30).forEach((e, i) => outbox.park(e.id, `reason ${i}`, T0 + i));
    const counts = outbox.counts();
    expect(counts.failed).toBe(25);
    expect(counts.failures.map((f) => f.key)).toEqual(uniqs.slice(10).reverse().map((u) => `log-call:${u}`));
    // A forgotten failure's key is no longer known: it can be added again.
    outbox.add([keyed('f4'), keyed('f5')], T0 + 100);
    expect(dueUniqs(T0 + 100)).toEqual(['f4']);
  });

  test('done jobs are remembered keepDoneMs (a repeat is skipped), then pruned (a repeat is a new job)', () => {
    outbox = make({ keepDoneMs: 1_000 });
    outbox.add([keyed('a'), keyed('b')], T0);
    const [a, b] = outbox.due(T0, 10);
    outbox.succeed(a!.id, [], T0);
    outbox.prune(T0 + 1_000);
    outbox.add([keyed('a')], T0 + 1_000);
    expect(outbox.counts()).toMatchObject({ done: 1, pending: 1 });
    // A later success prunes too.
    outbox.succeed(b!.id, [], T0 + 1_001);
    expect(outbox.counts()).toMatchObject({ done: 1, pending: 0, lastSuccessAt: T0 + 1_001 });
    outbox.add([keyed('a')], T0 + 1_002);
    expect(outbox.due(T0 + 1_002, 10).map((e) => [e.key, e.attempts, e.addedAt])).toEqual([['log-call:a', 0, T0 + 1_002]]);
    expect(outbox.due(T0 + 1_002, 10)[0]!.id).toBeGreaterThan(b!.id);
  });

  test('call-back tasks: those of a number still before their due time, soonest first; forgotten by id', () => {
    outbox.rememberTask({ taskId: 3, phoneKey: '4155550100', dueAt: T0 + 3_000 });
    outbox.rememberTask({ taskId: 1, phoneKey: '4155550100', dueAt: T0 + 1_000 });
    outbox.rememberTask({ taskId: 2, phoneKey: '4155550199', dueAt: T0 + 1_000 });
    outbox.rememberTask({ taskId: 4, phoneKey: '4155550100', dueAt: T0 + 2_000 });
    expect(outbox.openTasks('4155550100', T0).map((t) => t.taskId)).toEqual([1, 4, 3]);
    expect(outbox.openTasks('4155550100', T0 + 1_000)).toEqual([
      { taskId: 4, phoneKey: '4155550100', dueAt: T0 + 2_000 },
      { taskId: 3, phoneKey: '4155550100', dueAt: T0 + 3_000 },
    ]);
    // Remembered again: the new due time.
    outbox.rememberTask({ taskId: 4, phoneKey: '4155550100', dueAt: T0 + 5_000 });
    outbox.forgetTasks([3, 99]);
    expect(outbox.openTasks('4155550100', T0 + 1_000).map((t) => [t.taskId, t.dueAt])).toEqual([[4, T0 + 5_000]]);
    expect(outbox.openTasks('0000000000', T0)).toEqual([]);
  });

  test('prune forgets tasks past their due time', () => {
    outbox.rememberTask({ taskId: 1, phoneKey: '4155550100', dueAt: T0 + 1_000 });
    outbox.rememberTask({ taskId: 2, phoneKey: '4155550100', dueAt: T0 + 2_000 });
    outbox.prune(T0 + 1_000);
    expect(outbox.openTasks('4155550100', T0).map((t) => t.taskId)).toEqual([2]);
  });
});
