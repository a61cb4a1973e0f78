/**
 * The WebSocket transport's decisions (protocol: "WebSocket"), pure: `stepWebSocket` answers
 * the next state and the effects for the shell (ws-transport.ts). One timer at a time: the
 * connect timeout, the heartbeat (ping after 25 s of silence, dead after 10 s more) or the
 * reconnect. Transient failures reconnect with full-jitter backoff; a failure retrying cannot
 * fix (a close code saying our request is wrong, a URL the browser refuses) waits long. Close
 * code 4401 or an `unauthorized` error frame ends it for good.
 */
import { NetworkError, ProtocolError, TimeoutError } from '../core/errors';
import type { WidgetError } from '../core/errors';
import { parseServerFrame } from '../protocol/frames';
import type { Dropped } from '../protocol/frames';
import type { CallEvent } from '../protocol/types';
import { BACKOFF_TIMING, backoffDelay } from './backoff';
import type { Transition } from './machine';
import type { FeedStatus } from './types';

export const WS_TIMING = {
  /** Silence after which the widget sends a ping (protocol step 5). */
  idlePingMs: 25_000,
  /** No frame this long after a ping: the socket is dead. */
  pongTimeoutMs: 10_000,
  /** A socket that does not open (and get its snapshot) in this time is given up. */
  connectTimeoutMs: 10_000,
} as const;

/** Close code the relay uses for a wrong token (protocol step 6). */
const CLOSE_UNAUTHORIZED = 4401;
/** Closes that say our own frames are wrong (bad subscribe, protocol error, bad data): not transient. */
const CLOSE_OUR_FAULT = new Set([1002, 1003, 1007, 4400]);

export type WsState =
  | { phase: 'idle' }
  | { phase: 'connecting'; attempt: number }
  /** `pinged`: the timer is the pong timeout, not the idle ping. */
  | { phase: 'open'; attempt: number; openedAt: number; pinged: boolean }
  /** The timer brings the reconnect. */
  | { phase: 'waiting'; attempt: number }
  | { phase: 'closed' };

export type WsInput =
  | { kind: 'start' }
  /** The WebSocket constructor threw (a URL the browser refuses). `random`: one draw in [0, 1). */
  | { kind: 'unopenable'; cause: unknown; random: number }
  | { kind: 'socket-open' }
  | { kind: 'message'; data: unknown; now: number }
  | { kind: 'socket-closed'; code: number; reason: string; now: number; random: number }
  | { kind: 'timer'; now: number; random: number }
  | { kind: 'nudge' }
  | { kind: 'stop' };

export type WsEffect =
  | { kind: 'open-socket' }
  | { kind: 'send'; type: 'subscribe' | 'ping' | 'pong' }
  /** Detach from the current socket and close it. */
  | { kind: 'discard-socket' }
  | { kind: 'set-timer'; ms: number }
  | { kind: 'clear-timer' }
  | { kind: 'emit-status'; status: FeedStatus }
  | { kind: 'emit-calls'; events: CallEvent[]; complete: boolean }
  | { kind: 'drop'; dropped: Dropped }
  | { kind: 'warn'; message: string };

type Result = Transition<WsState, WsEffect>;
type Live = Extract<WsState, { phase: 'connecting' | 'open' }>;

/** Status first, then the socket: a constructor that throws replaces the connect timeout with its wait. */
function connect(attempt: number, effects: WsEffect[]): Result {
  effects.push({ kind: 'emit-status', status: { status: 'connecting', attempt } }, { kind: 'set-timer', ms: WS_TIMING.connectTimeoutMs }, { kind: 'open-socket' });
  return { state: { phase: 'connecting', attempt }, effects };
}

function retry(state: Live | Extract<WsState, { phase: 'waiting' }>, error: WidgetError, now: number, random: number): Result {
  const effects: WsEffect[] = state.phase === 'waiting' ? [] : [{ kind: 'discard-socket' }];
  const healthy = state.phase === 'open' && now - state.openedAt >= BACKOFF_TIMING.healthyConnectionMs;
  const attempt = healthy ? 0 : state.attempt;
  const retryInMs = error.transient ? backoffDelay(attempt, () => random) : BACKOFF_TIMING.nonTransientMs;
  effects.push({ kind: 'emit-status', status: { status: 'backoff', attempt, retryInMs, error } }, { kind: 'set-timer', ms: retryInMs });
  return { state: { phase: 'waiting', attempt: attempt + 1 }, effects };
}

