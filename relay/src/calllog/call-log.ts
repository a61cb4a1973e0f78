/**
 * The call log's shell (issue 16): sees every leg change the relay's store emits, hands them to
 * the pure assembly (assembly.ts) and owns its settle timers; a completed call becomes jobs in
 * the durable outbox, which the worker (worker.ts) writes to Kommo through the client
 * (kommo/client.ts) by the rules of execute.ts. `start()` restores calls still in the store (an
 * outage between a call's end and its log), `close()` undoes `start()`.
 *
 * Nothing here throws into the relay: a failing step is logged, and the outbox keeps what was
 * added (a call whose jobs could not be added is logged as lost, with its id).
 */
import type { CallEvent } from '../../../src/protocol';
import { KommoApiError } from '../kommo/errors';
import type { KommoApi } from '../kommo/types';
import { ASSEMBLY_DEFAULTS, initialAssembly, stepAssembly } from './assembly';
import type { BackoffConfig } from './after-try';
import type { AssemblyEffect, AssemblyInput, AssemblyState, CallAssemblyConfig } from './assembly';
import { classifyCallLogError } from './classify';
import { createCallLogExecutor, jobsForCompletedCall } from './execute';
import type { Outbox } from './outbox';
import type { CallLogStatus } from './status';
import type { CallLogConfig } from './types';
import { createOutboxWorker } from './worker';

type Log = (message: string, context?: Record<string, unknown>) => void;

export interface CallLogTimers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export interface CallLogOptions {
  api: KommoApi;
  config: CallLogConfig;
  outbox: Outbox;
  /** The Kommo user of an extension (the users file), or null. */
  userOf(extension: string): number | null;
  /** The account's extensions (the users file): a call to one of them is internal. */
  knownExtensions?(): ReadonlySet<string>;
  now: () => number;
  log: Log;
  timers?: CallLogTimers;
  /**
   * Jobs in flight at once (default 500): they wait in the Kommo client's limiter, which keeps
   * the rate and lets what lands on a card go first; calls waiting together go to Kommo in one
   * request (kommo/write-batcher.ts). Fewer slots would let waiting tasks hold back the calls.
   */
  concurrency?: number;
  backoff?: Partial<BackoffConfig>;
}

export interface CallLog {
  /** Restores the calls the store still has (live or ended) and starts writing. */
  start(legs: readonly CallEvent[]): void;
  /** Leg changes, as the store emitted them. */
  observe(events: readonly CallEvent[]): void;
  status(): CallLogStatus;
  /** Clears every timer and waits for the writes in flight (at most CLOSE_WAIT_MS). */
  close(): Promise<void>;
}

/** Node's timers, unref'd: a pending settle never keeps the process alive by itself. */
export const NODE_TIMERS: CallLogTimers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export const CALL_LOG_CONCURRENCY = 500;

/** How long a stop waits for the writes in flight to be answered. */
export const CLOSE_WAIT_MS = 1_000;

export function createCallLog(o: CallLogOptions): CallLog {
  const timers = o.timers ?? NODE_TIMERS;
  const assemblyConfig = (): CallAssemblyConfig => ({
    settleMs: o.config.settleMs,
    maxCalls: ASSEMBLY_DEFAULTS.maxCalls,
    maxCompleted: ASSEMBLY_DEFAULTS.maxCompleted,
    ...(o.knownExtensions ? { knownExtensions: o.knownExtensions() } : {}),
  });
  let state: AssemblyState = initialAssembly;
  const settle = new Map<string, unknown>();
  let unauthorized = false;
  let closed = false;

  const execute = createCallLogExecutor({ api: o.api, outbox: o.outbox, config: o.config, userOf: o.userOf, now: o.now, log: o.log });
  const worker = createOutboxWorker({
    outbox: o.outbox,
    execute: async (job) => {
      const followUps = await execute(job);
      unauthorized = false;
      return followUps;
    },
    classify: (error) => {
      // Remembered for the status: the admin must replace the token, nothing else helps.
      if (error instanceof KommoApiError) unauthorized = error.kind === 'unauthorized';
      return classifyCallLogError(error);
    },
    clock: { now: o.now },
    timers,
    concurrency: o.concurrency ?? CALL_LOG_CONCURRENCY,
    ...(o.backoff === undefined ? {} : { backoff: o.backoff }),
    log: o.log,
  });

  function clearSettle(callId: string): void {
    const handle = settle.get(callId);
    if (handle === undefined) return;
    timers.clearTimeout(handle);
    settle.delete(callId);
  }

  function apply(effects: readonly AssemblyEffect[]): void {
    let added = false;
    for (const effect of effects) {
      switch (effect.kind) {
        case 'set-timer':
          clearSettle(effect.callId);
          settle.set(effect.callId, timers.setTimeout(() => {
            settle.delete(effect.callId);
            step({ kind: 'settled', callId: effect.callId, now: o.now() });
          }, effect.ms));
          break;
        case 'clear-timer':
          clearSettle(effect.callId);
          break;
        case 'complete':
          try {
            o.outbox.add(jobsForCompletedCall(effect.call), o.now());
            added = true;
          } catch (error) {
            o.log('call log: a completed call could not be kept in the outbox; it is not logged', { callId: effect.call.uniq, error: String(error) });
          }
          break;
        case 'warn':
          o.log(`call log: ${effect.message}`, effect.data);
          break;
      }
    }
    if (added) worker.kick();
  }

  function step(input: AssemblyInput): void {
    if (closed) return;
    try {
      const next = stepAssembly(state, input, assemblyConfig());
      state = next.state;
      apply(next.effects);
    } catch (error) {
      o.log('call log: a call change could not be handled', { input: input.kind, error: String(error) });
    }
  }

  return {
    start(legs) {
      try {
        o.outbox.dueNow(o.now());
      } catch (error) {
        o.log('call log: the outbox could not be rescheduled; pending writes wait for their next try', { error: String(error) });
      }
      step({ kind: 'restore', legs, now: o.now() });
      worker.start();
    },
    observe(events) {
      for (const event of events) step({ kind: 'event', event, now: o.now() });
    },
    status() {
      const { running: _running, inFlight: _inFlight, ...counts } = worker.status();
      return { ...counts, unauthorized };
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const handle of settle.values()) timers.clearTimeout(handle);
      settle.clear();
      // A write still unanswered stays pending in the outbox and is tried again at the next
      // start (a repeat Kommo recognises by its uniq): a Kommo that hangs must not hold the stop.
      let bound: unknown;
      await Promise.race([worker.stop(), new Promise<void>((resolve) => (bound = timers.setTimeout(resolve, CLOSE_WAIT_MS)))]);
      timers.clearTimeout(bound);
    },
  };
}
