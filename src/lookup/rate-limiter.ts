/**
 * One limiter for every by_phone request: Kommo allows 7 requests per second per account and
 * answers 429 beyond that (https://developers.kommo.com/docs/limitations).
 *
 * - Sliding window, counted from when each request ENDED: a grant holds its slot while the
 *   request is in flight and for WINDOW_MS (1 s) after `release()`. Kommo counts arrivals, and an
 *   arrival lies between our send and our answer, so spacing a new send one window after an old
 *   answer keeps every 1-second window at Kommo (and at our side) within `maxPerWindow`, however
 *   the network delays the requests. (Counting from the send let 9 arrive within one second
 *   on loopback when the first connection was slow to open.) A fixed per-second bucket would
 *   let 14 through around a second boundary.
 * - FIFO: waiters are served strictly in the order they asked.
 * - `pauseUntil(t)` (a 429's Retry-After) holds every grant until `t`.
 * - Each waiter has a budget (`maxWaitMs`): a pop-up that would come seconds late is worthless,
 *   so a waiter that cannot be served in time gets `expired` (at once when a pause already
 *   outlasts its budget) instead of a slot.
 * Time comes only from the injected clock; at most one timer is pending for the queue, plus one
 * per waiter with a budget, and `dispose()` clears them all.
 */
import type { Clock, TimerHandle } from '../core/clock';

export type SlotAnswer =
  /** Send now; call `release()` once the answer (or the failure) is in. */
  | { kind: 'granted'; release(): void }
  /** No slot within the budget; `pausedUntil` is set when a Retry-After pause was the reason. */
  | { kind: 'expired'; pausedUntil?: number }
  | { kind: 'disposed' };

export interface RateLimiter {
  acquire(maxWaitMs?: number): Promise<SlotAnswer>;
  /** Holds all grants until `at` (clock ms). A later pause extends, an earlier one is ignored. */
  pauseUntil(at: number): void;
  /** Waiters in the queue (for tests). */
  readonly queued: number;
  dispose(): void;
}

interface Waiter {
  deadline: number;
  timer: TimerHandle | undefined;
  resolve(answer: SlotAnswer): void;
}

/** Kommo's limit is per second. */
const WINDOW_MS = 1000;

export function createRateLimiter(opts: { clock: Clock; maxPerWindow: number }): RateLimiter {
  const { clock } = opts;
  const max = Math.max(1, Math.floor(opts.maxPerWindow));
  /** Grants still counting: in flight (`end` Infinity) or released less than WINDOW_MS ago. */
  let active: Array<{ end: number }> = [];
  const queue: Waiter[] = [];
  let pausedUntil = 0;
  let pumpTimer: TimerHandle | undefined;
  let disposed = false;

  /** Earliest time the next grant may happen (Infinity: when an in-flight request is released). */
  const nextSlot = (now: number): number => {
    active = active.filter((g) => g.end + WINDOW_MS > now);
    const windowFree = active.length < max ? 0 : Math.min(...active.map((g) => g.end + WINDOW_MS));
    return Math.max(pausedUntil, windowFree);
  };

  const grant = (): SlotAnswer => {
    const slot = { end: Number.POSITIVE_INFINITY };
    active.push(slot);
    let released = false;
    return {
      kind: 'granted',
      release() {
        if (released) return;
        released = true;
        slot.end = clock.now();
        if (queue.length > 0) pump();
      },
    };
  };

  const finish = (waiter: Waiter, answer: SlotAnswer): void => {
    if (waiter.timer !== undefined) clock.clearTimeout(waiter.timer);
    waiter.timer = undefined;
    waiter.resolve(answer);
  };

  const pump = (): void => {
    if (pumpTimer !== undefined) clock.clearTimeout(pumpTimer);
    pumpTimer = undefined;
    if (disposed) return;
    const now = clock.now();
    while (queue.length > 0 && nextSlot(now) <= now) finish(queue.shift() as Waiter, grant());
    const next = queue.length > 0 ? nextSlot(now) : Number.POSITIVE_INFINITY;
    if (Number.isFinite(next)) pumpTimer = clock.setTimeout(pump, Math.max(1, next - now));
  };

  const expireIfPauseOutlasts = (waiter: Waiter): boolean => {
    if (pausedUntil <= waiter.deadline) return false;
    const i = queue.indexOf(waiter);
    if (i >= 0) queue.splice(i, 1);
    finish(waiter, { kind: 'expired', pausedUntil });
    return true;
  };

  return {
    get queued() {
      return queue.length;
    },
    acquire(maxWaitMs = Number.POSITIVE_INFINITY) {
      if (disposed) return Promise.resolve<SlotAnswer>({ kind: 'disposed' });
      const now = clock.now();
      if (queue.length === 0 && nextSlot(now) <= now) return Promise.resolve(grant());
      return new Promise<SlotAnswer>((resolve) => {
        const waiter: Waiter = { deadline: now + maxWaitMs, timer: undefined, resolve };
        if (expireIfPauseOutlasts(waiter)) return;
        if (Number.isFinite(maxWaitMs)) {
          waiter.timer = clock.setTimeout(() => {
            waiter.timer = undefined;
            const i = queue.indexOf(waiter);
            if (i < 0) return;
            queue.splice(i, 1);
            finish(waiter, clock.now() < pausedUntil ? { kind: 'expired', pausedUntil } : { kind: 'expired' });
          }, Math.max(0, maxWaitMs));
        }
        queue.push(waiter);
        pump();
      });
    },
    pauseUntil(at) {
      if (disposed || !(at > pausedUntil)) return;
      pausedUntil = at;
      for (const waiter of [...queue]) expireIfPauseOutlasts(waiter);
      pump();
    },
    dispose() {
      disposed = true;
      if (pumpTimer !== undefined) clock.clearTimeout(pumpTimer);
      pumpTimer = undefined;
      for (const waiter of queue.splice(0)) finish(waiter, { kind: 'disposed' });
    },
  };
}
