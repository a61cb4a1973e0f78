/**
 * The call log's health, for the operator (`GET /health` with the PBX token: everything) and for
 * the admin's settings panel in Kommo (`GET /call-log`: whether it is on and working, with the
 * reasons of refused writes but no caller's number in them).
 */
import type { OutboxCounts } from './outbox';

export interface CallLogStatus extends OutboxCounts {
  /** ms: every request to Kommo waits until then (429 Retry-After, a refused token); null: not paused. */
  pausedUntil: number | null;
  /** Kommo refused the API token (401) on the last try: nothing is written until it is replaced. */
  unauthorized: boolean;
}

/** What the admin must know first: a refused token, writes kept aside, writes retrying; null: healthy. */
export type CallLogProblem = 'unauthorized' | 'refused' | 'retrying' | null;

export function callLogProblem(status: CallLogStatus): CallLogProblem {
  if (status.unauthorized) return 'unauthorized';
  if (status.failed > 0) return 'refused';
  if (status.pending > 0 && status.lastRetryReason !== null) return 'retrying';
  return null;
}

/** Numbers in Kommo's refusal texts are callers' phone numbers: a browser is not told them. */
const maskNumbers = (text: string) => text.replace(/\+?\d[\d ()-]{4,}\d/g, '…');

/** `GET /call-log`'s answer (snake_case, like the rest of the wire). */
export function browserView(status: CallLogStatus | null): Record<string, unknown> {
  if (status === null) return { configured: false };
  const problem = callLogProblem(status);
  return {
    configured: true,
    healthy: problem === null,
    problem,
    pending: status.pending,
    failed: status.failed,
    last_success_at: status.lastSuccessAt === null ? null : Math.floor(status.lastSuccessAt / 1000),
    last_retry_reason: status.lastRetryReason === null ? null : maskNumbers(status.lastRetryReason),
    failures: status.failures.slice(0, 5).map((f) => ({ kind: f.kind, reason: maskNumbers(f.reason), at: Math.floor(f.at / 1000) })),
  };
}

/** `/health`'s `call_log` figures, for the operator. */
export function healthView(status: CallLogStatus | null): Record<string, unknown> {
  if (status === null) return { configured: false };
  return { configured: true, problem: callLogProblem(status), ...status };
}
