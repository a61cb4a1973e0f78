/** The relay's WebSocket close codes (docs/call-feed-protocol.md), and closing a socket with one. */
import type { WebSocket } from 'ws';
// Node's own timers (unref-able), also when the relay runs inside a jsdom test environment.
import { setTimeout } from 'node:timers';

/** Close codes (4000-4999 are the application's). */
export const CLOSE = {
  /** A bad or forged ticket or token, or a renewal for another user. */
  unauthorized: 4401,
  badRequest: 4400,
  /** An extension that is not the ticket user's (the relay's users file). */
  forbiddenExtension: 4403,
  /** The ticket expired (at subscribe, or on an open socket not renewed in time): get a new one. */
  ticketExpired: 4419,
  /** No `subscribe` in time, or a version-2 socket silent too long. */
  subscribeTimeout: 4408,
  silent: 4408,
  tooSlow: 4429,
  /** A socket over its frame rate (relay/src/guard/frame-rate.ts); 4429 was taken by `tooSlow`. */
  rateLimited: 4420,
  /** The socket reached its maximum lifetime: reconnect (and present the credential again). */
  lifetime: 4410,
  /** The subscriber cap (relay-wide, per address, per user) was reached: come back later. */
  overloaded: 4503,
} as const;

/** A socket we closed gets this long for the closing handshake, then it is cut. */
const CLOSE_GRACE_MS = 2_000;

export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
}
