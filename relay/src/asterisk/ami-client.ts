/**
 * The AMI connection shell: owns the socket and the timers, and nothing else. Decisions are in
 * ami-session.ts (connect, backoff, login refused), the actions waiting in ami-waiters.ts, the wire
 * format in ami-parser.ts, the Login's event classes in ami-login.ts.
 * https://docs.asterisk.org/Configuration/Interfaces/Asterisk-Manager-Interface-AMI/
 */
import type { Duplex } from 'node:stream';
import type { AmiActions, AmiAnswer, AmiMessage, AmiStatus, Log } from './ami-types';
import { AmiError } from './ami-errors';
import { AmiWaiters } from './ami-waiters';
import { createAmiParser, serializeAction, DEFAULT_MAX_MESSAGE_BYTES } from './ami-parser';
import { initialSession, stepSession } from './ami-session';
import type { SessionConfig, SessionEffect, SessionInput } from './ami-session';
import { ListenerSet } from './ami-listeners';
import { loginAction, loginRefusal } from './ami-login';
import { defaultConnect, nodeTimers } from './ami-connect';
import { createAmiKeepalive } from './ami-keepalive';
import type { AmiClientOptions } from './ami-connect';

export type { AmiClientOptions, AmiConnectOptions, AmiTlsOptions } from './ami-connect';

export interface AmiClient extends AmiActions {
  start(): void;
  stop(): Promise<void>;
  onEvent(listener: (m: AmiMessage) => void): () => void;
  onReady(listener: () => void): () => void;
  status(): AmiStatus;
  onStatus(listener: (s: AmiStatus) => void): () => void;
}

