/**
 * Version-1 sockets that vanished without a close (a laptop lid shut) are found with
 * WebSocket-level pings: one that did not answer the last ping by the next sweep is cut.
 * Version-2 sockets are watched by their own silence timer instead (subscribers.ts).
 */
import type { WebSocket } from 'ws';
// Node's own timers (unref-able), also when the relay runs inside a jsdom test environment.
import { clearInterval, setInterval } from 'node:timers';

export interface Pinged {
  socket: WebSocket;
  /** Set by any frame or pong from the widget. */
  alive: boolean;
  version: number;
}

/** Starts the sweep; the returned function stops it. */
export function startPingSweep(sockets: Iterable<Pinged>, everyMs: number): () => void {
  const sweep = setInterval(() => {
    for (const sub of sockets) {
      if (sub.version === 2) continue;
      if (!sub.alive) {
        sub.socket.terminate();
        continue;
      }
      sub.alive = false;
      try {
        sub.socket.ping();
      } catch {
        // the socket is closing; its close handler removes it
      }
    }
  }, everyMs);
  sweep.unref();
  return () => clearInterval(sweep);
}
