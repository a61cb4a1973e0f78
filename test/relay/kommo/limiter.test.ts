/**
 * The Kommo request limiter on a manual clock: never more than 6 requests in any 1 s window
 * (Kommo refuses beyond 7), first come first served, and a 429's Retry-After holds every
 * request, through the limiter alone and through the client against a loopback Kommo double.
 */
import fc from 'fast-check';
import { createKommoLimiter, IDLE_LIMITER, KOMMO_LIMIT, paused, whenAllowed } from '../../../relay/src/kommo';
import type { KommoLimiter, LimiterClock, LimiterState } from '../../../relay/src/kommo';
import { createManualClock, flush } from '../../support/stepped-clock';
import type { ManualClock } from '../../support/stepped-clock';
import { waitUntil } from '../../support/wait';
import { clientOf, kommoDouble, stopKommoDoubles } from './kommo-double';

afterEach(stopKommoDoubles);

const T0 = 1_700_000_000_000;

/** The limiter's view of a manual clock: its timers are the clock's, moved by advance(). */
const limiterClock = (clock: ManualClock): LimiterClock => ({ now: () => clock.now(), sleep: (ms) => new Promise((resolve) => clock.setTimeout(resolve, ms)) });

/** Most requests in any window of `windowMs` (half-open: [t, t + windowMs)). */
function mostInWindow(times: readonly number[], windowMs = 1000): number {
  let most = 0;
  for (let i = 0; i < times.length; i += 1) most = Math.max(most, times.filter((t) => t >= (times[i] ?? 0) && t < (times[i] ?? 0) + windowMs).length);
  return most;
}

describe('whenAllowed / paused (the decision)', () => {
  test('six go at once, the seventh when the first leaves the window', () => {
    let state: LimiterState = IDLE_LIMITER;
    for (let i = 0; i < 6; i += 1) {
      const d = whenAllowed(state, T0 + i);
      expect(d.waitMs).toBe(0);
      state = d.state;
    }
    expect(whenAllowed(state, T0 + 10).waitMs).toBe(990);
    expect(whenAllowed(state, T0 + 999).waitMs).toBe(1);
    const later = whenAllowed(state, T0 + 1000);
    expect(later.waitMs).toBe(0);
    expect(whenAllowed(later.state, T0 + 1000).waitMs).toBe(1);
  });

  test('a refusal leaves the count alone; the state keeps at most perWindow times', () => {
    let state: LimiterState = IDLE_LIMITER;
    for (let i = 0; i < 6; i += 1) state = whenAllowed(state, T0).state;
    const refused = whenAllowed(state, T0 + 500);
    expect(refused.waitMs).toBe(500);
    expect(refused.state.sent).toEqual(state.sent);
    expect(whenAllowed(state, T0 + 5000).state.sent).toEqual([T0 + 5000]);
  });

  test('a pause holds every request until it ends, only grows, and is capped', () => {
    const state = paused(IDLE_LIMITER, T0, 5000);
    expect(whenAllowed(state, T0).waitMs).toBe(5000);
    expect(whenAllowed(state, T0 + 4999).waitMs).toBe(1);
    expect(whenAllowed(state, T0 + 5000).waitMs).toBe(0);
    expect(paused(state, T0 + 1000, 1000)).toBe(state);
    expect(whenAllowed(paused(IDLE_LIMITER, T0, 86_400_000), T0).waitMs).toBe(KOMMO_LIMIT.maxPauseMs);
    expect(whenAllowed(paused(IDLE_LIMITER, T0, -5), T0).waitMs).toBe(0);
  });

  test('a clock set back waits at most one window, not the time it went back', () => {
    let state: LimiterState = IDLE_LIMITER;
    for (let i = 0; i < 6; i += 1) state = whenAllowed(state, T0).state;
    expect(whenAllowed(state, T0 - 3_600_000).waitMs).toBe(1000);
  });

  test('whatever the arrivals, no window of 1 s holds more than 6 requests, and none waits longer than needed', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 60 }), (offsets) => {
        const arrivals = offsets.map((o) => T0 + o).sort((a, b) => a - b);
        let state: LimiterState = IDLE_LIMITER;
        let now = T0;
        const sent: number[] = [];
        for (const arrival of arrivals) {
          now = Math.max(now, arrival);
          for (;;) {
            const d = whenAllowed(state, now);
            state = d.state;
            if (d.waitMs === 0) break;
            now += d.waitMs;
          }
          sent.push(now);
        }
        expect(mostInWindow(sent)).toBeLessThanOrEqual(6);
        // Work-conserving: a request that waited went exactly when the 6th before it left the window.
        sent.forEach((at, i) => {
          if (at > (arrivals[i] ?? 0) && at > (sent[i - 1] ?? 0)) expect(at).toBe((sent[i - 6] ?? Number.NaN) + 1000);
        });
      }),
    );
  });
});

