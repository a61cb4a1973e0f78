/**
 * A Clock the test moves by hand. Unlike jest's fake timers it leaves Node's own timers alone,
 * so real loopback HTTP keeps working while the code under test sees only this time.
 */
import type { Clock } from '../../src/core/clock';

export interface ManualClock extends Clock {
  /** Moves time forward, firing due timers in order and letting promises settle after each. */
  advance(ms: number): Promise<void>;
  readonly pendingTimers: number;
}

/** Lets pending promise callbacks (and loopback I/O already done) run. Not a sleep: no time passes on the clock. */
export const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

export function createManualClock(start = 1_700_000_000_000): ManualClock {
  let now = start;
  let nextId = 1;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => now,
    setTimeout(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: now + Math.max(0, ms), fn });
      return id;
    },
    clearTimeout(handle) {
      timers.delete(handle as number);
    },
    async advance(ms) {
      const target = now + ms;
      await flush();
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
        if (!due) break;
        timers.delete(due[0]);
        now = Math.max(now, due[1].at);
        due[1].fn();
        await flush();
      }
      now = target;
      await flush();
    },
    get pendingTimers() {
      return timers.size;
    },
  };
}

/**
 * Waits for real I/O (a loopback answer) that the test cannot await directly, yielding to the
 * event loop between checks. No clock time passes; gives up loudly after `maxTurns` turns.
 */
export async function waitUntil(condition: () => boolean, what = 'condition', maxTurns = 200_000): Promise<void> {
  for (let turn = 0; turn < maxTurns; turn++) {
    if (condition()) return;
    await flush();
  }
  throw new Error(`waitUntil: ${what} never became true`);
}
