/**
 * Time, injected. Everything that owns a timer takes a `Clock` so tests drive time with fake
 * timers and nothing in the widget reads `Date.now()` or `window.setTimeout` directly.
 */
export type TimerHandle = unknown;

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  setTimeout(fn: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}