function unauthorized(state: Live): Result {
  return {
    state: { phase: 'closed' },
    effects: [
      { kind: 'clear-timer' },
      { kind: 'discard-socket' },
      { kind: 'warn', message: 'feed: the relay refused the token; no more retries until the settings change' },
      { kind: 'emit-status', status: { status: 'closed', reason: 'unauthorized' } },
    ],
  };
}

export function closeError(url: string, code: number, reason: string): WidgetError {
  if (CLOSE_OUR_FAULT.has(code)) return new ProtocolError(`feed: the relay closed the socket with ${code}`, { url, code, reason });
  return new NetworkError('WS', url, { cause: { code, reason } });
}

function onMessage(state: Live, input: Extract<WsInput, { kind: 'message' }>): Result {
  const frame = parseServerFrame(input.data, input.now);
  const effects: WsEffect[] = [];
  let next: WsState = state;
  // Any frame, even one we drop, proves the socket is alive.
  if (state.phase === 'open') {
    next = { ...state, pinged: false };
    effects.push({ kind: 'set-timer', ms: WS_TIMING.idlePingMs });
  }
  switch (frame.type) {
    case 'snapshot':
    case 'call':
      for (const dropped of frame.dropped) effects.push({ kind: 'drop', dropped });
      if (state.phase === 'connecting') {
        next = { phase: 'open', attempt: state.attempt, openedAt: input.now, pinged: false };
        effects.push({ kind: 'set-timer', ms: WS_TIMING.idlePingMs }, { kind: 'emit-status', status: { status: 'open' } });
      }
      if (frame.type === 'snapshot') effects.push({ kind: 'emit-calls', events: frame.events, complete: true });
      else if (frame.event !== null) effects.push({ kind: 'emit-calls', events: [frame.event], complete: false });
      break;
    case 'ping':
      effects.push({ kind: 'send', type: 'pong' });
      break;
    case 'pong':
      break;
    case 'error':
      if (frame.code === 'unauthorized') return unauthorized(state);
      effects.push({ kind: 'drop', dropped: { kind: `relay_error:${frame.code}` } });
      break;
    case 'ignored':
      for (const dropped of frame.dropped) effects.push({ kind: 'drop', dropped });
      break;
  }
  return { state: next, effects };
}

function onTimer(url: string, state: WsState, input: Extract<WsInput, { kind: 'timer' }>): Result {
  switch (state.phase) {
    case 'connecting':
      return retry(state, new TimeoutError('WS', url, WS_TIMING.connectTimeoutMs), input.now, input.random);
    case 'open':
      if (state.pinged) return retry(state, new TimeoutError('PING', url, WS_TIMING.pongTimeoutMs), input.now, input.random);
      return { state: { ...state, pinged: true }, effects: [{ kind: 'send', type: 'ping' }, { kind: 'set-timer', ms: WS_TIMING.pongTimeoutMs }] };
    case 'waiting':
      return connect(state.attempt, []);
    default:
      return { state, effects: [] };
  }
}

export function stepWebSocket(url: string, state: WsState, input: WsInput): Result {
  const same: Result = { state, effects: [] };
  if (state.phase === 'closed') return same;
  const live = state.phase === 'connecting' || state.phase === 'open' ? state : null;
  switch (input.kind) {
    case 'start':
      return state.phase === 'idle' ? connect(0, []) : same;
    case 'stop': {
      const effects: WsEffect[] = [{ kind: 'clear-timer' }];
      if (live) effects.push({ kind: 'discard-socket' });
      effects.push({ kind: 'emit-status', status: { status: 'closed', reason: 'stopped' } });
      return { state: { phase: 'closed' }, effects };
    }
    case 'unopenable':
      if (state.phase !== 'connecting') return same;
      return retry({ phase: 'waiting', attempt: state.attempt }, new ProtocolError('feed: cannot open the WebSocket URL', { url }, { cause: input.cause }), 0, input.random);
    case 'socket-open':
      return live ? { state, effects: [{ kind: 'send', type: 'subscribe' }] } : same;
    case 'message':
      return live ? onMessage(live, input) : same;
    case 'socket-closed':
      if (!live) return same;
      if (input.code === CLOSE_UNAUTHORIZED) return unauthorized(live);
      return retry(live, closeError(url, input.code, input.reason), input.now, input.random);
    case 'timer':
      return onTimer(url, state, input);
    case 'nudge':
      // Online again or awake after sleep: the old socket is probably dead without knowing it.
      // Reconnecting is cheap (the snapshot replays, the tracker drops repeats), waiting is not.
      if (state.phase === 'waiting') return connect(0, []);
      if (state.phase === 'open') return connect(0, [{ kind: 'discard-socket' }]);
      return same;
  }
}
