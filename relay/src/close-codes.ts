/** The relay's WebSocket close codes (docs/call-feed-protocol.md), and closing a socket with one. */
import type { WebSocket } from 'ws';
// Node's own timers (unref-able), also when the relay runs inside a jsdom test environment.
import { setTimeout } from 'node:timers';

/** Close codes (4000-4999 are the application's). */
export const CLOSE = {
  unauthorized: 4401,
  badRequest: 4400,
  /** No `subscribe` in time, or a version-2 socket silent too long. */
  subscribeTimeout: 4408,
  silent: 4408,
  tooSlow: 4429,
  overloaded: 4503,
} as const;

/** A socket we closed gets this long for the closing handshake, then it is cut. */
const CLOSE_GRACE_MS = 2_000;

export function closeSocket(socket: WebSocket, code: number, reason: string): void {
  socket.close(code, reason);
  setTimeout(() => socket.terminate(), CLOSE_GRACE_MS).unref();
}
