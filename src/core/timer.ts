/**
 * One timer at a time: `set` replaces whatever was pending, `clear` is idempotent. The shells of
 * the state machines (transports, elections, wake detection) each own one, and `stop()` clears it.
 */
import type { Clock, TimerHandle } from './clock';

export interface SingleTimer {
  /** Runs `fn` after `ms`, cancelling the timer set before, if any. */
  set(ms: number, fn: () => void): void;
  clear(): void;
  readonly pending: boolean;
}

export function createSingleTimer(clock: Clock): SingleTimer {
  let handle: TimerHandle | null = null;
  return {
    set(ms, fn) {
      if (handle !== null) clock.clearTimeout(handle);
      handle = clock.setTimeout(() => {
        handle = null;
        fn();
      }, ms);
    },
    clear() {
      if (handle !== null) clock.clearTimeout(handle);
      handle = null;
    },
    get pending() {
      return handle !== null;
    },
  };
}
