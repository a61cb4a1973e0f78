/**
 * The call log's outbox in the data directory: its own file, `outbox.sqlite` (WAL, synchronous
 * NORMAL, the exclusive lock: outbox-file.ts), beside the store's. Every method that changes it
 * is one transaction committed before it returns, so a job added survives `kill -9`, and a job
 * done together with its follow-ups is all or nothing. Queries go to the file (indexed); nothing
 * is mirrored in memory, so nothing can run ahead of it.
 */
import type { Database as SqliteDatabase } from 'better-sqlite3';
import path from 'node:path';
import { StoreOpenFailed, StoreWriteFailed } from '../errors';
import type { Log } from '../guard/refusal-log';
import type { OpenTask, Outbox, OutboxCounts, OutboxEntry, OutboxFailure } from './outbox';
import { OUTBOX_FILE, openOutboxFile, readJob } from './outbox-file';
import { FAILURES_SHOWN, OUTBOX_DEFAULTS } from './outbox-limits';
import type { OutboxLimits } from './outbox-limits';
import type { KeyedJob } from './types';

export { OUTBOX_FILE } from './outbox-file';

export interface SqliteOutboxOptions extends Partial<OutboxLimits> {
  dataDir: string;
  /** The relay's clock: the time unreadable rows are parked at, when the file is opened. */
  now?: () => number;
  log?: Log;
}

const UNREADABLE = 'unreadable job';

interface JobRow {
  id: number;
  key: string;
  job: string;
  attempts: number;
  added_at: number;
}

export class SqliteOutbox implements Outbox {
  readonly kind = 'sqlite' as const;
  readonly file: string;
  private readonly db: SqliteDatabase;
  private readonly limits: OutboxLimits;
  private readonly s: ReturnType<typeof prepare>;

  constructor(private readonly options: SqliteOutboxOptions) {
    this.file = path.resolve(options.dataDir, OUTBOX_FILE);
    this.limits = { keepDoneMs: options.keepDoneMs ?? OUTBOX_DEFAULTS.keepDoneMs, maxFailed: options.maxFailed ?? OUTBOX_DEFAULTS.maxFailed };
    this.db = openOutboxFile(this.file);
    try {
      this.s = prepare(this.db);
      this.parkUnreadable((options.now ?? Date.now)());
    } catch (error) {
      // Not left open: the lock would keep the next attempt out.
      this.db.close();
      throw new StoreOpenFailed(this.file, error instanceof Error ? error.message : String(error), { cause: error });
    }
  }

  /** A pending row whose JSON does not read (a hand edit, another version) is set aside, not retried. */
  private parkUnreadable(now: number): void {
    const bad: number[] = [];
    for (const row of this.s.allPending.iterate() as Iterable<{ id: number; job: string }>) if (readJob(row.job) === null) bad.push(row.id);
    if (bad.length === 0) return;
    this.write('park unreadable', () => bad.forEach((id) => this.s.park.run(UNREADABLE, now, id)));
    this.options.log?.('calllog: outbox jobs that cannot be read were set aside as failed', { file: this.file, unreadable: bad.length });
  }

  private write(operation: string, work: () => void): void {
    try {
      this.db.transaction(work)();
    } catch (error) {
      throw new StoreWriteFailed(`outbox ${operation}`, { cause: error });
    }
  }

  private insert(jobs: readonly KeyedJob[], now: number): void {
    for (const { key, job } of jobs) this.s.insert.run(key, job.kind, JSON.stringify(job), now, now, now);
  }

  add(jobs: readonly KeyedJob[], now: number): void {
    if (jobs.length === 0) return;
    this.write('add', () => this.insert(jobs, now));
  }

  due(now: number, limit: number): OutboxEntry[] {
    const entries: OutboxEntry[] = [];
    for (const row of this.s.due.all(now, limit) as JobRow[]) {
      const job = readJob(row.job);
      // Only a file changed under the lock gets here (open checked every row): never crash on it.
      if (job === null) this.write('park unreadable', () => this.s.park.run(UNREADABLE, now, row.id));
      else entries.push({ id: row.id, key: row.key, job, attempts: row.attempts, addedAt: row.added_at });
    }
    return entries;
  }

  nextDueAt(): number | null {
    return (this.s.nextDueAt.get() as { next: number | null }).next;
  }

  dueNow(now: number): void {
    this.write('due now', () => this.s.dueNow.run(now, now));
  }

  succeed(id: number, followUps: readonly KeyedJob[], now: number): void {
    this.write('succeed', () => {
      if (this.s.succeed.run(now, id).changes === 0) return;
      this.insert(followUps, now);
      this.s.setMeta.run('last_success_at', String(now));
      this.pruneIn(now);
    });
  }

  retry(id: number, nextAt: number, reason: string, now: number): void {
    this.write('retry', () => this.s.retry.run(nextAt, reason, now, id));
  }

