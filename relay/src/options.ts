/**
 * The relay's options and their defaults: the one place a default is written (main.ts shows
 * them in `--help`; `withDefaults` fills them in for createRelay).
 */
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

/** The limits every relay has, filled in; `dataDir` stays as given (none: the store is in memory). */
export type RelaySettings = RelayOptions & { -readonly [K in Exclude<keyof typeof RELAY_DEFAULTS, 'dataDir'>]: number };

export function withDefaults(options: RelayOptions): RelaySettings {
  const given = Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined));
  const { dataDir: _commandLineOnly, ...limits } = RELAY_DEFAULTS;
  return { ...limits, ...given } as RelaySettings;
}
