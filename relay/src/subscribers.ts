/**
 * The WebSocket side: widgets connect to `/ws`, subscribe to their extensions, get a snapshot
 * (version 2: with the events they missed) and then one frame per event of those extensions.
 *
 * Liveness: a version-2 widget sends a frame at least every 5 s (a `ping` when it has nothing
 * else to say), so a version-2 socket silent for 12 s is closed (4408). Version-1 sockets keep
 * the WebSocket-level ping sweep. Overload (the subscriber cap) is said in the protocol, not
 * only with a status a browser cannot read: the socket gets an `overloaded` error frame with
 * `retry_after` and is closed with 4503.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
// Node's own timers (unref-able), also when the relay runs inside a jsdom test environment.
import { clearTimeout, setTimeout } from 'node:timers';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { composeCallFrame, composeError, isRecord, parseSubscribe } from '../../src/protocol';
import type { SequencedEvent } from '../../src/protocol';
import { CLOSE, closeSocket } from './close-codes';
import { RequestRefused } from './errors';
import { ExtensionIndex } from './extension-index';
import { parseExtensions } from './extensions';
import { startPingSweep } from './ping-sweep';
export { CLOSE } from './close-codes';
import { sameSecret } from './secrets';
import type { CallStore } from './store';
import { snapshotFrame, vanishesForV1 } from './versions';
import type { ProtocolVersion } from './versions';

/** A widget that does not read its socket must not make the relay buffer without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface SubscriberHubOptions {
  store: CallStore;
  token: string;
  maxSubscribers: number;
  maxExtensions: number;
  maxFrameBytes: number;
  subscribeTimeoutMs: number;
  sweepEveryMs: number;
  silentCloseMs: number;
  overloadRetryAfterS: number;
  recentEndedMs: number;
  now: () => number;
  log: (message: string, context?: Record<string, unknown>) => void;
  /** Runs before a snapshot is taken (the relay's expiry), so snapshots never list expired legs. */
  beforeRead: () => void;
}

export interface SubscriberHub {
  /** The caller checked the path; `refuse`: the relay is closing (HTTP 503). */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, refuse: boolean): void;
  /** Sends emitted events to the subscribers of their extensions. */
  fanOut(emitted: readonly SequencedEvent[]): void;
  count(): number;
  close(): void;
}

interface Subscriber {
  socket: WebSocket;
  extensions: Set<string> | null; // null until `subscribe`
  version: ProtocolVersion;
  alive: boolean;
  silence: NodeJS.Timeout | null;
}

