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
import { composeCallFrame, composeError, isRecord, parseSubscribe } from '../../src/protocol';
import type { SequencedEvent } from '../../src/protocol';
import type { Access } from './auth/access';
import { createExpiryTimer } from './auth/expiry-timer';
import type { ExpiryTimer } from './auth/expiry-timer';
import { socketRefusal } from './auth/refusals';
import type { SocketRefusal } from './auth/refusals';
import { renew, secondsLeft, subscribeCredential } from './auth/socket-auth';
import { CLOSE, closeSocket } from './close-codes';
import { RequestRefused } from './errors';
import { ExtensionIndex } from './extension-index';
import type { SocketGuard } from './guard/socket-guard';
import { parseExtensions } from './extensions';
import { startPingSweep } from './ping-sweep';
export { CLOSE } from './close-codes';
import type { CallStore } from './store';
import { snapshotFrame, vanishesForV1 } from './versions';
import type { ProtocolVersion } from './versions';

/** A widget that does not read its socket must not make the relay buffer without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

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
  /** Unauthenticated sockets, and the authenticated ones that hold a subscriber slot. */
  counts(): { pending: number; subscribers: number };
  /** Cuts the least useful socket (refused, else the oldest pending) for a connection that needs room; its raw socket. */
  shedPending(): Duplex | null;
  close(): void;
}

interface Subscriber {
  socket: WebSocket;
  extensions: Set<string> | null; // null until `subscribe`
  version: ProtocolVersion;
  alive: boolean;
  silence: NodeJS.Timeout | null;
  /** The Kommo user of the socket's ticket; null on the legacy token, or before `subscribe`. */
  userId: string | null;
  /** The ticket's deadline: closed 4419 then, unless an `auth` frame renewed it. */
  ticket: ExpiryTimer;
  /** Frames are handled one after the other (a ticket is checked asynchronously), in arrival order. */
  inbox: Promise<void>;
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

  function refuse(sub: Subscriber, code: 'bad_request', reason: string): void {
    sendFrame(sub, composeError(code, { reason }));
    closeSocket(sub.socket, CLOSE.badRequest, 'bad subscribe');
  }

  /** unauthorized 4401, ticket_expired 4419, forbidden_extension 4403 (auth/refusals.ts). */
  function refuseAccess(sub: Subscriber, refusal: SocketRefusal): void {
    sub.ticket.clear();
    sendFrame(sub, refusal.frame);
    closeSocket(sub.socket, refusal.closeCode, refusal.closeReason);
  }

  const isOpen = (sub: Subscriber) => sub.socket.readyState === sub.socket.OPEN;

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

  async function onSubscribe(sub: Subscriber, frame: Record<string, unknown>): Promise<void> {
    const parsed = parseSubscribe(frame);
    if (!parsed.ok) return refuse(sub, 'bad_request', parsed.reason);
    const { token, extensions: rawExtensions, version, since } = parsed.request;
    const credential = subscribeCredential(frame, token);
    const checked = await o.access.authenticate(credential);
    if (!checked.ok) return refuseAccess(sub, socketRefusal(checked.code));
    let extensions: Set<string>;
    try {
      if (!Array.isArray(rawExtensions)) throw new RequestRefused(400, 'bad_request', 'extensions must be a list of strings');
      extensions = parseExtensions(rawExtensions, o.maxExtensions);
    } catch (error) {
      return refuse(sub, 'bad_request', error instanceof RequestRefused ? error.reason : 'bad subscribe');
    }
    const forbidden = o.access.forbidden(checked.grant, extensions);
    if (forbidden.length > 0) return refuseAccess(sub, socketRefusal('forbidden_extension', forbidden));
    // Closed while its ticket was checked: its close handler has run, nothing may index it again.
    if (!isOpen(sub)) return;
    // Authenticated now: it takes a subscriber slot, unless a cap says come back later.
    if (!o.guard.authenticate(sub.socket, checked.grant.userId)) return;
    o.beforeRead();
    // Snapshot and registration happen in the same turn: no event can fall between them.
    unindex(sub);
    sub.extensions = extensions;
    sub.version = version;
    sub.userId = checked.grant.userId;
    sub.ticket.set(checked.grant.expiresAtMs);
    sendFrame(sub, snapshot(sub, extensions, since));
    index(sub);
    watchSilence(sub);
  }

  function onFrame(sub: Subscriber, data: unknown, isBinary: boolean): void {
    sub.alive = true;
    if (sub.silence !== null) sub.silence.refresh();
    sub.inbox = sub.inbox
      .then(() => handleFrame(sub, data, isBinary))
      .catch((error: unknown) => o.log('relay: frame handling failed', { error: String(error) }));
  }

  /** `{"type": "auth", "ticket": ...}`: the socket stays, with its extensions, until the new ticket's `exp`. */
  async function onAuth(sub: Subscriber, frame: Record<string, unknown>): Promise<void> {
    if (sub.extensions === null) return refuse(sub, 'bad_request', 'subscribe first, then renew with auth');
    const decision = await renew(o.access, { userId: sub.userId, extensions: sub.extensions }, frame);
    if (!decision.ok) return refuseAccess(sub, decision.refusal);
    if (!isOpen(sub)) return;
    sub.userId = decision.grant.userId;
    sub.ticket.set(decision.grant.expiresAtMs);
    sendFrame(sub, { type: 'auth_ok', expires_in: secondsLeft(decision.grant, o.now()) });
  }

  async function handleFrame(sub: Subscriber, data: unknown, isBinary: boolean): Promise<void> {
    if (!isOpen(sub)) return;
    // Its timer may not have fired yet: nothing is handled on an expired ticket.
    if (sub.ticket.passed()) return refuseAccess(sub, socketRefusal('ticket_expired'));
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
    // A subscribe costs a snapshot, an auth a signature check: they count heavier against the frame rate.
    if ((frame.type === 'subscribe' || frame.type === 'auth') && !o.guard.allowFrame(sub.socket, 'heavy')) return;
    if (frame.type === 'subscribe') return onSubscribe(sub, frame);
    if (frame.type === 'auth') return onAuth(sub, frame);
    // Unknown frame types are ignored, as the widget does (room for later versions).
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
      if (sub.silence !== null) clearTimeout(sub.silence);
      sub.ticket.clear();
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
    counts: () => o.guard.counts(),
    shedPending: () => o.guard.shedPending(),
    close() {
      stopSweep();
      o.guard.close();
      for (const sub of subscribers) {
        if (sub.silence !== null) clearTimeout(sub.silence);
        sub.ticket.clear();
        sub.socket.terminate();
      }
      subscribers.clear();
      byExtension.clear();
      wss.close();
    },
  };
}
