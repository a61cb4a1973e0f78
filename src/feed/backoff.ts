/** Retry delays, pure (tested without timers). */

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base * 2^attempt)).
 * Attempt 0 retries within `baseMs` (1 s); the ceiling is `capMs` (30 s). Full jitter spreads
 * the reconnects of many widgets after a relay restart instead of having them arrive together.
 */
export function backoffDelay(attempt: number, random: () => number, baseMs = 1000, capMs = 30_000): number {
  const n = Math.max(0, Math.floor(attempt));
  // 2^n overflows to Infinity for large n; min() then gives the cap, which is what we want.
  const ceiling = Math.min(capMs, baseMs * Math.pow(2, n));
  const r = Math.min(Math.max(random(), 0), 1 - Number.EPSILON);
  return Math.floor(r * ceiling);
}

/** Polling after errors: the interval doubled per consecutive error, up to `capMs` (protocol: "Polling"). */
export function pollErrorDelay(consecutiveErrors: number, intervalMs: number, capMs = 30_000): number {
  const n = Math.max(1, Math.floor(consecutiveErrors));
  return Math.min(capMs, intervalMs * Math.pow(2, n));
}

/** A connection that stayed up this long resets the attempt counter. */
export const HEALTHY_CONNECTION_MS = 60_000;
