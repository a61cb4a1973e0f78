/**
 * The WebSocket transport's decisions (protocol: "WebSocket", "Version 2"), pure: `stepWebSocket`
 * answers the next state and the effects for the shell (ws-transport.ts). One timer at a time:
 * the connect timeout, the heartbeat or the reconnect. A visible tab reconnects after a short
 * random delay whatever failed; exponential backoff only when the relay says it is overloaded
 * or the tab is hidden (backoff.ts). A failure retrying cannot fix waits long. A refused
 * credential (4401, 4419 or their error frames) is renewed once and retried (credentials.ts); a
 * second refusal before a snapshot ends it for good, as does 4403 (`forbidden_extension`). The
 * position (version 2) survives every reconnect and goes out as `since`. The moves (connect,
 * back off, probe, renew, end) are ws-transitions.ts; the constants ws-timing.ts.
 *
 * After a few failed sockets in a row a visible tab stops opening sockets and probes the relay
 * with a plain HTTP request instead (the shell: `fetch` of the ws URL as http(s), no-cors), and
 * opens the next socket once the relay answers. Chromium delays a page's new WebSockets by up to
 * 5 s once many have failed in the last two to four minutes, successes counting against
 * failures (services/network/websocket_throttler.cc: 1..5 s x 2^min(pending + failed / (succeeded + 1), 16) / 65536);
 * without probing, a 60 s outage left the widget 2.6-4.4 s late once the relay was back.
 */
import { NetworkError, ProtocolError, TimeoutError } from '../core/errors';
import { parseServerFrame } from '../protocol/frames';
import type { StreamCursor } from '../protocol/stream';
import type { FeedEffect } from './machine';
import { advance, recoverFrom } from './recovery';
import { CLOSE_FORBIDDEN, CLOSE_REFUSED, closeError } from './ws-close';
import { WS_TIMING } from './ws-timing';
import { connect, end, kept, OPEN, opened, probe, refused, retry } from './ws-transitions';
import type { Live, Result } from './ws-transitions';

export { WS_TIMING } from './ws-timing';

export interface Kept {
  attempt: number;
  /** Sockets that failed since the last snapshot (probes do not count). */
  failed: number;
  /** Credential renewals since the last snapshot (at most one). */
  renewals: number;
  /** The last position processed (version 2); null: subscribe fresh. */
  cursor: StreamCursor | null;
}

export type WsState =
  | { phase: 'idle' }
  /** `askedMs`: the relay's `overloaded` frame on this socket asked for this wait; null: it did not. */
  | ({ phase: 'connecting'; askedMs: number | null } & Kept)
  /** `pinged`: the timer is the pong timeout; `v2`: the snapshot was version 2 (the ping rule). */
  | ({ phase: 'open'; openedAt: number; pinged: boolean; v2: boolean; askedMs: number | null } & Kept)
  /** The timer brings the reconnect (`probe`: an HTTP probe first); `hiddenWait`: becoming visible cuts it short. */
  | ({ phase: 'waiting'; hiddenWait: boolean; probe: boolean } & Kept)
  /** An HTTP request to the relay is out; the timer is its timeout. */
  | ({ phase: 'probing' } & Kept)
  | { phase: 'closed' };

/** `random`: one draw in [0, 1); `hidden`: nobody looks at this tab (and it serves no other). */
export type WsInput =
  | { kind: 'start' }
  /** The WebSocket constructor threw (a URL the browser refuses). */
  | { kind: 'unopenable'; cause: unknown; random: number }
  | { kind: 'socket-open' }
  | { kind: 'message'; data: unknown; now: number }
  | { kind: 'socket-closed'; code: number; reason: string; now: number; random: number; hidden?: boolean }
  | { kind: 'timer'; now: number; random: number; hidden?: boolean }
  /** The probe got an HTTP answer (any status): the relay listens again. */
  | { kind: 'probe-answered' }
  | { kind: 'probe-failed'; now: number; random: number; hidden?: boolean }
  | { kind: 'nudge' }
  /** The tab became visible. */
  | { kind: 'visible' }
  /** The credential was renewed ahead of its expiry: an open socket presents the new one. */
  | { kind: 'renewed' }
  | { kind: 'stop' };

export type WsEffect =
  | { kind: 'open-socket' }
  /** An HTTP request to the relay's ws URL as http(s); its outcome comes back as `probe-*`. */
  | { kind: 'probe' }
  | { kind: 'send'; type: 'subscribe'; since: StreamCursor | null }
  | { kind: 'send'; type: 'ping' | 'pong' | 'auth' }
  /** The relay refused or found expired the credential: get another (the next socket waits for it). */
  | { kind: 'renew-credential' }
  /** Detach from the current socket (or probe) and close it. */
  | { kind: 'discard-socket' }
  | FeedEffect;

