/**
 * The AMI connection's decisions as data: (state, input) -> (state, effects), no clock, no
 * socket. The shell (ami-client.ts) turns effects into sockets and timers and feeds back inputs.
 *
 * connect -> Login -> connected; a drop (socket closed, Login or Ping unanswered) -> wait a
 * jittered exponential backoff (firstMs doubling to maxMs; reset by a good Login) -> connect
 * again; a refused Login -> login_refused, retried every maxMs (the admin must act). Status
 * changes are logged once per change of (state, reason), so a PBX refusing every minute is one
 * line, not one a minute.
 */
import type { AmiStatus } from './ami-types';

export interface SessionConfig {
  firstMs: number;
  maxMs: number;
  /** [0, 1): the jitter. */
  random: () => number;
}

export type SessionPhase = 'idle' | 'connecting' | 'connected' | 'waiting' | 'stopped';

export interface SessionState {
  readonly phase: SessionPhase;
  /** Connection attempts that failed since the last good Login. */
  readonly failures: number;
  /** The last (state, reason) logged, so a repeat is not logged again. */
  readonly lastLogged?: string;
}

export type SessionInput =
  | { type: 'start' }
  | { type: 'retry_due' }
  | { type: 'login_ok' }
  | { type: 'login_refused'; reason: string }
  | { type: 'dropped'; reason: string }
  | { type: 'stop' };

export type SessionEffect =
  /** Open a socket and send Login. */
  | { type: 'connect' }
  /** Close the socket (if any); later events from it are ignored. */
  | { type: 'close' }
  | { type: 'reject_pending' }
  | { type: 'start_keepalive' }
  | { type: 'stop_keepalive' }
  | { type: 'schedule_retry'; ms: number }
  | { type: 'cancel_retry' }
  | { type: 'ready' }
  | { type: 'status'; status: AmiStatus }
  | { type: 'log'; message: string; context: Record<string, unknown> };

export interface SessionStep {
  state: SessionState;
  effects: SessionEffect[];
}

export const initialSession: SessionState = { phase: 'idle', failures: 0 };

/** The wait before attempt `failures + 1`: firstMs * 2^(failures-1), capped, then jittered into [half, full]. */
export function backoffMs(failures: number, config: SessionConfig): number {
  const base = Math.min(config.maxMs, config.firstMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base / 2 + (base / 2) * config.random());
}

export function stepSession(state: SessionState, input: SessionInput, now: number, config: SessionConfig): SessionStep {
  if (state.phase === 'stopped') return { state, effects: [] };
  switch (input.type) {
    case 'stop':
      return {
        state: { ...state, phase: 'stopped' },
        effects: [{ type: 'cancel_retry' }, { type: 'stop_keepalive' }, { type: 'close' }, { type: 'reject_pending' }, { type: 'status', status: { state: 'stopped', since: now } }],
      };
    case 'start':
      return state.phase === 'idle' ? connect(state, now) : { state, effects: [] };
    case 'retry_due':
      return state.phase === 'waiting' ? connect(state, now) : { state, effects: [] };
    case 'login_ok': {
      if (state.phase !== 'connecting') return { state, effects: [] };
      const effects: SessionEffect[] = [{ type: 'status', status: { state: 'connected', since: now } }, { type: 'start_keepalive' }];
      const logged = logOnce(state, 'connected', 'ami logged in', { after: state.failures }, effects);
      effects.push({ type: 'ready' });
      return { state: { phase: 'connected', failures: 0, lastLogged: logged }, effects };
    }
    case 'login_refused': {
      if (state.phase !== 'connecting') return { state, effects: [] };
      const retryInMs = config.maxMs;
      const effects: SessionEffect[] = [{ type: 'close' }, { type: 'reject_pending' }, { type: 'schedule_retry', ms: retryInMs }];
      effects.push({ type: 'status', status: { state: 'login_refused', since: now, reason: input.reason, retryInMs } });
      const logged = logOnce(state, `login_refused:${input.reason}`, 'ami login refused: check the manager.conf user, its secret and permit=', { reason: input.reason, retryInMs }, effects);
      return { state: { phase: 'waiting', failures: state.failures + 1, lastLogged: logged }, effects };
    }
    case 'dropped': {
      if (state.phase !== 'connecting' && state.phase !== 'connected') return { state, effects: [] };
      const failures = state.failures + 1;
      const retryInMs = backoffMs(failures, config);
      const effects: SessionEffect[] = [{ type: 'stop_keepalive' }, { type: 'close' }, { type: 'reject_pending' }, { type: 'schedule_retry', ms: retryInMs }];
      effects.push({ type: 'status', status: { state: 'disconnected', since: now, reason: input.reason, retryInMs } });
      const logged = logOnce(state, `disconnected:${input.reason}`, 'ami connection lost, reconnecting', { reason: input.reason, retryInMs }, effects);
      return { state: { phase: 'waiting', failures, lastLogged: logged }, effects };
    }
  }
}

function connect(state: SessionState, now: number): SessionStep {
  return {
    state: { ...state, phase: 'connecting' },
    effects: [{ type: 'status', status: { state: 'connecting', since: now, attempt: state.failures + 1 } }, { type: 'connect' }],
  };
}

function logOnce(state: SessionState, key: string, message: string, context: Record<string, unknown>, effects: SessionEffect[]): string {
  if (state.lastLogged !== key) effects.push({ type: 'log', message, context });
  return key;
}
