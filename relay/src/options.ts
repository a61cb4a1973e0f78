/**
 * The relay's options and their defaults: the one place a default is written (main.ts shows
 * them in `--help`; `withDefaults` fills them in for createRelay).
 */
import type { AuthOptions } from './auth/settings';
import type { BackoffConfig } from './calllog/after-try';
import type { CallLogTimers } from './calllog/call-log';
import type { Outbox } from './calllog/outbox';
import type { CallLogConfig } from './calllog/types';
import type { KommoApi } from './kommo/types';
import type { PbxAdapter } from './originate/pbx-adapter';
import type { PbxSource } from './pbx-source';
import type { ClusterLink } from './cluster-link';
import type { CallStore } from './store';

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
  /**
   * A socket must authenticate (a valid `subscribe`) this soon after opening, or it is closed
   * (4408). A widget sends `subscribe` as soon as its socket opens (its ticket fetched before),
   * so 5 s covers a slow network many times over, and an idle attacker's socket lasts no longer.
   */
  subscribeTimeoutMs: 5_000,
  /** Unauthenticated sockets at once, relay-wide; the oldest make room for a newcomer (4408), so widgets always get their chance. */
  maxPending: 2_000,
  /** ...and from one client address (this machine is not counted): one address cannot take the whole pool. */
  maxPendingPerAddress: 20,
  /** Authenticated sockets from one client address: an office behind one NAT, one browser each (this machine is not counted). */
  maxSubscribersPerAddress: 200,
  /** Authenticated sockets of one Kommo user (tickets only): one per browser, tabs share it; 20 browsers is already odd. */
  maxSubscribersPerUser: 20,
  /** Frames a socket may send per second on average: a widget sends one every 5 s... */
  frameRatePerS: 20,
  /** ...and at once. */
  frameBurst: 40,
  /** A `subscribe` or `auth` frame counts as this many (a snapshot, a signature check): at most 2 a second by default. */
  subscribeCost: 10,
  /** A socket is closed after this long (4410); the widget reconnects and presents its credential again. */
  maxSocketLifetimeMs: 24 * 60 * MINUTE,
  /** HTTP request headers must arrive within this (a client that sends nothing, or dribbles, is cut: 408). */
  headersTimeoutMs: 10_000,
  /** A whole HTTP request, body included (a slow body is cut: 408). The PBX's POST of 256 KB takes milliseconds. */
  requestTimeoutMs: 30_000,
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: 5_000,
  /**
   * Open TCP connections at once (startRelay; lowered at start below the open-files limit,
   * `ulimit -n`, so the process never meets EMFILE): 10 000 widgets, the pending pool's 2 000.
   */
  maxConnections: 12_000,
  /** Connections authenticated sockets never take (the subscriber cap stays this far below the connection cap): the PBX's, polls', newcomers'. */
  connectionReserve: 16,
  /** WebSocket-level ping of version-1 sockets. */
  sweepEveryMs: 30_000,
  /** A version-2 socket that sent no frame for this long is closed (4408). */
  silentCloseMs: 12_000,
  /** `retry_after` of the `overloaded` frame (seconds). */
  overloadRetryAfterS: 10,
  /** `Retry-After` of a 503 `full` or `store_unavailable` answer to the PBX (seconds). */
  fullRetryAfterS: 5,
  /** Click-to-call: one originate per user (shared token: per extension) per 3 s; a double click dials once. */
  originateIntervalMs: 3_000,
  /** The generic HTTP adapter cuts a PBX that has not answered an originate by then (504). */
  originateTimeoutMs: 5_000,
  /** Originates waiting on the PBX at once, relay-wide: a stuck PBX cannot pile up requests (503). */
  maxOriginatesInFlight: 50,
  /** The command line's data directory (main.ts); createRelay without `dataDir` keeps everything in memory. */
  dataDir: 'relay-data',
} as const;

