/**
 * A Clock the test moves by hand. Unlike jest's fake timers it leaves Node's own timers alone,
 * so real loopback HTTP keeps working while the code under test sees only this time.
 */
import type { Clock } from '../../src/core/clock';
import { ManualClock as SteppedClock } from './manual-clock';

export interface ManualClock extends Clock {
  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  advance(ms: number): Promise<void>;
  readonly pendingTimers: number;
}

/** Lets pending promise callbacks (and loopback I/O already done) run. Not a sleep: no time passes on the clock. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createManualClock(start = 1_700_000_000_000): ManualClock {
  const clock = new SteppedClock(start);
  return {
    now: () => clock.now(),
    setTimeout: (fn, ms) => clock.setTimeout(fn, ms),
    clearTimeout: (handle) => clock.clearTimeout(handle),
    async advance(ms) {
      const target = clock.now() + ms;
      await flush();
      while (clock.fireNextDue(target)) await flush();
      clock.sleep(target - clock.now()); // no timer is due by target any more
      await flush();
    },
    get pendingTimers() {
      return clock.pending();
    },
  };
}

