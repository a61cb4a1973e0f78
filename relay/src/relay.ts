/**
 * The reference relay: the server side of docs/call-feed-protocol.md, written to be read by PBX
 * vendors. The PBX POSTs call events in; widgets get them over a WebSocket (`/ws`) or by polling
 * (`GET /calls` JSON, `GET /calls.js` script mode), in protocol version 1 or 2.
 *
 * `createRelay()` only handles requests; mount it in any Node HTTP server (the sandbox does).
 * `startRelay()` (server.ts) runs it on its own port. The parts, one concern each:
 * request-dispatch.ts (which requests are the relay's) with routes.ts (HTTP), subscribers.ts (WebSocket), store.ts (the store's interface) with
 * memory-store.ts and sqlite-store.ts (open-store.ts picks one), leg-rules.ts (what a new event does), history.ts
 * (recovery after a reconnect), versions.ts (what version 1 and 2 are shown), auth/ (who may
 * read which extensions: Kommo's one-time tokens, the relay's tickets, the users file), guard/
 * (load and attack: admission before authentication, caps, frame rate, Origin, lifetime, the
 * server's connection cap and timeouts), originate/ (click-to-call: the route, the PBX adapters),
 * calllog/ (every completed call on the customer's Kommo card, through a durable outbox) with
 * kommo/ (its Kommo API client), ingest-path.ts (where writes go) with cluster/ (several nodes
 * sharing one store through Redis, docs/cluster.md).
 *
 * Robustness rules: every input is bounded (body, frame, subscriptions, legs, history), every
 * bad input gets a 4xx JSON answer or an `error` frame, and no handler may throw out into
 * Node's event loop.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { clearInterval, setInterval } from 'node:timers';
import type { CallEvent } from '../../src/protocol';
import { createAccess } from './auth/access';
import { AuthConfigError } from './auth/config-error';
import { checkSharedSecret } from './auth/settings';
import { admitTime } from './leg-rules';
import { openRelayState } from './open-store';
import { closeAdapter } from './originate/pbx-adapter';
import { createRoutes } from './routes';
import { withDefaults } from './options';
import type { RelayOptions } from './options';
import { createSocketGuard } from './guard/socket-guard';
import { createSubscriberHub } from './subscribers';
import { createPbxSink } from './pbx-source-sink';
import { createRequestDispatch } from './request-dispatch';
import { createIngestPath } from './ingest-path';
import type { BatchOutcome } from './store';
import type { CallLogStatus } from './calllog/status';
import { healthFigures } from './relay-health';

export { CLOSE } from './subscribers';
export { RELAY_DEFAULTS } from './options';
export type { RelayOptions } from './options';

export interface Relay {
  /** Handles the relay's HTTP routes; false when the request is not for the relay. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Handles a WebSocket upgrade to `/ws`; false when it is not for the relay. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Publishes an event as if the PBX had POSTed it (it must be valid). */
  publish(event: CallEvent): { changed: boolean };
  /** Legs ringing or answered now. */
  activeCalls(): CallEvent[];
  /** Open WebSocket subscribers, subscribed or not yet. */
  subscriberCount(): number;
  /** WebSockets that subscribed: from now on every event of their extensions reaches them (a call that began and ended before did not). */
  subscribedCount(): number;
  /** Cuts the least useful WebSocket (refused, else the oldest unauthenticated) for a connection that needs room; its raw socket. */
  shedPending(): Duplex | null;
  /** The call log's outbox and health; null when the relay logs no calls. */
  callLogStatus(): CallLogStatus | null;
  /** Closes sockets and the store at once; resolves when the call log's writes in flight are recorded. */
  close(): Promise<void>;
}