export interface RelayOptions {
  /**
   * LEGACY shared widget token (version 1, the widget's `token` setting): any extension. Optional;
   * never empty. Without it widgets authenticate with tickets (`auth`).
   */
  token?: string;
  /** Per-user authentication: Kommo's one-time tokens for relay tickets, the users' extensions. */
  auth?: AuthOptions;
  /** What the PBX presents on `POST /pbx/events`. */
  pbxToken: string;
  /** Where the SQLite store lives (`<dataDir>/relay.sqlite`); without it the store is in memory. */
  dataDir?: string;
  /** A store of your own (tests); wins over `dataDir`. */
  store?: CallStore;
  /**
   * One node of a cluster of relays (relay/src/cluster/, docs/cluster.md): its copy of the shared
   * store replaces `store` and `dataDir`, writes go to the cluster, and every node's writes reach
   * this node's sockets. Absent: the relay is alone.
   */
  cluster?: ClusterLink;
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
  /** The socket must authenticate (a valid `subscribe`) within this time (default 5 s). */
  subscribeTimeoutMs?: number;
  /** Load and attack limits (RELAY_DEFAULTS says why each; relay/src/guard/ applies them). */
  maxPending?: number;
  maxPendingPerAddress?: number;
  maxSubscribersPerAddress?: number;
  maxSubscribersPerUser?: number;
  frameRatePerS?: number;
  frameBurst?: number;
  subscribeCost?: number;
  maxSocketLifetimeMs?: number;
  /** HTTP server limits (startRelay only; a relay mounted in another server has that server's). */
  headersTimeoutMs?: number;
  requestTimeoutMs?: number;
  keepAliveTimeoutMs?: number;
  maxConnections?: number;
  connectionReserve?: number;
  /**
   * Peers whose `X-Forwarded-For` names the client (its last entry), for the per-address caps:
   * your TLS proxy. Default this machine (127.0.0.1, ::1).
   */
  trustedProxies?: readonly string[];
  /** Server-side liveness check of idle version-1 sockets (WebSocket-level ping; default 30 s). */
  sweepEveryMs?: number;
  silentCloseMs?: number;
  overloadRetryAfterS?: number;
  fullRetryAfterS?: number;
  /**
   * Click-to-call (`POST /originate`, docs/originate.md): the PBX adapter, and the per-user rate
   * limit (default RELAY_DEFAULTS.originateIntervalMs). Absent: 404 `originate_disabled`.
   */
  originate?: { adapter: PbxAdapter; intervalMs?: number };
  /** Originates waiting on the PBX at once, relay-wide (default 50). */
  maxOriginatesInFlight?: number;
  /**
   * The call log (docs/call-log.md): every completed call written on the customer's Kommo card
   * through `api`, by `config`'s rules, via a durable outbox (`<dataDir>/outbox.sqlite`, or memory
   * without `dataDir`, or your own). The Kommo user of an extension is the users file's (auth),
   * unless `userOf` says. Absent: no call is logged.
   */
  callLog?: {
    api: KommoApi;
    config: CallLogConfig;
    outbox?: Outbox;
    userOf?: (extension: string) => number | null;
    timers?: CallLogTimers;
    concurrency?: number;
    /** The worker's retry backoff (default 1 s doubling to 5 min). */
    backoff?: Partial<BackoffConfig>;
  };
  /**
   * A PBX the relay reads itself (the Asterisk adapter, asterisk/asterisk-source.ts): started
   * with the relay, its events stored like POSTed ones, its status in /health, stopped on close.
   */
  pbxSource?: PbxSource;
  /** Path prefix when mounted inside another server (default ''). */
  basePath?: string;
  now?: () => number;
  log?: (message: string, context?: Record<string, unknown>) => void;
}

/** The limits every relay has, filled in; `dataDir` stays as given (none: the store is in memory). */
export type RelaySettings = RelayOptions & { -readonly [K in Exclude<keyof typeof RELAY_DEFAULTS, 'dataDir'>]: number };

export function withDefaults(options: RelayOptions): RelaySettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const { dataDir: _commandLineOnly, ...limits } = RELAY_DEFAULTS;
  return { ...limits, ...given } as RelaySettings;
}
