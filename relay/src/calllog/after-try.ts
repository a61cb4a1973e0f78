/**
 * What becomes of an outbox job after one try, as data (the worker applies it): done; tried
 * again later, after a backoff that doubles per try (capped, spread by jitter so a queue that
 * failed together does not retry together), or later still when Kommo said when (Retry-After)
 * or the whole queue must wait (rate-limited, unauthorized); or set aside for good.
 */
import type { OutboxEntry } from './outbox';

/** The worker's reading of a failed try (its `classify`). */
export type TryVerdict =
  | {
      retry: true;
      /** Not before this long (429 Retry-After, 401's long pause); wins when longer than the backoff. */
      afterMs?: number;
      /** Nothing of the queue is tried for this long: the reason stops every request, not just this one. */
      pauseAllMs?: number;
      reason: string;
    }
  | { retry: false; reason: string };

export type TryOutcome = { ok: true } | { ok: false; verdict: TryVerdict };

export type NextStep =
  | { action: 'succeed' }
  | {
      action: 'retry';
      nextAt: number;
      reason: string;
      /** Set when the whole queue pauses: nothing is tried before it. */
      pauseUntil?: number;
    }
  | { action: 'park'; reason: string };

export interface BackoffConfig {
  /** The wait after the first failed try; doubled after each next one. */
  baseMs: number;
  maxMs: number;
  /** A fraction in [0, 1] (Math.random): the wait is between half and all of the doubled, capped one. */
  jitter: () => number;
}

export const BACKOFF_DEFAULTS: BackoffConfig = { baseMs: 1_000, maxMs: 300_000, jitter: Math.random };

/** The backoff before the next try of a job tried `attempts` times before this failed try. */
export function backoffMs(attempts: number, config: BackoffConfig): number {
  // 2 ** attempts overflows to Infinity long after the cap: min() still gives the cap.
  const capped = Math.min(config.maxMs, config.baseMs * 2 ** Math.max(0, attempts));
  const raw = config.jitter();
  const jitter = Number.isFinite(raw) ? Math.min(1, Math.max(0, raw)) : 1;
  return Math.round(capped * (0.5 + jitter / 2));
}

export function afterTry(entry: Pick<OutboxEntry, 'attempts'>, outcome: TryOutcome, now: number, config: BackoffConfig): NextStep {
  if (outcome.ok) return { action: 'succeed' };
  const { verdict } = outcome;
  if (!verdict.retry) return { action: 'park', reason: verdict.reason };
  const pauseAllMs = positive(verdict.pauseAllMs);
  const waitMs = Math.max(backoffMs(entry.attempts, config), positive(verdict.afterMs), pauseAllMs);
  const step: NextStep = { action: 'retry', nextAt: now + waitMs, reason: verdict.reason };
  if (pauseAllMs > 0) step.pauseUntil = now + pauseAllMs;
  return step;
}

/** A wait from outside (a header): anything but a positive finite number is none. */
function positive(ms: number | undefined): number {
  return ms !== undefined && Number.isFinite(ms) && ms > 0 ? ms : 0;
}
