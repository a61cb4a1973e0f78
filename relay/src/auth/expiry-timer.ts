/**
 * One socket's ticket deadline: at the ticket's `exp` the socket is closed (4419) unless a
 * renewal moved it. The timer re-checks the relay's clock when it fires, so a relay whose `now`
 * is not the wall clock (tests) closes when that clock has passed `exp`, not before.
 */
// Node's own timers (unref-able), also when the relay runs inside a jsdom test environment.
import { clearTimeout, setTimeout } from 'node:timers';

export interface ExpiryTimer {
  /** Arms for `atMs` (the relay's clock); null disarms (the shared token does not expire). */
  set(atMs: number | null): void;
  /** True once the relay's clock has reached the deadline. */
  passed(): boolean;
  clear(): void;
}

/** setTimeout's ceiling (about 24.8 days); a longer wait is re-armed. */
const MAX_DELAY_MS = 2 ** 31 - 1;

export function createExpiryTimer(now: () => number, onExpired: () => void): ExpiryTimer {
  let deadline: number | null = null;
  let timer: NodeJS.Timeout | null = null;

  function clear(): void {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  }

  function arm(): void {
    clear();
    if (deadline === null) return;
    const left = deadline - now();
    if (left <= 0) {
      deadline = null;
      onExpired();
      return;
    }
    timer = setTimeout(arm, Math.min(Math.max(1, left), MAX_DELAY_MS));
    timer.unref();
  }

  return {
    set(atMs) {
      deadline = atMs;
      arm();
    },
    passed: () => deadline !== null && now() >= deadline,
    clear() {
      deadline = null;
      clear();
    },
  };
}
