/** The page's real clock, for the core's injected `Clock`. Bound lazily so fake timers installed after import still apply. */
import type { Clock } from '../core/clock';

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (handle) => globalThis.clearTimeout(handle as ReturnType<typeof setTimeout>),
};
