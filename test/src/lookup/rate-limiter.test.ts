import fc from 'fast-check';
import { createRateLimiter } from '../../../src/lookup/rate-limiter';
import type { SlotAnswer } from '../../../src/lookup/rate-limiter';
import { createManualClock } from '../../support/stepped-clock';

/** Largest number of grants inside any half-open window [t, t + windowMs). */
function busiestWindow(times: number[], windowMs = 1000): number {
  const sorted = [...times].sort((a, b) => a - b);
  let best = 0;
  for (let i = 0, j = 0; i < sorted.length; i++) {
    while ((sorted[i] as number) - (sorted[j] as number) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

describe('rate limiter', () => {
  test('the first 7 go at once, the 8th exactly one second after the 1st, in order', async () => {
    const clock = createManualClock();
    const limiter = createRateLimiter({ clock, maxPerWindow: 7 });
    const granted: Array<{ i: number; at: number }> = [];
    for (let i = 0; i < 10; i++) {
      void limiter.acquire().then((a) => {
        if (a.kind !== 'granted') return;
        granted.push({ i, at: clock.now() });
        a.release(); // answered at once
      });
    }
    await clock.advance(0);
    expect(granted.map((g) => g.i)).toEqual([0, 1, 2, 3, 4, 5, 6]);
    await clock.advance(999);
    expect(granted).toHaveLength(7);
    await clock.advance(1);
    expect(granted.map((g) => g.i)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    limiter.dispose();
  });

  test('property: never more than 7 in any 1 s window wherever in [send, answer] each arrives, and in request order', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ offset: fc.nat(2000), latency: fc.nat(400), arrival: fc.double({ min: 0, max: 1, noNaN: true }) }), { minLength: 8, maxLength: 40, size: 'max' }),
        async (calls) => {
          const clock = createManualClock(0);
          const limiter = createRateLimiter({ clock, maxPerWindow: 7 });
          const sorted = [...calls].sort((a, b) => a.offset - b.offset);
          const grants: Array<{ i: number; sent: number; arrived: number }> = [];
          const done: Array<Promise<unknown>> = [];
          let t = 0;
          for (const [i, call] of sorted.entries()) {
            await clock.advance(call.offset - t);
            t = call.offset;
            done.push(
              limiter.acquire().then((a) => {
                if (a.kind !== 'granted') return;
                const sent = clock.now();
                // The server sees it somewhere between our send and its answer.
                grants.push({ i, sent, arrived: sent + call.arrival * call.latency });
                clock.setTimeout(() => a.release(), call.latency);
              }),
            );
          }
          await clock.advance(30_000);
          await Promise.all(done);
          expect(grants).toHaveLength(sorted.length);
          expect(busiestWindow(grants.map((g) => g.sent))).toBeLessThanOrEqual(7);
          expect(busiestWindow(grants.map((g) => g.arrived))).toBeLessThanOrEqual(7);
          expect(grants.map((g) => g.i)).toEqual(sorted.map((_, i) => i));
          for (const g of grants) expect(g.sent).toBeGreaterThanOrEqual((sorted[g.i] as { offset: number }).offset);
          limiter.dispose();
        },
      ),
      { numRuns: 60 },
    );
  });

  test('a request in flight holds its slot until released, then for one window', async () => {
    const clock = createManualClock(0);
    const limiter = createRateLimiter({ clock, maxPerWindow: 1 });
    const first = await limiter.acquire();
    let second: SlotAnswer | undefined;
    void limiter.acquire().then((a) => (second = a));
    await clock.advance(1500);
    expect(second).toBeUndefined(); // still in flight after 1.5 s
    if (first.kind === 'granted') first.release();
    await clock.advance(999);
    expect(second).toBeUndefined();
    await clock.advance(1);
    expect(second?.kind).toBe('granted');
    limiter.dispose();
  });

  test('pauseUntil holds every grant until the pause ends', async () => {
    const clock = createManualClock(0);
    const limiter = createRateLimiter({ clock, maxPerWindow: 7 });
    limiter.pauseUntil(2000);
    let answer: SlotAnswer | undefined;
    void limiter.acquire().then((a) => (answer = a));
    await clock.advance(1999);
    expect(answer).toBeUndefined();
    await clock.advance(1);
    expect(answer?.kind).toBe('granted');
    limiter.dispose();
  });

  test('a waiter whose budget a pause outlasts expires at once, naming the pause', async () => {
    const clock = createManualClock(0);
    const limiter = createRateLimiter({ clock, maxPerWindow: 7 });
    let queued: SlotAnswer | undefined;
    limiter.pauseUntil(1000);
    void limiter.acquire(5000).then((a) => (queued = a));
    limiter.pauseUntil(30_000); // a second 429 with a long Retry-After
    await clock.advance(0);
    expect(queued).toEqual({ kind: 'expired', pausedUntil: 30_000 });
    await expect(limiter.acquire(5000)).resolves.toEqual({ kind: 'expired', pausedUntil: 30_000 });
    limiter.dispose();
  });

  test('a waiter that cannot get a slot within its budget expires and leaves the queue', async () => {
    const clock = createManualClock(0);
    const limiter = createRateLimiter({ clock, maxPerWindow: 1 });
    const first = await limiter.acquire();
    if (first.kind === 'granted') first.release();
    let late: SlotAnswer | undefined;
    let next: SlotAnswer | undefined;
    void limiter.acquire(500).then((a) => (late = a));
    void limiter.acquire().then((a) => (next = a));
    await clock.advance(500);
    expect(late).toEqual({ kind: 'expired' });
    expect(next).toBeUndefined();
    await clock.advance(500);
    expect(next?.kind).toBe('granted');
    limiter.dispose();
  });

  test('dispose answers every waiter and leaves no timer behind', async () => {
    const clock = createManualClock(0);
    const limiter = createRateLimiter({ clock, maxPerWindow: 1 });
    await limiter.acquire();
    const waiting = [limiter.acquire(5000), limiter.acquire()];
    expect(limiter.queued).toBe(2);
    limiter.dispose();
    await expect(Promise.all(waiting)).resolves.toEqual([{ kind: 'disposed' }, { kind: 'disposed' }]);
    expect(clock.pendingTimers).toBe(0);
    await expect(limiter.acquire()).resolves.toEqual({ kind: 'disposed' });
  });
});
