/**
 * Runs one call-log job against Kommo (issue 16) and answers its follow-up jobs; the worker adds
 * them with the job's success. Whatever the API throws is thrown on: the worker classifies it
 * (classify.ts). Every job is safe to run twice (a try whose answer was lost): the call and the
 * incoming lead carry the call's uniq, a contact is looked up before it is made, and a task is
 * recognised by the uniq in its text.
 */
import type { KommoApi } from '../kommo/types';
import { afterLogCall, logOnNewContact } from './follow-ups';
import { callBody, phoneKey, taskBody, taskDueAt, taskMark, unsortedBody } from './kommo-bodies';
import type { Outbox } from './outbox';
import type { CallLogConfig, CallLogJob, KeyedJob } from './types';

export { jobsForCompletedCall } from './follow-ups';

type Log = (message: string, context?: Record<string, unknown>) => void;
type Job<K extends CallLogJob['kind']> = Extract<CallLogJob, { kind: K }>;

export interface CallLogExecutorOptions {
  api: KommoApi;
  outbox: Pick<Outbox, 'rememberTask' | 'openTasks' | 'forgetTasks'>;
  config: CallLogConfig;
  /** The Kommo user of an extension, or null when it has none. */
  userOf: (extension: string) => number | null;
  now: () => number;
  log: Log;
}

/** One job's run: its follow-ups, or the API's error thrown on. */
export type CallLogExecutor = (job: CallLogJob) => Promise<KeyedJob[]>;

export function createCallLogExecutor(o: CallLogExecutorOptions): CallLogExecutor {
  const { api, outbox, config, userOf, log } = o;

  async function logCall(job: Job<'log-call'>): Promise<KeyedJob[]> {
    const { call } = job;
    if (phoneKey(call.phone) === '') {
      log('call log: a withheld number is not logged', { uniq: call.uniq });
      return [];
    }
    if (call.internal) {
      log('call log: an internal call is not logged', { uniq: call.uniq });
      return [];
    }
    const filed = await api.logCall(callBody(call, userOf(call.extension), config));
    const plan = afterLogCall(job, filed, config);
    if (plan.note !== undefined) log(plan.note, { uniq: call.uniq, phone: call.phone });
    return plan.jobs;
  }

  async function unknownCaller(job: Job<'unknown-caller'>): Promise<KeyedJob[]> {
    const { call } = job;
    if (phoneKey(call.phone) === '') return [];
    if (job.action === 'lead') {
      // No call-back task: an incoming lead is not a card until a user accepts it, and a task needs a card.
      const { added } = await api.addUnsortedSip(unsortedBody(call, config));
      if (added === 'duplicate') log('call log: Kommo already had the incoming lead (a retry of a write that landed)', { uniq: call.uniq });
      return [];
    }
    // A try whose answer was lost may have made the contact already.
    const found = await api.findContact(call.phone);
    if (found === null) await api.addContact(call.phone, call.phone, userOf(call.extension));
    return [logOnNewContact(call)];
  }

  async function callBackTask(job: Job<'call-back-task'>): Promise<KeyedJob[]> {
    const { call } = job;
    const key = phoneKey(call.phone);
    if (config.callBackTask === null || key === '') {
      log('call log: call-back tasks are off (or the number is withheld), no task', { uniq: call.uniq });
      return [];
    }
    let entity = job.entity;
    let responsible: number | null = null;
    if (entity === null) {
      const found = await api.findContact(call.phone);
      if (found === null) {
        log('call log: no card for the missed call, no call-back task', { uniq: call.uniq, phone: call.phone });
        return [];
      }
      entity = found.entity;
      responsible = found.responsibleUserId;
    }
    const dueAt = taskDueAt(call, config);
    const mark = taskMark(call.uniq);
    const existing = (await api.openCallTasks(entity)).find((task) => task.text.includes(mark));
    if (existing !== undefined) {
      // Made by a try whose answer was lost: remembered, not doubled.
      outbox.rememberTask({ taskId: existing.id, phoneKey: key, dueAt });
      return [];
    }
    if (job.entity !== null) responsible = await api.responsibleOf(entity);
    responsible ??= userOf(call.extension);
    if (responsible === null) {
      log('call log: nobody to call back (the card has no responsible user, the extension no Kommo user), no task', { uniq: call.uniq, extension: call.extension });
      return [];
    }
    const taskId = await api.addTask(taskBody(call, entity, responsible, config));
    outbox.rememberTask({ taskId, phoneKey: key, dueAt });
    const late = o.now() - dueAt;
    if (late > 0) log('call log: call-back task made after its due time (Kommo was out of reach)', { uniq: call.uniq, lateMs: late });
    return [];
  }

  async function closeTasks(job: Job<'close-tasks'>): Promise<KeyedJob[]> {
    const { call } = job;
    const key = phoneKey(call.phone);
    const tasks = config.callBackTask;
    if (tasks === null || !tasks.closeOnAnsweredCall || key === '') {
      log('call log: closing call-back tasks on an answered call is off (or the number is withheld)', { uniq: call.uniq });
      return [];
    }
    // Tasks due after the answered call began, of missed calls that ended before it: a job run
    // late (Kommo was down) never closes the task of a call missed after the answered one.
    const ids = outbox
      .openTasks(key, call.startedAt)
      .filter((task) => task.dueAt - tasks.delayMs <= call.startedAt)
      .map((task) => task.taskId);
    if (ids.length === 0) return [];
    const text = call.direction === 'outbound' ? `Called back: call ${call.uniq}` : `Answered call ${call.uniq}`;
    await api.completeTasks(ids, text);
    outbox.forgetTasks(ids);
    return [];
  }

  return async (job) => {
    switch (job.kind) {
      case 'log-call':
        return logCall(job);
      case 'unknown-caller':
        return unknownCaller(job);
      case 'call-back-task':
        return callBackTask(job);
      case 'close-tasks':
        return closeTasks(job);
    }
  };
}
