/**
 * The call log's durable outbox (issue 16): every write to Kommo is a job here before it is
 * tried, and leaves only when Kommo has it (done) or refused it for a reason retrying cannot fix
 * (failed, kept with its reason for the admin). sqlite-outbox.ts keeps it in the data directory
 * (survives kill -9 and restarts); memory-outbox.ts is the same without a directory.
 */
import type { CallLogJob, KeyedJob } from './types';

export interface OutboxEntry {
  id: number;
  key: string;
  job: CallLogJob;
  /** Tries so far (0 before the first). */
  attempts: number;
  /** ms: when it was added. */
  addedAt: number;
}

export interface OutboxFailure {
  key: string;
  kind: CallLogJob['kind'];
  reason: string;
  /** ms. */
  at: number;
}

export interface OutboxCounts {
  pending: number;
  failed: number;
  done: number;
  /** ms of the last job done, or null. */
  lastSuccessAt: number | null;
  /** The reason of the last retry (Kommo down, 429...), while jobs are pending; else null. */
  lastRetryReason: string | null;
  /** The latest failures, newest first (at most 20). */
  failures: OutboxFailure[];
}

/** A call-back task the relay created, so a later answered call with the number can close it. */
export interface OpenTask {
  taskId: number;
  /** Digits-only key of the number (its last 10 digits). */
  phoneKey: string;
  /** ms: the task's due time; a call after it leaves the task alone. */
  dueAt: number;
}

export interface Outbox {
  readonly kind: 'memory' | 'sqlite';
  /** Adds jobs, in one transaction; a key already present (pending, done or failed) is skipped. */
  add(jobs: readonly KeyedJob[], now: number): void;
  /** Pending jobs due at `now` (their next try not later), oldest first, at most `limit`. */
  due(now: number, limit: number): OutboxEntry[];
  /** ms of the earliest pending job's next try, or null when nothing is pending. */
  nextDueAt(): number | null;
  /** Every pending job is due at `now` (a start: the cause of a long wait, a refused token, may be gone). */
  dueNow(now: number): void;
  /** The job is done; its follow-ups are added in the same transaction. */
  succeed(id: number, followUps: readonly KeyedJob[], now: number): void;
  /** Tried and failed for a passing reason: tried again at `nextAt`. */
  retry(id: number, nextAt: number, reason: string, now: number): void;
  /** Refused for good: kept aside as failed, with its reason, never tried again. */
  park(id: number, reason: string, now: number): void;
  counts(): OutboxCounts;
  rememberTask(task: OpenTask): void;
  /** The remembered tasks of a number, due after `now`. */
  openTasks(phoneKey: string, now: number): OpenTask[];
  forgetTasks(taskIds: readonly number[]): void;
  close(): void;
}
