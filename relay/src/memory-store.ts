/**
 * The store held in memory: the legs, the history and the offset sequence. Used as is for tests,
 * the sandbox and a relay without a data directory (a restart starts a new epoch), and as the
 * working state of the SQLite store, which persists the journal of each operation.
 *
 * Every operation costs O(1) amortised per event: the legs are looked up by key, and expiry,
 * eviction and history trimming only ever look at the front of queues kept in order.
 */
import { randomBytes } from 'node:crypto';
import type { CallEvent, SequencedEvent, StreamCursor } from '../../src/protocol';
import { History } from './history';
import type { HistoryEntry, Journal } from './journal';
import { NO_JOURNAL } from './journal';
import { decideEvent, expiredEnd, legKey, maxAgeIn } from './leg-rules';
import { LegTable } from './leg-table';
import type { BatchOutcome, CallStore, EventResult, Leg, Recovery, StoreLimits } from './store';

/** A new epoch: 16 hex characters, unique enough that two stores never share one. */
export function newEpoch(): string {
  return randomBytes(8).toString('hex');
}

export interface SavedState {
  offset: number;
  globalFloor: number;
  /** In offset order. */
  legs: readonly Leg[];
  /** In offset order. */
  history: readonly HistoryEntry[];
  floors: ReadonlyArray<readonly [string, number]>;
}

export class MemoryStore implements CallStore {
  readonly kind = 'memory' as const;
  private readonly legs = new LegTable();
  private readonly history: History;
  private offset = 0;

  constructor(
    private readonly limits: StoreLimits,
    private readonly epoch: string = newEpoch(),
    private readonly journal: Journal = NO_JOURNAL,
  ) {
    this.history = new History(limits, journal);
  }

  apply(events: readonly CallEvent[], now: number): BatchOutcome {
    const results: EventResult[] = [];
    const emitted: SequencedEvent[] = [];
    let evicted = 0;
    for (const event of events) {
      const known = this.legs.get(legKey(event));
      const decision = decideEvent(known?.event, event, { legs: this.legs.size, maxLegs: this.limits.maxLegs, endedLegs: this.legs.count('ended') });
      if (decision.kind === 'ignore') {
        results.push('unchanged');
        continue;
      }
      if (decision.kind === 'refuse') {
        results.push('refused_full');
        continue;
      }
      if (decision.evictOldestEnded) {
        this.forget(this.legs.oldestIn('ended') as Leg);
        evicted += 1;
      }
      emitted.push(this.emit(event, now));
      results.push('changed');
    }
    return { results, emitted, evicted };
  }

  expire(now: number): SequencedEvent[] {
    const emitted: SequencedEvent[] = [];
    for (const state of ['ringing', 'answered'] as const) {
      for (let leg = this.legs.oldestIn(state); leg !== undefined && leg.stateAt + maxAgeIn(state, this.limits) <= now; leg = this.legs.oldestIn(state)) {
        emitted.push(this.emit(expiredEnd(leg.event, now), now));
      }
    }
    for (let leg = this.legs.oldestIn('ended'); leg !== undefined && leg.stateAt + this.limits.endedKeepMs <= now; leg = this.legs.oldestIn('ended')) {
      this.forget(leg);
    }
    this.history.trim(now);
    return emitted;
  }

  private emit(event: CallEvent, now: number): SequencedEvent {
    this.offset += 1;
    const leg: Leg = { event, stateAt: now, offset: this.offset };
    this.legs.put(leg);
    this.journal.record({ kind: 'leg_put', leg });
    this.history.append({ offset: this.offset, event, storedAt: now });
    return { offset: this.offset, event };
  }

  private forget(leg: Leg): void {
    this.legs.delete(legKey(leg.event));
    this.journal.record({ kind: 'leg_delete', callId: leg.event.callId, extension: leg.event.extension });
  }

  legsOf(extensions: ReadonlySet<string>): Leg[] {
    return this.legs.ofExtensions(extensions);
  }

  activeLegs(): Leg[] {
    return this.legs.active();
  }

  allLegs(): Leg[] {
    return this.legs.all();
  }

  position(): StreamCursor {
    return { epoch: this.epoch, offset: this.offset };
  }

  globalFloor(): number {
    return this.history.globalFloor;
  }

  missedSince(extensions: ReadonlySet<string>, since: StreamCursor): Recovery {
    return this.history.missedSince(extensions, since, this.position());
  }

  counts(): { legs: number; history: number } {
    return { legs: this.legs.size, history: this.history.size };
  }

  /** The whole state, for restore() on another node (the cluster's snapshots). */
  save(): SavedState {
    const history = this.history.save();
    return { offset: this.offset, globalFloor: history.globalFloor, legs: this.legs.all(), history: history.entries, floors: history.floors };
  }

  /** Loads a saved state into a new store (the SQLite store at startup). */
  restore(saved: SavedState): void {
    for (const leg of saved.legs) this.legs.put(leg);
    this.history.restore(saved.history, saved.floors, saved.globalFloor);
    const lastLeg = saved.legs.at(-1)?.offset ?? 0;
    const lastEntry = saved.history.at(-1)?.offset ?? 0;
    this.offset = Math.max(saved.offset, lastLeg, lastEntry);
  }

  close(): void {}
}
