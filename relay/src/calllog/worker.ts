/**
 * The shell that drains the outbox: it takes the due jobs (at most `concurrency` at once), runs
 * each through `execute` (the Kommo writes), and records what afterTry() decides: done with its
 * follow-ups, tried again later, or set aside. It owns one timer, set for the next due job (or
 * the end of a pause of the whole queue); `kick()` says jobs were added. Nothing it does throws
 * out of the timer: failed writes to Kommo and to the outbox are logged, and a job whose try
 * was not recorded stays pending in the outbox, so it is tried again, never lost.
 */
import type { Log } from '../guard/refusal-log';
import { afterTry, BACKOFF_DEFAULTS } from './after-try';
import type { BackoffConfig, NextStep, TryOutcome, TryVerdict } from './after-try';
import type { Outbox, OutboxCounts, OutboxEntry } from './outbox';
import type { CallLogJob, KeyedJob } from './types';

export interface OutboxWorkerOptions {
  outbox: Outbox;
  /** One job's writes to Kommo; resolves with the jobs it leads to. Must settle (the client's timeouts). */
  execute: (job: CallLogJob) => Promise<KeyedJob[]>;
  /** What a failed try means: tried again (maybe after a wait, maybe pausing the queue), or refused for good. */
  classify: (error: unknown) => TryVerdict;
  clock: { now(): number };
  timers: { setTimeout(fn: () => void, ms: number): unknown; clearTimeout(handle: unknown): void };
  /** Jobs in flight at most (default 2). */
  concurrency?: number;
  backoff?: Partial<BackoffConfig>;
  log: Log;
}

export interface OutboxWorkerStatus extends OutboxCounts {
  running: boolean;
  inFlight: number;
  /** ms: the whole queue waits until then (rate-limited, unauthorized), or null. */
  pausedUntil: number | null;
}

export interface OutboxWorker {
  start(): void;
  /** Stops taking jobs, clears the timer, and resolves once the jobs in flight are recorded. */
  stop(): Promise<void>;
  /** Jobs were added: look now (unless the queue is paused). */
  kick(): void;
  status(): OutboxWorkerStatus;
}

// setTimeout's ceiling (about 24.8 days); a longer wait just looks again then.
const MAX_DELAY_MS = 2 ** 31 - 1;

