/**
 * The relay's store: call legs (one per `call_id` + extension) and the bounded history of the
 * events it emitted, numbered by one offset sequence. The HTTP and WebSocket code only talks to
 * this interface; memory-store.ts (tests, the sandbox, no data dir) and sqlite-store.ts (the
 * default of the command line: a file, survives kill -9) implement it.
 *
 * It is synchronous because both implementations are (better-sqlite3 commits before it
 * returns, which is what lets the relay answer 200 only for a durable event). A networked store
 * (Redis, for several relay nodes) would make these methods return promises; the routes that
 * call them are already async.
 */
import type { CallEvent, SequencedEvent, StreamCursor } from '../../src/protocol';

export interface Leg {
  /** The leg's latest state, as it was emitted. */
  event: CallEvent;
  /** Relay clock (ms) when the leg entered that state: its expiry and retention count from here. */
  stateAt: number;
  /** Offset of the leg's latest emission; orders legs (and, in time, their expiry). */
  offset: number;
}

/** The bounds of what a store keeps (RELAY_DEFAULTS has the documented values). */
export interface StoreLimits {
  /** Legs at once, live and ended; a new leg beyond it evicts the oldest ended one, or is refused. */
  maxLegs: number;
  /** A leg ringing this long is ended by the relay (`expired`). */
  ringingMaxAgeMs: number;
  /** A leg answered this long is ended by the relay (`expired`). */
  answeredMaxAgeMs: number;
  /** An ended leg is remembered this long, so a late repeat of its events changes nothing. */
  endedKeepMs: number;
  /** History: events older than this are forgotten. */
  historyMaxAgeMs: number;
  /** History: at most this many events per extension (the oldest go first). */
  historyMaxPerExtension: number;
  /** History: at most this many events in all. */
  historyMaxEvents: number;
}

export type EventResult = 'changed' | 'unchanged' | 'refused_full';

export interface BatchOutcome {
  /** One per event of the batch, in order. */
  results: EventResult[];
  /** What subscribers must be sent, in offset order. */
  emitted: SequencedEvent[];
  /** Ended legs forgotten early to make room. */
  evicted: number;
}

export interface Recovery {
  /** false: the history cannot cover the gap (another epoch, trimmed, or a position from the future). */
  recovered: boolean;
  /** Events after `since` on those extensions, in offset order (empty unless recovered). */
  missed: SequencedEvent[];
}

export interface CallStore {
  readonly kind: 'memory' | 'sqlite';
  /** Applies a POST's events in order; durable when it returns (one transaction). Throws StoreWriteFailed. */
  apply(events: readonly CallEvent[], now: number): BatchOutcome;
  /** Ends legs past their age, forgets ended legs and history past retention; returns what it emitted. */
  expire(now: number): SequencedEvent[];
  /** Every leg of these extensions, live or ended (still remembered), in offset order. */
  legsOf(extensions: ReadonlySet<string>): Leg[];
  /** Ringing and answered legs, in offset order. */
  activeLegs(): Leg[];
  /** Every leg remembered, live or ended, in offset order (the call log's restore at start). */
  allLegs(): Leg[];
  /** The epoch and the last offset given out. */
  position(): StreamCursor;
  missedSince(extensions: ReadonlySet<string>, since: StreamCursor): Recovery;
  counts(): { legs: number; history: number };
  close(): void;
}
