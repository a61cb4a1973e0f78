/**
 * The polling transport's decisions (protocol: "Polling"), pure: `stepPoll(config, state, input)`
 * answers the next state and the effects for the shell (poll-transport.ts) to perform. One timer
 * serves both waits: the next poll, or the stall timeout of the request in flight. Errors back
 * off (see backoff.ts); a refused credential (401, an `unauthorized` or `ticket_expired` payload)
 * is renewed once and asked again, refused again it closes for good, as 403 does; a hidden tab
 * polls `hiddenSlowdown` times less often unless it serves the other tabs.
 */
import type { WidgetError } from '../core/errors';
import type { Dropped, StreamState } from '../protocol/frames';
import type { StreamCursor } from '../protocol/stream';
import type { CallEvent } from '../protocol/types';
import { classifyFetchFailure, isOverloadAnswer, pollRetryDelay, recoverFrom } from './poll-shared';
import type { FeedEffect, Transition } from './machine';

export const POLL_TIMING = {
  /** A request without an answer this long is given up (aborted) and counts as an error. */
  requestTimeoutMs: 10_000,
  /** Hidden tabs poll this many times less often. */
  hiddenSlowdown: 4,
  /** Refused credentials renewed before an answer with calls; one more refusal is final. */
  renewalsPerAnswer: 1,
} as const;

export interface PollConfig {
  url: string;
  /** `GET` (JSON mode) or `SCRIPT`, for the errors. */
  method: 'GET' | 'SCRIPT';
  intervalMs: number;
}

/** How one request ended, as the request code (poll-json.ts, poll-script.ts) classified it. */
export type PollOutcome =
  | { kind: 'calls'; events: CallEvent[]; dropped: Dropped[]; etag: string | null; stream?: StreamState }
  | { kind: 'not-modified' }
  /** 401, or a payload saying `unauthorized` / `ticket_expired`: renewed once, then final. */
  | { kind: 'unauthorized' }
  /** 403, or `forbidden_extension`: final. */
  | { kind: 'forbidden' }
  | { kind: 'failed'; error: WidgetError; dropped?: Dropped };

/** What every poll carries to the next: the ETag to revalidate, the position (version 2) to ask from. */
interface Kept {
  etag: string | null;
  cursor: StreamCursor | null;
  /** Credential renewals since the last answer with calls (at most one: credentials.ts). */
  renewals: number;
}

export type PollState =
  | { phase: 'idle' }
  /** A request in flight since `since`; `open`: the status last said open; `errors` in a row. */
  | ({ phase: 'polling'; since: number; errors: number; open: boolean } & Kept)
  /** Open, the next poll due at `dueAt`. */
  | ({ phase: 'waiting'; dueAt: number } & Kept)
  /** `hiddenWait`: the wait is long because the tab is hidden; becoming visible polls at once. */
  | ({ phase: 'backoff'; errors: number; hiddenWait: boolean } & Kept)
  | { phase: 'closed' };

export type PollInput =
  | { kind: 'start'; now: number }
  /** The one timer fired: the next poll is due, or the request in flight stalled (`slow` as below). */
  | { kind: 'timer'; now: number; slow?: boolean }
  /** `slow`: the tab is hidden and serves no other tab, at the time of the answer. */
  | { kind: 'outcome'; now: number; outcome: PollOutcome; slow: boolean }
  /** The tab became visible. */
  | { kind: 'visible'; now: number }
  /** Online again, awake again: poll now. */
  | { kind: 'nudge'; now: number }
  | { kind: 'stop' };

export type PollEffect =
  | { kind: 'request'; etag: string | null; since: StreamCursor | null }
  /** The relay refused or found expired the credential: get another (the next request waits for it). */
  | { kind: 'renew-credential' }
  | { kind: 'cancel-request' }
  | FeedEffect;

type Result = Transition<PollState, PollEffect>;

/** The stall timeout first: a request that fails synchronously replaces it with its own wait. */
function request(now: number, from: { errors: number; open: boolean } & Kept, effects: PollEffect[]): Result {
  effects.push({ kind: 'set-timer', ms: POLL_TIMING.requestTimeoutMs }, { kind: 'request', etag: from.etag, since: from.cursor });
  return { state: { phase: 'polling', since: now, errors: from.errors, open: from.open, etag: from.etag, cursor: from.cursor, renewals: from.renewals }, effects };
}

function failed(config: PollConfig, state: Extract<PollState, { phase: 'polling' }>, error: WidgetError, slow: boolean, effects: PollEffect[]): Result {
  const errors = state.errors + 1;
  const retryInMs = pollRetryDelay(error, errors, config.intervalMs, slow);
  effects.push({ kind: 'emit-status', status: { status: 'backoff', attempt: errors, retryInMs, error } }, { kind: 'set-timer', ms: retryInMs });
  const hiddenWait = slow && error.transient && !isOverloadAnswer(error);
  return { state: { phase: 'backoff', errors, hiddenWait, etag: state.etag, cursor: state.cursor, renewals: state.renewals }, effects };
}

