/**
 * Which writes follow a completed call (issue 16), as pure functions of the call, what Kommo
 * did with it and the config: no I/O. execute.ts runs a job and adds these as its follow-ups.
 * Every key is `<kind>:<uniq>`: a follow-up the outbox already has (a retry's) is not doubled.
 */
import type { CallFiled } from '../kommo/types';
import type { CallLogConfig, CallLogJob, CompletedCall, KeyedJob, KommoEntity } from './types';

/** What a completed call starts with: one write, its log on the card; the rest follows from Kommo's answer. */
export function jobsForCompletedCall(call: CompletedCall): KeyedJob[] {
  return [{ key: `log-call:${call.uniq}`, job: { kind: 'log-call', call } }];
}

export function isMissedInbound(call: CompletedCall): boolean {
  return call.direction === 'inbound' && call.outcome === 'no_answer';
}

/** An answered call with the number (either direction): the number's call-back tasks are done. */
function closesTasks(call: CompletedCall, config: CallLogConfig): boolean {
  return call.outcome === 'talked' && config.callBackTask !== null && config.callBackTask.closeOnAnsweredCall;
}

function closeTasksJob(call: CompletedCall): KeyedJob {
  return { key: `close-tasks:${call.uniq}`, job: { kind: 'close-tasks', call } };
}

/** A call on a card (entity null: the card is looked up when the task is made). */
export function cardFollowUps(call: CompletedCall, entity: KommoEntity | null, config: CallLogConfig): KeyedJob[] {
  const jobs: KeyedJob[] = [];
  if (isMissedInbound(call) && config.callBackTask !== null) {
    jobs.push({ key: `call-back-task:${call.uniq}`, job: { kind: 'call-back-task', call, entity } });
  }
  if (closesTasks(call, config)) jobs.push(closeTasksJob(call));
  return jobs;
}

export interface LogCallPlan {
  jobs: KeyedJob[];
  /** A line for the relay's log when Kommo's answer is worth one. */
  note?: string;
}

/** The follow-ups of POST /api/v4/calls, from Kommo's answer. */
export function afterLogCall(job: Extract<CallLogJob, { kind: 'log-call' }>, filed: CallFiled, config: CallLogConfig): LogCallPlan {
  const { call } = job;
  switch (filed.filed) {
    case 'on-card':
      return { jobs: cardFollowUps(call, filed.entity, config) };
    case 'duplicate':
      // A retry of a write that landed: the card is not in Kommo's answer, the task looks it up.
      return { jobs: cardFollowUps(call, null, config), note: 'call log: Kommo already had the call (a retry of a write that landed)' };
    case 'unknown-number':
      if (job.onNewContact === true) {
        // The relay made a contact and Kommo still matches nothing: never a second contact (no loop).
        return { jobs: cardFollowUps(call, null, config), note: 'call log: the number matched no card even after its contact was made; the call is not on a card' };
      }
      return unknownCaller(call, config);
  }
}

/** A number Kommo does not know: the configured action for the call's direction and outcome. */
function unknownCaller(call: CompletedCall, config: CallLogConfig): LogCallPlan {
  const action = config.unknownCallers[call.direction][call.outcome];
  const jobs: KeyedJob[] = [];
  // A missed call's task waits for a card: the new contact's (log-call-on-contact), never an unsorted lead's.
  if (action !== 'nothing') jobs.push({ key: `unknown-caller:${call.uniq}`, job: { kind: 'unknown-caller', call, action } });
  if (closesTasks(call, config)) jobs.push(closeTasksJob(call));
  return action === 'nothing' ? { jobs, note: 'call log: the number matched no card; policy: nothing' } : { jobs };
}

/** After a contact was made for an unknown caller: the call again, to land on the new card. */
export function logOnNewContact(call: CompletedCall): KeyedJob {
  return { key: `log-call-on-contact:${call.uniq}`, job: { kind: 'log-call', call, onNewContact: true } };
}