export function createAmiClient(options: AmiClientOptions): AmiClient {
  const timers = options.timers ?? nodeTimers;
  const now = options.now ?? Date.now;
  const log: Log = options.log ?? (() => undefined);
  const connectFn = options.connect ?? defaultConnect;
  const pingEveryMs = options.pingEveryMs ?? 15_000;
  const actionTimeoutMs = options.actionTimeoutMs ?? 10_000;
  const config: SessionConfig = { firstMs: options.backoff?.firstMs ?? 500, maxMs: options.backoff?.maxMs ?? 30_000, random: options.random ?? Math.random };
  const eventListeners = new ListenerSet<(m: AmiMessage) => void>(log);
  const readyListeners = new ListenerSet<() => void>(log);
  const statusListeners = new ListenerSet<(s: AmiStatus) => void>(log);
  const waiters = new AmiWaiters(timers, actionTimeoutMs);
  const sockets = new Set<Promise<void>>();
  let session = initialSession;
  let current: { socket: Duplex } | null = null;
  let status: AmiStatus = { state: 'disconnected', since: now(), reason: 'not started', retryInMs: 0 };
  let retryTimer: unknown = null;
  let seq = 0;
  // A Ping unanswered within actionTimeoutMs drops the connection it was sent on.
  const keepalive = createAmiKeepalive({
    timers,
    everyMs: pingEveryMs,
    ping: () => {
      const mine = current;
      return write({ Action: 'Ping' }, 'Ping').then(
        () => undefined,
        (error: AmiError) => {
          if (current === mine && error.code === 'timeout') dispatch({ type: 'dropped', reason: 'ping unanswered' });
        },
      );
    },
  });
  const queue: SessionInput[] = [];
  let dispatching = false;

  const dispatch = (input: SessionInput) => {
    queue.push(input);
    if (dispatching) return;
    dispatching = true;
    try {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const step = stepSession(session, next, now(), config);
        session = step.state;
        for (const effect of step.effects) apply(effect);
      }
    } finally {
      dispatching = false;
    }
  };

  const apply = (effect: SessionEffect) => {
    switch (effect.type) {
      case 'connect': return openSocket();
      case 'close': return closeSocket();
      case 'reject_pending': return waiters.rejectAll();
      case 'start_keepalive': return keepalive.start();
      case 'stop_keepalive': return keepalive.stop();
      case 'schedule_retry':
        clearRetry();
        retryTimer = timers.setTimeout(() => { retryTimer = null; dispatch({ type: 'retry_due' }); }, effect.ms);
        return;
      case 'cancel_retry': return clearRetry();
      case 'ready': return readyListeners.emit((l) => l());
      case 'status':
        status = effect.status;
        return statusListeners.emit((l) => l(effect.status));
      case 'log': return log(effect.message, { ...effect.context, host: options.host, port: options.port, username: options.username });
    }
  };

  const clearRetry = () => {
    if (retryTimer !== null) timers.clearTimeout(retryTimer);
    retryTimer = null;
  };

  const openSocket = () => {
    let socket: Duplex;
    try {
      socket = connectFn({ host: options.host, port: options.port, tls: options.tls ?? false });
    } catch (error) {
      return queue.push({ type: 'dropped', reason: `connect failed: ${String(error)}` });
    }
    const mine = { socket };
    current = mine;
    const parser = createAmiParser({ maxMessageBytes: options.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES, log });
    let lastError: string | undefined;
    const closed: Promise<void> = new Promise<void>((resolve) => {
      socket.once('close', () => {
        sockets.delete(closed);
        resolve();
        if (current === mine) dispatch({ type: 'dropped', reason: lastError ?? 'connection closed by the PBX' });
      });
    });
    sockets.add(closed);
    socket.on('error', (error: NodeJS.ErrnoException) => { lastError = error.code ?? error.message; });
    socket.on('data', (chunk: Buffer | string) => {
      for (const m of parser.push(chunk)) {
        if (current !== mine) return;
        receive(m);
      }
    });
    // Writes before the TCP/TLS handshake completes are queued by node; Asterisk reads the
    // Login after sending its banner.
    const login = loginAction(options.username, options.secret, options.events);
    write(login, 'Login').then(
      (answer) => {
        if (current !== mine) return;
        const refused = loginRefusal(answer.response);
        dispatch(refused === undefined ? { type: 'login_ok' } : { type: 'login_refused', reason: refused });
      },
      (error: AmiError) => {
        if (current === mine) dispatch({ type: 'dropped', reason: `login: ${error.code}` });
      },
    );
  };

  const closeSocket = () => {
    const mine = current;
    current = null;
    mine?.socket.destroy();
  };

  const receive = (m: AmiMessage) => {
    const routed = waiters.receive(m);
    if (routed.to === 'listeners') return eventListeners.emit((l) => l(m));
    if (routed.to === 'nowhere') log('ami message ignored', { why: routed.why, response: m.Response, event: m.Event, actionId: m.ActionID });
  };

  /** Sends on the current socket, whatever the session's phase (Login goes before `connected`). */
  const write = (action: Readonly<Record<string, string>>, name: string): Promise<AmiAnswer> => {
    if (current === null) return Promise.reject(new AmiError('not_connected', `AMI not connected: ${name} not sent`, { action: name }));
    seq += 1;
    const id = `relay-${seq}`;
    let text: string;
    try {
      text = serializeAction({ ...action, ActionID: id });
    } catch (error) {
      // A refused action (CR/LF in a value) is the caller's rejected promise, never a throw.
      return Promise.reject(error);
    }
    const answer = waiters.wait(id, name);
    current.socket.write(text);
    return answer;
  };

  return {
    start: () => dispatch({ type: 'start' }),
    async stop() {
      dispatch({ type: 'stop' });
      await Promise.all([...sockets]);
    },
    send(action) {
      const name = action.Action ?? '(no Action)';
      if (session.phase !== 'connected') return Promise.reject(new AmiError('not_connected', `AMI not logged in (${status.state}): ${name} not sent`, { action: name }));
      return write(action, name);
    },
    onEvent: (l) => eventListeners.add(l),
    onReady: (l) => readyListeners.add(l),
    status: () => status,
    onStatus: (l) => statusListeners.add(l),
  };
}
