/**
 * The reference relay: the server side of docs/call-feed-protocol.md, written to be read by PBX
 * vendors. The PBX POSTs call events in; widgets get them over a WebSocket (`/ws`) or by polling
 * (`GET /calls` JSON, `GET /calls.js` script mode), in protocol version 1 or 2.
 *
 * `createRelay()` only handles requests; mount it in any Node HTTP server (the sandbox does).
 * `startRelay()` (server.ts) runs it on its own port. The parts, one concern each:
 * routes.ts (HTTP), subscribers.ts (WebSocket), store.ts (the store's interface) with
 * memory-store.ts and sqlite-store.ts, leg-rules.ts (what a new event does), history.ts
 * (recovery after a reconnect), versions.ts (what version 1 and 2 are shown).
 *
 * Robustness rules: every input is bounded (body, frame, subscriptions, legs, history), every
 * bad input gets a 4xx JSON answer or an `error` frame, and no handler may throw out into
 * Node's event loop.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { clearInterval, setInterval } from 'node:timers';
import type { CallEvent } from '../../src/protocol';
import { RequestRefused } from './errors';
import { corsHeaders, sendJson } from './http-answers';
import { admitTime } from './leg-rules';
import { MemoryStore } from './memory-store';
import { createRoutes, ROUTES } from './routes';
import { SqliteStore } from './sqlite-store';
import type { CallStore, StoreLimits } from './store';
import { createSubscriberHub } from './subscribers';

export { CLOSE } from './subscribers';

const MINUTE = 60_000;

/** The limits a relay gets when its options leave them out (main.ts shows them in `--help`). */
export const RELAY_DEFAULTS = {
  /** Sized so that every widget of a large account reconnecting at once after a restart is served. */
  maxSubscribers: 10_000,
  maxExtensionsPerSubscriber: 50,
  maxBodyBytes: 256 * 1024,
  maxFrameBytes: 16 * 1024,
  maxEventsPerPost: 500,
  /** Call legs remembered at once (live and ended); a new leg beyond it evicts the oldest ended one, or gets 503 full. */
  maxCalls: 10_000,
  /** Ended legs are listed in snapshots (v2) and poll answers for this long (protocol: 60 s). */
  endedRetentionMs: 60_000,
  /** Ended legs are remembered this long, so a late repeat of their events changes nothing. */
  endedKeepMs: 10 * MINUTE,
  /** A leg ringing this long is ended by the relay (`"expired": true`). */
  ringingMaxAgeMs: 10 * MINUTE,
  /** A leg answered this long is ended by the relay (`"expired": true`). */
  answeredMaxAgeMs: 240 * MINUTE,
  /** History kept for recovery after a reconnect: its age... */
  historyMaxAgeMs: 10 * MINUTE,
  /** ...events per extension... */
  historyMaxPerExtension: 500,
  /** ...and events in all. */
  historyMaxEvents: 50_000,
  /** How often expiry runs without traffic (it also runs before every read and write). */
  expireEveryMs: 1_000,
  subscribeTimeoutMs: 10_000,
  /** WebSocket-level ping of version-1 sockets. */
  sweepEveryMs: 30_000,
  /** A version-2 socket that sent no frame for this long is closed (4408). */
  silentCloseMs: 12_000,
  /** `retry_after` of the `overloaded` frame (seconds). */
  overloadRetryAfterS: 10,
  /** `Retry-After` of a 503 `full` or `store_unavailable` answer to the PBX (seconds). */
  fullRetryAfterS: 5,
  /** The command line's data directory (main.ts); createRelay without `dataDir` keeps everything in memory. */
  dataDir: 'relay-data',
} as const;