function onMessage(state: Live, input: Extract<WsInput, { kind: 'message' }>): Result {
  const frame = parseServerFrame(input.data, input.now);
  const effects: WsEffect[] = [];
  let next: Live = state;
  // Any frame, even one we drop, proves the socket is alive. Version 1 pings after silence;
  // version 2 pings on its own schedule (after sending nothing), so its timer stays.
  if (state.phase === 'open') {
    next = { ...state, pinged: false };
    if (!state.v2) effects.push({ kind: 'set-timer', ms: WS_TIMING.v1IdlePingMs });
  }
  if ('dropped' in frame) for (const dropped of frame.dropped) effects.push({ kind: 'drop', dropped });
  switch (frame.type) {
    case 'snapshot': {
      const v2 = frame.stream !== undefined;
      const recovery = recoverFrom(frame, next.cursor);
      if (recovery.warn !== null) effects.push({ kind: 'warn', message: recovery.warn });
      if (next.phase === 'connecting') effects.push(OPEN);
      next = opened(next, input.now, v2, recovery.cursor);
      effects.push({ kind: 'set-timer', ms: v2 ? WS_TIMING.pingEveryMs : WS_TIMING.v1IdlePingMs }, { kind: 'emit-calls', ...recovery.batch });
      break;
    }
    case 'call':
      // A version-1 relay may open with a call frame; version 2 always sends the snapshot first.
      if (next.phase === 'connecting') effects.push({ kind: 'set-timer', ms: WS_TIMING.v1IdlePingMs }, OPEN);
      next = opened(next, input.now, next.phase === 'open' && next.v2, advance(next.cursor, frame.offset));
      if (frame.event !== null) effects.push({ kind: 'emit-calls', events: [frame.event], complete: false, legs: frame.offset !== undefined, fresh: false });
      break;
    case 'ping':
      effects.push({ kind: 'send', type: 'pong' });
      break;
    case 'pong':
      next = { ...next, cursor: advance(next.cursor, frame.offset) };
      break;
    case 'error':
      if (frame.code === 'unauthorized' || frame.code === 'ticket_expired') return refused(next, { now: input.now, random: 0.5 });
      if (frame.code === 'forbidden_extension') return end(true, 'forbidden');
      // `overloaded`: the close (4503) follows; the wait it asks for is taken then.
      if (frame.code === 'overloaded') next = { ...next, askedMs: (frame.retryAfterS ?? 0) * 1000 };
      effects.push({ kind: 'drop', dropped: { kind: `relay_error:${frame.code}` } });
  }
  return { state: next, effects };
}

export function stepWebSocket(url: string, state: WsState, input: WsInput): Result {
  const same: Result = { state, effects: [] };
  if (state.phase === 'closed') return same;
  const live = state.phase === 'connecting' || state.phase === 'open' ? state : null;
  switch (input.kind) {
    case 'start':
      return state.phase === 'idle' ? connect({ attempt: 0, failed: 0, renewals: 0, cursor: null }) : same;
    case 'stop':
      return end(live !== null || state.phase === 'probing', 'stopped');
    case 'unopenable':
      if (state.phase !== 'connecting') return same;
      return retry({ phase: 'waiting', ...kept(state), hiddenWait: false, probe: false }, new ProtocolError('feed: cannot open the WebSocket URL', { url }, { cause: input.cause }), input);
    case 'probe-answered':
      return state.phase === 'probing' ? connect(state) : same;
    case 'probe-failed':
      return state.phase === 'probing' ? retry(state, new NetworkError('WS', url, { cause: 'the relay did not answer an HTTP probe' }), input) : same;
    case 'socket-open':
      return live ? { state, effects: [{ kind: 'send', type: 'subscribe', since: live.cursor }] } : same;
    case 'message':
      return live ? onMessage(live, input) : same;
    case 'socket-closed':
      if (!live) return same;
      if (CLOSE_REFUSED.has(input.code)) return refused(live, input);
      if (input.code === CLOSE_FORBIDDEN) return end(true, 'forbidden');
      return retry(live, closeError(url, input.code, input.reason), input);
    case 'timer':
      if (state.phase === 'waiting') return state.probe ? probe(state) : connect(state);
      if (state.phase === 'probing') return retry(state, new TimeoutError('PROBE', url, WS_TIMING.probeTimeoutMs), input);
      if (state.phase === 'connecting') return retry(state, new TimeoutError('WS', url, WS_TIMING.connectTimeoutMs), input);
      if (state.phase !== 'open') return same;
      if (state.pinged) return retry(state, new TimeoutError('PING', url, WS_TIMING.pongTimeoutMs), input);
      return { state: { ...state, pinged: true }, effects: [{ kind: 'send', type: 'ping' }, { kind: 'set-timer', ms: WS_TIMING.pongTimeoutMs }] };
    case 'visible':
      // Someone looks again: a hidden tab's backoff ends now (an overloaded relay's wait does not).
      return state.phase === 'waiting' && state.hiddenWait ? connect(state) : same;
    case 'nudge':
      // Online again or awake after sleep: the old socket is probably dead without knowing it.
      // Reconnecting is cheap (the position recovers what happened), waiting is not.
      if (state.phase !== 'waiting' && state.phase !== 'open' && state.phase !== 'probing') return same;
      return connect({ attempt: 0, failed: 0, renewals: state.renewals, cursor: state.cursor }, state.phase === 'waiting' ? [] : [{ kind: 'discard-socket' }]);
    case 'renewed':
      return state.phase === 'open' ? { state, effects: [{ kind: 'send', type: 'auth' }] } : same;
  }
}
