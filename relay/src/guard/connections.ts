/**
 * The open TCP connections of the relay's server, capped (`maxConnections`, below the process's
 * open-files limit: descriptor-limit.ts). A connection beyond the cap makes room by cutting the
 * one that matters least, so the PBX endpoint and new widgets stay reachable while idle sockets
 * hold the rest:
 * 1. the oldest connection that has not sent a complete request yet (idle or dribbling headers);
 * 2. a WebSocket that has not authenticated (the hub's `shedPending`: refused ones first);
 * 3. the oldest idle keep-alive connection (its client opens a new one when it needs it).
 * A request in progress and an authenticated WebSocket are never cut; when nothing else is left
 * the newcomer is. Authenticated sockets cannot fill the cap: the subscriber cap stays
 * `connectionReserve` below it (server.ts).
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Log } from './refusal-log';
import { throttledLog } from './refusal-log';

const oldest = (sockets: Set<Socket>): Socket | undefined => sockets.values().next().value;

export class ConnectionGuard {
  private readonly open = new Set<Socket>();
  /** Connected, no complete request yet; oldest first. */
  private readonly fresh = new Set<Socket>();
  /** Keep-alive, between requests; oldest first. */
  private readonly idle = new Set<Socket>();
  private readonly refusalLog: Log;

  constructor(private readonly o: { maxConnections: number; shedPending: () => Duplex | null; log: Log }) {
    this.refusalLog = throttledLog(o.log);
  }

  get size(): number {
    return this.open.size;
  }

  /** A new connection; false when it was cut at once (every connection is in use). */
  accept(socket: Socket): boolean {
    if (this.open.size >= this.o.maxConnections && !this.shedOne()) {
      socket.destroy();
      this.refusalLog('relay: connection cap reached and every connection in use, a new one was cut', { connections: this.open.size });
      return false;
    }
    this.open.add(socket);
    this.fresh.add(socket);
    socket.once('close', () => this.forget(socket));
    return true;
  }

  requestStarted(socket: Socket): void {
    this.fresh.delete(socket);
    this.idle.delete(socket);
  }

  requestDone(socket: Socket): void {
    if (this.open.has(socket) && !socket.destroyed) this.idle.add(socket);
  }

  /** Handed to the WebSocket hub, which decides what it is worth (`shedPending`). */
  upgraded(socket: Socket): void {
    this.fresh.delete(socket);
    this.idle.delete(socket);
  }

  destroyAll(): void {
    for (const socket of this.open) socket.destroy();
    this.open.clear();
    this.fresh.clear();
    this.idle.clear();
  }

  private shedOne(): boolean {
    let cut = 'no request yet';
    let victim: Duplex | undefined | null = oldest(this.fresh);
    if (victim === undefined) {
      cut = 'unauthenticated WebSocket';
      victim = this.o.shedPending();
    }
    if (victim === null) {
      cut = 'idle keep-alive';
      victim = oldest(this.idle);
    }
    if (victim === undefined) return false;
    this.forget(victim as Socket);
    victim.destroy();
    this.refusalLog('relay: connection cap reached, the least useful connection was cut', { connections: this.open.size, cut });
    return true;
  }

  private forget(socket: Socket): void {
    this.open.delete(socket);
    this.fresh.delete(socket);
    this.idle.delete(socket);
  }
}
