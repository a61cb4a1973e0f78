/**
 * The WebSocket transport's shell: owns one socket at a time and the one timer, feeds what
 * they do into `stepWebSocket` (ws-machine.ts, where every decision is) and performs the
 * effects it answers.
 */
import type { Clock } from '../core/clock';
import { createEmitter } from '../core/emitter';
import type { Logger } from '../core/logger';
import { createSingleTimer } from '../core/timer';
import type { Dropped } from '../protocol/frames';
import { composeAuth, composeSubscribe } from '../protocol/subscribe';
import type { FeedCredentials } from './credentials';
import { probeUrl } from '../protocol/url';
import { runMachine } from './machine';
import type { CallTransport, FeedStatus, TransportEvents } from './types';
import { stepWebSocket } from './ws-machine';
import type { WsEffect, WsInput, WsState } from './ws-machine';

export interface WebSocketTransportDeps {
  url: string;
  credentials: FeedCredentials;
  extensions: string[];
  clock: Clock;
  logger: Logger;
  WebSocket: typeof WebSocket;
  /** For the HTTP probe after failed sockets (ws-machine.ts). */
  fetch: typeof fetch;
  random: () => number;
  /** Nobody looks at this tab and it serves no other: failures back off (ws-machine.ts). */
  hidden(): boolean;
  onVisibilityChange(handler: () => void): () => void;
  /** Called for every dropped frame or event; the feed logs once per kind. */
  onDrop(dropped: Dropped): void;
}

/** Detaches our handlers first, so a socket we gave up on can never call back into us. */
function discard(socket: WebSocket): void {
  socket.onopen = null;
  socket.onmessage = null;
  socket.onclose = null;
  socket.onerror = () => {}; // some implementations emit 'error' while closing; keep it handled
  try {
    if (socket.readyState === 0 || socket.readyState === 1) socket.close(1000);
  } catch {
    // closing a half-open socket can throw in some implementations; it is gone either way
  }
}

export function createWebSocketTransport(deps: WebSocketTransportDeps): CallTransport {
  const emitter = createEmitter<TransportEvents>();
  const timer = createSingleTimer(deps.clock);
  let status: FeedStatus = { status: 'idle' };
  let socket: WebSocket | null = null;
  /** The probe out, if any: aborting it also makes its late outcome land nowhere. */
  let probing: AbortController | null = null;
  const machine = runMachine<WsState, WsInput, WsEffect>({ phase: 'idle' }, (state, input) => stepWebSocket(deps.url, state, input), perform);
  const now = () => deps.clock.now();
  /** What a failure's step needs to know: when, one random draw, whether anyone looks. */
  const moment = () => ({ now: now(), random: deps.random(), hidden: deps.hidden() });
  let offVisibility: (() => void) | null = null;
  let offRenewed: (() => void) | null = null;

  function frameFor(effect: Extract<WsEffect, { kind: 'send' }>): object | null {
    if (effect.type === 'subscribe') return composeSubscribe(deps.credentials.current(), deps.extensions, effect.since);
    if (effect.type !== 'auth') return { type: effect.type };
    const credential = deps.credentials.current();
    return credential.kind === 'ticket' ? composeAuth(credential.ticket) : null;
  }

  function send(effect: Extract<WsEffect, { kind: 'send' }>): void {
    const frame = frameFor(effect);
    if (frame === null) return;
    try {
      socket?.send(JSON.stringify(frame));
    } catch (cause) {
      deps.logger.debug('feed: websocket send failed', { cause });
    }
  }

  /** Which open may still happen: a socket waits for a renewal in flight, and a discard cancels it. */
  let openSeq = 0;

  function open(): void {
    const seq = ++openSeq;
    deps.credentials.whenReady(() => {
      if (seq === openSeq) openNow();
    });
  }

  function openNow(): void {
    let current: WebSocket;
    try {
      current = new deps.WebSocket(deps.url);
    } catch (cause) {
      // A malformed URL throws synchronously; settings parsing should have caught it.
      machine.dispatch({ kind: 'unopenable', cause, random: deps.random() });
      return;
    }
    socket = current;
    current.onopen = () => machine.dispatch({ kind: 'socket-open' });
    current.onmessage = (event: MessageEvent) => machine.dispatch({ kind: 'message', data: event.data, now: now() });
    current.onerror = () => {
      // The close event follows with the code; nothing to do here (browsers give no detail).
    };
    current.onclose = (event: CloseEvent) =>
      machine.dispatch({ kind: 'socket-closed', code: event.code, reason: event.reason, ...moment() });
  }

  /** Any HTTP answer, whatever its status (no-cors: opaque), means the relay listens again. */
  function probe(): void {
    const controller = new AbortController();
    probing = controller;
    const settle = (input: WsInput) => {
      if (probing !== controller) return;
      probing = null;
      machine.dispatch(input);
    };
    try {
      deps
        .fetch(probeUrl(deps.url), { mode: 'no-cors', cache: 'no-store', credentials: 'omit', signal: controller.signal })
        .then(() => settle({ kind: 'probe-answered' }), () => settle({ kind: 'probe-failed', ...moment() }));
    } catch {
      settle({ kind: 'probe-failed', ...moment() });
    }
  }

  function perform(effect: WsEffect): void {
    switch (effect.kind) {
      case 'open-socket':
        return open();
      case 'probe':
        return probe();
      case 'send':
        return send(effect);
      case 'renew-credential':
        return deps.credentials.renew();
      case 'discard-socket':
        openSeq += 1;
        if (socket !== null) discard(socket);
        socket = null;
        probing?.abort();
        probing = null;
        return;
      case 'set-timer':
        return timer.set(effect.ms, () => machine.dispatch({ kind: 'timer', ...moment() }));
      case 'clear-timer':
        return timer.clear();
      case 'emit-status':
        status = effect.status;
        return emitter.emit('status', effect.status);
      case 'emit-calls': {
        const { kind: _, ...batch } = effect;
        return emitter.emit('calls', batch);
      }
      case 'drop':
        return deps.onDrop(effect.dropped);
      case 'warn':
        return deps.logger.warn(effect.message, { url: deps.url });
    }
  }

  return {
    start() {
      if (machine.state.phase !== 'idle') return;
      offVisibility = deps.onVisibilityChange(() => {
        if (!deps.hidden()) machine.dispatch({ kind: 'visible' });
      });
      offRenewed = deps.credentials.onRenewed(() => machine.dispatch({ kind: 'renewed' }));
      machine.dispatch({ kind: 'start' });
    },
    stop() {
      offVisibility?.();
      offVisibility = null;
      offRenewed?.();
      offRenewed = null;
      machine.dispatch({ kind: 'stop' });
      timer.clear();
      emitter.clear();
    },
    nudge() {
      machine.dispatch({ kind: 'nudge' });
    },
    get status() {
      return status;
    },
    on(type, handler) {
      return emitter.on(type, handler);
    },
  };
}
