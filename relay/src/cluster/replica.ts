/**
 * A node's copy of the cluster's store: a MemoryStore that changes only by applying the shared
 * log's entries, in order. Applying an entry runs expiry at the entry's clock first, as the
 * single relay does before every write, so the copies on every node stay equal.
 *
 * The clock never goes back: nodes' clocks differ a little, and an entry stamped a little earlier
 * than the last one applied is applied at the later time (on every node alike).
 */
import type { SequencedEvent } from '../../../src/protocol';
import type { MemoryStore } from '../memory-store';
import type { BatchOutcome } from '../store';
import type { LogEntry } from './log-entry';

export interface Applied {
  /** What the entry changed, in offset order: subscribers on this node get it. */
  emitted: SequencedEvent[];
  /** The POST's own outcome (null for a tick). */
  outcome: BatchOutcome | null;
}

export class Replica {
  constructor(
    readonly store: MemoryStore,
    /** The clock of the last entry applied (the snapshot's, at start). */
    public clock = 0,
  ) {}

  apply(entry: LogEntry): Applied {
    // Asks and answers are messages between two nodes: no copy changes, nor its clock.
    if (entry.kind === 'ask' || entry.kind === 'answer') return { emitted: [], outcome: null };
    const now = Math.max(entry.now, this.clock);
    this.clock = now;
    const expired = this.store.expire(now);
    if (entry.kind === 'tick') return { emitted: expired, outcome: null };
    const outcome = this.store.apply(entry.events, now);
    return { emitted: expired.length === 0 ? outcome.emitted : [...expired, ...outcome.emitted], outcome };
  }
}
