/**
 * The outbox held in memory: the same contract as the SQLite one (one suite tests both), for
 * the tests, the sandbox and a relay without a data directory (a restart forgets the queue).
 * Jobs are kept as their JSON, as the file keeps them, so both hand back the same objects.
 */
import type { OpenTask, Outbox, OutboxCounts, OutboxEntry } from './outbox';
import { FAILURES_SHOWN, OUTBOX_DEFAULTS } from './outbox-limits';
import type { OutboxLimits } from './outbox-limits';
import type { CallLogJob, KeyedJob } from './types';

export interface OutboxRow {
  id: number;
  key: string;
  job: CallLogJob;
  state: 'pending' | 'done' | 'failed';
  attempts: number;
  nextAt: number;
  addedAt: number;
  updatedAt: number;
  reason: string | null;
}

/** The whole outbox, for another node to go on from it (a cluster's call log, docs/cluster.md). */
export interface OutboxState {
  lastId: number;
  lastSuccessAt: number | null;
  /** In id order within each state: pending by id, done and failed in the order they got there. */
  rows: OutboxRow[];
  tasks: OpenTask[];
}

export class MemoryOutbox implements Outbox {
  readonly kind = 'memory' as const;
  private readonly limits: OutboxLimits;
  private lastId = 0;
  private readonly byKey = new Map<string, OutboxRow>();
  // Each in the order rows entered the state: pending by id, done and failed by time.
  private readonly pending = new Map<number, OutboxRow>();
  private readonly done = new Map<number, OutboxRow>();
  private readonly failed = new Map<number, OutboxRow>();
  private readonly tasks = new Map<number, OpenTask>();
  private lastSuccessAt: number | null = null;

  constructor(limits: Partial<OutboxLimits> = {}) {
    this.limits = { ...OUTBOX_DEFAULTS, ...limits };
  }

  add(jobs: readonly KeyedJob[], now: number): void {
    // Serialise first: a job that is not JSON adds nothing of the batch (one transaction).
    const rows = jobs.map(({ key, job }) => ({ key, job: JSON.parse(JSON.stringify(job)) as CallLogJob }));
    for (const { key, job } of rows) {
      if (this.byKey.has(key)) continue;
      this.lastId += 1;
      const row: OutboxRow = { id: this.lastId, key, job, state: 'pending', attempts: 0, nextAt: now, addedAt: now, updatedAt: now, reason: null };
      this.byKey.set(key, row);
      this.pending.set(row.id, row);
    }
  }

  due(now: number, limit: number): OutboxEntry[] {
    const entries: OutboxEntry[] = [];
    for (const row of this.pending.values()) {
      if (entries.length >= limit) break;
      if (row.nextAt <= now) entries.push({ id: row.id, key: row.key, job: row.job, attempts: row.attempts, addedAt: row.addedAt });
    }
    return entries;
  }

  nextDueAt(): number | null {
    let next: number | null = null;
    for (const row of this.pending.values()) if (next === null || row.nextAt < next) next = row.nextAt;
    return next;
  }

  dueNow(now: number): void {
    for (const row of this.pending.values()) if (row.nextAt > now) row.nextAt = now;
  }

  succeed(id: number, followUps: readonly KeyedJob[], now: number): void {
    const row = this.pending.get(id);
    if (row === undefined) return;
    this.add(followUps, now);
    this.pending.delete(id);
    Object.assign(row, { state: 'done', attempts: row.attempts + 1, updatedAt: now, reason: null });
    this.done.set(id, row);
    this.lastSuccessAt = now;
    this.prune(now);
  }

  retry(id: number, nextAt: number, reason: string, now: number): void {
    const row = this.pending.get(id);
    if (row === undefined) return;
    Object.assign(row, { attempts: row.attempts + 1, nextAt, updatedAt: now, reason });
  }

  park(id: number, reason: string, now: number): void {
    const row = this.pending.get(id);
    if (row === undefined) return;
    this.pending.delete(id);
    Object.assign(row, { state: 'failed', attempts: row.attempts + 1, updatedAt: now, reason });
    this.failed.set(id, row);
    for (const oldest of this.failed.values()) {
      if (this.failed.size <= this.limits.maxFailed) break;
      this.forget(oldest, this.failed);
    }
  }

  /** Forgets done jobs past `keepDoneMs` and tasks past their due time (succeed does it too). */
  prune(now: number): void {
    for (const row of this.done.values()) {
      if (row.updatedAt >= now - this.limits.keepDoneMs) break;
      this.forget(row, this.done);
    }
    for (const task of this.tasks.values()) if (task.dueAt <= now) this.tasks.delete(task.taskId);
  }

  private forget(row: OutboxRow, from: Map<number, OutboxRow>): void {
    from.delete(row.id);
    this.byKey.delete(row.key);
  }

  counts(): OutboxCounts {
    let lastRetry: OutboxRow | null = null;
    for (const row of this.pending.values()) {
      if (row.reason !== null && (lastRetry === null || row.updatedAt >= lastRetry.updatedAt)) lastRetry = row;
    }
    const failures = [...this.failed.values()]
      .slice(-FAILURES_SHOWN)
      .reverse()
      .map((row) => ({ key: row.key, kind: row.job.kind, reason: row.reason ?? '', at: row.updatedAt }));
    return {
      pending: this.pending.size,
      failed: this.failed.size,
      done: this.done.size,
      lastSuccessAt: this.lastSuccessAt,
      lastRetryReason: lastRetry?.reason ?? null,
      failures,
    };
  }

  rememberTask(task: OpenTask): void {
    this.tasks.set(task.taskId, { ...task });
  }

  openTasks(phoneKey: string, now: number): OpenTask[] {
    return [...this.tasks.values()]
      .filter((task) => task.phoneKey === phoneKey && task.dueAt > now)
      .sort((a, b) => a.dueAt - b.dueAt || a.taskId - b.taskId)
      .map((task) => ({ ...task }));
  }

  forgetTasks(taskIds: readonly number[]): void {
    for (const id of taskIds) this.tasks.delete(id);
  }

  save(): OutboxState {
    const rows = [...this.pending.values(), ...this.done.values(), ...this.failed.values()].map((row) => ({ ...row }));
    return { lastId: this.lastId, lastSuccessAt: this.lastSuccessAt, rows, tasks: [...this.tasks.values()].map((task) => ({ ...task })) };
  }

  /** Goes on from a saved outbox (its rows as they were: a pending job is tried again). */
  restore(state: OutboxState): void {
    this.lastId = Math.max(this.lastId, state.lastId);
    this.lastSuccessAt = state.lastSuccessAt;
    for (const saved of state.rows) {
      const row = { ...saved };
      this.byKey.set(row.key, row);
      (row.state === 'pending' ? this.pending : row.state === 'done' ? this.done : this.failed).set(row.id, row);
    }
    for (const task of state.tasks) this.tasks.set(task.taskId, { ...task });
  }

  close(): void {}
}