export interface RelayOptions {
  /** What widgets present (the widget's `token` setting). */
  token: string;
  /** What the PBX presents on `POST /pbx/events`. */
  pbxToken: string;
  /** Where the SQLite store lives (`<dataDir>/relay.sqlite`); without it the store is in memory. */
  dataDir?: string;
  /** A store of your own (tests); wins over `dataDir`. */
  store?: CallStore;
  /** WebSocket connections at once, relay-wide (default 10 000); more get the `overloaded` frame. */
  maxSubscribers?: number;
  /** Extensions one connection or poll may ask for (default 50). */
  maxExtensionsPerSubscriber?: number;
  /** `POST /pbx/events` body limit in bytes (default 256 KB). */
  maxBodyBytes?: number;
  /** Largest WebSocket frame accepted from a widget (default 16 KB; larger closes with 1009). */
  maxFrameBytes?: number;
  /** Events per POST (default 500). */
  maxEventsPerPost?: number;
  /** Call legs remembered at once (default 10 000). */
  maxCalls?: number;
  /** How long ended legs stay in poll answers and v2 snapshots (protocol: 60 s). */
  endedRetentionMs?: number;
  endedKeepMs?: number;
  ringingMaxAgeMs?: number;
  answeredMaxAgeMs?: number;
  historyMaxAgeMs?: number;
  historyMaxPerExtension?: number;
  historyMaxEvents?: number;
  expireEveryMs?: number;
  /** The socket must send `subscribe` within this time (default 10 s). */
  subscribeTimeoutMs?: number;
  /** Server-side liveness check of idle version-1 sockets (WebSocket-level ping; default 30 s). */
  sweepEveryMs?: number;
  silentCloseMs?: number;
  overloadRetryAfterS?: number;
  fullRetryAfterS?: number;
  /** Path prefix when mounted inside another server (default ''). */
  basePath?: string;
  now?: () => number;
  log?: (message: string, context?: Record<string, unknown>) => void;
}

export interface Relay {
  /** Handles the relay's HTTP routes; false when the request is not for the relay. */
  handleRequest(req: IncomingMessage, res: ServerResponse): boolean;
  /** Handles a WebSocket upgrade to `/ws`; false when it is not for the relay. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Publishes an event as if the PBX had POSTed it (it must be valid). */
  publish(event: CallEvent): { changed: boolean };
  /** Legs ringing or answered now. */
  activeCalls(): CallEvent[];
  /** Open WebSocket subscribers. */
  subscriberCount(): number;
  close(): void;
}

function storeLimits(options: RelayOptions): StoreLimits {
  return {
    maxLegs: options.maxCalls ?? RELAY_DEFAULTS.maxCalls,
    ringingMaxAgeMs: options.ringingMaxAgeMs ?? RELAY_DEFAULTS.ringingMaxAgeMs,
    answeredMaxAgeMs: options.answeredMaxAgeMs ?? RELAY_DEFAULTS.answeredMaxAgeMs,
    endedKeepMs: options.endedKeepMs ?? RELAY_DEFAULTS.endedKeepMs,
    historyMaxAgeMs: options.historyMaxAgeMs ?? RELAY_DEFAULTS.historyMaxAgeMs,
    historyMaxPerExtension: options.historyMaxPerExtension ?? RELAY_DEFAULTS.historyMaxPerExtension,
    historyMaxEvents: options.historyMaxEvents ?? RELAY_DEFAULTS.historyMaxEvents,
  };
}