describe('createKommoLimiter (the shell, on a manual clock)', () => {
  test('20 requests at once: 6 a second, in order, never more in any window', async () => {
    const clock = createManualClock(T0);
    const limiter = createKommoLimiter({ clock: limiterClock(clock) });
    const went: Array<{ n: number; at: number }> = [];
    const all = Array.from({ length: 20 }, (_, n) => limiter.acquire().then(() => went.push({ n, at: clock.now() - T0 })));
    await flush();
    expect(went.map((w) => w.at)).toEqual([0, 0, 0, 0, 0, 0]);
    await clock.advance(999);
    expect(went).toHaveLength(6);
    await clock.advance(3000);
    await Promise.all(all);
    expect(went.map((w) => w.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
    expect(went.map((w) => w.at)).toEqual([0, 0, 0, 0, 0, 0, 1000, 1000, 1000, 1000, 1000, 1000, 2000, 2000, 2000, 2000, 2000, 2000, 3000, 3000]);
    expect(mostInWindow(went.map((w) => w.at))).toBe(6);
    expect(clock.pendingTimers).toBe(0);
  });

  test('the first lane (what lands on a card) goes before the rest waiting, within the same rate', async () => {
    const clock = createManualClock(T0);
    const limiter = createKommoLimiter({ clock: limiterClock(clock) });
    const went: string[] = [];
    const rest = Array.from({ length: 10 }, (_, n) => limiter.acquire().then(() => went.push(`task-${n}`)));
    await flush();
    // Six tasks went at once; the call arrives while four wait, and is next.
    const call = limiter.acquire('first').then(() => went.push('call'));
    await clock.advance(1000);
    await Promise.all([...rest, call]);
    expect(went.slice(6)).toEqual(['call', 'task-6', 'task-7', 'task-8', 'task-9']);
  });

  test('a pause (429) holds every waiting and every new request until it ends; without a wait, one window', async () => {
    const clock = createManualClock(T0);
    const limiter = createKommoLimiter({ clock: limiterClock(clock) });
    await limiter.acquire();
    limiter.pause(3000);
    const went: number[] = [];
    const first = [limiter.acquire(), limiter.acquire()].map((p) => p.then(() => went.push(clock.now() - T0)));
    await clock.advance(1500);
    const second = limiter.acquire().then(() => went.push(clock.now() - T0));
    await clock.advance(1499);
    expect(went).toEqual([]);
    await clock.advance(1);
    await Promise.all([...first, second]);
    expect(went).toEqual([3000, 3000, 3000]);
    limiter.pause();
    const third = limiter.acquire().then(() => went.push(clock.now() - T0));
    await clock.advance(999);
    expect(went).toHaveLength(3);
    await clock.advance(1);
    await third;
    expect(went[3]).toBe(4000);
  });

  test('a clock whose sleep fails rejects the waiters instead of leaving them hanging', async () => {
    const limiter = createKommoLimiter({ clock: { now: () => T0, sleep: () => Promise.reject(new Error('clock broke')) }, rule: { perWindow: 1 } });
    await limiter.acquire();
    await expect(limiter.acquire()).rejects.toThrow('clock broke');
    await expect(limiter.acquire()).rejects.toThrow('clock broke');
  });

  test('a rule that is not one is refused', () => {
    expect(() => createKommoLimiter({ rule: { perWindow: 0 } })).toThrow(/perWindow must be an integer >= 1/);
    expect(() => createKommoLimiter({ rule: { windowMs: 1.5 } })).toThrow(/windowMs must be an integer >= 1/);
    expect(() => createKommoLimiter({ rule: { maxPauseMs: -1 } })).toThrow(/maxPauseMs must be an integer >= 0/);
  });
});

describe('through the client', () => {
  /** The real limiter on `clock`, noting when (ms after T0) each request was let go. */
  function watched(clock: ManualClock): { limiter: KommoLimiter; let: number[]; pauses: Array<number | undefined> } {
    const real = createKommoLimiter({ clock: limiterClock(clock) });
    const seen = { let: [] as number[], pauses: [] as Array<number | undefined> };
    const limiter: KommoLimiter = {
      acquire: () => real.acquire().then(() => void seen.let.push(clock.now() - T0)),
      pause: (ms) => {
        seen.pauses.push(ms);
        real.pause(ms);
      },
    };
    return { limiter, ...seen };
  }

  test('a burst of calls reaches Kommo at 6 a second', async () => {
    const clock = createManualClock(T0);
    const double = await kommoDouble(() => ({ status: 204 }));
    const w = watched(clock);
    const api = clientOf(double.url, { limiter: w.limiter });
    const lookups = Array.from({ length: 8 }, (_, i) => api.findContact(`+1415555010${i}`));
    await waitUntil('six lookups reach Kommo', () => double.received.length === 6);
    await clock.advance(999);
    expect(w.let).toEqual([0, 0, 0, 0, 0, 0]);
    await clock.advance(1);
    expect(await Promise.all(lookups)).toEqual(Array(8).fill(null));
    expect(w.let).toEqual([0, 0, 0, 0, 0, 0, 1000, 1000]);
    expect(double.received.map((r) => r.rawQuery)).toEqual(Array.from({ length: 8 }, (_, i) => `query=1415555010${i}`));
  });

  test('a 429 with Retry-After holds every later request to Kommo, whatever its path', async () => {
    const clock = createManualClock(T0);
    const double = await kommoDouble((r) => (r.path === '/api/v4/calls' ? { status: 429, headers: { 'Retry-After': '3' } } : { status: 204 }));
    const w = watched(clock);
    const api = clientOf(double.url, { limiter: w.limiter });
    const limited = await api
      .logCall({ direction: 'inbound', duration: 1, source: 's', phone: '+14155550100', uniq: 'u', call_status: 4, created_at: 1, request_id: 'u' })
      .catch((error: unknown) => error);
    expect(limited).toMatchObject({ kind: 'rate-limited', retryAfterMs: 3000 });
    expect(w.pauses).toEqual([3000]);
    const later = [api.findContact('+14155550100'), api.responsibleOf({ id: 5, type: 'leads' })];
    await clock.advance(2999);
    expect(w.let).toEqual([0]);
    await clock.advance(1);
    expect(await Promise.all(later)).toEqual([null, null]);
    expect(w.let).toEqual([0, 3000, 3000]);
    expect(double.received.map((r) => r.path)).toEqual(['/api/v4/calls', '/api/v4/contacts', '/api/v4/leads/5']);
  });

  test('a 429 without Retry-After pauses the limiter too (for one window)', async () => {
    const clock = createManualClock(T0);
    const double = await kommoDouble(() => ({ status: 429 }));
    const w = watched(clock);
    const error = await clientOf(double.url, { limiter: w.limiter }).findContact('+14155550100').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'rate-limited' });
    expect(w.pauses).toStrictEqual([undefined]);
  });
});
