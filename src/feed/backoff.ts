/** Retry delays, pure (tested without timers). */
import { HttpError } from '../core/errors';
import type { WidgetError } from '../core/errors';

export const BACKOFF_TIMING = {
  /** The first WebSocket reconnect comes within this. */
  baseMs: 1000,
  /** No transient failure waits longer (WebSocket and polling). */
  capMs: 30_000,
  /** A WebSocket that stayed up this long resets the attempt counter. */
  healthyConnectionMs: 60_000,
  /**
   * A failure retrying soon cannot fix (a 404, a body or close code outside the protocol, a URL
   * the browser refuses) is tried again this rarely: the PBX admin may fix the server without
   * anyone touching the settings, but thousands of widgets must not hammer a wrong URL.
   */
  nonTransientMs: 5 * 60_000,
} as const;

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base * 2^attempt)).
 * Full jitter spreads the reconnects of many widgets after a relay restart instead of having
 * them arrive together.
 */
export function backoffDelay(attempt: number, random: () => number): number {
  const n = Math.max(0, Math.floor(attempt));
  // 2^n overflows to Infinity for large n; min() then gives the cap, which is what we want.
  const ceiling = Math.min(BACKOFF_TIMING.capMs, BACKOFF_TIMING.baseMs * Math.pow(2, n));
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * ceiling);
}

/** Polling after errors: the interval doubled per consecutive error, up to the cap (protocol: "Polling"). */
export function pollErrorDelay(consecutiveErrors: number, intervalMs: number): number {
  const n = Math.max(1, Math.floor(consecutiveErrors));
  return Math.min(BACKOFF_TIMING.capMs, intervalMs * Math.pow(2, n));
}

/**
 * How long the poller waits after its `errors`-th failure in a row: doubling for a transient one,
 * longer when the server asked (429/503 Retry-After) but within the cap, and rarely for the rest.
 */
export function pollRetryDelay(error: WidgetError, errors: number, intervalMs: number): number {
  if (!error.transient) return BACKOFF_TIMING.nonTransientMs;
  const asked = error instanceof HttpError ? (error.retryAfterMs ?? 0) : 0;
  return Math.min(BACKOFF_TIMING.capMs, Math.max(asked, pollErrorDelay(errors, intervalMs)));
}
