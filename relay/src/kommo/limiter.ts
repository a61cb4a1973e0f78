/**
 * The Kommo client's request limiter (issue 16). Kommo allows 7 requests a second per
 * integration and answers 429 beyond; the relay stays under it with a sliding window: at most
 * `perWindow` requests (default 6) in any `windowMs` (1 s), whatever the burst. A 429's
 * Retry-After pauses every request, not only the refused one: Kommo counts the integration.
 *
 * The decision is pure (`whenAllowed`, `paused`: state + time in, state + wait out); the shell
 * (`createKommoLimiter`) serves waiters first come, first served, on an injected clock.
 */
import { Deque } from '../deque';

export interface LimitRule {
  /** Requests allowed in any window. */
  perWindow: number;
  windowMs: number;
  /** The longest pause a Retry-After may impose (a broken header must not stop the log for a day). */
  maxPauseMs: number;
}

export const KOMMO_LIMIT: LimitRule = { perWindow: 6, windowMs: 1000, maxPauseMs: 10 * 60_000 };

export interface LimiterState {
  /** When the latest requests went (ms, oldest first): at most `perWindow` of them. */
  readonly sent: readonly number[];
  /** No request goes before this (ms; 0: no pause). */
  readonly pausedUntil: number;
}

export const IDLE_LIMITER: LimiterState = { sent: [], pausedUntil: 0 };

/**
 * May a request go at `now`? waitMs 0: yes, and `state` counts it; otherwise ask again in
 * waitMs (state unchanged but for forgetting what left the window).
 */
export function whenAllowed(state: LimiterState, now: number, rule: LimitRule = KOMMO_LIMIT): { state: LimiterState; waitMs: number } {
  // A clock set back: what it counted "in the future" counts as now (one window's wait at most).
  const sent = state.sent.map((at) => Math.min(at, now)).filter((at) => at > now - rule.windowMs);
  const pausedUntil = Math.min(state.pausedUntil, now + rule.maxPauseMs);
  const oldest = sent.length >= rule.perWindow ? sent[sent.length - rule.perWindow] : undefined;
  const at = Math.max(now, pausedUntil, oldest === undefined ? now : oldest + rule.windowMs);
  if (at > now) return { state: { sent, pausedUntil }, waitMs: at - now };
  return { state: { sent: [...sent, now].slice(-rule.perWindow), pausedUntil }, waitMs: 0 };
}

/** Kommo said "not before now + ms" (429): nothing goes until then (capped at maxPauseMs). A pause only grows. */
export function paused(state: LimiterState, now: number, ms: number, rule: LimitRule = KOMMO_LIMIT): LimiterState {
  const until = now + Math.min(Math.max(0, ms), rule.maxPauseMs);
  return until > state.pausedUntil ? { ...state, pausedUntil: until } : state;
}

export interface LimiterClock {
  now(): number;
  sleep(ms: number): Promise<void>;
}

/**
 * Node's clock. The timer is unref'd: a wait for Kommo must not keep a closing relay alive (the
 * relay's server keeps the process up while it runs).
 */
export const SYSTEM_CLOCK: LimiterClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms).unref()),
};

export interface KommoLimiter {
  /** Resolves when one request may go now (it is counted); the `first` lane is served before the rest. */
  acquire(lane?: 'first' | 'rest'): Promise<void>;
  /** A 429: no request goes for `ms` (Retry-After), or one window when Kommo gave none. */
  pause(ms?: number): void;
}

export interface KommoLimiterOptions {
  clock?: LimiterClock;
  rule?: Partial<LimitRule>;
}

function checkRule(rule: LimitRule): LimitRule {
  for (const [name, value] of Object.entries(rule)) {
    const least = name === 'maxPauseMs' ? 0 : 1;
    if (!Number.isSafeInteger(value) || value < least) throw new RangeError(`createKommoLimiter: ${name} must be an integer >= ${least}, got ${String(value)}`);
  }
  return rule;
}

export function createKommoLimiter(options: KommoLimiterOptions = {}): KommoLimiter {
  const clock = options.clock ?? SYSTEM_CLOCK;
  const rule = checkRule({ ...KOMMO_LIMIT, ...options.rule });
  type Waiter = { resolve: () => void; reject: (error: unknown) => void };
  // Two lanes: what lands on a card (calls, incoming leads) goes before the rest (tasks, lookups).
  const first = new Deque<Waiter>();
  const rest = new Deque<Waiter>();
  const laneOf = () => (first.peek() !== undefined ? first : rest);
  let state = IDLE_LIMITER;
  let pumping = false;

  // One loop serves the queue in order; after each wait it asks again, so a pause that came
  // in meanwhile holds the head (and so everyone behind it).
  async function pump(): Promise<void> {
    try {
      for (;;) {
        const lane = laneOf();
        const head = lane.peek();
        if (head === undefined) return;
        const decision = whenAllowed(state, clock.now(), rule);
        state = decision.state;
        if (decision.waitMs === 0) {
          lane.shift();
          head.resolve();
        } else {
          await clock.sleep(decision.waitMs);
        }
      }
    } finally {
      // In the same turn as the last check: a waiter pushed after it starts a new loop.
      pumping = false;
    }
  }

  function start(): void {
    if (pumping) return;
    pumping = true;
    pump().catch((error: unknown) => {
      // Only an injected clock can fail; the waiters learn it rather than waiting forever.
      for (const lane of [first, rest]) for (let w = lane.shift(); w !== undefined; w = lane.shift()) w.reject(error);
    });
  }

  return {
    acquire: (lane = 'rest') =>
      new Promise<void>((resolve, reject) => {
        (lane === 'first' ? first : rest).push({ resolve, reject });
        start();
      }),
    pause(ms) {
      state = paused(state, clock.now(), ms ?? rule.windowMs, rule);
    },
  };
}
