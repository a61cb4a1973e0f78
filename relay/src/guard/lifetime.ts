/**
 * The longest an authenticated socket lives. Credentials change (a user removed from the users
 * file, a token rotated) and a socket authenticated once would otherwise keep its feed for
 * months; after its lifetime the socket is closed with 4410 and the widget reconnects at once,
 * presenting its credential again. Ticket expiry (4419) is auth's own close, apart from this.
 */
import { clearTimeout, setTimeout } from 'node:timers';
import type { WebSocket } from 'ws';
import { CLOSE, closeSocket } from '../close-codes';

/** Starts the socket's clock; the returned function stops it (the socket closed first). */
export function limitLifetime(socket: WebSocket, lifetimeMs: number): () => void {
  // Node runs a longer timer at once (it overflows 2^31 ms, about 24.8 days).
  const timer = setTimeout(() => closeSocket(socket, CLOSE.lifetime, 'lifetime'), Math.min(lifetimeMs, 2 ** 31 - 1));
  timer.unref();
  return () => clearTimeout(timer);
}
