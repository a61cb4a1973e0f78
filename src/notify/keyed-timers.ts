/**
 * One timer per key (per call and purpose), each a `createSingleTimer`: `set` replaces the
 * key's pending timer, `clear` is idempotent, `clearAll` is the owner's stop().
 */
import type { Clock } from '../core/clock';
import type { SingleTimer } from '../core/timer';
import { createSingleTimer } from '../core/timer';

export interface KeyedTimers {
  set(key: string, ms: number, fn: () => void): void;
  clear(key: string): void;
  clearAll(): void;
  /** Keys with a timer pending. */
  readonly size: number;
}

export function createKeyedTimers(clock: Clock): KeyedTimers {
  const timers = new Map<string, SingleTimer>();
  return {
    set(key, ms, fn) {
      let timer = timers.get(key);
      if (!timer) {
        timer = createSingleTimer(clock);
        timers.set(key, timer);
      }
      timer.set(ms, () => {
        timers.delete(key);
        fn();
      });
    },
    clear(key) {
      timers.get(key)?.clear();
      timers.delete(key);
    },
    clearAll() {
      for (const timer of timers.values()) timer.clear();
      timers.clear();
    },
    get size() {
      return timers.size;
    },
  };
}