export function createRelay(given: RelayOptions): Relay {
  const options = withDefaults(given);
  const now = options.now ?? (() => Date.now());
  checkSharedSecret(options.pbxToken, 'pbxToken');
  // Widgets need a way in: tickets (the Kommo settings), the legacy shared token, or both.
  if (options.token === undefined && options.auth === undefined) throw new AuthConfigError('createRelay', 'give `auth` (per-user tickets) or the legacy `token`');
  const access = createAccess({ token: checkSharedSecret(options.token, 'token'), auth: options.auth, now });
  const log = options.log ?? (() => {});
  const base = (options.basePath ?? '').replace(/\/$/, '');
  const recentEndedMs = options.endedRetentionMs;
  const { store, callLog } = openRelayState(options, now, log);
  let closed = false;
  const path = createIngestPath({
    store,
    cluster: options.cluster,
    now,
    log,
    emit(emitted) {
      if (emitted.length === 0) return;
      hub.fanOut(emitted);
      callLog?.observe(emitted.map((e) => e.event));
    },
  });
  const maintain = path.maintain;

  // Only authenticated sockets take a subscriber slot; every socket meets the guard first.
  const guard = createSocketGuard({
    maxSubscribers: options.maxSubscribers,
    maxSubscribersPerAddress: options.maxSubscribersPerAddress,
    maxSubscribersPerUser: options.maxSubscribersPerUser,
    maxPending: options.maxPending,
    maxPendingPerAddress: options.maxPendingPerAddress,
    frameRate: { perS: options.frameRatePerS, burst: options.frameBurst },
    subscribeCost: options.subscribeCost,
    maxSocketLifetimeMs: options.maxSocketLifetimeMs,
    overloadRetryAfterS: options.overloadRetryAfterS,
    origins: access.origins,
    ...(options.trustedProxies === undefined ? {} : { trustedProxies: options.trustedProxies }),
    ...(options.cluster === undefined ? {} : { cluster: options.cluster.slots }),
    now,
    log,
  });

  const hub = createSubscriberHub({
    store,
    access,
    guard,
    maxExtensions: options.maxExtensionsPerSubscriber,
    maxFrameBytes: options.maxFrameBytes,
    subscribeTimeoutMs: options.subscribeTimeoutMs,
    sweepEveryMs: options.sweepEveryMs,
    silentCloseMs: options.silentCloseMs,
    recentEndedMs,
    now,
    log,
    beforeRead: maintain,
  });

  const route = createRoutes({
    store,
    access,
    pbxToken: options.pbxToken,
    maxBodyBytes: options.maxBodyBytes,
    maxEventsPerPost: options.maxEventsPerPost,
    maxExtensions: options.maxExtensionsPerSubscriber,
    recentEndedMs,
    retryAfterS: options.fullRetryAfterS,
    originate: {
      adapter: options.originate?.adapter ?? null,
      intervalMs: options.originate?.intervalMs ?? options.originateIntervalMs,
      maxInFlight: options.maxOriginatesInFlight,
      ...(options.cluster === undefined ? {} : { claimInterval: options.cluster.claimInterval }),
    },
    now,
    log,
    ingest: path.ingest,
    beforeRead: maintain,
    health: () => healthFigures({ store, sockets: hub.counts(), callLog: callLog?.status() ?? null, source: options.pbxSource, sourceWaiting: path.waiting(), cluster: options.cluster }),
    callLogStatus: () => callLog?.status() ?? null,
  });

  // A cluster node expires nothing itself (the log's ticks expire every copy): no timer there.
  const expiry = options.cluster === undefined ? setInterval(maintain, options.expireEveryMs) : null;
  let closing: Promise<void> = Promise.resolve();
  // A call that ended while the relay was down is still in the store: logged now.
  callLog?.start(store.allLegs().map((leg) => leg.event));
  expiry?.unref();
  const source = options.pbxSource;
  source?.start(createPbxSink({ now, ingest: path.ingestLater, log }));

  const { handleRequest, handleUpgrade } = createRequestDispatch({
    base,
    route,
    sourceRoutes: source?.routes,
    origins: access.origins,
    closed: () => closed,
    upgrade: (req, socket, head) => hub.upgrade(req, socket, head, closed),
    log,
  });

  return {
    handleRequest,
    handleUpgrade,
    publish(event) {
      if (options.cluster !== undefined) throw new Error('publish() is for a relay alone; a cluster node takes events by POST /pbx/events');
      maintain();
      const outcome = path.ingest([admitTime(event, now()).event]) as BatchOutcome;
      return { changed: outcome.results[0] === 'changed' };
    },
    activeCalls() {
      maintain();
      return store.activeLegs().map((leg) => leg.event);
    },
    subscriberCount() {
      return hub.count();
    },
    subscribedCount() {
      return hub.subscribed();
    },
    shedPending: () => hub.shedPending(),
    callLogStatus: () => callLog?.status() ?? null,
    close() {
      if (closed) return closing;
      closed = true;
      if (expiry !== null) clearInterval(expiry);
      hub.close();
      path.close();
      // A cluster's copy belongs to its node (main.ts closes it after the relay).
      if (options.cluster === undefined) store.close();
      closeAdapter(options.originate?.adapter, log);
      const stopping = source?.stop().catch((error: unknown) => log('relay: the PBX source failed to stop', { error: String(error) }));
      closing = Promise.all([stopping, callLog?.close()]).then(() => undefined);
      return closing;
    },
  };
}
