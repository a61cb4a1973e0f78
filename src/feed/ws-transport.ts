/**
 * The WebSocket transport (protocol: "WebSocket"). Owns one socket at a time and every timer
 * around it: connect timeout, heartbeat (ping after 25 s of silence, dead after 10 s more),
 * reconnect with full-jitter backoff. Close code 4401 or an `unauthorized` error frame ends it
 * for good: only a new feed (new settings) connects again.
 */
import type { Clock, TimerHandle } from '../core/clock';
import { NetworkError, ProtocolError, TimeoutError } from '../core/errors';
import type { WidgetError } from '../core/errors';
import { createEmitter } from '../core/emitter';
import type { Logger } from '../core/logger';
import { HEALTHY_CONNECTION_MS, backoffDelay } from './backoff';
import { parseServerFrame } from '../protocol/frames';
import type { Dropped } from '../protocol/frames';
import type { CallTransport, FeedStatus, TransportEvents } from './types';

export const WS_TIMING = {
  /** Silence after which the widget sends a ping (protocol step 5). */
  idlePingMs: 25_000,
  /** No frame this long after a ping: the socket is dead. */
  pongTimeoutMs: 10_000,
  /** A socket that does not open (and get its snapshot) in this time is given up. */
  connectTimeoutMs: 10_000,
} as const;

/** Close code the relay uses for a wrong token (protocol step 6). */
export const CLOSE_UNAUTHORIZED = 4401;

export interface WebSocketTransportDeps {
  url: string;
  token: string;
  extensions: string[];
  clock: Clock;
  logger: Logger;
  WebSocket: typeof WebSocket;
  random: () => number;
  /** Called for every dropped frame or event; the feed logs once per kind. */
  onDrop(dropped: Dropped): void;
}

type Phase =
  | { phase: 'idle' }
  | { phase: 'connecting'; socket: WebSocket }
  | { phase: 'open'; socket: WebSocket; openedAt: number }
  | { phase: 'waiting' }
  | { phase: 'closed' };

