/**
 * The WebSocket machine's moves (ws-machine.ts): connect, probe, back off, renew a refused
 * credential, end, open. Pure, like the machine.
 */
import { NetworkError } from '../core/errors';
import type { WidgetError } from '../core/errors';
import type { StreamCursor } from '../protocol/stream';
import { BACKOFF_TIMING, reconnectDelay } from './backoff';
import type { RetryPressure } from './backoff';
import type { Transition } from './machine';
import { CLOSE_OVERLOADED } from './ws-close';
import { WS_TIMING } from './ws-timing';
import type { Kept, WsEffect, WsState } from './ws-machine';

export type Result = Transition<WsState, WsEffect>;
export type Live = Extract<WsState, { phase: 'connecting' | 'open' }>;
export type Waiting = Extract<WsState, { phase: 'waiting' | 'probing' }>;

export const kept = (state: Kept): Kept => ({ attempt: state.attempt, failed: state.failed, renewals: state.renewals, cursor: state.cursor });

/** Status first, then the socket: a constructor that throws replaces the connect timeout with its wait. */
export function connect(from: Kept, effects: WsEffect[] = []): Result {
  effects.push({ kind: 'emit-status', status: { status: 'connecting', attempt: from.attempt } }, { kind: 'set-timer', ms: WS_TIMING.connectTimeoutMs }, { kind: 'open-socket' });
  return { state: { phase: 'connecting', ...kept(from), askedMs: null }, effects };
}

export const probe = (from: Kept): Result => ({ state: { phase: 'probing', ...kept(from) }, effects: [{ kind: 'set-timer', ms: WS_TIMING.probeTimeoutMs }, { kind: 'probe' }] });

/** What a failure's input tells: when (`now`: a healthy connection resets the attempts), one random draw, the tab hidden, the close code. */
export interface Failure {
  now?: number;
  random: number;
  hidden?: boolean;
  code?: number;
}

/**
 * Backs off: quick, exponential when the relay is overloaded (asked on this socket or by close code) or the tab hidden.
 * A quick wait after enough failed sockets ends in a probe rather than a socket.
 */
export function retry(state: Live | Waiting, error: WidgetError, failure: Failure): Result {
  const asked = state.phase === 'connecting' || state.phase === 'open' ? state.askedMs : null;
  const pressure: RetryPressure = asked !== null || CLOSE_OVERLOADED.has(failure.code ?? 0) ? 'overloaded' : failure.hidden ? 'hidden' : 'none';
  const attempt = state.phase === 'open' && failure.now! - state.openedAt >= BACKOFF_TIMING.healthyConnectionMs ? 0 : state.attempt;
  const retryInMs = error.transient ? reconnectDelay(pressure, attempt, () => failure.random, asked ?? 0) : BACKOFF_TIMING.nonTransientMs;
  const failed = state.phase === 'probing' ? state.failed : state.failed + 1;
  const effects: WsEffect[] = state.phase === 'waiting' ? [] : [{ kind: 'discard-socket' }];
  effects.push({ kind: 'emit-status', status: { status: 'backoff', attempt, retryInMs, error } }, { kind: 'set-timer', ms: retryInMs });
  const quick = error.transient && pressure === 'none';
  return {
    state: { phase: 'waiting', attempt: attempt + 1, failed, renewals: state.renewals, cursor: state.cursor, hiddenWait: error.transient && pressure === 'hidden', probe: quick && failed >= WS_TIMING.probeAfterFailures },
    effects,
  };
}

/** Stopped, the credential refused again, or the extensions refused (4403): no more retries. */
export function end(live: boolean, reason: 'stopped' | 'unauthorized' | 'forbidden'): Result {
  const effects: WsEffect[] = [{ kind: 'clear-timer' }];
  if (live) effects.push({ kind: 'discard-socket' });
  if (reason === 'unauthorized') effects.push({ kind: 'warn', message: 'feed: the relay refused the credential; no retries until the settings change' });
  if (reason === 'forbidden') effects.push({ kind: 'warn', message: "feed: the relay refused this user's extensions (forbidden_extension); no retries until the settings change" });
  effects.push({ kind: 'emit-status', status: { status: 'closed', reason } });
  return { state: { phase: 'closed' }, effects };
}

/** The credential refused or expired: renewed and retried once, quickly; refused again: the end. */
export function refused(state: Live, failure: Failure): Result {
  if (state.renewals >= WS_TIMING.renewalsPerConnection) return end(true, 'unauthorized');
  const renewing = { ...state, renewals: state.renewals + 1 };
  const result = retry(renewing, new NetworkError('WS', 'credential', { cause: 'the relay refused the credential; renewing it' }), { ...failure, hidden: false, code: 0 });
  return { state: result.state, effects: [{ kind: 'renew-credential' }, ...result.effects] };
}

/** The socket works: open (opened at `now` unless it already was), the ping unanswered forgotten. */
export function opened(state: Live, now: number, v2: boolean, cursor: StreamCursor | null): Live {
  return { ...state, phase: 'open', openedAt: state.phase === 'open' ? state.openedAt : now, pinged: false, v2, cursor, failed: 0, renewals: 0 };
}

export const OPEN: WsEffect = { kind: 'emit-status', status: { status: 'open' } };