export function createOutboxWorker(options: OutboxWorkerOptions): OutboxWorker {
  const { outbox, execute, classify, clock, timers, log } = options;
  const concurrency = options.concurrency ?? 2;
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`calllog worker: concurrency must be a positive integer, not ${concurrency}`);
  const backoff: BackoffConfig = { ...BACKOFF_DEFAULTS, ...options.backoff };
  if (!(backoff.baseMs > 0) || !(backoff.maxMs >= backoff.baseMs)) throw new RangeError(`calllog worker: backoff needs 0 < baseMs <= maxMs (${backoff.baseMs}, ${backoff.maxMs})`);

  let running = false;
  let timer: { handle: unknown } | null = null;
  let pausedUntil = 0;
  /** Outbox failures since the last recorded try: the queue waits longer after each. */
  let outboxFailures = 0;
  const inFlight = new Map<number, Promise<void>>();

  function disarm(): void {
    if (timer !== null) timers.clearTimeout(timer.handle);
    timer = null;
  }

  function arm(at: number, now: number): void {
    disarm();
    timer = { handle: timers.setTimeout(onTimer, Math.min(MAX_DELAY_MS, Math.max(0, at - now))) };
  }

  function onTimer(): void {
    timer = null;
    try {
      look();
    } catch (error) {
      log('calllog: the outbox worker failed', { error: describe(error) });
    }
  }

  /** The outbox failed: the whole queue waits (doubling), so a broken disk is not a busy loop. */
  function outboxFailed(what: string, error: unknown, now: number, context: Record<string, unknown> = {}): void {
    const waitMs = Math.min(backoff.maxMs, backoff.baseMs * 2 ** outboxFailures);
    outboxFailures += 1;
    pausedUntil = Math.max(pausedUntil, now + waitMs);
    log(`calllog: the outbox ${what} failed; the queue waits`, { ...context, waitMs, error: describe(error) });
  }

  /** Starts the due jobs there is room for, then sets the timer for the next look. */
  function look(): void {
    if (!running) return;
    const now = clock.now();
    if (now < pausedUntil) return arm(pausedUntil, now);
    let free = concurrency - inFlight.size;
    let next: number | null;
    try {
      if (free > 0) {
        // Asking for `concurrency` leaves room for the in-flight ones among them (still pending).
        for (const entry of outbox.due(now, concurrency)) {
          if (free === 0) break;
          if (inFlight.has(entry.id)) continue;
          launch(entry);
          free -= 1;
        }
      }
      next = outbox.nextDueAt();
    } catch (error) {
      outboxFailed('read', error, now);
      return arm(pausedUntil, now);
    }
    if (next === null) return disarm();
    // Due now yet not started: in flight, or no room. A job's end looks again; meanwhile a job
    // that falls due is seen within baseMs.
    arm(next > now ? next : now + backoff.baseMs, now);
  }

  function launch(entry: OutboxEntry): void {
    const done = tryOnce(entry).finally(() => {
      inFlight.delete(entry.id);
      if (running) look();
    });
    inFlight.set(entry.id, done.catch(() => undefined));
  }

  async function tryOnce(entry: OutboxEntry): Promise<void> {
    let outcome: TryOutcome;
    let followUps: KeyedJob[] = [];
    try {
      followUps = await execute(entry.job);
      outcome = { ok: true };
    } catch (error) {
      outcome = { ok: false, verdict: verdictOf(error) };
    }
    const now = clock.now();
    const step = afterTry(entry, outcome, now, backoff);
    const context = { key: entry.key, kind: entry.job.kind, attempts: entry.attempts + 1 };
    try {
      record(entry, step, followUps, now);
      outboxFailures = 0;
    } catch (error) {
      // Not recorded: the job is still pending in the outbox and is tried again after the wait.
      outboxFailed(`${step.action} write`, error, now, context);
      return;
    }
    if (step.action === 'retry') {
      log('calllog: a Kommo write failed; it will be tried again', { ...context, reason: step.reason, inMs: step.nextAt - now });
      if (step.pauseUntil !== undefined) {
        pausedUntil = Math.max(pausedUntil, step.pauseUntil);
        log('calllog: every Kommo write waits', { reason: step.reason, forMs: step.pauseUntil - now });
      }
    }
    if (step.action === 'park') log('calllog: Kommo refused a write; it is set aside', { ...context, reason: step.reason });
  }

  function record(entry: OutboxEntry, step: NextStep, followUps: readonly KeyedJob[], now: number): void {
    if (step.action === 'succeed') outbox.succeed(entry.id, Array.isArray(followUps) ? followUps : [], now);
    else if (step.action === 'retry') outbox.retry(entry.id, step.nextAt, step.reason, now);
    else outbox.park(entry.id, step.reason, now);
  }

  function verdictOf(error: unknown): TryVerdict {
    try {
      return classify(error);
    } catch (classifyError) {
      log('calllog: a failed Kommo write could not be classified; it will be tried again', { error: describe(error), classifyError: describe(classifyError) });
      return { retry: true, reason: `unclassified: ${describe(error)}` };
    }
  }

  return {
    start() {
      if (running) return;
      running = true;
      look();
    },
    async stop() {
      running = false;
      disarm();
      await Promise.all(inFlight.values());
    },
    kick() {
      if (running) look();
    },
    status() {
      return { ...outbox.counts(), running, inFlight: inFlight.size, pausedUntil: pausedUntil > clock.now() ? pausedUntil : null };
    },
  };
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