export function createWebSocketTransport(deps: WebSocketTransportDeps): CallTransport {
  const emitter = createEmitter<TransportEvents>();
  let status: FeedStatus = { status: 'idle' };
  let phase: Phase = { phase: 'idle' };
  let attempt = 0;
  let timer: TimerHandle | null = null; // connect timeout, heartbeat or retry: only one at a time

  function setStatus(next: FeedStatus): void {
    status = next;
    emitter.emit('status', next);
  }

  function clearTimer(): void {
    if (timer !== null) deps.clock.clearTimeout(timer);
    timer = null;
  }

  function schedule(ms: number, fn: () => void): void {
    clearTimer();
    timer = deps.clock.setTimeout(() => {
      timer = null;
      fn();
    }, ms);
  }

  /** Detaches our handlers first, so a socket we gave up on can never call back into us. */
  function discard(socket: WebSocket, code = 1000): void {
    socket.onopen = null;
    socket.onmessage = null;
    socket.onclose = null;
    socket.onerror = () => {}; // some implementations emit 'error' while closing; keep it handled
    try {
      if (socket.readyState === 0 || socket.readyState === 1) socket.close(code);
    } catch {
      // closing a half-open socket can throw in some implementations; it is gone either way
    }
  }

  function send(socket: WebSocket, frame: object): void {
    try {
      socket.send(JSON.stringify(frame));
    } catch (cause) {
      deps.logger.debug('feed: websocket send failed', { cause });
    }
  }

  function retry(error: WidgetError | null): void {
    clearTimer();
    if (phase.phase === 'open' && deps.clock.now() - phase.openedAt >= HEALTHY_CONNECTION_MS) attempt = 0;
    if (phase.phase === 'connecting' || phase.phase === 'open') discard(phase.socket);
    phase = { phase: 'waiting' };
    const retryInMs = backoffDelay(attempt, deps.random);
    setStatus({ status: 'backoff', attempt, retryInMs, error });
    attempt += 1;
    schedule(retryInMs, connect);
  }

  function unauthorized(): void {
    clearTimer();
    if (phase.phase === 'connecting' || phase.phase === 'open') discard(phase.socket);
    phase = { phase: 'closed' };
    deps.logger.warn('feed: the relay refused the token; no more retries until the settings change', { url: deps.url });
    setStatus({ status: 'closed', reason: 'unauthorized' });
  }

  function armHeartbeat(socket: WebSocket): void {
    schedule(WS_TIMING.idlePingMs, () => {
      send(socket, { type: 'ping' });
      schedule(WS_TIMING.pongTimeoutMs, () => retry(new TimeoutError('PING', deps.url, WS_TIMING.pongTimeoutMs)));
    });
  }

  function onFrame(socket: WebSocket, data: unknown): void {
    const frame = parseServerFrame(data, deps.clock.now());
    // Any frame, even one we drop, proves the socket is alive.
    if (phase.phase === 'open') armHeartbeat(socket);
    switch (frame.type) {
      case 'snapshot':
      case 'call': {
        for (const d of frame.dropped) deps.onDrop(d);
        if (phase.phase === 'connecting') {
          phase = { phase: 'open', socket, openedAt: deps.clock.now() };
          armHeartbeat(socket);
          setStatus({ status: 'open' });
        }
        if (frame.type === 'snapshot') emitter.emit('calls', { events: frame.events, complete: true });
        else if (frame.event !== null) emitter.emit('calls', { events: [frame.event], complete: false });
        return;
      }
      case 'ping':
        send(socket, { type: 'pong' });
        return;
      case 'pong':
        return;
      case 'error':
        if (frame.code === 'unauthorized') unauthorized();
        else deps.onDrop({ kind: `relay_error:${frame.code}` });
        return;
      case 'ignored':
        for (const d of frame.dropped) deps.onDrop(d);
        return;
    }
  }

  function connect(): void {
    clearTimer();
    let socket: WebSocket;
    setStatus({ status: 'connecting', attempt });
    try {
      socket = new deps.WebSocket(deps.url);
    } catch (cause) {
      // A malformed URL throws synchronously; settings parsing should have caught it.
      phase = { phase: 'waiting' };
      retry(new ProtocolError('feed: cannot open the WebSocket URL', { url: deps.url }, { cause }));
      return;
    }
    phase = { phase: 'connecting', socket };
    socket.onopen = () => {
      send(socket, { type: 'subscribe', token: deps.token, extensions: deps.extensions });
    };
    socket.onmessage = (event: MessageEvent) => onFrame(socket, event.data);
    socket.onerror = () => {
      // The close event follows with the code; nothing to do here (browsers give no detail).
    };
    socket.onclose = (event: CloseEvent) => {
      if (event.code === CLOSE_UNAUTHORIZED) unauthorized();
      else retry(new NetworkError('WS', deps.url, { cause: { code: event.code, reason: event.reason } }));
    };
    schedule(WS_TIMING.connectTimeoutMs, () => retry(new TimeoutError('WS', deps.url, WS_TIMING.connectTimeoutMs)));
  }

  return {
    start() {
      if (phase.phase !== 'idle') return;
      connect();
    },
    stop() {
      clearTimer();
      if (phase.phase === 'connecting' || phase.phase === 'open') discard(phase.socket);
      const wasClosed = phase.phase === 'closed';
      phase = { phase: 'closed' };
      if (!wasClosed) setStatus({ status: 'closed', reason: 'stopped' });
      emitter.clear();
    },
    nudge() {
      // Online again or awake after sleep: the old socket is probably dead without knowing it.
      // Reconnecting is cheap (the snapshot replays, the tracker drops repeats), waiting is not.
      if (phase.phase === 'waiting' || phase.phase === 'open') {
        if (phase.phase === 'open') discard(phase.socket);
        attempt = 0;
        connect();
      }
    },
    get status() {
      return status;
    },
    on(type, handler) {
      return emitter.on(type, handler);
    },
  };
}
