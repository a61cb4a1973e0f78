/**
 * Jobs for the outbox and worker tests: a completed call's log-call job, keyed by its uniq.
 */
import type { CallLogJob, CompletedCall, KeyedJob } from '../../../relay/src/calllog/types';

export const T0 = 1_700_000_000_000;

export function completedCall(uniq: string, extra: Partial<CompletedCall> = {}): CompletedCall {
  return {
    uniq,
    direction: 'inbound',
    phone: '+14155550100',
    internal: false,
    outcome: 'talked',
    extension: '101',
    extensions: ['101'],
    duration: 42,
    startedAt: T0 - 60_000,
    endedAt: T0,
    ...extra,
  };
}

/** `log-call:<uniq>`, or another kind of job for the same call. */
export function keyed(uniq: string, kind: CallLogJob['kind'] = 'log-call'): KeyedJob {
  const call = completedCall(uniq);
  const job: CallLogJob =
    kind === 'log-call'
      ? { kind, call }
      : kind === 'unknown-caller'
        ? { kind, call, action: 'lead' }
        : kind === 'call-back-task'
          ? { kind, call, entity: { id: 7, type: 'contacts' } }
          : { kind, call };
  return { key: `${kind}:${uniq}`, job };
}

/** The uniq of a job's call (what the tests name jobs by). */
export const uniqOf = (job: CallLogJob): string => job.call.uniq;