function answered(config: PollConfig, state: Extract<PollState, { phase: 'polling' }>, input: Extract<PollInput, { kind: 'outcome' }>): Result {
  const effects: PollEffect[] = [{ kind: 'clear-timer' }];
  const { outcome } = input;
  switch (outcome.kind) {
    case 'unauthorized':
      if (state.renewals < POLL_TIMING.renewalsPerAnswer) {
        // Renew, then ask again at once (the shell sends the request once the new credential is there).
        effects.push({ kind: 'renew-credential' });
        return request(input.now, { ...state, renewals: state.renewals + 1 }, effects);
      }
      effects.push(
        { kind: 'warn', message: 'feed: the poll URL refused the credential; no more polling until the settings change' },
        { kind: 'emit-status', status: { status: 'closed', reason: 'unauthorized' } },
      );
      return { state: { phase: 'closed' }, effects };
    case 'forbidden':
      effects.push(
        { kind: 'warn', message: "feed: the relay refused this user's extensions (forbidden_extension); no more polling until the settings change" },
        { kind: 'emit-status', status: { status: 'closed', reason: 'forbidden' } },
      );
      return { state: { phase: 'closed' }, effects };
    case 'failed':
      if (outcome.dropped) effects.push({ kind: 'drop', dropped: outcome.dropped });
      return failed(config, state, outcome.error, input.slow, effects);
    case 'calls':
    case 'not-modified': {
      if (!state.open) effects.push({ kind: 'emit-status', status: { status: 'open' } });
      // 304 keeps the ETag and the position it confirmed; a fresh answer brings its own (or none).
      let kept: Kept = { etag: state.etag, cursor: state.cursor, renewals: 0 };
      if (outcome.kind === 'calls') {
        for (const dropped of outcome.dropped) effects.push({ kind: 'drop', dropped });
        const recovery = recoverFrom(outcome, state.cursor);
        if (recovery.warn !== null) effects.push({ kind: 'warn', message: recovery.warn });
        effects.push({ kind: 'emit-calls', ...recovery.batch });
        kept = { etag: outcome.etag, cursor: recovery.cursor, renewals: 0 };
      }
      const ms = input.slow ? config.intervalMs * POLL_TIMING.hiddenSlowdown : config.intervalMs;
      effects.push({ kind: 'set-timer', ms });
      return { state: { phase: 'waiting', dueAt: input.now + ms, ...kept }, effects };
    }
  }
}

export function stepPoll(config: PollConfig, state: PollState, input: PollInput): Result {
  const same: Result = { state, effects: [] };
  if (state.phase === 'closed') return same;
  switch (input.kind) {
    case 'start':
      if (state.phase !== 'idle') return same;
      return request(input.now, { errors: 0, open: false, etag: null, cursor: null, renewals: 0 }, [{ kind: 'emit-status', status: { status: 'connecting', attempt: 0 } }]);
    case 'stop': {
      const effects: PollEffect[] = [{ kind: 'clear-timer' }];
      if (state.phase === 'polling') effects.push({ kind: 'cancel-request' });
      effects.push({ kind: 'emit-status', status: { status: 'closed', reason: 'stopped' } });
      return { state: { phase: 'closed' }, effects };
    }
    case 'timer':
      if (state.phase === 'waiting') return request(input.now, { ...state, errors: 0, open: true }, []);
      if (state.phase === 'backoff') return request(input.now, { ...state, open: false }, []);
      if (state.phase === 'polling') {
        const error = classifyFetchFailure(config, { kind: 'timeout', ms: POLL_TIMING.requestTimeoutMs });
        return failed(config, state, error, input.slow === true, [{ kind: 'cancel-request' }]);
      }
      return same;
    case 'outcome':
      return state.phase === 'polling' ? answered(config, state, input) : same;
    case 'visible': {
      // A hidden tab's error backoff ends now (not a 429/503's: the relay asked for it).
      if (state.phase === 'backoff') return state.hiddenWait ? request(input.now, { ...state, open: false }, []) : same;
      // A poll slowed down for a hidden tab is brought forward to one interval after the last.
      if (state.phase !== 'waiting') return same;
      const wait = state.dueAt - input.now;
      if (wait <= config.intervalMs) return same;
      const waited = config.intervalMs * POLL_TIMING.hiddenSlowdown - wait;
      if (waited >= config.intervalMs) return request(input.now, { ...state, errors: 0, open: true }, []);
      const ms = config.intervalMs - waited;
      return { state: { ...state, dueAt: input.now + ms }, effects: [{ kind: 'set-timer', ms }] };
    }
    case 'nudge':
      if (state.phase === 'waiting') return request(input.now, { ...state, errors: 0, open: true }, []);
      if (state.phase === 'backoff') return request(input.now, { ...state, open: false }, []);
      // A request in flight for longer than an interval was sent before the sleep or the outage:
      // drop it rather than wait for its stall timeout and an error backoff. A fresh one stays.
      if (state.phase === 'polling' && input.now - state.since >= config.intervalMs) {
        return request(input.now, state, [{ kind: 'cancel-request' }]);
      }
      return same;
  }
}
