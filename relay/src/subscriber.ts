/**
 * One WebSocket subscriber and what is done to it alone: sending (bounded by what it has not
 * read), refusing, the version-2 silence close. The hub (subscribers.ts) keeps the set of them;
 * subscriber-frames.ts handles what they send.
 */
// Node's own timers (unref-able), also when the relay runs inside a jsdom test environment.
import { clearTimeout, setTimeout } from 'node:timers';
import type { WebSocket } from 'ws';
import { composeError } from '../../src/protocol';
import type { ExpiryTimer } from './auth/expiry-timer';
import type { SocketRefusal } from './auth/refusals';
import { CLOSE, closeSocket } from './close-codes';
import type { ProtocolVersion } from './versions';

/** A widget that does not read its socket must not make the relay buffer without end. */
const MAX_BUFFERED_BYTES = 1024 * 1024;

export interface Subscriber {
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

export function sendRaw(sub: Subscriber, frame: string): void {
  if (sub.socket.readyState !== sub.socket.OPEN) return;
  if (sub.socket.bufferedAmount > MAX_BUFFERED_BYTES) return closeSocket(sub.socket, CLOSE.tooSlow, 'too slow');
  sub.socket.send(frame);
}

export const sendFrame = (sub: Subscriber, frame: object) => sendRaw(sub, JSON.stringify(frame));

export const isOpen = (sub: Subscriber) => sub.socket.readyState === sub.socket.OPEN;

export function refuseBadRequest(sub: Subscriber, reason: string): void {
  sendFrame(sub, composeError('bad_request', { reason }));
  closeSocket(sub.socket, CLOSE.badRequest, 'bad subscribe');
}

/** unauthorized 4401, ticket_expired 4419, forbidden_extension 4403 (auth/refusals.ts). */
export function refuseAccess(sub: Subscriber, refusal: SocketRefusal): void {
  sub.ticket.clear();
  sendFrame(sub, refusal.frame);
  closeSocket(sub.socket, refusal.closeCode, refusal.closeReason);
}

/** Version 2 only: a socket that sent nothing for `silentCloseMs` is closed 4408 (version 1 has the ping sweep). */
export function watchSilence(sub: Subscriber, silentCloseMs: number): void {
  if (sub.version !== 2) {
    if (sub.silence !== null) clearTimeout(sub.silence);
    sub.silence = null;
    return;
  }
  if (sub.silence !== null) return void sub.silence.refresh();
  sub.silence = setTimeout(() => closeSocket(sub.socket, CLOSE.silent, 'silent'), silentCloseMs);
  sub.silence.unref();
}

/** Its timers, when it goes. */
export function clearSubscriber(sub: Subscriber): void {
  if (sub.silence !== null) clearTimeout(sub.silence);
  sub.silence = null;
  sub.ticket.clear();
}