export function createSubscriberHub(o: SubscriberHubOptions): SubscriberHub {
  const subscribers = new Set<Subscriber>();
  const byExtension = new ExtensionIndex<Subscriber>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes });
  const index = (sub: Subscriber) => byExtension.add(sub, sub.extensions ?? []);
  const unindex = (sub: Subscriber) => byExtension.remove(sub, sub.extensions ?? []);

  function sendRaw(sub: Subscriber, frame: string): void {
    if (sub.socket.readyState !== sub.socket.OPEN) return;
    if (sub.socket.bufferedAmount > MAX_BUFFERED_BYTES) return closeSocket(sub.socket, CLOSE.tooSlow, 'too slow');
    sub.socket.send(frame);
  }

  const sendFrame = (sub: Subscriber, frame: object) => sendRaw(sub, JSON.stringify(frame));

  const snapshot = (sub: Subscriber, extensions: Set<string>, since: Parameters<CallStore['missedSince']>[1] | null) =>
    snapshotFrame(o.store, sub.version, extensions, since, { now: o.now(), recentEndedMs: o.recentEndedMs });

  function refuse(sub: Subscriber, code: 'unauthorized' | 'bad_request', reason: string): void {
    sendFrame(sub, code === 'unauthorized' ? composeError(code) : composeError(code, { reason }));
    closeSocket(sub.socket, code === 'unauthorized' ? CLOSE.unauthorized : CLOSE.badRequest, code === 'unauthorized' ? 'unauthorized' : 'bad subscribe');
  }

  function watchSilence(sub: Subscriber): void {
    if (sub.version !== 2) {
      if (sub.silence !== null) clearTimeout(sub.silence);
      sub.silence = null;
      return;
    }
    if (sub.silence !== null) return void sub.silence.refresh();
    sub.silence = setTimeout(() => closeSocket(sub.socket, CLOSE.silent, 'silent'), o.silentCloseMs);
    sub.silence.unref();
  }

  function onSubscribe(sub: Subscriber, frame: Record<string, unknown>): void {
    const parsed = parseSubscribe(frame);
    if (!parsed.ok) return refuse(sub, 'bad_request', parsed.reason);
    const { token, extensions: rawExtensions, version, since } = parsed.request;
    if (token === null || !sameSecret(token, o.token)) return refuse(sub, 'unauthorized', 'wrong token');
    let extensions: Set<string>;
    try {
      if (!Array.isArray(rawExtensions)) throw new RequestRefused(400, 'bad_request', 'extensions must be a list of strings');
      extensions = parseExtensions(rawExtensions, o.maxExtensions);
    } catch (error) {
      return refuse(sub, 'bad_request', error instanceof RequestRefused ? error.reason : 'bad subscribe');
    }
    o.beforeRead();
    // Snapshot and registration happen in the same turn: no event can fall between them.
    unindex(sub);
    sub.extensions = extensions;
    sub.version = version;
    sendFrame(sub, snapshot(sub, extensions, since));
    index(sub);
    watchSilence(sub);
  }

  function onFrame(sub: Subscriber, data: unknown, isBinary: boolean): void {
    sub.alive = true;
    if (sub.silence !== null) sub.silence.refresh();
    if (isBinary) return sendFrame(sub, composeError('bad_frame', { reason: 'text frames only' }));
    let frame: unknown;
    try {
      frame = JSON.parse(String(data));
    } catch {
      return sendFrame(sub, composeError('bad_frame', { reason: 'not JSON' }));
    }
    if (!isRecord(frame)) return sendFrame(sub, composeError('bad_frame', { reason: 'not an object' }));
    // Version 2's pong carries the current offset: a quiet widget's position stays fresh, so a
    // blip after a long quiet spell is still covered by the history.
    if (frame.type === 'ping') return sendFrame(sub, sub.version === 2 ? { type: 'pong', offset: o.store.position().offset } : { type: 'pong' });
    if (frame.type === 'subscribe') return onSubscribe(sub, frame);
    // Unknown frame types are ignored, as the widget does (room for later versions).
  }

  function accept(ws: WebSocket): void {
    const sub: Subscriber = { socket: ws, extensions: null, version: 1, alive: true, silence: null };
    subscribers.add(sub);
    const deadline = setTimeout(() => {
      if (sub.extensions === null) closeSocket(ws, CLOSE.subscribeTimeout, 'subscribe first');
    }, o.subscribeTimeoutMs);
    deadline.unref();
    ws.on('message', (data, isBinary) => {
      try {
        onFrame(sub, data, isBinary);
      } catch (error) {
        o.log('relay: frame handling failed', { error: String(error) });
      }
    });
    ws.on('pong', () => {
      sub.alive = true;
    });
    ws.on('error', (error) => o.log('relay: socket error', { error: String(error) }));
    ws.on('close', () => {
      clearTimeout(deadline);
      if (sub.silence !== null) clearTimeout(sub.silence);
      unindex(sub);
      subscribers.delete(sub);
    });
  }

  function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, refuseAll: boolean): void {
    socket.on('error', () => {}); // a reset during the handshake must not crash the process
    if (refuseAll) {
      socket.end('HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
      return;
    }
    const overloaded = subscribers.size >= o.maxSubscribers;
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!overloaded) return accept(ws);
      // A browser cannot read the status of a refused upgrade: say it in a frame it can read.
      ws.on('error', () => {});
      ws.send(JSON.stringify(composeError('overloaded', { retryAfterS: o.overloadRetryAfterS })));
      closeSocket(ws, CLOSE.overloaded, 'overloaded');
    });
    if (overloaded) o.log('relay: subscriber cap reached, a widget was told to come back later', { subscribers: subscribers.size });
  }

  function fanOut(emitted: readonly SequencedEvent[]): void {
    const resnapshot = new Set<Subscriber>();
    for (const { offset, event } of emitted) {
      const subs = byExtension.listeners(event.extension);
      if (subs === undefined) continue;
      let v1: string | null = null;
      let v2: string | null = null;
      for (const sub of subs) {
        if (sub.version === 2) sendRaw(sub, (v2 ??= JSON.stringify(composeCallFrame(event, offset))));
        else if (vanishesForV1(event)) resnapshot.add(sub);
        else sendRaw(sub, (v1 ??= JSON.stringify(composeCallFrame(event, null))));
      }
    }
    // Version 1 learns that a leg vanished from a complete list: a fresh snapshot, once per batch.
    for (const sub of resnapshot) if (sub.extensions !== null) sendFrame(sub, snapshot(sub, sub.extensions, null));
  }

  const stopSweep = startPingSweep(subscribers, o.sweepEveryMs);

  return {
    upgrade,
    fanOut,
    count: () => subscribers.size,
    close() {
      stopSweep();
      for (const sub of subscribers) {
        if (sub.silence !== null) clearTimeout(sub.silence);
        sub.socket.terminate();
      }
      subscribers.clear();
      byExtension.clear();
      wss.close();
    },
  };
}