export function createRelay(options: RelayOptions): Relay {
  const now = options.now ?? (() => Date.now());
  const log = options.log ?? (() => {});
  const base = (options.basePath ?? '').replace(/\/$/, '');
  const recentEndedMs = options.endedRetentionMs ?? RELAY_DEFAULTS.endedRetentionMs;
  const limits = storeLimits(options);
  const store: CallStore =
    options.store ?? (options.dataDir !== undefined ? new SqliteStore({ dataDir: options.dataDir, limits, log }) : new MemoryStore(limits));
  let closed = false;

  function maintain(): void {
    if (closed) return;
    try {
      hub.fanOut(store.expire(now()));
    } catch (error) {
      // A failed expiry is retried on the next request or tick; nothing was half-applied.
      log('relay: expiry failed', { error: String(error) });
    }
  }

  const hub = createSubscriberHub({
    store,
    token: options.token,
    maxSubscribers: options.maxSubscribers ?? RELAY_DEFAULTS.maxSubscribers,
    maxExtensions: options.maxExtensionsPerSubscriber ?? RELAY_DEFAULTS.maxExtensionsPerSubscriber,
    maxFrameBytes: options.maxFrameBytes ?? RELAY_DEFAULTS.maxFrameBytes,
    subscribeTimeoutMs: options.subscribeTimeoutMs ?? RELAY_DEFAULTS.subscribeTimeoutMs,
    sweepEveryMs: options.sweepEveryMs ?? RELAY_DEFAULTS.sweepEveryMs,
    silentCloseMs: options.silentCloseMs ?? RELAY_DEFAULTS.silentCloseMs,
    overloadRetryAfterS: options.overloadRetryAfterS ?? RELAY_DEFAULTS.overloadRetryAfterS,
    recentEndedMs,
    now,
    log,
    beforeRead: maintain,
  });

  function ingest(events: readonly CallEvent[]) {
    const outcome = store.apply(events, now());
    hub.fanOut(outcome.emitted);
    return outcome;
  }

  const route = createRoutes({
    store,
    token: options.token,
    pbxToken: options.pbxToken,
    maxBodyBytes: options.maxBodyBytes ?? RELAY_DEFAULTS.maxBodyBytes,
    maxEventsPerPost: options.maxEventsPerPost ?? RELAY_DEFAULTS.maxEventsPerPost,
    maxExtensions: options.maxExtensionsPerSubscriber ?? RELAY_DEFAULTS.maxExtensionsPerSubscriber,
    recentEndedMs,
    retryAfterS: options.fullRetryAfterS ?? RELAY_DEFAULTS.fullRetryAfterS,
    now,
    log,
    ingest,
    beforeRead: maintain,
    health: () => {
      const { legs, history } = store.counts();
      const { epoch, offset } = store.position();
      return { ok: true, calls: legs, subscribers: hub.count(), store: store.kind, history, epoch, offset };
    },
  });

  const expiry = setInterval(maintain, options.expireEveryMs ?? RELAY_DEFAULTS.expireEveryMs);
  expiry.unref();

  function handleRequest(req: IncomingMessage, res: ServerResponse): boolean {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://relay.invalid');
    } catch {
      return false;
    }
    if (!url.pathname.startsWith(`${base}/`)) return false;
    const path = url.pathname.slice(base.length);
    if (!ROUTES.has(path)) return false;
    if (closed) {
      sendJson(res, 503, { error: 'closing', reason: 'the relay is shutting down' });
      return true;
    }
    route(req, res, url, path).catch((error: unknown) => {
      const cors = path === '/calls' ? corsHeaders(req) : {};
      if (error instanceof RequestRefused) {
        sendJson(res, error.status, { error: error.code, reason: error.reason, ...error.detail }, { ...cors, ...error.headers });
      } else {
        log('relay: request failed', { path, error: String(error) });
        sendJson(res, 500, { error: 'internal', reason: 'the relay failed; see its log' }, cors);
      }
    });
    return true;
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean {
    let path: string;
    try {
      path = new URL(req.url ?? '/', 'http://relay.invalid').pathname;
    } catch {
      return false;
    }
    if (path !== `${base}/ws`) return false;
    hub.upgrade(req, socket, head, closed);
    return true;
  }

  return {
    handleRequest,
    handleUpgrade,
    publish(event) {
      maintain();
      const outcome = ingest([admitTime(event, now()).event]);
      return { changed: outcome.results[0] === 'changed' };
    },
    activeCalls() {
      maintain();
      return store.activeLegs().map((leg) => leg.event);
    },
    subscriberCount() {
      return hub.count();
    },
    close() {
      if (closed) return;
      closed = true;
      clearInterval(expiry);
      hub.close();
      store.close();
    },
  };
}
