/**
 * The WebSocket side's defences, in the order a socket meets them:
 * 1. the upgrade: its Origin (403 before the handshake when refused), its client address;
 * 2. accepted, it is PENDING: no subscriber slot, a place in the pending pool (bounded per
 *    address and relay-wide; the oldest pending make room, closed 4408), a frame budget, a
 *    lifetime; the subscribe deadline is the hub's (4408);
 * 3. its first valid credential AUTHENTICATES it: it takes a subscriber slot, unless a cap
 *    (relay-wide, per address, per user) is reached: `overloaded` frame, close 4503.
 * Every frame is charged to the socket's budget (a subscribe or auth heavier); over it, a
 * `rate_limited` frame and close 4420. When the server runs short of connections it sheds the
 * sockets already refused, then the oldest pending ones (`shedPending`), never an authenticated one.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import { composeError } from '../../../src/protocol';
import { CLOSE, closeSocket } from '../close-codes';
import { capKey, clientAddress, isLoopback } from './client-address';
import { FrameBudget } from './frame-rate';
import type { FrameRate } from './frame-rate';
import { limitLifetime } from './lifetime';
import { upgradeOriginAllowed } from './origin';
import { PendingPool } from './pending-pool';
import type { PendingLimits } from './pending-pool';
import { throttledLog } from './refusal-log';
import type { Log } from './refusal-log';
import type { ClusterSlots } from '../cluster-link';
import { SubscriberCaps } from './subscriber-caps';
import type { CapReached, SubscriberLimits } from './subscriber-caps';

export interface SocketGuardOptions extends PendingLimits, SubscriberLimits {
  frameRate: FrameRate;
  /** What a `subscribe` or `auth` frame counts as: each costs a snapshot or a signature check. */
  subscribeCost: number;
  maxSocketLifetimeMs: number;
  overloadRetryAfterS: number;
  /** The Origin allow-list (auth's `--kommo-origin`); null: any origin but `null`. */
  origins: readonly string[] | null;
  trustedProxies?: readonly string[];
  /** On a cluster: the caps count the other nodes' sockets too. */
  cluster?: ClusterSlots;
  now: () => number;
  log: Log;
}

export interface SocketGuard {
  /** Before the handshake: the client's address, or null when its Origin was refused (403 written). */
  screen(req: IncomingMessage, socket: Duplex): string | null;
  /** Authenticated sockets fill the relay-wide cap: a new socket is told so at once. */
  full(): boolean;
  /** A socket accepted while `full()`: the `overloaded` frame, close 4503. */
  refuseOverloaded(ws: WebSocket, raw: Duplex): void;
  /** A socket accepted (pending); older pending sockets may be closed to make room. */
  admit(ws: WebSocket, address: string, raw: Duplex): void;
  /** Charges a frame (`heavy`: what a subscribe or auth costs beyond it); false when refused or over the rate. */
  allowFrame(ws: WebSocket, kind?: 'frame' | 'heavy'): boolean;
  /** A credential checked out (`user`: its Kommo user, null for the legacy token): false when a cap refused it. */
  authenticate(ws: WebSocket, user: string | null): boolean;
  /** The socket closed. */
  release(ws: WebSocket): void;
  /** Cuts the socket that matters least (already refused, else the oldest pending); its raw socket, or null. */
  shedPending(): Duplex | null;
  counts(): { pending: number; subscribers: number };
  close(): void;
}

interface Guarded {
  raw: Duplex;
  address: string;
  /** What the per-address caps count (the address, an IPv6 address's /64), null for this machine (a local proxy, tests). */
  capped: string | null;
  budget: FrameBudget;
  stopLifetime: () => void;
  /** Refused or shed: its frames are ignored while it closes. */
  refused: boolean;
}

function forbidden(socket: Duplex): void {
  const body = JSON.stringify({ error: 'origin_not_allowed', reason: "this Origin is not one of the relay's --kommo-origin" });
  const head = `HTTP/1.1 403 Forbidden\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n`;
  socket.end(head + body, () => socket.destroy());
}