  park(id: number, reason: string, now: number): void {
    this.write('park', () => {
      if (this.s.park.run(reason, now, id).changes > 0) this.s.capFailed.run(this.limits.maxFailed);
    });
  }

  /** Forgets done jobs past `keepDoneMs` and tasks past their due time (succeed does it too). */
  prune(now: number): void {
    this.write('prune', () => this.pruneIn(now));
  }

  private pruneIn(now: number): void {
    this.s.pruneDone.run(now - this.limits.keepDoneMs);
    this.s.pruneTasks.run(now);
  }

  counts(): OutboxCounts {
    const byState = new Map((this.s.countByState.all() as Array<{ state: string; n: number }>).map((row) => [row.state, row.n]));
    const lastSuccess = (this.s.getMeta.get('last_success_at') as { value: string } | undefined)?.value;
    const lastRetry = this.s.lastRetry.get() as { reason: string } | undefined;
    const failures = (this.s.failures.all(FAILURES_SHOWN) as Array<{ key: string; kind: OutboxFailure['kind']; reason: string | null; at: number }>).map((row) => ({
      key: row.key,
      kind: row.kind,
      reason: row.reason ?? '',
      at: row.at,
    }));
    return {
      pending: byState.get('pending') ?? 0,
      failed: byState.get('failed') ?? 0,
      done: byState.get('done') ?? 0,
      lastSuccessAt: lastSuccess === undefined ? null : Number(lastSuccess),
      lastRetryReason: lastRetry?.reason ?? null,
      failures,
    };
  }

  rememberTask(task: OpenTask): void {
    this.write('remember task', () => this.s.rememberTask.run(task.taskId, task.phoneKey, task.dueAt));
  }

  openTasks(phoneKey: string, now: number): OpenTask[] {
    return (this.s.openTasks.all(phoneKey, now) as Array<{ task_id: number; phone_key: string; due_at: number }>).map((row) => ({
      taskId: row.task_id,
      phoneKey: row.phone_key,
      dueAt: row.due_at,
    }));
  }

  forgetTasks(taskIds: readonly number[]): void {
    if (taskIds.length === 0) return;
    this.write('forget tasks', () => taskIds.forEach((id) => this.s.forgetTask.run(id)));
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function prepare(db: SqliteDatabase) {
  return {
    insert: db.prepare("INSERT OR IGNORE INTO jobs (key, kind, job, state, attempts, next_at, added_at, updated_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)"),
    allPending: db.prepare("SELECT id, job FROM jobs WHERE state = 'pending'"),
    due: db.prepare("SELECT id, key, job, attempts, added_at FROM jobs WHERE state = 'pending' AND next_at <= ? ORDER BY id LIMIT ?"),
    nextDueAt: db.prepare("SELECT MIN(next_at) AS next FROM jobs WHERE state = 'pending'"),
    dueNow: db.prepare("UPDATE jobs SET next_at = ? WHERE state = 'pending' AND next_at > ?"),
    succeed: db.prepare("UPDATE jobs SET state = 'done', attempts = attempts + 1, updated_at = ?, reason = NULL WHERE id = ? AND state = 'pending'"),
    retry: db.prepare("UPDATE jobs SET attempts = attempts + 1, next_at = ?, reason = ?, updated_at = ? WHERE id = ? AND state = 'pending'"),
    park: db.prepare("UPDATE jobs SET state = 'failed', attempts = attempts + 1, reason = ?, updated_at = ? WHERE id = ? AND state = 'pending'"),
    capFailed: db.prepare(
      "DELETE FROM jobs WHERE id IN (SELECT id FROM jobs WHERE state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT -1 OFFSET ?)",
    ),
    pruneDone: db.prepare("DELETE FROM jobs WHERE state = 'done' AND updated_at < ?"),
    pruneTasks: db.prepare('DELETE FROM open_tasks WHERE due_at <= ?'),
    countByState: db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state'),
    lastRetry: db.prepare("SELECT reason FROM jobs WHERE state = 'pending' AND reason IS NOT NULL ORDER BY updated_at DESC, id DESC LIMIT 1"),
    failures: db.prepare("SELECT key, kind, reason, updated_at AS at FROM jobs WHERE state = 'failed' ORDER BY updated_at DESC, id DESC LIMIT ?"),
    getMeta: db.prepare('SELECT value FROM meta WHERE key = ?'),
    setMeta: db.prepare('INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value'),
    rememberTask: db.prepare('INSERT INTO open_tasks (task_id, phone_key, due_at) VALUES (?, ?, ?) ON CONFLICT (task_id) DO UPDATE SET phone_key = excluded.phone_key, due_at = excluded.due_at'),
    openTasks: db.prepare('SELECT task_id, phone_key, due_at FROM open_tasks WHERE phone_key = ? AND due_at > ? ORDER BY due_at, task_id'),
    forgetTask: db.prepare('DELETE FROM open_tasks WHERE task_id = ?'),
  };
}
