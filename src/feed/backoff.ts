/** Retry delays, pure (tested without timers). */
import { HttpError } from '../core/errors';
import type { WidgetError } from '../core/errors';
import { MAX_RETRY_AFTER_S } from '../protocol/frames';

export const BACKOFF_TIMING = {
  /**
   * A visible tab reconnects after a random delay in [quickMinMs, quickMaxMs), every time: once
   * the relay is back the widget is subscribed again within 1.5 s, whatever the outage lasted.
   * The random part spreads a restarted relay's widgets over most of a second.
   */
  quickMinMs: 250,
  quickMaxMs: 1000,
  /** Exponential backoff (a hidden tab, an overloaded relay): the first ceiling. */
  baseMs: 1000,
  /** No exponential backoff waits longer, unless the relay asked for more (`retry_after`). */
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
 * Why a transient failure waits: `none` (a visible tab: the quick delay), `hidden` (nobody looks:
 * exponential) or `overloaded` (the relay said so: exponential, and at least what it asked).
 */
export type RetryPressure = 'none' | 'hidden' | 'overloaded';

const unit = (random: () => number) => Math.min(Math.max(random(), 0), 1 - Number.EPSILON);

/**
 * Exponential backoff with full jitter: a uniform delay in [0, min(cap, base * 2^attempt)).
 * Full jitter spreads the reconnects of many widgets instead of having them arrive together.
 */
/** `base` doubled per attempt (at least `from` times), capped: 2^n overflows to Infinity for large n, and min() gives the cap. */
const ceiling = (attempt: number, base: number = BACKOFF_TIMING.baseMs, from = 0) => Math.min(BACKOFF_TIMING.capMs, base * 2 ** Math.max(from, Math.floor(attempt)));

export function backoffDelay(attempt: number, random: () => number): number {
  return Math.floor(unit(random) * ceiling(attempt));
}

/**
 * The wait before the next WebSocket attempt after a transient failure. Overloaded: the relay's
 * `retry_after` (ms, 0 when it sent none) plus a random part of it, at most 300 s, and never less
 * than half the exponential ceiling, so a relay that keeps refusing sees its widgets thin out.
 */
export function reconnectDelay(pressure: RetryPressure, attempt: number, random: () => number, askedMs = 0): number {
  const r = unit(random);
  if (pressure === 'none') return BACKOFF_TIMING.quickMinMs + Math.floor(r * (BACKOFF_TIMING.quickMaxMs - BACKOFF_TIMING.quickMinMs));
  if (pressure === 'hidden') return backoffDelay(attempt, () => r);
  const asked = Math.min(MAX_RETRY_AFTER_S * 1000, Math.floor(askedMs * (1 + r)));
  return Math.max(asked, Math.floor(ceiling(attempt) * (0.5 + r / 2)));
}

/** Polling after errors: the interval doubled per consecutive error, up to the cap (protocol: "Polling"). */
export function pollErrorDelay(consecutiveErrors: number, intervalMs: number): number {
  return ceiling(consecutiveErrors, intervalMs, 1);
}

/** 429 and 503 are the relay saying "busy": the one HTTP answer the poller backs off for when visible. */
export function isOverloadAnswer(error: WidgetError): boolean {
  return error instanceof HttpError && (error.status === 429 || error.status === 503);
}

/**
 * How long the poller waits after its `errors`-th failure in a row. A visible tab retries a
 * transient failure (network, timeout, 5xx other than 503) after one interval; 429/503 and a
 * hidden tab double the interval per error, longer when the server asked (Retry-After) but within
 * the cap; a failure retrying cannot fix waits long.
 */
export function pollRetryDelay(error: WidgetError, errors: number, intervalMs: number, hidden = false): number {
  if (!error.transient) return BACKOFF_TIMING.nonTransientMs;
  if (!hidden && !isOverloadAnswer(error)) return intervalMs;
  const asked = error instanceof HttpError ? (error.retryAfterMs ?? 0) : 0;
  return Math.min(BACKOFF_TIMING.capMs, Math.max(asked, pollErrorDelay(errors, intervalMs)));
}