export function createSocketGuard(o: SocketGuardOptions): SocketGuard {
  if (o.subscribeCost > o.frameRate.burst) throw new RangeError(`subscribeCost (${o.subscribeCost}) exceeds frameBurst (${o.frameRate.burst}): no subscribe could pass`);
  const states = new Map<WebSocket, Guarded>();
  const pool = new PendingPool<WebSocket>(o);
  const caps = new SubscriberCaps<WebSocket>(o, o.cluster?.others);
  /** Refused sockets in their closing handshake, oldest first: the first to cut when connections run short. */
  const closing = new Map<WebSocket, Duplex>();
  const refusalLog = throttledLog(o.log);

  function closeRefused(ws: WebSocket, raw: Duplex, code: number, reason: string, frame?: object): void {
    const state = states.get(ws);
    if (state !== undefined) state.refused = true;
    closing.set(ws, raw);
    if (frame !== undefined && ws.readyState === ws.OPEN) ws.send(JSON.stringify(frame));
    closeSocket(ws, code, reason);
  }

  const overloaded = (limit: CapReached) =>
    limit === 'subscribers'
      ? composeError('overloaded', { retryAfterS: o.overloadRetryAfterS })
      : { ...composeError('overloaded', { retryAfterS: o.overloadRetryAfterS, reason: `too many sockets ${limit === 'address' ? 'from one address' : 'of one user'}` }), limit };

  function refuseCap(ws: WebSocket, state: Guarded, limit: CapReached, user: string | null): void {
    closeRefused(ws, state.raw, CLOSE.overloaded, 'overloaded', overloaded(limit));
    if (limit === 'subscribers') refusalLog('relay: subscriber cap reached, a widget was told to come back later', { subscribers: caps.size });
    else if (limit === 'address') refusalLog('relay: per-address cap reached, a widget was told to come back later', { address: state.address, cap: o.maxSubscribersPerAddress });
    else refusalLog('relay: per-user cap reached, a widget was told to come back later', { user, cap: o.maxSubscribersPerUser });
  }

  // On a cluster: this node reports its counts, and lets go of its share of what the nodes took together beyond a cap.
  o.cluster?.report(() => caps.counts());
  const stopSharing = o.cluster?.onRefresh(() => {
    for (const { item, cap, key } of caps.excess()) {
      const state = states.get(item);
      if (state !== undefined && !state.refused) refuseCap(item, state, cap, cap === 'user' ? key : null);
    }
  });

  return {
    screen(req, socket) {
      const origin = req.headers.origin;
      if (upgradeOriginAllowed(origin, o.origins)) return clientAddress(req, o.trustedProxies);
      forbidden(socket);
      refusalLog('relay: a WebSocket upgrade from an origin not allowed was refused (403)', { origin: String(origin).slice(0, 200) });
      return null;
    },
    full: () => caps.full(),
    refuseOverloaded(ws, raw) {
      ws.on('error', () => {});
      ws.once('close', () => closing.delete(ws));
      closeRefused(ws, raw, CLOSE.overloaded, 'overloaded', overloaded('subscribers'));
      refusalLog('relay: subscriber cap reached, a widget was told to come back later', { subscribers: caps.size });
    },
    admit(ws, address, raw) {
      const capped = isLoopback(address) ? null : capKey(address);
      states.set(ws, { raw, address, capped, budget: new FrameBudget(o.frameRate, o.now()), stopLifetime: limitLifetime(ws, o.maxSocketLifetimeMs), refused: false });
      const shed = pool.enter(ws, capped);
      for (const old of shed) {
        const state = states.get(old);
        if (state !== undefined) closeRefused(old, state.raw, CLOSE.subscribeTimeout, 'too many unauthenticated sockets');
      }
      if (shed.length > 0) refusalLog('relay: too many unauthenticated sockets, the oldest were closed (4408)', { pending: pool.size, address });
    },
    allowFrame(ws, kind = 'frame') {
      const state = states.get(ws);
      if (state === undefined || state.refused) return false;
      if (state.budget.take(kind === 'heavy' ? o.subscribeCost - 1 : 1, o.now())) return true;
      closeRefused(ws, state.raw, CLOSE.rateLimited, 'rate limited', composeError('rate_limited', { reason: `more than ${o.frameRate.perS} frames a second` }));
      refusalLog('relay: a socket sent frames too fast and was closed (4420)', { address: state.address });
      return false;
    },
    authenticate(ws, user) {
      const state = states.get(ws);
      if (state === undefined || state.refused) return false;
      const reached = caps.take(ws, state.capped, user);
      if (reached !== null) {
        refuseCap(ws, state, reached, user);
        return false;
      }
      pool.leave(ws);
      return true;
    },
    release(ws) {
      states.get(ws)?.stopLifetime();
      states.delete(ws);
      pool.leave(ws);
      caps.release(ws);
      closing.delete(ws);
    },
    shedPending() {
      const refused = closing.entries().next().value as [WebSocket, Duplex] | undefined;
      const victim = refused?.[0] ?? pool.takeOldest();
      if (victim === undefined) return null;
      const raw = refused?.[1] ?? states.get(victim)?.raw ?? null;
      closing.delete(victim);
      victim.terminate();
      return raw;
    },
    counts: () => ({ pending: pool.size, subscribers: caps.size }),
    close() {
      stopSharing?.();
      for (const state of states.values()) state.stopLifetime();
      states.clear();
      closing.clear();
    },
  };
}
