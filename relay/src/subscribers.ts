/**
 * The WebSocket side: widgets connect to `/ws`, subscribe to their extensions, get a snapshot
 * (version 2: with the events they missed) and then one frame per event of those extensions.
 *
 * Liveness: a version-2 widget sends a frame at least every 5 s (a `ping` when it has nothing
 * else to say), so a version-2 socket silent for 12 s is closed (4408). Version-1 sockets keep
 * the WebSocket-level ping sweep. Overload (the subscriber cap) is said in the protocol, not
 * only with a status a browser cannot read: the socket gets an `overloaded` error frame with
 * `retry_after` and is closed with 4503.
 *
 * Authentication (auth/): `subscribe` carries a relay ticket (or the legacy shared token); the
 * extensions must be the ticket user's (4403 otherwise); `auth` renews the ticket on the open
 * socket; a socket whose ticket passes its `exp` unrenewed is closed 4419.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
// Node's own timers (unref-able), also when the relay runs inside a jsdom test environment.
import { clearTimeout, setTimeout } from 'node:timers';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { composeCallFrame } from '../../src/protocol';
import type { SequencedEvent } from '../../src/protocol';
import type { Access } from './auth/access';
import { createExpiryTimer } from './auth/expiry-timer';
import { socketRefusal } from './auth/refusals';
import { CLOSE, closeSocket } from './close-codes';
import { ExtensionIndex } from './extension-index';
import type { SocketGuard } from './guard/socket-guard';
import { startPingSweep } from './ping-sweep';
export { CLOSE } from './close-codes';
import type { CallStore } from './store';
import { clearSubscriber, refuseAccess, sendFrame, sendRaw } from './subscriber';
import type { Subscriber } from './subscriber';
import { createFrameHandler } from './subscriber-frames';
import { vanishesForV1 } from './versions';

export interface SubscriberHubOptions {
  store: CallStore;
  /** Who may subscribe to which extensions (tickets, the legacy token). */
  access: Access;
  /** Admission, caps, frame rate, lifetime, the Origin rule (guard/socket-guard.ts). */
  guard: SocketGuard;
  maxExtensions: number;
  maxFrameBytes: number;
  subscribeTimeoutMs: number;
  sweepEveryMs: number;
  silentCloseMs: number;
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
  /** Sockets subscribed: their snapshot sent, every later event of their extensions reaches them. */
  subscribed(): number;
  /** Unauthenticated sockets, and the authenticated ones that hold a subscriber slot. */
  counts(): { pending: number; subscribers: number };
  /** Cuts the least useful socket (refused, else the oldest pending) for a connection that needs room; its raw socket. */
  shedPending(): Duplex | null;
  close(): void;
}

export function createSubscriberHub(o: SubscriberHubOptions): SubscriberHub {
  const subscribers = new Set<Subscriber>();
  const byExtension = new ExtensionIndex<Subscriber>();
  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxFrameBytes });
  const index = (sub: Subscriber) => byExtension.add(sub, sub.extensions ?? []);
  const unindex = (sub: Subscriber) => byExtension.remove(sub, sub.extensions ?? []);
  const { handleFrame, snapshot } = createFrameHandler({ ...o, index, unindex });

  function onFrame(sub: Subscriber, data: unknown, isBinary: boolean): void {
    sub.alive = true;
    if (sub.silence !== null) sub.silence.refresh();
    sub.inbox = sub.inbox
      .then(() => handleFrame(sub, data, isBinary))
      .catch((error: unknown) => o.log('relay: frame handling failed', { error: String(error) }));
  }

  function accept(ws: WebSocket, address: string, raw: Duplex): void {
    const sub: Subscriber = { socket: ws, extensions: null, version: 1, alive: true, silence: null, userId: null, ticket: createExpiryTimer(o.now, () => refuseAccess(sub, socketRefusal('ticket_expired'))), inbox: Promise.resolve() };
    subscribers.add(sub);
    o.guard.admit(ws, address, raw);
    const deadline = setTimeout(() => {
      if (sub.extensions === null) closeSocket(ws, CLOSE.subscribeTimeout, 'subscribe first');
    }, o.subscribeTimeoutMs);
    deadline.unref();
    ws.on('message', (data, isBinary) => {
      // Over its frame rate (or already refused) a frame is dropped unread.
      if (!o.guard.allowFrame(ws)) return;
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
      o.guard.release(ws);
      clearTimeout(deadline);
      clearSubscriber(sub);
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
    const address = o.guard.screen(req, socket);
    if (address === null) return; // its Origin is not allowed: 403 written
    // The cap counts authenticated sockets only; when they fill it a newcomer is told at once.
    const overloaded = o.guard.full();
    wss.handleUpgrade(req, socket, head, (ws) => {
      if (!overloaded) return accept(ws, address, socket);
      // A browser cannot read the status of a refused upgrade: say it in a frame it can read.
      o.guard.refuseOverloaded(ws, socket);
    });
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
    subscribed: () => {
      let n = 0;
      for (const sub of subscribers) if (sub.extensions !== null) n += 1;
      return n;
    },
    counts: () => o.guard.counts(),
    shedPending: () => o.guard.shedPending(),
    close() {
      stopSweep();
      o.guard.close();
      for (const sub of subscribers) {
        clearSubscriber(sub);
        sub.socket.terminate();
      }
      subscribers.clear();
      byExtension.clear();
      wss.close();
    },
  };
}
